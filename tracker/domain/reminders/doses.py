"""Rules about the doses taken: R4 unplanned change (and its urgent stop case), R5 missed doses, R9 doses due.

A dose marked skipped counts the same as a missed one for R4 and R5 (NG222 1.4.14: missed or
partial doses can cause withdrawal symptoms). R4's stop case (urgent) is: no dose taken for 2
days while a dose is still expected, a 0 mg dose without a plan, or a medication archived
while its prescription is still current.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tracker.domain.reminders.common import (
    EPS,
    RUNNING_PLAN,
    DoseInfo,
    Reminder,
    ReminderContext,
    ScheduledDose,
    active_medication_ids,
    covered_by_plan,
    day_text,
    in_force,
    iso,
    logged_slots,
    make,
    mg,
    minute,
    name_of,
    prescriber_for,
    prescriber_text,
    schedule_zone,
    scheduled_doses,
    urgent_fingerprint,
)
from tracker.domain.reminders.wording import text
from tracker.domain.timeutil import as_utc, local_day

__all__ = ["UPCOMING_WITHIN", "archive_stop_message", "missed_doses", "rule_r4", "rule_r5", "rule_r9"]

UPCOMING_WITHIN = timedelta(hours=1)  # R9: an "upcoming" line at most this long before a dose


def _expected_per_intake(ctx: ReminderContext, dose: DoseInfo, day: date) -> tuple[float, float, str] | None:
    """(per-intake mg, daily mg, source variant) the dose should match, or None when unknown.

    A running micro-step table (D8) sets it first: the day's row. Else a running plan's
    started step sets the daily dose, split evenly over the day's scheduled intakes;
    otherwise the prescription in force on ``day`` sets it.
    """
    current = in_force(ctx, dose.medication_id, day)
    intakes = len(current.times) if current is not None else 0
    table = ctx.micro.get(current.id) if current is not None and current.id else None
    daily_micro = table.daily_mg_on(day) if table is not None else None
    if daily_micro is not None:  # D8: a running micro-step table: the day's row is the dose
        return daily_micro / max(intakes, 1), daily_micro, "source_step"
    plan_step = None
    for plan in ctx.plans:
        if plan.medication_id != dose.medication_id or plan.status not in RUNNING_PLAN:
            continue
        started = plan.started_steps(day)
        if started:
            plan_step = started[-1]
    if plan_step is not None:
        return plan_step.dose_mg / max(intakes, 1), plan_step.dose_mg, "source_step"
    if current is None:
        return None
    return current.dose_mg, current.daily_mg, "source_prescription"


def _differs(taken: float, expected: float, ratio: float) -> bool:
    """More than ``ratio`` away from ``expected`` (exactly 10% off is still inside)."""
    return abs(taken - expected) > ratio * expected + EPS


def rule_r4(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """R4 Unplanned change.

    Warning: a taken dose of the last 7 local days differs from its prescription or the
    plan's current step by more than 10% (an extra dose counts when it adds more than 10%
    of the daily dose). Urgent (the stop case): see :func:`_r4_stop`, a 0 mg dose logged for a
    medication without a plan, and :func:`_r4_archived`.
    """
    s = ctx.settings
    now = as_utc(now)
    today = local_day(now, tz)
    first = today - timedelta(days=s.unplanned_lookback_days - 1)
    active = active_medication_ids(ctx)
    out: list[Reminder] = []
    for dose in ctx.doses:
        if dose.medication_id not in active or dose.status == "skipped":
            continue  # a skipped dose is a missed one: R5 and R4's stop case count it
        moment = dose.taken_at or dose.scheduled_for
        if moment is None or as_utc(moment) > now:
            continue
        day = local_day(moment, tz)
        if not first <= day <= today:
            continue
        name = name_of(ctx, dose.medication_id)
        prescriber = prescriber_for(ctx, dose.medication_id, day)
        key = f"R4:med{dose.medication_id}:{iso(moment)}"
        if dose.amount_mg <= EPS and not covered_by_plan(ctx, dose.medication_id, day):
            message = text("R4", "zero_dose", medication=name, date=day_text(day), prescriber=prescriber)
            out.append(
                make(
                    "R4",
                    key,
                    "urgent",
                    message,
                    "clinician",
                    urgent_fingerprint(f"zero|{iso(moment)}"),
                    at=as_utc(moment),
                    medication_id=dose.medication_id,
                )
            )
            continue
        # The prescription of the schedule's day (slots are expanded in the schedule zone).
        expected = _expected_per_intake(
            ctx, dose, schedule_zone(ctx, tz).day_of(dose.scheduled_for or moment)
        )
        if expected is None:
            continue
        per_intake, daily, source_variant = expected
        source = text("R4", source_variant)
        if dose.status == "extra":
            if dose.amount_mg > s.unplanned_change_ratio * daily + EPS:
                message = text(
                    "R4",
                    "extra",
                    date=day_text(day),
                    taken=mg(dose.amount_mg),
                    medication=name,
                    expected=mg(daily),
                    source=source,
                    prescriber=prescriber,
                )
                out.append(
                    make(
                        "R4",
                        key,
                        "warning",
                        message,
                        "today",
                        f"extra|{mg(dose.amount_mg)}|{mg(daily)}",
                        at=as_utc(moment),
                        medication_id=dose.medication_id,
                    )
                )
        elif _differs(dose.amount_mg, per_intake, s.unplanned_change_ratio):
            message = text(
                "R4",
                "differs",
                date=day_text(day),
                taken=mg(dose.amount_mg),
                medication=name,
                source=source,
                expected=mg(per_intake),
                prescriber=prescriber,
            )
            out.append(
                make(
                    "R4",
                    key,
                    "warning",
                    message,
                    "today",
                    f"differs|{mg(dose.amount_mg)}|{mg(per_intake)}",
                    at=as_utc(moment),
                    medication_id=dose.medication_id,
                )
            )
    out.extend(_r4_stop(ctx, now, tz))
    out.extend(_r4_archived(ctx, now, tz))
    return out


def _plan_expects_zero(ctx: ReminderContext, medication_id: int, today: date) -> bool:
    """True when a plan that still covers the medication has reached a 0 mg step (the taper's end).

    While a micro-step table runs (D8) only its row of ``today`` says so: a table ending at 0
    still expects a dose on every day before its 0 mg row.
    """
    if not covered_by_plan(ctx, medication_id, today):
        return False
    current = in_force(ctx, medication_id, today)
    table = ctx.micro.get(current.id) if current is not None and current.id else None
    daily = table.daily_mg_on(today) if table is not None else None
    if daily is not None:
        return daily <= EPS
    for plan in ctx.plans:
        if plan.medication_id != medication_id or plan.status not in RUNNING_PLAN | {"completed"}:
            continue
        started = plan.started_steps(today)
        if started and started[-1].dose_mg <= EPS:
            return True
    return False


def _r4_stop(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """The stop case of R4: nothing taken for ``no_dose_days`` while a dose is still expected.

    Counted from the latest dose taken; when every entry logged is a skipped one, from the
    first of them (a skipped dose is a missed one). A user who never logged anything gets
    R5 and R9, not this alarm. The level in the fingerprint is the number of whole days
    without a dose, so each further day brings a silenced reminder back.
    """
    s = ctx.settings
    today = local_day(now, tz)
    out: list[Reminder] = []
    for medication_id in sorted(active_medication_ids(ctx)):
        current = in_force(ctx, medication_id, today)
        if current is None or current.daily_mg <= EPS or _plan_expects_zero(ctx, medication_id, today):
            continue
        own = [d for d in ctx.doses if d.medication_id == medication_id]
        taken = [
            as_utc(d.taken_at)
            for d in own
            if d.status != "skipped"
            and d.taken_at is not None
            and d.amount_mg > EPS
            and as_utc(d.taken_at) <= now
        ]
        skipped = [
            as_utc(d.scheduled_for)
            for d in own
            if d.status == "skipped" and d.scheduled_for is not None and as_utc(d.scheduled_for) <= now
        ]
        if taken:
            since, variant = max(taken), "no_dose"
        elif skipped:
            since, variant = min(skipped), "only_not_taken"
        else:
            continue
        gap = now - since
        if gap < timedelta(days=s.no_dose_days):
            continue
        message = text(
            "R4",
            variant,
            medication=name_of(ctx, medication_id),
            date=day_text(local_day(since, tz)),
            prescriber=prescriber_for(ctx, medication_id, today),
        )
        out.append(
            make(
                "R4",
                f"R4:med{medication_id}:stop",
                "urgent",
                message,
                "clinician",
                urgent_fingerprint(f"stop|{iso(since)}", level=gap.days),
                at=since,
                medication_id=medication_id,
            )
        )
    return out


def archive_stop_message(medication: str, prescriber: str | None) -> str:
    """R4's stop message for archiving ``medication`` while its prescription is current.

    The same words the reminder says; the archive confirmation shows them too.
    """
    return text("R4", "archived", medication=medication, prescriber=prescriber_text(prescriber))


def _r4_archived(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """Any rule (DOMAIN.md): an archived medication whose prescription is still current gets
    R4's stop message at once, until the prescription ends (urgent: silenced 24 hours at most)."""
    today = local_day(now, tz)
    out: list[Reminder] = []
    for medication in ctx.medications:
        if not medication.archived:
            continue
        current = in_force(ctx, medication.id, today)
        if current is None or current.daily_mg <= EPS or _plan_expects_zero(ctx, medication.id, today):
            continue
        message = archive_stop_message(medication.name, current.prescriber)
        out.append(
            make(
                "R4",
                f"R4:med{medication.id}:archived",
                "urgent",
                message,
                "medications",
                urgent_fingerprint(f"archived|{current.id}|{current.start.isoformat()}"),
                medication_id=medication.id,
            )
        )
    return out


def missed_doses(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> dict[int, list[ScheduledDose]]:
    """Missed intakes by medication in the last 3 days: nothing logged 6 h after their time,
    or marked skipped once their time has come."""
    s = ctx.settings
    now = as_utc(now)
    since = now - timedelta(days=s.missed_window_days)
    active = active_medication_ids(ctx)
    prescriptions = [p for p in ctx.prescriptions if p.medication_id in active]
    logged = logged_slots(ctx, statuses={"taken", "extra"})
    skipped = logged_slots(ctx, statuses={"skipped"}) - logged
    grace = timedelta(hours=s.missed_after_hours)
    result: dict[int, list[ScheduledDose]] = {}
    zone = schedule_zone(ctx, tz)
    # Days in every zone of the timeline around the window: the instants decide below.
    first = min(local_day(since, z) for z in zone.zones)
    last = max(local_day(now, z) for z in zone.zones)
    for slot in scheduled_doses(prescriptions, first, last, zone, ctx.micro):
        if slot.scheduled_for < since or slot.scheduled_for > now:
            continue
        ident = (slot.medication_id, slot.scheduled_for)
        if ident in logged:
            continue
        if ident in skipped or slot.scheduled_for + grace <= now:
            result.setdefault(slot.medication_id, []).append(slot)
    return result


def rule_r5(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """R5 Missed doses: 2 missed in 3 days, or 1 for a medicine with a half-life of 24 h or less.

    A scheduled intake counts as missed when nothing is logged for it 6 hours after its
    time, or when it is marked skipped.
    """
    s = ctx.settings
    today = local_day(now, tz)
    half_lives = {m.id: m.half_life_hours for m in ctx.medications}
    out: list[Reminder] = []
    for medication_id, slots in sorted(missed_doses(ctx, now, tz).items()):
        half_life = half_lives.get(medication_id)
        short = half_life is not None and half_life <= s.short_half_life_hours + EPS
        if len(slots) < s.missed_count and not (short and slots):
            continue
        times = ", ".join(f"{sl.scheduled_for.astimezone(tz):%a %H:%M}" for sl in slots)
        name = name_of(ctx, medication_id)
        prescriber = prescriber_for(ctx, medication_id, today)
        if len(slots) >= s.missed_count:
            message = text(
                "R5",
                "missed_many",
                count=len(slots),
                medication=name,
                days=s.missed_window_days,
                times=times,
                prescriber=prescriber,
            )
        else:
            message = text(
                "R5",
                "missed_short",
                medication=name,
                times=times,
                half_life=mg(half_life or 0),
                prescriber=prescriber,
            )
        latest = slots[-1].scheduled_for
        out.append(
            make(
                "R5",
                f"R5:med{medication_id}:{iso(latest)}",
                "warning",
                message,
                "today",
                "|".join(iso(sl.scheduled_for) for sl in slots),
                at=latest,
                medication_id=medication_id,
            )
        )
    return out


def rule_r9(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """R9 Doses due: each intake whose time has come (until it counts as missed, 6 h later) with
    nothing logged; an "upcoming" line within the hour before one. A dose later than that is not due.
    """
    now = minute(now)
    today = local_day(now, tz)
    active = active_medication_ids(ctx)
    prescriptions = [p for p in ctx.prescriptions if p.medication_id in active]
    logged = logged_slots(ctx)
    grace = timedelta(hours=ctx.settings.missed_after_hours)
    zone = schedule_zone(ctx, tz)
    first = min(local_day(now - grace, z) for z in zone.zones)
    last = max(local_day(now + UPCOMING_WITHIN, z) for z in zone.zones)
    out: list[Reminder] = []
    for slot in scheduled_doses(prescriptions, first, last, zone, ctx.micro):
        if (slot.medication_id, slot.scheduled_for) in logged:
            continue
        if slot.scheduled_for <= now < slot.scheduled_for + grace:
            variant = "due"
        elif slot.scheduled_for - UPCOMING_WITHIN <= now < slot.scheduled_for:
            variant = "upcoming"
        else:
            continue
        local = slot.scheduled_for.astimezone(tz)
        when = f"{local:%H:%M}" if local.date() == today else f"{local:%a %H:%M}"
        key = f"R9:med{slot.medication_id}:{iso(slot.scheduled_for)}"
        message = text(
            "R9", variant, medication=name_of(ctx, slot.medication_id), dose=mg(slot.dose_mg), time=when
        )
        out.append(
            make(
                "R9",
                key,
                "info",
                message,
                "today",
                f"{key}|{variant}",
                at=slot.scheduled_for,
                medication_id=slot.medication_id,
            )
        )
    return out
