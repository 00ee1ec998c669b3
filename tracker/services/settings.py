"""User settings stored as JSON values in the ``setting`` table, with defaults.

Read with plain SQL (``Reads``: a session or a plain connection), so the start-up
read of the theme never imports the ORM; only ``set_setting`` does.

Time zones (DOMAIN.md "Time" and the travel rule): ``timezone`` is the zone the user
is in now; it decides "today", symptom days and how times are shown. Dose schedules
are wall-clock times in the *schedule zone* (``schedule_zone``): the same zone when
``schedule_follows`` is "current", the ``home_timezone`` when it is "home".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
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
    "home_timezone": None,  # the zone schedules keep when following home; None: the ``timezone``
    "reminder_thresholds": {},
    "is_demo": False,
}


FOLLOW_CHOICES = ("current", "home")


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
    """Store one setting, checked first (a TrackerError names what is wrong; nothing is written).

    Switching ``schedule_follows`` to "home" with no home zone stored makes the current
    ``timezone`` the home zone, so schedules stay where they are until the user moves on.
    """
    if key not in DEFAULTS:
        raise TrackerError(f"unknown setting {key!r}")
    if key == "timezone" or (key == "home_timezone" and value is not None):
        try:
            parse_zone(str(value))
        except ValueError as exc:
            message = str(exc)
            if key == "home_timezone":
                message = message.replace("unknown time zone", "unknown home time zone", 1)
            raise TrackerError(message) from exc
    if key == "schedule_follows" and value not in FOLLOW_CHOICES:
        raise TrackerError(f"schedule_follows is {' or '.join(FOLLOW_CHOICES)}, not {value!r}")
    if key == "crisis_text" and not str(value).strip():
        raise TrackerError("the crisis help text cannot be empty")
    if (
        key == "schedule_follows"
        and value == "home"
        and not get_setting(session=session, key="home_timezone")
    ):
        _store(session, "home_timezone", str(get_setting(session=session, key="timezone")))
    _store(session, key, value)


def _store(session: Session, key: str, value: Any) -> None:
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


def _zone_or_none(name: Any) -> ZoneInfo | None:
    try:
        return parse_zone(str(name))
    except ValueError:
        return None


def zones(stored: Mapping[str, Any], *, current: ZoneInfo | None = None) -> tuple[ZoneInfo, ZoneInfo]:
    """(the user's zone, the schedule zone) from stored values of timezone, schedule_follows, home_timezone.

    ``stored`` holds only the keys stored (decoded JSON); absent ones take their defaults.
    ``current`` (when given) is the user's zone, in place of the stored ``timezone``. The
    schedule zone is the home zone when following home and one is set, else the user's.
    Unknown zone names fall back as ``user_zone`` does: never an error at read time.
    """
    here = current or _zone_or_none(stored.get("timezone") or local_zone_name()) or ZoneInfo("UTC")
    if stored.get("schedule_follows", DEFAULTS["schedule_follows"]) != "home":
        return here, here
    home = stored.get("home_timezone")
    return here, (_zone_or_none(home) if home else None) or here


def schedule_zone(*, session: Reads, current: ZoneInfo | None = None) -> ZoneInfo:
    """The zone dose schedules are expanded in: the home zone when following home, else the user's zone.

    ``current`` stands for the user's zone when the caller has it already (or runs the
    schedule in another zone, as tests do); it is also the answer when following "current".
    """
    keys = ("timezone", "schedule_follows", "home_timezone")
    rows = raw(session).execute(
        f"SELECT key, value FROM setting WHERE key IN ({', '.join('?' * len(keys))})", keys
    )
    return zones({key: json.loads(value) for key, value in rows}, current=current)[1]
