"""Issue 17 item 7: at 100 columns the taper tables cut the Status column to "pla". The Taper
screen's step tables are sized so every cell of Status shows whole at 80x24 and 100x30.

The rendered table is read as text (what the terminal shows), not the table's data.
"""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import TODAY
from helpers.pilot import settle
from test_taper_screen import _clock
from test_trust_taper import _running_plan, _taper, _type_reason
from textual.geometry import Region
from textual.widgets import DataTable

from tracker.services import demo
from tracker.ui.app import TrackerApp


def _shown(table: DataTable[object]) -> list[str]:
    """The table's lines as the terminal shows them."""
    region = Region(0, 0, table.size.width, table.size.height)
    return [strip.text for strip in table.render_lines(region)]


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_status_is_whole_in_the_steps_table(taper_db: Path, size: tuple[int, int]) -> None:
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


# -- the demo's steps table: every column whole at 100, up to Status at 80 -------------------

HEADINGS = ["#", "Planned", "mg/day", "How to take it", "Min", "Status", "Started", "Occ %", "Flags"]


def _columns(header: str) -> list[tuple[str, int]]:
    """Each heading the header line shows whole, with where it starts."""
    found, at = [], 0
    for name in HEADINGS:
        i = header.find(f" {name} ", at)
        if i < 0:
            break
        found.append((name, i + 1))
        at = i + 1 + len(name)
    return found


@pytest.mark.parametrize(("size", "upto"), [((100, 30), "Flags"), ((80, 24), "Status")])
async def test_demo_steps_table_shows_its_columns_whole(
    demo_db: Path, size: tuple[int, int], upto: str
) -> None:
    app = TrackerApp(demo_db, clock=lambda: demo.demo_now(TODAY, ZoneInfo("UTC")))
    async with app.run_test(size=size) as pilot:
        screen = await _taper(app, pilot)
        table = screen.query_one("#steps", DataTable)
        lines = _shown(table)
        width = table.size.width
    wanted = HEADINGS[: HEADINGS.index(upto) + 1]
    columns = dict(_columns(" " + lines[0] + " "))
    columns = {k: v - 1 for k, v in columns.items()}  # the padding added above
    assert [h for h in wanted if h in columns] == wanted, lines[0]
    assert all(columns[h] + len(h) <= width for h in wanted)
    rows = [line for line in lines[1:] if line[:3].strip().isdigit()]
    assert len(rows) == 6  # the demo's six steps, step 3 running
    status = [line[columns["Status"] :].split("  ")[0].strip() for line in rows]
    assert status == ["✓ done", "✓ done", "▶ current", "· planned", "· planned", "· planned"]
    # the next column starts after a space, so no status is cut
    assert all(line[columns["Status"] + len(s)] == " " for line, s in zip(rows, status, strict=True))
    if upto == "Flags":
        started = [line[columns["Started"] : columns["Occ %"]].strip() for line in rows]
        # steps 1-3 started (the demo's plan began in 2026), a compact date each, whole: "31 Aug"
        assert all(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2}", d) for d in started[:3]), started
        assert started[3:] == ["", "", ""]
        assert len(lines[0].rstrip()) <= width
