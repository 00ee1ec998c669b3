"""Time zones by city name, suggested as typed in Settings (tracker/ui/widgets/zone_suggester.py).

Typing "lond" in the time-zone field shows "→ Europe/London" after it; Right or Tab takes
Europe/London into the field, and saving stores it. Tab with nothing suggested moves on.
"""

from __future__ import annotations

from pathlib import Path

from screens_conftest import make_app, press, settle, type_text, with_db
from textual.widgets import Input

from tracker.services import settings
from tracker.ui.screens.settings import SettingsScreen


def _shown(field: Input) -> str:
    return "".join(segment.text for segment in field.render_line(0)).strip()


def _saved_zone(path: Path) -> object:
    db = with_db(path)
    try:
        with db.read() as session:
            return settings.get_setting(session=session, key="timezone")
    finally:
        db.close()


async def test_a_city_is_suggested_and_right_accepts_it(screens_db: Path) -> None:
    app = make_app(screens_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "s")
        assert isinstance(app.screen, SettingsScreen)
        zone = app.screen.query_one("#set-timezone", Input)
        zone.focus()
        await pilot.press("end", "ctrl+u")
        await type_text(pilot, "lond")
        await settle(pilot)
        assert zone._suggestion == "lond → Europe/London", zone._suggestion
        assert _shown(zone).startswith("lond → Europe/London")
        assert zone.value == "lond"  # only a suggestion until accepted
        await press(pilot, "right")
        assert zone.value == "Europe/London"
        await press(pilot, "enter")
        assert _saved_zone(screens_db) == "Europe/London"


async def test_tab_accepts_then_moves_on(screens_db: Path) -> None:
    app = make_app(screens_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "s")
        zone = app.screen.query_one("#set-timezone", Input)
        zone.focus()
        await pilot.press("end", "ctrl+u")
        await type_text(pilot, "new y")
        await settle(pilot)
        assert "→ America/New_York" in _shown(zone)
        await press(pilot, "tab")
        assert zone.value == "America/New_York" and app.focused is zone
        await press(pilot, "tab")  # nothing left to accept: the next field
        assert app.focused is not zone
        await press(pilot, "ctrl+s")
        assert _saved_zone(screens_db) == "America/New_York"


async def test_the_start_of_a_whole_name_is_completed(screens_db: Path) -> None:
    app = make_app(screens_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "s")
        zone = app.screen.query_one("#set-timezone", Input)
        zone.focus()
        await pilot.press("end", "ctrl+u")
        await type_text(pilot, "Asia/Tok")
        await settle(pilot)
        assert _shown(zone).startswith("Asia/Tokyo")  # the rest of the name, no arrow
        await press(pilot, "right")
        assert zone.value == "Asia/Tokyo"
