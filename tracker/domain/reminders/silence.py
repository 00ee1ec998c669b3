"""Dismissing and snoozing reminders (DOMAIN.md "Safety rules no setting, import or key can relax").

A reminder that is not urgent, once dismissed, stays quiet while its fingerprint is
unchanged (its condition has not changed); snoozed, until the time chosen.

An urgent reminder (R3, R4's stop case, R8, R12) is never dismissed for good: dismissing it
snoozes it for ``safety.URGENT_SILENCE_LIMIT`` (24 hours), a longer snooze is cut to that, and a
stored state that claims more (an old row, an edited file) is not honoured. It comes back
sooner when it gets worse than when it was silenced (``common.is_worse``: a higher burden,
another day without a dose, a new entry). Nothing here reads a setting.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from tracker.domain.reminders.common import Reminder, is_worse
from tracker.domain.safety import URGENT_SILENCE_LIMIT
from tracker.domain.timeutil import as_utc

__all__ = ["DismissalState", "clamp_snooze", "dismiss", "snooze", "visible"]


@dataclass(frozen=True, slots=True)
class DismissalState:
    """What the user did with the reminder called ``key`` while it had ``fingerprint``."""

    key: str
    fingerprint: str
    dismissed: bool = False
    snoozed_until: datetime | None = None


def _urgent(reminder: Reminder) -> bool:
    return reminder.severity == "urgent"


def clamp_snooze(reminder: Reminder, until: datetime, now: datetime) -> datetime:
    """The snooze end actually allowed: an urgent reminder's at most 24 hours from ``now``."""
    until = as_utc(until)
    if not _urgent(reminder):
        return until
    return min(until, as_utc(now) + URGENT_SILENCE_LIMIT)


def snooze(reminder: Reminder, until: datetime, now: datetime) -> DismissalState:
    """The state to store when the user snoozes ``reminder`` until ``until`` (clamped)."""
    return DismissalState(
        reminder.key, reminder.fingerprint, dismissed=False, snoozed_until=clamp_snooze(reminder, until, now)
    )


def dismiss(reminder: Reminder, now: datetime) -> DismissalState:
    """The state to store when the user dismisses ``reminder``; for an urgent one, a 24 h snooze."""
    if _urgent(reminder):
        return snooze(reminder, as_utc(now) + URGENT_SILENCE_LIMIT, now)
    return DismissalState(reminder.key, reminder.fingerprint, dismissed=True)


def _hidden(reminder: Reminder, state: DismissalState, now: datetime) -> bool:
    if _urgent(reminder):
        if state.snoozed_until is None or is_worse(reminder.fingerprint, state.fingerprint):
            return False
        until = as_utc(state.snoozed_until)
        return now < until and until - now <= URGENT_SILENCE_LIMIT
    if state.fingerprint != reminder.fingerprint:
        return False  # the condition changed: whatever the user did applied to the old one
    if state.dismissed:
        return True
    return state.snoozed_until is not None and now < as_utc(state.snoozed_until)


def visible(reminders: Iterable[Reminder], states: Iterable[DismissalState], now: datetime) -> list[Reminder]:
    """The reminders to show: not dismissed with an unchanged fingerprint, not snoozed past ``now``."""
    now = as_utc(now)
    by_key = {state.key: state for state in states}
    return [r for r in reminders if (state := by_key.get(r.key)) is None or not _hidden(r, state, now)]
