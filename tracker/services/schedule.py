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

from tracker.domain.timeutil import local_to_utc, utc_now
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
    that overlap the range, and the scheduled doses logged in it. Each day has the
    prescription in force that day (the latest-starting one if two overlap) and the
    dose logged for each of its times.
    """
    now = now or utc_now()
    tz = tz or user_zone(session=session)
    meds: list[ScheduledMedication] = (
        list(medications) if medications is not None else list(med_queries.list_medications(session=session))
    )
    ids = [m.id or 0 for m in meds]
    by_med: dict[int, list[med_queries.PrescriptionRow]] = {}
    events: dict[tuple[date, int, datetime], DoseEventRow] = {}
    if ids and first <= last:
        for period in med_queries.prescriptions_overlapping(
            session=session, medication_ids=ids, first=first, last=last
        ):
            by_med.setdefault(period.medication_id, []).append(period)
        for e in dose_queries.scheduled_doses_between(session=session, first=first, last=last):
            if e.scheduled_for is not None:
                events[(e.day, e.medication_id, e.scheduled_for)] = e
    times: dict[int, list[time]] = {}  # parsed once per prescription, not once per day
    out: dict[date, list[DoseSlot]] = {}
    day = first
    while day <= last:
        slots: list[DoseSlot] = []
        for med in meds:
            med_id = med.id or 0
            rx = next(
                (
                    p
                    for p in by_med.get(med_id, ())
                    if p.start_date <= day and (p.end_date is None or p.end_date >= day)
                ),
                None,
            )
            if rx is None:
                continue
            rx_times = times.get(rx.id)
            if rx_times is None:
                rx_times = times[rx.id] = times_from_text(rx.times)
            for t in rx_times:
                when = local_to_utc(day, t, tz)
                event = events.get((day, med_id, when))
                slots.append(
                    DoseSlot(
                        medication_id=med_id,
                        medication_name=med.name,
                        day=day,
                        local_time=t,
                        scheduled_for=when,
                        dose_mg=rx.dose_mg,
                        status=slot_status(when, event, now),
                        event_id=event.id if event else None,
                        taken_at=event.taken_at if event else None,
                        amount_mg=event.amount_mg if event else None,
                    )
                )
        slots.sort(key=lambda s: (s.scheduled_for, s.medication_name))
        out[day] = slots
        day += timedelta(days=1)
    return out
