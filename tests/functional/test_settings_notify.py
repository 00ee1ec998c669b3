"""Settings -> Desktop notifications (Pilot, 80x24): quiet hours, repeats and the per-kind switches are
checked against the same bounds as every other way in, then saved; urgent kinds have no switch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from screens_conftest import make_app, press, settle, static_text, with_db
from textual.widgets import Checkbox, Input, Select

from tracker.domain.notify_policy import KINDS
from tracker.services import settings
from tracker.ui.screens.settings_notify import check


def setting(path: Path, key: str) -> Any:
    db = with_db(path)
    try:
        with db.read() as s:
            return settings.get_setting(session=s, key=key)
    finally:
        db.close()


def test_check_is_pure_and_keeps_urgent_kinds_on() -> None:
    ticked = [(rule, rule != "R10") for rule in KINDS]
    values, errors = check({"notify_quiet_hours": "22:00-07:00"}, "no", ticked)
    assert errors == {}
    assert values["notify_kinds_off"] == ["R10"] and values["notify_urgent_repeat_hours"] == 4
    assert not {"R3", "R8", "R12"} & set(KINDS)  # urgent ones cannot be switched off
    _, errors = check(
        {"notify_quiet_hours": "09:00-23:30", "notify_dose_repeat_minutes": "400"}, "no", ticked
    )
    assert set(errors) == {"notify_quiet_hours", "notify_dose_repeat_minutes"}


async def test_notification_settings_are_checked_then_saved(screens_db: Path) -> None:
    app = make_app(screens_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "s")
        screen = app.screen
        assert screen.query_one("#set-notify_show_names", Select).value == "no"  # off by default
        assert all(box.value for box in screen.query(".kind-box").results(Checkbox))
        screen.query_one("#set-notify_quiet_hours", Input).value = "22:00-07:00"
        screen.query_one("#set-notify_urgent_repeat_hours", Input).value = "30"
        screen.query_one("#set-kind-R10", Checkbox).value = False
        await press(pilot, "ctrl+s")
        assert (
            static_text(app, "#err-notify_urgent_repeat_hours") == "The urgent repeat (hours) is from 1 to 12"
        )
        assert static_text(app, "#settings-status") == "Not saved: correct the fields marked in red."
        assert setting(screens_db, "notify_quiet_hours") == ""
        screen.query_one("#set-notify_urgent_repeat_hours", Input).value = "6"
        await press(pilot, "ctrl+s")
        assert setting(screens_db, "notify_quiet_hours") == "22:00-07:00"
        assert setting(screens_db, "notify_urgent_repeat_hours") == 6
        assert setting(screens_db, "notify_kinds_off") == ["R10"]
        assert setting(screens_db, "notify_show_names") is False
        assert static_text(app, "#settings-status") == (
            "Saved: notification kinds, quiet hours, urgent repeat."
        )
