"""A summary of a long period draws from groups of days and weeks (issue 18): the charts and their
text stay the size of half a year's, whatever the range; 90 days are drawn as before."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.export import charts
from tracker.export.data import ChartData, DoseSeries, WeeklySymptoms


def test_group_means_average_the_present_values_of_each_run() -> None:
    # runs of 3: (1, 2, None) -> 1.5; (None, None, None) -> None; (6,) -> 6
    assert charts.group_means((1.0, 2.0, None, None, None, None, 6.0), 3) == (1.5, None, 6.0)
    assert charts.group_means((1.0, None), 1) == (1.0, None)


def test_group_size_is_one_up_to_the_limit() -> None:
    assert charts.group_size(183, 183) == 1
    assert charts.group_size(184, 183) == 2
    assert charts.group_size(30 * 365, 183) == 60  # thirty years: 60 days to a bar


def _bars(figure: charts.Figure) -> list[charts.Rect]:
    return [
        s for s in figure.shapes if isinstance(s, charts.Rect) and s.fill == charts.BURDEN_BAR and s.y > 5
    ]


def _long_chart(days: int) -> ChartData:
    start = date(1996, 1, 1)
    # burden 2 on even days, 4 on odd days, nothing logged on days divisible by 10
    burden = tuple(None if i % 10 == 0 else (2.0 if i % 2 == 0 else 4.0) for i in range(days))
    return ChartData(
        start=start,
        end=start + timedelta(days=days - 1),
        doses=(DoseSeries("Sertraline", (50.0,) * days),),
        burden=burden,
        burden_mean=burden,
        change_days=(),
    )


@pytest.mark.parametrize("days", [90, 183])
def test_up_to_half_a_year_draws_a_bar_a_day(days: int) -> None:
    bars = _bars(charts.dose_burden_chart(_long_chart(days)))
    assert len(bars) == days - len(range(0, days, 10))  # every logged day, none for the gaps


def test_thirty_years_draw_at_most_183_bars_of_the_group_means() -> None:
    days = 30 * 365
    figure = charts.dose_burden_chart(_long_chart(days))
    bars = _bars(figure)
    assert len(bars) == len(range(0, days, 60)) <= charts.MAX_BARS
    # a group of 60 days from day 0: days 0, 10, ..., 50 not logged; of the 54 others, 24 even
    # (burden 2: even days not divisible by 10) and 30 odd (4): mean (48 + 120) / 54 = 3.11
    assert charts.group_means(_long_chart(days).burden, 60)[0] == pytest.approx(168 / 54)
    short = _bars(charts.dose_burden_chart(_long_chart(90)))
    top = max(s.h for s in short)  # a bar of 4 (same axis: the maximum burden is 4 in both)
    assert bars[0].h == pytest.approx(top * (168 / 54) / 4)
    assert "10950 days" in figure.description  # the description still counts every day


def test_a_long_weekly_grid_merges_weeks_into_at_most_53_columns() -> None:
    mondays = tuple(date(1996, 1, 1) + timedelta(weeks=w) for w in range(520))
    # ten years of weeks: 10 weeks to a column; weeks 0-9 hold 1, None, 3, None, ... -> mean 2
    values = tuple((1.0 if w % 4 == 0 else 3.0) if w % 2 == 0 else None for w in range(520))
    grouped, size = charts.grouped_weeks(WeeklySymptoms(mondays, (("Brain zaps", values),)))
    assert size == 10
    assert len(grouped.weeks) == 52 and grouped.weeks[1] == mondays[10]
    # weeks 0-9: 1, 3, 1, 3, 1 at weeks 0, 2, 4, 6, 8 -> 9/5
    assert grouped.rows[0][1][0] == pytest.approx(9 / 5)
    figure = charts.weekly_symptoms_chart(WeeklySymptoms(mondays, (("Brain zaps", values),)))
    cells = [s for s in figure.shapes if isinstance(s, charts.Rect) and s.h > 3]
    assert len(cells) == 52
    assert "over 520 weeks, 10 weeks to a cell" in figure.description


def test_a_short_weekly_grid_is_unchanged() -> None:
    weekly = WeeklySymptoms((date(2026, 3, 2), date(2026, 3, 9)), (("Brain zaps", (2.0, None)),))
    assert charts.grouped_weeks(weekly) == (weekly, 1)
