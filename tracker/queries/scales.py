"""PHQ-9 and GAD-7 answers, read with plain SQL (no ORM).

The one implementation behind ``services.scales``' reads, Trends' scores panel, the
exports; R8's PHQ-9 item 9 is read with the other crisis entries
in ``queries.reminders.crisis_entries_written_since``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tracker.domain.scales import check_in_due
from tracker.queries._values import as_day, as_utc
from tracker.store import Reads, raw, to_db

__all__ = [
    "ScaleRow",
    "checkin_offered",
    "latest_day",
    "response_for_day",
    "responses_between",
    "taper_running",
]

_COLUMNS = "id, scale, day, answers, total, note, logged_at"


@dataclass(frozen=True, slots=True)
class ScaleRow:
    """One filled-in scale as stored (the ORM ``ScaleResponse``'s fields, read-only)."""

    id: int
    scale: str
    day: date
    answers: tuple[int, ...]
    total: int
    note: str | None
    logged_at: datetime


def _row(row: Any) -> ScaleRow:
    id_, scale, day, answers, total, note, logged_at = row
    values = tuple(int(a) for a in str(answers).split(",") if a != "")
    return ScaleRow(int(id_), str(scale), as_day(day), values, int(total), note, as_utc(logged_at))


def response_for_day(*, session: Reads, scale: str, day: date) -> ScaleRow | None:
    row = (
        raw(session)
        .execute(f"SELECT {_COLUMNS} FROM scaleresponse WHERE scale = ? AND day = ?", (scale, to_db(day)))
        .fetchone()
    )
    return None if row is None else _row(row)


def responses_between(*, session: Reads, first: date | None, last: date | None) -> list[ScaleRow]:
    """Every scale filled in for the local days [first, last] (open ends allowed), by day then scale."""
    rows = raw(session).execute(
        f"SELECT {_COLUMNS} FROM scaleresponse WHERE day >= ? AND day <= ? ORDER BY day, scale",
        (to_db(first or date.min), to_db(last or date.max)),
    )
    return [_row(r) for r in rows]


def latest_day(*, session: Reads, scale: str | None = None) -> date | None:
    """The latest day any scale (or ``scale``) was filled in for."""
    if scale is None:
        row = raw(session).execute("SELECT MAX(day) FROM scaleresponse").fetchone()
    else:
        row = raw(session).execute("SELECT MAX(day) FROM scaleresponse WHERE scale = ?", (scale,)).fetchone()
    return None if row is None or row[0] is None else as_day(row[0])


def taper_running(*, session: Reads) -> bool:
    """A taper plan is active or held (the every-2-weeks check-in is on by default then)."""
    row = (
        raw(session).execute("SELECT 1 FROM taperplan WHERE status IN ('active', 'held') LIMIT 1").fetchone()
    )
    return row is not None


def checkin_offered(*, session: Reads, mode: str, today: date) -> bool:
    """Whether Today offers the PHQ-9/GAD-7 check-in: by the setting ("during-taper", "always",
    "off") and when none was filled in during the last 14 days."""
    if mode == "off" or (mode != "always" and not taper_running(session=session)):
        return False
    return check_in_due(latest_day(session=session), today)
