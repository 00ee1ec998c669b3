"""Issue 17 item 7: at 100 columns the taper tables cut the Status column to "pla". The Taper
screen's step tables are sized so every cell of Status shows whole at 80x24 and 100x30.

The rendered table is read as text (what the terminal shows), not the table's data.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.pilot import settle
from test_taper_screen import _clock, taper_db  # noqa: F401 (fixture)
from test_trust_taper import _running_plan, _taper, _type_reason
from textual.geometry import Region
from textual.widgets import DataTable

from tracker.ui.app import TrackerApp


def _shown(table: DataTable[object]) -> list[str]:
    """The table's lines as the terminal shows them."""
    region = Region(0, 0, table.size.width, table.size.height)
    return [strip.text for strip in table.render_lines(region)]


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_status_is_whole_in_the_steps_table(taper_db: Path, size: tuple[int, int]) -> None:  # noqa: F811
    _running_plan(taper_db)
    app = TrackerApp(taper_db, clock=_clock)
    async with app.run_test(size=size) as pilot:
        screen = await _taper(app, pilot)
        await pilot.press("b")
        await settle(pilot)
        await _type_reason(app, pilot, "zaps")
        lines = _shown(screen.query_one("#steps", DataTable))
    assert "Status" in lines[0], lines[0]  # the header itself is not cut
    at = lines[0].index("Status")
    rows = [line for line in lines[1:] if line[:3].strip().isdigit()]  # a wrapped line has no number
    shown = [line[at:].split("  ")[0].strip() for line in rows]
    assert shown == ["✓ done", "↩ stepped back", "▶ current", "· planned", "· planned", "· planned"]
    assert all(line[at + len(text)] == " " for line, text in zip(rows, shown, strict=True))
