"""Small modal dialogs: one typed value, or a dose's amount and time.

Each checks what is typed with a parser from tracker.domain.units and shows
the parser's own message under the field; it answers through ``dismiss``
(None when cancelled with Escape).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from tracker.domain.errors import TrackerError
from tracker.ui.widgets.cells import plain

Validator = Callable[[str], Any]

MODAL_CSS = """
{cls} {
    align: center middle;
    background: $background 60%;
}
{cls} > Vertical {
    width: 64;
    max-width: 100%;
    height: auto;
    max-height: 100%;
    border: round $accent;
    background: $surface;
    padding: 0 1;
}
{cls} .modal-title { text-style: bold; margin-bottom: 1; }
{cls} .modal-help { color: $text-muted; }
{cls} .field-error { color: $error; height: auto; display: none; }
{cls} .field-error.-shown { display: block; }
{cls} Input { margin-bottom: 0; }
{cls} .modal-buttons { height: auto; margin-top: 1; align-horizontal: right; }
{cls} .modal-buttons Button { margin-left: 1; }
"""


class PromptModal(ModalScreen[str | None]):
    """Ask for one value; Enter saves when ``validate`` accepts it, Escape cancels."""

    DEFAULT_CSS = MODAL_CSS.replace("{cls}", "PromptModal")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="modal-cancel"),
    ]

    def __init__(
        self,
        title: str,
        *,
        value: str = "",
        placeholder: str = "",
        help: str = "",
        validate: Validator | None = None,
        allow_empty: bool = True,
    ) -> None:
        super().__init__()
        self._title, self._value, self._placeholder, self._help = title, value, placeholder, help
        self._validate = validate
        self._allow_empty = allow_empty

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self._title, classes="modal-title", markup=False)
            yield Input(self._value, placeholder=self._placeholder, id="prompt-value", select_on_focus=True)
            yield Static("", classes="field-error", id="prompt-error")
            if self._help:
                yield Static(self._help, classes="modal-help")
            with Horizontal(classes="modal-buttons"):
                yield Button("Cancel (Esc)", id="prompt-cancel", compact=True)
                yield Button("Save (Enter)", id="prompt-save", variant="primary", compact=True)

    def _error(self, message: str) -> None:
        error = self.query_one("#prompt-error", Static)
        error.update(message)
        error.set_class(bool(message), "-shown")

    @on(Input.Submitted)
    @on(Button.Pressed, "#prompt-save")
    def save(self) -> None:
        text = self.query_one("#prompt-value", Input).value.strip()
        if not text and not self._allow_empty:
            self._error("Type a value, or press Escape to cancel.")
            return
        if text and self._validate is not None:
            try:
                self._validate(text)
            except TrackerError as exc:
                self._error(_sentence(str(exc)))
                return
        self.dismiss(text)

    @on(Button.Pressed, "#prompt-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class DoseEntry:
    """What the dose dialog answers: texts already checked by the parsers."""

    amount: str
    when: str
    medication_id: int | None = None


class DoseModal(ModalScreen[DoseEntry | None]):
    """Amount and time of one dose (and the medication, for an extra dose of several)."""

    DEFAULT_CSS = (
        MODAL_CSS.replace("{cls}", "DoseModal")
        + """
    DoseModal .field-label { margin-top: 1; }
    DoseModal .field-label.-first { margin-top: 0; }
    """
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="modal-cancel"),
    ]

    def __init__(
        self,
        title: str,
        *,
        amount: str = "",
        when: str = "",
        medications: Sequence[tuple[int, str]] = (),
        medication_id: int | None = None,
        check_amount: Validator | None = None,
        check_when: Validator | None = None,
    ) -> None:
        super().__init__()
        self._title, self._amount, self._when = title, amount, when
        self._medications = list(medications)
        self._medication_id = medication_id
        self._check_amount, self._check_when = check_amount, check_when

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self._title, classes="modal-title", markup=False)
            if len(self._medications) > 1:
                yield Label("Medication", classes="field-label -first")
                yield Select(
                    [(plain(name), med_id) for med_id, name in self._medications],
                    value=self._medication_id if self._medication_id is not None else self._medications[0][0],
                    allow_blank=False,
                    id="dose-medication",
                    compact=True,
                )
            yield Label("Amount (such as 50mg, 1 tablet, half tablet, 2.5ml)", classes="field-label")
            yield Input(self._amount, placeholder="50mg", id="dose-amount", select_on_focus=True)
            yield Static("", classes="field-error", id="dose-amount-error")
            yield Label("Time taken (08:10, yesterday 20:00, or a full date and time)", classes="field-label")
            yield Input(self._when, placeholder="08:10", id="dose-when", select_on_focus=True)
            yield Static("", classes="field-error", id="dose-when-error")
            with Horizontal(classes="modal-buttons"):
                yield Button("Cancel (Esc)", id="dose-cancel", compact=True)
                yield Button("Save (Enter)", id="dose-save", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#dose-amount", Input).focus()

    def _check(self, field: str, validate: Validator | None) -> str | None:
        text = self.query_one(f"#dose-{field}", Input).value.strip()
        error = self.query_one(f"#dose-{field}-error", Static)
        message = ""
        if not text:
            message = "Required."
        elif validate is not None:
            try:
                validate(text)
            except TrackerError as exc:
                message = _sentence(str(exc))
        error.update(message)
        error.set_class(bool(message), "-shown")
        return None if message else text

    @on(Input.Submitted)
    @on(Button.Pressed, "#dose-save")
    def save(self) -> None:
        amount = self._check("amount", self._check_amount)
        when = self._check("when", self._check_when)
        if amount is None or when is None:
            return
        medication_id = self._medication_id
        if len(self._medications) > 1:
            value = self.query_one("#dose-medication", Select).value
            medication_id = value if isinstance(value, int) else medication_id
        self.dismiss(DoseEntry(amount, when, medication_id))

    @on(Button.Pressed, "#dose-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def _sentence(text: str) -> str:
    """A parser message as a sentence: capital first letter, full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."
