"""User settings stored as JSON values in the ``setting`` table, with defaults.

Read with plain SQL (``Reads``: a session or a plain connection), so the start-up
read of the theme never imports the ORM; only ``set_setting`` does.

Time zones (DOMAIN.md "Time" and the travel rule): ``timezone`` is the zone the user
is in now; it decides "today", symptom days and how times are shown. Dose schedules
are wall-clock times in the *schedule zone* (``schedule_zone``): the same zone when
``schedule_follows`` is "current", the ``home_timezone`` when it is "home".

Zone history (``timezone_history``): a schedule that follows the user's zone must not
re-expand the past when the user travels or moves, or every dose logged before turns
into a missed one. So each change of the schedule zone is remembered with the local day
it takes effect, the day AFTER the change in the new zone: the day of the change keeps
the old zone's slots, which are the ones its doses were already logged against (a dose
logged after landing still fills that day's old-zone slot, as it did before the change).
Stored as a JSON list ``[{"from": null, "zone": <zone before the first change>},
{"from": "YYYY-MM-DD", "zone": "Area/City"}, ...]``, it travels with the other settings
in the JSON export. ``schedule_timeline`` reads it as a ``ZoneTimeline``; following
"home" keeps the one home zone for every day, as before.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from tracker.domain import bounds
from tracker.domain.errors import TrackerError
from tracker.domain.schedule import ZoneTimeline, same_zone
from tracker.domain.timeutil import local_day, parse_zone, utc_now
from tracker.queries.schedule import HISTORY_KEY, ZONE_KEYS, zone_settings
from tracker.store import Reads, raw

if TYPE_CHECKING:
    from sqlmodel import Session

DEFAULT_CRISIS_TEXT = (
    "If you are in danger or thinking about harming yourself, contact your local emergency number "
    "or a crisis line now."
)

DEFAULTS: dict[str, Any] = {
    "timezone": "UTC",
    "theme": "taper-dark",  # tracker.ui.themes.DEFAULT_THEME
    "crisis_text": DEFAULT_CRISIS_TEXT,
    "disclaimer_acknowledged": False,
    "first_run_done": False,
    "patient_name": "",
    "schedule_follows": "current",  # or "home": DOMAIN.md travel rule
    "home_timezone": None,  # the zone schedules keep when following home; None: the ``timezone``
    "reminder_thresholds": {},
    "is_demo": False,
    "timezone_history": [],  # see the module docstring: the zones past days' schedules were in
    # desktop notifications (issue 14; bounds in tracker.domain.notify_policy.check_setting)
    "notify_show_names": False,
    "notify_quiet_hours": "",
    "notify_kinds_off": [],
    "notify_urgent_repeat_hours": 4,
    "notify_dose_repeat_minutes": 60,
    # the PHQ-9 / GAD-7 check-in every 2 weeks (issue 15): "during-taper", "always" or "off"
    "scale_checkin": "during-taper",
}

SCALE_CHECKIN_CHOICES = ("during-taper", "always", "off")

# The settings in the user's words, for History and messages (never the stored key).
SETTING_WORDS = {
    "timezone": "time zone",
    "theme": "theme",
    "crisis_text": "crisis text",
    "disclaimer_acknowledged": "disclaimer read",
    "first_run_done": "welcome finished",
    "patient_name": "name on exports",
    "schedule_follows": "dose times follow",
    "home_timezone": "home time zone",
    "reminder_thresholds": "reminder thresholds",
    "is_demo": "demo data",
    "timezone_history": "time zones of past days",
    "notify_show_names": "names in notifications",
    "notify_quiet_hours": "quiet hours",
    "notify_kinds_off": "notifications switched off",
    "notify_urgent_repeat_hours": "urgent reminder repeat (hours)",
    "notify_dose_repeat_minutes": "dose reminder repeat (minutes)",
    "scale_checkin": "PHQ-9/GAD-7 check-in",
}


def setting_words(key: object) -> str:
    """A setting as the user knows it: ``first_run_done`` -> ``welcome finished``."""
    text = str(key)
    return SETTING_WORDS.get(text, text.replace("_", " "))


# The settings that decide the zone schedules are expanded in (read together, in one statement).
SCHEDULE_KEYS = ZONE_KEYS


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


def set_setting(*, session: Session, key: str, value: Any, now: datetime | None = None) -> None:
    """Store one setting, checked first (a TrackerError names what is wrong; nothing is written).

    Switching ``schedule_follows`` to "home" with no home zone stored makes the current
    ``timezone`` the home zone, so schedules stay where they are until the user moves on.
    A change of ``timezone`` (or of the other zone settings) that moves the schedule zone
    is added to ``timezone_history``, taking effect the day after ``now`` (default: the
    clock) in the new zone. The first ``timezone`` ever stored records nothing: it covers
    all past days.
    """
    if key not in DEFAULTS:
        raise TrackerError(f"unknown setting {key!r}")
    if key == "timezone" or (key == "home_timezone" and value is not None):
        try:
            value = parse_zone(str(value)).key  # a city name (london) is stored as Europe/London
        except ValueError as exc:
            message = str(exc)
            if key == "home_timezone":
                message = message.replace("unknown time zone", "unknown home time zone", 1)
            raise TrackerError(message) from exc
    if key == "schedule_follows" and value not in FOLLOW_CHOICES:
        raise TrackerError(f"schedule_follows is {' or '.join(FOLLOW_CHOICES)}, not {value!r}")
    if key == "scale_checkin" and value not in SCALE_CHECKIN_CHOICES:
        raise TrackerError(f"scale_checkin is one of {', '.join(SCALE_CHECKIN_CHOICES)}")
    if key == "crisis_text" and not str(value).strip():
        raise TrackerError("the crisis help text cannot be empty")
    if key == "reminder_thresholds":
        problems = bounds.threshold_problems(value)
        if problems:
            raise TrackerError(problems[0])
    if key == HISTORY_KEY:
        _check_history(value)
    if key.startswith("notify_"):
        _check_notify(key, value)
    before = zone_settings(session=session) if key in SCHEDULE_KEYS[:3] else None
    if (
        key == "schedule_follows"
        and value == "home"
        and not get_setting(session=session, key="home_timezone")
    ):
        _store(session, "home_timezone", str(get_setting(session=session, key="timezone")))
    _store(session, key, value)
    if before is not None and "timezone" in before:
        _record_zone_change(session, before, zone_settings(session=session), now or utc_now())


def _record_zone_change(
    session: Session, before: Mapping[str, Any], after: Mapping[str, Any], now: datetime
) -> None:
    """Add the schedule zone's change (if any) to the history, from the day after ``now`` in the new zone."""
    old, new = zones(before)[1], zones(after)[1]
    if same_zone(old, new):
        return
    past = history_timeline(before.get(HISTORY_KEY)) or ZoneTimeline(old)
    day = local_day(now, new) + timedelta(days=1)
    _store(session, HISTORY_KEY, history_entries(past.with_latest(old).changed(day, new)))


def _check_notify(key: str, value: Any) -> None:
    from tracker.domain.notify_policy import check_setting

    try:
        check_setting(key, value)
    except ValueError as exc:
        raise TrackerError(str(exc)) from exc


def _check_history(value: Any) -> None:
    """Refuse a ``timezone_history`` that is not a list of {"from": date or null, "zone": zone name}."""
    if not isinstance(value, list):
        raise TrackerError("timezone_history is a list of {from, zone} entries")
    for entry in value:
        if not isinstance(entry, dict) or set(entry) != {"from", "zone"}:
            raise TrackerError(f"timezone_history entries are {{from, zone}}, not {entry!r}")
        try:
            parse_zone(str(entry["zone"]))
            if entry["from"] is not None:
                date.fromisoformat(str(entry["from"]))
        except ValueError as exc:
            raise TrackerError(f"timezone_history: {exc}") from exc


def history_entries(timeline: ZoneTimeline) -> list[dict[str, Any]]:
    """``timeline`` as stored in ``timezone_history`` (JSON-ready)."""
    return [
        {"from": None, "zone": timeline.first.key},
        *({"from": day.isoformat(), "zone": zone.key} for day, zone in timeline.changes),
    ]


def history_timeline(value: Any) -> ZoneTimeline | None:
    """The stored ``timezone_history`` as a timeline; None when there is none.

    Never an error at read time: entries with an unknown zone or a bad date are left out.
    The entry without a day (else the earliest) gives the zone before the first change.
    """
    if not isinstance(value, list):
        return None
    first: ZoneInfo | None = None
    changes: list[tuple[date, ZoneInfo]] = []
    for entry in value:
        if not isinstance(entry, dict):
            continue
        zone = _zone_or_none(entry.get("zone"))
        if zone is None:
            continue
        start = entry.get("from")
        if start is None:
            first = first or zone
            continue
        try:
            changes.append((date.fromisoformat(str(start)), zone))
        except ValueError:
            continue
    changes.sort(key=lambda change: change[0])
    if first is None:
        if not changes:
            return None
        first = changes.pop(0)[1]
    timeline = ZoneTimeline(first)
    for day, zone in changes:
        timeline = timeline.changed(day, zone)
    return timeline


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


def keeps_home(stored: Mapping[str, Any]) -> bool:
    """Whether dose times stay on the home zone (``schedule_follows`` is "home"), from stored values."""
    return bool(stored.get("schedule_follows", DEFAULTS["schedule_follows"]) == "home")


def zones(stored: Mapping[str, Any], *, current: ZoneInfo | None = None) -> tuple[ZoneInfo, ZoneInfo]:
    """(the user's zone, the schedule zone) from stored values of timezone, schedule_follows, home_timezone.

    ``stored`` holds only the keys stored (decoded JSON); absent ones take their defaults.
    ``current`` (when given) is the user's zone, in place of the stored ``timezone``. The
    schedule zone is the home zone when following home and one is set, else the user's.
    Unknown zone names fall back as ``user_zone`` does: never an error at read time.
    """
    here = current or _zone_or_none(stored.get("timezone") or local_zone_name()) or ZoneInfo("UTC")
    if not keeps_home(stored):
        return here, here
    home = stored.get("home_timezone")
    return here, (_zone_or_none(home) if home else None) or here


def timeline(
    stored: Mapping[str, Any], *, current: ZoneInfo | None = None, now: datetime | None = None
) -> ZoneTimeline:
    """The zones dose schedules are expanded in, day by day, from stored values of ``SCHEDULE_KEYS``.

    Following home: the home zone (``zones``) on every day. Following the user's zone: the
    stored history, whose latest zone is always the user's zone now (``current`` when
    given, else the ``timezone`` setting), so a zone stored without history (an old
    export) or a caller running the schedule in another zone gets that zone from the last
    change on. With ``now``, changes recorded after it (later than the day after ``now``)
    are left out: they had not happened yet.
    """
    here, zone = zones(stored, current=current)
    if keeps_home(stored):
        return ZoneTimeline(zone)
    past = history_timeline(stored.get(HISTORY_KEY))
    if past is None:
        return ZoneTimeline(here)
    if now is not None:
        past = past.known_at(now)
    return past.with_latest(here)


def schedule_timeline(
    *, session: Reads, current: ZoneInfo | None = None, now: datetime | None = None
) -> ZoneTimeline:
    """The zones dose schedules are expanded in, day by day (``timeline``), in one statement."""
    return timeline(zone_settings(session=session), current=current, now=now)


def schedule_zone(*, session: Reads, current: ZoneInfo | None = None) -> ZoneInfo:
    """The zone dose schedules follow from now on: the home zone when following home, else the user's.

    ``current`` stands for the user's zone when the caller has it already (or runs the
    schedule in another zone, as tests do); it is also the answer when following "current".
    Past days may have been in other zones: ``schedule_timeline`` says which.
    """
    return schedule_timeline(session=session, current=current).latest
