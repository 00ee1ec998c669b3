"""Active reminders for now: gathers the data the rules need and applies dismissals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from tracker.domain.units import format_mg
from tracker.services import doses


@dataclass(frozen=True, slots=True)
class ActiveReminder:
    rule: str
    key: str
    severity: str
    message: str
    why: str
    action: str

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "key": self.key,
            "severity": self.severity,
            "message": self.message,
            "why": self.why,
            "action": self.action,
        }


def active_reminders(*, session: Session, now: datetime, tz: ZoneInfo) -> list[ActiveReminder]:
    """Reminders to show now, urgent first."""
    today = now.astimezone(tz).date()
    out: list[ActiveReminder] = []
    for slot in doses.slots_for_day(session=session, day=today, now=now, tz=tz):
        if slot.is_open:
            out.append(
                ActiveReminder(
                    rule="R9",
                    key=f"R9:{slot.medication_id}:{slot.scheduled_for.isoformat()}",
                    severity="info",
                    message=f"{slot.medication_name} {format_mg(slot.dose_mg)} at {slot.local_time.strftime('%H:%M')} "
                    f"is not logged yet.",
                    why="R9 · doses due today that are not logged yet",
                    action="today",
                )
            )
    return out
