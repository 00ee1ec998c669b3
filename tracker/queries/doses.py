"""Logged doses, read with plain SQL (no ORM): the scheduled ones of a range, a day's extras."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tracker.queries._values import as_day, as_utc
from tracker.store import Reads, raw, to_db, utc_from_db

_COLUMNS = "id, medication_id, day, scheduled_for, taken_at, amount_mg, status, logged_at, note"


@dataclass(frozen=True, slots=True)
class DoseEventRow:
    """One logged dose as stored (the ORM ``DoseEvent``'s fields, read-only; instants aware UTC)."""

    id: int
    medication_id: int
    day: date
    scheduled_for: datetime | None  # the slot it fills; None for an extra dose
    taken_at: datetime | None  # None when skipped
    amount_mg: float
    status: str
    logged_at: datetime
    note: str | None


def _event(row: Any) -> DoseEventRow:
    id_, med_id, day, scheduled_for, taken_at, amount, status, logged_at, note = row
    return DoseEventRow(
        id=id_,
        medication_id=med_id,
        day=as_day(day),
        scheduled_for=utc_from_db(scheduled_for),
        taken_at=utc_from_db(taken_at),
        amount_mg=amount,
        status=status,
        logged_at=as_utc(logged_at),
        note=note,
    )


def scheduled_doses_between(*, session: Reads, first: date, last: date) -> list[DoseEventRow]:
    """The doses logged against a slot (taken or skipped) on the local days [first, last]."""
    rows = raw(session).execute(
        f"SELECT {_COLUMNS} FROM doseevent WHERE day >= ? AND day <= ? AND scheduled_for IS NOT NULL",
        (to_db(first), to_db(last)),
    )
    return [_event(r) for r in rows]


def extra_doses_for_day(*, session: Reads, day: date) -> list[DoseEventRow]:
    """The doses of local ``day`` that fill no slot, in the order taken."""
    rows = raw(session).execute(
        f"SELECT {_COLUMNS} FROM doseevent WHERE day = ? AND scheduled_for IS NULL ORDER BY taken_at",
        (to_db(day),),
    )
    return [_event(r) for r in rows]
