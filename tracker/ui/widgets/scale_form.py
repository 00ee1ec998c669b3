"""The PHQ-9 / GAD-7 form: one item at a time, answered with a digit key.

Their exact wording and answer scale (``tracker.domain.scales``). Digits 0-3 answer the item
shown and move to the next; Backspace goes back one; Tab switches between PHQ-9 and GAD-7
before the first answer; after the last item the total and its band show and Enter saves.
A PHQ-9 is Q, nine digits and Enter: 11 keys. Answers through ``dismiss``: the scale's key
and the answers, or None when cancelled with Escape.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tracker.domain.scales import ANSWERS, GAD7, PHQ9, QUESTION, Scale, band_for, score
from tracker.ui.widgets.modals import MODAL_CSS

ScaleAnswer = tuple[str, tuple[int, ...]]


class ScaleModal(ModalScreen[ScaleAnswer | None]):
    """Fill in a PHQ-9 or GAD-7 for the day shown on Today."""

    DEFAULT_CSS = MODAL_CSS.replace("{cls}", "ScaleModal").replace("width: 64;", "width: 76;") + (
        "ScaleModal #scale-item { text-style: bold; margin: 1 0; height: auto; }\n"
        "ScaleModal #scale-progress { color: $text-muted; }\n"
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("0", "answer(0)", "Not at all", id="scale-0", show=False),
        Binding("1", "answer(1)", "Several days", id="scale-1", show=False),
        Binding("2", "answer(2)", "More than half", id="scale-2", show=False),
        Binding("3", "answer(3)", "Nearly every day", id="scale-3", show=False),
        Binding("backspace", "back", "Back", id="scale-back"),
        Binding("tab", "switch", "PHQ-9/GAD-7", id="scale-switch"),
        Binding("enter", "save", "Save", id="scale-save"),
        Binding("escape", "cancel", "Cancel", id="scale-cancel"),
    ]

    def __init__(self, day_text: str, *, first: Scale = PHQ9) -> None:
        super().__init__()
        self._day_text = day_text
        self.scale = first
        self.answers: list[int] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("", classes="modal-title", id="scale-title")
            yield Static(QUESTION, classes="modal-help")
            yield Static("", id="scale-item")
            yield Static(
                f"0 {ANSWERS[0]}   1 {ANSWERS[1]}\n2 {ANSWERS[2]}   3 {ANSWERS[3]}", id="scale-answers"
            )
            yield Static("", id="scale-progress")
            yield Static("", classes="modal-help", id="scale-keys")

    def on_mount(self) -> None:
        self._show()

    @property
    def complete(self) -> bool:
        return len(self.answers) == len(self.scale.items)

    def _show(self) -> None:
        scale, n = self.scale, len(self.answers)
        self.query_one("#scale-title", Static).update(f"{scale.name} for {self._day_text}")
        item = self.query_one("#scale-item", Static)
        keys = self.query_one("#scale-keys", Static)
        if self.complete:
            total = score(scale, self.answers)
            band = band_for(scale, total)
            item.update(f"Total {total} of {scale.max_total}: {band.label} (a score, not a diagnosis)")
            keys.update("Enter saves · Backspace changes the last answer · Esc cancels")
        else:
            item.update(f"{n + 1}. {scale.items[n]}")
            other = GAD7 if scale is PHQ9 else PHQ9
            switch = f" · Tab: {other.name} instead" if n == 0 else ""
            keys.update(f"Press 0-3 · Backspace goes back{switch} · Esc cancels")
        done = " ".join(str(a) for a in self.answers)
        where = f"All {n} answered" if self.complete else f"Item {n + 1} of {len(scale.items)}"
        self.query_one("#scale-progress", Static).update(where + (f"   answers: {done}" if done else ""))

    def action_answer(self, value: int) -> None:
        if not self.complete:
            self.answers.append(value)
            self._show()

    def action_back(self) -> None:
        if self.answers:
            self.answers.pop()
            self._show()

    def action_switch(self) -> None:
        if not self.answers:
            self.scale = GAD7 if self.scale is PHQ9 else PHQ9
            self._show()

    def action_save(self) -> None:
        if self.complete:
            self.dismiss((self.scale.key, tuple(self.answers)))

    def action_cancel(self) -> None:
        self.dismiss(None)
