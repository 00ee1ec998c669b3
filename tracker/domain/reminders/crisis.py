"""R8 Crisis (urgent): thoughts of self-harm at any severity, PHQ-9 item 9 above 0, or mood 1 or lower.

For any day, while the entry was written in the last 3 days (a backfilled entry counts when
it is written). The triggers are constants of ``tracker.domain.safety``, not settings; the
help text is the user's ``crisis_text``. The services layer turns each kind of entry into a
:class:`CrisisEntry`, so a new source (PHQ-9 answers) needs no change here.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from tracker.domain.reminders.common import (
    CrisisEntry,
    Reminder,
    ReminderContext,
    day_text,
    make,
    urgent_fingerprint,
)
from tracker.domain.reminders.wording import text
from tracker.domain.safety import CRISIS_MOOD_MAX, CRISIS_WRITTEN_WITHIN
from tracker.domain.timeutil import as_utc, local_to_utc

__all__ = ["is_crisis_entry", "recent_crisis_entries", "rule_r8"]

_KIND_ORDER = {"self-harm": 0, "phq9-item9": 1, "low-mood": 2}


def is_crisis_entry(entry: CrisisEntry) -> bool:
    """True when the entry is one R8 reacts to (a low mood only at or below the constant)."""
    if entry.kind == "low-mood":
        return entry.value <= CRISIS_MOOD_MAX
    return entry.value > 0


def recent_crisis_entries(entries: tuple[CrisisEntry, ...], now: datetime) -> list[CrisisEntry]:
    """The crisis entries written within the last 3 days (``safety.CRISIS_WRITTEN_WITHIN``) up to ``now``."""
    now = as_utc(now)
    return [
        e
        for e in entries
        if is_crisis_entry(e)
        and as_utc(e.written_at) <= now
        and now - as_utc(e.written_at) <= CRISIS_WRITTEN_WITHIN
    ]


def _what(entry: CrisisEntry) -> str:
    return text("R8", f"what_{entry.kind}", mood=entry.value)


def rule_r8(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """R8: one urgent reminder naming the day of the latest-written crisis entry.

    Its fingerprint lists every recent entry (kind, day, when written), so a new entry
    brings a silenced reminder back at once.
    """
    recent = recent_crisis_entries(ctx.crisis_entries, now)
    if not recent:
        return []
    latest = max(recent, key=lambda e: (as_utc(e.written_at), e.day))
    same_day = sorted(
        {e.kind: e for e in recent if e.day == latest.day}.values(), key=lambda e: _KIND_ORDER[e.kind]
    )
    what = _what(same_day[0])
    for entry in same_day[1:]:
        what = text("R8", "and", first=what, second=_what(entry))
    message = text(
        "R8", "crisis", what=what, date=day_text(latest.day), crisis_text=ctx.settings.crisis_text.strip()
    )
    tokens = [
        f"{e.kind}:{e.day.isoformat()}:{as_utc(e.written_at).isoformat(timespec='seconds')}" for e in recent
    ]
    return [
        make(
            "R8",
            "R8:crisis",
            "urgent",
            message,
            "help",
            urgent_fingerprint("crisis", tokens),
            at=local_to_utc(latest.day, time(0), tz),
        )
    ]
