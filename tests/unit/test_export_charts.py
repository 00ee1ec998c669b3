"""Chart geometry (tracker.export.charts): axes, gaps and shapes, checked by hand."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.export import charts
from tracker.export.data import ChartData, DoseSeries, WeeklySymptoms


@pytest.mark.parametrize(
    ("value", "step"), [(0, 1.0), (0.3, 0.5), (1, 1.0), (4.4, 5.0), (16.5, 20.0), (21, 50.0), (100, 100.0)]
)
def test_nice_step(value: float, step: float) -> None:
    assert charts.nice_step(value) == pytest.approx(step)


def test_axis_uses_at_most_four_readable_steps() -> None:
    assert charts.axis(22) == (10.0, 3)  # 0, 10, 20, 30
    assert charts.axis(78.75) == (20.0, 4)  # 0 to 80 mg
    assert charts.axis(0) == (1.0, 1)


def test_segments_break_at_gaps() -> None:
    points = [(0.0, 1.0), None, (2.0, 2.0), (3.0, 3.0), None]
    assert charts._segments(points) == [((0.0, 1.0),), ((2.0, 2.0), (3.0, 3.0))]


def _chart(burden: tuple[float | None, ...]) -> ChartData:
    days = len(burden)
    return ChartData(
        start=date(2026, 3, 1),
        end=date(2026, 3, days),
        doses=(DoseSeries("Sertraline", (50.0,) * (days // 2) + (25.0,) * (days - days // 2)),),
        burden=burden,
        burden_mean=burden,
        change_days=(date(2026, 3, 1 + days // 2),),
    )


def test_dose_burden_chart_draws_no_bar_for_a_day_not_logged() -> None:
    figure = charts.dose_burden_chart(_chart((2.0, None, 4.0, 0.0)))
    bars = [
        s for s in figure.shapes if isinstance(s, charts.Rect) and s.fill == charts.BURDEN_BAR and s.y > 5
    ]
    assert len(bars) == 2  # 2 and 4; the gap and the zero draw nothing
    assert bars[1].h == pytest.approx(bars[0].h * 2)
    lines = [s for s in figure.shapes if isinstance(s, charts.Polyline) and s.colour == charts.BURDEN_LINE]
    assert len(lines) == 1 and len(lines[0].points) == 2  # days 3-4; day 1 alone is no line
    dashed = [s for s in figure.shapes if isinstance(s, charts.Line) and s.dashed and s.y2 > 10]
    assert len(dashed) == 1


def test_dose_step_line_has_a_vertical_riser_at_the_change() -> None:
    figure = charts.dose_burden_chart(_chart((1.0,) * 4))
    (dose,) = [
        s for s in figure.shapes if isinstance(s, charts.Polyline) and s.colour == charts.DOSE_COLOURS[0]
    ]
    xs = [x for x, _ in dose.points]
    ys = [y for _, y in dose.points]
    assert len(dose.points) == 4  # start, riser top, riser bottom, end of the last day
    assert xs[1] == xs[2] and ys[1] < ys[2]  # the reduction goes down
    assert "Sertraline from 50 to 25 mg/day" in figure.description


def test_weekly_grid_shades_by_severity_and_not_logged_differs_in_shape() -> None:
    weekly = WeeklySymptoms(
        (date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)), (("Brain zaps", (2.6, None, 0.4)),)
    )
    figure = charts.weekly_symptoms_chart(weekly)
    cells = [s for s in figure.shapes if isinstance(s, charts.Rect) and s.h > 3]
    first, gap, none = cells[:3]
    # logged weeks are filled squares with a grid outline (a mean of 0.4 rounds to "none")
    assert (first.fill, first.stroke) == (charts.SEVERITY_FILLS[3], charts.GRID)
    assert (none.fill, none.stroke) == (charts.SEVERITY_FILLS[0], charts.GRID)
    # the week with nothing logged: white, no solid outline, a dashed border and a diagonal inside it
    assert (gap.fill, gap.stroke) == (charts.NOT_LOGGED_FILL, None)
    inside = [
        s
        for s in figure.shapes
        if isinstance(s, charts.Line)
        and gap.x <= min(s.x1, s.x2) <= max(s.x1, s.x2) <= gap.x + gap.w
        and gap.y <= min(s.y1, s.y2) <= max(s.y1, s.y2) <= gap.y + gap.h
    ]
    assert sum(s.dashed for s in inside) == 4
    assert any(not s.dashed and s.x1 != s.x2 and s.y1 != s.y2 for s in inside)  # the diagonal
    assert "1 main symptoms over 3 weeks" in figure.description


def test_date_ticks_are_months_for_long_periods_and_mondays_for_short() -> None:
    assert charts._date_ticks(date(2026, 8, 30), date(2026, 11, 27)) == [
        date(2026, 9, 1),
        date(2026, 10, 1),
        date(2026, 11, 1),
    ]
    assert charts._date_ticks(date(2026, 3, 1), date(2026, 3, 20)) == [
        date(2026, 3, 2),
        date(2026, 3, 9),
        date(2026, 3, 16),
    ]
