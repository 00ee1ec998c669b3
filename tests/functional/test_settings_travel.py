"""Settings screen, travel rule (Pilot, 80x24): keeping home time shows and stores the home zone."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from screens_conftest import build_screens_db, make_app, press, settle, static_text, type_text, with_db
from textual.widgets import Input, Select

from tracker.services import settings
from tracker.ui.screens.settings import SettingsScreen, check_settings, follows_help


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("travel-template") / "tracker.db"
    build_screens_db(path)  # time zone Europe/London, dose times following it
    return path


@pytest.fixture
def dbp(template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "screens" / "tracker.db"
    target.parent.mkdir()
    shutil.copy(template, target)
    return target


def stored(path: Path, key: str) -> Any:
    db = with_db(path)
    try:
        with db.read() as s:
            return settings.get_setting(session=s, key=key)
    finally:
        db.close()


async def test_keeping_home_time_shows_the_home_zone_and_checks_it(dbp: Path) -> None:
    app = make_app(dbp)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "s")
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        home = screen.query_one("#set-home_timezone", Input)
        follows = screen.query_one("#set-schedule_follows", Select)
        assert (follows.value, home.value, home.disabled) == ("current", "", True)
        assert static_text(app, "#follows-help").startswith("Dose times follow the time zone you are in")

        follows.focus()
        await press(pilot, "enter")  # open the choices
        await press(pilot, "down", "enter")  # "my home time zone"
        assert follows.value == "home"
        assert (stored(dbp, "schedule_follows"), stored(dbp, "home_timezone")) == ("home", "Europe/London")
        assert (home.value, home.disabled) == ("Europe/London", False)
        assert home.region.bottom <= 24  # on screen at 80x24 without scrolling
        assert static_text(app, "#follows-help").startswith(
            "Dose times stay on home time (Europe/London): a dose set for 08:00 is due at 08:00 in "
            "Europe/London"
        )
        assert static_text(app, "#settings-status") == "Dose times now stay on home time: Europe/London."

        await pilot.click("#set-home_timezone")
        await pilot.press("end", "ctrl+u")
        await type_text(pilot, "Mars/Olympus")
        await press(pilot, "enter")
        assert static_text(app, "#err-home_timezone").startswith("Unknown home time zone 'Mars/Olympus'")
        assert static_text(app, "#settings-status") == "Not saved: correct the fields marked in red."
        assert stored(dbp, "home_timezone") == "Europe/London"

        home.value = "Europe/Paris"
        await press(pilot, "ctrl+s")
        assert static_text(app, "#err-home_timezone") == ""
        assert stored(dbp, "home_timezone") == "Europe/Paris"
        assert static_text(app, "#settings-status") == "Saved: home time zone."


def test_check_settings_home_zone_empty_means_the_time_zone() -> None:
    base = {"timezone": "UTC", "crisis_text": "Call 112"}
    assert check_settings({**base, "home_timezone": " "})[0]["home_timezone"] is None
    assert check_settings({**base, "home_timezone": "Asia/Tokyo"})[0]["home_timezone"] == "Asia/Tokyo"
    _, errors = check_settings({**base, "home_timezone": "Asia/Nowhere"})
    assert errors == {"home_timezone": errors["home_timezone"]}
    assert errors["home_timezone"].startswith("unknown home time zone 'Asia/Nowhere'")
    assert "home_timezone" not in check_settings(base)[0]  # no field, nothing to store


def test_follows_help_says_what_happens() -> None:
    assert "wherever you are" in follows_help("current", "Europe/London", "Asia/Tokyo")
    assert "home time (Asia/Tokyo)" in follows_help("home", None, "Asia/Tokyo")  # no home: the time zone
