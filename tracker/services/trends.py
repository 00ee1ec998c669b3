"""Data for the Trends screen: compact SQL queries feeding tracker.domain.trends.

Every query selects only the columns it needs and aggregates in SQL (GROUP BY
day, GROUP BY symptom, and for adherence per week of each medication's
schedule), so ten years of history (about 55,000 symptom entries and 22,000
doses) arrive as a few thousand small rows, never as ORM objects, read in
batches. The SQL lives in ``tracker.queries.trends`` and runs on ``Reads``: a
plain sqlite3 connection (the screen's light read, without importing the ORM)
or a session, with the same statements and the same results.
The statistics themselves are the pure functions of ``tracker.domain.trends``;
``trends_data`` puts everything the screen shows into one frozen value.

This module is light: it never imports SQLAlchemy, SQLModel or tracker.models.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from tracker.domain.drugs import drops_warning
from tracker.domain.timeutil import day_bounds_utc, local_day
from tracker.domain.trends import (
    COMPARE_DAYS,
    LATE_AFTER,
    MISSED_AFTER,
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
    SlotOutcome,
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
    micro_changes,
    micro_periods,
    missed_runs,
    range_for,
    rolling_mean,
    timing_facts,
)
from tracker.domain.trends_extra import SchedulePeriod, SlotBlock, ZoneTimeline, slot_blocks
from tracker.queries import meds as med_queries
from tracker.queries import scales as scale_queries
from tracker.queries import symptoms as symptom_queries
from tracker.queries import trends as q
from tracker.queries.scales import ScaleRow
from tracker.services.settings import schedule_timeline
from tracker.store import Reads, utc_from_db

if TYPE_CHECKING:
    from tracker.domain.taper_micro import MicroTable

__all__ = [
    "DEFAULT_SYMPTOMS",
    "MEAN_DAYS",
    "Adherence",
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

BLOCK_BATCH = 520
"""Schedule blocks counted per statement: a year of weekly blocks for ten medications."""

RUN_BATCH = 64
"""Schedule blocks with a missed slot whose answered slots are read and held at a time (runs)."""

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
    # PHQ-9 / GAD-7 filled in within the range: shown beside the burden, never added to it
    scales: tuple[ScaleRow, ...] = ()
    # DOMAIN.md: drops are not mg for mg like tablets; said wherever drops are charted
    drops_warnings: tuple[str, ...] = ()

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


def first_data_day(*, session: Reads) -> date | None:
    """The earliest day with any symptom, check-in, dose or prescription (for "everything")."""
    days = q.first_data_days(session)
    return min(days) if days else None


def burden_by_day(*, session: Reads, start: date, end: date) -> dict[date, int]:
    """Daily symptom burden (sum of severities) per logged local day in [start, end]; unlogged days absent."""
    return symptom_queries.burden_by_day(session=session, start=start, end=end)


def symptom_options(*, session: Reads, start: date, end: date) -> list[SymptomOption]:
    """Symptoms logged in [start, end] with days logged, days present, worst and total severity.

    Highest total first (then name), so the default choice is the symptoms that weighed most.
    """
    options = [
        SymptomOption(row.key, row.name, row.logged, row.present, row.worst, row.total)
        for row in q.symptom_rows(session, start, end)
    ]
    options.sort(key=lambda o: (-o.total, o.name.lower()))
    return options


def severity_by_symptom(
    *, session: Reads, keys: Sequence[str], start: date, end: date
) -> dict[str, dict[date, int]]:
    """Severity per local day of each symptom in ``keys`` over [start, end]; unlogged days absent.

    Keys come back in the order given, each with its own (possibly empty) mapping. One row
    per symptom and day (the unique constraint), read through uq_symptomentry_symptom_day.
    """
    result: dict[str, dict[date, int]] = {key: {} for key in keys}
    for key, day, severity in q.severity_by_symptom(session, list(keys), start, end):
        result[key][day] = severity
    return result


def baseline_means(*, session: Reads, keys: Sequence[str]) -> dict[str, float]:
    """Mean severity of each symptom over the check-in days marked as baseline (before the taper)."""
    return q.baseline_means(session, list(keys))


def checkins_by_day(*, session: Reads, start: date, end: date) -> tuple[dict[date, float], dict[date, float]]:
    """Mood and sleep hours per local day in [start, end] (one check-in per day; gaps absent)."""
    mood: dict[date, float] = {}
    sleep: dict[date, float] = {}
    for day, m, hours in q.checkins_by_day(session, start, end):
        if m is not None:
            mood[day] = float(m)
        if hours is not None:
            sleep[day] = float(hours)
    return mood, sleep


def prescription_periods(*, session: Reads) -> dict[int, list[PrescriptionPeriod]]:
    """Prescribed daily dose periods per medication: dose per intake x number of times a day."""
    return _daily_periods(q.prescription_rows(session), _micro_tables(session))


def _daily_periods(
    rows: Sequence[q.PrescriptionRow], tables: Mapping[int, MicroTable] | None = None
) -> dict[int, list[PrescriptionPeriod]]:
    """Daily dose periods per medication; a prescription with a micro-step table (``tables``, by
    prescription id) is the day's row of its table (D8), one period a row."""
    periods: dict[int, list[PrescriptionPeriod]] = defaultdict(list)
    for row in rows:
        period = PrescriptionPeriod(row.start, row.end, row.dose_mg * len(row.times))
        table = tables.get(row.id) if tables else None
        periods[row.medication_id].extend([period] if table is None else micro_periods(period, table))
    return dict(periods)


def _micro_tables(session: Reads) -> dict[int, MicroTable]:
    """Every prescription's micro-step table (D8), by prescription id."""
    from tracker.domain.taper_micro import tables_by_prescription
    from tracker.queries.schedule import micro_tables

    return dict(tables_by_prescription(micro_tables(session=session)))


@dataclass(frozen=True, slots=True)
class Adherence:
    """Scheduled doses over a range: per-week counts and runs of missed doses.

    ``slots`` counts every scheduled dose in range (pending ones included); ``expanded``
    how many of them were looked at one by one, the rest being counted in SQL.
    """

    weeks: tuple[PeriodAdherence, ...]
    runs: tuple[MissedRun, ...]
    slots: int
    expanded: int


_ANSWERED = frozenset({DoseStatus.TAKEN.value, DoseStatus.SKIPPED.value})


def _stored(moment: datetime) -> str:
    """A naive UTC instant as SQLite holds it."""
    return moment.isoformat(" ", "microseconds")


def _countable(block: SlotBlock) -> bool:
    """Whether SQL can count the block: a fixed offset and each time listed once."""
    return block.offset is not None and len(set(block.times)) == len(block.times)


def _block_counts(
    session: Reads, blocks: Sequence[SlotBlock], start: date, end: date
) -> dict[int, tuple[int, int, int]]:
    """(taken, late, skipped) per index of ``blocks`` with an answered slot; absent means none answered.

    Each block goes to SQL as [medication, lo, hi, UTC times of day] (``q.block_counts``).
    """
    utc_times: dict[tuple[tuple[time, ...], timedelta], str] = {}
    late = f"+{int(LATE_AFTER.total_seconds())} seconds"
    counts: dict[int, tuple[int, int, int]] = {}
    # A statement per BLOCK_BATCH blocks: decades of weekly blocks ("All") in one statement would
    # make SQLite hold all of them and their doses at once (megabytes), for the same counts.
    for first in range(0, len(blocks), BLOCK_BATCH):
        payload: list[list[Any]] = []
        for block in blocks[first : first + BLOCK_BATCH]:
            offset = block.offset
            assert offset is not None
            key = (block.times, offset)
            if key not in utc_times:  # the UTC times of day of the slots, as stored after the date
                utc_times[key] = ",".join(
                    _stored(datetime.combine(block.first, at) - offset)[11:] for at in block.times
                )
            lo = datetime.combine(block.first, time(0, 0)) - offset
            hi = lo + timedelta(days=block.days)
            payload.append([block.medication_id, _stored(lo), _stored(hi), utc_times[key]])
        found = q.block_counts(session, json.dumps(payload), late, start, end)
        counts.update((first + index, value) for index, value in found.items())
    return counts


def _span_doses(
    session: Reads, spans: Sequence[tuple[int, datetime, datetime]], start: date, end: date
) -> Iterator[tuple[int, str, str | None, str]]:
    """(medication, scheduled_for, taken_at, status) as stored, of the doses in naive UTC ``spans``."""
    merged: list[list[Any]] = []
    for medication_id, lo, hi in sorted(spans):
        if merged and merged[-1][0] == medication_id and lo <= merged[-1][2]:
            merged[-1][2] = max(merged[-1][2], hi)
        else:
            merged.append([medication_id, lo, hi])
    if not merged:
        return iter(())
    spans_json = json.dumps([[m, _stored(lo), _stored(hi)] for m, lo, hi in merged])
    return q.span_doses(session, spans_json, start, end)


def adherence(*, session: Reads, start: date, end: date, now: datetime, tz: ZoneInfo) -> Adherence:
    """Scheduled doses over [start, end]: per-week adherence and runs of missed doses.

    Slots come from the prescriptions x their times per local day (DST rules of
    ``local_to_utc``). Slots before a medication's first logged dose are left out: the
    user had not started tracking it, so they cannot count as missed.

    The numbers are exactly those of ``classify_slots`` + ``adherence_by_week`` +
    ``missed_runs`` over every slot, without making every slot. The schedule comes as
    ``SlotBlock``s (at most a week of days at one UTC offset); one SQL statement counts the
    taken, late and skipped doses of every settled block (all its days before the day of
    ``now - MISSED_AFTER``), and the rest of its slots are missed. Slot by slot go only the
    days holding a daylight-saving change and the last days, where missed or pending
    depends on ``now`` (``classify_slots``), and, for the runs, the blocks with a missed
    slot: there only whether each slot was answered matters. A block with nothing missed
    ends any run.

    ``tz`` is the user's zone; the slots, their days and weeks are those of the schedule
    zone (``settings.schedule_timeline``: the home zone when schedules keep home time, else
    the zone each day was lived in, so travel does not turn past doses into missed ones).
    """
    zone = schedule_timeline(session=session, current=tz, now=now)
    return _adherence(
        session, _without_zero_days(session, q.prescription_rows(session)), start, end, now, zone
    )


def _without_zero_days(session: Reads, rows: Sequence[q.PrescriptionRow]) -> list[q.PrescriptionRow]:
    """The prescriptions, each running micro-step table's 0 mg days cut out (D8: no dose is expected
    then, as in ``tracker.domain.schedule``), so adherence counts the slots Today and the reminders see."""
    from dataclasses import replace

    tables = _micro_tables(session)
    if not tables:
        return list(rows)
    out: list[q.PrescriptionRow] = []
    for row in rows:
        table = tables.get(row.id)
        zero: date | None = None
        if table is not None:
            first = table.start or row.start
            zero = next((first + timedelta(days=r.day) for r in table.rows if r.dose_mg <= 1e-9), None)
        if table is None or zero is None or (table.stopped is not None and table.stopped <= zero):
            out.append(row)
        elif zero > row.start:  # a table only lowers the dose, so from its first 0 mg row on it stays 0
            end = zero - timedelta(days=1)
            out.append(replace(row, end=end if row.end is None else min(row.end, end)))
    return out


def _adherence(
    session: Reads,
    prescriptions: Sequence[q.PrescriptionRow],
    start: date,
    end: date,
    now: datetime,
    tz: ZoneTimeline,
) -> Adherence:
    if now.tzinfo is None:
        raise ValueError("now is a naive datetime; pass an aware UTC instant")
    counted, exact = _schedule(session, prescriptions, start, end, now, tz)
    weeks: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # on time, late, skipped, missed
    pending: dict[date, int] = defaultdict(int)
    marks: list[SlotResult] = []  # what the runs need: missed slots and the answered ones that end a run
    slots = expanded = 0

    with_missed: list[SlotBlock] = []
    counts = _block_counts(session, counted, start, end)
    for index, block in enumerate(counted):
        taken, late, skipped = counts.get(index, (0, 0, 0))
        missed = block.slot_count - taken - skipped
        tally = weeks[block.first - timedelta(days=block.first.weekday())]
        tally[0] += taken - late
        tally[1] += late
        tally[2] += skipped
        tally[3] += missed
        slots += block.slot_count
        if missed:
            with_missed.append(block)
        else:
            assert block.offset is not None
            first = datetime.combine(block.first, block.times[0], UTC) - block.offset
            marks.append(SlotResult(block.medication_id, first, SlotOutcome.ON_TIME))
    if with_missed:
        marks += _run_marks(session, with_missed, start, end)
        expanded += sum(block.slot_count for block in with_missed)

    results = _classified(session, exact, start, end, now, tz)
    # Each slot's week is that of its day, in the zone its block was expanded in.
    by_zone: dict[str, tuple[ZoneInfo, list[SlotResult]]] = {}
    position = 0
    for block in exact:
        zone = block.zone or tz.latest
        by_zone.setdefault(str(zone), (zone, []))[1].extend(results[position : position + block.slot_count])
        position += block.slot_count
    for zone, zone_results in by_zone.values():
        for week in adherence_by_week(zone_results, zone):
            tally = weeks[week.first_day]
            tally[0] += week.taken - week.late
            tally[1] += week.late
            tally[2] += week.skipped
            tally[3] += week.missed
            pending[week.first_day] += week.pending
    marks += results
    slots += len(results)
    expanded += len(results)

    rows: list[PeriodAdherence] = []
    for monday in sorted(weeks):
        on_time, late, skipped, missed = weeks[monday]
        rows.append(
            PeriodAdherence(
                first_day=monday,
                scheduled=on_time + late + skipped + missed,
                taken=on_time + late,
                late=late,
                skipped=skipped,
                missed=missed,
                pending=pending[monday],
            )
        )
    return Adherence(tuple(rows), tuple(missed_runs(marks)), slots, expanded)


def _schedule(
    session: Reads,
    prescriptions: Sequence[q.PrescriptionRow],
    start: date,
    end: date,
    now: datetime,
    tz: ZoneTimeline,
) -> tuple[list[SlotBlock], list[SlotBlock]]:
    """The tracked schedule over [start, end] as blocks SQL can count and blocks to classify one by one."""
    tracked_from: dict[int, date] = {
        medication_id: max(start, day) for medication_id, day in q.first_dose_days(session).items()
    }
    periods = [
        SchedulePeriod(row.medication_id, row.start, row.end, row.times)
        for row in prescriptions
        if row.medication_id in tracked_from
    ]
    # Every slot of a regular day up to ``settled`` is more than MISSED_AFTER before now (in
    # whichever zone of the timeline the day was expanded).
    settled = min(local_day(now - MISSED_AFTER, zone) for zone in tz.zones) - timedelta(days=1)
    counted: list[SlotBlock] = []
    exact: list[SlotBlock] = []
    # One pass over the days for all medications (the prescription in force on a day does not
    # depend on where the range starts); then each medication's days before its first dose go.
    since = min((tracked_from[p.medication_id] for p in periods), default=end + timedelta(days=1))
    for whole in slot_blocks(periods, since, end, tz):
        _, block = whole.split_after(tracked_from[whole.medication_id] - timedelta(days=1))
        if block is None:
            continue
        if not _countable(block):
            exact.append(block)
            continue
        old, recent = block.split_after(settled)
        if old is not None:
            counted.append(old)
        if recent is not None:
            exact.append(recent)
    return counted, exact


def _run_marks(session: Reads, blocks: Sequence[SlotBlock], start: date, end: date) -> list[SlotResult]:
    """The missed slots of settled ``blocks`` and the answered slots that end a run of them.

    Only whether a slot was answered matters here (the counts came from SQL): an answered
    slot stands as ON_TIME.
    """
    marks: list[SlotResult] = []
    # A batch of blocks at a time: each block looks only at the doses of its own range, so the
    # answered slots of decades of blocks ("All") need not be held at once.
    for first in range(0, len(blocks), RUN_BATCH):
        marks += _batch_run_marks(session, blocks[first : first + RUN_BATCH], start, end)
    return marks


def _batch_run_marks(session: Reads, blocks: Sequence[SlotBlock], start: date, end: date) -> list[SlotResult]:
    """``_run_marks`` of one batch of blocks, reading only the doses in their ranges."""
    spans: list[tuple[int, datetime, datetime]] = []
    for block in blocks:
        assert block.offset is not None
        lo = datetime.combine(block.first, time(0, 0)) - block.offset
        spans.append((block.medication_id, lo, lo + timedelta(days=block.days)))
    answered = {
        (m, scheduled)
        for m, scheduled, _, status in _span_doses(session, spans, start, end)
        if status in _ANSWERED
    }
    missed_outcome, answered_outcome = SlotOutcome.MISSED, SlotOutcome.ON_TIME
    marks: list[SlotResult] = []
    for block in blocks:
        medication_id, offset = block.medication_id, block.offset
        assert offset is not None
        after_missed = True  # the block's first answered slot may end a run from the block before
        for ordinal in range(block.first.toordinal(), block.last.toordinal() + 1):
            day = date.fromordinal(ordinal)
            for at in block.times:
                naive = datetime.combine(day, at) - offset
                if (medication_id, _stored(naive)) not in answered:
                    marks.append(SlotResult(medication_id, naive.replace(tzinfo=UTC), missed_outcome))
                    after_missed = True
                elif after_missed:
                    marks.append(SlotResult(medication_id, naive.replace(tzinfo=UTC), answered_outcome))
                    after_missed = False
    return marks


def _classified(
    session: Reads, blocks: Sequence[SlotBlock], start: date, end: date, now: datetime, tz: ZoneTimeline
) -> list[SlotResult]:
    """Every slot of ``blocks`` with its outcome (``classify_slots``), in the order of the blocks' slots."""
    each: list[ScheduledSlot] = []
    spans: list[tuple[int, datetime, datetime]] = []
    for block in blocks:
        zone = block.zone or tz.latest
        each += block.slots(zone)
        # A slot lies on its local day; a day either side also covers a time moved past midnight.
        lo = day_bounds_utc(block.first, zone)[0] - timedelta(days=1)
        hi = day_bounds_utc(block.last, zone)[1] + timedelta(days=1)
        spans.append((block.medication_id, lo.replace(tzinfo=None), hi.replace(tzinfo=None)))
    statuses = {status.value: status for status in DoseStatus}
    doses = [
        LoggedDose(m, utc_from_db(scheduled), utc_from_db(taken), statuses[status])
        for m, scheduled, taken, status in _span_doses(session, spans, start, end)
        if status in statuses
    ]
    return classify_slots(each, doses, now)


def plan_marks(*, session: Reads, start: date, end: date, tz: ZoneInfo) -> list[PlanMark]:
    """Taper-plan events (holds, resumes, step backs, start, completion) on local days in [start, end]."""
    first, _ = day_bounds_utc(start, tz)
    _, after = day_bounds_utc(end, tz)
    return [
        PlanMark(local_day(row.at, tz), row.action, _MARK_ACTIONS[row.action], row.reason)
        for row in q.plan_events(session, first, after, list(_MARK_ACTIONS))
    ]


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
    session: Reads,
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
    prescriptions = q.prescription_rows(session)
    # Adherence first, while nothing else of the range is held: its slot-by-slot work is the
    # largest passing use of memory, and over decades ("All") it would otherwise pile on top of
    # every daily series. Slots count in the zones the schedule followed (travel rule).
    zone = schedule_timeline(session=session, current=tz, now=now)
    counted = _adherence(session, prescriptions, span.start, span.end, now, zone)
    weeks, runs = counted.weeks, counted.runs
    del counted
    # Burden from COMPARE_DAYS earlier: the 7-day mean of the first days and the 14 days
    # before a change at the start of the range need them.
    lead = span.start - timedelta(days=COMPARE_DAYS)
    burden_map: dict[date, float] = dict(burden_by_day(session=session, start=lead, end=span.end))
    full = daily_series(burden_map, lead, span.end)
    skip = COMPARE_DAYS
    burden = tuple(full[skip:])
    burden_mean = tuple(rolling_mean(full, MEAN_DAYS)[skip:])

    names = med_queries.medication_names(session=session)
    medications: list[MedicationDoses] = []
    changes: list[ChangeFacts] = []
    tables = _micro_tables(session)
    by_medication: dict[int, list[MicroTable]] = defaultdict(list)
    for row in prescriptions:
        if row.id in tables:
            by_medication[row.medication_id].append(tables[row.id])
    for medication_id, periods in _daily_periods(prescriptions, tables).items():
        segments = dose_segments(periods)
        in_range = dose_changes(periods, span.start, span.end)
        if by_medication.get(medication_id):  # D8: one marker at a table's start, not one a day
            in_range = micro_changes(in_range, segments, by_medication[medication_id], span.start, span.end)
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

    mood, sleep = _checkin_series(session, span)

    options = symptom_options(session=session, start=span.start, end=span.end)
    if symptom_keys is None:
        keys = [option.key for option in options[:DEFAULT_SYMPTOMS]]
    else:
        keys = list(dict.fromkeys(symptom_keys))
    symptom_names = q.symptom_names(session, keys)
    keys = [key for key in keys if key in symptom_names]
    baselines = baseline_means(session=session, keys=keys)
    heats = tuple(_symptom_heat(session, key, symptom_names[key], span, options, baselines) for key in keys)

    return TrendsData(
        range_kind=range_kind,
        span=span,
        today=today,
        tz=tz,
        burden=burden,
        burden_mean=burden_mean,
        medications=tuple(medications),
        marks=tuple(plan_marks(session=session, start=span.start, end=span.end, tz=tz)),
        mood=mood,
        sleep=sleep,
        symptom_options=tuple(options),
        symptoms=heats,
        changes=tuple(changes),
        facts=facts,
        adherence=tuple(weeks),
        adherence_total=_total(weeks),
        missed_runs=tuple(runs),
        medication_names=tuple(sorted(names.items())),
        scales=tuple(scale_queries.responses_between(session=session, first=span.start, last=span.end)),
        drops_warnings=_drops_warnings(session, {m.medication_id for m in medications}),
    )


def _symptom_heat(
    session: Reads,
    key: str,
    name: str,
    span: DateRange,
    options: Sequence[SymptomOption],
    baselines: Mapping[str, float],
) -> SymptomHeat:
    """One chosen symptom's heat map and table row over ``span``.

    The table row's numbers are the SQL aggregate of ``symptom_options`` (days logged,
    present, worst, total: GROUP BY symptom), the very numbers ``symptom_summaries`` adds up
    day by day; only the heat map reads the symptom's days, one symptom at a time, so
    decades of them ("All") are never held for all the chosen symptoms at once.
    """
    days = severity_by_symptom(session=session, keys=[key], start=span.start, end=span.end)[key]
    heat = heat_map(days, span.start, span.end)
    del days
    found = next((o for o in options if o.key == key), None)
    logged = found.days_logged if found else 0
    mean = found.total / logged if found and logged else None
    baseline = baselines.get(key)
    summary = SymptomSummary(
        key,
        logged,
        found.days_present if found else 0,
        found.worst if found and logged else None,
        mean,
        baseline,
        mean - baseline if mean is not None and baseline is not None else None,
    )
    return SymptomHeat(key, name, heat, summary)


def _checkin_series(
    session: Reads, span: DateRange
) -> tuple[tuple[float | None, ...], tuple[float | None, ...]]:
    """Mood and sleep, one entry per day of ``span`` (None where nothing was logged): each
    check-in placed straight into its day, with no per-day mapping built on the way."""
    mood: list[float | None] = [None] * span.days
    sleep: list[float | None] = [None] * span.days
    for day, m, hours in q.checkins_by_day(session, span.start, span.end):
        index = (day - span.start).days
        if m is not None:
            mood[index] = float(m)
        if hours is not None:
            sleep[index] = float(hours)
    return tuple(mood), tuple(sleep)


def _drops_warnings(session: Reads, charted: set[int]) -> tuple[str, ...]:
    """The drops warning for each charted medication taken as drops (each text once)."""
    forms = med_queries.medication_forms(session=session)
    found = (drops_warning(*forms[i]) for i in sorted(charted) if i in forms)
    return tuple(dict.fromkeys(w for w in found if w))
