"""Forms and confirmations shared by several screens: FormModal, ConfirmModal, FieldSpec.

A FormModal is a short form with each field's error shown under it, saving
through its own thread worker; a ConfirmModal asks a yes/no question and
answers True only for an explicit yes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from tracker.ui.base import DbCallbacks, start_db_worker
from tracker.ui.host import DbHost, db_host

if TYPE_CHECKING:
    from sqlmodel import Session


def sentence(message: str) -> str:
    """A service or parser message as a sentence: capital first letter."""
    return message[:1].upper() + message[1:] if message else message


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a FormModal: a text input, or a select when ``options`` is given."""

    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    options: tuple[tuple[str, str], ...] | None = None
    hint: str = ""


class ConfirmModal(ModalScreen[bool]):
    """Asks a yes/no question; dismisses with True only for an explicit yes."""

    DEFAULT_CSS = """
    ConfirmModal { align: center middle; }
    ConfirmModal > Vertical {
        width: 64; max-width: 100%; height: auto; padding: 1 2;
        border: thick $warning; background: $surface;
    }
    ConfirmModal #confirm-question { margin-bottom: 1; }
    ConfirmModal Horizontal { height: auto; align-horizontal: right; }
    ConfirmModal Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm-no"),
    ]

    def __init__(self, question: str, yes_label: str = "Yes, delete", no_label: str = "No, keep it") -> None:
        super().__init__()
        self.question = question
        self.yes_label = yes_label
        self.no_label = no_label

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, id="confirm-question")
            with Horizontal():
                yield Button(f"{self.yes_label} (y)", variant="error", id="confirm-yes", compact=True)
                yield Button(f"{self.no_label} (n)", id="confirm-no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")


class FormModal(DbCallbacks, ModalScreen[Any]):
    """A short form: one line per field with its error under it, Save and Cancel.

    Subclasses implement ``check(values) -> (parsed, errors)`` (errors keyed by
    field name; "" for the whole form) and ``save(parsed)``, which writes through
    ``run_db`` and calls ``self.dismiss(result)`` when the write succeeded. A
    failed write keeps the form open with the message beside the field it names.
    """

    DEFAULT_CSS = """
    FormModal { align: center middle; }
    FormModal > #form {
        width: 78; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    FormModal .form-title { text-style: bold; color: $text-primary; }
    FormModal .form-intro { color: $text-muted; }
    FormModal #form-fields { height: auto; max-height: 1fr; overflow-y: auto; }
    FormModal .form-row { height: 1; }
    FormModal .form-label { width: 20; color: $text-secondary; }
    FormModal .form-row Input, FormModal .form-row Select { width: 1fr; }
    FormModal .form-error { color: $text-error; padding-left: 20; height: auto; }
    FormModal .form-hint { color: $text-muted; padding-left: 20; height: auto; }
    FormModal #form-error { padding-left: 0; }
    FormModal #form-buttons { height: 1; margin-top: 1; align-horizontal: right; }
    FormModal #form-buttons Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form-cancel"),
        Binding("ctrl+s", "save", "Save", id="form-save"),
    ]
    # words in a service's message -> the field it is about (the first match wins)
    ERROR_FIELDS: tuple[tuple[str, str], ...] = ()

    def __init__(self, title: str, fields: Sequence[FieldSpec], intro: str = "") -> None:
        super().__init__()
        self.form_title = title
        self.fields = tuple(fields)
        self.intro = intro
        self._saving = False

    @property
    def tracker_app(self) -> DbHost:
        return db_host(self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static(self.form_title, classes="form-title")
            if self.intro:
                yield Static(self.intro, classes="form-intro")
            with Vertical(id="form-fields"):
                for spec in self.fields:
                    with Horizontal(classes="form-row"):
                        yield Label(spec.label, classes="form-label")
                        if spec.options is not None:
                            yield Select(
                                spec.options,
                                value=spec.value,
                                allow_blank=False,
                                compact=True,
                                id=f"f-{spec.name}",
                            )
                        else:
                            yield Input(
                                spec.value, placeholder=spec.placeholder, compact=True, id=f"f-{spec.name}"
                            )
                    yield Static(spec.hint, classes="form-hint", id=f"h-{spec.name}")
                    yield Static("", classes="form-error", id=f"e-{spec.name}")
            yield Static("", classes="form-error", id="form-error")
            with Horizontal(id="form-buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="form-save", compact=True)
                yield Button("Cancel (esc)", id="form-cancel", compact=True)

    def on_mount(self) -> None:
        for spec in self.fields:
            self.query_one(f"#h-{spec.name}", Static).display = bool(spec.hint)
        self.show_errors({})
        if self.fields:
            self.query_one(f"#f-{self.fields[0].name}").focus()

    # -- values and errors ------------------------------------------------
    def values(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for spec in self.fields:
            widget = self.query_one(f"#f-{spec.name}")
            if isinstance(widget, Select):
                out[spec.name] = "" if widget.value is Select.NULL else str(widget.value)
            elif isinstance(widget, Input):
                out[spec.name] = widget.value
        return out

    def set_value(self, name: str, value: str) -> None:
        widget = self.query_one(f"#f-{name}")
        if isinstance(widget, Select | Input):
            widget.value = value

    def set_hint(self, name: str, text: str) -> None:
        hint = self.query_one(f"#h-{name}", Static)
        hint.update(text)
        hint.display = bool(text)

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """Show each message beside its field (or under the form); clear the others."""
        names = [spec.name for spec in self.fields]
        for name in names:
            label = self.query_one(f"#e-{name}", Static)
            text = errors.get(name, "")
            label.update(sentence(text))
            label.display = bool(text)
        rest = [sentence(m) for k, m in errors.items() if k not in names]
        general = self.query_one("#form-error", Static)
        general.update("\n".join(rest))
        general.display = bool(rest)
        first = next((n for n in names if errors.get(n)), None)
        if first is not None:
            self.query_one(f"#f-{first}").focus()

    def field_for_message(self, message: str) -> str:
        lowered = message.lower()
        return next((name for words, name in self.ERROR_FIELDS if words in lowered), "")

    def save_failed(self, message: str) -> None:
        """A write was refused: nothing was saved; say why beside the field it is about."""
        self._saving = False
        self.show_errors({self.field_for_message(message): message})

    # -- actions ----------------------------------------------------------
    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        if self._saving:
            return
        parsed, errors = self.check(self.values())
        self.show_errors(errors)
        if errors:
            return
        self._saving = True
        self.save(parsed)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    @on(Button.Pressed, "#form-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def run_db(
        self, fn: Callable[[Session], Any], on_done: Callable[[Any], object], *, write: bool = True
    ) -> None:
        """A database call for this form; a refusal comes back to ``save_failed``."""

        def done(result: Any) -> None:
            on_done(result)

        start_db_worker(
            self, self.tracker_app, fn, done, write=write, group="form", on_error=self.save_failed
        )

    # -- for subclasses ---------------------------------------------------
    def check(self, values: dict[str, str]) -> tuple[Any, dict[str, str]]:  # pragma: no cover - abstract
        raise NotImplementedError

    def save(self, parsed: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError
