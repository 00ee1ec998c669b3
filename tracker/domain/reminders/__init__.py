"""Reminder rules R1-R12 of DOMAIN.md as pure, deterministic functions, one module per group.

- ``plan``: R1 upcoming step, R2 not settled, R6 check-in due, R7 plan not agreed
- ``flare``: R3 flare after a reduction (any kind of reduction)
- ``doses``: R4 unplanned change and its stop case, R5 missed doses, R9 doses due
- ``crisis``: R8 crisis
- ``prescriptions``: R10 starting out, R11 prescription ending
- ``overdose``: R12 possible overdose
- ``silence``: dismiss and snooze (urgent ones 24 hours at most, back sooner when worse)
- ``common`` (inputs, the reminder, shared helpers) and ``wording`` (every message) are what they share.

The safety constants (24-hour limit, crisis triggers, overdose table) live in
``tracker.domain.safety``; each rule returns :class:`Reminder` values whose wording never
tells anyone to change a dose.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tracker.domain.reminders.common import (
    CrisisEntry,
    DoseInfo,
    MedicationInfo,
    PlanInfo,
    PrescriptionInfo,
    Reminder,
    ReminderContext,
    ReminderSettings,
    ScheduledDose,
    StepInfo,
    is_worse,
    scheduled_doses,
    urgent_fingerprint,
)
from tracker.domain.reminders.crisis import is_crisis_entry, rule_r8
from tracker.domain.reminders.doses import archive_stop_message, missed_doses, rule_r4, rule_r5, rule_r9
from tracker.domain.reminders.flare import Reduction, latest_reduction, reductions, rule_r3
from tracker.domain.reminders.overdose import rule_r12
from tracker.domain.reminders.plan import (
    plan_start_blocked,
    rule_r1,
    rule_r2,
    rule_r6,
    rule_r7,
    settle_reference_start,
)
from tracker.domain.reminders.prescriptions import rule_r10, rule_r11
from tracker.domain.reminders.silence import DismissalState, clamp_snooze, dismiss, snooze, visible
from tracker.domain.reminders.wording import all_message_templates
from tracker.domain.timeutil import as_utc

__all__ = [
    "RULES",
    "CrisisEntry",
    "DismissalState",
    "DoseInfo",
    "MedicationInfo",
    "PlanInfo",
    "PrescriptionInfo",
    "Reduction",
    "Reminder",
    "ReminderContext",
    "ReminderSettings",
    "ScheduledDose",
    "StepInfo",
    "all_message_templates",
    "archive_stop_message",
    "clamp_snooze",
    "dismiss",
    "evaluate",
    "is_crisis_entry",
    "is_worse",
    "latest_reduction",
    "missed_doses",
    "plan_start_blocked",
    "reductions",
    "rule_r1",
    "rule_r2",
    "rule_r3",
    "rule_r4",
    "rule_r5",
    "rule_r6",
    "rule_r7",
    "rule_r8",
    "rule_r9",
    "rule_r10",
    "rule_r11",
    "rule_r12",
    "scheduled_doses",
    "settle_reference_start",
    "snooze",
    "urgent_fingerprint",
    "visible",
]

RuleFunction = Callable[[ReminderContext, datetime, ZoneInfo], list[Reminder]]

RULES: dict[str, RuleFunction] = {
    "R1": rule_r1,
    "R2": rule_r2,
    "R3": rule_r3,
    "R4": rule_r4,
    "R5": rule_r5,
    "R6": rule_r6,
    "R7": rule_r7,
    "R8": rule_r8,
    "R9": rule_r9,
    "R10": rule_r10,
    "R11": rule_r11,
    "R12": rule_r12,
}

_SEVERITY_RANK: dict[str, int] = {"urgent": 0, "warning": 1, "info": 2}


def _sort_key(reminder: Reminder) -> tuple[int, int, datetime, str]:
    at = reminder.at if reminder.at is not None else datetime.max.replace(tzinfo=UTC)
    return (_SEVERITY_RANK[reminder.severity], int(reminder.rule[1:]), at, reminder.key)


def evaluate(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """Every reminder due at ``now``: urgent first, then warning, then info; then by rule, time and key."""
    now = as_utc(now)
    found = [reminder for rule in RULES.values() for reminder in rule(ctx, now, tz)]
    return sorted(found, key=_sort_key)
