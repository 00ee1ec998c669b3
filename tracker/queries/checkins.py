"""Daily check-ins, read with plain SQL (no ORM).

The one implementation behind ``services.checkins``' reads (``checkin_for_day``,
``baseline_days``) and the check-ins of Today's fortnight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tracker.queries._values import as_day, as_utc
from tracker.store import Reads, raw, to_db

_COLUMNS = "id, day, mood, sleep_hours, note, is_baseline, logged_at"


@dataclass(frozen=True, slots=True)
class CheckInRow:
    """One day's check-in as stored (the ORM ``CheckIn``'s fields, read-only)."""

    id: int
    day: date
    mood: int | None  # 0-10
    sleep_hours: float | None
    note: str | None
    is_baseline: bool
    logged_at: datetime


def _checkin(row: Any) -> CheckInRow:
    id_, day, mood, sleep_hours, note, is_baseline, logged_at = row
    return CheckInRow(id_, as_day(day), mood, sleep_hours, note, bool(is_baseline), as_utc(logged_at))


def checkin_for_day(*, session: Reads, day: date) -> CheckInRow | None:
    """The check-in of local ``day``, if there is one."""
    row = raw(session).execute(f"SELECT {_COLUMNS} FROM checkin WHERE day = ?", (to_db(day),)).fetchone()
    return None if row is None else _checkin(row)


def checkins_between(*, session: Reads, first: date, last: date) -> list[CheckInRow]:
    """The check-ins of the local days [first, last], by day."""
    rows = raw(session).execute(
        f"SELECT {_COLUMNS} FROM checkin WHERE day >= ? AND day <= ? ORDER BY day",
        (to_db(first), to_db(last)),
    )
    return [_checkin(r) for r in rows]


def baseline_days(*, session: Reads) -> list[date]:
    """The days marked as the pre-taper baseline, in order."""
    # "IS 1" as the ORM spelled it: ix_checkin_baseline serves it as an index range
    rows = raw(session).execute("SELECT day FROM checkin WHERE is_baseline IS 1 ORDER BY day")
    return [as_day(r[0]) for r in rows]
