"""Pilot tests of the Trends screen on the demo history (fixed day, zone and clock).

The demo (tracker.services.demo) ends on Saturday 28 November 2026 in Europe/London:
182 days from 31 May, sertraline 100 -> 75 (19 Jul) -> 50 (6 Sep) -> 37.5 mg (1 Nov),
a hold from 16 Oct to 1 Nov. The clock is frozen at 09:30 on the last day.
"""

from __future__ import annotations

import io
import shutil
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from rich.console import Console
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import SelectionList, Static

from tracker.db import open_database
from tracker.domain.trends import DoseChangeKind, TrendRange
from tracker.services.demo import demo_now, generate_demo
from tracker.ui import app as app_module
from tracker.ui.app import TrackerApp
from tracker.ui.screens.trends import (
    HeatMaps,
    SymptomPicker,
    TimelinePlot,
    TrendsReady,
    TrendsScreen,
    heat_lines,
)

LONDON = ZoneInfo("Europe/London")
DEMO_TODAY = date(2026, 11, 28)
NOW = demo_now(DEMO_TODAY, LONDON)


def write_demo(path: Path) -> None:
    """The demo history ending DEMO_TODAY (it sets first_run_done and the disclaimer itself)."""
    db = open_database(path, create_dir=True)
    with db.write(audit=False) as session:
        generate_demo(session=session, today=DEMO_TODAY, tz=LONDON)
    db.close()


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    write_demo(path)
    return path


@pytest.fixture
def demo_path(_demo_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "trends" / "demo.db"
    target.parent.mkdir()
    shutil.copy(_demo_template, target)
    return target


class TrendsFirstApp(TrackerApp):
    """The app opening on Trends, so Today's own start-up never races with these tests."""

    DEFAULT_MODE = "trends"
    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))  # relative paths follow the subclass


def trends_app(path: Path) -> TrackerApp:
    return TrendsFirstApp(path, clock=lambda: NOW)


async def wait_ready(pilot: Pilot[None]) -> TrendsScreen:
    """Wait (no fixed sleep) until the Trends screen has drawn its latest data."""
    for _ in range(200):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = pilot.app.screen
        if isinstance(screen, TrendsScreen) and screen.ready:
            return screen
    raise AssertionError("the Trends screen never became ready")


def text_of(screen: TrendsScreen, selector: str) -> str:
    """The plain text a Static shows (Rich renderables printed without colour, wide enough not to wrap)."""
    console = Console(width=400, color_system=None, record=True, file=io.StringIO())
    console.print(screen.query_one(selector, Static).content)
    return console.export_text()


def title(screen: TrendsScreen) -> str:
    return text_of(screen, "#trends-title")


async def test_opens_on_90_days_with_the_demo_numbers(demo_path: Path) -> None:
    ready: list[TrendsReady] = []

    def hook(message: Message) -> None:
        # The hook sees a message at each node it reaches (the screen, then the app): count it once.
        if isinstance(message, TrendsReady) and all(m is not message for m in ready):
            ready.append(message)

    app = trends_app(demo_path)
    async with app.run_test(size=(100, 40), message_hook=hook) as pilot:
        screen = await wait_ready(pilot)
        data = screen.data
        assert data is not None
        # 90 days ending Saturday 28 November: from Monday 31 August.
        assert (data.span.start, data.span.end) == (date(2026, 8, 31), DEMO_TODAY)
        assert title(screen).startswith("90 days: 31 Aug 2026 to 28 Nov 2026 (90 days, 89 with symptoms)")
        assert [(c.change.day, c.change.kind) for c in data.changes] == [
            (date(2026, 9, 6), DoseChangeKind.REDUCTION),
            (date(2026, 11, 1), DoseChangeKind.REDUCTION),
        ]
        assert [(m.day, m.label) for m in data.marks] == [
            (date(2026, 10, 16), "hold"),
            (date(2026, 11, 1), "resumed"),
        ]
        changes = text_of(screen, "#changes")
        assert "6 Sep 2026  Sertraline 75 mg -> 50 mg a day (reduction)" in changes
        assert "do not say what caused your symptoms" in changes
        assert [(m.range_kind, m.symptoms) for m in ready] == [(TrendRange.DAYS_90, data.chosen_keys)]


async def test_keys_change_the_range(demo_path: Path) -> None:
    app = trends_app(demo_path)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("1")
        screen = await wait_ready(pilot)
        assert screen.data is not None and screen.data.range_kind is TrendRange.DAYS_30
        assert (screen.data.span.start, screen.data.span.days) == (date(2026, 10, 30), 30)
        assert title(screen).startswith("30 days: 30 Oct 2026 to 28 Nov 2026")
        await pilot.press("4")
        screen = await wait_ready(pilot)
        assert screen.data is not None
        # Everything: from the demo's first day, 182 days before and including today.
        assert (screen.data.span.start, screen.data.span.days) == (date(2026, 5, 31), 182)
        assert len(screen.data.changes) == 4  # the start and three reductions
        adherence = text_of(screen, "#adherence-summary")
        # Demo: doses missed on days 23, 61 and 62 (31 Jul, 1 Aug), skipped on day 117, today pending.
        assert "177 of 181 scheduled doses taken (98%)" in adherence
        assert "1 skipped (1%); 3 missed (2%)" in adherence
        assert "Longest runs of missed doses in a row: 2 of Sertraline (31 Jul to 1 Aug)" in adherence
        await pilot.press("3")
        screen = await wait_ready(pilot)
        assert screen.data is not None and screen.data.span.days == 365


async def test_choose_symptoms_in_the_modal(demo_path: Path) -> None:
    app = trends_app(demo_path)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await wait_ready(pilot)
        assert screen.data is not None
        first_keys = screen.data.chosen_keys
        assert len(first_keys) == 3
        await pilot.press("y")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, SymptomPicker)
        selection = picker.query_one(SelectionList)
        assert tuple(selection.selected) == first_keys
        # Untick everything, then tick brain zaps and dizziness with the keyboard.
        selection.deselect_all()
        keys = [str(selection.get_option_at_index(i).value) for i in range(selection.option_count)]
        for wanted in ("dizziness", "brain-zaps"):
            selection.highlighted = keys.index(wanted)
            await pilot.press("space")
        await pilot.press("a")
        screen = await wait_ready(pilot)
        assert screen.data is not None
        # Shown in the order of the list (heaviest in the range first).
        assert screen.data.chosen_keys == ("brain-zaps", "dizziness")
        assert [h.name for h in screen.data.symptoms] == ["Brain zaps", "Dizziness or vertigo"]
        # The choice holds when the range changes; escape leaves it unchanged.
        await pilot.press("1")
        screen = await wait_ready(pilot)
        assert screen.data is not None and screen.data.chosen_keys == ("brain-zaps", "dizziness")
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, SymptomPicker)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and screen.ready


async def test_small_terminal_scrolls_only_vertically_and_charts_follow_resizes(demo_path: Path) -> None:
    app = trends_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_ready(pilot)
        await pilot.press("4")
        screen = await wait_ready(pilot)
        body = screen.query_one("#trends-body")
        assert body.max_scroll_x == 0
        assert body.max_scroll_y > 0
        plot = screen.query_one(TimelinePlot)
        narrow = plot.size.width
        lines = plot.render().plain.splitlines()  # type: ignore[union-attr]
        assert max(len(line) for line in lines) == narrow
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        wide = plot.size.width
        assert wide > narrow
        lines = plot.render().plain.splitlines()  # type: ignore[union-attr]
        assert max(len(line) for line in lines) == wide
        assert body.max_scroll_x == 0
        # The heat maps wrap their weeks to the width: no line wider than the widget.
        heat = screen.query_one(HeatMaps)
        assert screen.data is not None
        for symptom in screen.data.symptoms:
            widths = [len(line.plain) for line in heat_lines(symptom.heat, heat.size.width)]
            assert max(widths) <= heat.size.width


def test_heat_cells_tell_unlogged_from_zero() -> None:
    from tracker.domain.trends import heat_map

    grid = heat_map({date(2026, 3, 2): 0, date(2026, 3, 3): 3}, date(2026, 3, 2), date(2026, 3, 4))
    lines = [line.plain for line in heat_lines(grid, 20)]
    # One week, cell width 3: Monday a logged 0, Tuesday severe, Wednesday not logged, Thursday on: outside.
    assert lines[0] == "   Mar"
    assert lines[1] == "Mo ░░░"
    assert lines[2] == "Tu ███"
    assert lines[3] == "We  · "
    assert lines[4] == "Th    "


async def test_an_empty_database_shows_the_screen_without_data(tmp_path: Path) -> None:
    path = tmp_path / "empty" / "tracker.db"
    db = open_database(path, create_dir=True)
    with db.write() as session:
        from tracker.services.settings import set_setting

        set_setting(session=session, key="first_run_done", value=True)
        set_setting(session=session, key="disclaimer_acknowledged", value=True)
    db.close()
    app = trends_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_ready(pilot)
        assert text_of(screen, "#timeline-legend").strip() == "Nothing logged in this range yet."
        assert "No change of prescribed dose" in text_of(screen, "#changes")
        assert "No scheduled doses" in text_of(screen, "#adherence-summary")
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is screen  # nothing to choose: a notification, no modal


async def test_the_app_key_opens_trends(demo_path: Path) -> None:
    app = TrackerApp(demo_path, clock=lambda: NOW)
    async with app.run_test(size=(100, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        bindings = {b.id: b for b in TrackerApp.BINDINGS if not isinstance(b, tuple)}
        assert bindings["go-trends"].key == "r"
        await app.switch_mode("trends")
        screen = await wait_ready(pilot)
        assert screen.data is not None and screen.data.range_kind is TrendRange.DAYS_90
