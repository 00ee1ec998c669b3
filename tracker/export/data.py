"""Everything the clinician summary shows, gathered once and held in frozen dataclasses.

Reads go through the services where one exists and otherwise select plain columns
(never ORM rows for day-level data): per-day values come from SQL, already one row per
day, so a year of data is a few thousand small tuples. Every statistic is computed by
``tracker.domain.trends`` (the same functions the Trends screen uses), so the summary and
the screen never disagree. The renderers (markdown, html, pdf) only format what is here.
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from operator import attrgetter, itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from tracker.domain.disclaimer import EXPORT_DISCLAIMER
from tracker.domain.drugs import SHORT_HALF_LIFE_HOURS, drops_warning
from tracker.domain.errors import TrackerError
from tracker.domain.safety import overdose_reason
from tracker.domain.scales import ANSWERS, SCALES, band_for
from tracker.domain.schedule import SchedulePeriod, ZoneTimeline, slot_times
from tracker.domain.symptoms import SEVERITY_LABELS
from tracker.domain.taper import Flag
from tracker.domain.taper_micro import MicroTable, table_for_step, tables_by_prescription
from tracker.domain.timeutil import local_day
from tracker.domain.trends import (
    COMPARE_DAYS,
    ChangeResponse,
    DoseChange,
    DoseChangeKind,
    DoseStatus,
    MissedRun,
    PeriodAdherence,
    PrescriptionPeriod,
    SlotOutcome,
    SlotResult,
    SymptomSummary,
    adherence_by_week,
    change_response,
    classify_times,
    daily_doses,
    daily_series,
    dose_changes,
    dose_segments,
    logged_mean,
    micro_changes,
    micro_periods,
    missed_runs,
    rolling_mean,
)
from tracker.domain.units import times_from_text
from tracker.queries import clinician as clinician_queries
from tracker.queries import meds as med_queries
from tracker.queries import period_symptoms
from tracker.queries import schedule as schedule_queries
from tracker.queries import symptoms as symptom_queries
from tracker.queries.scales import responses_between
from tracker.queries.taper import StepDetailRow, events_of, step_details
from tracker.services import settings as settings_service
from tracker.services.taper_views import flags_from_json
from tracker.store import Reads, day_from_db, raw, utc_from_db

DISCLAIMER = EXPORT_DISCLAIMER
DEFAULT_DAYS = 90
"""Length of the default summary period, ending today."""

MAIN_SYMPTOMS = 8
"""Rows of the "main symptoms by week" chart: the symptoms with the highest total severity."""

OFF_PRESCRIPTION_TOLERANCE = 0.10
"""A taken dose more than 10% away from the prescribed dose is listed (reminder R4's threshold)."""

PLAN_MATCH_DAYS = 7
"""A dose change within a week of a plan step's planned start, at that step's dose, counts as planned."""

LOW_MOOD = 1
"""Mood at or below this is a crisis flag (reminder R8)."""


# ---------------------------------------------------------------------------
# The values the renderers read
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PrescriptionRow:
    """One prescription period of a medication."""

    medication_id: int
    medication: str
    dose_mg: float  # per intake
    times: tuple[str, ...]
    start: date
    end: date | None
    prescriber: str | None
    note: str | None
    step_order: int | None
    micro: MicroTable | None = None  # D8: the micro-step table that sets each day's dose, if any

    @property
    def daily_mg(self) -> float:
        return self.dose_mg * max(len(self.times), 1)


@dataclass(frozen=True, slots=True)
class MedicationRow:
    """A medication with the prescription in force on the summary's last day."""

    id: int
    name: str
    brand: str | None
    form: str
    strength_mg: float
    half_life_hours: float | None
    archived: bool
    current: PrescriptionRow | None
    liquid_mg_per_ml: float | None = None  # a top-up liquid of the same drug
    started_on: date | None = None  # the day the user says they started it
    first_prescribed: date | None = None  # the start of its earliest prescription recorded


@dataclass(frozen=True, slots=True)
class DoseChangeRow:
    """A change of a medication's prescribed daily dose, and whether a plan step covers it."""

    medication: str
    change: DoseChange
    planned: bool
    step_order: int | None


@dataclass(frozen=True, slots=True)
class StepRow:
    order: int
    dose_mg: float
    planned_start: date
    actual_start: date | None
    status: str
    how_to_take: str | None
    # what the draft said about the step, as saved with it (issue 12; NULL columns read as none)
    occupancy_pct: float | None = None  # estimated SERT occupancy (D7: only with ``fit``)
    fit: str | None = None  # D7: drug, brain region, formulation; approximate
    flags: tuple[Flag, ...] = ()  # D5 flags and the D2/D3 markers
    needs_form: bool = False  # D2: the recorded forms cannot give ``dose_mg``

    @property
    def delay_days(self) -> int | None:
        """Days the step started after (positive) or before (negative) its planned start."""
        return (self.actual_start - self.planned_start).days if self.actual_start else None


@dataclass(frozen=True, slots=True)
class PlanEventRow:
    at: datetime  # local time
    action: str
    from_status: str | None
    to_status: str | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class MicroStepSummary:
    """D8: a step reached by daily or weekly micro-steps: its table's range, for the summary."""

    order: int
    cadence: str
    first_day: date | None
    last_day: date | None
    from_mg: float
    to_mg: float
    rows: int
    ml_rows: int  # rows measured in ml of liquid
    flagged_rows: int
    stopped: date | None


def _prescribed_daily(rx: PrescriptionRow | None, day: date) -> float | None:
    """The prescribed daily dose of ``day``: a running micro-step table's row (D8), else the prescription."""
    if rx is None:
        return None
    row_mg = rx.micro.daily_mg_on(day) if rx.micro is not None else None
    return row_mg if row_mg is not None and row_mg > 0 else rx.daily_mg


def micro_summaries(steps: Sequence[StepDetailRow]) -> tuple[MicroStepSummary, ...]:
    """The micro-step tables of a plan's steps, as the summary states them (kept apart from the step rows)."""
    out: list[MicroStepSummary] = []
    for s in steps:
        table = table_for_step(s)
        if table is None:
            continue
        out.append(
            MicroStepSummary(
                order=s.order,
                cadence=table.cadence,
                first_day=table.first_day,
                last_day=table.last_day,
                from_mg=table.from_mg,
                to_mg=table.to_mg,
                rows=len(table.rows),
                ml_rows=sum(1 for r in table.rows if r.ml is not None),
                flagged_rows=sum(1 for r in table.rows if r.flags),
                stopped=table.stopped,
            )
        )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class PlanInfo:
    id: int
    medication_id: int
    medication: str
    status: str
    method: str
    prescriber: str | None
    agreed_on: date | None
    notes: str | None
    steps: tuple[StepRow, ...]
    events: tuple[PlanEventRow, ...]
    micro: tuple[MicroStepSummary, ...] = ()  # D8: the steps that have a day-by-day table

    @property
    def holds(self) -> int:
        return sum(1 for e in self.events if e.action == "hold")

    @property
    def step_backs(self) -> int:
        return sum(1 for s in self.steps if s.status == "stepped_back") + sum(
            1 for e in self.events if "back" in e.action
        )


@dataclass(frozen=True, slots=True)
class DoseSeries:
    """One medication's prescribed daily dose, one value per day of the period."""

    medication: str
    values: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class ChartData:
    """The daily series of the dose and burden chart (None = not logged)."""

    start: date
    end: date
    doses: tuple[DoseSeries, ...]
    burden: tuple[float | None, ...]
    burden_mean: tuple[float | None, ...]  # trailing 7-day mean
    change_days: tuple[date, ...]


@dataclass(frozen=True, slots=True)
class WeeklySymptoms:
    """Mean severity (logged days only) of the main symptoms per week starting on Monday."""

    weeks: tuple[date, ...]
    rows: tuple[tuple[str, tuple[float | None, ...]], ...]


@dataclass(frozen=True, slots=True)
class SymptomRow:
    name: str
    group: str
    summary: SymptomSummary[int]


@dataclass(frozen=True, slots=True)
class AdherenceTotals:
    """Settled scheduled doses over the whole period (pending ones apart)."""

    scheduled: int
    taken: int
    late: int
    skipped: int
    missed: int
    pending: int

    def share(self, count: int) -> float | None:
        return count / self.scheduled if self.scheduled else None


@dataclass(frozen=True, slots=True)
class MissedRunRow:
    medication: str
    run: MissedRun


@dataclass(frozen=True, slots=True)
class OffPrescriptionDose:
    day: date
    medication: str
    amount_mg: float
    prescribed_mg: float


@dataclass(frozen=True, slots=True)
class ResponseRow:
    """What the daily burden did after one reduction (timing facts, never a verdict)."""

    change: DoseChangeRow
    response: ChangeResponse

    @property
    def rose(self) -> bool:
        return self.response.days_to_rise is not None


@dataclass(frozen=True, slots=True)
class ShortHalfLifeMisses:
    medication: str
    half_life_hours: float
    days: tuple[date, ...]


@dataclass(frozen=True, slots=True)
class WeekRow:
    """One row of the week-by-week table."""

    monday: date
    burden: float | None
    mood: float | None
    sleep: float | None
    adherence: PeriodAdherence | None


@dataclass(frozen=True, slots=True)
class MoodSleep:
    mood_mean: float | None
    mood_lowest: int | None
    mood_days: int
    mood_baseline: float | None
    sleep_mean: float | None
    sleep_shortest: float | None
    sleep_days: int
    sleep_baseline: float | None


@dataclass(frozen=True, slots=True)
class NoteRow:
    day: date
    source: str  # "check-in", "dose: Sertraline", "symptom: Dizziness"
    text: str


@dataclass(frozen=True, slots=True)
class QuestionRow:
    asked: date
    text: str


@dataclass(frozen=True, slots=True)
class AttentionItem:
    """One entry of the "needs attention" box: a crisis entry (with the patient's own note),
    a possible overdose (R12) or an urgent reminder."""

    day: date | None
    kind: str  # "crisis", "overdose", "urgent"
    text: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ScaleTotal:
    day: date
    scale: str  # "PHQ-9", "GAD-7"
    total: int
    max_total: int
    band: str
    item9: int | None = None  # PHQ-9 item 9 (thoughts of being better off dead or of self-harm)


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    """How often the patient said a symptom was new, worse, the same or better than before the
    taper, in their own words, and how many logged days it was absent (rated none)."""

    name: str
    new: int
    worse: int
    same: int
    better: int
    absent: int
    latest: str | None  # the latest comparison given, with its day
    latest_word: str | None = None  # that comparison alone: new, worse, same or better


@dataclass(frozen=True, slots=True)
class ExtraDose:
    day: date
    medication: str
    amount_mg: float
    note: str | None


@dataclass(frozen=True, slots=True)
class SummaryData:
    """Everything one clinician summary shows."""

    patient_name: str
    start: date
    end: date
    generated_at: datetime  # local time
    zone: str
    disclaimer: str
    crisis_text: str
    medications: tuple[MedicationRow, ...]
    prescriptions: tuple[PrescriptionRow, ...]  # periods overlapping the summary period
    changes: tuple[DoseChangeRow, ...]
    plans: tuple[PlanInfo, ...]
    chart: ChartData
    weekly_symptoms: WeeklySymptoms
    symptoms: tuple[SymptomRow, ...]
    adherence: AdherenceTotals
    weeks: tuple[WeekRow, ...]
    missed_runs: tuple[MissedRunRow, ...]
    off_prescription: tuple[OffPrescriptionDose, ...]
    responses: tuple[ResponseRow, ...]
    crisis_days: tuple[date, ...]
    low_mood_days: tuple[date, ...]
    short_half_life: tuple[ShortHalfLifeMisses, ...]
    overdoses: tuple[OverdoseRow, ...]  # R12: shown in the notable events
    drops_warnings: tuple[str, ...]  # DOMAIN.md: drops are not mg for mg like tablets
    mood_sleep: MoodSleep
    notes: tuple[NoteRow, ...]
    questions: tuple[QuestionRow, ...]
    next_appointment: tuple[datetime, str | None] | None  # local time, clinician
    attention: tuple[AttentionItem, ...] = ()  # the "needs attention" box at the top of page 1
    scales: tuple[ScaleTotal, ...] = ()  # PHQ-9 / GAD-7 totals in the period
    comparisons: tuple[ComparisonRow, ...] = ()  # symptoms compared with before the taper
    extra_doses: tuple[ExtraDose, ...] = ()
    earlier_plans: tuple[PlanInfo, ...] = ()  # finished or abandoned before the period

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def unplanned_changes(self) -> tuple[DoseChangeRow, ...]:
        return tuple(c for c in self.changes if not c.planned and c.change.kind is not DoseChangeKind.START)


# ---------------------------------------------------------------------------
# Small pure helpers
# ---------------------------------------------------------------------------


def default_period(today: date, days: int = DEFAULT_DAYS) -> tuple[date, date]:
    """The default summary period: the last ``days`` days, today included."""
    return today - timedelta(days=days - 1), today


def severity_label(value: int | None) -> str:
    """``2 moderate``; an empty string for None."""
    if value is None:
        return ""
    return f"{value} {SEVERITY_LABELS[value]}" if 0 <= value < len(SEVERITY_LABELS) else str(value)


def weekly_means(
    values: Mapping[date, float], mondays: Sequence[date], start: date, end: date
) -> tuple[float | None, ...]:
    """Mean of the logged values of each week (clipped to [start, end]); None for a week with none."""
    out: list[float | None] = []
    for monday in mondays:
        first = max(monday, start)
        last = min(monday + timedelta(days=6), end)
        out.append(logged_mean(daily_series(values, first, last)))
    return tuple(out)


def week_starts(start: date, end: date) -> tuple[date, ...]:
    """The Mondays of every week touching [start, end]."""
    monday = start - timedelta(days=start.weekday())
    weeks: list[date] = []
    while monday <= end:
        weeks.append(monday)
        monday += timedelta(days=7)
    return tuple(weeks)


def _periods(rows: Iterable[PrescriptionRow]) -> list[PrescriptionPeriod]:
    """The prescribed daily dose over time; a prescription with a micro-step table (D8) is the
    day's row of its table, as on Today and in Trends."""
    out: list[PrescriptionPeriod] = []
    for r in rows:
        period = PrescriptionPeriod(r.start, r.end, r.daily_mg)
        out.extend([period] if r.micro is None else micro_periods(period, r.micro))
    return out


def _is_planned(
    change: DoseChange, starting: PrescriptionRow | None, steps: Sequence[tuple[PlanInfo, StepRow]]
) -> tuple[bool, int | None]:
    """Whether an agreed plan step covers a change: a prescription linked to a step, or a step
    of an agreed plan at the new dose whose actual or planned start is near the change day."""
    if starting is not None and starting.step_order is not None:
        return True, starting.step_order
    for plan, step in steps:
        if plan.agreed_on is None:
            continue  # a draft is not an agreement
        same_dose = abs(step.dose_mg - change.to_mg) <= max(0.1 * step.dose_mg, 1e-6)
        near = (
            step.actual_start == change.day or abs((step.planned_start - change.day).days) <= PLAN_MATCH_DAYS
        )
        if same_dose and near:
            return True, step.order
    return False, None


# ---------------------------------------------------------------------------
# Gathering
# ---------------------------------------------------------------------------


def _micro_tables(session: Reads) -> Mapping[int, MicroTable]:
    """Every prescription's micro-step table (D8), by prescription id: read once per summary."""
    return tables_by_prescription(schedule_queries.micro_tables(session=session))


def _prescription_rows(
    session: Reads,
    med_id: int,
    med_name: str,
    step_orders: Mapping[int, int],
    tables: Mapping[int, MicroTable],
) -> list[PrescriptionRow]:
    return [
        PrescriptionRow(
            medication_id=med_id,
            medication=med_name,
            dose_mg=rx.dose_mg,
            times=tuple(t.strftime("%H:%M") for t in times_from_text(rx.times)),
            start=rx.start_date,
            end=rx.end_date,
            prescriber=rx.prescriber,
            note=rx.note,
            step_order=step_orders.get(rx.taper_step_id) if rx.taper_step_id is not None else None,
            micro=tables.get(rx.id),
        )
        for rx in med_queries.prescriptions_of(session=session, medication_id=med_id)
    ]


def _plans(session: Reads, med_names: Mapping[int, str], tz: ZoneInfo) -> list[PlanInfo]:
    # Plans, steps and events are a few dozen rows in all, read whole.
    plans = list(
        raw(session).execute(
            "SELECT id, medication_id, status, method, prescriber, agreed_on, notes FROM taperplan "
            "ORDER BY created_at"
        )
    )
    plan_ids = [p[0] for p in plans]
    steps = step_details(session, plan_ids)
    events = events_of(session, plan_ids)
    return [
        PlanInfo(
            id=plan_id,
            medication_id=medication_id,
            medication=med_names.get(medication_id, "?"),
            status=status,
            method=method,
            prescriber=prescriber,
            agreed_on=day_from_db(agreed_on),
            notes=notes,
            steps=tuple(
                StepRow(
                    s.order,
                    s.dose_mg,
                    s.planned_start,
                    s.actual_start,
                    s.status,
                    s.how_to_take,
                    occupancy_pct=s.occupancy_pct,
                    fit=s.fit,
                    flags=flags_from_json(s.flags),
                    needs_form=s.needs_form,
                )
                for s in steps[plan_id]
            ),
            events=tuple(
                PlanEventRow(e.at.astimezone(tz), e.action, e.from_status, e.to_status, e.reason)
                for e in events[plan_id]
            ),
            micro=micro_summaries(steps[plan_id]),
        )
        for plan_id, medication_id, status, method, prescriber, agreed_on, notes in plans
    ]


def _slot_times(
    rows: Sequence[PrescriptionRow],
    start: date,
    end: date,
    schedule_tz: ZoneInfo | ZoneTimeline,
    archived: bool,
) -> list[tuple[int, datetime]]:
    """Every scheduled dose in [start, end] as (medication, UTC instant), by the one schedule
    rule (tracker/domain/schedule.py), in its order.

    The prescription in force each day is the one Today and the reminders use (the latest
    start wins), expanded in the schedule zone (home time when the user keeps it; else the
    zone each day was lived in, from the zone history, so travel moves no past slot). For an
    archived medication only prescriptions with an end date count: an open-ended one would
    otherwise show its doses as missed for ever after the medication was stopped.
    """
    periods = [
        SchedulePeriod(
            rx.medication_id,
            rx.start,
            rx.end,
            tuple(time.fromisoformat(t) for t in rx.times),
            rx.dose_mg,
            id=order,  # rows come in entry order: a later entry wins a tie on the start
        )
        for order, rx in enumerate(rows, 1)
        if not (archived and rx.end is None)
    ]
    # D8: a micro-step table sets the day's dose (a 0 mg row schedules nothing that day)
    micro = {order: rx.micro for order, rx in enumerate(rows, 1) if rx.micro is not None}
    return slot_times(periods, start, end, schedule_tz, micro)


@dataclass(frozen=True, slots=True)
class _MedicationPart:
    medications: tuple[MedicationRow, ...]
    prescriptions: tuple[PrescriptionRow, ...]
    changes: tuple[DoseChangeRow, ...]
    doses: tuple[DoseSeries, ...]
    schedules: tuple[tuple[int, tuple[PrescriptionRow, ...], bool], ...]  # (medication, rows, archived)
    schedule_tz: ZoneInfo | ZoneTimeline
    by_medication: Mapping[int, tuple[PrescriptionRow, ...]]


def _medication_part(
    session: Reads,
    meds: Sequence[med_queries.MedicationRow],
    plans: Sequence[PlanInfo],
    start: date,
    end: date,
    schedule_tz: ZoneInfo | ZoneTimeline,
) -> _MedicationPart:
    """Medications, prescription periods, dose changes, the dose series and the scheduled slots."""
    step_orders = {
        step_id: order for step_id, order in raw(session).execute('SELECT id, "order" FROM taperstep')
    }
    med_rows: list[MedicationRow] = []
    prescriptions: list[PrescriptionRow] = []
    changes: list[DoseChangeRow] = []
    series: list[DoseSeries] = []
    schedules: list[tuple[int, tuple[PrescriptionRow, ...], bool]] = []
    by_medication: dict[int, tuple[PrescriptionRow, ...]] = {}
    tables = _micro_tables(session)
    for med in meds:
        med_id = med.id or 0
        rows = _prescription_rows(session, med_id, med.name, step_orders, tables)
        by_medication[med_id] = tuple(rows)
        in_period = [r for r in rows if r.start <= end and (r.end is None or r.end >= start)]
        if med.archived and not in_period:
            continue
        current = next(
            (r for r in reversed(rows) if r.start <= end and (r.end is None or r.end >= end)), None
        )
        med_rows.append(
            MedicationRow(
                med_id,
                med.name,
                med.brand,
                med.form,
                med.strength_mg,
                med.half_life_hours,
                med.archived,
                current,
                med.liquid_mg_per_ml,
                med.started_on,
                min((r.start for r in rows), default=None),
            )
        )
        prescriptions.extend(in_period)
        periods = _periods(rows)
        if in_period:
            series.append(DoseSeries(med.name, tuple(daily_doses(periods, start, end))))
        plan_steps = [(p, s) for p in plans if p.medication_id == med_id for s in p.steps]
        changes_in = dose_changes(periods, start, end)
        running = [r.micro for r in rows if r.micro is not None]
        if running:  # D8: one change at a table's start, not one a day
            changes_in = micro_changes(changes_in, dose_segments(periods), running, start, end)
        for change in changes_in:
            starting = next((r for r in rows if r.start == change.day), None)
            planned, order = _is_planned(change, starting, plan_steps)
            changes.append(DoseChangeRow(med.name, change, planned, order))
        schedules.append((med_id, tuple(rows), med.archived))  # expanded chunk by chunk in _dose_part
    return _MedicationPart(
        medications=tuple(med_rows),
        prescriptions=tuple(sorted(prescriptions, key=lambda r: (r.start, r.medication))),
        changes=tuple(sorted(changes, key=lambda c: (c.change.day, c.medication))),
        doses=tuple(series),
        schedules=tuple(schedules),
        schedule_tz=schedule_tz,
        by_medication=by_medication,
    )


@dataclass(frozen=True, slots=True)
class _SymptomPart:
    burden: Mapping[date, float]  # from COMPARE_DAYS before the period, for change_response
    rows: tuple[SymptomRow, ...]
    weekly: WeeklySymptoms
    crisis_days: tuple[date, ...]
    notes: tuple[NoteRow, ...]


def _summary(total: period_symptoms.SymptomTotal, baseline: float | None) -> SymptomSummary[int]:
    """The table row of one symptom from its SQL totals (as ``symptom_summaries`` counts them)."""
    mean = total.total / total.logged
    change = mean - baseline if baseline is not None else None
    return SymptomSummary(total.symptom_id, total.logged, total.present, total.worst, mean, baseline, change)


def _week_means(
    sums: Mapping[tuple[int, int], tuple[int, int]], symptom_id: int, weeks: int
) -> tuple[float | None, ...]:
    """Each week's mean severity over its rated days (as ``weekly_means``); None for a week with none."""
    means: list[float | None] = []
    for week in range(weeks):
        total, count = sums.get((symptom_id, week), (0, 0))
        means.append(total / count if count else None)
    return tuple(means)


def _symptom_part(session: Reads, start: date, end: date) -> _SymptomPart:
    """Daily burden (SQL GROUP BY day), per-symptom severities, baselines and the crisis item."""
    burden = {
        day: float(value)
        for day, value in symptom_queries.burden_by_day(
            session=session, start=start - timedelta(days=COMPARE_DAYS), end=end
        ).items()
    }
    catalogue = {s.id or 0: s for s in symptom_queries.list_symptoms(session=session, include_hidden=True)}
    # Aggregates, not every rating of the period (a summary of decades): the table from GROUP BY
    # symptom totals, the weekly chart from GROUP BY symptom and week (tracker/queries/period_symptoms).
    crisis_ids = [sid for sid, symptom in catalogue.items() if symptom.is_crisis]
    # the crisis item is reported with care among the notable events, never as a table row
    crisis = period_symptoms.days_present(session=session, symptom_ids=crisis_ids, start=start, end=end)
    notes = [
        NoteRow(day, f"symptom: {name}", note)
        for day, name, note in period_symptoms.noted(
            session=session, start=start, end=end, leave_out=crisis_ids
        )
    ]
    totals = period_symptoms.symptom_totals(session=session, start=start, end=end, leave_out=crisis_ids)
    unknown = [t.symptom_id for t in totals if t.symptom_id not in catalogue]
    names = period_symptoms.names_as_rated(session=session, symptom_ids=unknown, start=start, end=end)
    names.update((t.symptom_id, catalogue[t.symptom_id].name) for t in totals if t.symptom_id in catalogue)
    # baseline = mean severity on the check-in days flagged is_baseline, per symptom
    baseline_rows = raw(session).execute(
        "SELECT symptomentry.symptom_id, avg(symptomentry.severity) "
        "FROM symptomentry JOIN checkin ON checkin.day = symptomentry.day "
        "WHERE checkin.is_baseline IS 1 GROUP BY symptomentry.symptom_id"
    )
    baselines = {symptom_id: float(mean) for symptom_id, mean in baseline_rows if mean is not None}
    summaries = [_summary(t, baselines.get(t.symptom_id)) for t in totals]
    summaries.sort(key=lambda s: (-s.days_present, -(s.mean or 0.0), names.get(s.symptom, "")))
    rows = tuple(
        SymptomRow(names.get(s.symptom, "?"), catalogue[s.symptom].group if s.symptom in catalogue else "", s)
        for s in summaries
    )
    weeks = week_starts(start, end)
    ranked = sorted(totals, key=lambda t: (-t.total, names.get(t.symptom_id, "")))
    main = [t.symptom_id for t in ranked if t.total > 0][:MAIN_SYMPTOMS]
    sums = period_symptoms.weekly_sums(
        session=session, symptom_ids=main, monday=weeks[0], start=start, end=end
    )
    weekly = WeeklySymptoms(weeks, tuple((names[sid], _week_means(sums, sid, len(weeks))) for sid in main))
    return _SymptomPart(burden, rows, weekly, tuple(sorted(crisis)), tuple(notes))


@dataclass(frozen=True, slots=True)
class _CheckInPart:
    mood: Mapping[date, float]
    sleep: Mapping[date, float]
    notes: tuple[NoteRow, ...]
    summary: MoodSleep


def _checkin_part(session: Reads, start: date, end: date) -> _CheckInPart:
    """Mood, sleep and notes of the period (one row per day already), with the baseline means."""
    rows = [
        (date.fromisoformat(day), mood, sleep, note)
        for day, mood, sleep, note in raw(session).execute(
            "SELECT day, mood, sleep_hours, note FROM checkin WHERE day >= ? AND day <= ? ORDER BY day",
            (start.isoformat(), end.isoformat()),
        )
    ]
    mood = {d: float(m) for d, m, _, _ in rows if m is not None}
    sleep = {d: float(s) for d, _, s, _ in rows if s is not None}
    notes = tuple(NoteRow(d, "check-in", n) for d, _, _, n in rows if n)
    base_mood, base_sleep = (
        raw(session)
        .execute("SELECT avg(mood), avg(sleep_hours) FROM checkin WHERE is_baseline IS 1")
        .fetchone()
    )
    summary = MoodSleep(
        mood_mean=logged_mean(mood.values()),
        mood_lowest=int(min(mood.values())) if mood else None,
        mood_days=len(mood),
        mood_baseline=float(base_mood) if base_mood is not None else None,
        sleep_mean=logged_mean(sleep.values()),
        sleep_shortest=min(sleep.values()) if sleep else None,
        sleep_days=len(sleep),
        sleep_baseline=float(base_sleep) if base_sleep is not None else None,
    )
    return _CheckInPart(mood, sleep, notes, summary)


@dataclass(frozen=True, slots=True)
class _DosePart:
    results: tuple[SlotResult, ...]
    notes: tuple[NoteRow, ...]
    off_prescription: tuple[OffPrescriptionDose, ...]
    overdoses: tuple[OverdoseRow, ...] = ()


@dataclass(frozen=True, slots=True)
class OverdoseRow:
    """A local day whose logged total for a medication is a possible overdose (R12), and why."""

    day: date
    medication: str
    total_mg: float
    reason: str


def _day_totals(session: Reads, start: date, end: date) -> list[tuple[int, date, float]]:
    """Each medication's logged total (skipped doses left out) per local day of the period, by day.

    One GROUP BY in SQL for the overdose checks of ``_dose_part`` and ``_attention`` alike.
    """
    return [
        (int(med_id), date.fromisoformat(day), float(total))
        for med_id, day, total in raw(session).execute(
            "SELECT medication_id, day, SUM(amount_mg) FROM doseevent WHERE status != 'skipped' "
            "AND day >= ? AND day <= ? GROUP BY medication_id, day ORDER BY day",
            (start.isoformat(), end.isoformat()),
        )
    ]


CHUNK_DAYS = 366
"""Slots are expanded and classified a year at a time: a summary of decades never holds every
slot, and the doses answering them, at once."""

MATCH_MARGIN_DAYS = 7
"""Doses read around a chunk: a dose's local day and its slot's day differ by a day at most."""


def _classified(conn: Any, part: _MedicationPart, start: date, end: date, now: datetime) -> list[SlotResult]:
    """Every scheduled slot of the period with its outcome, in time order (then by medication).

    The same as ``classify_slots`` over all the period's slots and doses: each slot is answered
    only by a dose of its medication and instant, so chunks of the period are classified apart.
    Slots and doses travel as plain tuples (``classify_times``): no object per slot or dose.
    """
    results: list[SlotResult] = []
    medications = tuple(med_id for med_id, _, _ in part.schedules)
    first = start
    while first <= end:
        last = min(end, first + timedelta(days=CHUNK_DAYS - 1))
        slots = [
            pair
            for _, rows, archived in part.schedules
            for pair in _slot_times(rows, first, last, part.schedule_tz, archived)
        ]
        if slots:
            window = (
                max(start, first - timedelta(days=MATCH_MARGIN_DAYS)),
                min(end, last + timedelta(days=MATCH_MARGIN_DAYS)),
            )
            results.extend(classify_times(slots, _logged_doses(conn, *window, medications), now))
        first = last + timedelta(days=1)
    results.sort(key=_result_order)
    return results


_result_order = attrgetter("scheduled_at", "medication_id")


def _logged_doses(
    conn: Any, start: date, end: date, medications: Sequence[int]
) -> list[tuple[int, datetime | None, datetime | None, DoseStatus]]:
    """The doses of ``medications`` logged against a slot in the period, as ``LoggedDose`` fields
    (medication, scheduled_for, taken_at, status). The medications' doses share their scheduled
    instants: each stored one is parsed once."""
    statuses = {s.value: s for s in DoseStatus}
    parsed: dict[str, datetime | None] = {}
    out: list[tuple[int, datetime | None, datetime | None, DoseStatus]] = []
    for med_id, scheduled, taken, status in conn.execute(
        "SELECT medication_id, scheduled_for, taken_at, status FROM doseevent "
        f"WHERE medication_id IN ({', '.join('?' * len(medications))}) AND day >= ? AND day <= ? "
        "AND scheduled_for IS NOT NULL",
        (*medications, start.isoformat(), end.isoformat()),
    ):
        due = parsed.get(scheduled)
        if due is None:
            due = parsed[scheduled] = utc_from_db(scheduled)
        out.append((med_id, due, utc_from_db(taken), statuses[status]))
    return out


def _overdose_reasons() -> Callable[[str, float, float | None], str | None]:
    """``overdose_reason`` remembered for one summary: most days repeat the same total."""
    return functools.cache(overdose_reason)


def _in_force(rows: Sequence[PrescriptionRow], day: date) -> PrescriptionRow | None:
    """The first of ``rows`` whose period holds ``day``."""
    return next((r for r in rows if r.start <= day and (r.end is None or r.end >= day)), None)


class _InForce:
    """``_in_force`` over many days: found once per stretch between two period boundaries
    (no period starts or ends inside a stretch, so the answer cannot change within it)."""

    def __init__(self, rows: Sequence[PrescriptionRow]) -> None:
        self.rows = tuple(rows)
        ends = {r.end + timedelta(days=1) for r in self.rows if r.end is not None}
        self.bounds = sorted({r.start for r in self.rows} | ends)
        self.found: dict[int, PrescriptionRow | None] = {}

    def on(self, day: date) -> PrescriptionRow | None:
        stretch = bisect_right(self.bounds, day)
        if stretch not in self.found:
            self.found[stretch] = _in_force(self.rows, day)
        return self.found[stretch]


def _expected_intake(finder: _InForce, day_text: str) -> float | None:
    """The dose one intake of ``day_text`` expects (None when no prescription is in force): the
    prescription's, or the day's row of its micro-step table (D8) over the intakes."""
    day = date.fromisoformat(day_text)
    rx = finder.on(day)
    if rx is None:
        return None
    row_mg = rx.micro.daily_mg_on(day) if rx.micro is not None else None
    return rx.dose_mg if row_mg is None else row_mg / max(len(rx.times), 1)


def _off_prescription(
    conn: Any, finders: Mapping[int, _InForce], med_names: Mapping[int, str], start: date, end: date
) -> list[OffPrescriptionDose]:
    """The taken doses of [start, end] more than ``OFF_PRESCRIPTION_TOLERANCE`` away from what one
    intake of their day expects (``_expected_intake``), by day then entry.

    Asked a stretch at a time (no prescription starts or ends inside one): where the stretch's
    expected dose is one number, SQL keeps only the doses off it (the same float arithmetic as
    here); where a micro-step table sets each day's dose, each dose is checked here.
    """
    found: list[tuple[str, int, OffPrescriptionDose]] = []
    taken = DoseStatus.TAKEN.value
    for med_id, finder in finders.items():
        name = med_names.get(med_id, "?")
        firsts = [start, *(bound for bound in finder.bounds if start < bound <= end)]
        for index, first in enumerate(firsts):
            last = firsts[index + 1] - timedelta(days=1) if index + 1 < len(firsts) else end
            rx = finder.on(first)
            if rx is None:
                continue
            stretch = (med_id, first.isoformat(), last.isoformat(), taken)
            if rx.micro is None:
                rows = conn.execute(
                    "SELECT day, id, amount_mg FROM doseevent WHERE medication_id = ? AND day >= ? "
                    "AND day <= ? AND status = ? AND scheduled_for IS NOT NULL "
                    "AND abs(amount_mg - ?) > ? * ?",
                    (*stretch, rx.dose_mg, OFF_PRESCRIPTION_TOLERANCE, rx.dose_mg),
                )
                found.extend(
                    (day, id_, OffPrescriptionDose(date.fromisoformat(day), name, amount, rx.dose_mg))
                    for day, id_, amount in rows
                )
                continue
            expected_on: dict[str, float | None] = {}  # most days log several doses
            for day, id_, amount in conn.execute(
                "SELECT day, id, amount_mg FROM doseevent WHERE medication_id = ? AND day >= ? "
                "AND day <= ? AND status = ? AND scheduled_for IS NOT NULL",
                stretch,
            ):
                if day in expected_on:
                    expected = expected_on[day]
                else:
                    expected = expected_on[day] = _expected_intake(finder, day)
                if expected is not None and abs(amount - expected) > OFF_PRESCRIPTION_TOLERANCE * expected:
                    found.append(
                        (day, id_, OffPrescriptionDose(date.fromisoformat(day), name, amount, expected))
                    )
    found.sort(key=itemgetter(0, 1))
    return [dose for _, _, dose in found]


def _dose_part(
    session: Reads,
    part: _MedicationPart,
    med_names: Mapping[int, str],
    start: date,
    end: date,
    now: datetime,
    day_totals: Sequence[tuple[int, date, float]],
) -> _DosePart:
    """Classify every scheduled slot against the logged doses; list notes and off-prescription doses.

    Plain SQL, filtered and summed in the database: the classification streams the doses
    logged against a slot, notes and taken doses are read apart, and the day totals of the
    overdose check come from ``_day_totals``.
    """
    conn = raw(session)
    period = (start.isoformat(), end.isoformat())
    results = _classified(conn, part, start, end, now)
    notes = [
        NoteRow(date.fromisoformat(day), f"dose: {med_names.get(med_id, '?')}", note)
        for med_id, day, note in conn.execute(
            "SELECT medication_id, day, note FROM doseevent WHERE day >= ? AND day <= ? "
            "AND note IS NOT NULL AND note != '' ORDER BY day, id",
            period,
        )
    ]
    finders = {med_id: _InForce(rows) for med_id, rows in part.by_medication.items()}
    nowhere = _InForce(())
    off = _off_prescription(conn, finders, med_names, start, end)
    overdoses: list[OverdoseRow] = []
    reason_for = _overdose_reasons()
    for med_id, day, total in sorted(day_totals, key=itemgetter(1, 0)):
        name = med_names.get(med_id, "?")
        rx = finders.get(med_id, nowhere).on(day)
        prescribed = rx.daily_mg if rx is not None and rx.micro is None else _prescribed_daily(rx, day)
        reason = reason_for(name, total, prescribed)
        if reason:
            overdoses.append(OverdoseRow(day, name, total, reason))
    return _DosePart(tuple(results), tuple(notes), tuple(off), tuple(overdoses))


def gather(*, session: Reads, start: date, end: date, now: datetime, tz: ZoneInfo) -> SummaryData:
    """Collect the summary of the local days ``start`` to ``end`` (inclusive) as of ``now``."""
    if end < start:
        raise TrackerError(f"the period starts ({start.isoformat()}) after it ends ({end.isoformat()})")
    if now.tzinfo is None:
        raise TrackerError("the summary needs an aware 'now'")

    settings = settings_service.all_settings(session=session)
    meds = med_queries.list_medications(session=session, include_archived=True)
    med_names = {m.id or 0: m.name for m in meds}
    plans = _plans(session, med_names, tz)
    schedule_tz = settings_service.schedule_timeline(session=session, current=tz, now=now)
    medication = _medication_part(session, meds, plans, start, end, schedule_tz)
    symptoms = _symptom_part(session, start, end)
    checkins = _checkin_part(session, start, end)
    day_totals = _day_totals(session, start, end)
    doses = _dose_part(session, medication, med_names, start, end, now, day_totals)

    weeks = symptoms.weekly.weeks
    weekly_adherence = {row.first_day: row for row in adherence_by_week(doses.results, tz)}
    week_rows = tuple(
        WeekRow(monday, b, m, s, weekly_adherence.get(monday))
        for monday, b, m, s in zip(
            weeks,
            weekly_means(symptoms.burden, weeks, start, end),
            weekly_means(checkins.mood, weeks, start, end),
            weekly_means(checkins.sleep, weeks, start, end),
            strict=True,
        )
    )
    responses = tuple(
        ResponseRow(row, change_response(row.change.day, symptoms.burden))
        for row in medication.changes
        if row.change.kind in (DoseChangeKind.REDUCTION, DoseChangeKind.STOP)
    )
    runs = tuple(
        MissedRunRow(med_names.get(r.medication_id, "?"), r)
        for r in missed_runs(doses.results)
        if r.length >= 2
    )
    notes = sorted(
        (*checkins.notes, *doses.notes, *symptoms.notes),
        key=lambda n: (n.day, n.source != "check-in", n.source),
    )
    questions = tuple(
        QuestionRow(q.created_at.astimezone(tz).date(), q.text)
        for q in clinician_queries.list_questions(session=session, open_only=True)
    )
    upcoming = [a for a in clinician_queries.list_appointments(session=session) if a.at >= now]
    burden_series = daily_series(symptoms.burden, start, end)

    return SummaryData(
        patient_name=str(settings.get("patient_name") or "").strip(),
        start=start,
        end=end,
        generated_at=now.astimezone(tz),
        zone=tz.key,
        disclaimer=DISCLAIMER,
        crisis_text=str(settings.get("crisis_text") or settings_service.DEFAULT_CRISIS_TEXT),
        medications=medication.medications,
        prescriptions=medication.prescriptions,
        changes=medication.changes,
        plans=tuple(_relevant_plans(plans, start, end)),
        chart=ChartData(
            start=start,
            end=end,
            doses=medication.doses,
            burden=tuple(burden_series),
            burden_mean=tuple(rolling_mean(burden_series, 7)),
            change_days=tuple(sorted({c.change.day for c in medication.changes})),
        ),
        weekly_symptoms=symptoms.weekly,
        symptoms=symptoms.rows,
        adherence=_adherence_totals(doses.results),
        weeks=week_rows,
        missed_runs=runs,
        off_prescription=doses.off_prescription,
        responses=responses,
        crisis_days=symptoms.crisis_days,
        low_mood_days=tuple(sorted(d for d, m in checkins.mood.items() if m <= LOW_MOOD)),
        short_half_life=_short_half_life_misses(doses.results, meds, tz),
        overdoses=doses.overdoses,
        drops_warnings=tuple(
            dict.fromkeys(w for m in meds if (w := drops_warning(m.name, m.form)) is not None)
        ),
        mood_sleep=checkins.summary,
        notes=tuple(notes),
        questions=questions,
        next_appointment=(upcoming[0].at.astimezone(tz), upcoming[0].clinician) if upcoming else None,
        attention=tuple(_attention(session, medication, med_names, start, end, now, tz, day_totals)),
        scales=tuple(_scale_totals(session, start, end)),
        comparisons=tuple(_comparisons(session, start, end)),
        extra_doses=tuple(_extra_doses(session, med_names, start, end)),
        earlier_plans=tuple(
            p
            for p in plans
            if p.status in ("completed", "abandoned") and p not in _relevant_plans(plans, start, end)
        ),
    )


def _attention(
    session: Reads,
    medication: _MedicationPart,
    med_names: Mapping[int, str],
    start: date,
    end: date,
    now: datetime,
    tz: ZoneInfo,
    day_totals: Sequence[tuple[int, date, float]] | None = None,
) -> list[AttentionItem]:
    """Crisis entries with the patient's notes, possible overdoses (R12) and urgent reminders.

    Crisis entries: "thoughts of self-harm" rated above none, PHQ-9 item 9 above 0, mood 1 or
    lower (the R8 triggers, ``tracker.domain.safety``). Overdoses: a day's logged total above
    the licensed maximum or twice the prescribed daily dose (``safety.overdose_reason``). Urgent
    reminders: those showing now, when the period reaches today.
    """
    from tracker.domain.safety import CRISIS_MOOD_MAX

    conn = raw(session)
    items: list[AttentionItem] = []
    for day, severity, note in conn.execute(
        "SELECT e.day, e.severity, e.note FROM symptomentry AS e JOIN symptom AS s ON s.id = e.symptom_id "
        "WHERE s.is_crisis = 1 AND e.severity >= 1 AND e.day >= ? AND e.day <= ? ORDER BY e.day",
        (start.isoformat(), end.isoformat()),
    ):
        label = SEVERITY_LABELS[int(severity)] if 0 <= int(severity) <= 3 else str(severity)
        items.append(
            AttentionItem(date.fromisoformat(day), "crisis", f"Thoughts of self-harm, rated {label}", note)
        )
    for row in responses_between(session=session, first=start, last=end):
        if row.scale == "phq9" and len(row.answers) >= 9 and row.answers[8] > 0:
            items.append(
                AttentionItem(
                    row.day,
                    "crisis",
                    f"PHQ-9 question 9 (thoughts that you would be better off dead or of hurting yourself) "
                    f"answered {row.answers[8]} ({ANSWERS[row.answers[8]].lower()})",
                    row.note,
                )
            )
    for day, mood, note in conn.execute(
        "SELECT day, mood, note FROM checkin WHERE mood IS NOT NULL AND mood <= ? AND day >= ? AND day <= ?",
        (CRISIS_MOOD_MAX, start.isoformat(), end.isoformat()),
    ):
        items.append(AttentionItem(date.fromisoformat(day), "crisis", f"Mood rated {mood} of 10", note))
    by_med: dict[int, list[PrescriptionRow]] = defaultdict(list)
    for period in medication.prescriptions:
        by_med[period.medication_id].append(period)
    latest_first = {med_id: _InForce(periods[::-1]) for med_id, periods in by_med.items()}
    nowhere = _InForce(())
    reason_for = _overdose_reasons()
    for med_id, on_day, total in _day_totals(session, start, end) if day_totals is None else day_totals:
        name = med_names.get(med_id, "?")
        rx = latest_first.get(med_id, nowhere).on(on_day)
        reason = reason_for(name, total, _prescribed_daily(rx, on_day))
        if reason:
            items.append(AttentionItem(on_day, "overdose", f"Possible overdose of {name}: {reason}"))
    if end >= local_day(now, tz):
        from tracker.services import reminders_service

        for reminder in reminders_service.active_reminders(session=session, now=now, tz=tz):
            if reminder.severity == "urgent" and reminder.rule not in ("R8", "R12"):
                items.append(AttentionItem(None, "urgent", f"{reminder.message} ({reminder.rule})"))
    return sorted(items, key=lambda i: (i.day or date.max, i.kind))


def _scale_totals(session: Reads, start: date, end: date) -> list[ScaleTotal]:
    out = []
    for row in responses_between(session=session, first=start, last=end):
        scale = SCALES.get(row.scale)
        if scale is None:
            continue
        out.append(
            ScaleTotal(
                row.day,
                scale.name,
                row.total,
                scale.max_total,
                band_for(scale, row.total).label,
                row.answers[8] if row.scale == "phq9" and len(row.answers) >= 9 else None,
            )
        )
    return out


def _comparisons(session: Reads, start: date, end: date) -> list[ComparisonRow]:
    """Per symptom (by its current name), the patient's comparisons with before the taper.

    Counted in SQL (GROUP BY symptom), not by reading every rating of the period: a summary
    of decades has hundreds of thousands. Symptoms sharing a name are added up in the order
    of the symptom list; the latest comparison is the one of the last such symptom to have one.
    """
    conn = raw(session)
    period = (start.isoformat(), end.isoformat())
    rows = conn.execute(
        "SELECT s.name, t.absent, t.new, t.worse, t.same, t.better FROM ("
        "SELECT symptom_id, sum(severity = 0) AS absent, sum(comparison = 'new') AS new, "
        "sum(comparison = 'worse') AS worse, sum(comparison = 'same') AS same, "
        "sum(comparison = 'better') AS better FROM symptomentry WHERE day >= ? AND day <= ? "
        "GROUP BY symptom_id) AS t JOIN symptom AS s ON s.id = t.symptom_id WHERE s.is_crisis = 0 "
        "ORDER BY s.sort_order, s.id",
        period,
    ).fetchall()
    # the latest comparison of each symptom (one rating a symptom a day: the day decides)
    last = conn.execute(
        "SELECT s.name, t.day, t.comparison FROM ("
        "SELECT symptom_id, max(day) AS day, comparison FROM symptomentry WHERE day >= ? AND day <= ? "
        "AND comparison IN ('new', 'worse', 'same', 'better') GROUP BY symptom_id) AS t "
        "JOIN symptom AS s ON s.id = t.symptom_id WHERE s.is_crisis = 0 ORDER BY s.sort_order, s.id",
        period,
    ).fetchall()
    counts: dict[str, dict[str, int]] = {}
    for name, absent, new, worse, same, better in rows:
        c = counts.setdefault(name, {"new": 0, "worse": 0, "same": 0, "better": 0, "absent": 0})
        for key, value in (
            ("absent", absent),
            ("new", new),
            ("worse", worse),
            ("same", same),
            ("better", better),
        ):
            c[key] += int(value or 0)
    latest: dict[str, str] = {}
    words: dict[str, str] = {}
    for name, day, comparison in last:
        on = date.fromisoformat(day)
        latest[name] = f"{comparison} on {on.day} {on:%b}"
        words[name] = comparison
    return [
        ComparisonRow(
            name, c["new"], c["worse"], c["same"], c["better"], c["absent"], latest.get(name), words.get(name)
        )
        for name, c in counts.items()
        if any(c[k] for k in ("new", "worse", "same", "better"))
    ]


def _extra_doses(session: Reads, med_names: Mapping[int, str], start: date, end: date) -> list[ExtraDose]:
    rows = raw(session).execute(
        "SELECT day, medication_id, amount_mg, note FROM doseevent WHERE status = 'extra' "
        "AND day >= ? AND day <= ? ORDER BY day, id",
        (start.isoformat(), end.isoformat()),
    )
    return [
        ExtraDose(date.fromisoformat(day), med_names.get(int(m), "?"), float(amount), note)
        for day, m, amount, note in rows
    ]


def _adherence_totals(results: Iterable[SlotResult]) -> AdherenceTotals:
    counts = Counter(map(attrgetter("outcome"), results))
    on_time, late = counts[SlotOutcome.ON_TIME], counts[SlotOutcome.LATE]
    skipped, missed = counts[SlotOutcome.SKIPPED], counts[SlotOutcome.MISSED]
    return AdherenceTotals(
        scheduled=on_time + late + skipped + missed,
        taken=on_time + late,
        late=late,
        skipped=skipped,
        missed=missed,
        pending=counts[SlotOutcome.PENDING],
    )


def _short_half_life_misses(
    results: Sequence[SlotResult], meds: Sequence[med_queries.MedicationRow], tz: ZoneInfo
) -> tuple[ShortHalfLifeMisses, ...]:
    """Missed days of each medicine whose half-life is 24 h or less (DOMAIN.md, reminder R5)."""
    out: list[ShortHalfLifeMisses] = []
    missed = [r for r in results if r.outcome is SlotOutcome.MISSED]
    for med in meds:
        half_life = med.half_life_hours
        if half_life is None or half_life > SHORT_HALF_LIFE_HOURS:
            continue
        days = sorted({local_day(r.scheduled_at, tz) for r in missed if r.medication_id == med.id})
        if days:
            out.append(ShortHalfLifeMisses(med.name, float(half_life), tuple(days)))
    return tuple(out)


def _relevant_plans(plans: Sequence[PlanInfo], start: date, end: date) -> list[PlanInfo]:
    """Open plans always; finished or abandoned ones only if something happened in the period."""
    out = []
    for plan in plans:
        if plan.status not in ("completed", "abandoned"):
            out.append(plan)
            continue
        touched = any(start <= e.at.date() <= end for e in plan.events) or any(
            (s.actual_start or s.planned_start) >= start and (s.actual_start or s.planned_start) <= end
            for s in plan.steps
        )
        if touched:
            out.append(plan)
    return out


def missed_slots(*, session: Reads, now: datetime, tz: ZoneInfo) -> list[SlotResult]:
    """Every scheduled dose of the whole history that counts as missed (nothing logged 6 hours
    after its time), by the same schedule rule as the summary, Today and the reminders."""
    meds = med_queries.list_medications(session=session, include_archived=True)
    schedule_tz = settings_service.schedule_timeline(session=session, current=tz, now=now)
    today = local_day(now, tz)
    results: list[SlotResult] = []
    tables = _micro_tables(session)
    for med in meds:
        med_id = med.id or 0
        rows = _prescription_rows(session, med_id, med.name, {}, tables)
        if not rows:
            continue
        start = min(r.start for r in rows)
        slots = _slot_times(rows, start, today, schedule_tz, med.archived)
        window = (start - timedelta(days=MATCH_MARGIN_DAYS), today + timedelta(days=MATCH_MARGIN_DAYS))
        logged = _logged_doses(raw(session), *window, (med_id,))
        results.extend(r for r in classify_times(slots, logged, now) if r.outcome is SlotOutcome.MISSED)
    return results
