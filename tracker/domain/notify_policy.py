"""When a reminder becomes a desktop notification, and what the notification says (issue 14).

Pure: ``decide`` reads the reminders due now, what was already sent (``Sent``), the dose
snoozes and the user's notification preferences, and returns what to send now. Nothing
here reads a clock, a file or the database, so a whole simulated day of timer runs is a
plain loop in a unit test.

The rules:

- A reminder is sent once when it first appears, and again only when its fingerprint
  changes (its condition changed).
- An urgent reminder (R3, R4's stop case, R8, R12) is repeated every
  ``urgent_repeat`` (default 4 h) while it stays due and unacknowledged: dismissing or
  snoozing it (at most 24 h, a program constant) removes it from the reminders due, so
  it stops. Urgent reminders ignore quiet hours and the per-kind switches: no setting
  relaxes a safety rule (DOMAIN.md).
- A dose reminder (R9) is sent at its scheduled time (never before: a dose later in the
  day is not due), with one gentle repeat ``dose_repeat`` after the first send, and
  never once it counts as missed (6 h after its time; R5 speaks then). A snooze puts
  it off: nothing before the snooze ends, then one notification, then one gentle repeat.
- Quiet hours hold back every reminder but the urgent ones; one still due when they end
  is sent then.
- A record still ``pending`` (the run crashed between recording the intent and
  confirming the send) is sent once more, then counts as sent: at most one duplicate.

Wording (``compose``): a lock screen is not private, so the text never names a
medication unless the user allowed it (``show_names``); it names the command to run
where the platform has no buttons.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from tracker.domain.safety import OVERDOSE_TEXT
from tracker.domain.timeutil import as_utc

__all__ = [
    "DEFAULT_DOSE_REPEAT_MINUTES",
    "DEFAULT_URGENT_REPEAT_HOURS",
    "DOSE_RULE",
    "KINDS",
    "MISSED_AFTER",
    "SNOOZE_CHOICES_MINUTES",
    "Candidate",
    "Decision",
    "Message",
    "NotifyPrefs",
    "Sent",
    "compose",
    "decide",
    "in_quiet_hours",
    "parse_quiet_hours",
    "parse_snooze",
]

DOSE_RULE = "R9"
MISSED_AFTER = timedelta(hours=6)  # DOMAIN.md R5: a dose with nothing logged 6 h after its time is missed
RETRY_ATTEMPTS = 2  # a pending record is sent at most this many times in all
DEFAULT_URGENT_REPEAT_HOURS = 4
URGENT_REPEAT_BOUNDS = (1, 12)  # hours; below 1 h is nagging, above 12 h hides an urgent reminder for a night
DEFAULT_DOSE_REPEAT_MINUTES = 60
DOSE_REPEAT_BOUNDS = (15, 300)  # minutes; the repeat must come before the dose counts as missed (6 h)
QUIET_SPAN_BOUNDS = (timedelta(hours=1), timedelta(hours=14))  # a night, never most of the day
SNOOZE_CHOICES_MINUTES = 15  # the "Snooze 15 min" button
SNOOZE_EARLY = timedelta(hours=1)  # a dose up to an hour before its time can be put off too
SNOOZE_BOUNDS = (timedelta(minutes=5), MISSED_AFTER)  # a dose is missed 6 h after its time anyway

# The switchable kinds of reminder, by rule, with the words Settings shows.
KINDS: dict[str, str] = {
    "R1": "taper step coming up",
    "R2": "symptoms not settled before a step",
    "R4": "dose differs from the plan",
    "R5": "missed doses",
    "R6": "check-in with the prescriber",
    "R7": "plan not agreed yet",
    "R9": "dose due",
    "R10": "starting out",
    "R11": "prescription ending",
}

Occasion = Literal["new", "changed", "repeat", "due", "again", "after-snooze", "retry"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A reminder due now, as the service's public reminder list gives it."""

    key: str
    rule: str
    severity: str
    fingerprint: str
    message: str
    at: datetime | None = None
    medication_id: int | None = None

    @property
    def is_dose(self) -> bool:
        return self.rule == DOSE_RULE and self.at is not None


@dataclass(frozen=True, slots=True)
class Sent:
    """One notification recorded for a reminder key (pending until its send is confirmed)."""

    key: str
    fingerprint: str
    at: datetime
    confirmed: bool = True
    attempts: int = 1
    id: int | None = None


@dataclass(frozen=True, slots=True)
class NotifyPrefs:
    """The user's notification settings, already checked against their bounds."""

    quiet_start: time | None = None
    quiet_end: time | None = None
    disabled: frozenset[str] = frozenset()
    urgent_repeat: timedelta = timedelta(hours=DEFAULT_URGENT_REPEAT_HOURS)
    dose_repeat: timedelta = timedelta(minutes=DEFAULT_DOSE_REPEAT_MINUTES)
    show_names: bool = False


@dataclass(frozen=True, slots=True)
class Decision:
    """Send ``candidate`` now, for this reason; ``retry_of`` is the pending record sent again."""

    candidate: Candidate
    occasion: Occasion
    retry_of: int | None = None


@dataclass(frozen=True, slots=True)
class Message:
    """One desktop notification: its text, urgency, the reminder keys it covers, and the dose it is about."""

    title: str
    body: str
    urgent: bool
    keys: tuple[str, ...]
    dose: Candidate | None = None  # a dose reminder: offers "Taken" and "Snooze 15 min"
    hint: str = ""  # the command to run, added to the body where the platform has no buttons
    extra: Mapping[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- quiet hours


def parse_quiet_hours(text: str) -> tuple[time, time] | None:
    """``"22:00-07:00"`` as (start, end); "" or "off" is None. ValueError names what is wrong.

    Bounds: start and end differ, and the quiet span is from 1 to 14 hours.
    """
    text = text.strip().lower()
    if text in ("", "off", "none"):
        return None
    parts = text.replace("–", "-").split("-")
    if len(parts) != 2:
        raise ValueError("quiet hours are two times such as 22:00-07:00, or off")
    try:
        start, end = (time.fromisoformat(p.strip()) for p in parts)
    except ValueError as exc:
        raise ValueError(
            "quiet hours are two times such as 22:00-07:00 (hours 00-23, minutes 00-59)"
        ) from exc
    span = _span(start, end)
    low, high = QUIET_SPAN_BOUNDS
    if not low <= span <= high:
        raise ValueError("quiet hours last from 1 to 14 hours")
    return start, end


def parse_snooze(text: str) -> timedelta:
    """``"30m"``, ``"1h"``, ``"1h30m"`` or a plain number of minutes, from 5 minutes to 6 hours."""
    import re

    raw = text.strip().lower().replace(" ", "")
    found = re.fullmatch(r"(?:(\d{1,2})h)?(?:(\d{1,3})(?:m|min)?)?", raw)
    if not raw or found is None or not any(found.groups()):
        raise ValueError(f"snooze for a time such as 15m, 30m or 1h, not {text.strip()[:20]!r}")
    hours, minutes = (int(g) if g else 0 for g in found.groups())
    length = timedelta(hours=hours, minutes=minutes)
    low, high = SNOOZE_BOUNDS
    if not low <= length <= high:
        raise ValueError("snooze for 5 minutes to 6 hours (a dose counts as missed 6 hours after its time)")
    return length


def _span(start: time, end: time) -> timedelta:
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return timedelta(minutes=minutes % (24 * 60))


def in_quiet_hours(now: datetime, tz: ZoneInfo, prefs: NotifyPrefs) -> bool:
    """Whether ``now`` (local wall clock in ``tz``) falls in the quiet hours; start included, end not."""
    if prefs.quiet_start is None or prefs.quiet_end is None:
        return False
    local = as_utc(now).astimezone(tz)
    minute = local.hour * 60 + local.minute
    start = prefs.quiet_start.hour * 60 + prefs.quiet_start.minute
    end = prefs.quiet_end.hour * 60 + prefs.quiet_end.minute
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end


# --------------------------------------------------------------------------- deciding


def _latest(records: Sequence[Sent]) -> Sent | None:
    return max(records, key=lambda r: r.at) if records else None


def _dose_decision(
    c: Candidate,
    records: Sequence[Sent],
    snooze: tuple[datetime, datetime] | None,
    prefs: NotifyPrefs,
    now: datetime,
) -> Occasion | None:
    assert c.at is not None
    at = as_utc(c.at)
    if now < at or now >= at + MISSED_AFTER:
        return None  # not due yet, or missed already (R5 speaks then)
    relevant = list(records)
    after_snooze = False
    if snooze is not None:
        until, made = snooze
        if now < until:
            return None
        relevant = [r for r in records if r.at > made]  # sent after the snooze was made
        after_snooze = True
    if not relevant:
        return "after-snooze" if after_snooze else "due"
    if len(relevant) == 1 and now >= relevant[0].at + prefs.dose_repeat:
        return "again"
    return None


def decide(
    candidates: Iterable[Candidate],
    sent: Iterable[Sent],
    now: datetime,
    tz: ZoneInfo,
    prefs: NotifyPrefs,
    snoozes: Mapping[tuple[int, datetime], tuple[datetime, datetime]] | None = None,
) -> list[Decision]:
    """What to send at ``now``.

    Args:
        candidates: the reminders due now (already without those the user dismissed or snoozed).
        sent: every notification recorded for these keys, pending ones included.
        now: the instant of this run.
        tz: the user's zone (quiet hours are local wall-clock times).
        prefs: quiet hours, switched-off kinds, repeat intervals.
        snoozes: dose snoozes by (medication id, scheduled instant): (until, when it was made).
    """
    now = as_utc(now)
    by_key: dict[str, list[Sent]] = {}
    for record in sent:
        by_key.setdefault(record.key, []).append(record)
    quiet = in_quiet_hours(now, tz, prefs)
    out: list[Decision] = []
    for c in candidates:
        urgent = c.severity == "urgent"
        if not urgent and (quiet or c.rule in prefs.disabled):
            continue
        records = by_key.get(c.key, [])
        last = _latest(records)
        if (
            last is not None
            and not last.confirmed
            and last.fingerprint == c.fingerprint
            and last.attempts < RETRY_ATTEMPTS
        ):
            out.append(Decision(c, "retry", retry_of=last.id))
            continue
        if c.is_dose:
            snooze = None
            if snoozes and c.medication_id is not None and c.at is not None:
                snooze = snoozes.get((c.medication_id, as_utc(c.at)))
            occasion = _dose_decision(c, records, snooze, prefs, now)
            if occasion is not None:
                out.append(Decision(c, occasion))
            continue
        same = [r for r in records if r.fingerprint == c.fingerprint]
        if not same:
            out.append(Decision(c, "changed" if records else "new"))
        elif urgent:
            latest = _latest(same)
            assert latest is not None
            if now >= as_utc(latest.at) + prefs.urgent_repeat:
                out.append(Decision(c, "repeat"))
    return out


# --------------------------------------------------------------------------- wording

_TITLES: dict[str, str] = {
    "R1": "A taper step is coming up",
    "R2": "Symptoms before your next step",
    "R3": "Urgent: symptoms after a reduction",
    "R4": "A dose differs from your plan",
    "R5": "Missed doses",
    "R6": "Time for a check-in with your prescriber",
    "R7": "Your taper plan is not agreed yet",
    "R8": "Please read this now",
    "R10": "Starting out",
    "R11": "A prescription is ending",
    "R12": "Urgent: possible overdose",
}
_OPEN = "Open taper-tracker to read it: run `tracker remind` or `tracker`."


def _title(c: Candidate, tz: ZoneInfo) -> str:
    if c.is_dose:
        assert c.at is not None
        return f"Dose due at {as_utc(c.at).astimezone(tz):%H:%M}"
    if c.rule == "R4" and c.severity == "urgent":
        return "Urgent: a medicine may have stopped suddenly"
    return _TITLES.get(c.rule, "A reminder from taper-tracker")


def _body(c: Candidate, show_names: bool, crisis_text: str) -> str:
    if c.rule == "R8":
        return crisis_text  # never hidden, never names anything
    if show_names:
        return c.message
    if c.rule == "R12":
        return f"{OVERDOSE_TEXT} {_OPEN}"
    if c.is_dose:
        return "A scheduled dose has not been logged yet."
    return _OPEN


def compose(
    decisions: Sequence[Decision],
    tz: ZoneInfo,
    *,
    show_names: bool,
    crisis_text: str,
    names: Mapping[int, str] | None = None,
    group_after: int = 3,
) -> list[Message]:
    """The notifications for ``decisions``: one per urgent or dose reminder, the rest grouped.

    More than ``group_after`` other reminders at once become one notification, so a
    first run never floods the screen. ``names`` (medication id -> name) are used only
    with ``show_names``, for the command a dose notification suggests.
    """
    messages: list[Message] = []
    others: list[Decision] = []
    for d in decisions:
        c = d.candidate
        if c.severity == "urgent" or c.is_dose:
            hint = ""
            if c.is_dose:
                name = (names or {}).get(c.medication_id or -1) if show_names else None
                med = name.lower() if name else ""
                hint = (
                    f"Open `tracker` to log it (Enter: taken), "
                    f"or snooze: `tracker log dose {med} --snooze 15m`."
                    if name
                    else "Open `tracker` to log it (Enter: taken, z: snooze 15 min)."
                )
            messages.append(
                Message(
                    title=_title(c, tz),
                    body=_body(c, show_names, crisis_text),
                    urgent=c.severity == "urgent",
                    keys=(c.key,),
                    dose=c if c.is_dose else None,
                    hint=hint,
                )
            )
        else:
            others.append(d)
    if len(others) > group_after:
        messages.append(
            Message(
                title=f"{len(others)} reminders from taper-tracker",
                body="Run `tracker remind` to read them, or open `tracker`.",
                urgent=False,
                keys=tuple(d.candidate.key for d in others),
            )
        )
    else:
        for d in others:
            c = d.candidate
            messages.append(
                Message(
                    title=_title(c, tz),
                    body=_body(c, show_names, crisis_text),
                    urgent=False,
                    keys=(c.key,),
                )
            )
    return messages


# --------------------------------------------------------------------------- settings

SETTING_DEFAULTS: dict[str, object] = {
    "notify_show_names": False,  # a lock screen is not private
    "notify_quiet_hours": "",  # "22:00-07:00"; "" is off
    "notify_kinds_off": [],  # rules (KINDS) whose notifications are switched off
    "notify_urgent_repeat_hours": DEFAULT_URGENT_REPEAT_HOURS,
    "notify_dose_repeat_minutes": DEFAULT_DOSE_REPEAT_MINUTES,
}


def _whole(value: object, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ValueError(f"{what} is a whole number from {low} to {high}")
    if not low <= int(value) <= high:
        raise ValueError(f"{what} is from {low} to {high}")
    return int(value)


def check_setting(key: str, value: object) -> None:
    """Refuse a notification setting outside its bounds: ValueError names the setting and the bounds."""
    if key == "notify_show_names":
        if not isinstance(value, bool):
            raise ValueError("notify_show_names is true or false")
    elif key == "notify_quiet_hours":
        if not isinstance(value, str):
            raise ValueError("notify_quiet_hours is text such as 22:00-07:00, or empty for off")
        parse_quiet_hours(value)
    elif key == "notify_kinds_off":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError('notify_kinds_off is a list of reminder rules such as ["R10"]')
        unknown = [v for v in value if v not in KINDS]
        if unknown:
            raise ValueError(
                f"notify_kinds_off: {unknown[0][:10]!r} cannot be switched off "
                f"(one of {', '.join(KINDS)}; urgent reminders always notify)"
            )
    elif key == "notify_urgent_repeat_hours":
        _whole(value, *URGENT_REPEAT_BOUNDS, "the urgent repeat (hours)")
    elif key == "notify_dose_repeat_minutes":
        _whole(value, *DOSE_REPEAT_BOUNDS, "the dose repeat (minutes)")


def prefs_from(values: Mapping[str, object]) -> NotifyPrefs:
    """Preferences from stored settings; a stored value out of bounds falls back to its default.

    Never an error at read time: an old or hand-edited file must not silence reminders.
    """

    def ok(key: str) -> object:
        value = values.get(key, SETTING_DEFAULTS[key])
        try:
            check_setting(key, value)
        except ValueError:
            return SETTING_DEFAULTS[key]
        return value

    quiet = parse_quiet_hours(str(ok("notify_quiet_hours")))
    kinds = ok("notify_kinds_off")
    return NotifyPrefs(
        quiet_start=quiet[0] if quiet else None,
        quiet_end=quiet[1] if quiet else None,
        disabled=frozenset(kinds) if isinstance(kinds, list) else frozenset(),
        urgent_repeat=timedelta(hours=int(ok("notify_urgent_repeat_hours"))),  # type: ignore[call-overload]
        dose_repeat=timedelta(minutes=int(ok("notify_dose_repeat_minutes"))),  # type: ignore[call-overload]
        show_names=ok("notify_show_names") is True,
    )
