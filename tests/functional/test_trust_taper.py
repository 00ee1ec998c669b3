"""Issue 17, items 1 and 4: the Taper screen shows what the database holds, plan actions name the
dose and date they record and refuse when the plan changed since it was drawn, and starting a plan
while another runs says first what happens to the running one.

The plan (hand-written): Sertraline 50 -> 37.5 -> 25 -> 0 mg a day, agreed and started 30 days
before the frozen today (27 Nov 2026), then advanced once, so 37.5 mg (step 2) is current and the
next step is 25 mg. Assertions read the database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from helpers.pilot import settle
from test_taper_screen import NOW, _clock, _plan, _save_draft
from textual.pilot import Pilot
from textual.widgets import Input, Static

from tracker.db import open_database
from tracker.services import settings
from tracker.services import taper as svc
from tracker.ui.app import TrackerApp
from tracker.ui.screens.taper import ReasonModal, TaperScreen

BEGAN = datetime(2026, 10, 28, 12, tzinfo=UTC)


def _running_plan(path: Path) -> int:
    plan_id = _save_draft(path, BEGAN)  # 50, 37.5, 25, 0 (drafted when agreed)
    db = open_database(path)
    with db.write() as s:
        zone = settings.user_zone(session=s)
        svc.agree_plan(
            session=s, plan_id=plan_id, prescriber="Dr Rao", agreed_on=BEGAN.date(), now=BEGAN, tz=zone
        )
        svc.start_plan(session=s, plan_id=plan_id, now=BEGAN, tz=zone)
        svc.advance_plan(session=s, plan_id=plan_id, reason="as agreed", now=NOW, tz=zone)
    db.close()
    return plan_id


async def _taper(app: TrackerApp, pilot: Pilot[None]) -> TaperScreen:
    await settle(pilot)
    await pilot.press("p")
    await settle(pilot)
    assert isinstance(app.screen, TaperScreen)
    return app.screen


def _modal_text(app: TrackerApp) -> str:
    modal = app.screen
    assert isinstance(modal, ReasonModal)
    return modal.title_text + " " + modal.intro


async def _type_reason(app: TrackerApp, pilot: Pilot[None], text: str) -> None:
    app.screen.query_one("#reason", Input).value = text
    await pilot.press("enter")
    await settle(pilot)


async def test_after_an_undo_on_today_taper_shows_the_real_plan_and_advance_names_its_dose(
    taper_db: Path,
) -> None:
    _running_plan(taper_db)
    app = TrackerApp(taper_db, clock=_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _taper(app, pilot)
        await pilot.press("b")
        await settle(pilot)
        assert "50 mg a day" in _modal_text(app)  # back from 37.5 to 50
        await _type_reason(app, pilot, "zaps")
        assert _plan(taper_db)[2][:4] == [
            (50, "done"),
            (37.5, "stepped_back"),
            (50, "current"),
            (37.5, "planned"),
        ]
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("u")  # Today's undo takes the step back away
        await settle(pilot)
        assert [s for _d, s in _plan(taper_db)[2]] == ["done", "current", "planned", "planned"]
        await pilot.press("p")
        await settle(pilot)
        live = screen.plan.live_step if screen.plan else None
        assert live is not None and (live.order, live.dose_mg) == (2, 37.5)  # not the undone 50 mg
        await pilot.press("v")
        await settle(pilot)
        text = _modal_text(app)
        assert "25 mg a day" in text and "2026-11-27" in text
        await _type_reason(app, pilot, "as agreed")
    assert _plan(taper_db)[2] == [(50, "done"), (37.5, "done"), (25, "current"), (0, "planned")]


async def test_advance_is_refused_when_the_plan_changed_after_the_dialog_opened(
    taper_db: Path,
) -> None:
    plan_id = _running_plan(taper_db)
    app = TrackerApp(taper_db, clock=_clock, watch_interval=3600)  # only the refusal can save it
    async with app.run_test(size=(120, 40)) as pilot:
        await _taper(app, pilot)
        await pilot.press("v")
        await settle(pilot)
        assert "25 mg a day" in _modal_text(app)
        db = open_database(taper_db)  # the command line, in another terminal
        with db.write() as s:
            svc.hold_plan(
                session=s, plan_id=plan_id, reason="not yet", now=NOW, tz=settings.user_zone(session=s)
            )
        db.close()
        await _type_reason(app, pilot, "as agreed")
        assert any("changed since it was shown" in n.message for n in app._notifications)
    status, _who, steps = _plan(taper_db)
    assert status == "held" and steps[1] == (37.5, "held") and steps[2] == (25, "planned")


async def test_a_change_from_the_command_line_shows_without_a_key(taper_db: Path) -> None:
    plan_id = _running_plan(taper_db)
    app = TrackerApp(taper_db, clock=_clock, watch_interval=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _taper(app, pilot)
        assert "ACTIVE" in str(screen.query_one("#plan-summary", Static).render())
        db = open_database(taper_db)
        with db.write() as s:
            svc.hold_plan(
                session=s, plan_id=plan_id, reason="not yet", now=NOW, tz=settings.user_zone(session=s)
            )
        db.close()
        for _ in range(200):  # the watcher looks every 0.05 s; wait for what it shows, not a time
            await pilot.pause(0.02)
            await settle(pilot)
            if "HELD" in str(screen.query_one("#plan-summary", Static).render()):
                break
        assert "HELD" in str(screen.query_one("#plan-summary", Static).render())


async def test_step_back_on_the_first_step_refuses_before_asking_a_reason(taper_db: Path) -> None:
    plan_id = _save_draft(taper_db, BEGAN)
    db = open_database(taper_db)
    with db.write() as s:
        zone = settings.user_zone(session=s)
        svc.agree_plan(
            session=s, plan_id=plan_id, prescriber="Dr Rao", agreed_on=BEGAN.date(), now=BEGAN, tz=zone
        )
        svc.start_plan(session=s, plan_id=plan_id, now=BEGAN, tz=zone)
    db.close()
    app = TrackerApp(taper_db, clock=_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _taper(app, pilot)
        await pilot.press("b")
        await settle(pilot)
        assert app.screen is screen  # no reason asked
        assert any("no earlier dose" in n.message for n in app._notifications)
    assert _plan(taper_db)[2][0] == (50, "current")


async def test_starting_a_plan_while_another_runs_asks_and_says_what_happens(taper_db: Path) -> None:
    running = _running_plan(taper_db)
    second = _save_draft(taper_db)
    db = open_database(taper_db)
    with db.write() as s:
        zone = settings.user_zone(session=s)
        svc.agree_plan(session=s, plan_id=second, prescriber="Dr Rao", agreed_on=NOW.date(), now=NOW, tz=zone)
    db.close()
    app = TrackerApp(taper_db, clock=_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _taper(app, pilot)
        screen.plan_id = second
        screen._show_plan()
        screen._sync_bindings()
        await pilot.press("g")
        await settle(pilot)
        text = _modal_text(app)
        assert f"Plan {running} (step 2, 37.5 mg a day) is running" in text
        assert "abandoned" in text and "kept in your history" in text
        await pilot.press("escape")  # changing one's mind leaves both as they were
        await settle(pilot)
    db = open_database(taper_db)
    with db.read() as s:
        assert svc.get_plan(session=s, plan_id=running).status == "active"
        assert svc.get_plan(session=s, plan_id=second).status == "agreed"
    db.close()


async def test_a_past_day_shows_the_step_in_force_that_day(taper_db: Path) -> None:
    from datetime import date

    from tracker.ui.screens.today import TodayScreen

    _running_plan(taper_db)  # 50 mg from 28 Oct, 37.5 mg from today (27 Nov)
    app = TrackerApp(taper_db, clock=_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        today = app.screen
        assert isinstance(today, TodayScreen)
        assert "step 2 of 4: 37.5 mg a day" in str(today.query_one("#taper-step", Static).render())
        today.go_to(date(2026, 11, 1))
        await settle(pilot)
        line = str(today.query_one("#taper-step", Static).render())
        assert "step 1 of 4: 50 mg a day, day 5" in line  # 28 Oct is day 1
        today.go_to(date(2026, 10, 1))  # before the plan began: no step
        await settle(pilot)
        assert not today.query_one("#taper-step", Static).display


def test_yesterday_in_a_dose_time_counts_from_the_day_on_screen() -> None:
    from datetime import date
    from zoneinfo import ZoneInfo

    from tracker.ui.screens.today_data import parse_dose_time

    shown = date(2026, 10, 1)
    at = parse_dose_time("yesterday 20:00", day=shown, now=NOW, tz=ZoneInfo("Europe/London"))
    assert at == datetime(2026, 9, 30, 19, 0, tzinfo=UTC)  # 20:00 BST on 30 September
    at = parse_dose_time("today 08:00", day=shown, now=NOW, tz=ZoneInfo("Europe/London"))
    assert at == datetime(2026, 10, 1, 7, 0, tzinfo=UTC)
