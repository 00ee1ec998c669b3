"""The app as a whole: start-up, theme, help, command palette, layout, errors."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path
from typing import Any

from tracker.services import settings
from tracker.ui.app import TrackerApp
from tracker.ui.commands import BindingCommands, bound_commands
from tracker.ui.screens.help import HelpScreen, key_rows
from tracker.ui.screens.today import TodayScreen, day_title
from tracker.ui.widgets.dose_list import DoseList
from tracker.ui.widgets.footer import KeyFooter, KeyLine, pack_rows
from tracker.ui.widgets.modals import PromptModal
from tracker.ui.widgets.rows import DoseRow, SymptomRow, dose_line, next_comparison, symptom_sections


async def test_first_paint_comes_before_the_database(seeded_path: Path, clock: Any, settle: Any) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        # composed at once; the data arrives from a worker
        assert isinstance(app.screen, TodayScreen)
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen) and app.screen.data is not None


async def test_theme_is_applied_on_start_and_remembered(
    seeded_path: Path, clock: Any, settle: Any, open_db: Any
) -> None:
    with open_db(seeded_path).write() as session:
        settings.set_setting(session=session, key="theme", value="high-contrast")
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "high-contrast"
        app.theme = "taper-light"
        await settle(pilot)
    with open_db(seeded_path).read() as session:
        assert settings.get_setting(session=session, key="theme") == "taper-light"


async def test_not_a_database_is_a_notification(tmp_path: Path, clock: Any, settle: Any) -> None:
    path = tmp_path / "notes.db"
    path.write_text("shopping list: milk, bread\n")
    app = TrackerApp(path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = [n.title for n in app._notifications]
        assert "Cannot open the database" in titles
        [opened] = [n for n in app._notifications if n.title == "Cannot open the database"]
        assert opened.message.startswith(str(path))
        assert "not a taper-tracker database" in opened.message
        assert isinstance(app.screen, TodayScreen)
        assert str(app.screen.query_one("#date-title").render()) == "Nothing loaded"
        assert "no database is open" in str(app.screen.query_one("#status").render())
        await pilot.press("o")  # greyed out: nothing happens, nothing crashes
        await pilot.press("left_square_bracket", "question_mark")
        await settle(pilot)
        assert app.current_mode == "help"
    assert path.read_text() == "shopping list: milk, bread\n"


async def test_help_lists_every_key_from_the_bindings(seeded_path: Path, clock: Any, settle: Any) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(str(s.render()) for s in app.screen.query(".help-text"))
        for binding in (*DoseList.BINDINGS, *TodayScreen.BINDINGS):
            assert binding.tooltip in text  # type: ignore[union-attr]
        assert "⏎ / space" in text
        assert "Lancet Psychiatry 2019;6:538-46" in text
        assert "not medical advice" in str(app.screen.query_one("#help-disclaimer").render())
        await pilot.press("t")
        assert isinstance(app.screen, TodayScreen)


def test_key_rows_join_the_keys_of_one_action() -> None:
    rows = key_rows(DoseList.BINDINGS, lambda b: b.key)
    assert rows[0] == (
        "enter / space",
        "Taken",
        "Mark the highlighted dose taken (now; on a past day at its scheduled time)",
    )
    assert len(rows) == 5


async def test_palette_offers_the_screen_keys_and_runs_them(
    seeded_path: Path, clock: Any, settle: Any
) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        nodes = [*screen.query(DoseList), screen, app]
        titles = {c.title: c.help for c in bound_commands(nodes, app.get_key_display)}
        assert titles["Set the mood of the day (0-10)"] == "key o · Today"
        assert titles[
            "Mark the highlighted dose taken (now; on a past day at its scheduled time)"
        ].startswith("key ⏎ · Today")
        assert titles["Go to Medications"] == "key m · everywhere"
        assert "Go to Today: doses and the check-in of a day" not in titles  # already on Today
        assert BindingCommands in {p() if not isinstance(p, type) else p for p in app.COMMANDS}
        await pilot.press("ctrl+p")
        for ch in "mood":
            await pilot.press(ch)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PromptModal)


async def test_today_fits_80_columns(seeded_path: Path, clock: Any, settle: Any) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert "-narrow" in screen.classes
        for widget in screen.query("*"):
            if widget.display and widget.region.width:
                assert widget.region.right <= 80, widget
                assert not widget.show_horizontal_scrollbar, widget
        footer = screen.query_one(KeyFooter)
        # at most four lines at the bottom (Today's z Snooze, issue 14, took the fourth at 80 columns)
        assert footer.region.y >= 20 and footer.region.bottom == 24
        assert "q" in {key.key for _row, _col, key in footer.shown_keys()}


async def test_every_screen_shows_all_its_keys_at_80x24(seeded_path: Path, clock: Any, settle: Any) -> None:
    """No footer key is scrolled out of sight: every shown binding is on screen, Quit included."""
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for mode in app.MODES:
            await app.switch_mode(mode)
            await settle(pilot)
            screen = app.screen
            footer = screen.query_one(KeyFooter)
            keys = [key for _row, _col, key in footer.shown_keys()]
            # one key per action: alternatives such as "A,ctrl+a" show once
            shown = {b.action for _n, b, _e, _t in screen.active_bindings.values() if b.show}
            assert shown <= {k.action for k in keys}, (mode, shown - {k.action for k in keys})
            lines = list(footer.query(KeyLine))
            assert all(line.region.right <= 80 and line.region.bottom <= 24 for line in lines), mode
            # every key ends inside its line: nothing is cut off or scrolled out of sight
            ends = [end for line in lines for _start, end, _index, _key in line.key_spans()]
            assert max(ends) <= 80, mode
            assert "q" in {k.key for k in keys}, mode


async def test_wide_terminal_puts_symptoms_beside_doses(seeded_path: Path, clock: Any, settle: Any) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert "-wide" in screen.classes
        doses, symptoms = screen.query_one("#doses-panel"), screen.query_one("#symptoms-panel")
        assert doses.region.right <= symptoms.region.x
        assert doses.region.y == symptoms.region.y


def test_pack_rows_fills_lines_in_order() -> None:
    assert pack_rows([10, 10, 10, 30], 34) == [[0, 1, 2], [3]]
    assert pack_rows([10, 10, 10, 30], 33) == [[0, 1], [2], [3]]
    assert pack_rows([10, 10], 22) == [[0, 1]]
    assert pack_rows([50], 40) == [[0]]


def test_symptom_sections_recent_first_then_groups_on_request() -> None:
    rows = [
        SymptomRow(1, "Fatigue", "Flu-like"),
        SymptomRow(2, "Nausea", "Nausea"),
        SymptomRow(3, "Brain zaps", "Sensory", severity=2),
        SymptomRow(4, "Headache", "Flu-like", severity=0),
    ]
    compact = symptom_sections(rows, [2], show_all=False)
    assert [(t, [r.name for r in m]) for t, m in compact] == [
        ("Used recently", ["Nausea"]),
        ("Also logged on this day", ["Brain zaps", "Headache"]),
    ]
    full = symptom_sections(rows, [2], show_all=True)
    assert [(t, [r.name for r in m]) for t, m in full] == [
        ("Used recently", ["Nausea"]),
        ("F · Flu-like", ["Fatigue", "Headache"]),
        ("S · Sensory disturbances", ["Brain zaps"]),
    ]
    first_title, _members = symptom_sections(rows, [], show_all=False)[0]
    assert first_title == "F · Flu-like"


def test_comparison_cycles() -> None:
    assert [next_comparison(c) for c in (None, "new", "worse", "same", "better")] == [
        "new",
        "worse",
        "same",
        "better",
        "new",
    ]


def test_dose_line_shows_a_changed_amount() -> None:
    row = DoseRow(
        1,
        "Sertraline",
        50.0,
        "taken",
        local_time=time(8),
        scheduled_for=None,
        taken_local=time(8, 5),
        amount_mg=25.0,
    )
    assert row.is_extra
    slot = DoseRow(
        1,
        "Sertraline",
        50.0,
        "taken",
        local_time=time(8),
        event_id=3,
        taken_local=time(8, 5),
        amount_mg=25.0,
        scheduled_for=__import__("datetime").datetime(2026, 11, 27, 8),
    )
    assert dose_line(slot).plain == "08:00  Sertraline 50 mg            ✓ taken 08:05 (25 mg)"


def test_day_title() -> None:
    today = date(2026, 11, 27)
    assert day_title(today, today) == "Friday 27 November 2026 · today"
    assert (
        day_title(date(2026, 11, 20), today) == "Friday 20 November 2026 · 7 days ago (filling in a past day)"
    )


def test_week_lines_mark_the_day_shown_and_gaps() -> None:
    from zoneinfo import ZoneInfo

    from tracker.ui.screens.today_data import DayData, WeekDay, week_lines

    day = date(2026, 11, 27)
    data = DayData(
        seq=1,
        day=day,
        today=day,
        tz=ZoneInfo("UTC"),
        week=(WeekDay(day, 1, 2, 5, 6, 7.5), WeekDay(date(2026, 11, 26), 0, 0, None, None, None)),
    )
    assert week_lines(data) == [
        "Last 7 days     doses  burden  mood  sleep",
        "▸ Fri 27 Nov      1/2       5     6    7.5",
        "  Thu 26 Nov        –       –     –      –",
    ]


async def test_a_failed_daily_backup_is_a_warning_and_today_still_loads(
    seeded_path: Path, clock: Any, settle: Any, monkeypatch: Any
) -> None:
    from tracker import backups

    def full_disk(_path: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backups, "daily_backup_if_due", full_disk)
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        [warning] = [n for n in app._notifications if n.title == "Backup"]
        assert warning.message == "today's automatic backup could not be made (No space left on device)"
        assert isinstance(app.screen, TodayScreen) and app.screen.data is not None


async def test_a_damaged_database_found_by_the_daily_backup_is_refused(
    seeded_path: Path, clock: Any, settle: Any, monkeypatch: Any
) -> None:
    from tracker import backups
    from tracker.domain.errors import DatabaseDamagedError

    def damaged(_path: Path) -> None:
        raise DatabaseDamagedError("integrity check failed")

    monkeypatch.setattr(backups, "daily_backup_if_due", damaged)
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        [refused] = [n for n in app._notifications if n.title == "Cannot open the database"]
        assert "it failed its integrity check" in refused.message and "left untouched" in refused.message
        assert str(app.screen.query_one("#date-title").render()) == "Nothing loaded"


async def test_an_old_schema_is_upgraded_on_open_then_today_loads(
    tmp_path: Path, clock: Any, settle: Any
) -> None:
    """A database that needs an upgrade cannot be read light: the app opens it in full first."""
    import shutil
    import sqlite3

    from tracker.migrations import HEAD

    path = tmp_path / "old.db"
    shutil.copy(Path(__file__).parents[1] / "fixtures" / "schema_0001_initial.db", path)
    app = TrackerApp(path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen) and app.screen.data is not None
        assert not [n for n in app._notifications if n.severity == "error"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD,)


def test_breakpoint_classes_match_textuals_rule() -> None:
    from tracker.ui.screens.today import breakpoint_classes

    points = TodayScreen.HORIZONTAL_BREAKPOINTS or []
    assert breakpoint_classes(80, points) == {"-narrow"}
    assert breakpoint_classes(109, points) == {"-narrow"}
    assert breakpoint_classes(110, points) == {"-wide"}
    assert breakpoint_classes(5, [(10, "-x")]) == set()


async def test_a_footer_key_works_with_the_mouse(seeded_path: Path, clock: Any, settle: Any) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(KeyFooter)
        lines = list(footer.query(KeyLine))
        row, col, meds = next((r, c, k) for r, c, k in footer.shown_keys() if k.key == "m")
        await pilot.hover(lines[row], offset=(col + 2, 0))  # over its description
        assert lines[row].tooltip == meds.tooltip == "Go to Medications"
        await pilot.click(lines[row], offset=(col, 0))
        await settle(pilot)
        assert app.current_mode == "medications"


async def test_a_greyed_footer_key_does_nothing_when_clicked(
    seeded_path: Path, clock: Any, settle: Any
) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        screen.data = None  # as while the day loads: the mood key is greyed
        screen.refresh_bindings()
        await settle(pilot)
        footer = screen.query_one(KeyFooter)
        row, col, mood = next((r, c, k) for r, c, k in footer.shown_keys() if k.key == "o")
        assert not mood.enabled
        await pilot.click(list(footer.query(KeyLine))[row], offset=(col, 0))
        await settle(pilot)
        assert app.screen is screen  # no mood dialog opened
