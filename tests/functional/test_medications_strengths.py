"""The Medications form's "Other strengths" field (issue 12): the other tablet strengths a user has,
checked field by field (the message names the field, never the value typed) and stored as "25,100".
"""

from __future__ import annotations

from pathlib import Path

from screens_conftest import make_app, press, settle, static_text, with_db
from textual.widgets import Input

from tracker.services import meds
from tracker.ui.screens.medications import MedicationForm, MedicationsScreen, parse_medication_form


def _others(path: Path) -> str | None:
    db = with_db(path)
    try:
        with db.read() as s:
            return meds.find_medication(session=s, name="sertraline").other_strengths
    finally:
        db.close()


async def test_edit_form_stores_other_strengths_and_names_a_bad_field(screens_db: Path) -> None:
    app = make_app(screens_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "m", "e")  # Sertraline 50 mg tablets is highlighted first
        form = app.screen
        assert isinstance(form, MedicationForm)
        field = form.query_one("#f-others", Input)
        field.value = "25,lots"
        await press(pilot, "ctrl+s")
        assert app.screen is form
        message = static_text(app, "#e-others")
        assert "other strengths" in message.lower() and "lots" not in message
        assert _others(screens_db) is None  # nothing written
        field.value = "100, 25mg"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, MedicationsScreen)
        assert "also 25, 100 mg tablets" in static_text(app, "#med-detail")
    assert _others(screens_db) == "25,100"


def test_other_strengths_only_for_tablets_or_capsules() -> None:
    base = {"name": "Sertraline", "form": "liquid", "strength": "20mg/ml", "others": "25"}
    _values, errors = parse_medication_form(base)
    assert list(errors) == ["others"] and "only for tablets or capsules" in errors["others"]
    values, errors = parse_medication_form({**base, "form": "capsule", "strength": "60mg", "others": ""})
    assert errors == {} and values["other_strengths"] is None
