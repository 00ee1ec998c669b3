"""The symptom check-in list: FINISH groups, arrow keys to move, 0-3 to rate.

The list only shows and reports: a digit posts ``Rated``, and the screen
decides what to save. Recently used symptoms come first; ``v`` shows every
symptom, grouped as in DOMAIN.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tracker.ui.widgets.rows import SymptomRow, symptom_line, symptom_sections

RATE_GROUP = Binding.Group("Rate", compact=True)
AUTO_ALL_HEIGHT = 24  # rows; a list this tall shows every symptom unless the user chose otherwise


class SymptomList(OptionList):
    """Symptoms of one day with their severities."""

    DEFAULT_CSS = """
    SymptomList { height: 1fr; border: none; padding: 0; }
    SymptomList:focus { border: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("0", "rate(0)", "none", id="symptom-rate-0", group=RATE_GROUP, tooltip="Rate: 0 none"),
        Binding("1", "rate(1)", "mild", id="symptom-rate-1", group=RATE_GROUP, tooltip="Rate: 1 mild"),
        Binding(
            "2", "rate(2)", "moderate", id="symptom-rate-2", group=RATE_GROUP, tooltip="Rate: 2 moderate"
        ),
        Binding("3", "rate(3)", "severe", id="symptom-rate-3", group=RATE_GROUP, tooltip="Rate: 3 severe"),
        Binding(
            "delete,backspace",
            "clear",
            "Clear",
            id="symptom-clear",
            tooltip="Clear the rating (back to not logged)",
        ),
        Binding(
            "b",
            "compare",
            "vs baseline",
            id="symptom-compare",
            tooltip="Compare with before the taper: new, worse, same, better",
        ),
        Binding(
            "v", "toggle_all", "All", id="symptom-show-all", tooltip="Show all symptoms or recent ones only"
        ),
    ]

    @dataclass
    class Rated(Message):
        symptom_list: SymptomList
        row: SymptomRow
        severity: int

    @dataclass
    class Cleared(Message):
        symptom_list: SymptomList
        row: SymptomRow

    @dataclass
    class CompareCycled(Message):
        symptom_list: SymptomList
        row: SymptomRow

    def __init__(self, *, compare: bool = True, show_all: bool | None = None, id: str | None = None) -> None:
        """``show_all`` None: every symptom when the list is tall enough, recent ones otherwise."""
        super().__init__(id=id)
        self.rows: list[SymptomRow] = []
        self.recent_ids: list[int] = []
        self._show_all = show_all
        self._compare = compare
        self._shown_all = False

    @property
    def show_all(self) -> bool:
        if self._show_all is not None:
            return self._show_all
        return self.size.height >= AUTO_ALL_HEIGHT

    def on_resize(self) -> None:
        if self.show_all != self._shown_all and self.rows:
            current = self.current
            self._rebuild(current.symptom_id if current else None)

    @property
    def current(self) -> SymptomRow | None:
        """The highlighted symptom, if any."""
        option = self.highlighted_option
        if option is None or option.id is None or not option.id.startswith("s"):
            return None
        wanted = int(option.id[1:])
        return next((r for r in self.rows if r.symptom_id == wanted), None)

    def set_rows(self, rows: Sequence[SymptomRow], recent_ids: Sequence[int] = ()) -> None:
        """Show ``rows``, keeping the highlight on the same symptom."""
        keep = self.current
        self.rows, self.recent_ids = list(rows), list(recent_ids)
        self._rebuild(keep.symptom_id if keep else None)

    def _rebuild(self, keep_id: int | None) -> None:
        options: list[Option] = []
        self._shown_all = self.show_all
        sections = symptom_sections(self.rows, self.recent_ids, self._shown_all)
        for title, members in sections:
            options.append(Option(f"[b $text-secondary]{title}[/]", id=f"g{len(options)}", disabled=True))
            options += [Option(symptom_line(r), id=f"s{r.symptom_id}") for r in members]
        shown = sum(len(m) for _t, m in sections)
        if shown < len(self.rows):
            options.append(
                Option(
                    f"[$text-muted]  … {len(self.rows) - shown} more: press v to show all symptoms[/]",
                    id="more",
                    disabled=True,
                )
            )
        self.set_options(options)
        target = f"s{keep_id}" if keep_id is not None else None
        ids = [o.id for o in options]
        if target in ids:
            self.highlighted = ids.index(target)
        else:
            self.highlighted = next((i for i, o in enumerate(options) if not o.disabled), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Textual: False hides the key, None shows it greyed out
        if action == "compare" and not self._compare:
            return False  # the baseline itself has nothing to compare with
        if action == "toggle_all" and not self.recent_ids:
            return False  # everything is shown already
        if action in ("rate", "clear", "compare") and self.current is None:
            return None
        return True

    def action_rate(self, severity: int) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Rated(self, row, severity))

    def action_clear(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Cleared(self, row))

    def action_compare(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.CompareCycled(self, row))

    def action_toggle_all(self) -> None:
        self._show_all = not self.show_all
        current = self.current
        self._rebuild(current.symptom_id if current else None)
