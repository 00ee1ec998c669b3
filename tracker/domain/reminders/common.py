"""What every reminder rule shares: the inputs they read, the reminder they return, and helpers.

Every rule reads a :class:`ReminderContext` (filled by the services layer from compact
queries), the current instant ``now`` (aware, UTC) and the user's time zone; nothing in
this package reads a clock, a file or the database.

Plan and step statuses are plain strings (plan: draft, agreed, active, held, completed,
abandoned; step: planned, current, held, done, stepped_back) so the rules do not depend
on ``tracker.domain.taper``.

An urgent reminder's fingerprint (:func:`urgent_fingerprint`) carries how bad things were
when it was made: what it is about, the entries it rests on and a level (a burden, days
without a dose, milligrams). :func:`is_worse` compares two of them, so a dismissed urgent
reminder comes back as soon as it gets worse (``tracker.domain.reminders.silence``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

from tracker.domain.reminder_settings import ReminderSettings as ReminderSettings  # re-exported
from tracker.domain.reminders.wording import WHY
from tracker.domain.safety import URGENT_SILENCE_LIMIT
from tracker.domain.schedule import (
    Micro,
    ZoneTimeline,
    by_medication,
    covers,
    expected_dose,
    in_force_on,
    slots_between,
)
from tracker.domain.timeutil import as_utc

Severity = Literal["info", "warning", "urgent"]
Action = Literal["today", "taper", "clinician", "medications", "settings", "help"]
DoseStatus = Literal["taken", "skipped", "extra"]
CrisisKind = Literal["self-harm", "low-mood", "phq9-item9"]

# Plans whose pace has been agreed with a prescriber: their next step is "upcoming" (R1, R2).
AGREED_PLAN = frozenset({"agreed", "active"})
# Plans in progress whose current step sets the expected dose (R4).
RUNNING_PLAN = frozenset({"active", "held"})
# Plans that cover what comes next for their medication (R4's 0 mg dose, R11).
COVERING_PLAN = frozenset({"agreed", "active", "held"})
# Steps that were (or are) actually taken; a stepped_back step no longer sets the dose.
STARTED_STEP = frozenset({"current", "held", "done"})
URGENT_LIMIT_HOURS = int(URGENT_SILENCE_LIMIT.total_seconds() // 3600)
EPS = 1e-9


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class MedicationInfo:
    """A medication the user takes or took; archived ones get no dose reminders.

    ``started_on`` is the day the user says they started it (None: not known, and then
    R10 says nothing about starting out).
    """

    id: int
    name: str
    half_life_hours: float | None = None
    archived: bool = False
    started_on: date | None = None


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

    def started_steps(self, day: date) -> list[StepInfo]:
        """Steps actually taken (current, held or done) that began on or before ``day``, by start."""
        found = [s for s in self.steps if s.status in STARTED_STEP and s.start <= day]
        return sorted(found, key=lambda s: (s.start, s.order))


@dataclass(frozen=True, slots=True)
class CrisisEntry:
    """One entry R8 reacts to: for local ``day``, written at ``written_at`` (aware UTC).

    ``kind`` is "self-harm" (thoughts of self-harm rated above 0), "low-mood" (mood at or
    below ``safety.CRISIS_MOOD_MAX``) or "phq9-item9" (PHQ-9 item 9 answered above 0);
    ``value`` is the rating, mood or answer.
    """

    day: date
    written_at: datetime
    kind: CrisisKind
    value: int = 1


@dataclass(frozen=True, slots=True)
class ReminderContext:
    """Everything the rules read; the services layer fills it from compact queries.

    ``daily_burden`` holds only logged local days (a missing day is "not logged", never
    zero). ``severe_days`` maps a symptom name to the local days it was rated 3.
    ``daily_taken`` maps (medication, local day) to the milligrams logged as taken that day
    (taken and extra entries; R3's logged reductions, R12). ``crisis_entries`` are the
    entries R8 reacts to, written recently, whatever their day.
    ``planned_medication_ids`` are medications with an agreed or running plan (R4, R11; a
    completed plan is read from ``plans``). ``schedule_tz`` is the zone dose slots are
    expanded in (the home zone when schedules keep home time while travelling), or a
    ``ZoneTimeline`` of the zones past days were lived in (schedules following the user's
    zone); None means the zone the rules run in. A slot belongs to the local day of that
    zone; "today" and the times shown stay in the rules' zone.
    """

    settings: ReminderSettings = field(default_factory=ReminderSettings)
    medications: tuple[MedicationInfo, ...] = ()
    prescriptions: tuple[PrescriptionInfo, ...] = ()
    doses: tuple[DoseInfo, ...] = ()
    daily_burden: Mapping[date, int] = field(default_factory=dict)
    severe_days: Mapping[str, Set[date]] = field(default_factory=dict)
    baseline_mean_burden: float | None = None
    crisis_entries: tuple[CrisisEntry, ...] = ()
    daily_taken: Mapping[tuple[int, date], float] = field(default_factory=dict)
    plans: tuple[PlanInfo, ...] = ()
    appointments: tuple[datetime, ...] = ()
    planned_medication_ids: Set[int] = frozenset()
    schedule_tz: ZoneInfo | ZoneTimeline | None = None
    # D8: micro-step tables by prescription id; on their days the table's row is the dose
    micro: Micro = field(default_factory=dict)


# --------------------------------------------------------------------------- outputs


@dataclass(frozen=True, slots=True)
class Reminder:
    """One reminder to show.

    ``key`` is its stable identity (dismissals are stored under it); ``fingerprint``
    changes when the rule's condition changes, so a dismissed reminder comes back only
    then (for an urgent one, see :func:`is_worse`). ``action`` names the screen where the
    user can act; ``at`` is the instant it is about (a scheduled dose, a step), if any.
    ``snooze_limit_hours`` is 24 for an urgent reminder (``safety.URGENT_SILENCE_LIMIT``).
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


def make(
    rule: str,
    key: str,
    severity: Severity,
    message: str,
    action: Action,
    fingerprint: str,
    *,
    at: datetime | None = None,
    medication_id: int | None = None,
) -> Reminder:
    """A reminder with its rule's "why"; urgent ones carry the 24-hour limit."""
    return Reminder(
        rule=rule,
        key=key,
        severity=severity,
        message=message,
        why=WHY[rule],
        action=action,
        fingerprint=fingerprint,
        snooze_limit_hours=URGENT_LIMIT_HOURS if severity == "urgent" else None,
        at=at,
        medication_id=medication_id,
    )


# --------------------------------------------------------------------------- urgent fingerprints


def urgent_fingerprint(base: str, tokens: Iterable[str] = (), level: float = 0.0) -> str:
    """``base#token,token#level``: what it is about, the entries it rests on, how bad it is."""
    return f"{base}#{','.join(sorted(set(tokens)))}#{round(level, 3):g}"


def is_worse(current: str, stored: str) -> bool:
    """True when ``current`` is worse than ``stored`` (the fingerprint when the user silenced it).

    Worse means: about something else, resting on an entry that was not there, or a higher
    level. A fingerprint that does not parse counts as different, hence worse.
    """
    now_parts, then_parts = current.split("#"), stored.split("#")
    if len(now_parts) != 3 or len(then_parts) != 3:
        return current != stored
    if now_parts[0] != then_parts[0]:
        return True
    if set(filter(None, now_parts[1].split(","))) - set(filter(None, then_parts[1].split(","))):
        return True
    try:
        return float(now_parts[2]) > float(then_parts[2]) + EPS
    except ValueError:
        return current != stored


# --------------------------------------------------------------------------- formatting


def mg(amount: float) -> str:
    """20.0 -> "20", 2.5 -> "2.5": doses read as people write them."""
    return f"{round(amount, 3):g}"


def day_text(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def iso(moment: datetime) -> str:
    """A UTC instant to the minute, as used in keys: 2026-11-27T08:00Z."""
    return as_utc(moment).strftime("%Y-%m-%dT%H:%MZ")


def minute(moment: datetime) -> datetime:
    return as_utc(moment).replace(second=0, microsecond=0)


def prescriber_text(name: str | None) -> str:
    return name.strip() if name and name.strip() else "your prescriber"


# --------------------------------------------------------------------------- shared reads


def name_of(ctx: ReminderContext, medication_id: int) -> str:
    return next((m.name for m in ctx.medications if m.id == medication_id), f"medication {medication_id}")


def active_medication_ids(ctx: ReminderContext) -> set[int]:
    """Medications that still get dose reminders: known and not archived."""
    return {m.id for m in ctx.medications if not m.archived}


def prescriber_for(ctx: ReminderContext, medication_id: int, today: date) -> str:
    """The prescriber of the medication's prescription in force (or the latest one)."""
    own = sorted((p for p in ctx.prescriptions if p.medication_id == medication_id), key=lambda p: p.start)
    current = [p for p in own if p.covers(today)] or own
    for prescription in reversed(current):
        if prescription.prescriber:
            return prescriber_text(prescription.prescriber)
    for plan in ctx.plans:
        if plan.medication_id == medication_id and plan.prescriber:
            return prescriber_text(plan.prescriber)
    return prescriber_text(None)


def scheduled_doses(
    prescriptions: Iterable[PrescriptionInfo],
    first_day: date,
    last_day: date,
    tz: ZoneInfo | ZoneTimeline,
    micro: Micro | None = None,
) -> list[ScheduledDose]:
    """Every intake the prescriptions schedule on local days ``first_day``..``last_day`` of ``tz``
    (of the zone in force on each day, for a timeline).

    The shared rule of ``tracker.domain.schedule`` (as Today and Trends): per medication
    and day, the prescription that started last is in force (overlaps never add up), and
    ``local_to_utc`` applies the DST rules (a time in the spring-forward gap moves to the
    first valid minute after it, an ambiguous fall-back time is its first occurrence). With
    ``micro`` (D8) a running micro-step table sets each day's dose.
    """
    out = [
        ScheduledDose(
            slot.medication_id,
            minute(slot.scheduled_for),
            expected_dose(slot, slot.prescription.dose_mg),
            day,
        )
        for day, slots in slots_between(prescriptions, first_day, last_day, tz, micro).items()
        for slot in slots
    ]
    return sorted(out, key=lambda s: (s.scheduled_for, s.medication_id))


def in_force(ctx: ReminderContext, medication_id: int, day: date) -> PrescriptionInfo | None:
    """The medication's prescription in force on local ``day`` (the shared rule: latest start wins)."""
    return in_force_on(by_medication(ctx.prescriptions).get(medication_id, []), day)


def schedule_zone(ctx: ReminderContext, tz: ZoneInfo) -> ZoneTimeline:
    """The zones dose slots are expanded in (``ReminderContext.schedule_tz``), as a timeline."""
    return ZoneTimeline.of(ctx.schedule_tz or tz)


def logged_slots(ctx: ReminderContext, *, statuses: Set[str] | None = None) -> set[tuple[int, datetime]]:
    """(medication, scheduled instant) of every dose entry (of ``statuses``, if given)."""
    return {
        (d.medication_id, minute(d.scheduled_for))
        for d in ctx.doses
        if d.scheduled_for is not None and (statuses is None or d.status in statuses)
    }


def mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None


def burden_between(ctx: ReminderContext, first: date, last: date) -> list[int]:
    """Logged daily burdens of local days first..last; days not logged are skipped, never zero."""
    return [v for d, v in ctx.daily_burden.items() if first <= d <= last]


def covered_by_plan(ctx: ReminderContext, medication_id: int, day: date) -> bool:
    """True when a plan covers the medication on ``day``: an agreed or running plan, or a
    completed one whose last step began on or after the latest prescription start up to
    ``day``. A completed plan says nothing about a later prescription (a restart)."""
    if medication_id in ctx.planned_medication_ids:
        return True
    restarts = [p.start for p in ctx.prescriptions if p.medication_id == medication_id and p.start <= day]
    latest_start = max(restarts, default=None)
    for plan in ctx.plans:
        if plan.medication_id != medication_id:
            continue
        if plan.status in COVERING_PLAN:
            return True
        if plan.status == "completed":
            steps = plan.started_steps(day)
            if steps and (latest_start is None or steps[-1].start >= latest_start):
                return True
    return False
