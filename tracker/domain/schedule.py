"""The one schedule rule: which prescription is in force on a day, and the dose slots it makes.

Today, ``tracker status``, the reminder rules and the Trends adherence all expand
prescriptions into dose slots through this module, so they always agree. Per
medication, of the prescriptions covering a local day, the one that started last is
in force; on equal starts the one with the highest id, then the later one in the
sequence given. (``set_prescription`` closes the previous period, so overlaps only come
from imports or edits; they never add up.) Its local wall-clock times become UTC
instants through ``timeutil.local_to_utc`` (DOMAIN.md "Time": a time in the
spring-forward gap moves to the first valid minute after it, an ambiguous fall-back
time is its first occurrence).

A slot belongs to the local day of the zone it was expanded in: the caller picks that
zone (the user's, or the home zone when schedules keep home time while travelling), or a
``ZoneTimeline`` saying which zone each day was lived in. A user whose schedule follows
the zone they are in keeps a timeline: after a flight or a move only the days from the
change on are expanded in the new zone, so the doses logged before still fill the slots
they were logged against (none turns into a false missed dose).

A micro-step table (DOMAIN.md D8, ``tracker.domain.taper_micro``) sets the dose of each
day while the prescription its step started is in force: callers pass the tables by
prescription id, and a slot's ``expected_mg`` is then the day's row split evenly over the
prescription's times (every intake of a prescription has the same dose); a day whose row
is 0 mg has no slots. ``expected_dose`` is the one place a slot's dose is read from.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import repeat
from operator import attrgetter
from typing import Any, Generic, Protocol, TypeVar
from zoneinfo import ZoneInfo

from tracker.domain.timeutil import local_day, local_to_utc

__all__ = [
    "DailyDoses",
    "Micro",
    "Period",
    "SchedulePeriod",
    "Slot",
    "ZoneTimeline",
    "by_medication",
    "covers",
    "day_slots",
    "expected_dose",
    "in_force",
    "in_force_on",
    "same_zone",
    "slot_times",
    "slots_between",
]


class Period(Protocol):
    """What the rule reads of a prescription (``SchedulePeriod``, reminders' ``PrescriptionInfo``)."""

    @property
    def medication_id(self) -> int: ...

    @property
    def start(self) -> date: ...

    @property
    def end(self) -> date | None: ...  # inclusive; None while current

    @property
    def times(self) -> tuple[time, ...]: ...  # local wall-clock times of the intakes

    @property
    def id(self) -> int: ...  # breaks ties between equal starts (0 when unknown)


P = TypeVar("P", bound=Period)


class DailyDoses(Protocol):
    """What the rule reads of a micro-step table: the daily dose it sets on a local day, or None."""

    def daily_mg_on(self, day: date) -> float | None: ...


Micro = Mapping[int, DailyDoses]  # prescription id -> its step's table


@dataclass(frozen=True, slots=True)
class SchedulePeriod:
    """One prescription of one medication: local wall-clock ``times`` from ``start`` to ``end`` inclusive.

    ``dose_mg`` is per intake (0 where the caller only counts slots); ``id`` is the stored
    prescription's id, used only to break ties between equal starts.
    """

    medication_id: int
    start: date
    end: date | None
    times: tuple[time, ...]
    dose_mg: float = 0.0
    id: int = 0


@dataclass(frozen=True, slots=True)
class Slot(Generic[P]):
    """One scheduled intake: the prescribed wall-clock ``local_time`` of ``day``, as a UTC instant."""

    medication_id: int
    day: date  # the local day of the zone the slot was expanded in
    local_time: time  # as prescribed (``scheduled_for`` may differ in a spring-forward gap)
    scheduled_for: datetime  # aware UTC
    prescription: P
    expected_mg: float | None = None  # the micro-step table's dose for this intake (D8), else None


def expected_dose(slot: Slot[Any], prescribed_mg: float) -> float:
    """The dose a slot expects: its micro-step row's share where a table runs, else ``prescribed_mg``
    (the prescription's per-intake dose)."""
    return prescribed_mg if slot.expected_mg is None else slot.expected_mg


def same_zone(a: ZoneInfo, b: ZoneInfo) -> bool:
    """True when ``a`` and ``b`` are the same IANA zone (ZoneInfo instances need not be shared)."""
    return a is b or (a.key is not None and a.key == b.key)


@dataclass(frozen=True, slots=True)
class ZoneTimeline:
    """Which zone each local day's dose slots are expanded in: ``first``, then each change from its day on.

    ``changes`` holds (first local day, zone) pairs in ascending day order; a change is in
    force from its day (inclusive) until the next one. Build it with ``changed`` so every
    change really changes the zone. A day belongs to the zone in force on it, so a change
    made during a day (a flight) takes effect the next day: the day of travel keeps the
    old zone's slots, the ones its doses were already logged against.
    """

    first: ZoneInfo
    changes: tuple[tuple[date, ZoneInfo], ...] = ()

    @staticmethod
    def of(tz: ZoneInfo | ZoneTimeline) -> ZoneTimeline:
        """``tz`` as a timeline (a single zone is a timeline without changes)."""
        return tz if isinstance(tz, ZoneTimeline) else ZoneTimeline(tz)

    @property
    def latest(self) -> ZoneInfo:
        """The zone of the last change (``first`` without changes): the one days from now on follow."""
        return self.changes[-1][1] if self.changes else self.first

    @property
    def zones(self) -> tuple[ZoneInfo, ...]:
        """Every zone of the timeline once, oldest first."""
        out: list[ZoneInfo] = []
        for zone in (self.first, *(zone for _, zone in self.changes)):
            if not any(same_zone(zone, seen) for seen in out):
                out.append(zone)
        return tuple(out)

    def zone_on(self, day: date) -> ZoneInfo:
        """The zone local ``day`` is expanded in."""
        index = bisect_right([start for start, _ in self.changes], day)
        return self.changes[index - 1][1] if index else self.first

    def spans(self, first: date, last: date) -> list[tuple[date, date, ZoneInfo]]:
        """[first, last] as (first day, last day, zone) runs of one zone, in order (empty if last < first)."""
        if last < first:
            return []
        out: list[tuple[date, date, ZoneInfo]] = []
        start, zone = first, self.zone_on(first)
        for change_day, change_zone in self.changes:
            if change_day <= first:
                continue
            if change_day > last:
                break
            out.append((start, change_day - timedelta(days=1), zone))
            start, zone = change_day, change_zone
        out.append((start, last, zone))
        return out

    def day_of(self, moment: datetime) -> date:
        """The local day an instant's slot belongs to: a day of some zone that is in force on that day.

        Tried from the latest zone back. Around a change an instant may belong to no day (a
        change eastwards skips the hours between the old zone's midnight and the new one's);
        it then takes its day in the zone in force on its latest-zone day.
        """
        for zone in reversed(self.zones):
            day = local_day(moment, zone)
            if same_zone(self.zone_on(day), zone):
                return day
        return local_day(moment, self.zone_on(local_day(moment, self.latest)))

    def changed(self, day: date, zone: ZoneInfo) -> ZoneTimeline:
        """This timeline with ``zone`` in force from ``day`` on.

        Changes from ``day`` on are superseded (two changes in one day: the last counts), and
        nothing is added when ``zone`` is already the zone of the day before (a change back).
        """
        kept = tuple((start, z) for start, z in self.changes if start < day)
        before = kept[-1][1] if kept else self.first
        if same_zone(before, zone):
            return ZoneTimeline(self.first, kept)
        return ZoneTimeline(self.first, (*kept, (day, zone)))

    def with_latest(self, zone: ZoneInfo) -> ZoneTimeline:
        """This timeline with its latest zone replaced by ``zone`` (the one the settings hold now)."""
        if not self.changes:
            return ZoneTimeline(zone)
        last_day, _ = self.changes[-1]
        return ZoneTimeline(self.first, self.changes[:-1]).changed(last_day, zone)

    def known_at(self, now: datetime) -> ZoneTimeline:
        """The changes already made at ``now``: one takes effect the day after it is made, so a change
        whose day is later than the day after ``now`` (in its zone) is left out."""
        kept = tuple(
            (start, z) for start, z in self.changes if start <= local_day(now, z) + timedelta(days=1)
        )
        return self if len(kept) == len(self.changes) else ZoneTimeline(self.first, kept)


def covers(period: Period, day: date) -> bool:
    """True when ``period`` is in force on local ``day`` (ignoring any overlap)."""
    return period.start <= day and (period.end is None or day <= period.end)


def in_force_on(periods: Sequence[P], day: date) -> P | None:
    """The prescription in force on ``day`` among ``periods`` of ONE medication, or None.

    The latest start wins; on equal starts the highest id, then the later in ``periods``.
    """
    best: P | None = None
    best_key: tuple[date, int, int] | None = None
    for index, period in enumerate(periods):
        if not covers(period, day):
            continue
        key = (period.start, period.id, index)
        if best_key is None or key > best_key:
            best, best_key = period, key
    return best


def by_medication(periods: Iterable[P]) -> dict[int, list[P]]:
    """``periods`` grouped by medication, each group in the order given (medications as met)."""
    grouped: dict[int, list[P]] = {}
    for period in periods:
        grouped.setdefault(period.medication_id, []).append(period)
    return grouped


def in_force(periods: Sequence[P], start: date, end: date) -> list[tuple[date, date, P]]:
    """The prescription in force on each day of [start, end], as (first day, last day, period) spans.

    ``in_force_on`` decides; it is asked only where a period starts or ends, since the
    choice cannot change between those days. Days covered by no period are left out. Pass
    the periods of one medication only.
    """
    if end < start:
        return []
    points: set[date] = {start}
    for period in periods:
        if start <= period.start <= end:
            points.add(period.start)
        if period.end is not None and start <= period.end + timedelta(days=1) <= end:
            points.add(period.end + timedelta(days=1))
    ordered = sorted(points)
    spans: list[tuple[date, date, P]] = []
    for position, point in enumerate(ordered):
        last = ordered[position + 1] - timedelta(days=1) if position + 1 < len(ordered) else end
        chosen = in_force_on(periods, point)
        if chosen is not None:
            spans.append((point, last, chosen))
    return spans


def _expand(
    grouped: dict[int, list[P]], day: date, tz: ZoneInfo, micro: Micro | None = None
) -> list[Slot[P]]:
    """The slots of local ``day`` expanded in ``tz`` (one zone: the caller picked it)."""
    slots: list[Slot[P]] = []
    for medication_id, own in grouped.items():
        chosen = in_force_on(own, day)
        if chosen is None:
            continue
        per: float | None = None
        table = micro.get(chosen.id) if micro and chosen.id else None
        daily = table.daily_mg_on(day) if table is not None else None
        if daily is not None:
            if daily <= 1e-9:
                continue  # the table's row is 0 mg: no dose is expected that day
            per = daily / max(len(chosen.times), 1)
        for at in chosen.times:
            slots.append(Slot(medication_id, day, at, local_to_utc(day, at, tz), chosen, per))
    slots.sort(key=lambda s: (s.scheduled_for, s.medication_id))
    return slots


def day_slots(
    periods: Iterable[P], day: date, tz: ZoneInfo | ZoneTimeline, micro: Micro | None = None
) -> list[Slot[P]]:
    """The slots of local ``day`` in ``tz`` (or the zone a timeline has on it): each medication's
    prescription in force, every time of it.

    In time order (then by medication). A time listed twice makes two slots.
    """
    zone = tz.zone_on(day) if isinstance(tz, ZoneTimeline) else tz
    return _expand(by_medication(periods), day, zone, micro)


def slots_between(
    periods: Iterable[P],
    first: date,
    last: date,
    tz: ZoneInfo | ZoneTimeline,
    micro: Micro | None = None,
) -> dict[date, list[Slot[P]]]:
    """``day_slots`` of every local day from ``first`` to ``last`` inclusive (empty days included).

    With a timeline each day is expanded in the zone in force on it. ``micro`` holds the
    micro-step tables by prescription id: on the days their prescription is in force, the
    table's row is the dose of the day. Built in bulk (``_expanded``), slot for slot what
    ``day_slots`` gives day by day.
    """
    out: dict[date, list[Slot[P]]] = {
        date.fromordinal(ordinal): [] for ordinal in range(first.toordinal(), last.toordinal() + 1)
    }
    for medication_id, chosen, days, per, instants in _expanded(
        by_medication(periods), first, last, tz, micro
    ):
        times = chosen.times
        for index, day in enumerate(days):
            slots, mg = out[day], per[index]
            for at, moments in zip(times, instants, strict=True):
                slots.append(Slot(medication_id, day, at, moments[index], chosen, mg))
    for slots in out.values():
        if len(slots) > 1:
            slots.sort(key=_slot_order)  # _expand's order: by instant, then medication
    return out


def slot_times(
    periods: Iterable[P],
    first: date,
    last: date,
    tz: ZoneInfo | ZoneTimeline,
    micro: Micro | None = None,
) -> list[tuple[int, datetime]]:
    """(medication, UTC instant) of every slot ``slots_between`` gives, in its order (day by day).

    For callers that need only when each dose was due (the summary's adherence over decades):
    the same rule, without building a ``Slot`` per intake.
    """
    # (day, instant, medication) sorts as slots_between orders them: by day, then within the day
    # by instant and medication (slots equal in all three are the same pair, in any order).
    found: list[tuple[date, datetime, int]] = []
    for medication_id, _, days, _, instants in _expanded(by_medication(periods), first, last, tz, micro):
        for moments in instants:
            found.extend(zip(days, moments, repeat(medication_id)))
    found.sort()
    return [(medication_id, moment) for _, moment, medication_id in found]


_slot_order = attrgetter("scheduled_for", "medication_id")


def _expanded(
    grouped: dict[int, list[P]],
    first: date,
    last: date,
    tz: ZoneInfo | ZoneTimeline,
    micro: Micro | None,
) -> Iterator[tuple[int, P, list[date], list[float | None], list[list[datetime]]]]:
    """What ``_expand`` gives the days of [first, last], a stretch at a time: (medication,
    prescription, its days, the mg per intake of each day, for each of its times the instant on
    each day), by zone span, then medication, then stretch.

    The prescription in force is found once per stretch between two period boundaries
    (``in_force``); a day whose micro-step row is 0 mg is left out of the stretch's days. Within
    one zone span the medications come in ``grouped`` order, so each day's slots meet in the
    order ``_expand`` builds them.
    """
    for span_first, span_last, zone in ZoneTimeline.of(tz).spans(first, last):
        for medication_id, own in grouped.items():
            for run_first, run_last, chosen in in_force(own, span_first, span_last):
                days = [date.fromordinal(o) for o in range(run_first.toordinal(), run_last.toordinal() + 1)]
                table = micro.get(chosen.id) if micro and chosen.id else None
                per: list[float | None] = [None] * len(days)
                if table is not None:
                    intakes = max(len(chosen.times), 1)
                    kept: list[date] = []
                    per = []
                    for day in days:
                        daily = table.daily_mg_on(day)
                        if daily is None or daily > 1e-9:  # a 0 mg row: no dose is expected that day
                            kept.append(day)
                            per.append(None if daily is None else daily / intakes)
                    days = kept
                if days:
                    yield medication_id, chosen, days, per, [_instants(at, days, zone) for at in chosen.times]


def _instants(at: time, days: Sequence[date], zone: ZoneInfo) -> list[datetime]:
    """The UTC instant of wall-clock ``at`` on each of ``days`` (ascending) in ``zone``: each exactly
    ``local_to_utc``'s (the gap and fold rules included), without its cost on most days.

    A day's instant is tried as the last exact one (its wall clock the time asked, a first
    occurrence) plus the days between: when the zone's UTC offset there is still that one's and
    the instant is a first occurrence, its wall clock is ``at`` on the new day, so it is the
    instant ``local_to_utc`` gives. Otherwise (the offset changed between) ``local_to_utc``
    decides, and its answer is the next base only if its wall clock is ``at`` (not moved out
    of a spring-forward gap).
    """
    at = at.replace(tzinfo=None, fold=0)  # as local_to_utc reads it
    out: list[datetime] = []
    append = out.append
    base: datetime | None = None
    base_day = date.min
    offset: timedelta | None = None
    for day in days:
        if base is not None:
            moment = base + (day - base_day)
            local = moment.astimezone(zone)
            if not local.fold and local.utcoffset() == offset:
                append(moment)
                continue
        moment = local_to_utc(day, at, zone)
        local = moment.astimezone(zone)
        if local.replace(tzinfo=None) == datetime.combine(day, at):  # not moved out of a gap
            base, base_day, offset = moment, day, local.utcoffset()
        else:
            base = None
        append(moment)
    return out
