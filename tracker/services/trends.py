"""Data for the Trends screen: compact SQL queries feeding tracker.domain.trends.

Every query selects only the columns it needs and aggregates in SQL (GROUP BY
day, GROUP BY symptom), so ten years of history (about 55,000 symptom entries
and 22,000 doses) arrive as a few thousand small rows, never as ORM objects.
The statistics themselves are the pure functions of ``tracker.domain.trends``;
``trends_data`` puts everything the screen shows into one frozen value.

Indexes used (checked with EXPLAIN QUERY PLAN in the tests): ix_symptomentry_day
for burden, uq_symptomentry_symptom_day for chosen symptoms, ix_doseevent_day for
doses of a range, ix_doseevent_med_day for the first logged dose per medication,
ix_prescription_med_start for prescriptions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlmodel import Session, col

from tracker.domain.timeutil import day_bounds_utc, local_day
from tracker.domain.trends import (
    COMPARE_DAYS,
    ChangeResponse,
    DateRange,
    DoseChange,
    DoseChangeKind,
    DoseStatus,
    HeatMap,
    LoggedDose,
    MissedRun,
    PeriodAdherence,
    PrescriptionPeriod,
    ScheduledSlot,
    SlotResult,
    SymptomSummary,
    TrendRange,
    adherence_by_week,
    change_response,
    classify_slots,
    daily_series,
    describe_response,
    dose_changes,
    dose_segments,
    heat_map,
    missed_runs,
    range_for,
    rolling_mean,
    symptom_summaries,
    timing_facts,
)
from tracker.domain.trends_extra import SchedulePeriod, scheduled_slots
from tracker.domain.units import times_from_text
from tracker.models import CheckIn, DoseEvent, Medication, PlanEvent, Prescription, Symptom, SymptomEntry

__all__ = [
    "DEFAULT_SYMPTOMS",
    "MEAN_DAYS",
    "ChangeFacts",
    "MedicationDoses",
    "PlanMark",
    "SymptomHeat",
    "SymptomOption",
    "TrendsData",
    "adherence",
    "burden_by_day",
    "checkins_by_day",
    "first_data_day",
    "plan_marks",
    "prescription_periods",
    "severity_by_symptom",
    "symptom_options",
    "trends_data",
]

MEAN_DAYS = 7
"""Length of the trailing mean drawn over the daily burden."""

DEFAULT_SYMPTOMS = 3
"""Heat maps shown before the user chooses: the symptoms with the highest total severity in range."""

# PlanEvent actions worth a mark on the timeline, and how the screen names them.
_MARK_ACTIONS = {
    "start": "plan started",
    "hold": "hold",
    "resume": "resumed",
    "step_back": "step back",
    "step-back": "step back",
    "stepback": "step back",
    "complete": "plan completed",
}


# ---------------------------------------------------------------------------
# Values handed to the screen
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MedicationDoses:
    """One medication's prescribed daily dose: its periods, step line and changes within the range."""

    medication_id: int
    name: str
    periods: tuple[PrescriptionPeriod, ...]
    segments: tuple[tuple[date, float], ...]  # dose_segments over all periods (step line)
    changes: tuple[DoseChange, ...]  # changes inside the range, oldest first


@dataclass(frozen=True, slots=True)
class PlanMark:
    """A taper-plan event on the timeline: a hold, a resume, a step back and so on."""

    day: date
    action: str  # as stored, e.g. "hold"
    label: str  # as shown, e.g. "step back"
    reason: str | None


@dataclass(frozen=True, slots=True)
class SymptomOption:
    """A symptom the user can choose for the heat maps, with its numbers in the range."""

    key: str
    name: str
    days_logged: int
    days_present: int
    worst: int
    total: int


@dataclass(frozen=True, slots=True)
class SymptomHeat:
    """A chosen symptom: its heat map and table row for the range."""

    key: str
    name: str
    heat: HeatMap
    summary: SymptomSummary[str]


@dataclass(frozen=True, slots=True)
class ChangeFacts:
    """A dose change in range with the timing facts of the burden around it (numbers, no verdict)."""

    medication: str
    change: DoseChange
    response: ChangeResponse
    lines: tuple[str, ...]  # describe_response


@dataclass(frozen=True, slots=True)
class TrendsData:
    """Everything the Trends screen shows for one range, computed off the UI thread.

    Daily series hold one entry per day of ``span`` (oldest first), None where nothing
    was logged. ``adherence_total`` sums the weeks; None when no slot was settled.
    """

    range_kind: TrendRange
    span: DateRange
    today: date
    tz: ZoneInfo  # the user's zone: instants (missed runs) are shown on their local day
    burden: tuple[float | None, ...]
    burden_mean: tuple[float | None, ...]
    medications: tuple[MedicationDoses, ...]
    marks: tuple[PlanMark, ...]
    mood: tuple[float | None, ...]
    sleep: tuple[float | None, ...]
    symptom_options: tuple[SymptomOption, ...]
    symptoms: tuple[SymptomHeat, ...]
    changes: tuple[ChangeFacts, ...]
    facts: tuple[tuple[DoseChangeKind, tuple[str, ...]], ...]
    adherence: tuple[PeriodAdherence, ...]
    adherence_total: PeriodAdherence | None
    missed_runs: tuple[MissedRun, ...]
    medication_names: tuple[tuple[int, str], ...]

    @property
    def chosen_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.symptoms)

    @property
    def days_logged(self) -> int:
        """Days of the range with any symptom logged."""
        return sum(1 for value in self.burden if value is not None)

    @property
    def has_data(self) -> bool:
        return (
            self.days_logged > 0
            or any(v is not None for v in self.mood)
            or any(v is not None for v in self.sleep)
            or any(m.periods for m in self.medications)
            or self.adherence_total is not None
        )


# ---------------------------------------------------------------------------
# Compact queries: each returns exactly what a domain function takes
# ---------------------------------------------------------------------------


def first_data_day(*, session: Session) -> date | None:
    """The earliest day with any symptom, check-in, dose or prescription (for "everything").

    Each MIN is answered from an index (day columns), not a table scan.
    """
    candidates = [
        session.execute(select(func.min(col(SymptomEntry.day)))).scalar(),
        session.execute(select(func.min(col(CheckIn.day)))).scalar(),
        session.execute(select(func.min(col(DoseEvent.day)))).scalar(),
        session.execute(select(func.min(col(Prescription.start_date)))).scalar(),
    ]
    days = [day for day in candidates if day is not None]
    return min(days) if days else None


def burden_by_day(*, session: Session, start: date, end: date) -> dict[date, int]:
    """Daily symptom burden (sum of severities) per logged local day in [start, end]; unlogged days absent."""
    rows = session.execute(
        select(col(SymptomEntry.day), func.sum(col(SymptomEntry.severity)))
        .where(col(SymptomEntry.day).between(start, end))
        .group_by(col(SymptomEntry.day))
    ).all()
    return {day: int(total) for day, total in rows}


def symptom_options(*, session: Session, start: date, end: date) -> list[SymptomOption]:
    """Symptoms logged in [start, end] with days logged, days present, worst and total severity.

    Highest total first (then name), so the default choice is the symptoms that weighed most.
    """
    per_symptom = (
        select(
            col(SymptomEntry.symptom_id).label("symptom_id"),
            func.count().label("logged"),
            func.sum(case((col(SymptomEntry.severity) > 0, 1), else_=0)).label("present"),
            func.max(col(SymptomEntry.severity)).label("worst"),
            func.sum(col(SymptomEntry.severity)).label("total"),
        )
        .where(col(SymptomEntry.day).between(start, end))
        .group_by(col(SymptomEntry.symptom_id))
        .subquery()
    )
    rows = session.execute(
        select(
            col(Symptom.key),
            col(Symptom.name),
            per_symptom.c.logged,
            per_symptom.c.present,
            per_symptom.c.worst,
            per_symptom.c.total,
        ).join(per_symptom, per_symptom.c.symptom_id == col(Symptom.id))
    ).all()
    options = [
        SymptomOption(key, name, int(logged), int(present), int(worst), int(total))
        for key, name, logged, present, worst, total in rows
    ]
    options.sort(key=lambda o: (-o.total, o.name.lower()))
    return options


def severity_by_symptom(
    *, session: Session, keys: Sequence[str], start: date, end: date
) -> dict[str, dict[date, int]]:
    """Severity per local day of each symptom in ``keys`` over [start, end]; unlogged days absent.

    Keys come back in the order given, each with its own (possibly empty) mapping. One row
    per symptom and day (the unique constraint), read through uq_symptomentry_symptom_day.
    """
    result: dict[str, dict[date, int]] = {key: {} for key in keys}
    if not keys:
        return result
    ids = dict(
        session.execute(
            select(col(Symptom.id), col(Symptom.key)).where(col(Symptom.key).in_(list(keys)))
        ).all()
    )
    if not ids:
        return result
    rows = session.execute(
        select(col(SymptomEntry.symptom_id), col(SymptomEntry.day), col(SymptomEntry.severity))
        .where(col(SymptomEntry.symptom_id).in_(list(ids)))
        .where(col(SymptomEntry.day).between(start, end))
    ).all()
    for symptom_id, day, severity in rows:
        result[ids[symptom_id]][day] = int(severity)
    return result


def baseline_means(*, session: Session, keys: Sequence[str]) -> dict[str, float]:
    """Mean severity of each symptom over the check-in days marked as baseline (before the taper)."""
    if not keys:
        return {}
    rows = session.execute(
        select(col(Symptom.key), func.avg(col(SymptomEntry.severity)))
        .join(Symptom, col(Symptom.id) == col(SymptomEntry.symptom_id))
        .join(CheckIn, col(CheckIn.day) == col(SymptomEntry.day))
        .where(col(CheckIn.is_baseline).is_(True))
        .where(col(Symptom.key).in_(list(keys)))
        .group_by(col(Symptom.key))
    ).all()
    return {key: float(mean) for key, mean in rows if mean is not None}


def checkins_by_day(
    *, session: Session, start: date, end: date
) -> tuple[dict[date, float], dict[date, float]]:
    """Mood and sleep hours per local day in [start, end] (one check-in per day; gaps absent)."""
    rows = session.execute(
        select(col(CheckIn.day), col(CheckIn.mood), col(CheckIn.sleep_hours)).where(
            col(CheckIn.day).between(start, end)
        )
    ).all()
    mood = {day: float(m) for day, m, _ in rows if m is not None}
    sleep = {day: float(s) for day, _, s in rows if s is not None}
    return mood, sleep


@dataclass(frozen=True, slots=True)
class _RxRow:
    medication_id: int
    start: date
    end: date | None
    dose_mg: float
    times: tuple[time, ...]


def _prescription_rows(session: Session) -> list[_RxRow]:
    """Every prescription, ordered by medication, start, then entry order (the overlap tie-break)."""
    rows = session.execute(
        select(
            col(Prescription.medication_id),
            col(Prescription.start_date),
            col(Prescription.end_date),
            col(Prescription.dose_mg),
            col(Prescription.times),
        ).order_by(col(Prescription.medication_id), col(Prescription.start_date), col(Prescription.id))
    ).all()
    return [_RxRow(m, s, e, float(d), tuple(times_from_text(t))) for m, s, e, d, t in rows]


def prescription_periods(*, session: Session) -> dict[int, list[PrescriptionPeriod]]:
    """Prescribed daily dose periods per medication: dose per intake x number of times a day."""
    periods: dict[int, list[PrescriptionPeriod]] = defaultdict(list)
    for row in _prescription_rows(session):
        periods[row.medication_id].append(
            PrescriptionPeriod(row.start, row.end, row.dose_mg * len(row.times))
        )
    return dict(periods)


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def adherence(
    *, session: Session, start: date, end: date, now: datetime, tz: ZoneInfo
) -> tuple[list[SlotResult], list[PeriodAdherence], list[MissedRun]]:
    """Scheduled slots over [start, end] with their outcomes, per-week adherence and missed runs.

    Slots come from the prescriptions x their times per local day (DST rules of
    ``local_to_utc``). Slots before a medication's first logged dose are left out: the
    user had not started tracking it, so they cannot count as missed. Doses are read by
    day range (ix_doseevent_day), only the four columns the classification needs.
    """
    # One MIN per medication, each answered from ix_doseevent_med_day without a scan.
    first_dose = (
        select(func.min(col(DoseEvent.day)))
        .where(col(DoseEvent.medication_id) == col(Medication.id))
        .scalar_subquery()
    )
    first_logged: dict[int, date] = {
        medication_id: day
        for medication_id, day in session.execute(select(col(Medication.id), first_dose)).all()
        if day is not None
    }
    schedule: dict[int, list[SchedulePeriod]] = defaultdict(list)
    for row in _prescription_rows(session):
        if row.medication_id in first_logged:
            schedule[row.medication_id].append(
                SchedulePeriod(row.medication_id, row.start, row.end, row.times)
            )
    slots: list[ScheduledSlot] = []
    for medication_id, own in schedule.items():
        tracked_from = max(start, first_logged[medication_id])
        if tracked_from <= end:
            slots += scheduled_slots(own, tracked_from, end, tz)
    rows = session.execute(
        select(
            col(DoseEvent.medication_id),
            col(DoseEvent.scheduled_for),
            col(DoseEvent.taken_at),
            col(DoseEvent.status),
        )
        .where(col(DoseEvent.day).between(start, end))
        .where(col(DoseEvent.scheduled_for).is_not(None))
    ).all()
    # UTCDateTime already hands back aware UTC instants; statuses map to the domain's enum once each.
    statuses = {status.value: status for status in DoseStatus}
    doses = [LoggedDose(m, s, t, statuses[status]) for m, s, t, status in rows]
    results = classify_slots(slots, doses, now)
    return results, adherence_by_week(results, tz), missed_runs(results)


def plan_marks(*, session: Session, start: date, end: date, tz: ZoneInfo) -> list[PlanMark]:
    """Taper-plan events (holds, resumes, step backs, start, completion) on local days in [start, end]."""
    first, _ = day_bounds_utc(start, tz)
    _, after = day_bounds_utc(end, tz)
    rows = session.execute(
        select(col(PlanEvent.at), col(PlanEvent.action), col(PlanEvent.reason))
        .where(col(PlanEvent.at) >= first)
        .where(col(PlanEvent.at) < after)
        .where(col(PlanEvent.action).in_(list(_MARK_ACTIONS)))
        .order_by(col(PlanEvent.at))
    ).all()
    marks: list[PlanMark] = []
    for at, action, reason in rows:
        instant = _utc(at)
        assert instant is not None
        marks.append(PlanMark(local_day(instant, tz), action, _MARK_ACTIONS[action], reason))
    return marks


def _dose_on(segments: Sequence[tuple[date, float]], day: date) -> float:
    """The daily dose in force on ``day`` from ``dose_segments`` output (0 before the first)."""
    dose = 0.0
    for first, mg in segments:
        if first > day:
            break
        dose = mg
    return dose


def _total(weeks: Sequence[PeriodAdherence]) -> PeriodAdherence | None:
    if not weeks or not any(w.scheduled for w in weeks):
        return None
    return PeriodAdherence(
        first_day=weeks[0].first_day,
        scheduled=sum(w.scheduled for w in weeks),
        taken=sum(w.taken for w in weeks),
        late=sum(w.late for w in weeks),
        skipped=sum(w.skipped for w in weeks),
        missed=sum(w.missed for w in weeks),
        pending=sum(w.pending for w in weeks),
    )


# ---------------------------------------------------------------------------
# Everything the screen shows
# ---------------------------------------------------------------------------


def trends_data(
    *,
    session: Session,
    range_kind: TrendRange,
    today: date,
    now: datetime,
    tz: ZoneInfo,
    symptom_keys: Sequence[str] | None = None,
) -> TrendsData:
    """All numbers of the Trends screen for ``range_kind`` ending ``today`` (local).

    Args:
        symptom_keys: symptoms for the heat maps, in this order; None picks the
            ``DEFAULT_SYMPTOMS`` with the highest total severity in the range.
    """
    first = first_data_day(session=session) if range_kind is TrendRange.ALL else None
    span = range_for(range_kind, today, first)
    # Burden from COMPARE_DAYS earlier: the 7-day mean of the first days and the 14 days
    # before a change at the start of the range need them.
    lead = span.start - timedelta(days=COMPARE_DAYS)
    burden_map: dict[date, float] = dict(burden_by_day(session=session, start=lead, end=span.end))
    full = daily_series(burden_map, lead, span.end)
    skip = COMPARE_DAYS
    burden = tuple(full[skip:])
    burden_mean = tuple(rolling_mean(full, MEAN_DAYS)[skip:])

    names = dict(session.execute(select(col(Medication.id), col(Medication.name))).all())
    medications: list[MedicationDoses] = []
    changes: list[ChangeFacts] = []
    for medication_id, periods in prescription_periods(session=session).items():
        segments = dose_segments(periods)
        in_range = dose_changes(periods, span.start, span.end)
        name = names.get(medication_id, f"Medication {medication_id}")
        if not in_range and _dose_on(segments, span.start) <= 0:
            continue  # nothing prescribed at any point of the range
        medications.append(
            MedicationDoses(medication_id, name, tuple(periods), tuple(segments), tuple(in_range))
        )
        for change in in_range:
            response = change_response(change.day, burden_map)
            changes.append(ChangeFacts(name, change, response, tuple(describe_response(response))))
    medications.sort(key=lambda m: m.name.lower())
    changes.sort(key=lambda c: (c.change.day, c.medication))
    kinds: list[DoseChangeKind] = []
    for fact in changes:
        group = (
            DoseChangeKind.REDUCTION
            if fact.change.kind in (DoseChangeKind.REDUCTION, DoseChangeKind.STOP)
            else DoseChangeKind.INCREASE
        )
        if group not in kinds:
            kinds.append(group)
    facts = tuple((kind, timing_facts(kind)) for kind in kinds)

    mood_map, sleep_map = checkins_by_day(session=session, start=span.start, end=span.end)

    options = symptom_options(session=session, start=span.start, end=span.end)
    if symptom_keys is None:
        keys = [option.key for option in options[:DEFAULT_SYMPTOMS]]
    else:
        keys = list(dict.fromkeys(symptom_keys))
    severity = severity_by_symptom(session=session, keys=keys, start=span.start, end=span.end)
    symptom_names = dict(
        session.execute(select(col(Symptom.key), col(Symptom.name)).where(col(Symptom.key).in_(keys))).all()
    )
    keys = [key for key in keys if key in symptom_names]
    summaries = {
        row.symptom: row
        for row in symptom_summaries(
            {key: severity[key] for key in keys}, baselines=baseline_means(session=session, keys=keys)
        )
    }
    heats = tuple(
        SymptomHeat(key, symptom_names[key], heat_map(severity[key], span.start, span.end), summaries[key])
        for key in keys
    )

    _, weeks, runs = adherence(session=session, start=span.start, end=span.end, now=now, tz=tz)

    return TrendsData(
        range_kind=range_kind,
        span=span,
        today=today,
        tz=tz,
        burden=burden,
        burden_mean=burden_mean,
        medications=tuple(medications),
        marks=tuple(plan_marks(session=session, start=span.start, end=span.end, tz=tz)),
        mood=tuple(daily_series(mood_map, span.start, span.end)),
        sleep=tuple(daily_series(sleep_map, span.start, span.end)),
        symptom_options=tuple(options),
        symptoms=heats,
        changes=tuple(changes),
        facts=facts,
        adherence=tuple(weeks),
        adherence_total=_total(weeks),
        missed_runs=tuple(runs),
        medication_names=tuple(sorted(names.items())),
    )
