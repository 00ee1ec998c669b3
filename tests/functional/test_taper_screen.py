"""Pilot tests of the taper screen: the draft preview, saving a draft, recording the agreement,
the refusal to start without it, starting, and advancing with a reason.

Assertions read the database, so they prove what was saved. The clock is frozen at
Friday 27 Nov 2026 12:00 UTC; the user's zone is Europe/London (GMT then, so UTC).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

from helpers.pilot import settle as _settle
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Sparkline, Static

from tracker.db import open_database
from tracker.domain.taper import DRAFT_NOTICE
from tracker.models import Prescription, TaperPlan, TaperStep
from tracker.services import meds, settings
from tracker.services import taper as svc
from tracker.ui.app import TrackerApp
from tracker.ui.screens.taper import FieldsModal, ReasonModal, TaperScreen

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)
LONDON_NAME = "Europe/London"


def _clock() -> datetime:
    return NOW


def _save_draft(path: Path, now: datetime = NOW) -> int:
    db = open_database(path)
    try:
        with db.write() as s:
            inputs = svc.draft_inputs(session=s, medication_id=1, today=TODAY)
            draft = svc.calculate_draft(inputs, method="manual", start_date=TODAY, doses=[50, 37.5, 25, 0])
            return svc.save_draft(session=s, medication_id=1, draft=draft, now=now).id
    finally:
        db.close()


def _plan(path: Path) -> tuple[str, str | None, list[tuple[float, str]]]:
    db = open_database(path)
    try:
        with db.read() as s:
            plan = s.exec(select(TaperPlan).order_by(col(TaperPlan.id).desc())).first()
            assert plan is not None
            steps = s.exec(
                select(TaperStep).where(TaperStep.plan_id == plan.id).order_by(col(TaperStep.order))
            )
            return plan.status, plan.prescriber, [(st.dose_mg, st.status) for st in steps]
    finally:
        db.close()


async def _open(app: TrackerApp, pilot: Pilot[None]) -> TaperScreen:
    await _settle(pilot)
    if "taper" in app.MODES:
        await pilot.press("p")  # the app's key for the taper mode
    else:  # an app.py from before the taper mode was registered
        app.push_screen(TaperScreen())
    await _settle(pilot)
    screen = app.screen
    assert isinstance(screen, TaperScreen)
    return screen


def _text(screen: TaperScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def _notes(app: TrackerApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_draft_preview_appears_and_is_saved_as_a_draft(taper_db: Path) -> None:
    app = TrackerApp(taper_db, clock=_clock)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await _open(app, pilot)
        assert DRAFT_NOTICE in _text(screen, "#taper-notice")
        assert "No taper plan for Sertraline" in _text(screen, "#plan-summary")
        await pilot.press("n")
        await _settle(pilot)
        preview = screen.query_one("#preview", DataTable)
        # the default proportional draft from today's 50 mg a day appears at once
        assert preview.row_count > 2
        assert preview.get_row_at(0)[:4] == ["1", "2026-11-27", "50", "50"]
        screen.query_one("#draft-method", Select).value = "manual"
        await pilot.pause()
        screen.query_one("#draft-doses", Input).value = "50,37.5,25,0"
        await pilot.pause()
        assert preview.row_count == 4
        assert [preview.get_row_at(i)[3] for i in range(4)] == ["50", "37.5", "25", "0"]
        assert preview.get_row_at(1)[4] == "three quarters of a 50 mg tablet"
        assert preview.get_row_at(1)[5] == "25.0"  # cut %
        # stopping from 25 mg (70.3% estimated occupancy) is a bigger drop than any before it (D1, D5)
        assert "abrupt end" in preview.get_row_at(3)[-1]
        assert list(screen.query_one("#preview-chart", Sparkline).data or []) == [50, 37.5, 25, 0]
        assert DRAFT_NOTICE in _text(screen, "#draft-error")
        screen.query_one("#draft-doses", Input).value = "50,abc"
        await pilot.pause()
        assert "is not a number" in _text(screen, "#draft-error") and preview.row_count == 0
        screen.query_one("#draft-doses", Input).value = "50,37.5,25,0"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert _plan(taper_db) == (
            "draft",
            None,
            [(50, "planned"), (37.5, "planned"), (25, "planned"), (0, "planned")],
        )
        assert "DRAFT" in _text(screen, "#plan-summary")
        assert screen.query_one("#steps", DataTable).row_count == 4


async def test_start_is_refused_until_the_agreement_is_recorded_then_starts(taper_db: Path) -> None:
    _save_draft(taper_db)
    app = TrackerApp(taper_db, clock=_clock)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await _open(app, pilot)
        assert "DRAFT" in _text(screen, "#plan-summary")
        await pilot.press("g")
        await _settle(pilot)
        assert any("no agreement with a prescriber is recorded" in n for n in _notes(app))
        assert _plan(taper_db)[0] == "draft"

        await pilot.press("a")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, FieldsModal)
        await pilot.press("ctrl+s")  # no name yet: refused inside the form
        await pilot.pause()
        assert "name of the prescriber" in str(modal.query_one("#fields-error", Static).render())
        modal.query_one("#field-prescriber", Input).value = "Dr Rao"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert _plan(taper_db)[:2] == ("agreed", "Dr Rao")
        assert "Agreed with Dr Rao on 2026-11-27" in _text(screen, "#plan-summary")

        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, ReasonModal)
        await pilot.press("enter")  # the note is optional when starting
        await _settle(pilot)
        status, _, steps = _plan(taper_db)
        assert status == "active" and steps[0] == (50, "current")
        assert "ACTIVE" in _text(screen, "#plan-summary")


async def test_advance_asks_for_a_reason_and_the_prescription_follows(taper_db: Path) -> None:
    began = datetime(2026, 10, 28, 12, tzinfo=UTC)  # drafted, agreed and started 30 days ago
    plan_id = _save_draft(taper_db, began)
    db = open_database(taper_db)
    with db.write() as s:
        zone = settings.user_zone(session=s)
        svc.agree_plan(
            session=s, plan_id=plan_id, prescriber="Dr Rao", agreed_on=began.date(), now=began, tz=zone
        )
        svc.start_plan(session=s, plan_id=plan_id, now=began, tz=zone)
    db.close()
    app = TrackerApp(taper_db, clock=_clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await _open(app, pilot)
        await pilot.press("v")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, ReasonModal)
        await pilot.press("enter")  # a reason is required
        await pilot.pause()
        assert app.screen is modal
        assert "Add a short reason" in str(modal.query_one("#reason-error", Static).render())
        modal.query_one("#reason", Input).value = "Agreed at the review [/x]"  # brackets: shown as typed
        await pilot.press("enter")
        await _settle(pilot)
        assert app.return_code is None
        events = app.screen.query_one("#events", DataTable)
        assert [str(c) for c in events.get_row_at(0)][-1] == "Agreed at the review [/x]"
    assert _plan(taper_db)[2][:2] == [(50, "done"), (37.5, "current")]
    db = open_database(taper_db)
    with db.read() as s:
        latest = s.exec(select(Prescription).order_by(col(Prescription.start_date).desc())).first()
        assert latest is not None
        assert (latest.dose_mg, latest.times, latest.start_date) == (18.75, "08:00,20:00", TODAY)
    db.close()


async def test_steps_that_need_another_form_are_told_apart_on_the_screen(tmp_path: Path) -> None:
    """Citalopram 20 mg tablets, no liquid: the saved occupancy draft shows which steps tablets give."""
    path = tmp_path / "c" / "tracker.db"
    db = open_database(path, create_dir=True)
    with db.write() as s:
        for key, value in (
            ("timezone", LONDON_NAME),
            ("disclaimer_acknowledged", True),
            ("first_run_done", True),
        ):
            settings.set_setting(session=s, key=key, value=value)
        med = meds.create_medication(session=s, name="Citalopram", strength_mg=20)
        meds.set_prescription(
            session=s, medication_id=med.id or 0, dose_mg=20, times=[time(8)], start_date=date(2026, 9, 1)
        )
        draft = svc.calculate_draft(
            svc.draft_inputs(session=s, medication_id=med.id or 0, today=TODAY),
            method="occupancy",
            start_date=TODAY,
        )
        svc.save_draft(session=s, medication_id=med.id or 0, draft=draft, now=NOW)
    db.close()
    app = TrackerApp(path, clock=_clock)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await _open(app, pilot)
        steps = screen.query_one("#steps", DataTable)
        assert steps.row_count == 9
        flags = [str(steps.get_row_at(i)[-1]) for i in range(9)]
        assert ["NEEDS ANOTHER FORM" in f for f in flags] == [False, False] + [True] * 6 + [False]
        assert str(steps.get_row_at(1)[3]) == "half a 20 mg tablet"
        assert str(steps.get_row_at(7)[2]) == "0.294" and str(steps.get_row_at(7)[7]) == "9.4"
        details = _text(screen, "#plan-details")
        assert "Steps 3, 4, 5, 6, 7, 8 need a liquid or compounded form" in details
        assert "citalopram 10 mg/5 ml oral solution" in details
        assert "Occ %: estimated SERT occupancy, citalopram" in details and "approximate" in details
