"""Settings screen (Pilot, 80x24): theme applied and saved; time zone and thresholds checked per field;
the travel rule (keeping home time shows and stores the home zone)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from screens_conftest import make_app, press, settle, static_text, type_text, with_db
from textual.widgets import Input, Select

from tracker.services import settings
from tracker.ui.screens.settings import (
    SettingsScreen,
    check_settings,
    follows_help,
    parse_threshold,
    thresholds,
)


def setting(path: Path, key: str) -> Any:
    db = with_db(path)
    try:
        with db.read() as s:
            return settings.get_setting(session=s, key=key)
    finally:
        db.close()


async def test_change_the_theme_applies_at_once_and_is_saved(screens_db: Path) -> None:
    app = make_app(screens_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "s")
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        theme = screen.query_one("#set-theme", Select)
        assert screen.focused is theme and theme.value == "taper-dark"
        # only the themes whose contrast is measured (tests/unit/test_theme_contrast.py)
        offered = [value for _prompt, value in theme._options if isinstance(value, str)]
        assert offered == sorted(
            ["ansi-dark", "ansi-light", "high-contrast", "high-contrast-light", "taper-dark", "taper-light"]
        )
        await press(pilot, "enter")  # open the list of themes
        await type_text(pilot, "high")  # type to search
        await press(pilot, "enter")
        assert app.theme == "high-contrast"
        assert setting(screens_db, "theme") == "high-contrast"
        assert "Theme high-contrast saved." in static_text(app, "#settings-status")
        assert str(screens_db) in static_text(app, "#data-location")


async def test_time_zone_and_thresholds_are_checked_then_saved(screens_db: Path) -> None:
    app = make_app(screens_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "s")
        screen = app.screen
        zone = screen.query_one("#set-timezone", Input)
        assert zone.value == "Europe/London"
        await pilot.click("#set-timezone")
        await pilot.press("end", "ctrl+u")
        await type_text(pilot, "Mars/Olympus")
        screen.query_one("#set-t-missed_after_hours", Input).value = "8"
        screen.query_one("#set-t-check_in_days", Input).value = "two"
        await press(pilot, "enter")
        assert static_text(app, "#err-timezone").startswith("Unknown time zone 'Mars/Olympus'")
        assert static_text(app, "#err-t-check_in_days") == "'two' is not a number"
        assert static_text(app, "#settings-status") == "Not saved: correct the fields marked in red."
        assert setting(screens_db, "timezone") == "Europe/London"
        assert setting(screens_db, "reminder_thresholds") == {}

        zone.value = "Asia/Tokyo"
        screen.query_one("#set-t-check_in_days", Input).value = ""  # back to the default
        await press(pilot, "ctrl+s")
        assert static_text(app, "#err-timezone") == ""
        assert setting(screens_db, "timezone") == "Asia/Tokyo"
        assert setting(screens_db, "reminder_thresholds") == {"missed_after_hours": 8}
        assert static_text(app, "#settings-status") == "Saved: reminder thresholds, time zone."

        await press(pilot, "escape", "t")  # leave the field: the mode keys work again
        assert app.current_mode == "today"


def test_thresholds_list_domain_defaults_but_not_the_snooze_limit() -> None:
    specs = {t.name: t for t in thresholds()}
    assert specs["upcoming_step_days"].default == 3 and specs["upcoming_step_days"].whole
    assert specs["unplanned_change_ratio"].default == 0.1 and not specs["unplanned_change_ratio"].whole
    assert "urgent_snooze_limit_hours" not in specs and "crisis_text" not in specs
    # R8's triggers are constants of the program (tracker.domain.safety), not settings
    assert "crisis_mood_max" not in specs and "crisis_recent_days" not in specs


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("missed_after_hours", "", None),
        ("missed_after_hours", " 8 ", 8),
        ("missed_count", "1", 1),
        ("flare_ratio", "1,5", 1.5),
        ("unplanned_change_ratio", "0.2", 0.2),
    ],
)
def test_parse_threshold_accepts(name: str, raw: str, expected: float | None) -> None:
    spec = next(t for t in thresholds() if t.name == name)
    assert parse_threshold(spec, raw) == expected


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("missed_after_hours", "2.5", "whole number from 2 to 12"),
        ("missed_after_hours", "0", "from 2 to 12"),
        ("missed_after_hours", "48", "from 2 to 12"),  # a day late is not "missed after 6 hours"
        ("missed_count", "0", "from 1 to 5"),
        ("flare_ratio", "-1", "from 1.2 to 4"),
        ("flare_ratio", "100", "from 1.2 to 4"),  # a flare no one reaches: R3 would never fire
        ("unplanned_change_ratio", "1.5", "from 0.05 to 0.5"),
        ("flare_ratio", "inf", "not a number"),
    ],
)
def test_parse_threshold_refuses(name: str, raw: str, message: str) -> None:
    spec = next(t for t in thresholds() if t.name == name)
    with pytest.raises(ValueError, match=message):
        parse_threshold(spec, raw)


def test_check_settings_keeps_only_changed_thresholds() -> None:
    values, errors = check_settings(
        {
            "timezone": "UTC",
            "crisis_text": "Call 112",
            "patient_name": " Sam ",
            "t-upcoming_step_days": "3",
            "t-severe_days": "4",
        }
    )
    assert errors == {}
    assert values == {
        "timezone": "UTC",
        "crisis_text": "Call 112",
        "patient_name": "Sam",
        "reminder_thresholds": {"severe_days": 4},
    }
    _, errors = check_settings({"timezone": "", "crisis_text": " "})
    assert set(errors) == {"timezone", "crisis_text"}


# --- travel: dose times kept on home time ------------------------------------------------------


async def test_keeping_home_time_shows_the_home_zone_and_checks_it(screens_db: Path) -> None:
    app = make_app(screens_db)
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
        stored = (setting(screens_db, "schedule_follows"), setting(screens_db, "home_timezone"))
        assert stored == ("home", "Europe/London")
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
        assert setting(screens_db, "home_timezone") == "Europe/London"

        home.value = "Europe/Paris"
        await press(pilot, "ctrl+s")
        assert static_text(app, "#err-home_timezone") == ""
        assert setting(screens_db, "home_timezone") == "Europe/Paris"
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
