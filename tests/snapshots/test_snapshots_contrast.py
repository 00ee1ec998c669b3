"""Snapshots of Today in the app's own themes (tracker/ui/themes.py), chosen in Settings.

The default dark theme (taper-dark) is test_snapshots_core.py's Today; here are the light one
and the high-contrast pair.

Same data and frozen clock as test_snapshots_core.py; the theme is the saved setting, so the
pictures also prove that the saved choice is applied at start-up. Update with
``pytest tests/snapshots/test_snapshots_contrast.py --snapshot-update`` after looking at them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers.pilot import ready
from test_snapshots_core import NOW, _build

from tracker.db import open_database
from tracker.ui.app import TrackerApp


def _app(tmp_path: Path, theme: str) -> TrackerApp:
    from tracker.services import settings

    path = tmp_path / "contrast" / "tracker.db"
    _build(path)
    db = open_database(path)
    with db.write(audit=False) as session:
        settings.set_setting(session=session, key="theme", value=theme)
    db.close()
    return TrackerApp(path, clock=lambda: NOW)


@pytest.mark.parametrize("theme", ["high-contrast", "high-contrast-light", "taper-light"])
def test_today_high_contrast_80x24(snap_compare: Any, tmp_path: Path, theme: str) -> None:
    app = _app(tmp_path, theme)

    async def shown(pilot: Any) -> None:
        await ready(pilot)
        assert pilot.app.theme == theme

    assert snap_compare(app, terminal_size=(80, 24), run_before=shown)


def test_today_high_contrast_120x40(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path, "high-contrast"), terminal_size=(120, 40), run_before=ready)
