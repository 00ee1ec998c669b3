"""The symptom check-in list: FINISH groups, arrow keys to move, 0-3 to rate.

The list only shows and reports: a digit posts ``Rated``, and the screen
decides what to save. Recently used symptoms come first; ``v`` shows every
symptom, grouped as in DOMAIN.md.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tracker.ui.widgets.rows import SymptomRow, symptom_line, symptom_sections

RATE_GROUP = Binding.Group("Rate", compact=True)
AUTO_ALL_HEIGHT = 24  # rows; a list this tall shows every symptom unless the user chose otherwise
SEARCH_PAUSE = 1.5  # seconds without typing that end a type-ahead search


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
        Binding(
            "N",
            "rest_none",
            "Rest none",
            id="symptom-rest-none",
            tooltip="Rate every symptom not rated yet today 0 (none); the crisis item stays yours to answer",
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
    class RestNone(Message):
        """Every symptom not rated on the day shown is to be rated 0 (the crisis item excepted)."""

        symptom_list: SymptomList
        rows: tuple[SymptomRow, ...]

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
        self.search = ""  # what has been typed ahead to find a symptom ("" when not searching)
        self._typed_at = 0.0

    # -- type-ahead -----------------------------------------------------------
    def _bound(self, key: str) -> bool:
        """Whether a binding here, on the screen or in the app takes ``key``."""
        return any(key in bindings.key_to_bindings for _node, bindings in self.screen._modal_binding_chain)

    def _show_search(self, missed: bool = False) -> None:
        from textual.widget import Widget

        panel = self.parent
        if isinstance(panel, Widget):
            text = f"find: {self.search}▏ (esc)" if self.search else ""
            if missed:
                text = f"find: {self.search}▏ no symptom starts with that (esc)"
            panel.border_subtitle = text

    def end_search(self) -> None:
        self.search = ""
        self._show_search()

    async def _on_key(self, event: events.Key) -> None:
        """Typing text finds a symptom by the start of its name instead of firing keys.

        A search starts with a printable key nothing here is bound to (``5`` of ``50mg``, ``d`` of
        dizziness); while it lasts (until a pause, Escape or a movement key) every printable key
        extends it, so the rest of what was typed ahead cannot rate a symptom or open a screen.
        """
        now = time.monotonic()
        if self.search and now - self._typed_at > SEARCH_PAUSE:
            self.end_search()
        character = event.character if event.is_printable else None
        if self.search:
            if event.key == "escape":
                self.end_search()
            elif event.key == "backspace":
                self.search = self.search[:-1]
                self._show_search()
            elif character is not None:
                self.search += character
                self._jump()
            else:
                self.end_search()
                return  # arrows, Enter: their usual meaning
        elif character is not None and character.strip() and not self._bound(event.key):
            self.search = character
            self._jump()
        else:
            return
        self._typed_at = now
        event.stop()
        event.prevent_default()

    def _jump(self) -> None:
        wanted = self.search.lower()
        row = next((r for r in self.rows if r.name.lower().startswith(wanted)), None)
        if row is not None:
            ids = [o.id for o in self._options]
            if f"s{row.symptom_id}" in ids:
                self.highlighted = ids.index(f"s{row.symptom_id}")
            else:  # among the symptoms not shown: show them all
                self._show_all = True
                self._rebuild(row.symptom_id)
        self._show_search(missed=row is None)

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
        if action == "rest_none" and not any(r.severity is None and not r.is_crisis for r in self.rows):
            return None  # everything is rated already
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

    def action_rest_none(self) -> None:
        rest = tuple(r for r in self.rows if r.severity is None and not r.is_crisis)
        if rest:
            self.post_message(self.RestNone(self, rest))

    def action_toggle_all(self) -> None:
        self._show_all = not self.show_all
        current = self.current
        self._rebuild(current.symptom_id if current else None)
