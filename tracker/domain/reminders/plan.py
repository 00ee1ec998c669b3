"""Rules about the taper plan: R1 upcoming step, R2 not settled, R6 check-in due, R7 plan not agreed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tracker.domain.reminders.common import (
    AGREED_PLAN,
    EPS,
    STARTED_STEP,
    PlanInfo,
    Reminder,
    ReminderContext,
    StepInfo,
    burden_between,
    day_text,
    in_force,
    iso,
    make,
    mean,
    mg,
    name_of,
    prescriber_text,
)
from tracker.domain.reminders.wording import text
from tracker.domain.timeutil import as_utc, local_day, local_to_utc

__all__ = ["plan_start_blocked", "rule_r1", "rule_r2", "rule_r6", "rule_r7", "settle_reference_start"]


def _step_from_mg(ctx: ReminderContext, plan: PlanInfo, step: StepInfo, today: date) -> float | None:
    """The daily dose before ``step``: the latest started step before it, else the prescription."""
    earlier = [s for s in plan.ordered_steps() if s.order < step.order and s.status in STARTED_STEP]
    if earlier:
        return earlier[-1].dose_mg
    current = in_force(ctx, plan.medication_id, today)
    return current.daily_mg if current is not None else None


def _upcoming(ctx: ReminderContext, plan: PlanInfo, today: date) -> StepInfo | None:
    """The next planned step of an agreed plan that changes the dose, if it starts
    within the window (or is overdue). A plan's first row repeats the dose already
    taken, so it is not a step anyone needs reminding of: the row after it is."""
    if plan.status not in AGREED_PLAN:
        return None
    step = plan.next_step()
    if step is None:
        return None
    before = _step_from_mg(ctx, plan, step, today)
    if before is not None and abs(before - step.dose_mg) < EPS:
        step = next((s for s in plan.ordered_steps() if s.order > step.order and s.status == "planned"), None)
    if step is None or (step.planned_start - today).days > ctx.settings.upcoming_step_days:
        return None
    return step


def rule_r1(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """R1 Upcoming step: an agreed plan's next step starts within 3 days (an overdue one counts too)."""
    today = local_day(now, tz)
    out: list[Reminder] = []
    for plan in ctx.plans:
        step = _upcoming(ctx, plan, today)
        if step is None:
            continue
        from_mg = _step_from_mg(ctx, plan, step, today)
        prescriber = prescriber_text(plan.prescriber)
        when = day_text(step.planned_start)
        if from_mg is None:
            message = text("R1", "step_to", to_mg=mg(step.dose_mg), date=when, prescriber=prescriber)
        else:
            message = text(
                "R1", "step", from_mg=mg(from_mg), to_mg=mg(step.dose_mg), date=when, prescriber=prescriber
            )
        fingerprint = f"{step.planned_start.isoformat()}|{mg(step.dose_mg)}|{prescriber}"
        out.append(
            make(
                "R1",
                f"R1:plan{plan.id}:step{step.order}",
                "info",
                message,
                "taper",
                fingerprint,
                at=local_to_utc(step.planned_start, time(0), tz),
                medication_id=plan.medication_id,
            )
        )
    return out


def settle_reference_start(ctx: ReminderContext, plan: PlanInfo, today: date) -> date | None:
    """When the plan's current dose began: its latest started step, else the prescription in force.

    Without a baseline, R2 compares with the 7 days before this day (DOMAIN.md).
    """
    started = plan.started_steps(today)
    if started:
        return started[-1].start
    current = in_force(ctx, plan.medication_id, today)
    return current.start if current is not None else None


def rule_r2(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """R2 Not settled: a step is due within 3 days and the last 7 days were not settled.

    Not settled means the mean of the logged daily burdens is above the reference + 2, or
    some symptom was severe on 2 or more days. The reference is the baseline mean; without
    a baseline, the mean daily burden of the 7 days before the current step began.
    """
    s = ctx.settings
    today = local_day(now, tz)
    first = today - timedelta(days=s.settle_window_days - 1)
    out: list[Reminder] = []
    for plan in ctx.plans:
        step = _upcoming(ctx, plan, today)
        if step is None:
            continue
        reasons: list[str] = []
        tags: list[str] = []
        recent = mean(burden_between(ctx, first, today))
        baseline = ctx.baseline_mean_burden
        reference: float | None = baseline
        variant = "reason_burden"
        if baseline is None:
            began = settle_reference_start(ctx, plan, today)
            reference = (
                mean(burden_between(ctx, began - timedelta(days=7), began - timedelta(days=1)))
                if began is not None
                else None
            )
            variant = "reason_burden_step"
        if (
            recent is not None
            and reference is not None
            and recent > reference + s.not_settled_burden_margin + EPS
        ):
            reasons.append(
                text(
                    "R2",
                    variant,
                    mean=f"{recent:.1f}",
                    baseline=f"{reference:.1f}",
                    before=f"{reference:.1f}",
                )
            )
            tags.append("burden")
        for symptom in sorted(ctx.severe_days):
            count = sum(1 for d in ctx.severe_days[symptom] if first <= d <= today)
            if count >= s.severe_days:
                reasons.append(text("R2", "reason_severe", symptom=symptom, count=count))
                tags.append(f"severe:{symptom}")
        if not reasons:
            continue
        message = text(
            "R2",
            "not_settled",
            medication=name_of(ctx, plan.medication_id),
            date=day_text(step.planned_start),
            days=s.settle_window_days,
            reasons="; ".join(reasons),
            prescriber=prescriber_text(plan.prescriber),
        )
        fingerprint = f"step{step.order}|{step.planned_start.isoformat()}|{','.join(tags)}"
        out.append(
            make(
                "R2",
                f"R2:plan{plan.id}:step{step.order}",
                "warning",
                message,
                "taper",
                fingerprint,
                at=local_to_utc(step.planned_start, time(0), tz),
                medication_id=plan.medication_id,
            )
        )
    return out


def rule_r6(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """R6 Check-in due: an active plan, no appointment in the last 28 days, none booked before the next step.

    "In the last 28 days" counts local days (an appointment 28 days ago still
    counts); an appointment booked on the day of the next step counts as before it.
    """
    s = ctx.settings
    now = as_utc(now)
    today = local_day(now, tz)
    past = [as_utc(a) for a in ctx.appointments if as_utc(a) <= now]
    future = [as_utc(a) for a in ctx.appointments if as_utc(a) > now]
    recent = [a for a in past if (today - local_day(a, tz)).days <= s.check_in_days]
    out: list[Reminder] = []
    for plan in ctx.plans:
        if plan.status != "active" or recent:
            continue
        step = plan.next_step()
        if step is None:
            booked = bool(future)
        else:
            booked = any(local_day(a, tz) <= max(step.planned_start, today) for a in future)
        if booked:
            continue
        name = name_of(ctx, plan.medication_id)
        prescriber = prescriber_text(plan.prescriber)
        if step is None:
            message = text("R6", "check_in", medication=name, days=s.check_in_days, prescriber=prescriber)
        else:
            message = text(
                "R6",
                "check_in_step",
                medication=name,
                days=s.check_in_days,
                date=day_text(step.planned_start),
                prescriber=prescriber,
            )
        last = max(past, default=None)
        fingerprint = f"{iso(last) if last else 'none'}|{step.order if step else 'none'}"
        out.append(
            make(
                "R6",
                f"R6:plan{plan.id}",
                "info",
                message,
                "clinician",
                fingerprint,
                medication_id=plan.medication_id,
            )
        )
    return out


def rule_r7(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """R7 Plan not agreed: a draft plan's first step is within 14 days (or already past)."""
    s = ctx.settings
    today = local_day(now, tz)
    out: list[Reminder] = []
    for plan in ctx.plans:
        steps = plan.ordered_steps()
        if plan.status != "draft" or not steps:
            continue
        start = steps[0].planned_start
        if (start - today).days > s.plan_not_agreed_days:
            continue
        message = text("R7", "draft", medication=name_of(ctx, plan.medication_id), date=day_text(start))
        out.append(
            make(
                "R7",
                f"R7:plan{plan.id}",
                "warning",
                message,
                "taper",
                start.isoformat(),
                at=local_to_utc(start, time(0), tz),
                medication_id=plan.medication_id,
            )
        )
    return out


def plan_start_blocked(plan: PlanInfo) -> Reminder | None:
    """R7's second half: why starting ``plan`` is refused, or None when it may start.

    A plan may start only once agreement is recorded: status "agreed" (or
    already running) with a named prescriber.
    """
    agreed = plan.status in {"agreed", "active", "held"} and bool(plan.prescriber and plan.prescriber.strip())
    if agreed:
        return None
    return make(
        "R7",
        f"R7:plan{plan.id}:blocked",
        "warning",
        text("R7", "blocked"),
        "taper",
        plan.status,
        medication_id=plan.medication_id,
    )
