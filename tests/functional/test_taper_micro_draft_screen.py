"""Pilot tests at 80x24 of the Taper screen's micro-step draft (DOMAIN.md D8).

Sertraline 20 mg/ml liquid (measured in 0.1 ml, so in steps of 2 mg), 50 mg a day. The daily
table 50 -> 25 mg over 28 days, worked by hand from tracker/domain/taper_micro.py's rule (equal
drops in estimated SERT occupancy, Emax 92.01 %, ED50 7.72 mg; each row the smallest dose the
liquid gives at or above its target):
  occ(50) = 92.01*50/57.72 = 79.704, occ(25) = 92.01*25/32.72 = 70.301; a row lowers it by
  9.403/28 = 0.3358 points. Dose for occupancy o: 7.72*o/(92.01-o).
  row 1: o 79.368 -> 48.47 mg -> 50 mg (2.5 ml)   row 2: o 79.032 -> 47.01 -> 48 mg (2.4 ml)
  row 3: o 78.696 -> 45.63 -> 46 mg (2.3 ml)      row 4: o 78.361 -> 44.32 -> 46 mg (2.3 ml)
  row 5: o 78.025 -> 43.07 -> 44 mg (2.2 ml)
  row 28: the target itself, 25 mg = 1.25 ml, not a 0.1 ml step: 1.3 ml = 26 mg, rounded up.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from helpers.pilot import settle
from sqlmodel import col, select
from textual.widgets import DataTable, Input, Select, Static

from tracker.db import open_database
from tracker.domain.taper_micro import MicroTable
from tracker.models import TaperPlan, TaperStep
from tracker.services import meds, settings
from tracker.ui.app import TrackerApp
from tracker.ui.screens.taper import TaperScreen
from tracker.ui.widgets.micro_table import MicroStrip

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _clock() -> datetime:
    return NOW


@pytest.fixture
def liquid_db(tmp_path: Path) -> Path:
    path = tmp_path / "microdraft" / "tracker.db"
    db = open_database(path, create_dir=True)
    try:
        with db.write() as s:
            for key, value in (
                ("timezone", "UTC"),
                ("disclaimer_acknowledged", True),
                ("first_run_done", True),
            ):
                settings.set_setting(session=s, key=key, value=value)
            med = meds.create_medication(session=s, name="Sertraline", strength_mg=20, form="liquid")
            meds.set_prescription(
                session=s,
                medication_id=med.id or 0,
                dose_mg=50,
                times=[time(8)],
                start_date=date(2026, 11, 1),
            )
    finally:
        db.close()
    return path


def _saved(path: Path) -> list[tuple[str, str, str | None]]:
    db = open_database(path)
    try:
        with db.read() as s:
            plans = s.exec(select(TaperPlan).order_by(col(TaperPlan.id))).all()
            out = []
            for plan in plans:
                steps = s.exec(select(TaperStep).where(TaperStep.plan_id == plan.id)).all()
                out += [(plan.status, str(plan.method), st.micro) for st in steps]
            return out
    finally:
        db.close()


async def _draft_form(app: TrackerApp, pilot) -> TaperScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("p")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, TaperScreen)
    await pilot.press("n")
    await settle(pilot)
    screen.query_one("#draft-method", Select).value = "daily"
    await settle(pilot)
    return screen


def _error(screen: TaperScreen) -> str:
    return str(screen.query_one("#draft-error", Static).render())


async def test_daily_micro_draft_preview_and_save_at_80x24(liquid_db: Path) -> None:
    app = TrackerApp(liquid_db, clock=_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _draft_form(app, pilot)
        # the micro-step fields show, the cut-and-hold ones do not
        assert screen.query_one("#box-to-mg").display and screen.query_one("#box-days").display
        assert not screen.query_one("#box-percent").display and not screen.query_one("#box-weeks").display
        screen.query_one("#draft-to-mg", Input).focus()
        await pilot.press("2", "5")  # typed, as a user would
        days = screen.query_one("#draft-days", Input)
        days.value = ""
        days.focus()
        await pilot.press("2", "8")
        await settle(pilot)
        preview = screen.query_one("#preview", DataTable)
        assert preview.row_count == 28
        rows = [preview.get_row_at(i) for i in range(5)]
        assert [r[2] for r in rows] == ["50", "48", "46", "46", "44"]
        assert rows[0][0] == "1" and rows[0][1] == "Tue 01 Dec"
        assert "2.4 ml" in rows[1][3] and "2.3 ml" in rows[3][3]
        assert "rounded up" in rows[0][-1]  # 48.47 mg asked, 50 mg given (D3)
        last = preview.get_row_at(27)
        assert last[2] == "26" and "1.3 ml" in last[3]
        assert "daily micro-steps 50 -> 25 mg" in str(screen.query_one("#preview-flags", Static).render())
        assert "DRAFT" in _error(screen)
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = _saved(liquid_db)
        assert len(saved) == 1
        status, method, micro = saved[0]
        assert (status, method) == ("draft", "daily")
        table = MicroTable.from_json(micro)
        assert table is not None and [r.dose_mg for r in table.rows[:5]] == [50, 48, 46, 46, 44]
        # back on the plan pane: the plan is a draft, with its strip
        assert "DRAFT" in str(screen.query_one("#plan-summary", Static).render())
        strip = screen.query_one("#micro-strip", MicroStrip)
        assert strip.display
        text = str(strip.render())
        assert "daily micro-steps 50 -> 25 mg" in text and "01 2.5ml" in text
        assert strip.region.right <= 80


@pytest.mark.parametrize(
    ("target", "days", "message"),
    [
        ("60", "28", "the dose to reach must be below the starting dose"),
        ("25", "0", "runs from 7 to 112 days"),
        ("", "28", "Enter the target"),
    ],
)
async def test_bad_micro_input_is_told_in_the_form_and_saves_nothing(
    liquid_db: Path, target: str, days: str, message: str
) -> None:
    app = TrackerApp(liquid_db, clock=_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _draft_form(app, pilot)
        screen.query_one("#draft-to-mg", Input).value = target
        screen.query_one("#draft-days", Input).value = days
        await settle(pilot)
        assert message in _error(screen)
        assert screen.query_one("#preview", DataTable).row_count == 0
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert _saved(liquid_db) == []
        assert screen.query_one("#draft-error").region.y < 23  # the message is on screen at 80x24


async def test_the_screen_says_the_table_stopped_at_the_hold(liquid_db: Path) -> None:
    """Made, agreed and started on 1 Dec; held on day 6 (the table's 42 mg, 2.1 ml by the rule
    above: row 6 o 77.689 -> 41.88 -> 42 mg) and resumed; seen on 9 Dec."""
    import time_machine

    from tracker.services import taper as svc
    from tracker.services import taper_micro as micro

    day1 = date(2026, 12, 1)
    db = open_database(liquid_db)
    try:
        with time_machine.travel(datetime(2026, 12, 1, 7, tzinfo=UTC), tick=False), db.write() as s:
            now = datetime(2026, 12, 1, 7, tzinfo=UTC)
            inputs = svc.draft_inputs(session=s, medication_id=1, today=day1)
            draft, table = micro.calculate_micro(inputs, cadence="daily", count=28, to_mg=25, start_date=day1)
            plan = micro.save_micro_draft(session=s, medication_id=1, draft=draft, table=table, now=now)
            tz = settings.user_zone(session=s)
            svc.agree_plan(session=s, plan_id=plan.id, prescriber="Dr Rao", agreed_on=day1, now=now, tz=tz)
            svc.start_plan(session=s, plan_id=plan.id, now=now, tz=tz)
        held = datetime(2026, 12, 6, 9, tzinfo=UTC)
        with time_machine.travel(held, tick=False), db.write() as s:
            svc.hold_plan(session=s, plan_id=plan.id, reason="zaps", now=held, tz=tz)
            svc.resume_plan(session=s, plan_id=plan.id, reason="better", now=held)
    finally:
        db.close()
    app = TrackerApp(liquid_db, clock=lambda: datetime(2026, 12, 9, 9, tzinfo=UTC))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TaperScreen)
        details = " ".join(str(screen.query_one("#plan-details", Static).render()).split())
        assert "The day-by-day table stopped at the hold on 2026-12-06: 42 mg a day since." in details
        assert "Resuming keeps 42 mg a day; the table does not go on." in details
        assert "make a new draft (press n): it continues from that dose" in details
        strip = str(screen.query_one("#micro-strip", MicroStrip).render())
        assert "stopped on 2026-12-06; 42 mg a day since" in strip
