"""The Taper screen's "Smaller steps" dialog (D6): after a step back, a revised draft of the rest of
the plan, in steps half as large or of a chosen size, shown row by row before anything is saved.

The draft shown is ``RevisionInputs.draft()`` (tracker.services.taper), the same calculation
``tracker taper back`` saves; it is pure, so the preview follows the step size as it is typed.
The dialog answers with the step size chosen (``RevisionChoice``) or None when cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from tracker.domain.errors import TrackerError

if TYPE_CHECKING:
    from tracker.domain.taper import Draft
    from tracker.services.taper import RevisionInputs


@dataclass(frozen=True, slots=True)
class RevisionChoice:
    """What the dialog answers: the step size asked for (None: every step half as large)."""

    step_size: float | None


def _mg(x: float) -> str:
    return f"{round(x, 3):g}"


def revision_rows(draft: Draft) -> list[str]:
    """One line per row of the revised draft: date, daily dose, how to take it."""
    lines = []
    for r in draft.steps:
        how = "" if r.dose_mg <= 0 else f" ({r.how_to_take})"
        lines.append(f"{r.order}. from {r.planned_start.isoformat()}: {_mg(r.dose_mg)} mg a day{how}")
    return lines


def revision_intro(inputs: RevisionInputs) -> str:
    """What saving does, in the user's words: a draft revision to agree again; starting it ends the old."""
    who = inputs.prescriber or "your prescriber"
    old = f"plan {inputs.plan_id}"
    return (
        f"A revised draft of the rest of {old} ({inputs.medication_name}) in smaller steps (NICE NG222 "
        f"1.4.22). It is saved as revision {inputs.revision} of {old}, a draft: it needs {who}'s "
        f"agreement again before it runs (a, then g to start it). Until then {old} runs as it is; "
        f"starting the revision ends {old} (marked abandoned, kept in your history with both versions)."
    )


class RevisionModal(ModalScreen[RevisionChoice | None]):
    """Shows the revised draft; Enter or ctrl+s saves it as a draft revision, Escape cancels."""

    DEFAULT_CSS = """
    RevisionModal { align: center middle; }
    RevisionModal > Vertical {
        width: 84; max-width: 100%; height: auto; max-height: 100%; padding: 0 1;
        border: thick $primary; background: $surface;
    }
    RevisionModal .modal-title { text-style: bold; }
    RevisionModal #revision-intro { color: $text-muted; height: auto; }
    RevisionModal #revision-step-row { height: auto; margin-top: 1; }
    RevisionModal #revision-step-row Label { width: 24; padding-top: 0; }
    RevisionModal #revision-step-row Input { width: 1fr; }
    RevisionModal #revision-scroll { height: auto; max-height: 9; margin-top: 1; }
    RevisionModal #revision-error { color: $text-error; height: auto; }
    RevisionModal #revision-buttons { height: auto; align-horizontal: right; }
    RevisionModal Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="revision-cancel"),
        Binding("ctrl+s", "save", "Save draft", id="revision-save"),
    ]

    def __init__(self, inputs: RevisionInputs) -> None:
        super().__init__()
        self.inputs = inputs
        self.draft: Draft | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                f"Smaller steps: revision {self.inputs.revision} of plan {self.inputs.plan_id}",
                classes="modal-title",
            )
            yield Static(revision_intro(self.inputs), id="revision-intro")
            with Horizontal(id="revision-step-row"):
                yield Label("Step size (optional)")
                yield Input(
                    placeholder="blank: every remaining step half as large",
                    id="revision-step",
                    compact=True,
                    tooltip="Occupancy points per step where the drug has figures, otherwise % of the "
                    "latest dose (1-50)",
                )
            with VerticalScroll(id="revision-scroll"):
                yield Static("", id="revision-rows")
            yield Static("", id="revision-error")
            with Horizontal(id="revision-buttons"):
                yield Button("Save draft (enter)", variant="primary", id="revision-save", compact=True)
                yield Button("Cancel (esc)", id="revision-cancel", compact=True)

    def on_mount(self) -> None:
        self._preview()
        self.query_one("#revision-step", Input).focus()

    def _step_size(self) -> float | None:
        raw = self.query_one("#revision-step", Input).value.strip().replace(",", ".")
        if not raw:
            return None
        try:
            return float(raw)
        except ValueError:
            raise TrackerError("The step size must be a number from 1 to 50.") from None

    @on(Input.Changed, "#revision-step")
    def _preview(self) -> None:
        rows = self.query_one("#revision-rows", Static)
        error = self.query_one("#revision-error", Static)
        try:
            draft = replace(self.inputs, step_size=self._step_size()).draft()
        except TrackerError as exc:
            self.draft = None
            rows.update("")
            error.update(str(exc))
            return
        self.draft = draft
        error.update("")
        lines = revision_rows(draft)
        needs = [str(r.order) for r in draft.steps if r.needs_form]
        if needs:
            lines.append(f"Rows {', '.join(needs)} need a liquid or compounded form.")
        rows.update("\n".join(lines))

    @on(Input.Submitted)
    def action_save(self) -> None:
        if self.draft is None:
            return  # the message under the field says why
        try:
            step = self._step_size()
        except TrackerError:
            return
        self.dismiss(RevisionChoice(step))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "revision-save":
            self.action_save()
        else:
            self.action_cancel()
