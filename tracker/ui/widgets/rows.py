"""Plain values the Today widgets show, and how each becomes one line of text.

Workers turn database rows into these frozen dataclasses, so no ORM object
crosses into the UI thread. The line builders are pure, which keeps the
layout testable without running the app. The domain helpers they use are imported
when a line is first built, not when Today is imported before its first paint.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, time
from typing import NamedTuple

from textual.content import Content

SEVERITY_STYLES = ("$success", "$warning", "$warning", "$error")
REMINDER_ORDER = {"urgent": 0, "warning": 1, "info": 2}
GROUP_TITLES = {
    "Flu-like": "F · Flu-like",
    "Insomnia": "I · Insomnia and dreams",
    "Nausea": "N · Nausea and stomach",
    "Imbalance": "I · Imbalance",
    "Sensory": "S · Sensory disturbances",
    "Hyperarousal": "H · Hyperarousal",
    "Other": "Other",
    "Crisis": "If things feel unsafe",
}
COMPARISONS = ("new", "worse", "same", "better")
NAME_WIDTH = 30


class DoseRow(NamedTuple):
    """One scheduled slot (``event_id`` set once logged) or one extra dose of a day.

    (The rows of Today are named tuples rather than dataclasses: this module is imported
    before the first frame, and a named tuple class is several times quicker to create.)
    """

    medication_id: int
    medication_name: str
    dose_mg: float  # prescribed per intake (the amount taken for an extra dose)
    status: str  # taken, skipped, due, missed, upcoming, extra
    local_time: time | None = None  # scheduled wall-clock time; None for an extra dose
    scheduled_for: datetime | None = None
    event_id: int | None = None
    taken_local: time | None = None
    amount_mg: float | None = None

    @property
    def is_extra(self) -> bool:
        return self.scheduled_for is None

    @property
    def is_open(self) -> bool:
        return self.status in ("due", "missed", "upcoming")

    @property
    def key(self) -> str:
        """Stable across reloads, for keeping the highlight on the same row."""
        if self.scheduled_for is not None:
            return f"d{self.medication_id}-{self.scheduled_for.isoformat()}"
        return f"x{self.event_id}"


class SymptomRow(NamedTuple):
    """One symptom of the catalogue and its rating on the day shown (None: not logged)."""

    symptom_id: int
    name: str
    group: str
    severity: int | None = None
    comparison: str | None = None
    is_crisis: bool = False


class ReminderRow(NamedTuple):
    """An active reminder as shown: ``key`` identifies it for dismissing, ``action`` is a mode name."""

    severity: str  # urgent, warning, info
    message: str
    why: str
    rule: str = ""
    key: str = ""
    action: str = ""


def _fit(text: str, width: int) -> str:
    """Cut ``text`` to ``width`` cells with an ellipsis, or pad it."""
    if len(text) > width:
        return text[: max(width - 1, 0)] + "…"
    return text.ljust(width)


def _hm(value: time | None) -> str:
    return value.strftime("%H:%M") if value else "     "


def dose_line(row: DoseRow) -> Content:
    """``08:00  Sertraline 50 mg          ✓ taken 08:05``: fits 64 cells."""
    from tracker.domain.units import format_mg

    when = "extra" if row.is_extra else _hm(row.local_time)
    what = _fit(f"{row.medication_name} {format_mg(row.dose_mg)}", 26)
    amount = ""
    if row.amount_mg is not None and abs(row.amount_mg - row.dose_mg) > 1e-9 and not row.is_extra:
        amount = f" ({format_mg(row.amount_mg)})"
    if row.status in ("taken", "extra"):
        status: tuple[str, str] = (f"✓ taken {_hm(row.taken_local)}{amount}", "$success")
    elif row.status == "skipped":
        status = ("– skipped", "$text-muted")
    elif row.status == "missed":
        status = ("! not logged", "$warning")
    elif row.status == "due":
        status = ("● due now", "$accent")
    else:
        status = ("· later today", "$text-muted")
    return Content.assemble((f"{when:<5}  ", "bold"), what, "  ", status)


def severity_cells(severity: int | None) -> Content:
    """Three cells of bar plus the label, ``▮▮▯ moderate``, or a dim ``··· not logged``."""
    from tracker.domain.symptoms import SEVERITY_LABELS

    if severity is None:
        return Content.styled("···  not logged", "$text-muted")
    bar = "▮" * severity + "▯" * (3 - severity)
    return Content.assemble((bar, SEVERITY_STYLES[severity]), f" {severity} {SEVERITY_LABELS[severity]:<8}")


def symptom_line(row: SymptomRow, name_width: int = NAME_WIDTH) -> Content:
    """``Brain zaps ....  ▮▮▯ 2 moderate  worse``."""
    name = Content.styled(_fit(row.name, name_width), "$error" if row.is_crisis else "")
    comparison = Content.styled(f"  {row.comparison}", "italic") if row.comparison else Content("")
    return Content.assemble(" ", name, " ", severity_cells(row.severity), comparison)


def symptom_sections(
    rows: Sequence[SymptomRow], recent_ids: Sequence[int], show_all: bool
) -> list[tuple[str, list[SymptomRow]]]:
    """The symptom list's sections, in order.

    Symptoms used recently come first. Then, with ``show_all`` on (or when nothing
    is recent yet), every other symptom in its FINISH group; with it off, only
    the others rated on the day shown. A symptom appears once, and rating one
    never moves it to another section, so the cursor stays where the user is.
    """
    from tracker.domain.symptoms import GROUPS

    by_id = {r.symptom_id: r for r in rows}
    recent = [by_id[i] for i in dict.fromkeys(recent_ids) if i in by_id]
    seen = {r.symptom_id for r in recent}
    others = [r for r in rows if r.symptom_id not in seen]
    sections: list[tuple[str, list[SymptomRow]]] = []
    if recent:
        sections.append(("Used recently", recent))
    if show_all or not recent:
        order = {g: i for i, g in enumerate(GROUPS)}
        groups: dict[str, list[SymptomRow]] = {}
        for r in others:
            groups.setdefault(r.group, []).append(r)
        for group in sorted(groups, key=lambda g: order.get(g, len(GROUPS))):
            sections.append((GROUP_TITLES.get(group, group), groups[group]))
    else:
        logged = [r for r in others if r.severity is not None or r.comparison]
        if logged:
            sections.append(("Also logged on this day", logged))
    return sections


def next_comparison(current: str | None) -> str:
    """Cycle new -> worse -> same -> better -> new (DESS-style comparison with the baseline)."""
    if current not in COMPARISONS:
        return COMPARISONS[0]
    return COMPARISONS[(COMPARISONS.index(current) + 1) % len(COMPARISONS)]


def sort_reminders(rows: Iterable[ReminderRow]) -> list[ReminderRow]:
    """Urgent first, then warnings, then information; stable otherwise."""
    return sorted(rows, key=lambda r: REMINDER_ORDER.get(r.severity, 3))


def reminder_line(row: ReminderRow) -> Content:
    icon, style = {"urgent": ("‼", "bold $error"), "warning": ("!", "$warning")}.get(
        row.severity, ("•", "$accent")
    )
    return Content.assemble((f"{icon} ", style), row.message)
