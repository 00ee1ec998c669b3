"""Trend statistics (tracker.domain.trends): expected values worked out by hand."""

from __future__ import annotations

import gc
import re
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tracker.domain.timeutil import local_to_utc
from tracker.domain.trends import (
    RANGES,
    ChangeResponse,
    DateRange,
    DoseChange,
    DoseChangeKind,
    DoseStatus,
    LoggedDose,
    PrescriptionPeriod,
    ScheduledSlot,
    SlotOutcome,
    SlotResult,
    TrendRange,
    adherence_by_day,
    adherence_by_week,
    change_response,
    classify_slots,
    daily_doses,
    daily_series,
    describe_response,
    dose_changes,
    heat_map,
    last_days,
    logged_mean,
    missed_runs,
    range_for,
    rolling_mean,
    spark_text,
    sparklines,
    symptom_summaries,
    timing_facts,
)

LONDON = ZoneInfo("Europe/London")
D = date.fromisoformat


def utc(text: str) -> datetime:
    """An aware UTC instant from 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# ---------------------------------------------------------------------------
# Ranges and daily series
# ---------------------------------------------------------------------------


def test_ranges_are_offered_in_order() -> None:
    assert RANGES == (TrendRange.DAYS_30, TrendRange.DAYS_90, TrendRange.YEAR, TrendRange.ALL)


def test_fixed_ranges_end_today_inclusive() -> None:
    today = D("2026-03-31")
    # 31 March - 29 days = 2 March; 2..31 March is 30 days.
    assert range_for(TrendRange.DAYS_30, today) == DateRange(D("2026-03-02"), today)
    # 31 March - 89 days: -30 -> 1 March, -28 more -> 1 Feb, -31 more -> 1 Jan.
    assert range_for(TrendRange.DAYS_90, today) == DateRange(D("2026-01-01"), today)
    # 1 Apr 2025 .. 31 Mar 2026 holds no 29 February: 365 days.
    year = range_for(TrendRange.YEAR, today)
    assert year == DateRange(D("2025-04-01"), today)
    assert year.days == 365


def test_everything_starts_at_the_first_data_day() -> None:
    today = D("2026-03-31")
    assert range_for(TrendRange.ALL, today, D("2025-12-25")) == DateRange(D("2025-12-25"), today)
    # No data at all, or only future data: just today.
    assert range_for(TrendRange.ALL, today) == DateRange(today, today)
    assert range_for(TrendRange.ALL, today, D("2026-04-02")) == DateRange(today, today)


def test_date_range_refuses_end_before_start_and_knows_its_days() -> None:
    with pytest.raises(ValueError):
        DateRange(D("2026-03-02"), D("2026-03-01"))
    span = DateRange(D("2026-02-27"), D("2026-03-01"))
    assert list(span.dates()) == [D("2026-02-27"), D("2026-02-28"), D("2026-03-01")]
    assert D("2026-02-28") in span
    assert D("2026-03-02") not in span


def test_daily_series_keeps_gaps_and_logged_zeros() -> None:
    values = {D("2026-03-01"): 3, D("2026-03-03"): 0, D("2026-03-04"): 5, D("2026-03-09"): 7}
    # 2 March and 5 March were not logged: None, not 0; the logged 0 on 3 March stays 0.
    assert daily_series(values, D("2026-03-01"), D("2026-03-05")) == [3, None, 0, 5, None]


def test_daily_series_single_day_and_no_data() -> None:
    values = {D("2026-03-01"): 4}
    assert daily_series(values, D("2026-03-01"), D("2026-03-01")) == [4]
    assert daily_series(values, D("2026-03-02"), D("2026-03-02")) == [None]
    assert daily_series({}, D("2026-03-01"), D("2026-03-03")) == [None, None, None]
    assert daily_series(values, D("2026-03-02"), D("2026-03-01")) == []


def test_logged_mean_skips_gaps() -> None:
    assert logged_mean([1, None, 2]) == 1.5  # (1 + 2) / 2, the gap is not a zero
    assert logged_mean([None, None]) is None
    assert logged_mean([]) is None


def test_rolling_mean_skips_gaps() -> None:
    series: list[float | None] = [2, None, 4, None, None, None, None, None, 6]
    # i0: {2} -> 2;  i1: {2} -> 2;  i2..i6: {2, 4} -> 3
    # i7: window i1..i7 = {4} -> 4 (the 2 on i0 has left);  i8: window i2..i8 = {4, 6} -> 5
    assert rolling_mean(series, 7) == [2, 2, 3, 3, 3, 3, 3, 4, 5]


def test_rolling_mean_is_none_when_the_window_has_nothing_logged() -> None:
    series: list[float | None] = [None, None, 1, None, None, None]
    # window 3: i2..i4 see the 1; i5 sees i3..i5, all gaps.
    assert rolling_mean(series, 3) == [None, None, 1, 1, 1, None]
    assert rolling_mean([], 7) == []
    with pytest.raises(ValueError):
        rolling_mean(series, 0)


# ---------------------------------------------------------------------------
# Dose step line
# ---------------------------------------------------------------------------


def test_taper_changes_from_consecutive_prescriptions() -> None:
    periods = [
        PrescriptionPeriod(D("2026-01-01"), D("2026-01-31"), 20),
        PrescriptionPeriod(D("2026-02-01"), D("2026-02-28"), 15),
        PrescriptionPeriod(D("2026-03-01"), None, 10),
    ]
    assert dose_changes(periods) == [
        DoseChange(D("2026-01-01"), 0.0, 20, DoseChangeKind.START),
        DoseChange(D("2026-02-01"), 20, 15, DoseChangeKind.REDUCTION),
        DoseChange(D("2026-03-01"), 15, 10, DoseChangeKind.REDUCTION),
    ]
    assert dose_changes(periods, D("2026-02-01"), D("2026-02-28")) == [
        DoseChange(D("2026-02-01"), 20, 15, DoseChangeKind.REDUCTION)
    ]


def test_stop_gap_restart_and_increase() -> None:
    periods = [
        PrescriptionPeriod(D("2026-01-01"), D("2026-01-10"), 20),
        PrescriptionPeriod(D("2026-01-15"), D("2026-01-20"), 10),
        PrescriptionPeriod(D("2026-01-21"), D("2026-01-25"), 20),
    ]
    # The day after an end date is the first day without it: 11 Jan stop, 26 Jan stop.
    assert dose_changes(periods) == [
        DoseChange(D("2026-01-01"), 0.0, 20, DoseChangeKind.START),
        DoseChange(D("2026-01-11"), 20, 0.0, DoseChangeKind.STOP),
        DoseChange(D("2026-01-15"), 0.0, 10, DoseChangeKind.START),
        DoseChange(D("2026-01-21"), 10, 20, DoseChangeKind.INCREASE),
        DoseChange(D("2026-01-26"), 20, 0.0, DoseChangeKind.STOP),
    ]


def test_overlapping_prescriptions_the_later_start_wins() -> None:
    periods = [
        PrescriptionPeriod(D("2026-01-01"), None, 20),
        PrescriptionPeriod(D("2026-01-10"), D("2026-01-12"), 30),
    ]
    # 10-12 Jan the newer 30 mg supersedes; from 13 Jan the open 20 mg applies again.
    assert dose_changes(periods) == [
        DoseChange(D("2026-01-01"), 0.0, 20, DoseChangeKind.START),
        DoseChange(D("2026-01-10"), 20, 30, DoseChangeKind.INCREASE),
        DoseChange(D("2026-01-13"), 30, 20, DoseChangeKind.REDUCTION),
    ]


def test_overlap_rule_ignores_input_order_and_breaks_ties_by_order() -> None:
    older = PrescriptionPeriod(D("2026-01-01"), None, 20)
    newer = PrescriptionPeriod(D("2026-01-10"), None, 10)
    # The later start wins whatever order the rows arrive in.
    assert daily_doses([newer, older], D("2026-01-09"), D("2026-01-10")) == [20, 10]
    # Same start: the later row (the one entered last) wins.
    first = PrescriptionPeriod(D("2026-01-01"), None, 20)
    second = PrescriptionPeriod(D("2026-01-01"), None, 15)
    assert daily_doses([first, second], D("2026-01-01"), D("2026-01-01")) == [15]
    assert daily_doses([second, first], D("2026-01-01"), D("2026-01-01")) == [20]


def test_same_dose_renewed_is_no_change() -> None:
    periods = [
        PrescriptionPeriod(D("2026-01-01"), D("2026-01-31"), 20),
        PrescriptionPeriod(D("2026-02-01"), None, 20.0),
    ]
    assert dose_changes(periods) == [DoseChange(D("2026-01-01"), 0.0, 20, DoseChangeKind.START)]


def test_daily_doses_is_a_step_function() -> None:
    periods = [
        PrescriptionPeriod(D("2026-01-01"), D("2026-01-03"), 20),
        PrescriptionPeriod(D("2026-01-04"), None, 15),
    ]
    # 30 Dec, 31 Dec: nothing prescribed; 1-3 Jan 20 mg; 4-5 Jan 15 mg.
    assert daily_doses(periods, D("2025-12-30"), D("2026-01-05")) == [0, 0, 20, 20, 20, 15, 15]
    assert daily_doses([], D("2026-01-01"), D("2026-01-02")) == [0, 0]


def test_prescription_period_validation() -> None:
    with pytest.raises(ValueError):
        PrescriptionPeriod(D("2026-01-02"), D("2026-01-01"), 10)
    with pytest.raises(ValueError):
        PrescriptionPeriod(D("2026-01-01"), None, -1)


# ---------------------------------------------------------------------------
# Heat map
# ---------------------------------------------------------------------------


def test_heat_map_is_aligned_to_weeks_monday_first() -> None:
    severity = {
        D("2026-03-03"): 3,  # Tuesday, before the range: padding, not shown
        D("2026-03-04"): 0,  # Wednesday, first day of the range
        D("2026-03-06"): 2,
        D("2026-03-09"): 1,
        D("2026-03-10"): 3,  # Tuesday, last day of the range
        D("2026-03-11"): 2,  # after the range
    }
    grid = heat_map(severity, D("2026-03-04"), D("2026-03-10"))
    assert [week.monday for week in grid.weeks] == [D("2026-03-02"), D("2026-03-09")]
    assert grid.weeks[0].cells == (None, None, 0, None, 2, None, None)
    assert grid.weeks[1].cells == (1, 3, None, None, None, None, None)
    assert not grid.in_range(D("2026-03-03"))
    assert grid.in_range(D("2026-03-04"))
    assert grid.by_weekday()[0] == (None, 1)  # Mondays
    assert grid.by_weekday()[2] == (0, None)  # Wednesdays


def test_heat_map_single_day_and_whole_weeks() -> None:
    single = heat_map({D("2026-03-02"): 2}, D("2026-03-02"), D("2026-03-02"))
    assert len(single.weeks) == 1
    assert single.weeks[0].cells == (2, None, None, None, None, None, None)
    # Monday 2 March to Sunday 15 March: exactly two weeks, no padding.
    assert len(heat_map({}, D("2026-03-02"), D("2026-03-15")).weeks) == 2


def test_heat_map_refuses_a_severity_outside_the_scale() -> None:
    with pytest.raises(ValueError):
        heat_map({D("2026-03-02"): 4}, D("2026-03-02"), D("2026-03-08"))


# ---------------------------------------------------------------------------
# Response to a dose change
# ---------------------------------------------------------------------------

CHANGE = D("2026-05-01")


def _constructed_burden() -> dict[date, float]:
    """Pre-change level 2; rise on day 3, peak on day 7, back by day 16; day 14 not logged."""
    burden: dict[date, float] = {CHANGE - timedelta(days=15): 100}  # outside the 14-day window
    for back in range(1, 15):
        if back != 5:  # day -5 not logged: 13 logged days of 2 -> mean 2
            burden[CHANGE - timedelta(days=back)] = 2
    after = [2, 2, 3, 5, 6, 7, 8, 10, 9, 8, 7, 6, 5, 4, None, 3, 3] + [2] * 11  # days 0..27
    for day, value in enumerate(after):
        if value is not None:
            burden[CHANGE + timedelta(days=day)] = value
    burden[CHANGE + timedelta(days=28)] = 50  # outside the 28-day window
    return burden


def test_change_response_on_a_constructed_series() -> None:
    response = change_response(CHANGE, _constructed_burden())
    assert response.mean_before == 2.0
    assert response.logged_before == 13
    # Days 0..13: 2+2+3+5+6+7+8+10+9+8+7+6+5+4 = 82 over 14 logged days.
    assert response.mean_after == pytest.approx(82 / 14)
    assert response.logged_after == 14
    # Rise level 2 + 2 = 4: day 2 (3) is below, day 3 (5) is the first at or above.
    assert response.days_to_rise == 3
    # Highest within days 0..27 is 10 on day 7 (the 50 on day 28 is outside).
    assert response.days_to_peak == 7
    assert response.peak_burden == 10
    # Back level 2 + 2/2 = 3, trailing 3-day mean over logged days:
    # day 13: (6+5+4)/3 = 5; day 14 not logged; day 15: days 13..15 = (4+3)/2 = 3.5 > 3
    # (a gap counted as 0 would give 7/3 and wrongly say day 15); day 16: (3+3)/2 = 3 -> back.
    assert response.days_to_return == 16


def test_change_response_threshold_is_inclusive_and_return_uses_the_trailing_mean() -> None:
    burden: dict[date, float] = {CHANGE - timedelta(days=back): 1 for back in range(1, 15)}
    for day, value in enumerate([2.9, 3, 2.5, 1, 1]):
        burden[CHANGE + timedelta(days=day)] = value
    response = change_response(CHANGE, burden)
    # Rise level 1 + 2 = 3: 2.9 on day 0 is below, exactly 3 on day 1 counts.
    assert response.days_to_rise == 1
    assert response.days_to_peak == 1
    # Back level 1 + 1 = 2. Day 2: (2.9+3+2.5)/3 = 2.8; day 3: (3+2.5+1)/3 = 2.17; day 4: (2.5+1+1)/3 = 1.5.
    assert response.days_to_return == 4


def test_return_is_only_claimed_on_a_logged_day() -> None:
    burden: dict[date, float] = {CHANGE - timedelta(days=back): 2 for back in range(1, 15)}
    for day, value in enumerate([6, 5, 1, None, 1]):
        if value is not None:
            burden[CHANGE + timedelta(days=day)] = value
    response = change_response(CHANGE, burden)
    # Back level 2 + 1 = 3. Day 2: (6+5+1)/3 = 4. Day 3 is not logged, though its window
    # (days 1..3) gives (5+1)/2 = 3; day 4: days 2..4 = (1+1)/2 = 1 -> back on day 4.
    assert (response.days_to_rise, response.days_to_peak, response.days_to_return) == (0, 0, 4)


def test_change_response_that_never_returns_and_peak_ties() -> None:
    burden: dict[date, float] = {CHANGE - timedelta(days=back): 2 for back in range(1, 15)}
    for day in range(28):
        burden[CHANGE + timedelta(days=day)] = 8 if day in (5, 9) else 6
    response = change_response(CHANGE, burden)
    assert response.days_to_rise == 0  # 6 >= 2 + 2 on the day of the change
    assert response.days_to_peak == 5  # 8 on days 5 and 9: the earliest
    assert response.days_to_return is None  # the 3-day mean never falls to 3


def test_change_response_without_data_before_or_at_all() -> None:
    only_after = {CHANGE + timedelta(days=2): 5.0}
    response = change_response(CHANGE, only_after)
    assert (response.mean_before, response.logged_before) == (None, 0)
    assert response.days_to_rise is None
    assert (response.days_to_peak, response.peak_burden) == (2, 5.0)
    assert response.days_to_return is None

    empty = change_response(CHANGE, {})
    assert (empty.mean_before, empty.mean_after, empty.logged_after) == (None, None, 0)
    assert (empty.days_to_rise, empty.days_to_peak, empty.peak_burden, empty.days_to_return) == (
        None,
        None,
        None,
        None,
    )


def test_describe_response_states_numbers_only() -> None:
    lines = describe_response(change_response(CHANGE, _constructed_burden()))
    assert lines == [
        "Mean daily burden, 14 days before: 2 (13 days logged); "
        "14 days from the change: 5.9 (14 days logged).",
        "Burden first reached 2 above the earlier mean 3 days after the change.",
        "Highest burden within 28 days: 10, 7 days after the change.",
        "The 3-day mean came back to within 1 of the earlier mean 16 days after the change.",
    ]


def test_describe_response_without_a_rise_or_earlier_data() -> None:
    flat = ChangeResponse(CHANGE, 2.0, 14, 2.5, 14, None, 0, 3.0, None, 2.0, 14, 28)
    assert describe_response(flat)[1:] == [
        "Burden did not reach 2 above the earlier mean within 28 days.",
        "Highest burden within 28 days: 3, on the day of the change.",
    ]
    one_day = describe_response(change_response(CHANGE, {CHANGE - timedelta(days=1): 3.0, CHANGE: 3.0}))
    assert one_day[0] == (
        "Mean daily burden, 14 days before: 3 (1 day logged); 14 days from the change: 3 (1 day logged)."
    )
    no_before = describe_response(change_response(CHANGE, {}))
    assert no_before == [
        "Mean daily burden, 14 days before: not logged; 14 days from the change: not logged.",
        "No days were logged before the change, so there is nothing to compare with.",
    ]


_LABEL_OR_ADVICE = re.compile(
    r"\b(this is|you have|you are having|is withdrawal|is a relapse|reduce your|increase your|"
    r"stop taking|you should)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("kind", list(DoseChangeKind))
def test_timing_facts_cite_sources_and_never_label_or_advise(kind: DoseChangeKind) -> None:
    facts = timing_facts(kind)
    text = " ".join(facts)
    assert "Haddad & Anderson" in text
    assert "do not say what caused your symptoms" in facts[-1]
    assert not _LABEL_OR_ADVICE.search(text)
    lines = describe_response(change_response(CHANGE, _constructed_burden()))
    assert not any(re.search(r"withdrawal|relapse", line, re.IGNORECASE) for line in lines)


def test_timing_facts_for_a_reduction_carry_the_nice_timings() -> None:
    text = " ".join(timing_facts(DoseChangeKind.REDUCTION))
    assert "within a few days" in text
    assert "1-2 weeks" in text
    assert "NG222" in text
    assert "within about a day" in text
    assert "weeks later" in text
    assert "take weeks to take effect" in " ".join(timing_facts(DoseChangeKind.INCREASE))


# ---------------------------------------------------------------------------
# Adherence
# ---------------------------------------------------------------------------

SLOT = utc("2026-06-01 07:00")  # 08:00 BST


def _one(dose: LoggedDose | None, now: datetime, slot: datetime = SLOT) -> SlotOutcome:
    doses = [dose] if dose is not None else []
    [result] = classify_slots([ScheduledSlot(1, slot)], doses, now)
    return result.outcome


def _taken(at: datetime | None, slot: datetime = SLOT, medication_id: int = 1) -> LoggedDose:
    return LoggedDose(medication_id, slot, at, DoseStatus.TAKEN)


def test_late_means_more_than_two_hours() -> None:
    now = utc("2026-06-02 12:00")
    assert _one(_taken(utc("2026-06-01 09:00")), now) is SlotOutcome.ON_TIME  # exactly 2 h
    assert _one(_taken(utc("2026-06-01 09:01")), now) is SlotOutcome.LATE  # 2 h 1 min
    assert _one(_taken(utc("2026-06-01 06:30")), now) is SlotOutcome.ON_TIME  # early
    assert _one(_taken(None), now) is SlotOutcome.ON_TIME  # no time: nothing shows it was late


def test_missed_means_nothing_logged_six_hours_after_its_time() -> None:
    # DOMAIN.md R5, and what Today and the reminders say at the same instant
    assert _one(None, utc("2026-06-01 12:59")) is SlotOutcome.PENDING  # 5 h 59 min
    assert _one(None, utc("2026-06-01 13:00")) is SlotOutcome.MISSED  # exactly 6 h
    assert _one(None, utc("2026-06-01 06:00")) is SlotOutcome.PENDING  # still in the future


def test_six_hours_are_real_hours_across_the_spring_forward() -> None:
    # 00:30 on 29 March 2026 is before the 01:00 GMT jump: 00:30 UTC. 6 h later the wall
    # clock reads 07:30 BST (06:30 UTC): missed only then, although the clock moved 7 h.
    slot = local_to_utc(D("2026-03-29"), time(0, 30), LONDON)
    assert slot == utc("2026-03-29 00:30")
    assert _one(None, utc("2026-03-29 06:29"), slot) is SlotOutcome.PENDING
    assert _one(None, utc("2026-03-29 06:30"), slot) is SlotOutcome.MISSED


def test_which_logged_dose_answers_a_slot() -> None:
    now = utc("2026-06-02 12:00")
    skipped = LoggedDose(1, SLOT, None, DoseStatus.SKIPPED)
    extra = LoggedDose(1, SLOT, utc("2026-06-01 07:00"), DoseStatus.EXTRA)
    unscheduled = LoggedDose(1, None, utc("2026-06-01 07:00"), DoseStatus.TAKEN)
    other_medicine = _taken(utc("2026-06-01 07:00"), medication_id=2)
    assert _one(skipped, now) is SlotOutcome.SKIPPED
    for dose in (extra, unscheduled, other_medicine):
        assert _one(dose, now) is SlotOutcome.MISSED
    # Taken beats skipped; of two taken entries the earliest time counts (08:00 -> on time).
    results = classify_slots(
        [ScheduledSlot(1, SLOT)],
        [skipped, _taken(utc("2026-06-01 10:00")), _taken(utc("2026-06-01 08:00"))],
        now,
    )
    assert [r.outcome for r in results] == [SlotOutcome.ON_TIME]


def test_classify_refuses_naive_instants() -> None:
    with pytest.raises(ValueError):
        classify_slots([ScheduledSlot(1, SLOT)], [], datetime(2026, 6, 2, 12, 0))
    with pytest.raises(ValueError):
        classify_slots([ScheduledSlot(1, datetime(2026, 6, 1, 7, 0))], [], utc("2026-06-02 12:00"))


def test_dst_days_keep_one_slot_and_group_by_local_date() -> None:
    days = [D("2026-03-28"), D("2026-03-29"), D("2026-03-30")]
    slots = [ScheduledSlot(1, local_to_utc(day, time(8, 0), LONDON)) for day in days]
    # 08:00 GMT = 08:00 UTC on the 28th; 08:00 BST = 07:00 UTC from the 29th.
    assert [s.scheduled_at for s in slots] == [
        utc("2026-03-28 08:00"),
        utc("2026-03-29 07:00"),
        utc("2026-03-30 07:00"),
    ]
    doses = [
        _taken(utc("2026-03-28 10:00"), slots[0].scheduled_at),  # 10:00 GMT: exactly 2 h, on time
        _taken(utc("2026-03-29 09:01"), slots[1].scheduled_at),  # 10:01 BST: 2 h 1 min, late
    ]
    now = utc("2026-03-30 12:59")  # 13:59 BST, 5 h 59 min after the 30th's slot: pending
    results = classify_slots(slots, doses, now)
    assert [r.outcome for r in results] == [SlotOutcome.ON_TIME, SlotOutcome.LATE, SlotOutcome.PENDING]
    by_day = adherence_by_day(results, LONDON)
    assert [(p.first_day, p.scheduled, p.taken, p.late, p.pending) for p in by_day] == [
        (D("2026-03-28"), 1, 1, 0, 0),
        (D("2026-03-29"), 1, 1, 1, 0),
        (D("2026-03-30"), 0, 0, 0, 1),
    ]


def test_fall_back_day_keeps_one_slot_per_local_day() -> None:
    days = [D("2026-10-24"), D("2026-10-25"), D("2026-10-26")]
    slots = [local_to_utc(day, time(8, 0), LONDON) for day in days]
    assert slots == [utc("2026-10-24 07:00"), utc("2026-10-25 08:00"), utc("2026-10-26 08:00")]
    # 23:30 BST on Saturday 24 Oct is 22:30 UTC; 23:30 GMT on Sunday 25 Oct is 23:30 UTC.
    late_evening = [local_to_utc(day, time(23, 30), LONDON) for day in days[:2]]
    assert late_evening == [utc("2026-10-24 22:30"), utc("2026-10-25 23:30")]
    results = [SlotResult(1, at, SlotOutcome.ON_TIME) for at in slots + late_evening]
    by_day = adherence_by_day(results, LONDON)
    assert [(p.first_day, p.scheduled) for p in by_day] == [
        (D("2026-10-24"), 2),
        (D("2026-10-25"), 2),
        (D("2026-10-26"), 1),
    ]
    # Mon 19 - Sun 25 Oct is ISO week 43; Mon 26 Oct starts week 44.
    by_week = adherence_by_week(results, LONDON)
    assert [(p.iso_week, p.scheduled) for p in by_week] == [((2026, 43), 4), ((2026, 44), 1)]


def test_weekly_adherence_shares_with_late_a_subset_of_taken() -> None:
    week13 = [local_to_utc(D("2026-03-23") + timedelta(days=i), time(8, 0), LONDON) for i in range(7)]
    outcomes = [
        SlotOutcome.ON_TIME,
        SlotOutcome.LATE,
        SlotOutcome.SKIPPED,
        SlotOutcome.MISSED,
        SlotOutcome.ON_TIME,
        SlotOutcome.ON_TIME,
        SlotOutcome.LATE,  # Sunday 29 March, the spring-forward day
    ]
    results = [SlotResult(1, at, outcome) for at, outcome in zip(week13, outcomes, strict=True)]
    monday_08 = local_to_utc(D("2026-03-30"), time(8, 0), LONDON)
    monday_0030 = local_to_utc(D("2026-03-30"), time(0, 30), LONDON)
    # 00:30 BST on Monday 30 March is 23:30 UTC on Sunday: a UTC grouping would put it in week 13.
    assert monday_0030 == utc("2026-03-29 23:30")
    results += [SlotResult(1, monday_08, SlotOutcome.PENDING), SlotResult(2, monday_0030, SlotOutcome.MISSED)]

    first, second = adherence_by_week(results, LONDON)
    # Week 13: 7 settled; taken = 3 on time + 2 late = 5; late 2; skipped 1; missed 1.
    assert (first.first_day, first.iso_week) == (D("2026-03-23"), (2026, 13))
    assert (first.scheduled, first.taken, first.late, first.skipped, first.missed, first.pending) == (
        7,
        5,
        2,
        1,
        1,
        0,
    )
    assert first.taken_share == pytest.approx(5 / 7)
    assert first.late_share == pytest.approx(2 / 7)
    assert first.skipped_share == pytest.approx(1 / 7)
    assert first.missed_share == pytest.approx(1 / 7)
    # Week 14: the pending slot is excluded; the one settled slot was missed.
    assert (second.first_day, second.iso_week) == (D("2026-03-30"), (2026, 14))
    assert (second.scheduled, second.taken, second.missed, second.pending) == (1, 0, 1, 1)
    assert (second.taken_share, second.missed_share) == (0.0, 1.0)


def test_only_pending_slots_give_no_shares() -> None:
    [week] = adherence_by_week([SlotResult(1, SLOT, SlotOutcome.PENDING)], LONDON)
    assert (week.scheduled, week.pending, week.taken_share) == (0, 1, None)
    assert adherence_by_week([], LONDON) == []


def test_half_hour_zone_groups_each_instant_exactly() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")  # UTC+05:30: local midnight is 18:30 UTC
    results = [
        SlotResult(1, utc("2026-06-01 18:29"), SlotOutcome.ON_TIME),  # 23:59 on 1 June
        SlotResult(1, utc("2026-06-01 18:31"), SlotOutcome.ON_TIME),  # 00:01 on 2 June
    ]
    assert [p.first_day for p in adherence_by_day(results, kolkata)] == [D("2026-06-01"), D("2026-06-02")]


def test_missed_runs_longest_first() -> None:
    base = utc("2026-01-05 08:00")
    m, t, s, p = SlotOutcome.MISSED, SlotOutcome.ON_TIME, SlotOutcome.SKIPPED, SlotOutcome.PENDING
    first = [m, m, t, m, m, m, p]
    second = [m, s, m]
    results = [SlotResult(1, base + timedelta(days=i), o) for i, o in enumerate(first)]
    results += [SlotResult(2, base + timedelta(days=i, hours=12), o) for i, o in enumerate(second)]
    runs = missed_runs(list(reversed(results)))  # order of input must not matter
    assert [(r.medication_id, r.start, r.last, r.length) for r in runs] == [
        (1, base + timedelta(days=3), base + timedelta(days=5), 3),
        (1, base, base + timedelta(days=1), 2),
        (2, base + timedelta(hours=12), base + timedelta(hours=12), 1),
        (2, base + timedelta(days=2, hours=12), base + timedelta(days=2, hours=12), 1),
    ]
    assert missed_runs([]) == []


# ---------------------------------------------------------------------------
# Sparklines and symptom table
# ---------------------------------------------------------------------------


def test_last_fourteen_days_with_gaps() -> None:
    today = D("2026-03-14")
    burden = {D("2026-02-28"): 9, D("2026-03-01"): 1, D("2026-03-14"): 5}
    mood = {D("2026-03-07"): 6}
    # 1..14 March; 28 Feb is one day too early.
    assert last_days(burden, today) == [1] + [None] * 12 + [5]
    lines = sparklines(burden, mood, today)
    assert lines.burden == (1, *[None] * 12, 5)
    assert lines.mood == (*[None] * 6, 6, *[None] * 7)  # 7 March is the 7th of 14 days


def test_spark_text_scales_clamps_and_leaves_gaps() -> None:
    # Scale 0..10 over 8 blocks (index 0..7): 0 -> 0; 10 -> 7; 3 -> 0.3*7 = 2.1 -> 2; 20 and -3 clamp.
    assert spark_text([0, None, 10, 3, 20, -3], 0, 10) == "▁ █▃█▁"
    with pytest.raises(ValueError):
        spark_text([1], 5, 5)


def test_symptom_summaries() -> None:
    severities = {
        "nausea": {D("2026-03-01"): 0, D("2026-03-02"): 2, D("2026-03-04"): 3, D("2026-03-10"): 1},
        "dizziness": {},
        "brain zaps": {D("2026-03-01"): 1, D("2026-03-02"): 1},
    }
    rows = symptom_summaries(
        severities, start=D("2026-03-01"), end=D("2026-03-07"), baselines={"nausea": 0.5, "dizziness": 1.0}
    )
    assert [row.symptom for row in rows] == ["nausea", "dizziness", "brain zaps"]
    nausea, dizziness, zaps = rows
    # Nausea within 1-7 March: 0, 2, 3 (the 1 on 10 March is outside). Present on 2 days,
    # worst 3, mean 5/3; change 5/3 - 1/2 = 7/6.
    assert (nausea.days_logged, nausea.days_present, nausea.worst) == (3, 2, 3)
    assert nausea.mean == pytest.approx(5 / 3)
    assert nausea.change == pytest.approx(7 / 6)
    # Dizziness never logged: no mean, so no change even with a baseline.
    assert (dizziness.days_logged, dizziness.worst, dizziness.mean, dizziness.baseline, dizziness.change) == (
        0,
        None,
        None,
        1.0,
        None,
    )
    assert (zaps.days_present, zaps.worst, zaps.mean, zaps.baseline, zaps.change) == (2, 1, 1.0, None, None)


# ---------------------------------------------------------------------------
# Ten years of data stays linear
# ---------------------------------------------------------------------------


_Inputs = tuple[list[date], dict[date, int], list[ScheduledSlot], list[LoggedDose]]


def _ten_year_inputs(n_days: int) -> _Inputs:
    start = D("2016-01-01")
    days = [start + timedelta(days=i) for i in range(n_days)]
    burden = {day: (i * 7) % 11 for i, day in enumerate(days) if i % 5}  # every 5th day unlogged
    slots: list[ScheduledSlot] = []
    doses: list[LoggedDose] = []
    # Six medicines a day: 6 x 3,650 = 21,900 slots over ten years. Medicines 1-5 are logged
    # except every 9th day; medicine 6 is never logged.
    for i, day in enumerate(days):
        for medication_id, hour in ((1, 7), (2, 9), (3, 13), (4, 17), (5, 21), (6, 23)):
            at = local_to_utc(day, time(hour, 0), LONDON)
            slots.append(ScheduledSlot(medication_id, at))
            if medication_id != 6 and i % 9:
                doses.append(_taken(at + timedelta(minutes=(i * 37) % 240), at, medication_id))
    return days, burden, slots, doses


def _pipeline(n_days: int) -> tuple[float, Any]:
    days, burden, slots, doses = _ten_year_inputs(n_days)
    now = utc("2026-01-01 00:00")
    # The collector is kept out of the timing: in a full test run its passes walk every object
    # the suite holds, which has nothing to do with how these functions scale.
    gc.collect()
    gc.disable()
    try:
        began = clock.perf_counter()
        series = daily_series(burden, days[0], days[-1])
        rolling_mean(series)
        results = classify_slots(slots, doses, now)
        weeks = adherence_by_week(results, LONDON)
        runs = missed_runs(results)
        elapsed = clock.perf_counter() - began
    finally:
        gc.enable()
    return elapsed, (series, weeks, runs, slots)


def test_ten_years_of_data_runs_in_linear_time() -> None:
    elapsed, (series, weeks, runs, slots) = _pipeline(3650)

    assert len(series) == 3650
    assert sum(week.scheduled + week.pending for week in weeks) == len(slots)
    # Medicine 6: one run of all 3,650 slots (the last is days before ``now``). Medicines
    # 1-5 are missed on days 0, 9, 18, ...: 406 days each, taken days between, so runs of 1.
    assert (runs[0].medication_id, runs[0].length) == (6, 3650)
    assert len(runs) == 1 + 5 * len(range(0, 3650, 9))
    assert all(run.length == 1 for run in runs[1:])
    # Linear work: ten times the data takes about ten times as long; quadratic work would take
    # a hundred times. Compared with a tenth of the data timed in the same run (the best of three,
    # so a busy machine slows both alike), not against a fixed number of seconds.
    small = min(_pipeline(365)[0] for _ in range(3))
    assert elapsed < 30 * small, f"{elapsed:.3f} s for ten years vs {small:.4f} s for one"
