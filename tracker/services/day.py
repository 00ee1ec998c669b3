"""A day's summary: doses due and taken, symptoms logged, the check-in.

``day_window`` reads a day together with the days before it (what Today shows) in a
fixed handful of set-based queries, however many days the window spans. A light
module: every read is plain SQL (tracker/queries) on ``Reads``, so Today loads it
through a plain connection without importing the ORM, and ``tracker status`` through
a session with the very same queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tracker.domain.timeutil import utc_now
from tracker.queries import checkins, doses, symptoms
from tracker.queries.checkins import CheckInRow
from tracker.queries.doses import DoseEventRow
from tracker.queries.symptoms import SymptomEntryRow
from tracker.services.schedule import DoseSlot, ScheduledMedication, slots_for_day, slots_for_days
from tracker.store import Reads


@dataclass(frozen=True, slots=True)
class DaySummary:
    """One local day: its slots, extra doses and ratings (most severe first), check-in and burden."""

    day: date
    slots: list[DoseSlot]
    extras: list[DoseEventRow]
    entries: list[SymptomEntryRow]
    checkin: CheckInRow | None
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
    *, session: Reads, day: date, now: datetime | None = None, tz: ZoneInfo | None = None
) -> DaySummary:
    """The summary of local ``day`` (``tracker status``).

    ``tz`` is the user's zone; the day's dose slots are those of the same date in the
    schedule zone (``services.schedule``: the home zone when schedules keep home time).
    """
    now = now or utc_now()
    return _summary(
        session=session,
        day=day,
        slots=slots_for_day(session=session, day=day, now=now, tz=tz),
        checkin=checkins.checkin_for_day(session=session, day=day),
    )


def _summary(*, session: Reads, day: date, slots: list[DoseSlot], checkin: CheckInRow | None) -> DaySummary:
    """The day's summary from its slots and check-in (read by the caller, alone or for a window)."""
    entries = symptoms.entries_for_day(session=session, day=day)
    return DaySummary(
        day=day,
        slots=slots,
        extras=doses.extra_doses_for_day(session=session, day=day),
        entries=sorted(entries, key=lambda e: (-e.severity, e.symptom_name)),
        checkin=checkin,
        burden=sum(e.severity for e in entries) if entries else None,
    )


@dataclass(frozen=True, slots=True)
class DayWindow:
    """A day and the days before it: the day's own summary, plus what the window shows per day.

    ``slots`` holds every day of the last ``slot_days`` (logged or not); ``checkins`` and
    ``burden`` only the days of the last ``days`` that have one.
    """

    summary: DaySummary
    slots: dict[date, list[DoseSlot]]
    checkins: dict[date, CheckInRow]
    burden: dict[date, int]


def day_window(
    *,
    session: Reads,
    day: date,
    days: int,
    slot_days: int,
    now: datetime | None = None,
    tz: ZoneInfo | None = None,
    medications: Sequence[ScheduledMedication] | None = None,
) -> DayWindow:
    """``day`` and the days before it in seven queries, whatever ``days`` and ``slot_days`` are.

    One range query each for the check-ins and the burden of the ``days`` ending on
    ``day``; the slots of the ``slot_days`` ending on it from ``schedule.slots_for_days``
    (three queries, two with ``medications`` given); the day's extra doses and symptom
    entries. ``summary`` equals ``day_summary(day=day)``.
    """
    now = now or utc_now()
    first = day - timedelta(days=max(days, 1) - 1)
    slots = slots_for_days(
        session=session,
        first=day - timedelta(days=max(slot_days, 1) - 1),
        last=day,
        now=now,
        tz=tz,
        medications=medications,
    )
    by_day = {c.day: c for c in checkins.checkins_between(session=session, first=first, last=day)}
    summary = _summary(session=session, day=day, slots=slots[day], checkin=by_day.get(day))
    burden = symptoms.burden_by_day(session=session, start=first, end=day)
    return DayWindow(summary=summary, slots=slots, checkins=by_day, burden=burden)
