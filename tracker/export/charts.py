"""The summary's two charts as lists of drawing primitives, in millimetres.

Both the HTML (inline SVG) and the PDF (fpdf2 drawing calls) use a top-left origin
with y growing downwards, so one geometry serves both: each renderer only maps a
``Line``, ``Polyline``, ``Rect`` or ``Text`` to its own call. No plotting library.

Gap rule: a day with nothing logged draws nothing (no bar, a break in the line).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.export.data import ChartData, WeeklySymptoms

# Colours that stay distinct when printed in grey: a dark line for the dose, light bars
# and a mid-dark line for the burden, one warm hue from light to dark for severity.
DOSE_COLOURS = ("#1d4ed8", "#7c3aed", "#0f766e", "#b45309")
BURDEN_BAR = "#fdba74"
BURDEN_LINE = "#c2410c"
AXIS = "#475569"
GRID = "#e2e8f0"
CHANGE_MARK = "#94a3b8"
SEVERITY_FILLS = ("#fff7ed", "#fed7aa", "#fb923c", "#c2410c")  # none, mild, moderate, severe
NOT_LOGGED_FILL = "#ffffff"
TEXT = "#0f172a"

FONT = 2.6  # label size in mm (about 7.4 pt)
SMALL = 2.3


@dataclass(frozen=True, slots=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    colour: str
    width: float = 0.2
    dashed: bool = False


@dataclass(frozen=True, slots=True)
class Polyline:
    points: tuple[tuple[float, float], ...]
    colour: str
    width: float = 0.4


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str | None
    stroke: str | None = None
    width: float = 0.15


@dataclass(frozen=True, slots=True)
class Text:
    x: float
    y: float  # baseline
    text: str
    size: float = FONT
    anchor: str = "start"  # start, middle, end
    colour: str = TEXT
    bold: bool = False


Shape = Line | Polyline | Rect | Text


@dataclass(frozen=True, slots=True)
class Figure:
    """A chart: its size in mm, its shapes, and a text description for screen readers."""

    width: float
    height: float
    shapes: tuple[Shape, ...]
    description: str


def nice_step(value: float) -> float:
    """The smallest of 1, 2, 5 x 10^n that is >= ``value``: a readable axis step (1 for 0)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 5.0, 10.0):
        if step * power >= value - 1e-9:
            return step * power
    return 10.0 * power  # pragma: no cover - the loop always returns


def axis(maximum: float, intervals: int = 4) -> tuple[float, int]:
    """A readable axis for values up to ``maximum``: (step, number of steps), at most ``intervals`` + 1."""
    step = nice_step(maximum / intervals)
    return step, max(1, math.ceil(maximum / step - 1e-9))


def text_width(text: str, size: float) -> float:
    """A generous estimate of a label's width in mm (DejaVu Sans averages under 0.62 em)."""
    return len(text) * size * 0.62


def _number(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:g}"


def short_date(day: date) -> str:
    """``5 Sep``: compact axis labels."""
    return f"{day.day} {day:%b}"


def _segments(points: Sequence[tuple[float, float] | None]) -> list[tuple[tuple[float, float], ...]]:
    """Split a series of points at its gaps (None) into runs to draw as separate lines."""
    runs: list[tuple[tuple[float, float], ...]] = []
    current: list[tuple[float, float]] = []
    for point in points:
        if point is None:
            if current:
                runs.append(tuple(current))
            current = []
        else:
            current.append(point)
    if current:
        runs.append(tuple(current))
    return runs


def _date_ticks(start: date, end: date) -> list[date]:
    """Tick days: the 1st of each month for long periods, Mondays for short ones."""
    days = (end - start).days + 1
    ticks: list[date] = []
    if days > 62:
        day = date(start.year, start.month, 1)
        if day < start:
            day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        step_months = 1 if days <= 200 else 2 if days <= 400 else 3
        while day <= end:
            ticks.append(day)
            month = day.month - 1 + step_months
            day = date(day.year + month // 12, month % 12 + 1, 1)
    else:
        day = start + timedelta(days=(7 - start.weekday()) % 7)
        step = 7 if days <= 35 else 14
        while day <= end:
            ticks.append(day)
            day += timedelta(days=step)
    return ticks


LEGEND_ROW = 3.6


def _legend(chart: ChartData, left: float, right: float) -> tuple[list[Shape], int]:
    """The legend above the plot (a sample of each mark, then its label), wrapped to the width."""
    items: list[tuple[str, str, str]] = [
        ("line", DOSE_COLOURS[n % len(DOSE_COLOURS)], f"{series.medication} prescribed daily dose (mg, left)")
        for n, series in enumerate(chart.doses)
    ]
    items += [
        ("bar", BURDEN_BAR, "daily symptom burden (right)"),
        ("line", BURDEN_LINE, "7-day mean"),
        ("dash", CHANGE_MARK, "dose change"),
    ]
    shapes: list[Shape] = []
    x, row = left, 0
    for kind, colour, label in items:
        item_w = 6 + text_width(label, SMALL)
        if x > left and x + item_w > right:
            x, row = left, row + 1
        y = 3.2 + row * LEGEND_ROW
        if kind == "line":
            shapes.append(Line(x, y - 0.8, x + 5, y - 0.8, colour, 0.6 if colour != BURDEN_LINE else 0.45))
        elif kind == "bar":
            shapes.append(Rect(x + 1, y - 2.0, 3, 2.2, colour))
        else:
            shapes.append(Line(x + 2.5, y - 2, x + 2.5, y + 0.5, colour, 0.25, dashed=True))
        shapes.append(Text(x + 6, y, label, SMALL))
        x += item_w + 3
    return shapes, row + 1


MAX_BARS = 183
"""Bars the dose and burden chart draws at most: a longer period draws one bar per group of days
(the mean of the days logged in it), so a summary of thirty years draws as much as half a year."""
MAX_COLUMNS = 53
"""Columns of the weekly heat grid at most: a longer period shows one cell per group of weeks."""


def group_size(count: int, limit: int) -> int:
    """How many days (or weeks) one bar (or cell) stands for: 1 up to ``limit``."""
    return max(1, math.ceil(count / limit))


def group_means(values: Sequence[float | None], size: int) -> tuple[float | None, ...]:
    """The mean of the present values of each run of ``size`` values (None for a run of none)."""
    if size == 1:
        return tuple(values)
    out: list[float | None] = []
    for offset in range(0, len(values), size):
        present = [v for v in values[offset : offset + size] if v is not None]
        out.append(sum(present) / len(present) if present else None)
    return tuple(out)


def grouped_weeks(weekly: WeeklySymptoms, limit: int = MAX_COLUMNS) -> tuple[WeeklySymptoms, int]:
    """The weekly grid with runs of weeks merged (mean of the logged weekly means) when it has
    more than ``limit`` weeks; and how many weeks a column stands for."""
    size = group_size(len(weekly.weeks), limit)
    if size == 1:
        return weekly, 1
    return (
        WeeklySymptoms(
            weeks=tuple(weekly.weeks[::size]),
            rows=tuple((name, group_means(values, size)) for name, values in weekly.rows),
        ),
        size,
    )


def dose_burden_chart(chart: ChartData, width: float = 186.0, height: float = 52.0) -> Figure:
    """Prescribed daily dose (step lines, left axis) and daily symptom burden (bars, with the
    trailing 7-day mean as a line; right axis) over the period, dose changes marked."""
    left, right, bottom = 13.0, 11.0, 7.0
    legend, legend_rows = _legend(chart, left, width - right)
    top = 5.0 + LEGEND_ROW * legend_rows
    height += LEGEND_ROW * (legend_rows - 1)  # the plot keeps its size when the legend wraps
    plot_w, plot_h = width - left - right, height - top - bottom
    days = (chart.end - chart.start).days + 1
    day_w = plot_w / days
    shapes: list[Shape] = []

    dose_step, dose_n = axis(max((v for s in chart.doses for v in s.values), default=0.0) * 1.05)
    burden_step, burden_n = axis(max((v for v in chart.burden if v is not None), default=0.0) or 4.0)
    dose_max, burden_max = dose_step * dose_n, burden_step * burden_n
    bottom_y = top + plot_h

    def x_of(index: float) -> float:
        return left + index * day_w

    def y_dose(mg: float) -> float:
        return bottom_y - mg / dose_max * plot_h

    def y_burden(value: float) -> float:
        return bottom_y - value / burden_max * plot_h

    # grid lines follow the dose axis (left); the burden axis (right) has its own ticks
    for i in range(dose_n + 1):
        y = y_dose(dose_step * i)
        shapes.append(Line(left, y, left + plot_w, y, GRID if i else AXIS, 0.15 if i else 0.25))
        shapes.append(Text(left - 1.2, y + 0.9, _number(dose_step * i), SMALL, "end", DOSE_COLOURS[0]))
    for i in range(burden_n + 1):
        y = y_burden(burden_step * i)
        shapes.append(Line(left + plot_w, y, left + plot_w + 0.8, y, BURDEN_LINE, 0.2))
        shapes.append(
            Text(left + plot_w + 1.4, y + 0.9, _number(burden_step * i), SMALL, "start", BURDEN_LINE)
        )
    shapes.append(Line(left + plot_w, top, left + plot_w, bottom_y, BURDEN_LINE, 0.2))
    shapes.append(Text(left - 1.2, top - 2.2, "mg/day", SMALL, "end", DOSE_COLOURS[0]))
    shapes.append(Text(left + plot_w + 1.2, top - 2.2, "burden", SMALL, "start", BURDEN_LINE))
    for tick in _date_ticks(chart.start, chart.end):
        x = x_of((tick - chart.start).days + 0.5)
        shapes.append(Line(x, bottom_y, x, bottom_y + 1.0, AXIS, 0.2))
        shapes.append(Text(x, bottom_y + 3.6, short_date(tick), SMALL, "middle", AXIS))

    # burden bars first, so the lines draw over them; a long period: one bar per group of days
    size = group_size(len(chart.burden), MAX_BARS)
    group_w = day_w * size
    bar_w = max(group_w * 0.8, 0.15)
    for group, value in enumerate(group_means(chart.burden, size)):
        if value is None or value <= 0:
            continue
        y = y_burden(value)
        shapes.append(Rect(x_of(group * size) + (group_w - bar_w) / 2, y, bar_w, bottom_y - y, BURDEN_BAR))

    for day in chart.change_days:
        x = x_of((day - chart.start).days)
        shapes.append(Line(x, top, x, bottom_y, CHANGE_MARK, 0.25, dashed=True))

    mean_points = [
        None if value is None else (x_of(i * size + size / 2), y_burden(value))
        for i, value in enumerate(group_means(chart.burden_mean, size))
    ]
    for run in _segments(mean_points):
        if len(run) > 1:
            shapes.append(Polyline(run, BURDEN_LINE, 0.45))

    for n, series in enumerate(chart.doses):
        colour = DOSE_COLOURS[n % len(DOSE_COLOURS)]
        # a step line: one point where the period starts, two at each change, one at the end
        points: list[tuple[float, float]] = []
        for index, mg in enumerate(series.values):
            y = y_dose(mg)
            if not points:
                points.append((x_of(index), y))
            elif abs(points[-1][1] - y) > 1e-9:
                points.extend(((x_of(index), points[-1][1]), (x_of(index), y)))
        if not points:
            continue
        points.append((x_of(days), points[-1][1]))
        shapes.append(Polyline(tuple(points), colour, 0.6))

    shapes.extend(legend)

    logged = sum(1 for v in chart.burden if v is not None)
    doses = "; ".join(
        f"{s.medication} from {_number(s.values[0])} to {_number(s.values[-1])} mg/day"
        for s in chart.doses
        if s.values
    )
    description = (
        f"Chart of the prescribed daily dose ({doses or 'none'}) and the daily symptom burden "
        f"({logged} of {days} days logged) from {chart.start.isoformat()} to {chart.end.isoformat()}."
    )
    return Figure(width, height, tuple(shapes), description)


def severity_fill(value: float | None) -> str:
    """Fill colour of a heat-grid cell: the rounded mean severity; white when not logged."""
    if value is None:
        return NOT_LOGGED_FILL
    return SEVERITY_FILLS[max(0, min(3, round(value)))]


def weekly_symptoms_chart(weekly: WeeklySymptoms, width: float = 186.0) -> Figure:
    """The main symptoms by week: one row per symptom, one cell per week, shaded by the
    week's mean severity (logged days only); an empty cell means nothing was logged."""
    label_w, top, row_h, bottom = 46.0, 1.0, 4.0, 10.0
    total_weeks = len(weekly.weeks)
    weekly, size = grouped_weeks(weekly)
    rows = weekly.rows
    height = top + row_h * max(len(rows), 1) + bottom
    weeks = len(weekly.weeks)
    cell_w = (width - label_w - 2) / max(weeks, 1)
    shapes: list[Shape] = []
    if not rows:
        shapes.append(Text(0, top + 3, "No symptoms were rated above none in this period.", FONT))
    for r, (name, values) in enumerate(rows):
        y = top + r * row_h
        shapes.append(Text(label_w - 1.5, y + row_h / 2 + 0.9, _clip(name, 30), FONT, "end"))
        for w, value in enumerate(values):
            x0, y0, cw, ch = label_w + w * cell_w, y + 0.3, cell_w - 0.3, row_h - 0.6
            if value is None:
                shapes.extend(_not_logged_cell(x0, y0, cw, ch))
            else:
                shapes.append(Rect(x0, y0, cw, ch, severity_fill(value), GRID, 0.15))
    grid_bottom = top + row_h * max(len(rows), 1)
    label_every = max(1, math.ceil(weeks / 12))
    for w, monday in enumerate(weekly.weeks):
        if w % label_every == 0:
            shapes.append(
                Text(
                    label_w + (w + 0.5) * cell_w, grid_bottom + 3.2, short_date(monday), SMALL, "middle", AXIS
                )
            )
    legend_y = grid_bottom + 8.0
    x = label_w
    starting = "week starting" if size == 1 else f"{size} weeks starting"
    shapes.append(Text(label_w - 1.5, legend_y, f"{starting}; mean severity:", SMALL, "end", AXIS))
    for value, label in enumerate(("none", "mild", "moderate", "severe")):
        shapes.append(Rect(x, legend_y - 2.2, 4, 2.6, SEVERITY_FILLS[value], GRID))
        shapes.append(Text(x + 5, legend_y, label, SMALL))
        x += 5 + text_width(label, SMALL) + 2.5
    shapes.extend(_not_logged_cell(x, legend_y - 2.2, 4, 2.6))
    shapes.append(Text(x + 5, legend_y, "not logged", SMALL))
    description = (
        f"Weekly mean severity of the {len(rows)} main symptoms over {total_weeks} weeks"
        + ("" if size == 1 else f", {size} weeks to a cell")
        + ": "
        + "; ".join(name for name, _ in rows)
        + "."
    )
    return Figure(width, height, tuple(shapes), description)


def _not_logged_cell(x: float, y: float, w: float, h: float) -> list[Shape]:
    """ "Not logged" differs from "none" in shape, not only in shade: an empty dashed cell crossed
    by a diagonal, where "none" is a filled square."""
    return [
        Rect(x, y, w, h, NOT_LOGGED_FILL, None),
        Line(x, y, x + w, y, AXIS, 0.15, dashed=True),
        Line(x, y + h, x + w, y + h, AXIS, 0.15, dashed=True),
        Line(x, y, x, y + h, AXIS, 0.15, dashed=True),
        Line(x + w, y, x + w, y + h, AXIS, 0.15, dashed=True),
        Line(x, y + h, x + w, y, AXIS, 0.2),
    ]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
