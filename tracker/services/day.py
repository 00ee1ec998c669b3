"""A day's summary: doses due and taken, symptoms logged, the check-in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from tracker.domain.timeutil import utc_now
from tracker.models import CheckIn, DoseEvent, SymptomEntry
from tracker.services import checkins, doses, symptoms
from tracker.services.doses import DoseSlot


@dataclass(frozen=True, slots=True)
class DaySummary:
    day: date
    slots: list[DoseSlot]
    extras: list[DoseEvent]
    entries: list[SymptomEntry]
    checkin: CheckIn | None
    burden: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def due(self) -> list[DoseSlot]:
        return [s for s in self.slots if s.status in ("due", "missed", "upcoming")]

    @property
    def taken(self) -> list[DoseSlot]:
        return [s for s in self.slots if s.status == "taken"]

    def as_json(self) -> dict[str, object]:
        return {
            "day": self.day.isoformat(),
            "doses": [
                {
                    "medication": s.medication_name,
                    "scheduled_for": s.scheduled_for.isoformat(),
                    "local_time": s.local_time.strftime("%H:%M"),
                    "dose_mg": s.dose_mg,
                    "status": s.status,
                    "taken_at": s.taken_at.isoformat() if s.taken_at else None,
                    "amount_mg": s.amount_mg,
                }
                for s in self.slots
            ],
            "extra_doses": [
                {
                    "medication_id": e.medication_id,
                    "taken_at": e.taken_at.isoformat() if e.taken_at else None,
                    "amount_mg": e.amount_mg,
                }
                for e in self.extras
            ],
            "symptoms": [{"symptom": e.symptom_name, "severity": e.severity} for e in self.entries],
            "burden": self.burden,
            "checkin": (
                {
                    "mood": self.checkin.mood,
                    "sleep_hours": self.checkin.sleep_hours,
                    "note": self.checkin.note,
                }
                if self.checkin
                else None
            ),
        }


def day_summary(
    *, session: Session, day: date, now: datetime | None = None, tz: ZoneInfo | None = None
) -> DaySummary:
    now = now or utc_now()
    entries = symptoms.entries_for_day(session=session, day=day)
    return DaySummary(
        day=day,
        slots=doses.slots_for_day(session=session, day=day, now=now, tz=tz),
        extras=doses.extra_doses_for_day(session=session, day=day),
        entries=sorted(entries, key=lambda e: (-e.severity, e.symptom_name)),
        checkin=checkins.checkin_for_day(session=session, day=day),
        burden=sum(e.severity for e in entries) if entries else None,
    )
