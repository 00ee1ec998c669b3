"""History screen (Pilot, 80x24): edit then undo, delete after confirmation, filters and paging."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from screens_conftest import (
    make_app,
    notifications,
    press,
    settle,
    static_text,
    table_rows,
    type_text,
    with_db,
)
from sqlmodel import col, select

from tracker.db import row_values
from tracker.models import CheckIn, DoseEvent
from tracker.ui.screens import history as history_screen
from tracker.ui.screens.history import EditEntryForm, HistoryScreen
from tracker.ui.widgets.forms import ConfirmModal

# the fixture's newest day, 2026-11-26: check-in (21:05), two ratings (21:00), the dose (08:05)
NEWEST = [
    ["2026-11-26", "", "check-in", "Check-in", "mood 6/10, sleep 7 h; …"],  # clipped at 80 columns
    ["2026-11-26", "", "symptom", "Dizziness or vertigo", "1 mild"],
    ["2026-11-26", "", "symptom", "Brain zaps", "2 moderate"],
    ["2026-11-26", "08:05", "dose", "Sertraline 50 mg", "taken, due 08:00"],
]


def dose_rows(path: Path) -> list[dict[str, Any]]:
    db = with_db(path)
    try:
        with db.read() as s:
            return [row_values(d) for d in s.exec(select(DoseEvent).order_by(col(DoseEvent.id))).all()]
    finally:
        db.close()


def checkin_days(path: Path) -> list[str]:
    db = with_db(path)
    try:
        with db.read() as s:
            return [c.day.isoformat() for c in s.exec(select(CheckIn).order_by(col(CheckIn.day))).all()]
    finally:
        db.close()


async def test_edit_undo_and_delete_after_confirmation(screens_db: Path) -> None:
    before = dose_rows(screens_db)
    app = make_app(screens_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "h")
        assert isinstance(app.screen, HistoryScreen)
        assert table_rows(app, "#history-table")[:4] == NEWEST
        assert static_text(app, "#history-status").startswith("Page 1 of 1 · rows 1-16 of 16")

        await press(pilot, "down", "down", "down", "e")
        form = app.screen
        assert isinstance(form, EditEntryForm)
        await pilot.press("ctrl+u")
        await type_text(pilot, "2 drops")  # a wrong amount: shown beside the field, nothing saved
        await press(pilot, "enter")
        assert app.screen is form
        assert static_text(app, "#e-amount") == (
            "Sertraline has no strength per drop recorded, so drops cannot be converted; give mg"
        )
        assert dose_rows(screens_db) == before
        await pilot.press("ctrl+u")
        await type_text(pilot, "0.5 tablet")  # 25 mg of a 50 mg tablet
        await press(pilot, "enter")
        assert isinstance(app.screen, HistoryScreen)
        after_edit = dose_rows(screens_db)  # the first dose logged is the newest day's
        assert (after_edit[0]["day"], after_edit[0]["amount_mg"]) == ("2026-11-26", 25.0)
        assert after_edit[1:] == before[1:]
        assert table_rows(app, "#history-table")[3][3] == "Sertraline 25 mg"

        await press(pilot, "u")
        assert dose_rows(screens_db) == before
        assert table_rows(app, "#history-table")[3][3] == "Sertraline 50 mg"
        assert "Undone: restored a dose" in notifications(app)
        assert "Undone: restored a dose" in static_text(app, "#history-status")

        # delete only after confirmation
        await press(pilot, "up", "up", "up", "d")  # the check-in of 2026-11-26
        assert isinstance(app.screen, ConfirmModal)
        assert "Delete this check-in of 2026-11-26?" in static_text(app, "#confirm-question")
        await press(pilot, "n")
        assert isinstance(app.screen, HistoryScreen)
        assert checkin_days(screens_db) == ["2026-11-24", "2026-11-25", "2026-11-26"]

        await press(pilot, "d", "y")
        assert checkin_days(screens_db) == ["2026-11-24", "2026-11-25"]
        assert table_rows(app, "#history-table")[0] == NEWEST[1]

        await press(pilot, "u")  # and undo brings it back
        assert checkin_days(screens_db) == ["2026-11-24", "2026-11-25", "2026-11-26"]


async def test_filter_by_dates_and_page_through(screens_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history_screen, "PAGE_SIZE", 5)
    app = make_app(screens_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "h")
        assert static_text(app, "#history-status").startswith("Page 1 of 4 · rows 1-5 of 16")
        await press(pilot, "n")
        assert static_text(app, "#history-status").startswith("Page 2 of 4 · rows 6-10 of 16")
        await press(pilot, "pagedown", "pagedown")
        assert static_text(app, "#history-status").startswith("Page 4 of 4 · rows 16-16 of 16")
        assert table_rows(app, "#history-table") == [
            ["2026-11-17", "08:05", "dose", "Sertraline 50 mg", "taken, due 08:00"]
        ]
        await press(pilot, "n")
        assert "That is the last page." in notifications(app)
        await press(pilot, "b", "pageup")
        assert static_text(app, "#history-status").startswith("Page 2 of 4")

        await press(pilot, "f")
        await type_text(pilot, "2026-11-20")
        await press(pilot, "tab")
        await type_text(pilot, "2026-11-20")
        await press(pilot, "enter")
        assert table_rows(app, "#history-table") == [
            ["2026-11-20", "08:00", "dose", "Sertraline 50 mg", "skipped, due 08:00"]
        ]
        assert static_text(app, "#history-status").startswith("Page 1 of 1 · rows 1-1 of 1")

        await press(pilot, "f", "ctrl+u")
        await type_text(pilot, "20-11-2026")
        await press(pilot, "enter")
        assert "not understood" in static_text(app, "#filter-error")


def note_newest_checkin(path: Path, note: str) -> None:
    """Give the check-in of the fixture's newest day (2026-11-26) ``note``."""
    from tracker.services import checkins

    db = with_db(path)
    try:
        with db.write() as s:
            checkins.set_checkin(session=s, day=date(2026, 11, 26), note=note)
    finally:
        db.close()


async def test_text_with_square_brackets_is_shown_as_typed(screens_db: Path) -> None:
    """A note is the user's own text: "[/x]" or "[bold]" in it is shown as typed, never read as
    markup (a closing tag with no opening one made the whole table fail to draw)."""
    note_newest_checkin(screens_db, "[/x] dizzy [bold]")
    app = make_app(screens_db)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "h")
        assert isinstance(app.screen, HistoryScreen)
        first = table_rows(app, "#history-table")[0]
        assert first[2:] == ["check-in", "Check-in", "mood 6/10, sleep 7 h; [/x] dizzy [bold]"]
        assert "[/x] dizzy [bold]" in static_text(app, "#history-detail")
        assert app.return_code is None  # still running: nothing failed while drawing


async def test_the_detail_line_grows_and_shrinks_with_its_text(screens_db: Path) -> None:
    """The detail of the highlighted row takes the lines its text needs (at most 3), no more."""
    long_note = "woke twice, " * 20  # 240 characters: more than three lines at 80 columns
    note_newest_checkin(screens_db, long_note.strip())
    app = make_app(screens_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "h")
        detail = app.screen.query_one("#history-detail")
        assert detail.size.height == 3  # the check-in with its long note, clamped at max-height
        await press(pilot, "down")  # "2026-11-26 · symptom · Dizziness or vertigo: 1 mild"
        assert detail.size.height == 1
        await press(pilot, "up")
        assert detail.size.height == 3
