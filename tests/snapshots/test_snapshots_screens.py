"""Snapshots of the Medications and History screens at 80x24 and 120x40.

The dataset of tests/functional/screens_conftest.py (written with the audit
trail off, so no row carries a wall-clock time), the clock frozen at Friday
27 November 2026 12:00 UTC, every worker finished and the cursor blink off
before each picture. Update with
``pytest tests/snapshots/test_snapshots_screens.py --snapshot-update`` after
looking at the new pictures.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tracker.ui.app import TrackerApp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "functional"))
from helpers.pilot import ready as _ready
from screens_conftest import build_screens_db, make_app


@pytest.fixture(scope="module")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("screens-snapshots") / "tracker.db"
    build_screens_db(path)
    return path


@pytest.fixture
def app(_template: Path, tmp_path: Path) -> TrackerApp:
    target = tmp_path / "snap" / "tracker.db"
    target.parent.mkdir()
    shutil.copy(_template, target)
    return make_app(target)


async def medications(pilot: Pilot[Any]) -> None:
    await _ready(pilot)
    await pilot.press("m")
    await _ready(pilot)


async def history(pilot: Pilot[Any]) -> None:
    await _ready(pilot)
    await pilot.press("h")
    await _ready(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_medications(snap_compare: Any, app: TrackerApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=medications)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_history(snap_compare: Any, app: TrackerApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=history)
