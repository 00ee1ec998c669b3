"""Confirmations in the app (issue 13): an implausible dose or prescription and archiving a
medication with a current prescription are asked about in a dialog with the figures, never by
naming a command-line flag; nothing is written until the user says yes.

Clock frozen at Fri 27 Nov 2026 12:00 UTC (Europe/London).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from screens_conftest import make_app, press, table_rows, type_text, with_db
from sqlmodel import select

from tracker.models import DoseEvent
from tracker.services import meds
from tracker.ui.app import TrackerApp
from tracker.ui.screens.medications import MedicationsScreen, PrescriptionForm
from tracker.ui.screens.today import TodayScreen
from tracker.ui.widgets.forms import ConfirmModal


def _question(app: Any) -> str:
    assert isinstance(app.screen, ConfirmModal)
    return str(app.screen.question)


async def test_an_implausible_dose_on_today_is_confirmed_in_the_app(
    seeded_path: Path, clock: Any, settle: Any, open_db: Any
) -> None:
    """Issue: the only way to record an amount over the limit was a command-line flag."""
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        for key in "100 tablet":  # 100 x 50 mg = 5000 mg of sertraline
            await pilot.press("space" if key == " " else key)
        await pilot.press("enter")
        await settle(pilot)
        question = _question(app)
        assert "5000 mg is above the licensed maximum for sertraline of 200 mg a day" in question
        assert "--" not in question and "force" not in question
        with open_db(seeded_path).read() as s:
            assert s.exec(select(DoseEvent)).all() == []  # nothing yet
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        await pilot.press("e")
        await settle(pilot)
        for key in "100 tablet":
            await pilot.press("space" if key == " " else key)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    with open_db(seeded_path).read() as s:
        [event] = s.exec(select(DoseEvent)).all()
    assert event.amount_mg == 5000


async def test_archiving_with_a_current_prescription_asks_with_the_stop_message(screens_db: Path) -> None:
    """Issue: archiving a medication that still had a current prescription silenced it without a word."""
    app = make_app(screens_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "m")
        assert isinstance(app.screen, MedicationsScreen)
        await press(pilot, "x")  # Sertraline, prescribed 50 mg a day from 2026-10-01 with no end
        question = _question(app)
        assert "Sertraline is archived, but its prescription is still current." in question
        assert "Stopping suddenly can cause withdrawal symptoms: talk to Dr. Okafor first." in question
        assert "--" not in question
        await press(pilot, "n")
        assert table_rows(app, "#med-table")[0][5] == "active"
        await press(pilot, "x")
        assert isinstance(app.screen, ConfirmModal)
        await press(pilot, "y")
        rows = {r[0]: r[5] for r in table_rows(app, "#med-table")}
        assert rows["Sertraline (Lustral)"] == "archived"
    db = with_db(screens_db)
    try:
        with db.read() as s:
            archived = {m.name: m.archived for m in meds.list_medications(session=s, include_archived=True)}
        assert archived["Sertraline"] is True
    finally:
        db.close()


async def test_a_prescription_above_the_licensed_maximum_is_confirmed_in_the_app(screens_db: Path) -> None:
    app = make_app(screens_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "m", "n")
        assert isinstance(app.screen, PrescriptionForm)
        await type_text(pilot, "9 tablet")  # 450 mg of sertraline a day: the example
        await press(pilot, "enter")
        question = _question(app)
        assert "450 mg a day is above the licensed maximum for sertraline of 200 mg a day" in question
        assert "Check the prescription: is this what your prescriber wrote?" in question
        assert "--" not in question
        await press(pilot, "y")
        assert isinstance(app.screen, MedicationsScreen)
        assert "450 mg at 08:00" in table_rows(app, "#med-table")[0][4]
        assert table_rows(app, "#rx-table")[0][2] == "450 mg"
