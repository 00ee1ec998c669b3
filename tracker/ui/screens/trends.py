"""Trends: dose, symptom burden, heat maps, mood and sleep, dose-change timing, adherence.

One shared date axis for the range chosen with keys 1-4 (30 days, 90 days, a
year, everything). Charts are drawn by plotext (textual-plotext); the heat maps
are a grid of Rich-styled cells. Every number comes from
``tracker.services.trends.trends_data`` in a thread worker; nothing here reads
the database or does statistics.

Wording rule (DOMAIN.md): the timing facts beside each dose change are general
facts with their sources, next to the user's own numbers; the screen never
labels an episode as withdrawal or relapse and never suggests a dose change.

Benchmarks and tests know the screen is ready when it posts ``TrendsReady``
(and sets ``ready = True``) after the data of the latest request is drawn.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, ClassVar, Literal

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Button, Footer, Header, Label, SelectionList, Static
from textual.widgets.selection_list import Selection
from textual_plotext import PlotextPlot
from textual_plotext.plot import Plot

from tracker.domain.timeutil import local_day
from tracker.domain.trends import (
    RANGE_LABELS,
    DoseChangeKind,
    HeatMap,
    PeriodAdherence,
    TrendRange,
)
from tracker.domain.trends_extra import date_ticks, downsample, logged_runs, step_points
from tracker.domain.units import format_mg
from tracker.ui.base import DbScreen
from tracker.ui.widgets.cells import plain
from tracker.ui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from tracker.services.trends import TrendsData
    from tracker.store import Reads

__all__ = ["SymptomPicker", "TrendsReady", "TrendsScreen"]

_SEQ = itertools.count(1)  # results may come back out of order from threads: keep the latest

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")

# Each series' role, drawn in the theme's colour for it (trend_colours): the text colours every
# theme measures at 4.5:1 on its background (tests/unit/test_theme_contrast.py), so lines, marks
# and the legends naming them stay readable in each theme (issue 17).
BURDEN_COLOUR = "burden"
MEAN_COLOUR = "mean"
DOSE_COLOURS = ("dose-1", "dose-2", "dose-3", "dose-4")
CHANGE_COLOUR = "change"
MARK_COLOURS = {"hold": "hold", "step back": "step-back"}
OTHER_MARK_COLOUR = "mark"
MOOD_COLOUR = "mood"
SLEEP_COLOUR = "sleep"
_ROLE_VARIABLES = {
    "burden": "text-muted",
    "mean": "text-error",
    "dose-1": "text-primary",
    "dose-2": "text-success",
    "dose-3": "text-accent",
    "dose-4": "text-secondary",
    "change": "text-warning",
    "hold": "text-secondary",
    "step-back": "text-error",
    "mark": "text-success",  # plan started, resumed: apart from the orange dose changes
    "mood": "text-success",
    "sleep": "text-primary",
    "missed": "text-error",
    "heat-0": "text-success",
    "heat-1": "text-accent",
    "heat-2": "text-warning",
    "heat-3": "text-error",
    "unlogged": "text-muted",
}
# Without a theme (a test drawing a grid alone): the colours of taper-dark.
_FALLBACK = {
    "text-muted": "#B0B0B0", "text-error": "#F597AA", "text-primary": "#6CB4EE", "text-success": "#5BD384",
    "text-accent": "#FFA62B", "text-secondary": "#8FC3F0", "text-warning": "#FFA62B",
}  # fmt: skip


def trend_colours(variables: dict[str, str] | None = None) -> dict[str, str]:
    """Each role's Rich colour in the theme whose CSS variables are given (App.theme_variables).

    Hex colours stay hex; an ANSI theme's ``ansi_bright_red`` becomes Rich's ``bright_red``, and
    ``ansi_default`` the terminal's own text colour.
    """
    source = variables or _FALLBACK
    out = {}
    for role, name in _ROLE_VARIABLES.items():
        raw = (source.get(name) or _FALLBACK[name]).split()[0]
        out[role] = raw.removeprefix("ansi_") if raw.startswith("ansi_") else raw
    return out


def rich_colour(role: str, colours: dict[str, str] | None = None) -> str:
    """The Rich colour of a series' role (a plain style such as "dim" passes through)."""
    return (colours or trend_colours()).get(role, role)


def plotext_colour(role: str, colours: dict[str, str]) -> str | tuple[int, int, int]:
    """The plotext colour of a role: an RGB triple, or plotext's name for an ANSI colour."""
    colour = colours.get(role, role)
    if colour.startswith("#"):
        return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))
    if colour.startswith("bright_"):
        return colour.removeprefix("bright_") + "+"
    return colour


# Heat map cells: a glyph per severity so the grid reads without colour too.
_HEAT_GLYPHS = ("░", "▒", "▓", "█")
_HEAT_STYLES = ("heat-0", "heat-1", "heat-2", "heat-3")  # roles: green, amber, orange, red in most themes
_HEAT_NAMES = ("none", "mild", "moderate", "severe")
_UNLOGGED = "·"
_UNLOGGED_STYLE = "unlogged"
_TABLE_WEEKS = 53  # weekly adherence rows shown; longer ranges say how many are left out


@dataclass
class TrendsReady(Message):
    """The Trends screen has drawn the data of its latest request."""

    range_kind: TrendRange
    symptoms: tuple[str, ...]


def _day(day: date, *, year: bool = True) -> str:
    text = f"{day.day} {_MONTHS[day.month - 1]}"
    return f"{text} {day.year}" if year else text


def _ticks(width: int) -> int:
    """How many date labels fit a chart ``width`` cells wide (each needs about 9)."""
    return max(2, (width - 12) // 10)


def _y_ticks(top: float, count: int) -> list[float]:
    """Round ticks from 0 up to at least ``top``, about ``count`` of them (1, 2, 2.5 or 5 x 10^n apart)."""
    count = max(2, count)
    raw = max(top, 1e-9) / (count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ticks = [0.0]
    while ticks[-1] < top - 1e-9:
        ticks.append(round(ticks[-1] + step, 6))
    return ticks


def _y_axis(plt: Plot, top: float, count: int, side: str = "left") -> None:
    """Fix one y axis from 0 to its last round tick, labelled without needless decimals."""
    ticks = _y_ticks(top, count)
    # plotext's stub types yside as a float; it takes "left" or "right".
    plt.ylim(0, ticks[-1] * 1.02, yside=side)  # type: ignore[arg-type]
    plt.yticks(ticks, [_number(t) for t in ticks], yside=side)  # type: ignore[arg-type]


def _colour_line(parts: Sequence[tuple[str, str]], colours: dict[str, str] | None = None) -> Text:
    text = Text()
    for index, (label, style) in enumerate(parts):
        if index:
            text.append("  ")
        text.append(label, style=rich_colour(style, colours))
    return text


# ---------------------------------------------------------------------------
# Charts (plotext draws; these widgets only feed it and redraw on resize)
# ---------------------------------------------------------------------------


def bin_days(days: int, width: int) -> int:
    """Days merged into one plotted point: braille gives two points per cell of chart width."""
    return downsample([None] * days, max(1, 2 * width))[0]


def plot_runs(series: Sequence[float | None], width: int) -> list[tuple[list[float], list[float]]]:
    """Runs of logged points (x in days from the range start), merged to what ``width`` cells can show."""
    k, bins = downsample(series, max(1, 2 * width))
    offset = (k - 1) / 2  # a merged point sits in the middle of its days
    return [
        ([(first + i) * k + offset for i in range(len(values))], values)
        for first, values in logged_runs(bins)
    ]


class TrendPlot(PlotextPlot):
    """A plotext chart over the range's days, redrawn from its data at every size."""

    DEFAULT_CSS = """
    TrendPlot {
        height: 14;
        width: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data: TrendsData | None = None

    def show(self, data: TrendsData) -> None:
        self.data = data
        self.refresh()

    def colour(self, role: str) -> str | tuple[int, int, int]:
        return plotext_colour(role, trend_colours(self.app.theme_variables))

    def render(self) -> RenderResult:
        # textual-plotext's "auto" theme parses $surface and $foreground, which an ANSI theme leaves
        # to the terminal: they came out black on black. plotext's "clear" leaves them to it too.
        wanted: Literal["auto", "clear"] = "clear" if self.app.current_theme.ansi else "auto"
        if self.theme != wanted:
            self.set_reactive(PlotextPlot.theme, wanted)
        # Rebuilt at each render so ticks follow the width: a resize redraws the chart.
        self.plt.clear_figure()
        if self.data is not None:
            self.draw(self.data, self.size.width, self.size.height)
        return super().render()

    def draw(self, data: TrendsData, width: int, height: int) -> None:
        """Add the series to ``self.plt``."""
        raise NotImplementedError

    def date_axis(self, data: TrendsData, width: int) -> None:
        ticks = date_ticks(data.span.start, data.span.end, _ticks(width))
        self.plt.xticks([float(i) for i, _ in ticks], [label for _, label in ticks])
        self.plt.xlim(0, max(1, data.span.days))


class TimelinePlot(TrendPlot):
    """Daily burden and its 7-day mean (left axis), daily dose per medication (right axis, mg)."""

    def draw(self, data: TrendsData, width: int, height: int) -> None:
        plt = self.plt
        top = max([v for v in data.burden if v is not None] or [1.0])
        for xs, values in plot_runs(data.burden, width):
            plt.plot(xs, values, color=self.colour(BURDEN_COLOUR), marker="braille")
        for xs, values in plot_runs(data.burden_mean, width):
            plt.plot(xs, values, color=self.colour(MEAN_COLOUR), marker="braille")
        top_mg = 0.0
        for index, med in enumerate(data.medications):
            xs, ys = step_points(med.segments, data.span.start, data.span.end)
            top_mg = max(top_mg, *ys)
            colour = self.colour(DOSE_COLOURS[index % len(DOSE_COLOURS)])
            plt.plot(xs, ys, color=colour, marker="braille", yside="right")
        for fact in data.changes:
            plt.vertical_line(
                float((fact.change.day - data.span.start).days), color=self.colour(CHANGE_COLOUR)
            )
        for mark in data.marks:
            colour = self.colour(MARK_COLOURS.get(mark.label, OTHER_MARK_COLOUR))
            plt.vertical_line(float((mark.day - data.span.start).days), color=colour)
        rows = max(2, (height - 3) // 2)
        _y_axis(plt, top, rows)
        if data.medications:
            _y_axis(plt, top_mg or 1.0, rows, side="right")
        self.date_axis(data, width)


class MoodSleepPlot(TrendPlot):
    """Mood (0-10, left axis) and hours slept (right axis) per day."""

    DEFAULT_CSS = """
    MoodSleepPlot {
        height: 11;
    }
    """

    def draw(self, data: TrendsData, width: int, height: int) -> None:
        plt = self.plt
        for xs, values in plot_runs(data.mood, width):
            plt.plot(xs, values, color=self.colour(MOOD_COLOUR), marker="braille")
        top_sleep = max([v for v in data.sleep if v is not None] or [8.0])
        for xs, values in plot_runs(data.sleep, width):
            plt.plot(xs, values, color=self.colour(SLEEP_COLOUR), marker="braille", yside="right")
        rows = max(2, (height - 3) // 2)
        _y_axis(plt, 10, min(rows, 6))
        _y_axis(plt, max(10.0, top_sleep), min(rows, 6), side="right")
        self.date_axis(data, width)


# ---------------------------------------------------------------------------
# Heat maps: a grid of styled cells, weeks across, weekdays down
# ---------------------------------------------------------------------------


def heat_lines(heat: HeatMap, width: int, colours: dict[str, str] | None = None) -> list[Text]:
    """The grid of one symptom in as many blocks of weeks as ``width`` needs (no horizontal scroll).

    Unlogged days show a dim dot, days outside the range stay blank; logged days show
    the severity's glyph and colour (a logged 0 is a light cell, never a blank).
    """
    weeks = heat.weeks
    if not weeks:
        return []
    room = max(4, width - 3)
    cell = max(1, min(3, room // len(weeks)))
    per_block = max(1, room // cell)
    lines: list[Text] = []
    for block_start in range(0, len(weeks), per_block):
        block = weeks[block_start : block_start + per_block]
        lines.append(_month_row([week.monday for week in block], cell, heat.start))
        for weekday in range(7):
            # Equal neighbouring cells become one span: ten years are ~500 cells a row.
            runs: list[tuple[str, str]] = []
            for week in block:
                value = week.cells[weekday]
                if not heat.in_range(week.monday + timedelta(days=weekday)):
                    piece, style = " " * cell, ""
                elif value is None:
                    piece, style = _UNLOGGED.center(cell), rich_colour(_UNLOGGED_STYLE, colours)
                else:
                    piece, style = _HEAT_GLYPHS[value] * cell, rich_colour(_HEAT_STYLES[value], colours)
                if runs and runs[-1][1] == style:
                    runs[-1] = (runs[-1][0] + piece, style)
                else:
                    runs.append((piece, style))
            row = Text(f"{_WEEKDAYS[weekday]} ", style="dim")
            for piece, style in runs:
                row.append(piece, style=style or None)
            lines.append(row)
    return lines


def _month_row(mondays: Sequence[date], cell: int, first_day: date) -> Text:
    """Month names above the grid: over each week holding a 1st, and over the first week shown.

    The first week's name gives way when the next month's name would overlap it.
    """
    labels: list[tuple[int, str]] = []
    for index, monday in enumerate(mondays):
        week = [monday + timedelta(days=i) for i in range(7)]
        first = next((day for day in week if day.day == 1 and day >= first_day), None)
        if first is not None:
            labels.append((index * cell, _MONTHS[first.month - 1]))
        elif index == 0:
            labels.append((0, _MONTHS[max(monday, first_day).month - 1]))
    if len(labels) > 1 and labels[1][0] <= labels[0][0] + len(labels[0][1]):
        labels.pop(0)
    chars = [" "] * (len(mondays) * cell + 3)
    free_from = 0
    for column, name in labels:
        if column < free_from:
            continue  # the previous name still runs here
        chars[column : column + len(name)] = name
        free_from = column + len(name) + 1
    return Text("   " + "".join(chars).rstrip(), style="dim")


def heat_legend(colours: dict[str, str] | None = None) -> Text:
    text = Text("Severity: ")
    for value in range(4):
        text.append(_HEAT_GLYPHS[value] * 2, style=rich_colour(_HEAT_STYLES[value], colours))
        text.append(f" {_HEAT_NAMES[value]}  ")
    text.append(_UNLOGGED, style=rich_colour(_UNLOGGED_STYLE, colours))
    text.append(" not logged")
    return text


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"


class HeatMaps(Widget):
    """The heat maps of the chosen symptoms; the grid wraps to the width, never scrolls sideways."""

    DEFAULT_CSS = """
    HeatMaps {
        height: auto;
        width: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data: TrendsData | None = None
        self._strips: dict[int, list[Strip]] = {}  # by width: layout and paint ask several times

    def show(self, data: TrendsData) -> None:
        self.data = data
        self._strips.clear()
        self.refresh(layout=True)

    def _lines(self, width: int) -> list[Text]:
        data = self.data
        if data is None:
            return []
        if not data.symptoms:
            return [
                Text("No symptoms chosen or logged in this range. Press y to choose symptoms.", style="dim")
            ]
        colours = trend_colours(self.app.theme_variables)
        lines: list[Text] = [heat_legend(colours)]
        for heat in data.symptoms:
            s = heat.summary
            title = Text()
            title.append(heat.name, style="bold")
            worst = _HEAT_NAMES[s.worst] if s.worst is not None else "-"
            detail = (
                f"  {s.days_logged} days logged, {s.days_present} with it, worst {worst}, "
                f"mean {_number(s.mean)}"
            )
            if s.baseline is not None:
                detail += f" (baseline {_number(s.baseline)})"
            title.append(detail, style="dim")
            lines.append(Text(""))
            lines.append(title)
            lines.extend(heat_lines(heat.heat, width, colours))
        return lines

    def _lines_as_strips(self, width: int) -> list[Strip]:
        """The lines rendered to segments once per width (the Line API then paints them as they are)."""
        if width not in self._strips:
            console = self.app.console
            strips: list[Strip] = []
            for line in self._lines(width):
                # Titles may be longer than a narrow terminal: wrap them (grid rows always fit).
                for part in line.wrap(console, max(1, width)) if line.cell_len > width else [line]:
                    strips.append(Strip(list(part.render(console)), part.cell_len).adjust_cell_length(width))
            self._strips[width] = strips
        return self._strips[width]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self._lines_as_strips(width)))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        strips = self._lines_as_strips(width)
        strip = strips[y] if y < len(strips) else Strip.blank(width)
        return strip.apply_style(self.rich_style)


# ---------------------------------------------------------------------------
# Text sections
# ---------------------------------------------------------------------------


def _mg(value: float) -> str:
    return format_mg(value)


_KIND_WORDS = {
    DoseChangeKind.START: "start",
    DoseChangeKind.INCREASE: "increase",
    DoseChangeKind.REDUCTION: "reduction",
    DoseChangeKind.STOP: "stop",
}


def changes_text(data: TrendsData, colours: dict[str, str] | None = None) -> RenderableType:
    """Each dose change in range with its numbers, then the general timing facts with sources."""
    if not data.changes:
        return Text("No change of prescribed dose in this range.", style="dim")
    parts: list[RenderableType] = []
    for index, fact in enumerate(data.changes):
        change = fact.change
        head = Text(f"{_day(change.day)}  ", style="bold")
        head.append(
            f"{fact.medication} {_mg(change.from_mg)} -> {_mg(change.to_mg)} a day "
            f"({_KIND_WORDS[change.kind]})",
            style=f"bold {rich_colour(CHANGE_COLOUR, colours)}"
            if change.kind is DoseChangeKind.REDUCTION
            else "bold",
        )
        if index:
            parts.append(Text(""))
        parts.append(head)
        parts.extend(Padding(Text(line), (0, 0, 0, 2)) for line in fact.lines)
    for kind, facts in data.facts:
        heading = (
            "About reductions and stops (general facts, not about you):"
            if kind is DoseChangeKind.REDUCTION
            else "About starts and increases (general facts, not about you):"
        )
        parts.append(Text(""))
        parts.append(Text(heading, style="italic"))
        parts.extend(Padding(Text(f"- {line}"), (0, 0, 0, 2)) for line in facts)
    return Group(*parts)


def scales_text(data: TrendsData) -> Text:
    """One line per scale: each total in the range with its band, oldest first (not a diagnosis)."""
    from tracker.domain.scales import SCALES, band_for

    text = Text()
    if not data.scales:
        text.append("None filled in for this range. Q on Today fills one in (optional, every 2 weeks).")
        text.stylize("dim")
        return text
    for key, scale in SCALES.items():
        rows = [r for r in data.scales if r.scale == key][-6:]
        if not rows:
            continue
        if text:
            text.append("\n")
        text.append(f"{scale.name:<6}", style="bold")
        text.append(
            "  ".join(f"{r.day.day} {r.day:%b} {r.total} {band_for(scale, r.total).label}" for r in rows)
        )
    text.append("\nScores, not a diagnosis; bands from the scales' authors.", "dim")
    return text


def _share(count: int, total: int) -> str:
    return f"{round(100 * count / total)}%" if total else "-"


def adherence_summary(data: TrendsData) -> Text:
    total = data.adherence_total
    text = Text()
    if total is None:
        pending = sum(w.pending for w in data.adherence)
        text.append(
            "No scheduled doses to count in this range"
            + (f" ({pending} still to come)." if pending else "."),
            style="dim",
        )
        return text
    n = total.scheduled
    text.append(f"{total.taken} of {n} scheduled doses taken ({_share(total.taken, n)})", style="bold")
    text.append(
        f", {total.late} of them late, more than 2 hours after the time ({_share(total.late, n)}); "
        f"{total.skipped} skipped ({_share(total.skipped, n)}); "
        f"{total.missed} missed ({_share(total.missed, n)})."
    )
    if total.pending:
        text.append(f" {total.pending} not yet due or still open.", style="dim")
    names = dict(data.medication_names)
    runs = [run for run in data.missed_runs if run.length >= 2][:5]
    if runs:
        text.append("\nLongest runs of missed doses in a row: ")
        text.append(
            "; ".join(
                f"{run.length} of {names.get(run.medication_id, '?')} "
                f"({_day(local_day(run.start, data.tz), year=False)} to "
                f"{_day(local_day(run.last, data.tz), year=False)})"
                for run in runs
            )
        )
    elif data.missed_runs:
        text.append("\nNo two missed doses in a row.", style="dim")
    return text


def adherence_table(
    weeks: Sequence[PeriodAdherence], colours: dict[str, str] | None = None
) -> RenderableType:
    """Weekly shares, newest week first."""
    table = Table(box=None, pad_edge=False, expand=False, header_style="bold")
    for name in ("Week of", "Doses", "Taken", "Late", "Skipped", "Missed"):
        table.add_column(name, justify="left" if name == "Week of" else "right")
    shown = list(reversed(weeks))[:_TABLE_WEEKS]
    for week in shown:
        n = week.scheduled
        missed_style = rich_colour("missed", colours) if week.missed else ""
        table.add_row(
            _day(week.first_day),
            str(n) if n else "-",
            _share(week.taken, n),
            _share(week.late, n),
            _share(week.skipped, n),
            Text(_share(week.missed, n), style=missed_style),
        )
    if len(weeks) > len(shown):
        table.caption = f"{len(weeks) - len(shown)} earlier weeks not listed; the totals above include them."
    return table


# ---------------------------------------------------------------------------
# Choosing symptoms
# ---------------------------------------------------------------------------


class SymptomPicker(ModalScreen[tuple[str, ...] | None]):
    """Choose the symptoms whose heat maps are shown; answers the keys chosen, or None."""

    DEFAULT_CSS = """
    SymptomPicker {
        align: center middle;
    }
    SymptomPicker > Vertical {
        width: 64;
        max-width: 100%;
        height: auto;
        max-height: 90%;
        border: thick $accent;
        background: $surface;
        padding: 0 1;
    }
    SymptomPicker SelectionList {
        height: auto;
        max-height: 16;
    }
    SymptomPicker #picker-buttons {
        height: auto;
        layout: horizontal;
    }
    SymptomPicker Button {
        margin: 0 1 0 0;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "apply", "Show chosen", id="trends-picker-apply"),
        Binding("escape", "cancel", "Cancel", id="trends-picker-cancel"),
    ]

    def __init__(self, options: Sequence[tuple[str, str]], chosen: Sequence[str]) -> None:
        super().__init__()
        self.options = list(options)
        self.chosen = set(chosen)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Symptoms to show (space to tick, a to show)")
            yield SelectionList[str](
                *(Selection(plain(label), key, key in self.chosen) for key, label in self.options),
                id="picker-list",
            )
            with Vertical(id="picker-buttons"):
                yield Button("Show chosen", id="picker-apply", variant="primary")
                yield Button("Cancel", id="picker-cancel")
        yield Footer()

    def action_apply(self) -> None:
        picked = self.query_one("#picker-list", SelectionList).selected
        order = [key for key, _ in self.options]
        self.dismiss(tuple(sorted(picked, key=order.index)))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#picker-apply")
    def _apply_pressed(self) -> None:
        self.action_apply()

    @on(Button.Pressed, "#picker-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()


# ---------------------------------------------------------------------------
# The screen
# ---------------------------------------------------------------------------


def load_trends(
    session: Reads, range_kind: TrendRange, now: datetime, symptom_keys: tuple[str, ...] | None
) -> TrendsData:
    """Runs in a worker thread: the user's zone and today, then every number of the screen.

    Both services read through plain SQL, so the screen's light read (a plain connection)
    serves it without importing the ORM; a session works too.
    """
    from tracker.services.settings import user_zone
    from tracker.services.trends import trends_data

    tz = user_zone(session=session)
    return trends_data(
        session=session,
        range_kind=range_kind,
        today=local_day(now, tz),
        now=now,
        tz=tz,
        symptom_keys=symptom_keys,
    )


class TrendsScreen(DbScreen):
    """Trends over a chosen range: charts, heat maps, timing facts and adherence."""

    CSS_PATH = "trends.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "range('30d')", "30d", id="trends-range-30d", tooltip="Show the last 30 days"),
        Binding("2", "range('90d')", "90d", id="trends-range-90d", tooltip="Show the last 90 days"),
        Binding("3", "range('1y')", "1y", id="trends-range-1y", tooltip="Show the last year"),
        Binding("4", "range('all')", "All", id="trends-range-all", tooltip="Show everything logged"),
        Binding(
            "y",
            "choose_symptoms",
            "Symptoms",
            id="trends-symptoms",
            tooltip="Choose symptoms for the heat maps",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.range_kind = TrendRange.DAYS_90
        self.symptom_keys: tuple[str, ...] | None = None  # None: the service picks the heaviest
        self.data: TrendsData | None = None
        self.ready = False
        self._latest = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="trends-body"):
            yield Static("Loading trends...", id="trends-title")
            yield Static("Dose and symptom burden", classes="section")
            yield TimelinePlot(id="timeline")
            yield Static("", id="timeline-legend", classes="legend")
            drops = Static("", id="drops-note", classes="legend")
            drops.display = False  # shown when a charted medication is taken as drops
            yield drops
            yield Static("Mood and anxiety scores (PHQ-9, GAD-7), apart from the burden", classes="section")
            yield Static("", id="scales")
            yield Static("Symptoms by day", classes="section")
            yield HeatMaps(id="heatmaps")
            yield Static("Mood and sleep", classes="section")
            yield MoodSleepPlot(id="mood-sleep")
            yield Static("", id="mood-legend", classes="legend")
            yield Static("After each dose change", classes="section")
            yield Static("", id="changes")
            yield Static("Doses taken as scheduled", classes="section")
            yield Static("", id="adherence-summary")
            yield Static("", id="adherence-table")
        yield KeyFooter()  # wraps its keys: at 80 columns the stock Footer hid half of them

    def on_screen_resume(self) -> None:
        self.reload()

    # -- actions ----------------------------------------------------------
    def action_range(self, kind: str) -> None:
        self.range_kind = TrendRange(kind)
        self.reload()

    def action_choose_symptoms(self) -> None:
        data = self.data
        if data is None:
            self.notify("Trends are still loading.", timeout=3)
            return
        options = [
            (o.key, f"{o.name}  ({o.days_present} of {o.days_logged} days, worst {_HEAT_NAMES[o.worst]})")
            for o in data.symptom_options
        ]
        known = {key for key, _ in options}
        options += [
            (s.key, f"{s.name}  (not logged in this range)") for s in data.symptoms if s.key not in known
        ]
        if not options:
            self.notify("No symptoms were logged in this range.", timeout=4)
            return

        def chosen(keys: tuple[str, ...] | None) -> None:
            if keys is not None:
                self.symptom_keys = keys
                self.reload()

        self.app.push_screen(SymptomPicker(options, data.chosen_keys), chosen)

    # -- loading and drawing ----------------------------------------------
    def reload(self) -> None:
        """Ask for the data of the current range and symptoms; only the latest answer is drawn."""
        self.ready = False
        request = next(_SEQ)
        self._latest = request
        range_kind, keys, now = self.range_kind, self.symptom_keys, self.tracker_app.now()
        self.query_one("#trends-title", Static).update(f"Loading {RANGE_LABELS[range_kind].lower()}...")
        self.run_db(
            lambda session: (request, load_trends(session, range_kind, now, keys)),
            self._loaded,
            light=True,
            group="trends",
        )

    def _loaded(self, result: tuple[int, TrendsData]) -> None:
        request, data = result
        if request != self._latest:
            return  # a newer request is on its way
        self.data = data
        self._draw(data)
        self.call_after_refresh(self._drawn, request)

    def _drawn(self, request: int) -> None:
        if request != self._latest or self.data is None:
            return
        self.ready = True
        self.post_message(TrendsReady(self.data.range_kind, self.data.chosen_keys))

    def _draw(self, data: TrendsData) -> None:
        span = data.span
        title = Text()
        title.append(f"{RANGE_LABELS[data.range_kind]}: ", style="bold")
        title.append(
            f"{_day(span.start)} to {_day(span.end)} ({span.days} days, {data.days_logged} with symptoms)"
        )
        self.query_one("#trends-title", Static).update(title)
        self.query_one("#timeline", TimelinePlot).show(data)
        self._update_legends()
        self.query_one("#heatmaps", HeatMaps).show(data)
        self.query_one("#scales", Static).update(scales_text(data))
        self.query_one("#mood-sleep", MoodSleepPlot).show(data)
        colours = trend_colours(self.app.theme_variables)
        self.query_one("#changes", Static).update(changes_text(data, colours))
        self.query_one("#adherence-summary", Static).update(adherence_summary(data))
        self.query_one("#adherence-table", Static).update(
            adherence_table(data.adherence, colours) if data.adherence else ""
        )

    def on_resize(self) -> None:
        self._update_legends()

    def _update_legends(self) -> None:
        """Legends say when a long range is drawn as means of a few days per point (it depends on width)."""
        data = self.data
        if data is None:
            return
        merged = bin_days(data.span.days, self.query_one("#timeline", TimelinePlot).size.width)
        note = f" ({merged}-day means)" if merged > 1 else ""
        colours = trend_colours(self.app.theme_variables)
        self.query_one("#timeline-legend", Static).update(self._timeline_legend(data, note, colours))
        drops = self.query_one("#drops-note", Static)
        drops.update(" ".join(data.drops_warnings))
        drops.display = bool(data.drops_warnings)
        self.query_one("#mood-legend", Static).update(
            _colour_line(
                [(f"━ mood 0-10{note} (left)", MOOD_COLOUR), (f"━ sleep, hours{note} (right)", SLEEP_COLOUR)],
                colours,
            )
        )

    @staticmethod
    def _timeline_legend(data: TrendsData, note: str = "", colours: dict[str, str] | None = None) -> Text:
        parts: list[tuple[str, str]] = [(f"━ burden{note}", BURDEN_COLOUR), ("━ 7-day mean", MEAN_COLOUR)]
        for index, med in enumerate(data.medications):
            parts.append((f"━ {med.name} mg/day (right)", DOSE_COLOURS[index % len(DOSE_COLOURS)]))
        if data.changes:
            parts.append(("│ dose change", CHANGE_COLOUR))
        labels = sorted({mark.label for mark in data.marks})
        for label in labels:
            parts.append((f"│ {label}", MARK_COLOURS.get(label, OTHER_MARK_COLOUR)))
        if not data.has_data:
            parts = [("Nothing logged in this range yet.", "dim")]
        return _colour_line(parts, colours)
