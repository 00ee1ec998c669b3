"""User settings stored as JSON values in the ``setting`` table, with defaults.

Read with plain SQL (``Reads``: a session or a plain connection), so the start-up
read of the theme never imports the ORM; only ``set_setting`` does.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from tracker.domain.errors import TrackerError
from tracker.domain.timeutil import parse_zone
from tracker.store import Reads, raw

if TYPE_CHECKING:
    from sqlmodel import Session

DEFAULT_CRISIS_TEXT = (
    "If you are in danger or thinking about harming yourself, contact your local emergency number "
    "or a crisis line now."
)

DEFAULTS: dict[str, Any] = {
    "timezone": "UTC",
    "theme": "textual-dark",
    "crisis_text": DEFAULT_CRISIS_TEXT,
    "disclaimer_acknowledged": False,
    "first_run_done": False,
    "patient_name": "",
    "schedule_follows": "current",  # or "home": DOMAIN.md travel rule
    "reminder_thresholds": {},
    "is_demo": False,
}


def local_zone_name() -> str:
    """The machine's IANA zone name, if it can be found; else UTC."""
    import os
    from pathlib import Path

    env = os.environ.get("TZ", "").lstrip(":")
    if env:
        try:
            parse_zone(env)
            return env
        except ValueError:
            pass
    try:
        target = Path("/etc/localtime").resolve()
        parts = target.parts
        if "zoneinfo" in parts:
            name = "/".join(parts[parts.index("zoneinfo") + 1 :])
            parse_zone(name)
            return name
    except (OSError, ValueError):
        pass
    return "UTC"


def get_setting(*, session: Reads, key: str) -> Any:
    row = raw(session).execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
    if row is None:
        if key == "timezone":
            return local_zone_name()
        return DEFAULTS.get(key)
    return json.loads(row[0])


def all_settings(*, session: Reads) -> dict[str, Any]:
    stored = {key: json.loads(value) for key, value in raw(session).execute("SELECT key, value FROM setting")}
    values = {k: stored[k] if k in stored else get_setting(session=session, key=k) for k in DEFAULTS}
    values.update(stored)
    return values


def set_setting(*, session: Session, key: str, value: Any) -> None:
    if key not in DEFAULTS:
        raise TrackerError(f"unknown setting {key!r}")
    if key == "timezone":
        try:
            parse_zone(str(value))
        except ValueError as exc:
            raise TrackerError(str(exc)) from exc
    if key == "crisis_text" and not str(value).strip():
        raise TrackerError("the crisis help text cannot be empty")
    from tracker.models import Setting

    row = session.get(Setting, key)
    encoded = json.dumps(value)
    if row is None:
        session.add(Setting(key=key, value=encoded))
    elif row.value != encoded:
        row.value = encoded
        session.add(row)
    session.flush()


def user_zone(*, session: Reads) -> ZoneInfo:
    """The user's IANA zone (settings), falling back to UTC if the stored name is unknown."""
    name = get_setting(session=session, key="timezone")
    try:
        return parse_zone(str(name))
    except ValueError:
        return ZoneInfo("UTC")
