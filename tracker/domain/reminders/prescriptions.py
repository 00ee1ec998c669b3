"""Rules about the prescription over time: R10 starting out, R11 prescription ending.

A completed or abandoned plan says nothing about later prescriptions of the same medicine:
restarted, it is watched like any other (``common.covered_by_plan``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tracker.domain.reminders.common import (
    EPS,
    Reminder,
    ReminderContext,
    active_medication_ids,
    covered_by_plan,
    day_text,
    make,
    mg,
    name_of,
    prescriber_text,
)
from tracker.domain.reminders.wording import text
from tracker.domain.timeutil import local_day

__all__ = ["rule_r10", "rule_r11"]


def rule_r10(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """R10 Starting out (info): the first 6 weeks of a new medication or of a dose increase.

    New means by the day the user says they started it (``MedicationInfo.started_on``); when
    that is not known, nothing is said about starting. An increase is a prescription whose
    daily dose is above the one before it and above every earlier one: going back up to a
    dose taken before (a step back) is not starting out.
    """
    s = ctx.settings
    today = local_day(now, tz)
    window = timedelta(weeks=s.starting_out_weeks)
    out: list[Reminder] = []
    for medication in sorted(ctx.medications, key=lambda m: m.id):
        if medication.archived:
            continue
        own = sorted(
            (p for p in ctx.prescriptions if p.medication_id == medication.id and p.start <= today),
            key=lambda p: (p.start, p.id),
        )
        latest = own[-1] if own else None
        prescriber = prescriber_text(latest.prescriber if latest else None)
        name = name_of(ctx, medication.id)
        started = medication.started_on
        earlier = [p for p in own[:-1] if latest is not None and p.start < latest.start]
        if (
            latest is not None
            and earlier
            and today - latest.start < window
            and latest.daily_mg > earlier[-1].daily_mg + EPS
            and latest.daily_mg > max(p.daily_mg for p in earlier) + EPS
            and (started is None or latest.start > started)
        ):
            message = text(
                "R10",
                "increase",
                medication=name,
                dose=mg(latest.daily_mg),
                date=day_text(latest.start),
                prescriber=prescriber,
            )
            key = f"R10:med{medication.id}:{latest.start.isoformat()}"
        elif started is not None and started <= today and today - started < window:
            message = text("R10", "new", medication=name, date=day_text(started), prescriber=prescriber)
            key = f"R10:med{medication.id}:started:{started.isoformat()}"
        else:
            continue
        out.append(make("R10", key, "info", message, "clinician", key, medication_id=medication.id))
    return out


def rule_r11(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """R11 Prescription ending within 7 days, with no plan covering it and no follow-up prescription."""
    s = ctx.settings
    today = local_day(now, tz)
    active = active_medication_ids(ctx)
    out: list[Reminder] = []
    for prescription in ctx.prescriptions:
        end = prescription.end
        medication_id = prescription.medication_id
        if end is None or medication_id not in active:
            continue
        if not 0 <= (end - today).days <= s.prescription_ending_days:
            continue
        if covered_by_plan(ctx, medication_id, min(today, end)):
            continue
        next_day = end + timedelta(days=1)
        if any(p.medication_id == medication_id and p.covers(next_day) for p in ctx.prescriptions):
            continue
        message = text(
            "R11",
            "ending",
            medication=name_of(ctx, medication_id),
            date=day_text(end),
            prescriber=prescriber_text(prescription.prescriber),
        )
        key = f"R11:med{medication_id}:{end.isoformat()}"
        out.append(make("R11", key, "warning", message, "medications", key, medication_id=medication_id))
    return out
