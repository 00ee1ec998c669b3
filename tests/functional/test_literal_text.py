"""The user's own words (names, notes, questions) are shown as typed on every screen.

Textual and Rich read square brackets in a plain string as markup: "[b]" vanishes and a
closing tag with nothing to close ("[/x]") stops a widget from drawing, which closes the
app. Every screen is visited with such text in every field a user types into.
"""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

from screens_conftest import NOW, TODAY, TZ, make_app, press, settle, with_db

from tracker.domain.timeutil import local_to_utc
from tracker.services import checkins, clinician, meds, symptoms

BRACKETS = "[/x] [b]"


def add_bracketed_entries(path: Path) -> None:
    db = with_db(path)
    try:
        with db.write() as s:
            med = meds.create_medication(
                session=s, name=f"Fluoxetine {BRACKETS}", strength_mg=20.0, brand=f"Brand {BRACKETS}"
            )
            meds.set_prescription(
                session=s,
                medication_id=med.id or 0,
                dose_mg=20.0,
                times=[time(9, 0)],
                start_date=TODAY - timedelta(days=3),
                prescriber=f"Dr. {BRACKETS}",
                note=f"note {BRACKETS}",
            )
            checkins.set_checkin(session=s, day=TODAY, mood=5, note=f"today {BRACKETS}", now=NOW)
            clinician.add_appointment(
                session=s,
                at=local_to_utc(TODAY + timedelta(days=5), time(9, 0), TZ),
                clinician=f"Dr. {BRACKETS}",
                notes=f"ask {BRACKETS}",
            )
            clinician.add_question(session=s, text=f"Why {BRACKETS}?", now=NOW)
            jaw = symptoms.add_symptom(session=s, name=f"Jaw {BRACKETS}")
            for back in range(3):
                symptoms.rate_symptom(
                    session=s, symptom_id=jaw.id or 0, day=TODAY - timedelta(days=back), severity=2, now=NOW
                )
    finally:
        db.close()


async def test_every_screen_draws_text_with_square_brackets(screens_db: Path) -> None:
    add_bracketed_entries(screens_db)
    app = make_app(screens_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        shown: dict[str, str] = {}
        for key in ("t", "m", "p", "h", "r", "c", "s", "t"):
            await press(pilot, key)
            await settle(pilot)
            assert app.return_code is None, f"the app closed on {app.screen.__class__.__name__}"
            shown[key] = screen_text(app)
        assert f"Fluoxetine {BRACKETS}" in shown["t"]
        assert f"Fluoxetine {BRACKETS} (Brand {BRACKETS})" in shown["m"]
        assert f"today {BRACKETS}" in shown["h"]
        assert f"Why {BRACKETS}?" in shown["c"]
        assert f"Jaw {BRACKETS}" in shown["t"]
        await press(pilot, "r")
        for key in ("4", "y"):  # Trends over all the history, then its symptom chooser
            await press(pilot, key)
            await settle(pilot)
            assert app.return_code is None, f"the app closed on Trends after {key}"
        assert f"Jaw {BRACKETS}" in screen_text(app)
        await press(pilot, "escape")
        await press(pilot, "t")
        await press(pilot, "a")  # an extra dose: its dialog offers every medication by name
        app.screen.query_one("#dose-medication").expanded = True
        await settle(pilot)
        assert app.return_code is None, "the app closed on the extra dose dialog"
        assert f"Fluoxetine {BRACKETS}" in screen_text(app)
        await press(pilot, "escape", "escape")
        await press(pilot, "down", "e")  # the edit dialog of Fluoxetine's dose is titled with its name
        assert app.return_code is None, "the app closed on the dose dialog"
        assert f"Fluoxetine {BRACKETS}" in screen_text(app)
        await press(pilot, "escape")


def screen_text(app: object) -> str:
    """What the terminal shows, as text (the screenshot's characters, spaces restored)."""
    import html
    import re

    svg = app.export_screenshot()  # type: ignore[attr-defined]
    lines = re.findall(r"<text[^>]*>(.*?)</text>", svg)
    return html.unescape(" ".join(lines)).replace("\xa0", " ")


async def test_a_notification_quoting_a_name_with_square_brackets_is_shown_as_typed(screens_db: Path) -> None:
    """An archived medication's notice names it: "[/x]" in the name closed the app (issue found in tmux)."""
    db = with_db(screens_db)
    try:
        with db.write() as s:
            med = meds.create_medication(session=s, name=f"Fluoxetine {BRACKETS}", strength_mg=20.0)
            meds.set_archived(session=s, medication_id=med.id or 0, archived=True)
    finally:
        db.close()
    app = make_app(screens_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "m")
        table = app.screen.query_one("#med-table")
        while f"Fluoxetine {BRACKETS}" not in str(table.get_row_at(table.cursor_row)[0]):
            await press(pilot, "down")
        await press(pilot, "n")  # a new prescription for an archived medication: refused with a notice
        await settle(pilot)
        assert app.return_code is None, "the app closed on the notice"
        (notice,) = app._notifications
        assert notice.message == f"Fluoxetine {BRACKETS} is archived; press x to restore it first."
        # what the toast draws (the headless screenshot leaves toasts out; a terminal draws this)
        assert notice.message in _toast_text(notice)


def _toast_text(notice: object) -> str:
    from textual.widgets._toast import Toast

    return Toast(notice).render().plain  # type: ignore[arg-type]
