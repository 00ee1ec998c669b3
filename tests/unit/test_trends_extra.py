"""Pure helpers of the Trends screen (tracker.domain.trends_extra), values worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tracker.domain.timeutil import local_to_utc
from tracker.domain.trends import ScheduledSlot
from tracker.domain.trends_extra import (
    SchedulePeriod,
    SlotBlock,
    date_ticks,
    downsample,
    in_force,
    logged_runs,
    scheduled_slots,
    slot_blocks,
    step_points,
)

LONDON = ZoneInfo("Europe/London")
D = date.fromisoformat


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_slots_follow_the_dst_rules_on_both_change_days() -> None:
    period = SchedulePeriod(1, D("2026-03-28"), None, (time(1, 30), time(8, 0)))
    slots = scheduled_slots([period], D("2026-03-28"), D("2026-03-30"), LONDON)
    assert [s.scheduled_at for s in slots] == [
        utc("2026-03-28 01:30"),  # GMT
        utc("2026-03-28 08:00"),
        # 01:30 on the 29th does not exist: first valid minute after the gap is 02:00 BST = 01:00 UTC.
        utc("2026-03-29 01:00"),
        utc("2026-03-29 07:00"),  # 08:00 BST
        utc("2026-03-30 00:30"),
        utc("2026-03-30 07:00"),
    ]
    autumn = scheduled_slots([period], D("2026-10-25"), D("2026-10-25"), LONDON)
    # 01:30 on 25 October happens twice: the first occurrence is 01:30 BST = 00:30 UTC.
    assert [s.scheduled_at for s in autumn] == [utc("2026-10-25 00:30"), utc("2026-10-25 08:00")]


def test_slots_match_local_to_utc_for_every_day_of_a_year() -> None:
    times = (time(0, 0), time(1, 0), time(1, 59), time(2, 30), time(23, 59))
    period = SchedulePeriod(3, D("2026-01-01"), D("2026-12-31"), times)
    slots = scheduled_slots([period], D("2026-01-01"), D("2026-12-31"), LONDON)
    expected = [
        local_to_utc(D("2026-01-01") + timedelta(days=n), at, LONDON) for n in range(365) for at in times
    ]
    assert [s.scheduled_at for s in slots] == expected
    assert all(s.medication_id == 3 for s in slots)


def test_the_later_prescription_wins_and_gaps_have_no_slots() -> None:
    old = SchedulePeriod(1, D("2026-01-01"), None, (time(8, 0), time(20, 0)))
    new = SchedulePeriod(1, D("2026-01-03"), D("2026-01-03"), (time(9, 0),))
    later = SchedulePeriod(1, D("2026-01-06"), D("2026-01-06"), (time(7, 0),))
    spans = in_force([old, new, later], D("2026-01-02"), D("2026-01-06"))
    # 2nd: old; 3rd: new; 4th-5th: old again (new has ended); 6th: later.
    assert [(a, b, p.times) for a, b, p in spans] == [
        (D("2026-01-02"), D("2026-01-02"), old.times),
        (D("2026-01-03"), D("2026-01-03"), new.times),
        (D("2026-01-04"), D("2026-01-05"), old.times),
        (D("2026-01-06"), D("2026-01-06"), later.times),
    ]
    ended = SchedulePeriod(2, D("2026-01-01"), D("2026-01-01"), (time(8, 0),))
    restart = SchedulePeriod(2, D("2026-01-03"), None, (time(8, 0),))
    slots = scheduled_slots([ended, restart], D("2026-01-01"), D("2026-01-03"), ZoneInfo("UTC"))
    assert slots == [ScheduledSlot(2, utc("2026-01-01 08:00")), ScheduledSlot(2, utc("2026-01-03 08:00"))]


def test_slot_blocks_keep_one_offset_within_one_week() -> None:
    period = SchedulePeriod(1, D("2026-03-26"), D("2026-04-01"), (time(20, 0), time(8, 0)))
    blocks = slot_blocks([period], D("2026-03-20"), D("2026-04-05"), LONDON)
    times = (time(8, 0), time(20, 0))  # sorted
    gmt, bst = timedelta(0), timedelta(hours=1)
    # Thursday 26 to Saturday 28 March in GMT; Sunday 29 holds the change; the week of Monday 30 in BST.
    assert blocks == [
        SlotBlock(1, D("2026-03-26"), D("2026-03-28"), times, gmt),
        SlotBlock(1, D("2026-03-29"), D("2026-03-29"), times, None),
        SlotBlock(1, D("2026-03-30"), D("2026-04-01"), times, bst),
    ]
    first, change, last = blocks
    assert (first.days, first.slot_count) == (3, 6)
    assert first.utc_range() == (utc("2026-03-26 00:00"), utc("2026-03-29 00:00"))
    assert last.utc_range() == (utc("2026-03-29 23:00"), utc("2026-04-01 23:00"))
    assert change.utc_range() is None
    assert [s.scheduled_at for s in last.slots(LONDON)][:2] == [
        utc("2026-03-30 07:00"),
        utc("2026-03-30 19:00"),
    ]
    assert [slot for block in blocks for slot in block.slots(LONDON)] == scheduled_slots(
        [period], D("2026-03-20"), D("2026-04-05"), LONDON
    )
    early, late = first.split_after(D("2026-03-26"))
    assert (early, late) == (
        SlotBlock(1, D("2026-03-26"), D("2026-03-26"), times, gmt),
        SlotBlock(1, D("2026-03-27"), D("2026-03-28"), times, gmt),
    )
    assert first.split_after(D("2026-03-25")) == (None, first)
    assert first.split_after(D("2026-03-28")) == (first, None)
    assert slot_blocks([period], D("2026-04-02"), D("2026-04-01"), LONDON) == []


def test_logged_runs_split_at_gaps() -> None:
    assert logged_runs([None, 1, 2, None, None, 0, None, 5]) == [(1, [1, 2]), (5, [0]), (7, [5])]
    assert logged_runs([None, None]) == []
    assert logged_runs([]) == []


def test_step_points_draw_each_dose_until_the_next_change() -> None:
    segments = [(D("2026-01-01"), 20.0), (D("2026-01-05"), 15.0), (D("2026-01-08"), 10.0)]
    # Range 3rd to 9th: starts at 20 (in force since the 1st), 15 from index 2, 10 from index 5,
    # and runs to the end of the 9th (x = 7).
    xs, ys = step_points(segments, D("2026-01-03"), D("2026-01-09"))
    assert xs == [0, 2, 2, 5, 5, 7]
    assert ys == [20, 20, 15, 15, 10, 10]
    # Before any prescription the dose is 0; a one-day range is one flat segment.
    assert step_points(segments, D("2025-12-31"), D("2025-12-31")) == ([0, 1], [0, 0])
    assert step_points([], D("2026-01-01"), D("2026-01-02")) == ([0, 2], [0, 0])


def test_date_ticks_short_and_long_ranges() -> None:
    # 30 days, 4 ticks: every ceil(29 / 3) = 10 days.
    short = date_ticks(D("2026-03-02"), D("2026-03-31"), 4)
    assert short == [(0, "2 Mar"), (10, "12 Mar"), (20, "22 Mar")]
    assert date_ticks(D("2026-03-02"), D("2026-03-02"), 5) == [(0, "2 Mar")]
    # A year from 1 April 2025: firsts of the 12 months; 6 ticks allowed -> every 2nd month.
    year = date_ticks(D("2025-04-01"), D("2026-03-31"), 6)
    assert year == [
        (0, "Apr 25"),
        (61, "Jun 25"),
        (122, "Aug 25"),
        (183, "Oct 25"),
        (244, "Dec 25"),
        (306, "Feb 26"),
    ]


def test_downsample_means_logged_days_and_keeps_gaps() -> None:
    series: list[float | None] = [1, 3, None, None, 4, None, 2]
    # 7 values into at most 3 points: bins of ceil(7 / 3) = 3 days.
    # [1, 3, None] -> 2; [None, 4, None] -> 4; [2] -> 2.
    assert downsample(series, 3) == (3, [2.0, 4.0, 2.0])
    # Bins of 2: [1, 3] -> 2; [None, None] -> gap; [4, None] -> 4; [2] -> 2.
    assert downsample(series, 4) == (2, [2.0, None, 4.0, 2.0])
    assert downsample(series, 7) == (1, series)
    assert downsample([], 5) == (1, [])
