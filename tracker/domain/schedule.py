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
zone (the user's, or the home zone when schedules keep home time while travelling).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Generic, Protocol, TypeVar
from zoneinfo import ZoneInfo

from tracker.domain.timeutil import local_to_utc

__all__ = [
    "Period",
    "SchedulePeriod",
    "Slot",
    "by_medication",
    "covers",
    "day_slots",
    "in_force",
    "in_force_on",
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


def _expand(grouped: dict[int, list[P]], day: date, tz: ZoneInfo) -> list[Slot[P]]:
    slots: list[Slot[P]] = []
    for medication_id, own in grouped.items():
        chosen = in_force_on(own, day)
        if chosen is None:
            continue
        for at in chosen.times:
            slots.append(Slot(medication_id, day, at, local_to_utc(day, at, tz), chosen))
    slots.sort(key=lambda s: (s.scheduled_for, s.medication_id))
    return slots


def day_slots(periods: Iterable[P], day: date, tz: ZoneInfo) -> list[Slot[P]]:
    """The slots of local ``day`` in ``tz``: each medication's prescription in force, every time of it.

    In time order (then by medication). A time listed twice makes two slots.
    """
    return _expand(by_medication(periods), day, tz)


def slots_between(periods: Iterable[P], first: date, last: date, tz: ZoneInfo) -> dict[date, list[Slot[P]]]:
    """``day_slots`` of every local day from ``first`` to ``last`` inclusive (empty days included)."""
    grouped = by_medication(periods)
    out: dict[date, list[Slot[P]]] = {}
    day = first
    while day <= last:
        out[day] = _expand(grouped, day, tz)
        day += timedelta(days=1)
    return out
