"""Symptom ratings over a period as SQL aggregates (no ORM), for the clinician summary.

A summary of the whole history must not hold every rating of decades at once: the table
rows are GROUP BY symptom totals, the weekly chart GROUP BY symptom and week, and only the
crisis days and the rated days that carry a note come back one by one.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from tracker.queries._values import as_day
from tracker.store import Reads, raw, to_db


@dataclass(frozen=True, slots=True)
class SymptomTotal:
    """One symptom's ratings in the period: days logged, days present (1 or more), worst, sum."""

    symptom_id: int
    logged: int
    present: int
    worst: int
    total: int


def _not_in(ids: Collection[int]) -> str:
    return f" AND symptom_id NOT IN ({', '.join('?' * len(ids))})" if ids else ""


def symptom_totals(
    *, session: Reads, start: date, end: date, leave_out: Collection[int] = ()
) -> list[SymptomTotal]:
    """Every symptom rated on a day of [start, end] (except ``leave_out``), in the order of its first
    rating: by day, then entry order on that day (as reading the ratings by day meets them)."""
    # One rating per symptom and day (UNIQUE (symptom_id, day)): the bare ``id`` beside min(day)
    # is that first day's entry (SQLite takes bare columns from the min() row), so no string
    # is built per rating to order by (day, id).
    rows = raw(session).execute(
        "SELECT symptom_id, count(*), sum(severity >= 1), max(severity), sum(severity), "
        "min(day) AS first, id FROM symptomentry "
        f"WHERE day >= ? AND day <= ?{_not_in(leave_out)} GROUP BY symptom_id ORDER BY first, id",
        (to_db(start), to_db(end), *leave_out),
    )
    return [SymptomTotal(int(s), int(n), int(p), int(w), int(t)) for s, n, p, w, t, _, _ in rows]


def weekly_sums(
    *, session: Reads, symptom_ids: Collection[int], monday: date, start: date, end: date
) -> dict[tuple[int, int], tuple[int, int]]:
    """(sum of severities, days rated) per (symptom, week number counted from ``monday``) in [start, end]."""
    if not symptom_ids:
        return {}
    marks = ", ".join("?" * len(symptom_ids))
    rows = raw(session).execute(
        "SELECT symptom_id, CAST(julianday(day) - julianday(?) AS INTEGER) / 7 AS week, "
        "sum(severity), count(*) FROM symptomentry "
        f"WHERE day >= ? AND day <= ? AND symptom_id IN ({marks}) GROUP BY symptom_id, week",
        (to_db(monday), to_db(start), to_db(end), *symptom_ids),
    )
    return {(int(s), int(w)): (int(t), int(n)) for s, w, t, n in rows}


def days_present(*, session: Reads, symptom_ids: Collection[int], start: date, end: date) -> list[date]:
    """The days of [start, end] on which any of ``symptom_ids`` was rated 1 or more, in order."""
    if not symptom_ids:
        return []
    marks = ", ".join("?" * len(symptom_ids))
    rows = raw(session).execute(
        "SELECT DISTINCT day FROM symptomentry WHERE day >= ? AND day <= ? AND severity >= 1 "
        f"AND symptom_id IN ({marks}) ORDER BY day",
        (to_db(start), to_db(end), *symptom_ids),
    )
    return [as_day(r[0]) for r in rows]


def noted(
    *, session: Reads, start: date, end: date, leave_out: Collection[int] = ()
) -> list[tuple[date, str, str]]:
    """(day, symptom name as rated, note) of the ratings in [start, end] with a note, by day then entry."""
    rows = raw(session).execute(
        "SELECT day, symptom_name, note FROM symptomentry WHERE day >= ? AND day <= ? "
        f"AND note IS NOT NULL AND note != ''{_not_in(leave_out)} ORDER BY day, id",
        (to_db(start), to_db(end), *leave_out),
    )
    return [(as_day(day), name, note) for day, name, note in rows]


def names_as_rated(*, session: Reads, symptom_ids: Collection[int], start: date, end: date) -> dict[int, str]:
    """The name each symptom carried at its last rating in [start, end] (for ids not in the catalogue)."""
    found: dict[int, str] = {}
    for symptom_id in symptom_ids:
        row = (
            raw(session)
            .execute(
                "SELECT symptom_name FROM symptomentry WHERE symptom_id = ? AND day >= ? AND day <= ? "
                "ORDER BY day DESC, id DESC LIMIT 1",
                (symptom_id, to_db(start), to_db(end)),
            )
            .fetchone()
        )
        if row is not None:
            found[symptom_id] = row[0]
    return found
