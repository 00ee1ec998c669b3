"""Plain-SQL reads behind the Trends screen: each statement once, for a session or a connection.

``tracker.services.trends`` builds every number of the screen on these. Each query selects
only the columns it needs and aggregates in SQL (GROUP BY day, GROUP BY symptom, and the
doses of many stretches of the schedule in one statement), so ten years of history arrive
as a few thousand small rows, read a batch at a time (``rows``). Stored text becomes Python
values here: days as ``date``, instants as aware UTC ``datetime``; the adherence statements
hand back the stored instant text as is (the service matches slots on it).

Indexes used (checked with EXPLAIN QUERY PLAN in the tests): ix_symptomentry_day for the
burden and the symptom table, uq_symptomentry_symptom_day for chosen symptoms,
ux_doseevent_slot (medication, scheduled instant) for the doses of each stretch of the
schedule, ix_doseevent_med_day for the first logged dose per medication,
ix_prescription_med_start for the prescriptions.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Protocol

from tracker.domain.units import times_from_text
from tracker.store import Reads, raw, to_db, utc_from_db

__all__ = [
    "BATCH",
    "PlanEventRow",
    "PrescriptionRow",
    "SymptomRow",
    "baseline_means",
    "block_counts",
    "checkins_by_day",
    "first_data_days",
    "first_dose_days",
    "plan_events",
    "prescription_rows",
    "rows",
    "severity_by_symptom",
    "span_doses",
    "symptom_names",
    "symptom_rows",
]

BATCH = 256
"""Rows fetched at a time: as quick as fetching all, and no row outlives its batch."""


class _Fetches(Protocol):
    def fetchmany(self, size: int, /) -> Sequence[Any]: ...


def rows(source: Reads, sql: str, params: Iterable[Any] = ()) -> Iterator[Sequence[Any]]:
    """The rows of ``sql`` (``?`` parameters) run on ``source``, fetched ``BATCH`` at a time.

    Ten years of rows held at once would survive into the garbage collector's oldest
    generation and set off full collections, which cost more than the queries themselves.

    A plain connection runs the text itself. A session runs the same text on its own
    connection, inside its transaction (after a flush, see ``raw``), through SQLAlchemy's
    driver-level call: no ORM object is made, and the engine's statement events (the
    query-plan tests, the benchmarks' capture) still see every statement.
    """
    conn = raw(source)
    values = tuple(params)
    cursor: _Fetches
    if isinstance(source, sqlite3.Connection):
        cursor = conn.execute(sql, values)
    else:
        cursor = source.connection().exec_driver_sql(sql, values)
    while batch := cursor.fetchmany(BATCH):
        yield from batch


def _marks(count: int) -> str:
    """``?, ?, ?`` for an IN list of ``count`` values."""
    return ", ".join("?" * count)


def _day(stored: str) -> date:
    return date.fromisoformat(stored)


# --------------------------------------------------------------------------- days and symptoms

# One statement of four MINs, each answered from an index (day columns), not a table scan.
_FIRST_DAYS = """SELECT (SELECT min(symptomentry.day) FROM symptomentry),
       (SELECT min(checkin.day) FROM checkin),
       (SELECT min(doseevent.day) FROM doseevent),
       (SELECT min(prescription.start_date) FROM prescription)"""


def first_data_days(source: Reads) -> list[date]:
    """The earliest symptom, check-in, dose and prescription days (the tables with any row)."""
    (found,) = rows(source, _FIRST_DAYS)
    return [_day(day) for day in found if day is not None]


@dataclass(frozen=True, slots=True)
class SymptomRow:
    """One symptom's numbers over a range: days logged, days present (severity > 0), worst, total."""

    key: str
    name: str
    logged: int
    present: int
    worst: int
    total: int


_SYMPTOMS = """SELECT symptom."key", symptom.name, per.logged, per.present, per.worst, per.total
FROM symptom JOIN (
    SELECT symptomentry.symptom_id AS symptom_id, count(*) AS logged,
           sum(CASE WHEN symptomentry.severity > 0 THEN 1 ELSE 0 END) AS present,
           max(symptomentry.severity) AS worst, sum(symptomentry.severity) AS total
    FROM symptomentry
    WHERE symptomentry.day BETWEEN ? AND ?
    GROUP BY symptomentry.symptom_id
) AS per ON per.symptom_id = symptom.id"""


def symptom_rows(source: Reads, start: date, end: date) -> list[SymptomRow]:
    """Every symptom logged in [start, end] with its numbers, in no particular order."""
    return [
        SymptomRow(key, name, int(logged), int(present), int(worst), int(total))
        for key, name, logged, present, worst, total in rows(source, _SYMPTOMS, (to_db(start), to_db(end)))
    ]


def severity_by_symptom(
    source: Reads, keys: Sequence[str], start: date, end: date
) -> Iterator[tuple[str, date, int]]:
    """(key, day, severity) of the symptoms in ``keys`` over [start, end], through the
    (symptom, day) unique index; nothing when ``keys`` is empty."""
    if not keys:
        return
    sql = f"""SELECT symptom."key", symptomentry.day, symptomentry.severity
FROM symptomentry JOIN symptom ON symptom.id = symptomentry.symptom_id
WHERE symptom."key" IN ({_marks(len(keys))}) AND symptomentry.day BETWEEN ? AND ?"""
    for key, day, severity in rows(source, sql, (*keys, to_db(start), to_db(end))):
        yield key, _day(day), int(severity)


def baseline_means(source: Reads, keys: Sequence[str]) -> dict[str, float]:
    """Mean severity of each symptom in ``keys`` over the check-in days marked as baseline."""
    if not keys:
        return {}
    sql = f"""SELECT symptom."key", avg(symptomentry.severity)
FROM symptomentry JOIN symptom ON symptom.id = symptomentry.symptom_id
    JOIN checkin ON checkin.day = symptomentry.day
WHERE checkin.is_baseline IS 1 AND symptom."key" IN ({_marks(len(keys))})
GROUP BY symptom."key\""""
    return {key: float(mean) for key, mean in rows(source, sql, keys) if mean is not None}


def symptom_names(source: Reads, keys: Sequence[str]) -> dict[str, str]:
    """Name of each symptom in ``keys`` that exists (unknown keys are absent)."""
    if not keys:
        return {}
    sql = f'SELECT symptom."key", symptom.name FROM symptom WHERE symptom."key" IN ({_marks(len(keys))})'
    return {key: name for key, name in rows(source, sql, keys)}


_CHECKINS = """SELECT checkin.day, checkin.mood, checkin.sleep_hours
FROM checkin
WHERE checkin.day BETWEEN ? AND ?"""


def checkins_by_day(source: Reads, start: date, end: date) -> Iterator[tuple[date, int | None, float | None]]:
    """(day, mood, sleep hours) of each check-in in [start, end]."""
    for day, mood, hours in rows(source, _CHECKINS, (to_db(start), to_db(end))):
        yield _day(day), mood, hours


# --------------------------------------------------------------------------- medications and plans


@dataclass(frozen=True, slots=True)
class PrescriptionRow:
    """A prescription as the trends need it: dose per intake and the local times of the intakes."""

    medication_id: int
    start: date
    end: date | None
    dose_mg: float
    times: tuple[time, ...]
    id: int = 0  # the stored prescription's (a micro-step table is keyed by it, D8)


_PRESCRIPTIONS = """SELECT prescription.medication_id, prescription.start_date, prescription.end_date,
       prescription.dose_mg, prescription.times, prescription.id
FROM prescription
ORDER BY prescription.medication_id, prescription.start_date, prescription.id"""


def prescription_rows(source: Reads) -> list[PrescriptionRow]:
    """Every prescription, ordered by medication, start, then entry order (the overlap tie-break)."""
    return [
        PrescriptionRow(
            int(m),
            _day(start),
            None if end is None else _day(end),
            float(dose),
            tuple(times_from_text(times)),
            int(ident),
        )
        for m, start, end, dose, times, ident in rows(source, _PRESCRIPTIONS)
    ]


# One MIN per medication, each answered from ix_doseevent_med_day without a scan.
_FIRST_DOSES = """SELECT medication.id, (
    SELECT min(doseevent.day) FROM doseevent WHERE doseevent.medication_id = medication.id
)
FROM medication"""


def first_dose_days(source: Reads) -> dict[int, date]:
    """The day of each medication's first logged dose (medications without any are absent)."""
    return {int(m): _day(day) for m, day in rows(source, _FIRST_DOSES) if day is not None}


@dataclass(frozen=True, slots=True)
class PlanEventRow:
    at: datetime  # aware UTC
    action: str
    reason: str | None


def plan_events(
    source: Reads, first: datetime, after: datetime, actions: Sequence[str]
) -> list[PlanEventRow]:
    """Taper-plan events with an action in ``actions`` at instants in [first, after), oldest first."""
    sql = f"""SELECT planevent.at, planevent.action, planevent.reason
FROM planevent
WHERE planevent.at >= ? AND planevent.at < ? AND planevent.action IN ({_marks(len(actions))})
ORDER BY planevent.at"""
    found: list[PlanEventRow] = []
    for at, action, reason in rows(source, sql, (to_db(first), to_db(after), *actions)):
        instant = utc_from_db(at)
        assert instant is not None  # the column is NOT NULL
        found.append(PlanEventRow(instant, action, reason))
    return found


# --------------------------------------------------------------------------- adherence

# The answered slots of each settled regular block (tracker.domain.trends_extra.SlotBlock),
# counted in SQL. ``blocks`` is a JSON list of [medication, lo, hi, times]: a dose answers a
# slot when it names the block's medication and its scheduled instant is one of the block's
# slots: inside the block's UTC range [lo, hi), at a UTC time of day listed in ``times`` (the
# stored text after the date, to the microsecond: the key classify_slots matches on; the
# unique ux_doseevent_slot allows one dose per slot). Instants are compared as stored: UTC
# text "YYYY-MM-DD HH:MM:SS.ffffff", which sorts in time order. Late: taken after the slot
# plus ``late`` (an SQLite modifier such as "+7200 seconds"), compared as text to the
# microsecond (a slot has no fraction of a second).
_BLOCK_COUNTS = """WITH block(k, med, lo, hi, times) AS MATERIALIZED (
    SELECT key, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
           json_extract(value, '$[3]')
    FROM json_each(?)
)
SELECT block.k,
       SUM(d.status = 'taken'),
       SUM(CASE WHEN d.status = 'taken' AND d.taken_at > datetime(d.scheduled_for, ?) || '.000000'
           THEN 1 ELSE 0 END),
       SUM(d.status = 'skipped')
FROM block CROSS JOIN doseevent AS d
    ON d.medication_id = block.med AND d.scheduled_for >= block.lo AND d.scheduled_for < block.hi
WHERE d.day BETWEEN ? AND ?
    AND instr(block.times, substr(d.scheduled_for, 12)) > 0
GROUP BY block.k"""


def block_counts(
    source: Reads, blocks_json: str, late: str, start: date, end: date
) -> dict[int, tuple[int, int, int]]:
    """(taken, late, skipped) per index into ``blocks_json`` with an answered slot (see above).

    Only doses of local days in [start, end] count (ix_doseevent_* keep the search short).
    """
    return {
        int(k): (int(taken or 0), int(late_count or 0), int(skipped or 0))
        for k, taken, late_count, skipped in rows(
            source, _BLOCK_COUNTS, (blocks_json, late, to_db(start), to_db(end))
        )
    }


# The doses logged in some UTC ranges of one medication each: ``spans`` is a JSON list of
# [medication, lo, hi] with the instants as stored.
_SPAN_DOSES = """WITH span(med, lo, hi) AS MATERIALIZED (
    SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]')
    FROM json_each(?)
)
SELECT d.medication_id, d.scheduled_for, d.taken_at, d.status
FROM span CROSS JOIN doseevent AS d
    ON d.medication_id = span.med AND d.scheduled_for >= span.lo AND d.scheduled_for < span.hi
WHERE d.day BETWEEN ? AND ?"""


def span_doses(
    source: Reads, spans_json: str, start: date, end: date
) -> Iterator[tuple[int, str, str | None, str]]:
    """(medication, scheduled_for, taken_at, status), instants as stored, of the doses in the spans."""
    for m, scheduled, taken, status in rows(source, _SPAN_DOSES, (spans_json, to_db(start), to_db(end))):
        yield int(m), scheduled, taken, status
