"""R12 Possible overdose (urgent): a day's logged total above the licensed maximum or twice the prescription.

The licensed maxima and the wording are constants (``tracker.domain.drugs``,
``tracker.domain.safety.overdose_reason`` and ``OVERDOSE_TEXT``): no setting changes them.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from tracker.domain.reminders.common import (
    Reminder,
    ReminderContext,
    day_text,
    in_force,
    make,
    mg,
    name_of,
    prescriber_for,
    urgent_fingerprint,
)
from tracker.domain.reminders.wording import text
from tracker.domain.safety import overdose_reason
from tracker.domain.timeutil import local_day, local_to_utc

__all__ = ["OVERDOSE_DAYS", "rule_r12"]

OVERDOSE_DAYS = 2  # today and yesterday: "contact ... now" is about the last day or so


def rule_r12(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """R12: for each medication and each of the last 2 local days, a total logged as taken
    above the drug's licensed maximum daily dose or above twice the prescribed daily dose.

    Archived medications count too: a dose taken is a dose taken. The level in the
    fingerprint is the day's total, so a further dose brings a silenced reminder back.
    """
    today = local_day(now, tz)
    first = today - timedelta(days=OVERDOSE_DAYS - 1)
    out: list[Reminder] = []
    for (medication_id, day), total in sorted(ctx.daily_taken.items()):
        if not first <= day <= today:
            continue
        name = name_of(ctx, medication_id)
        prescription = in_force(ctx, medication_id, day)
        daily = prescription.daily_mg if prescription else None
        table = ctx.micro.get(prescription.id) if prescription is not None and prescription.id else None
        row_mg = table.daily_mg_on(day) if table is not None else None
        if row_mg is not None and row_mg > 0:
            daily = row_mg  # D8: the day's row of a running micro-step table is the prescribed dose
        reason = overdose_reason(name, total, daily)
        if reason is None:
            continue
        message = text(
            "R12",
            "overdose",
            date=day_text(day),
            total=mg(total),
            medication=name,
            reason=reason,
            prescriber=prescriber_for(ctx, medication_id, today),
        )
        out.append(
            make(
                "R12",
                f"R12:med{medication_id}:{day.isoformat()}",
                "urgent",
                message,
                "today",
                urgent_fingerprint(day.isoformat(), level=total),
                at=local_to_utc(day, time(0), tz),
                medication_id=medication_id,
            )
        )
    return out
