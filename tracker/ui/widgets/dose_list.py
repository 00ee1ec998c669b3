"""Today's scheduled doses and extra doses, one line each, with their keys.

The list reports what the user asked for (``ActionRequested``); the screen
does the saving, so every change goes through the same worker path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tracker.ui.widgets.rows import DoseRow, dose_line


class DoseList(OptionList):
    """The doses of one day."""

    DEFAULT_CSS = """
    DoseList { height: auto; max-height: 8; border: none; padding: 0; }
    DoseList:focus { border: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter,space",
            "request('taken')",
            "Taken",
            id="dose-taken",
            tooltip="Mark the highlighted dose taken (now; on a past day at its scheduled time)",
        ),
        Binding(
            "x",
            "request('skipped')",
            "Skipped",
            id="dose-skipped",
            tooltip="Mark the highlighted dose skipped",
        ),
        Binding("e", "request('edit')", "Edit", id="dose-edit", tooltip="Edit the amount or the time taken"),
        Binding("a", "request('extra')", "Extra", id="dose-extra", tooltip="Add an extra dose"),
        Binding(
            "delete,backspace",
            "request('clear')",
            "Clear",
            id="dose-clear",
            tooltip="Remove the entry (the dose goes back to not logged)",
        ),
    ]

    @dataclass
    class ActionRequested(Message):
        dose_list: DoseList
        action: str  # taken, skipped, edit, extra, clear
        row: DoseRow | None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[DoseRow] = []

    @property
    def current(self) -> DoseRow | None:
        index = self.highlighted
        if index is None or not 0 <= index < len(self.rows):
            return None
        return self.rows[index]

    def set_rows(self, rows: Sequence[DoseRow]) -> None:
        """Show ``rows``, keeping the highlight on the same dose."""
        keep = self.current.key if self.current else None
        self.rows = list(rows)
        self.set_options([Option(dose_line(r), id=r.key) for r in self.rows])
        keys = [r.key for r in self.rows]
        if keep in keys:
            self.highlighted = keys.index(keep)
        elif self.rows:
            # start on the first dose that still needs logging
            self.highlighted = next((i for i, r in enumerate(self.rows) if r.is_open), 0)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "request" and parameters and parameters[0] != "extra" and self.current is None:
            return None  # shown greyed out: nothing highlighted
        return True

    def action_request(self, action: str) -> None:
        self.post_message(self.ActionRequested(self, action, self.current))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        # a click only highlights: marking a dose takes a deliberate key (or a footer click)
        event.stop()
