"""D6 on the Taper screen (issue 12): after a step back, key d "Smaller steps" shows a revised draft of
the remaining steps and saves it as a draft revision of the same plan, to agree again before it runs.

The plan (hand-written, as in test_trust_taper): Sertraline 50 mg tablets (quarters), 50 -> 37.5 ->
25 -> 0 mg a day, 28 days a step, started 28 Oct 2026 and advanced on the frozen today, 27 Nov 2026,
so 37.5 mg is current. Stepping back today makes 50 mg current from 2026-11-27, with 37.5 mg planned
again 28 days later (2026-12-25), then 25 mg (2027-01-22) and 0 (2027-02-19).

The revision worked by hand (DOMAIN.md D6 and the occupancy model, sertraline Emax 92.01 %, ED50
7.72 mg, occupancy(d) = Emax d / (ED50 + d)): every remaining drop is halved in occupancy.
occ(50) = 79.70, occ(37.5) = 76.30, occ(25) = 70.30, occ(0) = 0; the midpoints 78.00, 73.30 and
35.15 are doses of 42.99, 30.25 and 4.77 mg (d = ED50 occ / (Emax - occ)). None is within 10% of a
quarter-tablet dose (12.5 mg pieces), so each is kept, to 3 figures, as needing another form (D2):
43, 30.2 and 4.77 mg. Rows every 28 days from today:
  50 (2026-11-27), 43 (2026-12-25), 37.5 (2027-01-22), 30.2 (2027-02-19), 25 (2027-03-19),
  4.77 (2027-04-16), 0 (2027-05-14).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.pilot import settle
from sqlmodel import col, select
from test_taper_screen import NOW, _clock
from test_trust_taper import _running_plan, _taper, _type_reason
from textual.widgets import Input, Static

from tracker.cli import main
from tracker.db import open_database
from tracker.models import PlanEvent, TaperPlan, TaperStep
from tracker.services import settings
from tracker.services import taper as svc
from tracker.ui.app import TrackerApp
from tracker.ui.commands import bound_commands
from tracker.ui.screens.taper import TaperScreen
from tracker.ui.screens.taper_revision import RevisionModal
from tracker.ui.widgets.footer import KeyFooter

EXPECTED = [
    ("2026-11-27", "50"),
    ("2026-12-25", "43"),
    ("2027-01-22", "37.5"),
    ("2027-02-19", "30.2"),
    ("2027-03-19", "25"),
    ("2027-04-16", "4.77"),
    ("2027-05-14", "0"),
]


def _plans(path: Path) -> list[tuple[int, str, int | None, int, list[float]]]:
    db = open_database(path)
    try:
        with db.read() as s:
            out = []
            for p in s.exec(select(TaperPlan).order_by(col(TaperPlan.id))).all():
                steps = s.exec(
                    select(TaperStep).where(TaperStep.plan_id == p.id).order_by(col(TaperStep.order))
                ).all()
                out.append((p.id or 0, p.status, p.revision_of, p.revision, [st.dose_mg for st in steps]))
            return out
    finally:
        db.close()


def _offered(app: TrackerApp, screen: TaperScreen) -> tuple[bool, bool]:
    """Whether "Smaller steps" is in the Footer and in the command palette."""
    footer = screen.query_one(KeyFooter)
    in_footer = "smaller_steps" in [k.action for _r, _c, k in footer.shown_keys()]
    titles = [c.title for c in bound_commands([screen], app.get_key_display)]
    in_palette = any("revised draft of the remaining steps" in t for t in titles)
    return in_footer, in_palette


async def _step_back(app: TrackerApp, pilot: object) -> None:
    await pilot.press("b")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    await _type_reason(app, pilot, "zaps")  # type: ignore[arg-type]


async def test_smaller_steps_is_offered_only_after_a_step_back(taper_db: Path) -> None:
    _running_plan(taper_db)
    app = TrackerApp(taper_db, clock=_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _taper(app, pilot)
        assert _offered(app, screen) == (False, False)
        await pilot.press("d")  # not offered: nothing opens, nothing is written
        await settle(pilot)
        assert not isinstance(app.screen, RevisionModal)
        await _step_back(app, pilot)
        assert _offered(app, screen) == (True, True)
    assert [p[1] for p in _plans(taper_db)] == ["active"]


async def test_the_dialog_names_the_hand_worked_revision_and_saves_it_as_a_draft(
    taper_db: Path,
) -> None:
    _running_plan(taper_db)
    app = TrackerApp(taper_db, clock=_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await _taper(app, pilot)
        await _step_back(app, pilot)
        await pilot.press("d")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, RevisionModal)
        lines = str(modal.query_one("#revision-rows", Static).render()).splitlines()
        shown = [line.split(": ", 1) for line in lines if line[:1].isdigit()]
        assert [(when.split("from ")[1], text.split(" mg a day")[0]) for when, text in shown] == EXPECTED
        assert "Rows 2, 4, 6 need a liquid or compounded form." in lines
        intro = str(modal.query_one("#revision-intro", Static).render())
        assert "agreement again before it runs" in intro and "starting the revision ends plan 1" in intro
        modal.query_one("#revision-step", Input).value = "99"  # out of range: said, not saved
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is modal and "from 1 to 50" in str(
            modal.query_one("#revision-error", Static).render()
        )
        modal.query_one("#revision-step", Input).value = ""
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TaperScreen)
    old, new = _plans(taper_db)
    assert old[:2] == (1, "active")  # the running plan goes on unchanged
    assert new[1:4] == ("draft", 1, 2)  # revision 2 of plan 1, a draft
    assert new[4] == [50, 43, 37.5, 30.2, 25, 4.77, 0]
    db = open_database(taper_db)
    with db.read() as s:
        actions = [e.action for e in s.exec(select(PlanEvent).where(PlanEvent.plan_id == 1))]
    db.close()
    assert "revision" in actions  # the old version's history names its revision


async def test_saving_is_refused_when_the_plan_changed_underneath(taper_db: Path) -> None:
    plan_id = _running_plan(taper_db)
    app = TrackerApp(taper_db, clock=_clock, watch_interval=3600)  # only the refusal can notice
    async with app.run_test(size=(120, 40)) as pilot:
        await _taper(app, pilot)
        await _step_back(app, pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, RevisionModal)
        db = open_database(taper_db)  # the command line, in another terminal
        with db.write() as s:
            svc.hold_plan(
                session=s, plan_id=plan_id, reason="not yet", now=NOW, tz=settings.user_zone(session=s)
            )
        db.close()
        await pilot.press("enter")
        await settle(pilot)
        assert any("changed since it was shown" in n.message for n in app._notifications)
    plans = _plans(taper_db)
    assert [(p[0], p[1]) for p in plans] == [(1, "held")]  # no revision was saved


async def test_the_revision_cannot_start_without_a_recorded_agreement(taper_db: Path) -> None:
    _running_plan(taper_db)
    app = TrackerApp(taper_db, clock=_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _taper(app, pilot)
        await _step_back(app, pilot)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.plan is not None and (screen.plan.id, screen.plan.status) == (2, "draft")
        assert "revision 2 of plan 1" in str(screen.query_one("#plan-summary", Static).render())
        await pilot.press("g")  # start, without an agreement: refused with R7's reason
        await settle(pilot)
        assert any("agree" in n.message.lower() for n in app._notifications if n.severity == "error")
        assert [(p[0], p[1]) for p in _plans(taper_db)] == [(1, "active"), (2, "draft")]
        await pilot.press("a")
        await settle(pilot)
        app.screen.query_one("#field-prescriber", Input).value = "Dr Rao"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        await _type_reason(app, pilot, "")
    # started once agreed: the old version ends, and the history keeps both
    assert [(p[0], p[1]) for p in _plans(taper_db)] == [(1, "abandoned"), (2, "active")]


def test_taper_back_on_the_command_line_saves_the_same_revision(
    taper_db: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The one calculation (``revision_inputs(...).draft()``) behind both ways in: the command line's
    revision has the hand-worked doses too (its dates follow the real today, so only doses compare)."""
    _running_plan(taper_db)
    code = main(["taper", "back", "sertraline", "--reason", "zaps", "--db", str(taper_db)])
    out = capsys.readouterr().out
    assert code == 0 and "draft plan 2" in out
    assert _plans(taper_db)[1][1:] == ("draft", 1, 2, [float(mg) for _day, mg in EXPECTED])
