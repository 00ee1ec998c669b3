"""Medications screen (Pilot, 80x24): add with field errors, prescriptions, archive; the form checks."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from screens_conftest import (
    TODAY,
    make_app,
    press,
    settle,
    static_text,
    table_rows,
    type_text,
    with_db,
)
from textual.widgets import Input, Select

from tracker.services import meds
from tracker.ui.screens.medications import (
    MedicationForm,
    MedicationsScreen,
    MedView,
    PrescriptionForm,
    parse_medication_form,
    parse_prescription_form,
)


def medication_names(path: Path) -> list[str]:
    db = with_db(path)
    try:
        with db.read() as s:
            return [m.name for m in meds.list_medications(session=s, include_archived=True)]
    finally:
        db.close()


async def test_list_prescribe_archive_and_restore(screens_db: Path) -> None:
    app = make_app(screens_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "m")
        assert isinstance(app.screen, MedicationsScreen)
        rows = table_rows(app, "#med-table")
        assert rows == [
            ["Sertraline (Lustral)", "SSRI", "tablet", "50 mg", "50 mg at 08:00", "active"],
            ["Citalopram", "SSRI", "tablet", "20 mg", "-", "archived"],
        ]
        assert [r[:3] for r in table_rows(app, "#rx-table")] == [
            ["2026-10-01", "current", "50 mg"],
            ["2026-08-01", "2026-09-30", "75 mg"],
            ["2026-06-01", "2026-07-31", "100 mg"],
        ]
        assert "half-life about 26 h" in static_text(app, "#med-detail")

        await press(pilot, "n")  # a new prescription for Sertraline, in tablets
        form = app.screen
        assert isinstance(form, PrescriptionForm)
        assert form.query_one("#f-start", Input).value == TODAY.isoformat()
        assert form.query_one("#f-prescriber", Input).value == "Dr. Okafor"
        await type_text(pilot, "0.75 tablet")
        await press(pilot, "enter")
        assert isinstance(app.screen, MedicationsScreen)
        assert table_rows(app, "#rx-table")[0][:4] == [TODAY.isoformat(), "current", "37.5 mg", "08:00"]
        assert table_rows(app, "#rx-table")[1][:2] == ["2026-10-01", (TODAY - timedelta(days=1)).isoformat()]
        assert table_rows(app, "#med-table")[0][4] == "37.5 mg at 08:00"

        await press(pilot, "down", "x")  # Citalopram is archived: restore it
        assert table_rows(app, "#med-table")[1][5] == "active"
        await press(pilot, "x")
        assert table_rows(app, "#med-table")[1][5] == "archived"
        assert "Press x to restore it" in static_text(app, "#med-detail")


async def test_add_medication_field_errors_then_saved_then_refused(screens_db: Path) -> None:
    app = make_app(screens_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "m", "a")
        form = app.screen
        assert isinstance(form, MedicationForm)
        await press(pilot, "enter")  # nothing typed
        assert static_text(app, "#e-name") == "Give the medication's name, such as sertraline"
        assert static_text(app, "#e-strength").startswith("Give the strength")
        await type_text(pilot, "paroxetine")
        await settle(pilot)
        # a known drug fills in class and half-life
        assert form.query_one("#f-half_life", Input).value == "24"
        assert form.query_one("#f-drug_class", Select).value == "SSRI"
        await pilot.click("#f-strength")
        await type_text(pilot, "20mg/ml")  # a liquid's strength, for a tablet
        await press(pilot, "enter")
        assert static_text(app, "#e-name") == ""
        assert static_text(app, "#e-strength") == "A tablet's strength is per tablet, such as 20mg"
        assert app.screen is form
        assert medication_names(screens_db) == ["Sertraline", "Citalopram"]

        assert form.focused is form.query_one("#f-strength", Input)  # the first wrong field has the focus
        await pilot.press("ctrl+u")
        await type_text(pilot, "20mg")
        await press(pilot, "enter")
        assert isinstance(app.screen, MedicationsScreen)
        assert medication_names(screens_db) == ["Sertraline", "paroxetine", "Citalopram"]
        db = with_db(screens_db)
        try:
            with db.read() as s:
                med = meds.find_medication(session=s, name="paroxetine")
                assert (med.strength_mg, med.half_life_hours, med.drug_class, med.form) == (
                    20,
                    24,
                    "SSRI",
                    "tablet",
                )
        finally:
            db.close()
        # the new medication is highlighted
        assert "paroxetine needs particular care" in static_text(app, "#med-detail")

        # a refusal from the service is shown beside the field it is about
        await press(pilot, "a")
        app.screen.query_one("#f-name", Input).value = "sertraline"
        app.screen.query_one("#f-strength", Input).value = "50mg"
        await press(pilot, "enter")
        assert isinstance(app.screen, MedicationForm)
        assert static_text(app, "#e-name") == "A medication called 'sertraline' already exists"
        assert medication_names(screens_db) == ["Sertraline", "paroxetine", "Citalopram"]
        app.screen.query_one("#f-form", Select).focus()
        await press(pilot, "t")  # a modal form keeps the app's mode keys out
        assert isinstance(app.screen, MedicationForm) and app.current_mode == "medications"
        await press(pilot, "escape")
        assert isinstance(app.screen, MedicationsScreen)


async def test_add_form_asks_taking_it_since(screens_db: Path) -> None:
    """The add form's "Taking it since" is stored (R10 starts from it); blank means not known."""
    app = make_app(screens_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "m", "a")
        form = app.screen
        assert isinstance(form, MedicationForm)
        form.query_one("#f-name", Input).value = "Paroxetine"
        form.query_one("#f-strength", Input).value = "20mg"
        form.query_one("#f-since", Input).value = "next week"
        await press(pilot, "ctrl+s")
        assert app.screen is form
        assert static_text(app, "#e-since").startswith("Date 'next week' is not understood")
        form.query_one("#f-since", Input).value = "2026-11-20"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, MedicationsScreen)
    db = with_db(screens_db)
    try:
        with db.read() as s:
            assert meds.find_medication(session=s, name="paroxetine").started_on == date(2026, 11, 20)
            assert meds.find_medication(session=s, name="sertraline").started_on is None
    finally:
        db.close()


def test_taking_it_since_is_optional_and_never_in_the_future() -> None:
    today = date(2026, 11, 27)
    blank, errors = parse_medication_form({**BASE, "since": " "}, today)
    assert errors == {} and blank["started_on"] is None
    given, errors = parse_medication_form({**BASE, "since": "2024-03-01"}, today)
    assert errors == {} and given["started_on"] == date(2024, 3, 1)
    _, errors = parse_medication_form({**BASE, "since": "2026-11-28"}, today)
    assert errors == {"since": "date 2026-11-28 is in the future"}


# -- the form's checks, without the app ------------------------------------------

BASE = {
    "name": "Sertraline",
    "brand": "",
    "drug_class": "SSRI",
    "form": "tablet",
    "strength": "50mg",
    "half_life": "26",
    "liquid": "",
    "fractions": "1,0.5",
    "notes": "",
}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"form": "liquid", "strength": "50mg"}, "strength", "a liquid's strength is per ml"),
        ({"form": "drops", "strength": "2mg/ml"}, "strength", "per drop"),
        ({"strength": "fifty"}, "strength", "not understood"),
        ({"half_life": "-3"}, "half_life", "more than zero"),
        ({"half_life": "3000"}, "half_life", "more than 2000 hours"),
        ({"liquid": "2mg"}, "liquid", "per ml"),
        ({"form": "liquid", "strength": "2mg/ml", "liquid": "2mg/ml"}, "liquid", "only for tablets"),
        ({"fractions": "1,2"}, "fractions", "between 0 and 1"),
        ({"name": "x" * 81}, "name", "longer than 80"),
    ],
)
def test_medication_form_errors(changes: dict[str, str], field: str, message: str) -> None:
    _, errors = parse_medication_form({**BASE, **changes})
    assert list(errors) == [field]
    assert message in errors[field]


def test_medication_form_values() -> None:
    values, errors = parse_medication_form(
        {**BASE, "liquid": "10mg/5ml", "fractions": "0.25, 1,0.5", "half_life": "26 h", "brand": " Lustral "}
    )
    assert errors == {}
    assert values == {
        "name": "Sertraline",
        "brand": "Lustral",
        "drug_class": "SSRI",
        "form": "tablet",
        "strength_mg": 50.0,
        "half_life_hours": 26.0,
        "liquid_mg_per_ml": 2.0,
        "tablet_fractions": "1,0.5,0.25",
        "notes": None,
    }
    liquid, errors = parse_medication_form(
        {**BASE, "form": "liquid", "strength": "20mg/5ml", "fractions": ""}
    )
    assert errors == {} and liquid["strength_mg"] == 4.0


def test_prescription_form() -> None:
    med = MedView(1, "Sertraline", None, "SSRI", "tablet", 50.0, 20.0, "1,0.5", 26.0, None, False, None, ())
    parsed, errors = parse_prescription_form(
        {
            "dose": "2.5ml",
            "times": "20:00, 08:00",
            "start": "2026-12-01",
            "end": "",
            "prescriber": " Dr. O ",
            "note": "",
        },
        med,
        TODAY,
    )
    assert errors == {} and parsed is not None
    assert (parsed.dose_mg, [t.hour for t in parsed.times], parsed.start_date, parsed.prescriber) == (
        50.0,
        [8, 20],
        date(2026, 12, 1),
        "Dr. O",
    )
    _, errors = parse_prescription_form(
        {
            "dose": "0mg",
            "times": "25:00",
            "start": "2026-12-01",
            "end": "2026-11-01",
            "prescriber": "",
            "note": "",
        },
        med,
        TODAY,
    )
    assert set(errors) == {"dose", "times", "end"}
