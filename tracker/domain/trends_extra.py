"""Pure helpers the Trends screen needs beyond tracker.domain.trends.

Scheduled slots of many days at once (the same daylight-saving rules as
``timeutil.local_to_utc``, but without its per-call probing on ordinary days), with
the prescription in force on each day chosen by the shared rule of
``tracker.domain.schedule`` (re-exported here: ``SchedulePeriod``, ``in_force``), and
the shapes a chart needs: runs of logged days, step-line vertices and date ticks.
No I/O, no clock reads.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tracker.domain.schedule import SchedulePeriod, ZoneTimeline, by_medication, in_force
from tracker.domain.timeutil import local_to_utc
from tracker.domain.trends import ScheduledSlot

__all__ = [
    "SchedulePeriod",
    "SlotBlock",
    "ZoneTimeline",
    "date_ticks",
    "downsample",
    "in_force",
    "logged_runs",
    "scheduled_slots",
    "slot_blocks",
    "step_points",
]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _midnight_offset(day: date, tz: ZoneInfo) -> timedelta | None:
    """UTC offset in force at the start of local ``day`` (a missing midnight counts as before the jump)."""
    return tz.utcoffset(datetime.combine(day, time(0, 0)))


@dataclass(frozen=True, slots=True)
class SlotBlock:
    """The scheduled doses of one medication on consecutive local days of one ISO week.

    Every day of the block has the same prescribed ``times`` (sorted). ``offset`` is the UTC
    offset in force all through each day of the block, so a slot is its wall time minus
    ``offset``; None marks a single day that holds a daylight-saving transition, whose slots
    follow ``local_to_utc`` (a time in the gap moves after it, an ambiguous one is the first).
    Blocks let a caller count a regular stretch of days in SQL and expand only a few to slots.
    ``zone`` is the zone the block's days are expanded in (``slot_blocks`` sets it; a block
    never spans a change of zone); it does not take part in comparisons.
    """

    medication_id: int
    first: date
    last: date
    times: tuple[time, ...]
    offset: timedelta | None
    zone: ZoneInfo | None = field(default=None, compare=False)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def slot_count(self) -> int:
        """Scheduled doses in the block (a time listed twice counts twice, as in ``scheduled_slots``)."""
        return self.days * len(self.times)

    def utc_range(self) -> tuple[datetime, datetime] | None:
        """[start, end) in UTC of the block's local days when the offset is fixed; None on a transition day.

        Every slot of the block lies in this range, and an instant in it is one of the slots
        exactly when its wall time (instant plus ``offset``) is one of ``times``.
        """
        if self.offset is None:
            return None
        start = datetime.combine(self.first, time(0, 0), UTC) - self.offset
        return start, start + timedelta(days=self.days)

    def split_after(self, day: date) -> tuple[SlotBlock | None, SlotBlock | None]:
        """The block's days up to ``day`` and those after it (None where a part is empty)."""
        if day >= self.last:
            return self, None
        if day < self.first:
            return None, self
        after = day + timedelta(days=1)
        return (
            SlotBlock(self.medication_id, self.first, day, self.times, self.offset, self.zone),
            SlotBlock(self.medication_id, after, self.last, self.times, self.offset, self.zone),
        )

    def slots(self, tz: ZoneInfo | None = None) -> list[ScheduledSlot]:
        """The block's slots in time order (day by day, then by time), in its ``zone`` (else ``tz``)."""
        medication_id, times, offset = self.medication_id, self.times, self.offset
        zone = self.zone or tz
        if offset is None and zone is None:
            raise ValueError("a block holding a daylight-saving change needs its zone")
        out: list[ScheduledSlot] = []
        for ordinal in range(self.first.toordinal(), self.last.toordinal() + 1):
            day = date.fromordinal(ordinal)
            if offset is not None:
                out += [ScheduledSlot(medication_id, datetime.combine(day, at, UTC) - offset) for at in times]
            else:
                assert zone is not None  # checked above
                out += [ScheduledSlot(medication_id, local_to_utc(day, at, zone)) for at in times]
        return out


def _segments(start: date, end: date, tz: ZoneInfo) -> list[tuple[int, int, timedelta | None]]:
    """[start, end] as (first ordinal, last ordinal, offset) runs: one offset all day, within one ISO week.

    A day whose midnight offset equals the next day's holds no transition (zones change at
    most once a day), so its slots are the wall time minus that offset; any other day is a
    run of its own with offset None. One zone lookup per day: ten years take a millisecond.
    """
    first, last = start.toordinal(), end.toordinal()
    offsets = [_midnight_offset(date.fromordinal(o), tz) for o in range(first, last + 2)]
    runs: list[tuple[int, int, timedelta | None]] = []
    run_first, run_offset = first, None
    for ordinal in range(first, last + 1):
        here = offsets[ordinal - first]
        offset = here if here is not None and here == offsets[ordinal - first + 1] else None
        # Ordinal 1 (1 January of year 1) was a Monday: a week starts where (ordinal - 1) % 7 == 0.
        if ordinal > run_first and (offset is None or offset != run_offset or (ordinal - 1) % 7 == 0):
            runs.append((run_first, ordinal - 1, run_offset))
            run_first = ordinal
        if ordinal == run_first:
            run_offset = offset
        if offset is None:
            runs.append((ordinal, ordinal, None))
            run_first = ordinal + 1
    if run_first <= last:
        runs.append((run_first, last, run_offset))
    return runs


def slot_blocks(
    periods: Iterable[SchedulePeriod], start: date, end: date, tz: ZoneInfo | ZoneTimeline
) -> list[SlotBlock]:
    """Every scheduled dose from local ``start`` to ``end`` inclusive, as blocks (see ``SlotBlock``).

    Per medication (in the order met), blocks follow each other in time; together they hold
    exactly the slots of ``scheduled_slots``, which expands them. The prescription in force
    on each day is the shared rule's (``schedule.in_force``: the latest start wins, as in
    ``schedule.day_slots``); days covered by none hold no block. With a timeline, blocks
    also split where the zone changes, each holding its days' zone.
    """
    if end < start:
        return []
    segments: list[tuple[int, int, timedelta | None, ZoneInfo]] = [
        (first, last, offset, zone)
        for span_first, span_last, zone in ZoneTimeline.of(tz).spans(start, end)
        for first, last, offset in _segments(span_first, span_last, zone)
    ]
    seg_firsts = [first for first, _, _, _ in segments]
    blocks: list[SlotBlock] = []
    for medication_id, own in by_medication(periods).items():
        for span_first, span_last, period in in_force(own, start, end):
            times = tuple(sorted(period.times))
            lo, hi = span_first.toordinal(), span_last.toordinal()
            index = bisect_right(seg_firsts, lo) - 1
            while index < len(segments) and segments[index][0] <= hi:
                seg_first, seg_last, offset, zone = segments[index]
                first, last = max(seg_first, lo), min(seg_last, hi)
                blocks.append(
                    SlotBlock(
                        medication_id, date.fromordinal(first), date.fromordinal(last), times, offset, zone
                    )
                )
                index += 1
    return blocks


def scheduled_slots(
    periods: Iterable[SchedulePeriod], start: date, end: date, tz: ZoneInfo | ZoneTimeline
) -> list[ScheduledSlot]:
    """Every scheduled dose from local ``start`` to ``end`` inclusive, in time order per medication.

    One slot per prescribed time per local day, following DOMAIN.md's time rules
    (``local_to_utc``): a time in a spring-forward gap moves to the first valid minute
    after it, an ambiguous fall-back time means its first occurrence. A day whose
    midnight offset equals the next day's holds no transition, so its slots are the wall
    time minus that offset, the same instant ``local_to_utc`` gives without its probing;
    the few days around a transition take the exact path. Ten years of three daily doses
    then take milliseconds, not a noticeable pause.
    """
    slots: list[ScheduledSlot] = []
    for block in slot_blocks(periods, start, end, tz):
        slots += block.slots()
    return slots


def logged_runs(series: Sequence[float | None]) -> list[tuple[int, list[float]]]:
    """Runs of consecutive logged values as (index of the first, values), so a chart leaves gaps."""
    runs: list[tuple[int, list[float]]] = []
    current: list[float] | None = None
    for index, value in enumerate(series):
        if value is None:
            current = None
            continue
        if current is None:
            current = []
            runs.append((index, current))
        current.append(value)
    return runs


def step_points(
    segments: Sequence[tuple[date, float]], start: date, end: date
) -> tuple[list[float], list[float]]:
    """Vertices of a step line over day indices 0..(end - start) from ``dose_segments`` output.

    Each dose holds from its first day to the day before the next change; the x of day
    ``d`` is ``(d - start).days``, and the line runs to the end of the last day (x + 1),
    so a one-day range still draws a flat segment. Before the first segment the dose is 0.
    """
    last_x = float((end - start).days + 1)
    level = 0.0
    for day, mg in segments:
        if day <= start:
            level = mg
    xs: list[float] = [0.0]
    ys: list[float] = [level]
    for day, mg in segments:
        if start < day <= end:
            x = float((day - start).days)
            xs += [x, x]
            ys += [level, mg]
            level = mg
    xs.append(last_x)
    ys.append(level)
    return xs, ys


def _label(day: date, long_range: bool) -> str:
    if long_range:
        return f"{_MONTHS[day.month - 1]} {day.year % 100:02d}"
    return f"{day.day} {_MONTHS[day.month - 1]}"


def date_ticks(start: date, end: date, count: int) -> list[tuple[int, str]]:
    """At most ``count`` (day index, label) ticks for a date axis from ``start`` to ``end``.

    Ranges over about 120 days tick on the first of a month ("Mar 26"), shorter ones on
    evenly spaced days ("3 Mar"); ticks keep clear of each other so labels never overlap.
    """
    days = (end - start).days + 1
    count = max(1, count)
    if days > 120:
        firsts: list[date] = []
        month = date(start.year, start.month, 1)
        while month <= end:
            if month >= start:
                firsts.append(month)
            month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        every = max(1, -(-len(firsts) // count))
        # Keep January (or the first month) in step so yearly ticks land on the same months.
        chosen = [day for index, day in enumerate(firsts) if index % every == 0]
        return [((day - start).days, _label(day, True)) for day in chosen]
    if days == 1:
        return [(0, _label(start, False))]
    step = max(1, -(-(days - 1) // max(1, count - 1)))
    return [(index, _label(start + timedelta(days=index), False)) for index in range(0, days, step)]


def downsample(series: Sequence[float | None], max_points: int) -> tuple[int, list[float | None]]:
    """Means of consecutive ``k``-day bins so at most ``max_points`` remain; returns (k, bins).

    A chart cannot show more points than it has (sub)cells, and drawing ten years day by
    day costs a noticeable pause for nothing. Gaps stay gaps: a bin with no logged day is
    None, and a bin's mean counts only its logged days. ``k`` is 1 when nothing is merged.
    """
    if max_points < 1:
        raise ValueError("max_points must be at least 1")
    k = max(1, -(-len(series) // max_points))
    if k == 1:
        return 1, list(series)
    bins: list[float | None] = []
    for first in range(0, len(series), k):
        logged = [value for value in series[first : first + k] if value is not None]
        bins.append(sum(logged) / len(logged) if logged else None)
    return k, bins
