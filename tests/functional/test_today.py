"""Pilot tests of Today: doses, symptom ratings, check-in, moving between days.

Every assertion reads the database, so the tests prove what was saved, not
only what the screen shows. Times: the clock is frozen at 27 Nov 2026 12:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from tracker.models import CheckIn, DoseEvent, SymptomEntry
from tracker.ui.app import TrackerApp
from tracker.ui.screens.today import TodayScreen
from tracker.ui.widgets.dose_list import DoseList
from tracker.ui.widgets.symptom_list import SymptomList

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


def _utc(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def doses(open_db: Any, path: Path) -> list[DoseEvent]:
    with open_db(path).read() as session:
        return list(session.exec(select(DoseEvent).order_by(col(DoseEvent.scheduled_for))).all())


def ratings(open_db: Any, path: Path, day: Any) -> dict[str, int]:
    with open_db(path).read() as session:
        rows = session.exec(select(SymptomEntry).where(SymptomEntry.day == day)).all()
        return {r.symptom_name: r.severity for r in rows}


def status_text(app: TrackerApp) -> str:
    return str(app.screen.query_one("#status").render())


async def test_today_opens_on_the_due_dose(seeded_path: Path, clock: Any, settle: Any) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        assert str(screen.query_one("#date-title").render()) == "Friday 27 November 2026 · today"
        dose_list = screen.query_one(DoseList)
        assert [
            (r.local_time.strftime("%H:%M") if r.local_time else None, r.status) for r in dose_list.rows
        ] == [
            ("08:00", "due"),
            ("20:00", "upcoming"),
        ]
        assert app.focused is dose_list
        assert dose_list.current is not None and dose_list.current.status == "due"


async def test_enter_marks_the_dose_taken_now(
    seeded_path: Path, clock: Any, settle: Any, open_db: Any
) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "Sertraline 08:00 marked taken at 12:00" in status_text(app)
    [event] = doses(open_db, seeded_path)
    assert (event.status, event.amount_mg) == ("taken", 50.0)
    assert _utc(event.scheduled_for) == datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    assert _utc(event.taken_at) == NOW


async def test_the_first_change_says_saving_while_the_database_library_loads(
    seeded_path: Path, clock: Any, settle: Any, monkeypatch: Any
) -> None:
    import threading

    import tracker.db

    loaded = threading.Event()  # the library "loads" until the test says so
    real_open = tracker.db.open_database

    def slow_open(*args: Any, **kwargs: Any) -> Any:
        loaded.wait(30)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(tracker.db, "open_database", slow_open)
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not app.orm_open  # Today was read without the ORM
        await pilot.press("enter")
        assert status_text(app) == "Saving…"
        loaded.set()
        await settle(pilot)
        assert app.orm_open and "marked taken" in status_text(app)
        await pilot.press("x")  # later changes need no notice: the status only says what was saved
        assert "Saving" not in status_text(app)
        await settle(pilot)


async def test_x_marks_the_dose_skipped(seeded_path: Path, clock: Any, settle: Any, open_db: Any) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "x")  # the 20:00 dose
        await settle(pilot)
        assert app.screen.query_one(DoseList).rows[1].status == "skipped"
    [event] = doses(open_db, seeded_path)
    assert event.status == "skipped"
    assert event.taken_at is None
    assert _utc(event.scheduled_for) == datetime(2026, 11, 27, 20, 0, tzinfo=UTC)


async def test_edit_amount_and_time_in_the_dialog(
    seeded_path: Path, clock: Any, settle: Any, open_db: Any, type_text: Any
) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await type_text(pilot, "half tablet")  # the field starts selected, so typing replaces it
        await pilot.press("tab")
        await type_text(pilot, "09:30")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    [event] = doses(open_db, seeded_path)
    assert (event.status, event.amount_mg) == ("taken", 25.0)
    assert _utc(event.taken_at) == datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


async def test_dose_dialog_refuses_a_future_time(
    seeded_path: Path, clock: Any, settle: Any, open_db: Any, type_text: Any
) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e", "tab")
        await type_text(pilot, "13:30")
        await pilot.press("enter")
        await settle(pilot)
        assert str(app.screen.query_one("#dose-when-error").render()) == "Time '13:30' is in the future."
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    assert doses(open_db, seeded_path) == []


async def test_all_due_marks_only_doses_whose_time_has_come(
    seeded_path: Path, clock: Any, settle: Any, open_db: Any
) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("A")
        await settle(pilot)
    [event] = doses(open_db, seeded_path)
    assert _utc(event.taken_at) == datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


async def test_three_severities_with_digits(seeded_path: Path, clock: Any, settle: Any, open_db: Any) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("tab")
        assert isinstance(app.focused, SymptomList)
        await pilot.press("1", "down", "2", "down", "3")
        await settle(pilot)
        assert "Nausea: 3 severe" in status_text(app)
    assert ratings(open_db, seeded_path, TODAY) == {"Brain zaps": 1, "Insomnia": 2, "Nausea": 3}


async def test_comparison_and_clear(seeded_path: Path, clock: Any, settle: Any, open_db: Any) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "2", "b", "b")
        await settle(pilot)
        with open_db(seeded_path).read() as session:
            entry = session.exec(select(SymptomEntry).where(SymptomEntry.day == TODAY)).one()
            assert (entry.symptom_name, entry.severity, entry.comparison) == ("Brain zaps", 2, "worse")
        await pilot.press("delete")
        await settle(pilot)
    assert ratings(open_db, seeded_path, TODAY) == {}


async def test_backfill_yesterday_and_never_the_future(
    seeded_path: Path, clock: Any, settle: Any, open_db: Any
) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        title = str(app.screen.query_one("#date-title").render())
        assert title.startswith("Thursday 26 November 2026 · yesterday")
        await pilot.press("tab", "3")  # Brain zaps, rated 1 yesterday in the dataset
        await settle(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert str(app.screen.query_one("#date-title").render()) == "Friday 27 November 2026 · today"
        assert "cannot be made for the future" in status_text(app)
    yesterday = TODAY - timedelta(days=1)
    assert ratings(open_db, seeded_path, yesterday) == {"Brain zaps": 3, "Insomnia": 1, "Nausea": 1}
    assert ratings(open_db, seeded_path, TODAY) == {}


async def test_past_day_dose_is_taken_at_its_scheduled_time(
    seeded_path: Path, clock: Any, settle: Any, open_db: Any
) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        await pilot.press("down", "enter")  # the dose list keeps the focus: yesterday's 20:00
        await settle(pilot)
    [event] = doses(open_db, seeded_path)
    assert _utc(event.taken_at) == datetime(2026, 11, 26, 20, 0, tzinfo=UTC)


async def test_go_to_date_dialog(seeded_path: Path, clock: Any, settle: Any, type_text: Any) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await type_text(pilot, "2026-12-01")
        await pilot.press("enter")
        await pilot.pause()
        assert str(app.screen.query_one("#prompt-error").render()) == "Date 2026-12-01 is in the future."
        await pilot.press(*["backspace"] * 10)
        await type_text(pilot, "-3")
        await pilot.press("enter")
        await settle(pilot)
        assert str(app.screen.query_one("#date-title").render()).startswith(
            "Tuesday 24 November 2026 · 3 days ago"
        )


async def test_mood_sleep_and_note(
    seeded_path: Path, clock: Any, settle: Any, open_db: Any, type_text: Any
) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await type_text(pilot, "11")
        await pilot.press("enter")
        await pilot.pause()
        assert str(app.screen.query_one("#prompt-error").render()) == "Mood 11 is outside 0-10."
        await pilot.press("backspace")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("l")
        await type_text(pilot, "6.5")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("n")
        await type_text(pilot, "slept badly")
        await pilot.press("enter")
        await settle(pilot)
        assert "Note saved" in status_text(app)
    with open_db(seeded_path).read() as session:
        checkin = session.exec(select(CheckIn).where(CheckIn.day == TODAY)).one()
        assert (checkin.mood, checkin.sleep_hours, checkin.note) == (1, 6.5, "slept badly")


async def test_low_mood_shows_the_crisis_text(
    seeded_path: Path, clock: Any, settle: Any, type_text: Any
) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("o", "1", "enter")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any(m.startswith("If you are in danger") for m in messages)


async def test_a_service_error_is_a_notification_not_a_crash(
    seeded_path: Path, clock: Any, settle: Any, open_db: Any, monkeypatch: Any
) -> None:
    from sqlalchemy.exc import OperationalError

    from tracker.services import doses as doses_service

    def broken(**_kwargs: Any) -> Any:
        raise OperationalError("INSERT", {}, Exception("database or disk is full"))

    monkeypatch.setattr(doses_service, "log_dose", broken)
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        [note] = list(app._notifications)
        assert note.title == "Not saved"
        assert note.message == "the disk is full; nothing was saved and earlier entries are intact"
        assert isinstance(app.screen, TodayScreen)
        await pilot.press("tab", "1")  # the app still works
        await settle(pilot)
    assert doses(open_db, seeded_path) == []
    assert ratings(open_db, seeded_path, TODAY) == {"Brain zaps": 1}


async def test_undo_reverts_the_last_change(seeded_path: Path, clock: Any, settle: Any, open_db: Any) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert "Undone: removed a dose" in status_text(app)
        assert app.screen.query_one(DoseList).rows[0].status == "due"
    assert doses(open_db, seeded_path) == []


async def test_reminders_dialog_dismisses_one(
    seeded_path: Path, clock: Any, settle: Any, open_db: Any
) -> None:
    from tracker.models import ReminderState
    from tracker.ui.widgets.reminders import RemindersModal

    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TodayScreen) and screen.data is not None
        before = [r.key for r in screen.data.reminders]
        assert any(k.startswith("R9") for k in before)  # doses of today not logged yet
        await pilot.press("i")
        assert isinstance(app.screen, RemindersModal)
        first = app.screen.reminders[0]
        await pilot.press("d")
        await settle(pilot)
        assert app.screen is screen and screen.data is not None
        assert [r.key for r in screen.data.reminders] == [k for k in before if k != first.key]
        assert "Dismissed" in status_text(app)
    with open_db(seeded_path).read() as session:
        state = session.get(ReminderState, first.key)
        assert state is not None and (state.dismissed or state.snoozed_until is not None)


async def test_a_dismissed_urgent_reminder_comes_back_when_it_gets_worse(
    seeded_path: Path, clock: Any, settle: Any, open_db: Any
) -> None:
    """Dismiss the crisis reminder on Today; a new entry written elsewhere brings it back at once."""
    from tracker.services import checkins, symptoms
    from tracker.ui.widgets.reminders import RemindersModal

    db = open_db(seeded_path)
    with db.write() as session:
        checkins.set_checkin(session=session, day=TODAY - timedelta(days=1), mood=1, now=NOW)
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TodayScreen) and screen.data is not None
        assert screen.data.reminders[0].rule == "R8"
        await pilot.press("i")
        assert isinstance(app.screen, RemindersModal)
        await pilot.press("d")  # the first one, urgent: quiet for 24 hours at most
        await settle(pilot)
        assert "R8" not in {r.rule for r in screen.data.reminders}
        assert "at most (sooner if it gets worse)" in status_text(app)
        with db.write() as session:  # another shell: `tracker log symptom self-harm-thoughts 1`
            harm = symptoms.find_symptom(session=session, name="self-harm-thoughts")
            symptoms.rate_symptom(session=session, symptom_id=harm.id or 0, day=TODAY, severity=1, now=NOW)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("t")  # back to Today: it reads the day again
        await settle(pilot)
        assert screen.data.reminders[0].rule == "R8"
        assert "thoughts of self-harm" in screen.data.reminders[0].message


def test_a_bare_time_belongs_to_the_day_shown() -> None:
    from zoneinfo import ZoneInfo

    import pytest

    from tracker.domain.errors import TrackerError
    from tracker.ui.screens.today_data import parse_dose_time

    utc, new_york = ZoneInfo("UTC"), ZoneInfo("America/New_York")
    yesterday = TODAY - timedelta(days=1)
    assert parse_dose_time("08:10", day=yesterday, now=NOW, tz=utc) == datetime(
        2026, 11, 26, 8, 10, tzinfo=UTC
    )
    assert parse_dose_time("yesterday 20:00", day=TODAY, now=NOW, tz=utc) == datetime(
        2026, 11, 26, 20, tzinfo=UTC
    )
    # 08:10 in New York (EST, UTC-5) is 13:10 UTC: after the frozen 12:00 UTC
    with pytest.raises(TrackerError, match="in the future"):
        parse_dose_time("08:10", day=TODAY, now=NOW, tz=new_york)
    assert parse_dose_time("06:30", day=TODAY, now=NOW, tz=new_york) == datetime(
        2026, 11, 27, 11, 30, tzinfo=UTC
    )


async def test_today_shows_the_current_taper_step_and_days_at_it(
    demo_db: Path, clock: Any, settle: Any
) -> None:
    """Issue 4: Today shows the running plan's step and how long the user has been at it."""
    from textual.widgets import Static

    app = TrackerApp(demo_db, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = str(app.screen.query_one("#taper-step", Static).render())
    assert "Sertraline step 3 of 6: 37.5 mg a day, day 28 (agreed minimum 42)" in shown


# -- first paint and the footer (issue 8) ---------------------------------------------------


async def test_database_after_the_first_frame_and_footer_keys_kept(
    seeded_path: Path, clock: Any, settle: Any
) -> None:
    """The database opens once the first frame is shown; the footer's lines are made again
    only when other keys are shown, and a key greyed or enabled is redrawn in place."""
    from textual import events, on

    from tracker.ui.widgets.footer import KeyFooter, KeyLine

    order: list[str] = []

    class Probe(TrackerApp):
        @on(events.Ready)
        def _noted(self) -> None:
            order.append("first frame")

        def _open_db(self) -> Any:
            order.append("database")
            return super()._open_db()

    def mood_enabled(screen: Any) -> bool:
        return next(k for _r, _c, k in screen.query_one(KeyFooter).shown_keys() if k.key == "o").enabled

    app = Probe(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert order == ["first frame", "database"]
        screen = app.screen
        assert isinstance(screen, TodayScreen) and screen.data is not None
        lines = list(screen.query(KeyLine))
        assert mood_enabled(screen)
        loaded, screen.data = screen.data, None  # as while the day loads
        assert screen.check_action("reminders", ()) is None  # greyed, not hidden, while loading
        screen.refresh_bindings()
        await settle(pilot)
        assert not mood_enabled(screen)
        assert list(screen.query(KeyLine)) == lines  # the same widgets: none made again
        screen.data = loaded
        screen.refresh_bindings()
        await settle(pilot)
        assert mood_enabled(screen)
        assert list(screen.query(KeyLine)) == lines
        await pilot.press("tab")  # the symptom list's keys replace the dose list's
        await settle(pilot)
        shown = {k.key for _r, _c, k in screen.query_one(KeyFooter).shown_keys()}
        assert "x" not in shown and {"1", "b"} <= shown
        assert lines[0] not in list(screen.query(KeyLine))


def test_importing_the_app_and_today_pulls_in_no_database_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys, tracker.ui.app, tracker.ui.screens.today\n"
        "heavy = ('sqlalchemy', 'sqlmodel', 'pydantic', 'alembic', 'tracker.models', 'tracker.db')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


async def test_back_from_another_screen_the_focus_goes_to_the_dose_now_due(
    tmp_path: Path, clock: Any, settle: Any, open_db: Any
) -> None:
    """Opened with no medication the focus is on the symptoms; once one is added, Enter takes it."""
    from datetime import date, time

    from tracker.services import meds, settings

    path = tmp_path / "empty.db"
    with open_db(path).write() as session:
        for key, value in (("timezone", "UTC"), ("first_run_done", True)):
            settings.set_setting(session=session, key=key, value=value)
    app = TrackerApp(path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.focused, SymptomList)  # nothing to take yet
        with open_db(path).write() as session:  # added meanwhile (the Medications screen, the CLI)
            med = meds.create_medication(session=session, name="Sertraline", strength_mg=50.0)
            meds.set_prescription(
                session=session,
                medication_id=med.id or 0,
                dose_mg=50.0,
                times=[time(8)],
                start_date=date(2026, 11, 1),
            )
        await app.switch_mode("medications")
        await settle(pilot)
        await app.switch_mode("today")
        await settle(pilot)
        assert isinstance(app.focused, DoseList)
        await pilot.press("enter")
        await settle(pilot)
    assert [e.status for e in doses(open_db, path)] == ["taken"]
