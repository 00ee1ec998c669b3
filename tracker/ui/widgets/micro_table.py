"""The micro-step strip (DOMAIN.md D8): what to take each day of a step's table, today highlighted.

Like a tapering strip: a run of days around today, each cell the day of the month and the
amount (ml of liquid where the dose is measured as liquid, else mg). Every mark has a
symbol as well as a colour, so it reads without colour too: ``▶`` today (reversed), ``~``
rounded up to what the forms give, ``!`` a large cut or an abrupt end, ``◆`` needs a
liquid or compounded form. Six cells a line, two lines: it fits 80 columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Protocol

from textual.content import Content
from textual.widgets import Static

from tracker.domain.taper_micro import MicroRow, MicroTable, day_on, describe, table_for_step

__all__ = ["MicroStrip", "strip_content"]

PER_LINE = 6
LINES = 2
BEFORE = 2  # days shown before today


class _Step(Protocol):
    @property
    def order(self) -> int: ...

    @property
    def status(self) -> str: ...

    @property
    def micro(self) -> str | None: ...

    @property
    def actual_start(self) -> date | None: ...

    @property
    def planned_start(self) -> date: ...


def _mg(x: float) -> str:
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


def _value(row: MicroRow) -> str:
    return f"{row.ml:g}ml" if row.ml is not None else f"{_mg(row.dose_mg)}mg"


def _mark(row: MicroRow) -> tuple[str, str]:
    if row.needs_form:
        return "◆", "$error"
    if "large_cut" in row.flags or "abrupt_end" in row.flags:
        return "!", "$warning"
    if "rounded" in row.flags:
        return "~", "$text-muted"
    return " ", ""


def _cells(table: MicroTable, today: date) -> list[tuple[date, MicroRow]]:
    """The rows to show: one per day (daily) or per week (weekly), starting a little before today."""
    start = table.start or today
    stepped = table.cadence == "weekly"
    days = [(start + timedelta(days=r.day), r) for r in table.rows] if stepped else []
    if not stepped:
        days = [(start + timedelta(days=i), r) for r in table.rows for i in range(r.day, r.day + r.days)]
    count = PER_LINE * LINES
    current = next((i for i, (d, r) in enumerate(days) if d <= today < d + timedelta(days=r.days)), None)
    if current is None:
        current = 0 if today < start else len(days) - 1
    first = max(0, min(current - BEFORE, len(days) - count))
    return days[first : first + count]


def strip_content(table: MicroTable, today: date, *, order: int | None = None) -> Content:
    """The strip of ``table`` around ``today``: a title line, two lines of cells and a legend."""
    title = (f"Step {order}: " if order is not None else "") + describe(table)
    row = day_on(table, today)
    if row is not None and table.start is not None:
        offset = min((today - table.start).days + 1, table.total_days)
        title += f"\nToday, day {offset} of {table.total_days}: {_mg(row.dose_mg)} mg ({row.amount})"
    elif table.stopped is not None and today >= table.stopped:
        title += f"\nThe table stopped on {table.stopped.isoformat()}"
        if table.stopped_mg is not None:
            title += f"; {_mg(table.stopped_mg)} mg a day since"
    elif table.start is not None and today < table.start:
        title += f"\nStarts {table.start.isoformat()}"
    parts: list[Content | str | tuple[str, str]] = [Content.styled(title, "bold"), "\n"]
    cells = _cells(table, today)
    for index, (day, cell) in enumerate(cells):
        symbol, style = _mark(cell)
        is_today = day <= today < day + timedelta(days=cell.days if table.cadence == "weekly" else 1)
        text = f"{day:%d} {_value(cell):<7}"
        if is_today:
            parts.append(Content.styled(f"▶{text}", "reverse bold"))
        else:
            look = style or ("$text-muted" if day < today else "")
            parts.append(Content.styled(f"{symbol}{text}", look) if look else f"{symbol}{text}")
        parts.append("\n" if (index + 1) % PER_LINE == 0 and index + 1 < len(cells) else " ")
    unit = "each cell a week from the day shown" if table.cadence == "weekly" else "each cell a day"
    parts.append(
        Content.styled(
            f"\n▶ today  ~ rounded up  ! large cut  ◆ needs another form · {unit}; "
            "every row: tracker taper show --table",
            "$text-muted",
        )
    )
    return Content.assemble(*parts)


def first_table(steps: Iterable[_Step]) -> tuple[int, MicroTable] | None:
    """The step to show: the live step's table, else the first step that has one."""
    found = [(s, t) for s in steps if (t := table_for_step(s)) is not None]
    if not found:
        return None
    live = next(((s, t) for s, t in found if s.status in ("current", "held")), found[0])
    return live[0].order, live[1]


class MicroStrip(Static):
    """The strip for a plan that has a micro-step; hidden for every other plan."""

    DEFAULT_CSS = """
    MicroStrip { display: none; height: auto; padding: 0 1; margin: 1 0 0 0; border-left: thick $primary; }
    """

    def show(self, steps: Sequence[_Step] | None, today: date) -> None:
        found = first_table(steps or ())
        self.display = found is not None
        if found is None:
            self.update("")
            return
        order, table = found
        self.update(strip_content(table, today, order=order))
