"""Status by symbol as well as colour (issue 17, WCAG 1.4.1): each status cell of Today's doses
and of the taper steps starts with its own symbol, so two statuses never differ by colour alone.
History's cells are words without colour ("taken", "skipped"), so they need no symbol."""

from __future__ import annotations

from datetime import time

import pytest

from tracker.ui.widgets.rows import DoseRow, dose_line

DOSE_STATUSES = ("taken", "skipped", "missed", "due", "upcoming")


def _status_cell(status: str) -> str:
    row = DoseRow(
        1, "Sertraline", 50.0, status, time(8), taken_local=time(8, 5) if status == "taken" else None
    )
    return dose_line(row).plain.split("50 mg", 1)[1].strip()


@pytest.mark.parametrize("status", DOSE_STATUSES)
def test_each_dose_status_starts_with_a_symbol(status: str) -> None:
    cell = _status_cell(status)
    assert not cell[0].isalnum(), cell
    assert cell[1] == " ", cell


def test_dose_symbols_are_all_different() -> None:
    symbols = [_status_cell(status)[0] for status in DOSE_STATUSES]
    assert symbols == ["✓", "–", "!", "●", "·"]  # hand-listed: taken, skipped, not logged, due, later


def test_each_taper_step_status_has_its_own_symbol() -> None:
    from tracker.ui.screens.taper import step_status

    cells = {
        status: step_status(status)
        for status in ("done", "current", "held", "planned", "stepped_back", "skipped")
    }
    assert (
        cells["done"] == "✓ done"
        and cells["current"] == "▶ current"
        and cells["stepped_back"] == "↩ stepped back"
    )
    assert len({cell[0] for cell in cells.values()}) == len(cells)
