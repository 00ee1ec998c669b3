"""The dose schedule: the scheduled slots of local days and what was logged against them.

A light module (no ORM at import): Today reads its week of slots through a plain
connection; ``services.doses`` re-exports all of this for the writes that need slots
(logging a dose fills the nearest open one).

Travel (DOMAIN.md): slots are expanded in the schedule zone (``settings.zones``): the
user's zone, or the home zone when schedules keep home time. A slot is shown on the
user's own calendar day of its instant: an 08:00 Tokyo dose is on the London evening
before, at 23:00. A logged dose matches its slot by ``scheduled_for`` (the UTC instant). Following
the user's zone, each day is expanded in the zone the user was in that day (the zone
history, ``settings.timeline``): a change of zone moves the slots of the days after it
only, so the doses logged before it keep filling theirs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from tracker.domain.schedule import (
    Micro,
    SchedulePeriod,
    ZoneTimeline,
    expected_dose,
    same_zone,
    slots_between,
)
from tracker.domain.timeutil import utc_now
from tracker.domain.units import times_from_text
from tracker.queries import doses as dose_queries
from tracker.queries import meds as med_queries
from tracker.queries import schedule as schedule_queries
from tracker.queries.doses import DoseEventRow
from tracker.services.settings import keeps_home, timeline, zones
from tracker.store import Reads

if TYPE_CHECKING:
    from tracker.domain.taper_micro import MicroTable

MISSED_AFTER = timedelta(hours=6)  # DOMAIN.md R5


def _micro_tables(found: Sequence[tuple[int, str | None, date | None, date]]) -> Mapping[int, MicroTable]:
    """{prescription id: its micro-step table} (D8). The taper code that reads them is imported
    only when a step has one: most days of most users have none, and ``log dose`` starts faster."""
    with_table = [row for row in found if row[1]]
    if not with_table:
        return {}
    from tracker.domain.taper_micro import tables_by_prescription

    return tables_by_prescription(with_table)


class ScheduledMedication(Protocol):
    """What the schedule needs of a medication: a plain row or an ORM ``Medication`` will do."""

    @property
    def id(self) -> int | None: ...

    @property
    def name(self) -> str: ...


@dataclass(frozen=True, slots=True)
class DoseSlot:
    """One scheduled dose of a day, with what was logged for it.

    ``local_time`` is the prescribed wall-clock time while the slot's day is in the zone
    the user is in; when the schedule keeps a home zone the user has left, or the day was
    lived in another zone (before a flight, the zone history), it is the slot's time on
    the user's own clock (an 08:00 London dose shows as 03:00 in New York in winter), as
    the reminders show it.
    """

    medication_id: int
    medication_name: str
    day: date  # the local day of the schedule zone the slot was expanded for
    local_time: time  # the time shown: as prescribed, or the slot's time where the user is (see below)
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
    that overlap the range together with the settings saying which zone they follow,
    and the scheduled doses logged in it. Which prescription is in force on a day (the
    latest-starting one if two overlap) and the slots it makes come from the shared
    rule, ``tracker.domain.schedule.slots_between``, as for the reminders and Trends;
    each slot gets the dose logged for it.

    ``tz`` is the user's zone (default: the ``timezone`` setting). The days are expanded
    in the schedule zone: the home zone when schedules keep home time, else the zone of
    the user's zone history in force on each day (``settings.timeline``; days from the
    last change on: ``tz``), so travel does not move the slots of days already lived.
    """
    now = now or utc_now()
    meds: list[ScheduledMedication] = (
        list(medications) if medications is not None else list(med_queries.list_medications(session=session))
    )
    names = {m.id or 0: m.name for m in meds}
    periods: list[SchedulePeriod] = []
    micro: Micro = {}
    events: dict[tuple[int, datetime], DoseEventRow] = {}
    here = tz or ZoneInfo("UTC")  # no slot is made without the query below, which sets both
    days = ZoneTimeline(here)
    keep_home = False
    # A day's slots on the user's calendar can come from the home day before or after it
    # (08:00 in Tokyo is 23:00 the evening before in London), so one day more is read on
    # each side; the logged doses are matched by their instant.
    before, after = first - timedelta(days=1), last + timedelta(days=1)
    if names and first <= last:
        rows, stored, micro_rows = schedule_queries.prescriptions_zone_settings_and_micro(
            session=session, medication_ids=list(names), first=before, last=after
        )
        micro = _micro_tables(micro_rows)  # D8: the day's row is the dose of the day
        here = zones(stored, current=tz)[0]
        days = timeline(stored, current=tz, now=now)
        keep_home = keeps_home(stored)
        periods = [
            SchedulePeriod(
                p.medication_id, p.start_date, p.end_date, tuple(times_from_text(p.times)), p.dose_mg, p.id
            )
            for p in rows
        ]
        for e in dose_queries.scheduled_doses_between(session=session, first=before, last=after):
            if e.scheduled_for is not None:
                events[(e.medication_id, e.scheduled_for)] = e
    out: dict[date, list[DoseSlot]] = {}
    day = first
    while day <= last:
        out[day] = []
        day += timedelta(days=1)
    expanded = (
        slots_between(periods, before, after, days, micro)
        if keep_home
        else slots_between(periods, first, last, days, micro)
    )
    for day, slots in expanded.items():
        # a day in a zone the user is not in now (home time, or before a flight): their own clock
        away = not same_zone(days.zone_on(day), here)
        for slot in slots:
            # Home time: a slot belongs to the user's own day of its instant. Otherwise each day
            # was expanded in the zone the user was in that day, which is that same day.
            shown_on = slot.scheduled_for.astimezone(here).date() if keep_home else day
            if shown_on not in out:
                continue
            event = events.get((slot.medication_id, slot.scheduled_for))
            out[shown_on].append(
                DoseSlot(
                    medication_id=slot.medication_id,
                    medication_name=names[slot.medication_id],
                    day=shown_on,
                    local_time=slot.scheduled_for.astimezone(here).time() if away else slot.local_time,
                    scheduled_for=slot.scheduled_for,
                    dose_mg=expected_dose(slot, slot.prescription.dose_mg),
                    status=slot_status(slot.scheduled_for, event, now),
                    event_id=event.id if event else None,
                    taken_at=event.taken_at if event else None,
                    amount_mg=event.amount_mg if event else None,
                )
            )
    for found in out.values():
        found.sort(key=lambda s: (s.scheduled_for, s.medication_name))
    return out
