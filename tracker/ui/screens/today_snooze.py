"""Today's `z`: snooze the highlighted dose's reminder for 15 minutes (issue 14).

Run inside Today's write worker; the dose keeps its scheduled time and still counts as
missed 6 hours after it. Imports are made inside, as in ``today_actions``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from tracker.ui.screens.today_data import DayData, dose_label, local_hm
from tracker.ui.widgets.rows import DoseRow

if TYPE_CHECKING:
    from sqlmodel import Session

SNOOZE = timedelta(minutes=15)


def refusal(row: DoseRow | None, now: datetime) -> str | None:
    """Why the highlighted row cannot be snoozed (checked before the write), or None."""
    from tracker.domain.notify_policy import SNOOZE_EARLY

    if row is None or row.scheduled_for is None or row.status not in ("due", "upcoming"):
        return "Highlight a dose that is due to snooze its reminder."
    if row.scheduled_for - SNOOZE_EARLY > now:
        return f"{dose_label(row)} is not due yet: it can be snoozed from an hour before its time."
    return None


def snooze(session: Session, data: DayData, row: DoseRow, now: datetime) -> str:
    from tracker.services import doses

    _, until = doses.snooze_dose(
        session=session,
        medication_id=row.medication_id,
        length=SNOOZE,
        now=now,
        tz=data.tz,
        scheduled_for=row.scheduled_for,
    )
    return f"{dose_label(row)}: reminder snoozed until {local_hm(until, data)} (it keeps its time)"
