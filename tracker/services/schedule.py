"""The dose schedule: the scheduled slots of local days and what was logged against them.

A light module (no ORM at import): Today reads its week of slots through a plain
connection; ``services.doses`` re-exports all of this for the writes that need slots
(logging a dose fills the nearest open one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from tracker.domain.schedule import SchedulePeriod, slots_between
from tracker.domain.timeutil import utc_now
from tracker.domain.units import times_from_text
from tracker.queries import doses as dose_queries
from tracker.queries import meds as med_queries
from tracker.queries.doses import DoseEventRow
from tracker.services.settings import user_zone
from tracker.store import Reads

MISSED_AFTER = timedelta(hours=6)  # DOMAIN.md R5


class ScheduledMedication(Protocol):
    """What the schedule needs of a medication: a plain row or an ORM ``Medication`` will do."""

    @property
    def id(self) -> int | None: ...

    @property
    def name(self) -> str: ...


@dataclass(frozen=True, slots=True)
class DoseSlot:
    """One scheduled dose of a day, with what was logged for it."""

    medication_id: int
    medication_name: str
    day: date
    local_time: time
    scheduled_for: datetime
    dose_mg: float
    status: str  # taken, skipped, due, missed, upcoming
    event_id: int | None = None
    taken_at: datetime | None = None
    amount_mg: float | None = None

    @property
    def is_open(self) -> bool:
        return self.status in ("due", "missed", "upcoming")


def slot_status(scheduled_for: datetime, event: DoseEventRow | None, now: datetime) -> str:
    """taken or skipped as logged (a logged "extra" in a slot counts as taken), else by the clock."""
    if event is not None:
        return event.status if event.status != "extra" else "taken"
    if now < scheduled_for:
        return "upcoming"
    if now - scheduled_for >= MISSED_AFTER:
        return "missed"
    return "due"


def slots_for_day(
    *, session: Reads, day: date, now: datetime | None = None, tz: ZoneInfo | None = None
) -> list[DoseSlot]:
    """Every scheduled dose of local ``day`` for active medications, in time order."""
    return slots_for_days(session=session, first=day, last=day, now=now, tz=tz)[day]


def slots_for_days(
    *,
    session: Reads,
    first: date,
    last: date,
    now: datetime | None = None,
    tz: ZoneInfo | None = None,
    medications: Sequence[ScheduledMedication] | None = None,
) -> dict[date, list[DoseSlot]]:
    """The slots of every local day from ``first`` to ``last`` (inclusive), each list in time order.

    Three queries whatever the range: the active medications (skipped when the caller
    passes them as ``medications``, in ``list_medications`` order), their prescriptions
    that overlap the range, and the scheduled doses logged in it. Which prescription is
    in force on a day (the latest-starting one if two overlap) and the slots it makes
    come from the shared rule, ``tracker.domain.schedule.slots_between``, as for the
    reminders and Trends; each slot gets the dose logged for it.
    """
    now = now or utc_now()
    tz = tz or user_zone(session=session)
    meds: list[ScheduledMedication] = (
        list(medications) if medications is not None else list(med_queries.list_medications(session=session))
    )
    names = {m.id or 0: m.name for m in meds}
    periods: list[SchedulePeriod] = []
    events: dict[tuple[date, int, datetime], DoseEventRow] = {}
    if names and first <= last:
        periods = [
            SchedulePeriod(
                p.medication_id, p.start_date, p.end_date, tuple(times_from_text(p.times)), p.dose_mg, p.id
            )
            for p in med_queries.prescriptions_overlapping(
                session=session, medication_ids=list(names), first=first, last=last
            )
        ]
        for e in dose_queries.scheduled_doses_between(session=session, first=first, last=last):
            if e.scheduled_for is not None:
                events[(e.day, e.medication_id, e.scheduled_for)] = e
    out: dict[date, list[DoseSlot]] = {}
    for day, slots in slots_between(periods, first, last, tz).items():
        found: list[DoseSlot] = []
        for slot in slots:
            event = events.get((day, slot.medication_id, slot.scheduled_for))
            found.append(
                DoseSlot(
                    medication_id=slot.medication_id,
                    medication_name=names[slot.medication_id],
                    day=day,
                    local_time=slot.local_time,
                    scheduled_for=slot.scheduled_for,
                    dose_mg=slot.prescription.dose_mg,
                    status=slot_status(slot.scheduled_for, event, now),
                    event_id=event.id if event else None,
                    taken_at=event.taken_at if event else None,
                    amount_mg=event.amount_mg if event else None,
                )
            )
        found.sort(key=lambda s: (s.scheduled_for, s.medication_name))
        out[day] = found
    return out
