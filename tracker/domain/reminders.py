"""Reminder rules R1-R11 of DOMAIN.md as pure, deterministic functions.

Every rule reads a :class:`ReminderContext` (filled by the services layer from
compact queries), the current instant ``now`` (aware, UTC) and the user's time
zone; nothing here reads a clock, a file or the database. Each rule returns
:class:`Reminder` values whose wording never tells anyone to change a dose: it
says what the agreed plan or prescription says and points to the prescriber.

Dismissal and snoozing are pure too (:func:`visible`, :func:`clamp_snooze`,
:func:`dismiss`, :func:`snooze`): a dismissed reminder stays hidden while its
fingerprint is unchanged, and an urgent one is never hidden for more than
its ``snooze_limit_hours`` (24 h). Dismissing R8 (crisis) is only ever a 24 h
snooze.

Plan and step statuses are plain strings (plan: draft, agreed, active, held,
completed, abandoned; step: planned, current, held, done, stepped_back) so this
module does not depend on ``tracker.domain.taper``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from tracker.domain.schedule import ZoneTimeline, by_medication, covers, in_force_on, slots_between
from tracker.domain.timeutil import as_utc, local_day, local_to_utc

__all__ = [
    "RULES",
    "DismissalState",
    "DoseInfo",
    "MedicationInfo",
    "PlanInfo",
    "PrescriptionInfo",
    "Reminder",
    "ReminderContext",
    "ReminderSettings",
    "ScheduledDose",
    "StepInfo",
    "all_message_templates",
    "clamp_snooze",
    "dismiss",
    "evaluate",
    "plan_start_blocked",
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
    "scheduled_doses",
    "snooze",
    "visible",
]

Severity = Literal["info", "warning", "urgent"]
Action = Literal["today", "taper", "clinician", "medications", "settings", "help"]
DoseStatus = Literal["taken", "skipped", "extra"]

DEFAULT_CRISIS_TEXT = (
    "If you are in danger or thinking about harming yourself, "
    "contact your local emergency number or a crisis line now."
)

# Plans whose pace has been agreed with a prescriber: their next step is "upcoming" (R1, R2).
_AGREED_PLAN = frozenset({"agreed", "active"})
# Plans in progress whose current step sets the expected dose (R4).
_RUNNING_PLAN = frozenset({"active", "held"})
# Steps that were (or are) actually taken; a stepped_back step no longer sets the dose.
_STARTED_STEP = frozenset({"current", "held", "done"})
# R8 may never be dismissed for good, only snoozed (DOMAIN.md: never snoozed past 24 hours).
_NEVER_DISMISSED = frozenset({"R8"})
_SEVERITY_RANK: dict[str, int] = {"urgent": 0, "warning": 1, "info": 2}
_EPS = 1e-9


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class ReminderSettings:
    """Every threshold of R1-R11 (DOMAIN.md defaults) and the crisis help text."""

    upcoming_step_days: int = 3  # R1, R2: a step starts within this many days
    settle_window_days: int = 7  # R2: look back this many local days (today included)
    not_settled_burden_margin: float = 2.0  # R2: mean burden above baseline + this
    severe_days: int = 2  # R2: a symptom severe on this many days
    flare_window_days: int = 28  # R3: days after a reduction
    flare_recent_days: int = 3  # R3: the recent mean covers this many days
    flare_before_days: int = 7  # R3: the mean before the reduction covers this many days
    flare_ratio: float = 2.0  # R3: recent mean at least this times the mean before
    flare_margin: float = 3.0  # R3: and at least this much above the baseline
    flare_consecutive_days: int = 2  # R3: a symptom severe on this many consecutive days
    unplanned_change_ratio: float = 0.10  # R4: taken dose differs by more than this fraction
    unplanned_lookback_days: int = 7  # R4: doses of this many local days (today included)
    no_dose_days: int = 2  # R4 stop case: no dose logged for this many days
    missed_after_hours: int = 6  # R5: a dose with nothing logged this long after its time
    missed_count: int = 2  # R5: this many missed ...
    missed_window_days: int = 3  # R5: ... within this many days
    short_half_life_hours: float = 24.0  # R5: one missed dose matters at or below this
    check_in_days: int = 28  # R6: no appointment within this many days
    plan_not_agreed_days: int = 14  # R7: a draft plan's first step within this many days
    starting_out_weeks: int = 6  # R10: first weeks of a new medication or a dose increase
    prescription_ending_days: int = 7  # R11: end date within this many days
    crisis_recent_days: int = 3  # R8: a crisis entry of the last N local days (today included)
    crisis_mood_max: int = 1  # R8: mood at or below this
    urgent_snooze_limit_hours: int = 24  # urgent reminders snooze for at most this long
    crisis_text: str = DEFAULT_CRISIS_TEXT


@dataclass(frozen=True, slots=True)
class MedicationInfo:
    """A medication the user takes or took; archived ones get no dose reminders."""

    id: int
    name: str
    half_life_hours: float | None = None
    archived: bool = False


@dataclass(frozen=True, slots=True)
class PrescriptionInfo:
    """``dose_mg`` per intake at each local wall-clock time in ``times``, from ``start`` to ``end``.

    ``id`` (the stored prescription's) only breaks ties between overlapping prescriptions
    with equal starts (``tracker.domain.schedule``).
    """

    medication_id: int
    dose_mg: float
    times: tuple[time, ...]
    start: date
    end: date | None = None
    prescriber: str | None = None
    id: int = 0

    def covers(self, day: date) -> bool:
        """True when the period includes local ``day`` (whether or not another prescription overrides it)."""
        return covers(self, day)

    @property
    def daily_mg(self) -> float:
        """The prescribed total for one day."""
        return self.dose_mg * len(self.times)


@dataclass(frozen=True, slots=True)
class DoseInfo:
    """One logged dose entry; ``scheduled_for`` links it to a scheduled intake."""

    medication_id: int
    scheduled_for: datetime | None
    taken_at: datetime | None
    amount_mg: float
    status: DoseStatus = "taken"


@dataclass(frozen=True, slots=True)
class StepInfo:
    """One step of a taper plan; ``dose_mg`` is the daily dose of the step."""

    order: int
    dose_mg: float
    planned_start: date
    min_days: int
    status: str  # planned, current, held, done, stepped_back
    actual_start: date | None = None

    @property
    def start(self) -> date:
        """When the step began, or is planned to."""
        return self.actual_start or self.planned_start


@dataclass(frozen=True, slots=True)
class PlanInfo:
    """A taper plan: status draft, agreed, active, held, completed or abandoned."""

    id: int
    medication_id: int
    status: str
    prescriber: str | None
    steps: tuple[StepInfo, ...]
    last_reduction: date | None = None

    def ordered_steps(self) -> list[StepInfo]:
        """Steps by their order."""
        return sorted(self.steps, key=lambda s: s.order)

    def next_step(self) -> StepInfo | None:
        """The first step still planned."""
        return next((s for s in self.ordered_steps() if s.status == "planned"), None)


@dataclass(frozen=True, slots=True)
class ReminderContext:
    """Everything the rules read; the services layer fills it from compact queries.

    ``daily_burden`` holds only logged local days (a missing day is "not
    logged", never zero). ``severe_days`` maps a symptom name to the local days
    it was rated 3. ``crisis_days`` are days "thoughts of self-harm" was logged
    at any severity. ``planned_medication_ids`` are medications with a taper plan.
    ``schedule_tz`` is the zone dose slots are expanded in (the home zone when schedules
    keep home time while travelling), or a ``ZoneTimeline`` of the zones past days were
    lived in (schedules following the user's zone); None means the zone the rules run in.
    A slot belongs to the local day of that zone; "today" and the times shown stay in the
    rules' zone.
    """

    settings: ReminderSettings = field(default_factory=ReminderSettings)
    medications: tuple[MedicationInfo, ...] = ()
    prescriptions: tuple[PrescriptionInfo, ...] = ()
    doses: tuple[DoseInfo, ...] = ()
    daily_burden: Mapping[date, int] = field(default_factory=dict)
    severe_days: Mapping[str, Set[date]] = field(default_factory=dict)
    baseline_mean_burden: float | None = None
    crisis_days: Set[date] = frozenset()
    mood: Mapping[date, int] = field(default_factory=dict)
    plans: tuple[PlanInfo, ...] = ()
    appointments: tuple[datetime, ...] = ()
    planned_medication_ids: Set[int] = frozenset()
    schedule_tz: ZoneInfo | ZoneTimeline | None = None


# --------------------------------------------------------------------------- outputs


@dataclass(frozen=True, slots=True)
class Reminder:
    """One reminder to show.

    ``key`` is its stable identity (dismissals are stored under it);
    ``fingerprint`` changes when the rule's condition changes, so a dismissed
    reminder comes back only then. ``action`` names the screen where the user
    can act; ``at`` is the instant it is about (a scheduled dose, a step), if any.
    """

    rule: str
    key: str
    severity: Severity
    message: str
    why: str
    action: Action
    fingerprint: str
    snooze_limit_hours: int | None = None
    at: datetime | None = None
    medication_id: int | None = None


@dataclass(frozen=True, slots=True)
class ScheduledDose:
    """One intake a prescription schedules: local wall-clock time turned into UTC."""

    medication_id: int
    scheduled_for: datetime
    dose_mg: float
    day: date


@dataclass(frozen=True, slots=True)
class DismissalState:
    """What the user did with the reminder called ``key`` while it had ``fingerprint``."""

    key: str
    fingerprint: str
    dismissed: bool = False
    snoozed_until: datetime | None = None
    dismissed_at: datetime | None = None


# --------------------------------------------------------------------------- wording

_WHY: dict[str, str] = {
    "R1": "R1 · NICE NG222 (2022) 1.4: the person leads and agrees the pace of a taper with the prescriber",
    "R2": "R2 · NICE NG222: symptoms should be resolved or tolerable before the next reduction",
    "R3": (
        "R3 · NICE NG222 1.4.21-1.4.22: if withdrawal symptoms are severe, the prescriber may consider "
        "the previous dose again and a slower taper in smaller steps"
    ),
    "R4": (
        "R4 · NICE NG222 1.4: stopping abruptly, missed doses or partial doses can cause withdrawal symptoms"
    ),
    "R5": (
        "R5 · NICE NG222 1.4 and Warner et al. 2006: missed doses can cause withdrawal symptoms, "
        "more so with a short half-life"
    ),
    "R6": (
        "R6 · NICE NG222 1.4: during a taper, monitor for withdrawal symptoms and returning depression "
        "together with the prescriber"
    ),
    "R7": (
        "R7 · NICE NG222 1.4: the pace of a taper is agreed with the prescriber; a plan becomes active "
        "only after agreement is recorded"
    ),
    "R8": "R8 · Safety: thoughts of self-harm or a very low mood need help from people now",
    "R9": "R9 · Your prescription: doses scheduled for today that are not logged yet",
    "R10": (
        "R10 · Project brief: it may take weeks for the drug to take effect; side effects should be "
        "reported as soon as possible"
    ),
    "R11": (
        "R11 · NICE NG222 1.4 and the project brief: stopping suddenly after several weeks of use can "
        "cause withdrawal symptoms"
    ),
}

# Every message any rule can produce is one of these, filled in with data (names, dates, numbers).
_TEMPLATES: dict[tuple[str, str], str] = {
    ("R1", "step"): (
        "Your next step ({from_mg} mg to {to_mg} mg) is planned for {date}. "
        "Check with {prescriber} that it still suits you before you reduce."
    ),
    ("R1", "step_to"): (
        "Your next step (to {to_mg} mg) is planned for {date}. "
        "Check with {prescriber} that it still suits you before you reduce."
    ),
    ("R2", "not_settled"): (
        "Your next step of {medication} is planned for {date}, but your symptoms have not settled "
        "in the last {days} days: {reasons}. You may want to talk to {prescriber} about holding "
        "at your current step for longer."
    ),
    ("R2", "reason_burden"): "your mean daily symptom burden was {mean}, against a baseline of {baseline}",
    ("R2", "reason_severe"): "{symptom} was severe on {count} days",
    ("R3", "flare"): (
        "Your symptoms have flared since the reduction of {medication} on {date}: {reasons}. "
        "Contact {prescriber} soon: they may consider returning to the previous dose and "
        "reducing more slowly."
    ),
    ("R3", "reason_burden"): (
        "your mean daily symptom burden over the last {days} days was {recent}, against {before} "
        "in the week before the reduction"
    ),
    ("R3", "reason_severe"): "{symptom} was severe on {first} and {second}",
    ("R4", "differs"): (
        "On {date} you logged {taken} mg of {medication}, but {source} says {expected} mg. "
        "If this was not agreed with {prescriber}, talk to them about it; "
        "if the entry is wrong, correct it on the Today screen."
    ),
    ("R4", "extra"): (
        "On {date} you logged an extra {taken} mg of {medication}, on top of the {expected} mg a day "
        "that {source} says. If this was not agreed with {prescriber}, talk to them about it."
    ),
    ("R4", "source_prescription"): "your prescription",
    ("R4", "source_step"): "the current step of your agreed plan",
    ("R4", "no_dose"): (
        "No dose of {medication} has been logged since {date}. Stopping suddenly can cause "
        "withdrawal symptoms: talk to {prescriber} first. If you took it, log it on the Today screen."
    ),
    ("R4", "zero_dose"): (
        "You logged 0 mg of {medication} on {date}, and there is no taper plan for it. Stopping "
        "suddenly can cause withdrawal symptoms: talk to {prescriber} first."
    ),
    ("R5", "missed_many"): (
        "{count} scheduled doses of {medication} in the last {days} days are not logged ({times}). "
        "Missed doses can bring on withdrawal symptoms. If you took them, log them on the Today "
        "screen; if not, talk to {prescriber} about what to do."
    ),
    ("R5", "missed_short"): (
        "A scheduled dose of {medication} ({times}) is not logged. With a short half-life "
        "({half_life} hours), even one missed dose can bring on withdrawal symptoms. If you took it, "
        "log it on the Today screen; if not, talk to {prescriber} about what to do."
    ),
    ("R6", "check_in_step"): (
        "Your taper of {medication} is under way, and no appointment is recorded in the last {days} "
        "days or booked before your next step on {date}. A check-in with {prescriber} helps to spot "
        "withdrawal symptoms or returning low mood early."
    ),
    ("R6", "check_in"): (
        "Your taper of {medication} is under way, and no appointment is recorded in the last {days} "
        "days or booked. A check-in with {prescriber} helps to spot withdrawal symptoms or returning "
        "low mood early."
    ),
    ("R7", "draft"): (
        "Your draft taper plan for {medication} starts on {date}, but no agreement with a prescriber "
        "is recorded. Talk to your prescriber about it, then record who agreed it and when: only an "
        "agreed plan can start."
    ),
    ("R7", "blocked"): (
        "This plan cannot start yet: no agreement with a prescriber is recorded. Talk to your "
        "prescriber about it, then record who agreed it and when."
    ),
    ("R8", "crisis"): (
        "You logged {what} on {date}. {crisis_text} Please also tell your prescriber or doctor how "
        "you are feeling."
    ),
    ("R8", "what_self_harm"): "thoughts of self-harm",
    ("R8", "what_low_mood"): "a very low mood ({mood})",
    ("R8", "what_both"): "thoughts of self-harm and a very low mood ({mood})",
    ("R9", "due"): "Not logged yet: {medication} {dose} mg, scheduled for {time} today.",
    ("R10", "new"): (
        "You started {medication} on {date}. These medicines can take several weeks to work, so "
        "patience helps. If you notice side effects, tell {prescriber} soon rather than stopping the "
        "medicine on your own."
    ),
    ("R10", "increase"): (
        "Your {medication} dose went up to {dose} mg a day on {date}. It can take several weeks to "
        "settle, so patience helps. If you notice side effects, tell {prescriber} soon rather than "
        "stopping the medicine on your own."
    ),
    ("R11", "ending"): (
        "Your prescription for {medication} ends on {date}, and no taper plan or follow-up "
        "prescription is recorded. Talk to {prescriber} before it runs out: stopping suddenly after "
        "several weeks of use can cause withdrawal symptoms."
    ),
}


def all_message_templates() -> dict[tuple[str, str], str]:
    """Every message template and fragment, by (rule, variant), so tests can check wording."""
    return dict(_TEMPLATES)


def _text(rule: str, variant: str, **values: object) -> str:
    return _TEMPLATES[(rule, variant)].format(**values)


def _mg(amount: float) -> str:
    """20.0 -> "20", 2.5 -> "2.5": doses read as people write them."""
    return f"{round(amount, 3):g}"


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _iso(moment: datetime) -> str:
    """A UTC instant to the minute, as used in keys: 2026-11-27T08:00Z."""
    return as_utc(moment).strftime("%Y-%m-%dT%H:%MZ")


def _minute(moment: datetime) -> datetime:
    return as_utc(moment).replace(second=0, microsecond=0)


def _prescriber(name: str | None) -> str:
    return name.strip() if name and name.strip() else "your prescriber"


def _reminder(
    rule: str,
    key: str,
    severity: Severity,
    message: str,
    action: Action,
    fingerprint: str,
    settings: ReminderSettings,
    *,
    at: datetime | None = None,
    medication_id: int | None = None,
) -> Reminder:
    limit = settings.urgent_snooze_limit_hours if severity == "urgent" else None
    return Reminder(
        rule=rule,
        key=key,
        severity=severity,
        message=message,
        why=_WHY[rule],
        action=action,
        fingerprint=fingerprint,
        snooze_limit_hours=limit,
        at=at,
        medication_id=medication_id,
    )


# --------------------------------------------------------------------------- shared helpers


def _medication_names(ctx: ReminderContext) -> dict[int, str]:
    return {m.id: m.name for m in ctx.medications}


def _name(ctx: ReminderContext, medication_id: int) -> str:
    return _medication_names(ctx).get(medication_id, f"medication {medication_id}")


def _active_medication_ids(ctx: ReminderContext) -> set[int]:
    """Medications that still get dose reminders: known and not archived."""
    return {m.id for m in ctx.medications if not m.archived}


def _prescriber_for(ctx: ReminderContext, medication_id: int, today: date) -> str:
    """The prescriber of the medication's prescription in force (or the latest one)."""
    own = sorted((p for p in ctx.prescriptions if p.medication_id == medication_id), key=lambda p: p.start)
    current = [p for p in own if p.covers(today)] or own
    for prescription in reversed(current):
        if prescription.prescriber:
            return _prescriber(prescription.prescriber)
    for plan in ctx.plans:
        if plan.medication_id == medication_id and plan.prescriber:
            return _prescriber(plan.prescriber)
    return _prescriber(None)


def scheduled_doses(
    prescriptions: Iterable[PrescriptionInfo], first_day: date, last_day: date, tz: ZoneInfo | ZoneTimeline
) -> list[ScheduledDose]:
    """Every intake the prescriptions schedule on local days ``first_day``..``last_day`` of ``tz``
    (of the zone in force on each day, for a timeline).

    The shared rule of ``tracker.domain.schedule`` (as Today and Trends): per medication
    and day, the prescription that started last is in force (overlaps never add up), and
    ``local_to_utc`` applies the DST rules (a time in the spring-forward gap moves to the
    first valid minute after it, an ambiguous fall-back time is its first occurrence).
    """
    out = [
        ScheduledDose(slot.medication_id, _minute(slot.scheduled_for), slot.prescription.dose_mg, day)
        for day, slots in slots_between(prescriptions, first_day, last_day, tz).items()
        for slot in slots
    ]
    return sorted(out, key=lambda s: (s.scheduled_for, s.medication_id))


def _in_force(ctx: ReminderContext, medication_id: int, day: date) -> PrescriptionInfo | None:
    """The medication's prescription in force on local ``day`` (the shared rule: latest start wins)."""
    return in_force_on(by_medication(ctx.prescriptions).get(medication_id, []), day)


def _schedule_zone(ctx: ReminderContext, tz: ZoneInfo) -> ZoneTimeline:
    """The zones dose slots are expanded in (``ReminderContext.schedule_tz``), as a timeline."""
    return ZoneTimeline.of(ctx.schedule_tz or tz)


def _logged_slots(ctx: ReminderContext) -> set[tuple[int, datetime]]:
    """(medication, scheduled instant) of every dose entry, whatever its status."""
    return {(d.medication_id, _minute(d.scheduled_for)) for d in ctx.doses if d.scheduled_for is not None}


def _mean(values: Iterable[int]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None


def _burden_between(ctx: ReminderContext, first: date, last: date) -> list[int]:
    """Logged daily burdens of local days first..last; days not logged are skipped, never zero."""
    return [v for d, v in ctx.daily_burden.items() if first <= d <= last]


def _step_from_mg(ctx: ReminderContext, plan: PlanInfo, step: StepInfo, today: date) -> float | None:
    """The daily dose before ``step``: the latest started step before it, else the prescription."""
    earlier = [s for s in plan.ordered_steps() if s.order < step.order and s.status in _STARTED_STEP]
    if earlier:
        return earlier[-1].dose_mg
    current = _in_force(ctx, plan.medication_id, today)
    return current.daily_mg if current is not None else None


def _upcoming(
    ctx: ReminderContext, plan: PlanInfo, today: date, settings: ReminderSettings
) -> StepInfo | None:
    """The next planned step of an agreed plan that changes the dose, if it starts
    within the window (or is overdue). A plan's first row repeats the dose already
    taken, so it is not a step anyone needs reminding of: the row after it is."""
    if plan.status not in _AGREED_PLAN:
        return None
    step = plan.next_step()
    if step is None:
        return None
    before = _step_from_mg(ctx, plan, step, today)
    if before is not None and abs(before - step.dose_mg) < _EPS:
        step = next((s for s in plan.ordered_steps() if s.order > step.order and s.status == "planned"), None)
    if step is None or (step.planned_start - today).days > settings.upcoming_step_days:
        return None
    return step


# --------------------------------------------------------------------------- rules


def rule_r1(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """R1 Upcoming step: an agreed plan's next step starts within 3 days (an overdue one counts too)."""
    today = local_day(now, tz)
    out: list[Reminder] = []
    for plan in ctx.plans:
        step = _upcoming(ctx, plan, today, ctx.settings)
        if step is None:
            continue
        from_mg = _step_from_mg(ctx, plan, step, today)
        prescriber = _prescriber(plan.prescriber)
        if from_mg is None:
            message = _text(
                "R1", "step_to", to_mg=_mg(step.dose_mg), date=_day(step.planned_start), prescriber=prescriber
            )
        else:
            message = _text(
                "R1",
                "step",
                from_mg=_mg(from_mg),
                to_mg=_mg(step.dose_mg),
                date=_day(step.planned_start),
                prescriber=prescriber,
            )
        fingerprint = f"{step.planned_start.isoformat()}|{_mg(step.dose_mg)}|{prescriber}"
        out.append(
            _reminder(
                "R1",
                f"R1:plan{plan.id}:step{step.order}",
                "info",
                message,
                "taper",
                fingerprint,
                ctx.settings,
                at=local_to_utc(step.planned_start, time(0), tz),
                medication_id=plan.medication_id,
            )
        )
    return out


def rule_r2(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """R2 Not settled: a step is due within 3 days and the last 7 days were not settled.

    Not settled means the mean of the logged daily burdens is above baseline + 2
    (only when a baseline exists), or some symptom was severe on 2 or more days.
    """
    s = ctx.settings
    today = local_day(now, tz)
    first = today - timedelta(days=s.settle_window_days - 1)
    out: list[Reminder] = []
    for plan in ctx.plans:
        step = _upcoming(ctx, plan, today, s)
        if step is None:
            continue
        reasons: list[str] = []
        tags: list[str] = []
        mean = _mean(_burden_between(ctx, first, today))
        baseline = ctx.baseline_mean_burden
        if mean is not None and baseline is not None and mean > baseline + s.not_settled_burden_margin + _EPS:
            reasons.append(_text("R2", "reason_burden", mean=f"{mean:.1f}", baseline=f"{baseline:.1f}"))
            tags.append("burden")
        for symptom in sorted(ctx.severe_days):
            count = sum(1 for d in ctx.severe_days[symptom] if first <= d <= today)
            if count >= s.severe_days:
                reasons.append(_text("R2", "reason_severe", symptom=symptom, count=count))
                tags.append(f"severe:{symptom}")
        if not reasons:
            continue
        message = _text(
            "R2",
            "not_settled",
            medication=_name(ctx, plan.medication_id),
            date=_day(step.planned_start),
            days=s.settle_window_days,
            reasons="; ".join(reasons),
            prescriber=_prescriber(plan.prescriber),
        )
        fingerprint = f"step{step.order}|{step.planned_start.isoformat()}|{','.join(tags)}"
        out.append(
            _reminder(
                "R2",
                f"R2:plan{plan.id}:step{step.order}",
                "warning",
                message,
                "taper",
                fingerprint,
                s,
                at=local_to_utc(step.planned_start, time(0), tz),
                medication_id=plan.medication_id,
            )
        )
    return out


def rule_r3(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """R3 Flare after a reduction (urgent).

    Within 28 days after a plan's last reduction: the mean burden of the last 3
    days (on or after the reduction) is at least twice the 7-day mean before it
    and at least 3 above the baseline; or a symptom was severe on 2 consecutive
    days since the reduction. Without a baseline the mean before the reduction
    stands in for it; without a mean before, only the margin is checked.
    """
    s = ctx.settings
    today = local_day(now, tz)
    out: list[Reminder] = []
    for plan in ctx.plans:
        reduced = plan.last_reduction
        if reduced is None or not 0 <= (today - reduced).days <= s.flare_window_days:
            continue
        reasons: list[str] = []
        tags: list[str] = []
        recent_first = max(reduced, today - timedelta(days=s.flare_recent_days - 1))
        recent = _mean(_burden_between(ctx, recent_first, today))
        before = _mean(
            _burden_between(ctx, reduced - timedelta(days=s.flare_before_days), reduced - timedelta(days=1))
        )
        reference = ctx.baseline_mean_burden if ctx.baseline_mean_burden is not None else before
        if recent is not None and reference is not None:
            ratio_ok = before is None or recent + _EPS >= s.flare_ratio * before
            margin_ok = recent + _EPS >= reference + s.flare_margin
            if ratio_ok and margin_ok:
                reasons.append(
                    _text(
                        "R3",
                        "reason_burden",
                        days=s.flare_recent_days,
                        recent=f"{recent:.1f}",
                        before="no entries" if before is None else f"{before:.1f}",
                    )
                )
                tags.append("burden")
        # a flare is about now: the consecutive severe days must end within the recent days
        severe_from = max(reduced, today - timedelta(days=s.flare_recent_days + s.flare_consecutive_days - 2))
        for symptom in sorted(ctx.severe_days):
            days = sorted(d for d in ctx.severe_days[symptom] if severe_from <= d <= today)
            run = _first_run(days, s.flare_consecutive_days)
            if run is not None:
                reasons.append(
                    _text("R3", "reason_severe", symptom=symptom, first=_day(run[0]), second=_day(run[-1]))
                )
                tags.append(f"severe:{symptom}:{run[0].isoformat()}")
        if not reasons:
            continue
        message = _text(
            "R3",
            "flare",
            medication=_name(ctx, plan.medication_id),
            date=_day(reduced),
            reasons="; ".join(reasons),
            prescriber=_prescriber(plan.prescriber),
        )
        out.append(
            _reminder(
                "R3",
                f"R3:plan{plan.id}:{reduced.isoformat()}",
                "urgent",
                message,
                "clinician",
                ",".join(tags),
                s,
                at=local_to_utc(reduced, time(0), tz),
                medication_id=plan.medication_id,
            )
        )
    return out


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


def _expected_per_intake(ctx: ReminderContext, dose: DoseInfo, day: date) -> tuple[float, float, str] | None:
    """(per-intake mg, daily mg, source variant) the dose should match, or None when unknown.

    A running plan's started step sets the daily dose, split evenly over the
    day's scheduled intakes; otherwise the prescription in force on ``day`` sets it.
    """
    current = _in_force(ctx, dose.medication_id, day)
    intakes = len(current.times) if current is not None else 0
    plan_step: StepInfo | None = None
    for plan in ctx.plans:
        if plan.medication_id != dose.medication_id or plan.status not in _RUNNING_PLAN:
            continue
        started = [st for st in plan.ordered_steps() if st.status in _STARTED_STEP and st.start <= day]
        if started:
            plan_step = max(started, key=lambda st: (st.start, st.order))
    if plan_step is not None:
        per = plan_step.dose_mg / max(intakes, 1)
        return per, plan_step.dose_mg, "source_step"
    if current is None:
        return None
    return current.dose_mg, current.daily_mg, "source_prescription"


def _differs(taken: float, expected: float, ratio: float) -> bool:
    """More than ``ratio`` away from ``expected`` (exactly 10% off is still inside)."""
    return abs(taken - expected) > ratio * expected + _EPS


def rule_r4(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """R4 Unplanned change.

    Warning: a taken dose of the last 7 local days differs from its prescription
    or the plan's current step by more than 10% (an extra dose counts when it
    adds more than 10% of the daily dose). Urgent (the stop case): a medication
    with a prescription in force has had no dose logged for 2 days since its
    last logged one, or a 0 mg dose is logged for a medication without a plan.
    """
    s = ctx.settings
    now = as_utc(now)
    today = local_day(now, tz)
    first = today - timedelta(days=s.unplanned_lookback_days - 1)
    active = _active_medication_ids(ctx)
    out: list[Reminder] = []
    for dose in ctx.doses:
        if dose.medication_id not in active or dose.status == "skipped":
            continue
        moment = dose.taken_at or dose.scheduled_for
        if moment is None or as_utc(moment) > now:
            continue
        day = local_day(moment, tz)
        if not first <= day <= today:
            continue
        name = _name(ctx, dose.medication_id)
        prescriber = _prescriber_for(ctx, dose.medication_id, day)
        key = f"R4:med{dose.medication_id}:{_iso(moment)}"
        if dose.amount_mg <= _EPS and dose.medication_id not in ctx.planned_medication_ids:
            message = _text("R4", "zero_dose", medication=name, date=_day(day), prescriber=prescriber)
            out.append(
                _reminder(
                    "R4",
                    key,
                    "urgent",
                    message,
                    "clinician",
                    f"zero|{_mg(dose.amount_mg)}",
                    s,
                    at=as_utc(moment),
                    medication_id=dose.medication_id,
                )
            )
            continue
        # The prescription of the schedule's day (slots are expanded in the schedule zone).
        expected = _expected_per_intake(
            ctx, dose, _schedule_zone(ctx, tz).day_of(dose.scheduled_for or moment)
        )
        if expected is None:
            continue
        per_intake, daily, source_variant = expected
        source = _text("R4", source_variant)
        if dose.status == "extra":
            if dose.amount_mg > s.unplanned_change_ratio * daily + _EPS:
                message = _text(
                    "R4",
                    "extra",
                    date=_day(day),
                    taken=_mg(dose.amount_mg),
                    medication=name,
                    expected=_mg(daily),
                    source=source,
                    prescriber=prescriber,
                )
                out.append(
                    _reminder(
                        "R4",
                        key,
                        "warning",
                        message,
                        "today",
                        f"extra|{_mg(dose.amount_mg)}|{_mg(daily)}",
                        s,
                        at=as_utc(moment),
                        medication_id=dose.medication_id,
                    )
                )
        elif _differs(dose.amount_mg, per_intake, s.unplanned_change_ratio):
            message = _text(
                "R4",
                "differs",
                date=_day(day),
                taken=_mg(dose.amount_mg),
                medication=name,
                source=source,
                expected=_mg(per_intake),
                prescriber=prescriber,
            )
            out.append(
                _reminder(
                    "R4",
                    key,
                    "warning",
                    message,
                    "today",
                    f"differs|{_mg(dose.amount_mg)}|{_mg(per_intake)}",
                    s,
                    at=as_utc(moment),
                    medication_id=dose.medication_id,
                )
            )
    out.extend(_r4_no_dose(ctx, now, tz))
    return out


def _r4_no_dose(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """The stop case of R4: nothing taken for ``no_dose_days`` while a dose is still expected."""
    s = ctx.settings
    today = local_day(now, tz)
    out: list[Reminder] = []
    for medication_id in sorted(_active_medication_ids(ctx)):
        current = _in_force(ctx, medication_id, today)
        if current is None or current.daily_mg <= _EPS:
            continue
        if _plan_expects_zero(ctx, medication_id, today):
            continue
        taken = [
            as_utc(d.taken_at)
            for d in ctx.doses
            if d.medication_id == medication_id
            and d.status != "skipped"
            and d.taken_at is not None
            and d.amount_mg > _EPS
            and as_utc(d.taken_at) <= now
        ]
        # Only after something was logged: a brand-new user who never logs gets R5/R9, not an alarm.
        if not taken:
            continue
        last = max(taken)
        if now - last < timedelta(days=s.no_dose_days):
            continue
        message = _text(
            "R4",
            "no_dose",
            medication=_name(ctx, medication_id),
            date=_day(local_day(last, tz)),
            prescriber=_prescriber_for(ctx, medication_id, today),
        )
        out.append(
            _reminder(
                "R4",
                f"R4:med{medication_id}:stop",
                "urgent",
                message,
                "clinician",
                f"stop|{_iso(last)}",
                s,
                at=last,
                medication_id=medication_id,
            )
        )
    return out


def _plan_expects_zero(ctx: ReminderContext, medication_id: int, today: date) -> bool:
    """True when a running plan's started step for the medication is 0 mg (the taper's end)."""
    for plan in ctx.plans:
        if plan.medication_id != medication_id or plan.status not in _RUNNING_PLAN | {"completed"}:
            continue
        started = [st for st in plan.ordered_steps() if st.status in _STARTED_STEP and st.start <= today]
        if started and max(started, key=lambda st: (st.start, st.order)).dose_mg <= _EPS:
            return True
    return False


def _missed(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> dict[int, list[ScheduledDose]]:
    """Missed intakes by medication: scheduled in the window, nothing logged 6 h after."""
    s = ctx.settings
    now = as_utc(now)
    since = now - timedelta(days=s.missed_window_days)
    active = _active_medication_ids(ctx)
    prescriptions = [p for p in ctx.prescriptions if p.medication_id in active]
    logged = _logged_slots(ctx)
    grace = timedelta(hours=s.missed_after_hours)
    result: dict[int, list[ScheduledDose]] = {}
    zone = _schedule_zone(ctx, tz)
    # Days in every zone of the timeline around the window: the instants decide below.
    first = min(local_day(since, z) for z in zone.zones)
    last = max(local_day(now, z) for z in zone.zones)
    for slot in scheduled_doses(prescriptions, first, last, zone):
        if slot.scheduled_for < since or slot.scheduled_for + grace > now:
            continue
        if (slot.medication_id, slot.scheduled_for) in logged:
            continue
        result.setdefault(slot.medication_id, []).append(slot)
    return result


def rule_r5(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """R5 Missed doses: 2 missed in 3 days, or 1 for a medicine with a half-life of 24 h or less.

    A scheduled intake counts as missed when no entry (taken, skipped or extra)
    carries its scheduled time 6 hours after it.
    """
    s = ctx.settings
    today = local_day(now, tz)
    half_lives = {m.id: m.half_life_hours for m in ctx.medications}
    out: list[Reminder] = []
    for medication_id, slots in sorted(_missed(ctx, now, tz).items()):
        half_life = half_lives.get(medication_id)
        short = half_life is not None and half_life <= s.short_half_life_hours + _EPS
        if len(slots) < s.missed_count and not (short and slots):
            continue
        times = ", ".join(f"{sl.scheduled_for.astimezone(tz):%a %H:%M}" for sl in slots)
        name = _name(ctx, medication_id)
        prescriber = _prescriber_for(ctx, medication_id, today)
        if len(slots) >= s.missed_count:
            message = _text(
                "R5",
                "missed_many",
                count=len(slots),
                medication=name,
                days=s.missed_window_days,
                times=times,
                prescriber=prescriber,
            )
        else:
            message = _text(
                "R5",
                "missed_short",
                medication=name,
                times=times,
                half_life=_mg(half_life or 0),
                prescriber=prescriber,
            )
        latest = slots[-1].scheduled_for
        out.append(
            _reminder(
                "R5",
                f"R5:med{medication_id}:{_iso(latest)}",
                "warning",
                message,
                "today",
                "|".join(_iso(sl.scheduled_for) for sl in slots),
                s,
                at=latest,
                medication_id=medication_id,
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
        name = _name(ctx, plan.medication_id)
        prescriber = _prescriber(plan.prescriber)
        if step is None:
            message = _text("R6", "check_in", medication=name, days=s.check_in_days, prescriber=prescriber)
        else:
            message = _text(
                "R6",
                "check_in_step",
                medication=name,
                days=s.check_in_days,
                date=_day(step.planned_start),
                prescriber=prescriber,
            )
        last = max(past, default=None)
        fingerprint = f"{_iso(last) if last else 'none'}|{step.order if step else 'none'}"
        out.append(
            _reminder(
                "R6",
                f"R6:plan{plan.id}",
                "info",
                message,
                "clinician",
                fingerprint,
                s,
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
        message = _text("R7", "draft", medication=_name(ctx, plan.medication_id), date=_day(start))
        out.append(
            _reminder(
                "R7",
                f"R7:plan{plan.id}",
                "warning",
                message,
                "taper",
                start.isoformat(),
                s,
                at=local_to_utc(start, time(0), tz),
                medication_id=plan.medication_id,
            )
        )
    return out


def plan_start_blocked(plan: PlanInfo, settings: ReminderSettings | None = None) -> Reminder | None:
    """R7's second half: why starting ``plan`` is refused, or None when it may start.

    A plan may start only once agreement is recorded: status "agreed" (or
    already running) with a named prescriber.
    """
    agreed = plan.status in {"agreed", "active", "held"} and bool(plan.prescriber and plan.prescriber.strip())
    if agreed:
        return None
    return _reminder(
        "R7",
        f"R7:plan{plan.id}:blocked",
        "warning",
        _text("R7", "blocked"),
        "taper",
        plan.status,
        settings or ReminderSettings(),
        medication_id=plan.medication_id,
    )


def rule_r8(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """R8 Crisis (urgent): thoughts of self-harm at any severity, or mood 1 or lower, in the last 3 days."""
    s = ctx.settings
    today = local_day(now, tz)
    first = today - timedelta(days=s.crisis_recent_days - 1)
    harm = {d for d in ctx.crisis_days if first <= d <= today}
    low = {d: m for d, m in ctx.mood.items() if first <= d <= today and m <= s.crisis_mood_max}
    if not harm and not low:
        return []
    latest = max(harm | set(low))
    if latest in harm and latest in low:
        what = _text("R8", "what_both", mood=low[latest])
    elif latest in harm:
        what = _text("R8", "what_self_harm")
    else:
        what = _text("R8", "what_low_mood", mood=low[latest])
    message = _text("R8", "crisis", what=what, date=_day(latest), crisis_text=s.crisis_text.strip())
    fingerprint = ",".join(
        [f"harm:{d.isoformat()}" for d in sorted(harm)] + [f"mood:{d.isoformat()}" for d in sorted(low)]
    )
    return [
        _reminder(
            "R8",
            f"R8:{latest.isoformat()}",
            "urgent",
            message,
            "help",
            fingerprint,
            s,
            at=local_to_utc(latest, time(0), tz),
        )
    ]


def rule_r9(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """R9 Doses due: every intake scheduled for today (local) with nothing logged, past or still to come.

    Today's slots are those of the same date in the schedule zone (as Today shows them).
    """
    today = local_day(now, tz)
    active = _active_medication_ids(ctx)
    prescriptions = [p for p in ctx.prescriptions if p.medication_id in active]
    logged = _logged_slots(ctx)
    out: list[Reminder] = []
    for slot in scheduled_doses(prescriptions, today, today, _schedule_zone(ctx, tz)):
        if (slot.medication_id, slot.scheduled_for) in logged:
            continue
        key = f"R9:med{slot.medication_id}:{_iso(slot.scheduled_for)}"
        message = _text(
            "R9",
            "due",
            medication=_name(ctx, slot.medication_id),
            dose=_mg(slot.dose_mg),
            time=f"{slot.scheduled_for.astimezone(tz):%H:%M}",
        )
        out.append(
            _reminder(
                "R9",
                key,
                "info",
                message,
                "today",
                key,
                ctx.settings,
                at=slot.scheduled_for,
                medication_id=slot.medication_id,
            )
        )
    return out


def rule_r10(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """R10 Starting out: the first 6 weeks of a new medication or a higher daily dose (info)."""
    s = ctx.settings
    today = local_day(now, tz)
    window = timedelta(weeks=s.starting_out_weeks)
    out: list[Reminder] = []
    for medication_id in sorted(_active_medication_ids(ctx)):
        own = sorted(
            (p for p in ctx.prescriptions if p.medication_id == medication_id and p.start <= today),
            key=lambda p: p.start,
        )
        if not own:
            continue
        latest = own[-1]
        if today - latest.start >= window:
            continue
        earlier = [p for p in own[:-1] if p.start < latest.start]
        name = _name(ctx, medication_id)
        prescriber = _prescriber(latest.prescriber)
        if not earlier:
            message = _text("R10", "new", medication=name, date=_day(latest.start), prescriber=prescriber)
        elif latest.daily_mg > earlier[-1].daily_mg + _EPS:
            message = _text(
                "R10",
                "increase",
                medication=name,
                dose=_mg(latest.daily_mg),
                date=_day(latest.start),
                prescriber=prescriber,
            )
        else:
            continue
        key = f"R10:med{medication_id}:{latest.start.isoformat()}"
        out.append(_reminder("R10", key, "info", message, "clinician", key, s, medication_id=medication_id))
    return out


def rule_r11(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """R11 Prescription ending within 7 days, with no plan and no follow-up prescription for the next day."""
    s = ctx.settings
    today = local_day(now, tz)
    active = _active_medication_ids(ctx)
    out: list[Reminder] = []
    for prescription in ctx.prescriptions:
        end = prescription.end
        medication_id = prescription.medication_id
        if end is None or medication_id not in active or medication_id in ctx.planned_medication_ids:
            continue
        if not 0 <= (end - today).days <= s.prescription_ending_days:
            continue
        next_day = end + timedelta(days=1)
        if any(p.medication_id == medication_id and p.covers(next_day) for p in ctx.prescriptions):
            continue
        message = _text(
            "R11",
            "ending",
            medication=_name(ctx, medication_id),
            date=_day(end),
            prescriber=_prescriber(prescription.prescriber),
        )
        key = f"R11:med{medication_id}:{end.isoformat()}"
        out.append(
            _reminder("R11", key, "warning", message, "medications", key, s, medication_id=medication_id)
        )
    return out


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
}


def _sort_key(reminder: Reminder) -> tuple[int, int, datetime, str]:
    at = reminder.at if reminder.at is not None else datetime.max.replace(tzinfo=UTC)
    return (_SEVERITY_RANK[reminder.severity], int(reminder.rule[1:]), at, reminder.key)


def evaluate(ctx: ReminderContext, now: datetime, tz: ZoneInfo) -> list[Reminder]:
    """Every reminder due at ``now``: urgent first, then warning, then info; then by rule, time and key."""
    now = as_utc(now)
    found = [reminder for rule in RULES.values() for reminder in rule(ctx, now, tz)]
    return sorted(found, key=_sort_key)


# --------------------------------------------------------------------------- dismiss and snooze


def clamp_snooze(reminder: Reminder, until: datetime, now: datetime) -> datetime:
    """The snooze end actually allowed: urgent reminders (and R8) at most 24 hours from ``now``."""
    until = as_utc(until)
    limit = reminder.snooze_limit_hours
    if limit is None and reminder.rule in _NEVER_DISMISSED:
        limit = ReminderSettings().urgent_snooze_limit_hours
    if limit is None:
        return until
    return min(until, as_utc(now) + timedelta(hours=limit))


def snooze(reminder: Reminder, until: datetime, now: datetime) -> DismissalState:
    """The state to store when the user snoozes ``reminder`` until ``until`` (clamped)."""
    return DismissalState(
        reminder.key, reminder.fingerprint, dismissed=False, snoozed_until=clamp_snooze(reminder, until, now)
    )


def dismiss(reminder: Reminder, now: datetime) -> DismissalState:
    """The state to store when the user dismisses ``reminder``; for R8 that is a 24 h snooze."""
    if reminder.rule in _NEVER_DISMISSED:
        limit = reminder.snooze_limit_hours or ReminderSettings().urgent_snooze_limit_hours
        return snooze(reminder, as_utc(now) + timedelta(hours=limit), now)
    return DismissalState(reminder.key, reminder.fingerprint, dismissed=True, dismissed_at=as_utc(now))


def _hidden(reminder: Reminder, state: DismissalState, now: datetime) -> bool:
    if state.fingerprint != reminder.fingerprint:
        return False  # the condition changed: whatever the user did applied to the old one
    limit_hours = reminder.snooze_limit_hours
    if limit_hours is None and reminder.rule in _NEVER_DISMISSED:
        limit_hours = ReminderSettings().urgent_snooze_limit_hours
    limit = timedelta(hours=limit_hours) if limit_hours is not None else None
    if state.dismissed:
        if reminder.rule not in _NEVER_DISMISSED:
            return True
        # A dismissed R8 is only a snooze from the moment of dismissal.
        if state.dismissed_at is not None and limit is not None and now < as_utc(state.dismissed_at) + limit:
            return True
    if state.snoozed_until is None:
        return False
    until = as_utc(state.snoozed_until)
    if now >= until:
        return False
    # A stored snooze longer than the limit is not honoured (it was never clamped).
    return limit is None or until - now <= limit


def visible(reminders: Iterable[Reminder], states: Iterable[DismissalState], now: datetime) -> list[Reminder]:
    """The reminders to show: not dismissed with an unchanged fingerprint, not snoozed past ``now``."""
    now = as_utc(now)
    by_key = {state.key: state for state in states}
    shown: list[Reminder] = []
    for reminder in reminders:
        state = by_key.get(reminder.key)
        if state is None or not _hidden(reminder, state, now):
            shown.append(reminder)
    return shown
