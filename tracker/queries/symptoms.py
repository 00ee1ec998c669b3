"""The symptom catalogue and daily ratings, read with plain SQL (no ORM).

The one implementation behind ``services.symptoms``' reads (``list_symptoms``,
``recent_symptom_ids``, ``entries_for_day``, ``burden_by_day``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from tracker.domain.symptoms import GROUPS
from tracker.queries._values import as_day, as_utc
from tracker.store import Reads, raw, to_db


@dataclass(frozen=True, slots=True)
class SymptomRow:
    """One catalogue symptom as stored (the ORM ``Symptom``'s fields, read-only)."""

    id: int
    key: str
    name: str
    group: str
    aliases: str  # comma separated
    is_custom: bool
    is_crisis: bool
    hidden: bool
    sort_order: int


@dataclass(frozen=True, slots=True)
class SymptomEntryRow:
    """One day's rating of one symptom as stored (the ORM ``SymptomEntry``'s fields, read-only)."""

    id: int
    symptom_id: int
    symptom_name: str  # the name used at the time
    day: date
    severity: int
    comparison: str | None
    note: str | None
    logged_at: datetime


def _symptom(row: Any) -> SymptomRow:
    id_, key, name, group, aliases, is_custom, is_crisis, hidden, sort_order = row
    return SymptomRow(
        id=id_,
        key=key,
        name=name,
        group=group,
        aliases=aliases,
        is_custom=bool(is_custom),
        is_crisis=bool(is_crisis),
        hidden=bool(hidden),
        sort_order=sort_order,
    )


def list_symptoms(*, session: Reads, include_hidden: bool = False) -> list[SymptomRow]:
    """The catalogue in the order Today shows it: by group (``GROUPS`` order), then sort order."""
    where = "" if include_hidden else " WHERE hidden = 0"
    rows = [
        _symptom(r)
        for r in raw(session).execute(
            'SELECT id, "key", name, "group", aliases, is_custom, is_crisis, hidden, sort_order '
            f"FROM symptom{where} ORDER BY sort_order, id"
        )
    ]
    order = {g: i for i, g in enumerate(GROUPS)}
    return sorted(rows, key=lambda s: (order.get(s.group, len(GROUPS)), s.sort_order, s.id))


def recent_symptom_ids(*, session: Reads, before: date, days: int = 28) -> list[int]:
    """Symptoms rated above zero in the ``days`` before ``before`` (inclusive), most often first."""
    rows = raw(session).execute(
        "SELECT symptom_id, count(*) FROM symptomentry WHERE day >= ? AND day <= ? AND severity > 0 "
        "GROUP BY symptom_id ORDER BY count(*) DESC",
        (to_db(before - timedelta(days=days)), to_db(before)),
    )
    return [r[0] for r in rows]


def entries_for_day(*, session: Reads, day: date) -> list[SymptomEntryRow]:
    """The ratings of local ``day`` (in no particular order)."""
    rows = raw(session).execute(
        "SELECT id, symptom_id, symptom_name, day, severity, comparison, note, logged_at "
        "FROM symptomentry WHERE day = ?",
        (to_db(day),),
    )
    return [
        SymptomEntryRow(id_, symptom_id, name, as_day(day_), severity, comparison, note, as_utc(logged_at))
        for id_, symptom_id, name, day_, severity, comparison, note, logged_at in rows
    ]


def burden_by_day(*, session: Reads, start: date, end: date) -> dict[date, int]:
    """Sum of severities per logged local day in [start, end] (unlogged days absent)."""
    rows = raw(session).execute(
        "SELECT day, sum(severity) FROM symptomentry WHERE day >= ? AND day <= ? GROUP BY day",
        (to_db(start), to_db(end)),
    )
    return {as_day(d): int(total) for d, total in rows}
