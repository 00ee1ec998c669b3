"""``slots_between`` and ``slot_times`` build decades of slots in bulk: they must give, slot for slot,
what the per-day rule (``day_slots``) gives each day.

The cases are the ones where a bulk shortcut could go wrong: daylight-saving changes (a time
inside the spring-forward gap, an ambiguous fall-back time), a zone timeline (travel, a
half-hour DST zone, a day skipped by a date-line move), micro-step tables with 0 mg days,
overlapping prescriptions, a time listed twice or out of order, and open-ended prescriptions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tracker.domain.schedule import (
    DailyDoses,
    SchedulePeriod,
    Slot,
    ZoneTimeline,
    day_slots,
    slot_times,
    slots_between,
)

LONDON = ZoneInfo("Europe/London")  # 2026: BST from 01:00 UTC 29 March to 01:00 UTC 25 October
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # DST moves the clock by 30 minutes
APIA = ZoneInfo("Pacific/Apia")  # skipped Friday 30 December 2011 (UTC-10 to UTC+14)


class Table:
    """A micro-step table (``DailyDoses``): the daily dose of the days it lists, None on the others."""

    def __init__(self, doses: Mapping[date, float]) -> None:
        self.doses = dict(doses)

    def daily_mg_on(self, day: date) -> float | None:
        return self.doses.get(day)


def per_day(
    periods: list[SchedulePeriod],
    first: date,
    last: date,
    tz: ZoneInfo | ZoneTimeline,
    micro: Mapping[int, DailyDoses] | None = None,
) -> dict[date, list[Slot[SchedulePeriod]]]:
    """The rule day by day, as ``day_slots`` applies it (no bulk path)."""
    out: dict[date, list[Slot[SchedulePeriod]]] = {}
    day = first
    while day <= last:
        out[day] = list(day_slots(periods, day, tz, micro))
        day += timedelta(days=1)
    return out


def assert_same(
    periods: list[SchedulePeriod],
    first: date,
    last: date,
    tz: ZoneInfo | ZoneTimeline,
    micro: Mapping[int, DailyDoses] | None = None,
) -> int:
    expected = per_day(periods, first, last, tz, micro)
    bulk = slots_between(periods, first, last, tz, micro)
    assert list(bulk) == list(expected)  # every day, empty ones included, in order
    for day, slots in expected.items():
        assert bulk[day] == slots, day
    flat = [(s.medication_id, s.scheduled_for) for slots in expected.values() for s in slots]
    assert slot_times(periods, first, last, tz, micro) == flat
    return len(flat)


def test_a_year_of_london_with_gap_and_fold_times_overlaps_and_open_ends() -> None:
    periods = [
        # open-ended, a time in the spring-forward gap (01:30) and the ambiguous fall-back one
        SchedulePeriod(1, date(2025, 11, 1), None, (time(1, 30), time(8), time(20)), 10.0, id=1),
        # overlaps the first over the October change, then ends: the later start wins meanwhile
        SchedulePeriod(1, date(2026, 10, 20), date(2026, 10, 28), (time(1, 15), time(13)), 5.0, id=2),
        # a second medication with a time listed twice and out of order, open-ended
        SchedulePeriod(2, date(2026, 1, 1), None, (time(21), time(7, 45), time(7, 45)), 2.5, id=3),
        # equal starts: the higher id wins
        SchedulePeriod(2, date(2026, 3, 28), date(2026, 3, 30), (time(2, 30),), 1.0, id=4),
        SchedulePeriod(2, date(2026, 3, 28), date(2026, 3, 29), (time(2, 10),), 1.0, id=5),
    ]
    assert assert_same(periods, date(2025, 10, 1), date(2026, 12, 31), LONDON) > 2000


def test_hand_worked_instants_around_the_london_changes() -> None:
    """DOMAIN.md "Time": a time in the gap moves to the first valid minute after it (02:00 BST is
    01:00 UTC); an ambiguous fall-back time is its first occurrence (01:30 BST is 00:30 UTC)."""
    period = SchedulePeriod(1, date(2026, 3, 27), None, (time(1, 30),))
    got = slot_times([period], date(2026, 3, 27), date(2026, 3, 30), LONDON)
    assert [moment for _, moment in got] == [
        datetime(2026, 3, 27, 1, 30, tzinfo=UTC),  # GMT
        datetime(2026, 3, 28, 1, 30, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # 01:30 does not exist: 02:00 BST
        datetime(2026, 3, 30, 0, 30, tzinfo=UTC),  # BST
    ]
    got = slot_times([period], date(2026, 10, 24), date(2026, 10, 26), LONDON)
    assert [moment for _, moment in got] == [
        datetime(2026, 10, 24, 0, 30, tzinfo=UTC),  # BST
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 01:30 happens twice: the first (BST)
        datetime(2026, 10, 26, 1, 30, tzinfo=UTC),  # GMT
    ]
    # 0 mg days from the GMT days of March to the eve of the fall-back change: the next slot after
    # them is still the first 01:30 (BST), though 01:30 UTC, where GMT holds again, is the second.
    skipping = SchedulePeriod(1, date(2026, 3, 20), None, (time(1, 30),), id=4)
    rows = {date(2026, 3, 20) + timedelta(days=n): 0.0 for n in range(1, 219)}
    table = Table(rows | {date(2026, 3, 20): 1.0, date(2026, 10, 25): 1.0})
    got = slot_times([skipping], date(2026, 3, 20), date(2026, 10, 25), LONDON, {4: table})
    assert got == [
        (1, datetime(2026, 3, 20, 1, 30, tzinfo=UTC)),
        (1, datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
    ]
    assert_same([skipping], date(2026, 3, 1), date(2026, 10, 31), LONDON, {4: table})


def test_a_zone_timeline_of_travel_across_dst_and_the_date_line() -> None:
    timeline = (
        ZoneTimeline(LONDON)
        .changed(date(2011, 3, 1), NEW_YORK)
        .changed(date(2011, 11, 20), APIA)
        .changed(date(2012, 2, 1), LORD_HOWE)
        .changed(date(2012, 5, 1), LONDON)
    )
    periods = [
        SchedulePeriod(1, date(2010, 12, 1), None, (time(0, 15), time(2, 30), time(23, 45)), id=1),
        SchedulePeriod(3, date(2011, 6, 1), date(2012, 4, 30), (time(2), time(12)), id=2),
    ]
    assert assert_same(periods, date(2010, 12, 1), date(2012, 12, 31), timeline) > 2000
    # Apia skipped Friday 30 December 2011 (24:00 on the 29th at UTC-10 was 00:00 on the 31st at
    # UTC+14, 10:00 UTC): every time of the 30th is in the gap and moves to 10:00 UTC; the 31st's
    # 00:15 is 10:15 UTC on the 30th.
    got = slots_between(periods, date(2011, 12, 30), date(2011, 12, 31), timeline)
    assert {s.scheduled_for for s in got[date(2011, 12, 30)]} == {datetime(2011, 12, 30, 10, 0, tzinfo=UTC)}
    assert len(got[date(2011, 12, 30)]) == 5
    assert got[date(2011, 12, 31)][0].scheduled_for == datetime(2011, 12, 30, 10, 15, tzinfo=UTC)


@pytest.mark.parametrize("zone", [LONDON, NEW_YORK, LORD_HOWE])
def test_micro_step_tables_with_zero_mg_days(zone: ZoneInfo) -> None:
    first = date(2026, 3, 1)
    doses = {first + timedelta(days=n): float(n % 4) * 2.5 for n in range(40)}  # every 4th day 0 mg
    doses[date(2026, 3, 8)] = 0.0  # the day of the US spring-forward change
    periods = [
        SchedulePeriod(1, date(2026, 2, 20), date(2026, 3, 31), (time(2, 30), time(9)), 5.0, id=7),
        SchedulePeriod(1, date(2026, 4, 1), None, (time(9),), 5.0, id=8),
        SchedulePeriod(2, date(2026, 2, 1), None, (time(2, 15),), 1.0, id=9),
    ]
    count = assert_same(periods, date(2026, 2, 15), date(2026, 4, 30), zone, {7: Table(doses)})
    # 0 mg days have no slot of that prescription; the other days get the row split over the times
    bulk = slots_between(periods, date(2026, 3, 1), date(2026, 3, 31), zone, {7: Table(doses)})
    assert [s for s in bulk[date(2026, 3, 5)] if s.medication_id == 1] == []  # n = 4: 0 mg
    assert {s.expected_mg for s in bulk[date(2026, 3, 6)] if s.medication_id == 1} == {1.25}  # 2.5 / 2
    assert count > 100


def test_an_empty_range_and_a_day_without_periods() -> None:
    period = SchedulePeriod(1, date(2026, 1, 10), date(2026, 1, 12), (time(8),))
    assert slots_between([period], date(2026, 1, 5), date(2026, 1, 4), LONDON) == {}
    assert slot_times([period], date(2026, 1, 5), date(2026, 1, 4), LONDON) == []
    assert assert_same([period], date(2026, 1, 8), date(2026, 1, 14), LONDON) == 3
