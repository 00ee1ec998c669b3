"""Daily check-ins: mood 0-10, sleep hours, a note, and the pre-taper baseline flag.

The reads are plain SQL (tracker/queries/checkins.py, re-exported here) and hand back
read-only rows; ``set_checkin`` works on the session's ORM object.
"""

from __future__ import annotations

import math
from datetime import date, datetime

from sqlmodel import Session, select

from tracker.domain.errors import TrackerError
from tracker.domain.timeutil import utc_now
from tracker.models import CheckIn
from tracker.queries.checkins import CheckInRow, baseline_days, checkin_for_day

__all__ = ["CheckInRow", "baseline_days", "checkin_for_day", "set_checkin"]

_UNSET = object()


def set_checkin(
    *,
    session: Session,
    day: date,
    mood: int | object | None = _UNSET,
    sleep_hours: float | object | None = _UNSET,
    note: str | object | None = _UNSET,
    is_baseline: bool | None = None,
    now: datetime | None = None,
) -> CheckIn:
    """Create or update the check-in of a local day; only the fields given change."""
    if (
        mood is not _UNSET
        and mood is not None
        and (not isinstance(mood, int) or isinstance(mood, bool) or not 0 <= mood <= 10)
    ):
        raise TrackerError(f"mood {mood!r} is outside 0-10")
    if sleep_hours is not _UNSET and sleep_hours is not None:  # noqa: SIM102
        if (
            not isinstance(sleep_hours, int | float)
            or not math.isfinite(sleep_hours)
            or not 0 <= sleep_hours <= 24
        ):
            raise TrackerError(f"sleep {sleep_hours!r} hours is outside 0-24")
    if note is not _UNSET and note is not None and len(str(note)) > 4000:
        raise TrackerError("the note is longer than 4000 characters")
    row = session.exec(select(CheckIn).where(CheckIn.day == day)).first()
    if row is None:
        row = CheckIn(day=day)
    if mood is not _UNSET:
        row.mood = mood  # type: ignore[assignment]
    if sleep_hours is not _UNSET:
        row.sleep_hours = float(sleep_hours) if sleep_hours is not None else None  # type: ignore[arg-type]
    if note is not _UNSET:
        row.note = (str(note).strip() or None) if note is not None else None
    if is_baseline is not None:
        row.is_baseline = is_baseline
    row.logged_at = now or utc_now()
    session.add(row)
    session.flush()
    return row
