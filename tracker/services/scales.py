"""PHQ-9 and GAD-7: the one guarded write (UI, command line and import all call it) and the reads.

``record_scale`` checks the answers against ``tracker.domain.scales`` (every item answered,
each 0-3), refuses a day in the future, and stores one row per scale and local day: filling
in the same day again corrects it. PHQ-9 item 9 above 0 reaches R8 through the crisis
entries the reminder rules already read, the moment the row is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session, select

from tracker.domain.errors import TrackerError
from tracker.domain.scales import PHQ9_CRISIS_ITEM, Scale, check_in_due, score
from tracker.domain.timeutil import utc_now
from tracker.models import ScaleResponse
from tracker.queries.scales import ScaleRow, latest_day, response_for_day, responses_between
from tracker.store import Reads

__all__ = [
    "ScaleRow",
    "check_in_due_on",
    "is_crisis_answer",
    "latest_day",
    "record_scale",
    "response_for_day",
    "responses_between",
]


def is_crisis_answer(scale: Scale, answers: Sequence[int]) -> bool:
    """True when the answers raise R8: PHQ-9 item 9 above 0."""
    return scale.key == "phq9" and len(answers) >= PHQ9_CRISIS_ITEM and answers[PHQ9_CRISIS_ITEM - 1] > 0


def record_scale(
    *,
    session: Session,
    scale: Scale,
    day: date,
    answers: Sequence[int],
    today: date,
    note: str | None = None,
    now: datetime | None = None,
) -> ScaleResponse:
    """Store a filled-in scale for local ``day`` (backfill allowed, never the future)."""
    total = score(scale, answers)  # refuses a wrong count or an answer outside 0-3
    if day > today:
        raise TrackerError(
            f"{day.isoformat()} is in the future; a {scale.name} is for today or an earlier day"
        )
    if note is not None and len(note) > 4000:
        raise TrackerError("the note is longer than 4000 characters")
    row = session.exec(
        select(ScaleResponse).where(ScaleResponse.scale == scale.key).where(ScaleResponse.day == day)
    ).first()
    if row is None:
        row = ScaleResponse(scale=scale.key, day=day, answers="", total=0)
    row.answers = ",".join(str(a) for a in answers)
    row.total = total
    if note is not None:
        row.note = note.strip() or None
    row.logged_at = now or utc_now()
    session.add(row)
    session.flush()
    return row


def check_in_due_on(*, session: Reads, today: date) -> bool:
    """The every-2-weeks check-in is due: no scale filled in during the last 14 days."""
    return check_in_due(latest_day(session=session), today)
