"""The reminders dialog: every active reminder with its reason, and what can be done with it.

Enter opens the screen where the user can act on the highlighted reminder,
``d`` dismisses it (it stays quiet until its condition changes; an urgent one,
marked ‼, for 24 hours at most, and less if it gets worse) and ``z`` snoozes it
for a day. The dialog only answers with the choice; the screen does the saving.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tracker.ui.widgets.footer import KeyFooter
from tracker.ui.widgets.modals import MODAL_CSS
from tracker.ui.widgets.rows import ReminderRow, reminder_line


@dataclass(frozen=True, slots=True)
class ReminderChoice:
    """What the user chose for one reminder: open, dismiss or snooze."""

    verb: str
    reminder: ReminderRow


class RemindersModal(ModalScreen[ReminderChoice | None]):
    """All reminders, urgent first, each with its reason."""

    DEFAULT_CSS = (
        MODAL_CSS.replace("{cls}", "RemindersModal")
        + """
    RemindersModal > Vertical { width: 100; }
    RemindersModal OptionList { height: auto; max-height: 18; border: none; padding: 0; }
    RemindersModal .modal-help { margin-top: 1; }
    """
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter", "choose('open')", "Open", id="reminder-open", tooltip="Go to the screen to act on it"
        ),
        Binding(
            "d",
            "choose('dismiss')",
            "Dismiss",
            id="reminder-dismiss",
            tooltip="Quiet until its condition changes; an urgent one for a day at most, less if worse",
        ),
        Binding("z", "choose('snooze')", "Snooze 24 h", id="reminder-snooze", tooltip="Quiet for a day"),
        Binding("escape", "close", "Close", id="reminder-close"),
    ]

    def __init__(self, reminders: Sequence[ReminderRow]) -> None:
        super().__init__()
        self.reminders = list(reminders)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Reminders", classes="modal-title")
            options: list[Option | None] = []
            for index, r in enumerate(self.reminders):
                lines = [reminder_line(r)]
                if r.why:
                    lines.append(Content.styled(f"  Why: {r.why}", "$text-muted"))
                options.append(Option(Content("\n").join(lines), id=f"r{index}"))
                options.append(None)
            yield OptionList(*options[:-1], id="reminder-list")
            yield Static(
                "Reminders never ask you to change a dose: they suggest talking to your prescriber. "
                "Urgent ones (‼) come back within a day, sooner if things get worse.",
                classes="modal-help",
            )
        yield KeyFooter()

    @property
    def current(self) -> ReminderRow | None:
        index = self.query_one(OptionList).highlighted
        return self.reminders[index] if index is not None and index < len(self.reminders) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose" and parameters and parameters[0] == "open":
            row = self.current
            return None if row is None or not row.action else True
        return True

    def action_choose(self, verb: str) -> None:
        row = self.current
        if row is not None:
            self.dismiss(ReminderChoice(verb, row))

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_choose("open")

    @on(OptionList.OptionHighlighted)
    def highlighted(self) -> None:
        self.refresh_bindings()

    def action_close(self) -> None:
        self.dismiss(None)
