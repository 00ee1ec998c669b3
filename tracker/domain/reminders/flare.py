"""R3 Flare after a reduction (urgent), on every kind of reduction.

A reduction is any of (DOMAIN.md R3): a plan step to a lower dose, a new prescription with a
lower daily dose than the one before it (or a prescription that ended with nothing after
it), or logged doses that settle at least 10% below the prescription for 3 days in a row
without a plan. Within 28 days after the latest one, R3 fires when the 3-day mean burden is
at least twice the 7-day mean before the reduction and at least 3 above the baseline, or a
symptom is severe on 2 consecutive days.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from tracker.domain.reminders.common import (
    EPS,
    Reminder,
    ReminderContext,
    burden_between,
    covered_by_plan,
    day_text,
    make,
    mean,
    name_of,
    prescriber_for,
    prescriber_text,
    urgent_fingerprint,
)
from tracker.domain.reminders.wording import text
from tracker.domain.schedule import by_medication, in_force_on
from tracker.domain.timeutil import local_day, local_to_utc

__all__ = ["LOGGED_REDUCTION_DAYS", "Reduction", "latest_reduction", "reductions", "rule_r3"]

LOGGED_REDUCTION_DAYS = 3  # logged doses lower for this many days in a row count as a reduction
ReductionKind = Literal["by_step", "by_prescription", "by_doses"]


@dataclass(frozen=True, slots=True)
class Reduction:
    """A day the dose of a medication went down, and how."""

    medication_id: int
    day: date
    kind: ReductionKind


def _prescribed(ctx: ReminderContext, medication_id: int, today: date) -> list[date]:
    """Days a new prescription lowered the daily dose, or the day after the last one ended."""
    own = sorted(
        (p for p in ctx.prescriptions if p.medication_id == medication_id), key=lambda p: (p.start, p.id)
    )
    found = [
        after.start
        for before, after in itertools.pairwise(own)
        if after.start <= today and after.daily_mg < before.daily_mg - EPS
    ]
    if own:
        last_end = max((p.end for p in own if p.end is not None), default=None)
        open_ended = any(p.end is None for p in own)
        if last_end is not None and not open_ended and last_end < today:
            found.append(last_end + timedelta(days=1))
    return found


def _logged(ctx: ReminderContext, medication_id: int, today: date) -> list[date]:
    """First days of runs of 3 complete days (before today) whose logged total is at least
    10% below the prescribed daily dose, while no plan covers the medication (a plan's own
    steps are its reductions)."""
    if covered_by_plan(ctx, medication_id, today):
        return []
    s = ctx.settings
    own = by_medication(ctx.prescriptions).get(medication_id, [])
    first = today - timedelta(days=s.flare_window_days + LOGGED_REDUCTION_DAYS + 1)

    def low(day: date) -> bool:
        total = ctx.daily_taken.get((medication_id, day))
        if total is None or total <= EPS:
            return False
        prescribed = in_force_on(own, day)
        if prescribed is None or prescribed.daily_mg <= EPS:
            return False
        return total <= (1 - s.unplanned_change_ratio) * prescribed.daily_mg + EPS

    found: list[date] = []
    run = 0
    day = first
    while day < today:
        run = run + 1 if low(day) else 0
        if run == LOGGED_REDUCTION_DAYS:
            found.append(day - timedelta(days=LOGGED_REDUCTION_DAYS - 1))
        day += timedelta(days=1)
    return found


def reductions(ctx: ReminderContext, medication_id: int, today: date) -> list[Reduction]:
    """Every reduction of the medication up to ``today`` the rules know of, by day (a plan step
    first when a step and its prescription fall on the same day)."""
    found: dict[date, ReductionKind] = {}
    for day in _logged(ctx, medication_id, today):
        found[day] = "by_doses"
    for day in _prescribed(ctx, medication_id, today):
        found[day] = "by_prescription"
    for plan in ctx.plans:
        reduced = plan.last_reduction
        if plan.medication_id == medication_id and plan.status != "draft" and reduced and reduced <= today:
            found[reduced] = "by_step"
    return [Reduction(medication_id, day, kind) for day, kind in sorted(found.items())]


def latest_reduction(ctx: ReminderContext, medication_id: int, today: date) -> Reduction | None:
    """The latest reduction within R3's window (28 days), or None."""
    window = ctx.settings.flare_window_days
    recent = [r for r in reductions(ctx, medication_id, today) if 0 <= (today - r.day).days <= window]
    return recent[-1] if recent else None


def _first_run(days: Sequence[date], length: int) -> list[date] | None:
    """The first run of ``length`` consecutive days in sorted ``days``, or None."""
    if length <= 1:
        return [days[0]] if days else None
    run: list[date] = []
    for day in days:
        run = [*run, day] if run and (day - run[-1]).days == 1 else [day]
        if len(run) >= length:
            return run
    return None


def _prescriber(ctx: ReminderContext, medication_id: int, today: date) -> str:
    plan = next((p for p in ctx.plans if p.medication_id == medication_id and p.status != "draft"), None)
    if plan is not None and plan.prescriber:
        return prescriber_text(plan.prescriber)
    return prescriber_for(ctx, medication_id, today)


def rule_r3(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """R3 Flare after a reduction (urgent), one reminder per medication reduced in the last 28 days.

    The mean burden of the last 3 days (on or after the reduction) is at least twice the
    7-day mean before it and at least 3 above the baseline; or a symptom was severe on 2
    consecutive days since the reduction. Without a baseline the mean before the reduction
    stands in for it; without a mean before, only the margin is checked.
    """
    s = ctx.settings
    today = local_day(now, tz)
    out: list[Reminder] = []
    for medication in ctx.medications:
        reduction = latest_reduction(ctx, medication.id, today)
        if reduction is None:
            continue
        reduced = reduction.day
        reasons: list[str] = []
        tokens: list[str] = []
        recent_first = max(reduced, today - timedelta(days=s.flare_recent_days - 1))
        recent = mean(burden_between(ctx, recent_first, today))
        before = mean(
            burden_between(ctx, reduced - timedelta(days=s.flare_before_days), reduced - timedelta(days=1))
        )
        reference = ctx.baseline_mean_burden if ctx.baseline_mean_burden is not None else before
        if recent is not None and reference is not None:
            ratio_ok = before is None or recent + EPS >= s.flare_ratio * before
            margin_ok = recent + EPS >= reference + s.flare_margin
            if ratio_ok and margin_ok:
                reasons.append(
                    text(
                        "R3",
                        "reason_burden",
                        days=s.flare_recent_days,
                        recent=f"{recent:.1f}",
                        before="no entries" if before is None else f"{before:.1f}",
                    )
                )
                tokens.append("burden")
        # a flare is about now: the consecutive severe days must end within the recent days
        severe_from = max(reduced, today - timedelta(days=s.flare_recent_days + s.flare_consecutive_days - 2))
        for symptom in sorted(ctx.severe_days):
            days = sorted(d for d in ctx.severe_days[symptom] if severe_from <= d <= today)
            run = _first_run(days, s.flare_consecutive_days)
            if run is not None:
                reasons.append(
                    text(
                        "R3",
                        "reason_severe",
                        symptom=symptom,
                        first=day_text(run[0]),
                        second=day_text(run[-1]),
                    )
                )
                tokens.append(f"severe:{symptom}")
        if not reasons:
            continue
        name = name_of(ctx, medication.id)
        message = text(
            "R3",
            "flare",
            reduction=text("R3", reduction.kind, medication=name),
            date=day_text(reduced),
            reasons="; ".join(reasons),
            prescriber=_prescriber(ctx, medication.id, today),
        )
        out.append(
            make(
                "R3",
                f"R3:med{medication.id}:{reduced.isoformat()}",
                "urgent",
                message,
                "clinician",
                urgent_fingerprint(reduced.isoformat(), tokens, recent or 0.0),
                at=local_to_utc(reduced, time(0), tz),
                medication_id=medication.id,
            )
        )
    return out
