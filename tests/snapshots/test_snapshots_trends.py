"""Snapshots of the Trends screen on the demo history, at 80x24 and 120x40.

The demo ends on a fixed day in Europe/London and the app clock is frozen, so the
pictures only change when the screen does. Update with ``pytest --snapshot-update``
after checking the new pictures by eye.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from textual.pilot import Pilot

from tracker.db import open_database
from tracker.services.demo import demo_now, generate_demo
from tracker.ui import app as app_module
from tracker.ui.app import TrackerApp
from tracker.ui.screens.trends import TrendsScreen

LONDON = ZoneInfo("Europe/London")
DEMO_TODAY = date(2026, 11, 28)
NOW = demo_now(DEMO_TODAY, LONDON)


class TrendsFirstApp(TrackerApp):
    """The app opening on Trends (Today's start-up cannot push anything over it)."""

    DEFAULT_MODE = "trends"
    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))


@pytest.fixture(scope="module")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    db = open_database(path, create_dir=True)
    with db.write(audit=False) as session:
        generate_demo(session=session, today=DEMO_TODAY, tz=LONDON)  # also sets first_run_done
    db.close()
    return path


@pytest.fixture
def app(_demo_template: Path, tmp_path: Path) -> TrackerApp:
    target = tmp_path / "snap" / "demo.db"
    target.parent.mkdir()
    shutil.copy(_demo_template, target)
    return TrendsFirstApp(target, clock=lambda: NOW)


async def _ready(pilot: Pilot[None]) -> TrendsScreen:
    for _ in range(200):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = pilot.app.screen
        if isinstance(screen, TrendsScreen) and screen.ready:
            return screen
    raise AssertionError("the Trends screen never became ready")


def test_trends_90_days_80x24(snap_compare: Any, app: TrackerApp) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await _ready(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_trends_30_days_heat_maps_80x24(snap_compare: Any, app: TrackerApp) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await _ready(pilot)
        await pilot.press("1")
        screen = await _ready(pilot)
        screen.query_one("#heatmaps").scroll_visible(top=True, animate=False)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_trends_everything_120x40(snap_compare: Any, app: TrackerApp) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await _ready(pilot)
        await pilot.press("4")
        await _ready(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_trends_dose_changes_and_adherence_120x40(snap_compare: Any, app: TrackerApp) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        screen = await _ready(pilot)
        screen.query_one("#changes").scroll_visible(top=True, animate=False)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_symptom_picker_120x40(snap_compare: Any, app: TrackerApp) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await _ready(pilot)
        await pilot.press("y")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
