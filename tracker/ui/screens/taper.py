"""Taper screen: draft a schedule with a live preview, record the agreement, run the plan.

The draft notice is always on screen: a calculated schedule is a draft to
discuss with the prescriber, and the app never tells anyone to change a dose.
A plan starts only after the user records who agreed it and when (R7); while it
runs, advance, hold, resume and step back each ask for a reason, kept in the
plan's history. Every database call goes through ``run_db`` (a thread worker);
the draft preview is calculated on the UI thread because it is pure and quick.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    ContentSwitcher,
    DataTable,
    Header,
    Input,
    Label,
    Select,
    Sparkline,
    Static,
)
from textual.widgets.data_table import ColumnKey

from tracker.domain.errors import TrackerError
from tracker.domain.taper import DRAFT_NOTICE, Draft, short_of_minimum
from tracker.domain.taper_micro import MicroTable, describe, stopped_at_hold, table_for_step
from tracker.domain.timeutil import local_day
from tracker.domain.units import parse_day
from tracker.ui.base import DbScreen
from tracker.ui.widgets.cells import plain
from tracker.ui.widgets.footer import KeyFooter
from tracker.ui.widgets.micro_table import MicroStrip

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.services.taper import DraftInputs, PlanChange, PlanView, RevisionInputs, StepView
    from tracker.store import Reads

_METHODS = (
    ("Proportional: each step a % of the latest dose", "proportional"),
    ("Occupancy: equal drops in estimated receptor occupancy", "occupancy"),
    ("Linear: equal cuts in mg", "linear"),
    ("Manual: your own list of daily doses", "manual"),
    ("Daily micro-steps: a small cut every day (a day-by-day table)", "daily"),
    ("Weekly micro-steps: a small cut every week (a table by week)", "weekly"),
)
_MICRO = ("daily", "weekly")  # D8: one step whose dose follows a table (tracker.services.taper_micro)
# Which draft fields each method reads (the others are hidden).
_FIELDS = {
    "proportional": {"percent", "final"},
    "occupancy": {"points", "final"},
    "linear": {"step-mg"},
    "manual": {"doses"},
    "daily": {"to-mg", "days"},
    "weekly": {"to-mg", "weeks"},
}
_METHOD_FIELDS = ("percent", "points", "final", "step-mg", "doses", "to-mg", "days", "weeks")
_ALL_FIELDS = (
    "start",
    "every-weeks",
    "min-days",
    "from-mg",
    "percent",
    "points",
    "final",
    "step-mg",
    "doses",
    "to-mg",
    "days",
    "weeks",
)
_LABELS = {
    "start": "Start date",
    "every-weeks": "Weeks/step",
    "min-days": "Min days",
    "from-mg": "From mg/day",
    "percent": "Cut %",
    "points": "Occ. points",
    "final": "Lowest mg",
    "step-mg": "Cut mg",
    "doses": "Doses, mg/day",
    "to-mg": "Target mg",
    "days": "Days",
    "weeks": "Weeks",
}
_TOOLTIPS = {
    "start": "The date of the first row (the starting dose): YYYY-MM-DD or today",
    "every-weeks": "Weeks between steps",
    "min-days": "The least time at each step, 7 days or more (default 28, or the gap between steps)",
    "from-mg": "The starting daily dose (default: as prescribed today)",
    "percent": "Proportional: each step is this % below the latest dose (5-50)",
    "points": "Occupancy: each step lowers the estimated receptor occupancy by this many points (1-25)",
    "final": "The lowest dose before 0 (default: the smallest the formulation gives)",
    "step-mg": "Linear: the cut at each step, in mg",
    "doses": "Manual: daily doses in mg, the first being the starting dose, e.g. 20,15,10,5,0",
    "to-mg": "Micro-steps: the daily dose the table ends at, below the starting dose (0 to stop)",
    "days": "Daily micro-steps: the number of days in the table (7-112)",
    "weeks": "Weekly micro-steps: the number of weeks in the table (2-26)",
}
_RUNNING = ("active", "held")
_MICRO_FLAGS = {  # a micro-step row's flags (tracker.domain.taper_micro.FLAG_TEXT), in short
    "rounded": "rounded up",
    "needs_form": "NEEDS ANOTHER FORM",
    "large_cut": "large cut",
    "abrupt_end": "abrupt end",
}
_FLAG_WORDS = {
    "large_cut": "large cut",
    "short_interval": "short step",
    "below_min_days": "shorter than its minimum",
    "increase": "increase",
    "abrupt_end": "abrupt end",
    "needs_form": "NEEDS ANOTHER FORM",
    "not_exact": "not within 10%",
}


def _plan_details(plan: PlanView) -> list[str]:
    """What the saved steps say (D2, D5, D7): the fit, the steps needing another form, the flags."""
    lines = [
        f"Occ %: estimated SERT occupancy, {fit}." for fit in sorted({s.fit for s in plan.steps if s.fit})
    ]
    needs = [s for s in plan.steps if s.needs_form]
    if needs:
        note = next((f.message for f in needs[0].flags if str(f.kind) == "needs_form"), "")
        lines.append(
            f"Steps {', '.join(str(s.order) for s in needs)} need a liquid or compounded form."
            + (f" {note.split('. ', 1)[-1]}" if ". " in note else "")
        )
    lines += [
        f"Step {s.order}: {f.message}" for s in plan.steps for f in s.flags if str(f.kind) != "needs_form"
    ]
    for s in plan.steps:  # D8: a hold stopped the table; resuming keeps that dose
        table = table_for_step(s)
        held = table and stopped_at_hold(table, plan_status=plan.status, step_status=s.status, how="press n")
        if isinstance(held, str):
            lines.insert(0, f"[b]Step {s.order}:[/b] {held}")
    return lines


def _fit_steps(table: DataTable[object], cells: Sequence[tuple[str, ...]]) -> None:
    """Size "How to take it" and "Flags" (which wrap) so that every column shows whole.

    Issue 17: at 100 columns Status was cut to "pla", then Started and Occ %. The other columns
    keep their own (short) widths; the two text columns share what is left, "How to take it"
    first, never less than 12 and 10 cells (Flags: its heading when no step has one). When even
    that does not fit (80 columns) "How to take it" still leaves room for every column up to Status.
    """
    room = table.size.width - 2  # a vertical scrollbar may appear
    if room <= 0:
        return  # not laid out yet: the next resize sizes it
    headers = [c.label.plain for c in table.ordered_columns]
    widths = [max([cell_len(h), *(cell_len(row[i]) for row in cells)]) for i, h in enumerate(headers)]
    pad = 2 * table.cell_padding
    fixed = sum(widths[i] + pad for i in (0, 1, 2, 4, 5, 6, 7))
    alone = room - fixed - pad  # "How to take it" with Flags off-screen
    if alone - 10 - pad >= 18:  # room for both wrapping columns
        least = min(10, widths[8])  # no flags: the heading alone
        flags = max(least, min(widths[8], (alone - pad) // 3))
        how = min(widths[3], alone - pad - flags)
        flags = max(least, min(widths[8], alone - pad - how))
    else:  # narrow: every column up to Occ % if it can, up to Status at least
        flags = min(widths[8], 24)
        before_status = sum(widths[i] + pad for i in (0, 1, 2, 4, 5))
        how = min(widths[3], alone if alone >= 20 else room - before_status - pad)
    how = max(12, how)
    table.columns[ColumnKey("how")].width = how
    table.columns[ColumnKey("flags")].width = flags


def _short_day(day: date, today: date) -> str:
    """``14 Jul`` this year, ``3 Jan 27`` another year: the steps table's compact dates."""
    text = f"{day.day} {day.strftime('%b')}"
    return text if day.year == today.year else f"{text} {day.strftime('%y')}"


# Each step status with its symbol, so it reads without colour.
_STEP_SYMBOLS = {
    "done": "✓",
    "current": "▶",
    "held": "‖",
    "planned": "·",
    "stepped_back": "↩",
    "skipped": "–",
}


def step_status(status: str) -> str:
    """``▶ current``, ``✓ done``: the symbol first, then the word."""
    return f"{_STEP_SYMBOLS.get(status, '•')} {status.replace('_', ' ')}"


def _mg(x: float | None) -> str:
    return "" if x is None else f"{round(x, 3):g}"


# --------------------------------------------------------------------------- modals


class ReasonModal(ModalScreen[str | None]):
    """Asks for the reason of a plan action; dismisses with the text, or None when cancelled."""

    DEFAULT_CSS = """
    ReasonModal { align: center middle; }
    ReasonModal > Vertical {
        width: 72; max-width: 100%; height: auto; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    ReasonModal .modal-title { text-style: bold; margin-bottom: 1; }
    ReasonModal .modal-intro { color: $text-muted; margin-bottom: 1; }
    ReasonModal #reason-error { color: $text-error; height: auto; }
    ReasonModal Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    ReasonModal Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="reason-cancel"),
        Binding("ctrl+s", "save", "Save", id="reason-save"),
    ]

    def __init__(self, title: str, intro: str, *, required: bool = True, placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.intro = intro
        self.required = required
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="modal-title", markup=False)
            yield Static(self.intro, classes="modal-intro")
            yield Input(placeholder=self.placeholder or "Reason (kept in the plan's history)", id="reason")
            yield Static("", id="reason-error")
            with Horizontal():
                yield Button("Save (enter)", variant="primary", id="reason-save", compact=True)
                yield Button("Cancel (esc)", id="reason-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted)
    def action_save(self) -> None:
        text = self.query_one("#reason", Input).value.strip()
        if self.required and not text:
            self.query_one("#reason-error", Static).update(
                "Add a short reason; it is kept in the plan's history."
            )
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "reason-save":
            self.action_save()
        else:
            self.action_cancel()


@dataclass(frozen=True, slots=True)
class FormResult:
    """What a FieldsModal returns: the raw text of each field, by name."""

    values: dict[str, str]


class FieldsModal(ModalScreen[FormResult | None]):
    """A few labelled inputs checked by ``check`` (which returns an error message or None)."""

    DEFAULT_CSS = """
    FieldsModal { align: center middle; }
    FieldsModal > Vertical {
        width: 76; max-width: 100%; height: auto; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    FieldsModal .modal-title { text-style: bold; }
    FieldsModal .modal-intro { color: $text-muted; margin-bottom: 1; }
    FieldsModal .field-row { height: auto; }
    FieldsModal .field-row Label { width: 22; padding-top: 1; }
    FieldsModal .field-row Input { width: 1fr; }
    FieldsModal #fields-error { color: $text-error; height: auto; }
    FieldsModal #fields-buttons { height: auto; align-horizontal: right; margin-top: 1; }
    FieldsModal Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="fields-cancel"),
        Binding("ctrl+s", "save", "Save", id="fields-save"),
    ]

    def __init__(
        self,
        title: str,
        intro: str,
        fields: list[tuple[str, str, str, str]],
        check: Callable[[dict[str, str]], str | None],
    ) -> None:
        super().__init__()
        self.title_text = title
        self.intro = intro
        self.fields = fields  # (name, label, value, placeholder)
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="modal-title", markup=False)
            yield Static(self.intro, classes="modal-intro")
            for name, label, value, placeholder in self.fields:
                with Horizontal(classes="field-row"):
                    yield Label(label)
                    yield Input(value, placeholder=placeholder, id=f"field-{name}")
            yield Static("", id="fields-error")
            with Horizontal(id="fields-buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="fields-save", compact=True)
                yield Button("Cancel (esc)", id="fields-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one(f"#field-{self.fields[0][0]}", Input).focus()

    def _values(self) -> dict[str, str]:
        return {name: self.query_one(f"#field-{name}", Input).value for name, *_ in self.fields}

    @on(Input.Submitted)
    def action_save(self) -> None:
        values = self._values()
        problem = self.check(values)
        if problem:
            self.query_one("#fields-error", Static).update(problem)
            return
        self.dismiss(FormResult(values))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "fields-save":
            self.action_save()
        else:
            self.action_cancel()


# --------------------------------------------------------------------------- the screen


@dataclass(frozen=True, slots=True)
class Loaded:
    """What one load brings back from the database."""

    tz: ZoneInfo
    medications: tuple[tuple[int, str], ...]
    medication_id: int | None
    plans: tuple[PlanView, ...]
    inputs: DraftInputs | None
    prescriber: str | None


def _number(text: str, what: str, *, whole: bool = False) -> float | None:
    raw = text.strip().lower().removesuffix("mg").strip()
    if not raw:
        return None
    try:
        value = float(raw.replace(",", "."))
    except ValueError as exc:
        raise TrackerError(f"{what}: {text!r} is not a number") from exc
    if whole and value != int(value):
        raise TrackerError(f"{what}: {text!r} is not a whole number")
    return value


class TaperScreen(DbScreen):
    """Draft, agree and run a taper plan for one medication at a time."""

    CSS_PATH = "taper.tcss"
    BINDINGS = [
        Binding("n", "new_draft", "New draft", id="taper-new-draft", tooltip="Calculate a draft schedule"),
        Binding("ctrl+s", "save_draft", "Save draft", id="taper-save-draft"),
        Binding("escape", "close_draft", "Back to plan", id="taper-close-draft"),
        Binding("e", "edit_step", "Edit step", id="taper-edit-step", tooltip="Change the highlighted step"),
        Binding("a", "agree", "Agree", id="taper-agree", tooltip="Record who agreed the plan and when"),
        Binding("g", "start", "Start", id="taper-start", tooltip="Start the agreed plan today"),
        Binding("v", "advance", "Advance", id="taper-advance", tooltip="Record moving to the next step"),
        Binding("o", "hold", "Hold", id="taper-hold", tooltip="Record staying longer at this step"),
        Binding("w", "resume", "Resume", id="taper-resume", tooltip="End a hold"),
        Binding("b", "step_back", "Step back", id="taper-step-back", tooltip="Record going back a step"),
        Binding(
            "d",
            "smaller_steps",
            "Smaller steps",
            id="taper-smaller-steps",
            tooltip="After a step back: a revised draft of the remaining steps, in smaller steps",
        ),
        Binding("x", "abandon", "Abandon", id="taper-abandon", tooltip="Set the plan aside"),
        Binding("u", "undo", "Undo", id="taper-undo", tooltip="Undo the last change, whatever it was"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.tz: ZoneInfo | None = None
        self.medication_id: int | None = None
        self.plan_id: int | None = None
        self.plans: tuple[PlanView, ...] = ()
        self.inputs: DraftInputs | None = None
        self.prescriber: str | None = None
        self.draft: Draft | None = None
        self.micro_table: MicroTable | None = None  # the preview's table for a micro-step draft (D8)
        self.drafting = False
        self._binding_state: tuple[object, ...] = ()
        self._covered_by_modal = False

    # -- layout -----------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"DRAFT NOTICE · {DRAFT_NOTICE}", id="taper-notice")
        with Horizontal(id="taper-top"):
            yield Select[int]([], prompt="Medication", id="taper-med", allow_blank=True, compact=True)
            yield Select[int]([], prompt="Plan", id="taper-plan", allow_blank=True, compact=True)
        with ContentSwitcher(initial="plan-pane", id="taper-switcher"):
            with VerticalScroll(id="plan-pane"):
                yield Static("", id="plan-summary")
                yield MicroStrip(id="micro-strip")  # D8: what to take each day of a micro-step
                yield DataTable(id="steps", cursor_type="row", zebra_stripes=True)
                with Horizontal(id="plan-chart-row"):
                    yield Static("Daily dose by step", classes="chart-label")
                    yield Sparkline([], id="plan-chart", summary_function=max)
                yield Static("", id="plan-details")
                yield Static("", id="plan-warnings")
                yield Static("History", classes="section-title")
                yield DataTable(id="events", cursor_type="row")
            with VerticalScroll(id="draft-pane"):
                with Horizontal(id="draft-method-row"):
                    yield Label("Method", classes="field-label")
                    yield Select(
                        _METHODS, value="proportional", allow_blank=False, id="draft-method", compact=True
                    )
                with Horizontal(id="draft-fields"):
                    for name in _ALL_FIELDS:
                        with Vertical(classes="draft-field", id=f"box-{name}"):
                            yield Label(_LABELS[name], classes="field-label")
                            yield Input(id=f"draft-{name}", compact=True, tooltip=_TOOLTIPS[name])
                yield Static("", id="draft-error")
                yield DataTable(id="preview", cursor_type="row", zebra_stripes=True)
                with Horizontal(id="preview-chart-row"):
                    yield Static("Daily dose by row", classes="chart-label")
                    yield Sparkline([], id="preview-chart", summary_function=max)
                yield Static("", id="preview-flags")
        yield KeyFooter()

    def on_mount(self) -> None:
        steps = self.query_one("#steps", DataTable)
        steps.add_columns("#", "Planned", "mg/day")
        steps.add_column("How to take it", width=20, key="how")
        steps.add_columns("Min", "Status", "Started", "Occ %")
        steps.add_column("Flags", width=24, key="flags")
        events = self.query_one("#events", DataTable)
        events.add_columns("When", "What", "Change", "Reason")
        defaults = {
            "every-weeks": "4",
            "percent": "10",
            "points": "10",
            "step-mg": "",
            "doses": "",
            "final": "",
            "days": "28",
            "weeks": "4",
        }
        for name, value in defaults.items():
            self.query_one(f"#draft-{name}", Input).value = value
        self.query_one("#draft-doses", Input).placeholder = "e.g. 20,15,10,5,0"
        self.query_one("#draft-min-days", Input).placeholder = "28"
        self._show_fields("proportional")
        self.load()

    # -- loading ----------------------------------------------------------
    def on_screen_suspend(self) -> None:
        self._covered_by_modal = isinstance(self.app.screen, ModalScreen)

    def on_screen_resume(self) -> None:
        """Shown again after another screen (an undo there, a log entry): read the plans again.

        Not after one of its own dialogs: the change the dialog asked for reloads when it is saved.
        """
        if not self._covered_by_modal:
            self.load()
        self._covered_by_modal = False

    def data_changed(self) -> None:
        self.load()

    def load(self, *, select_plan: int | None = None) -> None:
        """Read medications, the chosen medication's plans and its draft inputs (in a worker)."""
        wanted = self.medication_id
        now = self.tracker_app.now()

        def fetch(session: Reads) -> Loaded:
            from tracker.queries import meds
            from tracker.services import settings
            from tracker.services import taper_views as svc

            tz = settings.user_zone(session=session)
            today = local_day(now, tz)
            medications = tuple((m.id or 0, m.name) for m in meds.list_medications(session=session))
            med_id = (
                wanted
                if wanted in {m for m, _ in medications}
                else (medications[0][0] if medications else None)
            )
            if med_id is None:
                return Loaded(tz, medications, None, (), None, None)
            plans = tuple(svc.plans_for(session=session, medication_id=med_id))
            inputs = svc.draft_inputs(session=session, medication_id=med_id, today=today)
            rx = meds.prescription_on(session=session, medication_id=med_id, day=today)
            return Loaded(tz, medications, med_id, plans, inputs, rx.prescriber if rx else None)

        self.run_db(
            fetch,
            lambda loaded: self._loaded(loaded, select_plan),
            light=True,  # plain SQL: opening Taper never imports the ORM
            group="taper-load",
            exclusive=True,
        )

    def _loaded(self, loaded: Loaded, select_plan: int | None) -> None:
        self.tz = loaded.tz
        self.medication_id = loaded.medication_id
        self.plans = loaded.plans
        self.inputs = loaded.inputs
        self.prescriber = loaded.prescriber
        ids = [p.id for p in loaded.plans]
        if select_plan in ids:
            self.plan_id = select_plan
        elif self.plan_id not in ids:
            self.plan_id = ids[0] if ids else None
        med_select = self.query_one("#taper-med", Select)
        with med_select.prevent(Select.Changed):
            med_select.set_options([(name, mid) for mid, name in loaded.medications])
            if loaded.medication_id is not None:
                med_select.value = loaded.medication_id
        plan_select = self.query_one("#taper-plan", Select)
        with plan_select.prevent(Select.Changed):
            plan_select.set_options(
                [
                    (f"Plan {p.id} · {'DRAFT' if p.is_draft else p.status} · {p.method}", p.id)
                    for p in loaded.plans
                ]
            )
            if self.plan_id is not None:
                plan_select.value = self.plan_id
        if self.inputs is not None and not self.query_one("#draft-from-mg", Input).value:
            self.query_one("#draft-from-mg", Input).value = _mg(self.inputs.start_mg)
        if not self.query_one("#draft-start", Input).value and self.tz is not None:
            self.query_one("#draft-start", Input).value = self.today().isoformat()
        self._show_plan()
        if self.drafting:
            self._update_preview()
        self._sync_bindings()

    def today(self) -> date:
        return local_day(self.tracker_app.now(), self.tz or ZoneInfo("UTC"))

    def on_resize(self) -> None:
        """The steps table's wrapping follows the terminal's width (issue 17: Status stays whole)."""
        if self.plan is not None:
            self._show_plan()

    @property
    def plan(self) -> PlanView | None:
        return next((p for p in self.plans if p.id == self.plan_id), None)

    # -- showing a plan ---------------------------------------------------
    def _show_plan(self) -> None:
        plan = self.plan
        self.query_one("#micro-strip", MicroStrip).show(plan.steps if plan else None, self.today())
        summary = self.query_one("#plan-summary", Static)
        steps = self.query_one("#steps", DataTable)
        events = self.query_one("#events", DataTable)
        steps.clear()
        events.clear()
        if self.medication_id is None:
            summary.update(
                "No medications yet. Add one on the Medications screen (m), then draft a plan here."
            )
            self.query_one("#plan-chart", Sparkline).data = []
            self.query_one("#plan-details", Static).update("")
            return
        if plan is None:
            name = self.inputs.medication_name if self.inputs else "this medication"
            summary.update(
                f"No taper plan for {name}. Press n to calculate a draft to discuss with your prescriber."
            )
            self.query_one("#plan-chart", Sparkline).data = []
            self.query_one("#plan-details", Static).update("")
            return
        lines = [f"[b]{plan.medication_name} · plan {plan.id} · {plan.status.upper()}[/b] · {plan.method}"]
        if plan.revision > 1 and plan.revision_of:  # D6: a revised draft names the plan it revises
            lines[0] += f" · revision {plan.revision} of plan {plan.revision_of}"
        if plan.is_draft:
            lines.append(f"[b]DRAFT[/b] · {plan.notice} Press a to record who agreed it and when.")
        else:
            agreed = f" on {plan.agreed_on.isoformat()}" if plan.agreed_on else ""
            lines.append(f"Agreed with {plan.prescriber}{agreed}. {plan.notice}")
        if plan.status == "agreed":
            lines.append("Press g to start it on the day the first step begins.")
        nxt = plan.next_step
        if nxt is not None and plan.status in _RUNNING:
            lines.append(
                f"Next step planned for {nxt.planned_start.isoformat()}: {_mg(nxt.dose_mg)} mg a day. "
                f"Check with {plan.prescriber or 'your prescriber'} that it still suits you "
                "before you reduce."
            )
        summary.update("\n".join(lines))
        today = self.today()
        cells = [
            (
                str(s.order),
                _short_day(s.planned_start, today),
                _mg(s.dose_mg),
                s.how_to_take or "",
                str(s.min_days),
                step_status(s.status),
                _short_day(s.actual_start, today) if s.actual_start else "",
                _mg(s.occupancy_pct),
                ", ".join(_FLAG_WORDS.get(str(f.kind), str(f.kind)) for f in s.flags),
            )
            for s in plan.steps
        ]
        _fit_steps(steps, cells)
        for s, row in zip(plan.steps, cells, strict=True):
            steps.add_row(*row, key=str(s.order), height=None)  # the narrow columns wrap
        self.query_one("#plan-details", Static).update("\n".join(_plan_details(plan)))
        live = plan.live_step
        if live is not None:
            steps.move_cursor(row=live.order - 1)
        self.query_one("#plan-chart", Sparkline).data = [s.dose_mg for s in plan.steps]
        tz = self.tz or ZoneInfo("UTC")
        for e in reversed(plan.events):
            change = " → ".join(x for x in (e.from_status, e.to_status) if x)
            events.add_row(
                f"{e.at.astimezone(tz):%Y-%m-%d %H:%M}",
                e.action.replace("_", " "),
                change,
                plain(e.reason or ""),
            )

    # -- the draft form and its live preview ------------------------------
    def _show_fields(self, method: str) -> None:
        for name in _METHOD_FIELDS:
            self.query_one(f"#box-{name}").display = name in _FIELDS[method]
        self.query_one("#box-from-mg").display = method != "manual"
        for name in ("every-weeks", "min-days"):  # a micro-step's length is its table's
            self.query_one(f"#box-{name}").display = method not in _MICRO

    def _field(self, name: str) -> str:
        return self.query_one(f"#draft-{name}", Input).value

    def calculate(self) -> Draft:
        """The draft the form describes (pure; raises TrackerError naming what is wrong)."""
        from tracker.services import taper as svc

        if self.inputs is None:
            raise TrackerError("Choose a medication first.")
        method = str(self.query_one("#draft-method", Select).value)
        start = parse_day(self._field("start") or "today", today=self.today(), allow_future=True)
        self.micro_table = None
        if method in _MICRO:
            return self._calculate_micro(method, start)
        weeks = _number(self._field("every-weeks"), "Weeks per step", whole=True)
        min_days = _number(self._field("min-days"), "Min days", whole=True)
        doses = None
        if method == "manual":
            parts = [p for p in self._field("doses").replace(";", ",").split(",") if p.strip()]
            doses = [_number(p, "Daily doses") or 0.0 for p in parts]
        step_mg = _number(self._field("step-mg"), "Cut mg per step") if method == "linear" else None
        return svc.calculate_draft(
            self.inputs,
            method=method,
            start_date=start,
            start_mg=_number(self._field("from-mg"), "Start mg/day"),
            percent=_number(self._field("percent"), "Cut %") or 10.0,
            interval_weeks=int(weeks) if weeks is not None else 4,
            final_mg=_number(self._field("final"), "Lowest mg")
            if method in ("proportional", "occupancy")
            else None,
            points=_number(self._field("points"), "Occupancy points") or 10.0,
            step_mg=step_mg,
            doses=doses,
            min_days=int(min_days) if min_days is not None else None,
        )

    def _calculate_micro(self, method: str, start: date) -> Draft:
        """D8: the micro-step draft and its table, through the services function the CLI uses."""
        from tracker.services import taper_micro as micro

        assert self.inputs is not None
        to_mg = _number(self._field("to-mg"), "Target mg")
        if to_mg is None:
            raise TrackerError("Enter the target: the daily dose in mg the table ends at (0 to stop).")
        what = "Days" if method == "daily" else "Weeks"
        count = _number(self._field("days" if method == "daily" else "weeks"), what, whole=True)
        if count is None:
            span = "days (7 to 112)" if method == "daily" else "weeks (2 to 26)"
            raise TrackerError(f"Enter the number of {span}.")
        draft, table = micro.calculate_micro(
            self.inputs,
            cadence=method,
            count=int(count),
            to_mg=to_mg,
            start_date=start,
            start_mg=_number(self._field("from-mg"), "Start mg/day"),
        )
        self.micro_table = table
        return draft

    def _show_micro_preview(self, draft: Draft, micro: MicroTable) -> None:
        """The day-by-day table, compact: one row a day (a week), its date, dose, amount and flags."""
        table = self.query_one("#preview", DataTable)
        unit = "Day" if micro.cadence == "daily" else "Week"
        occupancy = any(r.occupancy_pct is not None for r in micro.rows)
        table.add_columns(
            unit, "Date", "mg a day", "How to take it", *(["Occ %"] if occupancy else []), "Flags"
        )
        for number, r in enumerate(micro.rows, start=1):
            day = micro.row_date(r)
            row = [str(number), f"{day:%a %d %b}" if day else "", _mg(r.dose_mg), r.amount]
            row += [_mg(r.occupancy_pct)] if occupancy else []
            table.add_row(*row, ", ".join(_MICRO_FLAGS.get(f, f) for f in r.flags))
        self.query_one("#preview-chart", Sparkline).data = [r.dose_mg for r in micro.rows]
        notes = [describe(micro) + "."]
        notes += [f"Occupancy %: estimated, {micro.fit}."] if micro.fit else []
        notes += [f.message for s in draft.steps for f in s.flags if str(f.kind) != "needs_form"]
        notes += list(micro.notes)
        self.query_one("#preview-flags", Static).update("\n".join(notes))

    def _update_preview(self) -> None:
        table = self.query_one("#preview", DataTable)
        error = self.query_one("#draft-error", Static)
        flags = self.query_one("#preview-flags", Static)
        chart = self.query_one("#preview-chart", Sparkline)
        table.clear(columns=True)
        try:
            draft = self.calculate()
        except (TrackerError, ValueError) as exc:
            self.draft = None
            error.update(f"Cannot calculate yet: {exc}")
            flags.update("")
            chart.data = []
            self._sync_bindings()
            return
        self.draft = draft
        error.update(f"[b]DRAFT[/b] · {draft.notice} Press ctrl+s to save it as a draft plan.")
        if self.micro_table is not None:
            self._show_micro_preview(draft, self.micro_table)
            self._sync_bindings()
            return
        occupancy = any(r.occupancy_pct is not None for r in draft.steps)
        columns = ["#", "From", "Calculated", "mg a day", "How to take it", "Cut %"]
        columns += ["Occupancy %"] if occupancy else []
        table.add_columns(*columns, "Flags")
        for r in draft.steps:
            row = [
                str(r.order),
                r.planned_start.isoformat(),
                _mg(r.target_mg),
                _mg(r.dose_mg),
                r.how_to_take,
                "—" if r.cut_pct is None else f"{r.cut_pct:.1f}",
            ]
            row += [_mg(r.occupancy_pct)] if occupancy else []
            table.add_row(*row, ", ".join(_FLAG_WORDS.get(str(f.kind), str(f.kind)) for f in r.flags))
        chart.data = [r.dose_mg for r in draft.steps]
        notes = [
            f"Row {r.order}: {f.message}" for r in draft.steps for f in r.flags if str(f.kind) != "needs_form"
        ]
        notes += [f"Occupancy %: estimated, {draft.fit}."] if draft.fit else []
        notes += list(draft.notes)
        flags.update("\n".join(notes) if notes else "No flags on this draft.")
        self._sync_bindings()

    @on(Input.Changed, "#draft-pane Input")
    def _draft_input_changed(self) -> None:
        if self.drafting:
            self._update_preview()

    @on(Select.Changed, "#draft-method")
    def _method_changed(self, event: Select.Changed) -> None:
        self._show_fields(str(event.value))
        if self.drafting:
            self._update_preview()

    @on(Select.Changed, "#taper-med")
    def _med_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, int) and event.value != self.medication_id:
            self.medication_id = event.value
            self.plan_id = None
            self.query_one("#draft-from-mg", Input).value = ""
            self.load()

    @on(Select.Changed, "#taper-plan")
    def _plan_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, int) and event.value != self.plan_id:
            self.plan_id = event.value
            self._show_plan()
            self._sync_bindings()

    # -- which keys apply now ---------------------------------------------
    def _sync_bindings(self) -> None:
        """Refresh the Footer only when what ``check_action`` reads has changed (it recomposes)."""
        plan = self.plan
        state = (
            self.drafting,
            self.draft is not None,
            plan.status if plan else None,
            self.medication_id,
            self._can_revise(),
        )
        if state != self._binding_state:
            self._binding_state = state
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The draft keys show while drafting and the plan keys otherwise; those that do not apply
        to the plan's status are shown dimmed (None)."""
        plan = self.plan
        status = plan.status if plan else None
        if action == "save_draft":
            return (True if self.draft is not None else None) if self.drafting else False
        if action == "close_draft":
            return self.drafting
        if action == "new_draft":
            return False if self.drafting else (None if self.medication_id is None else True)
        if action == "smaller_steps":  # D6: offered only after a step back, while steps remain
            return not self.drafting and self._can_revise()
        if self.drafting:
            return action not in _PLAN_ACTIONS
        wanted = _PLAN_ACTIONS.get(action)
        if wanted is None:
            return True
        return True if status in wanted else None

    # -- actions ----------------------------------------------------------
    def action_new_draft(self) -> None:
        if self.medication_id is None:
            self.notify("Add a medication first (Medications screen, m).", severity="warning")
            return
        self.drafting = True
        self.query_one("#taper-switcher", ContentSwitcher).current = "draft-pane"
        self._update_preview()
        self.query_one("#draft-method", Select).focus()

    def action_close_draft(self) -> None:
        if self.drafting:
            self.drafting = False
            self.query_one("#taper-switcher", ContentSwitcher).current = "plan-pane"
            self.query_one("#steps", DataTable).focus()
            self._sync_bindings()

    def action_save_draft(self) -> None:
        if not self.drafting:
            return
        if self.draft is None or self.medication_id is None:
            self.notify(
                "The draft cannot be calculated yet; see the message above the table.", severity="warning"
            )
            return
        draft, med_id, now = self.draft, self.medication_id, self.tracker_app.now()
        micro_table = self.micro_table

        def save(session: Session) -> PlanView:
            from tracker.services import taper as svc

            if (
                micro_table is not None
            ):  # D8: the same services function as `tracker taper draft --method daily`
                from tracker.services import taper_micro as micro

                return micro.save_micro_draft(
                    session=session, medication_id=med_id, draft=draft, table=micro_table, now=now
                )
            return svc.save_draft(session=session, medication_id=med_id, draft=draft, now=now)

        def saved(plan: PlanView) -> None:
            self.action_close_draft()
            self.notify(f"Saved as draft plan {plan.id}. {DRAFT_NOTICE}", title="Draft saved")
            self.load(select_plan=plan.id)

        self.run_db(save, saved, write=True)

    def action_edit_step(self) -> None:
        plan = self.plan
        if plan is None or not plan.steps:
            return
        table = self.query_one("#steps", DataTable)
        step = plan.steps[min(max(table.cursor_row, 0), len(plan.steps) - 1)]
        today = self.today()

        def check(values: dict[str, str]) -> str | None:
            try:
                dose = _number(values["dose"], "Daily dose")
                if dose is None or dose < 0:
                    return "Enter the daily dose in mg (0 or more)."
                parse_day(values["date"], today=today, allow_future=True)
                days = _number(values["min"], "Minimum days", whole=True)
                if days is None or days < 7:
                    return "The minimum time at a step is at least 7 days."
            except TrackerError as exc:
                return str(exc)
            return None

        def done(result: FormResult | None) -> None:
            if result is None:
                return
            v = result.values
            plan_id, order, now = plan.id, step.order, self.tracker_app.now()
            dose = _number(v["dose"], "Daily dose")
            when = parse_day(v["date"], today=today, allow_future=True)
            days = int(_number(v["min"], "Minimum days", whole=True) or 28)
            how = v["how"].strip() or None
            if dose is not None and abs(dose - step.dose_mg) > 1e-9 and how == (step.how_to_take or None):
                how = None  # the dose changed: describe how to take the new one

            def write(session: Session) -> PlanView:
                from tracker.services import taper as svc

                return svc.update_step(
                    session=session,
                    plan_id=plan_id,
                    order=order,
                    now=now,
                    dose_mg=dose,
                    planned_start=when,
                    min_days=days,
                    how_to_take=how,
                )

            self.run_db(
                write,
                lambda p: self._after(
                    p.id, "Step changed" + ("; record the agreement again" if plan.status == "agreed" else "")
                ),
                write=True,
            )

        intro = "Change this step of the draft. " + (
            "The plan is agreed: changing it makes it a draft again, to agree anew with your prescriber."
            if plan.status == "agreed"
            else DRAFT_NOTICE
        )
        self.app.push_screen(
            FieldsModal(
                f"Step {step.order} of plan {plan.id}",
                intro,
                [
                    ("dose", "Daily dose (mg)", _mg(step.dose_mg), "mg a day"),
                    ("date", "Planned from", step.planned_start.isoformat(), "YYYY-MM-DD"),
                    ("min", "Minimum days", str(step.min_days), "7 or more"),
                    (
                        "how",
                        "How to take it",
                        step.how_to_take or "",
                        "filled in from the dose if left empty",
                    ),
                ],
                check,
            ),
            done,
        )

    def action_agree(self) -> None:
        plan = self.plan
        if plan is None:
            return
        today = self.today()

        def check(values: dict[str, str]) -> str | None:
            if not values["prescriber"].strip():
                return "Enter the name of the prescriber who agreed this plan."
            try:
                parse_day(values["date"] or "today", today=today)
            except TrackerError as exc:
                return str(exc)
            return None

        def done(result: FormResult | None) -> None:
            if result is None:
                return
            name = result.values["prescriber"].strip()
            agreed_on = parse_day(result.values["date"] or "today", today=today)
            plan_id, now, tz = plan.id, self.tracker_app.now(), self.tz or ZoneInfo("UTC")

            def write(session: Session) -> PlanView:
                from tracker.services import taper as svc

                return svc.agree_plan(
                    session=session, plan_id=plan_id, prescriber=name, agreed_on=agreed_on, now=now, tz=tz
                )

            self.run_db(write, lambda p: self._after(p.id, f"Agreement with {name} recorded"), write=True)

        self.app.push_screen(
            FieldsModal(
                "Record the agreement",
                "Who agreed this plan with you, and on which day? Only an agreed plan can start.",
                [
                    (
                        "prescriber",
                        "Prescriber",
                        plan.prescriber or "",
                        f"e.g. {self.prescriber}" if self.prescriber else "their name",
                    ),
                    ("date", "Agreed on", today.isoformat(), "YYYY-MM-DD, today or yesterday"),
                ],
                check,
            ),
            done,
        )

    def _running_other(self, plan: PlanView) -> PlanView | None:
        return next((p for p in self.plans if p.id != plan.id and p.status in _RUNNING), None)

    def action_start(self) -> None:
        plan = self.plan
        if plan is None:
            return
        if plan.status != "agreed":
            # No reason asked: the service refuses with R7's reason (or says why) and nothing is written.
            self._change("start", "", plan)
            return
        today = self.today()
        first = plan.steps[0] if plan.steps else None
        intro = (
            f"From today, {today.isoformat()}, step 1 is current"
            + (f": {_mg(first.dose_mg)} mg a day" if first else "")
            + "; the later dates keep the agreed spacing."
        )
        other = self._running_other(plan)
        if other is not None:
            live = other.live_step
            at = f" (step {live.order}, {_mg(live.dose_mg)} mg a day)" if live else ""
            intro += (
                f"\n\nPlan {other.id}{at} is running now. Starting plan {plan.id} sets plan {other.id} "
                "aside: it is marked abandoned, kept in your history, and no longer changes the "
                "prescription."
            )
        self.app.push_screen(
            ReasonModal(
                f"Start plan {plan.id} today" + (f" instead of plan {other.id}" if other else ""),
                intro,
                required=False,
                placeholder="Note (optional, e.g. started as agreed at the review)",
            ),
            lambda reason: None if reason is None else self._change("start", reason, plan),
        )

    def _ask(self, action: str, title: str, intro: str) -> None:
        drawn = self.plan
        if drawn is None:
            return
        self.app.push_screen(
            ReasonModal(title, intro),
            lambda reason: None if reason is None else self._change(action, reason, drawn),
        )

    def _live(self) -> StepView | None:
        return self.plan.live_step if self.plan else None

    def action_advance(self) -> None:
        plan, live = self.plan, self._live()
        if plan is None:
            return
        who = plan.prescriber or "your prescriber"
        nxt = plan.next_step
        today = self.today().isoformat()
        if nxt is None:
            what = f"This is the last step: advancing from today, {today}, completes the plan."
        else:
            now_at = f"step {live.order} ({_mg(live.dose_mg)} mg a day)" if live else "the current step"
            what = (
                f"From today, {today}: {_mg(nxt.dose_mg)} mg a day (step {nxt.order}), "
                f"moving on from {now_at}."
            )
        early = short_of_minimum(live.order, live.actual_start, live.min_days, self.today()) if live else None
        self._ask(
            "advance",
            f"Record {_mg(nxt.dose_mg) + ' mg a day' if nxt else 'the end of the plan'} from {today}",
            f"{what}{' ' + early if early else ''} The plan was agreed with {who}; the prescription follows.",
        )

    def action_hold(self) -> None:
        live = self._live()
        dose = f" at {_mg(live.dose_mg)} mg a day (step {live.order})" if live else ""
        self._ask(
            "hold",
            "Record a hold",
            f"Record that from today, {self.today().isoformat()}, you stay longer{dose}. "
            "The dose is unchanged.",
        )

    def action_resume(self) -> None:
        live = self._live()
        dose = f" You stay at {_mg(live.dose_mg)} mg a day (step {live.order})." if live else ""
        self._ask(
            "resume",
            "End the hold",
            f"Record that the hold is over from today, {self.today().isoformat()}.{dose} "
            "The next step is still yours to record.",
        )

    def _back_to(self) -> StepView | None:
        """The dose a step back returns to: the last step done before the current one."""
        plan, live = self.plan, self._live()
        if plan is None or live is None:
            return None
        done = [s for s in plan.steps if s.order < live.order and s.status == "done"]
        return done[-1] if done else None

    def action_step_back(self) -> None:
        live, back = self._live(), self._back_to()
        if live is None:
            return
        if back is None:
            self.notify(
                f"Step {live.order} ({_mg(live.dose_mg)} mg a day) is the first dose of this plan: "
                "there is no earlier dose to go back to. Nothing was recorded.",
                title="No step to go back to",
                severity="warning",
            )
            return
        today = self.today().isoformat()
        self._ask(
            "back",
            f"Record {_mg(back.dose_mg)} mg a day from {today}",
            f"Record that you went back from {_mg(live.dose_mg)} mg a day (step {live.order}) to "
            f"{_mg(back.dose_mg)} mg a day from today, {today}; the prescription follows. "
            "If symptoms are severe, talk to your prescriber.",
        )

    def _can_revise(self) -> bool:
        """D6: the running plan has been stepped back and still has planned steps to revise."""
        plan = self.plan
        return (
            plan is not None
            and plan.status in _RUNNING
            and plan.next_step is not None
            and any(s.status == "stepped_back" for s in plan.steps)
        )

    def action_smaller_steps(self) -> None:
        """D6: show the revised draft (read in a worker), then save it as a draft revision."""
        drawn = self.plan
        if drawn is None or not self._can_revise():  # reached from the palette of another screen
            self.notify(
                "Smaller steps follow a step back: they revise the remaining steps of a running plan "
                "that went back to an earlier dose. Nothing was saved.",
                title="Nothing to revise",
                timeout=6,
            )
            return
        now, tz = self.tracker_app.now(), self.tz or ZoneInfo("UTC")

        def read(session: Session) -> RevisionInputs:
            from tracker.services import taper as svc

            return svc.revision_inputs(session=session, plan_id=drawn.id, now=now, tz=tz)

        def show(inputs: RevisionInputs) -> None:
            from tracker.ui.screens.taper_revision import RevisionModal

            self.app.push_screen(
                RevisionModal(inputs),
                lambda choice: None if choice is None else self._save_revision(drawn, choice.step_size, now),
            )

        self.run_db(read, show)

    def _save_revision(self, drawn: PlanView, step_size: float | None, now: datetime) -> None:
        """Save the revision shown; refused, with nothing written, if the plan changed since it was drawn."""
        tz = self.tz or ZoneInfo("UTC")

        def write(session: Session) -> PlanView:
            from tracker.services import taper as svc

            if svc.get_plan(session=session, plan_id=drawn.id) != drawn:
                raise TrackerError(
                    f"Plan {drawn.id} changed since it was shown (an undo or a change made elsewhere). "
                    "No revision was saved; the screen now shows the plan as it is. Check it and try again."
                )
            return svc.revise_plan(session=session, plan_id=drawn.id, now=now, tz=tz, step_size=step_size)

        def saved(revised: PlanView) -> None:
            self._after(
                revised.id,
                f"Revised draft saved as plan {revised.id}",
                [
                    f"Plan {revised.id} is revision {revised.revision} of plan {drawn.id}, a draft: record "
                    f"the agreement (a) before it can start (g). Plan {drawn.id} runs until then; starting "
                    f"plan {revised.id} ends it."
                ],
            )

        def failed(message: str) -> None:
            self.notify(message, title="Not saved", severity="error", timeout=12)
            self.load(select_plan=drawn.id)

        self.run_db(write, saved, write=True, on_error=failed)

    def why_disabled(self, action: str) -> str | None:
        """What a dimmed plan key would need (said when it is pressed)."""
        plan = self.plan
        if action in _PLAN_ACTIONS:
            if plan is None:
                return "There is no plan here yet: press n to calculate a draft."
            if action == "resume":
                return "Resume ends a hold, and this plan is not on hold."
            if action == "hold":
                return "Only a running (active) plan can be held."
            if action in ("advance", "step_back"):
                return "This plan is not running; start it first (g) once it is agreed."
            return f"Not for a plan that is {plan.status}."
        if action == "new_draft":
            return "Add a medication first (Medications screen, m)."
        if action == "save_draft":
            return "The draft cannot be calculated yet; see the message above the table."
        return None

    def action_undo(self) -> None:
        def write(session: Session) -> str:
            from tracker.services import audit

            return audit.undo_last(session=session).describe()

        def undone(message: str) -> None:
            if message == "nothing to undo":
                self.notify("Nothing to undo.", timeout=4)
            else:
                self.notify(message, title="Undone")
            self.load()

        self.run_db(write, undone, write=True)

    def action_abandon(self) -> None:
        self._ask(
            "abandon", "Set this plan aside", "The plan stays in your history; the prescription is unchanged."
        )

    def _change(self, action: str, reason: str, drawn: PlanView) -> None:
        """Record ``action`` on the plan as it was drawn when the user was asked; refused, with
        nothing written, if the plan has changed since (another screen, an undo, the command line)."""
        plan_id, now, tz = drawn.id, self.tracker_app.now(), self.tz or ZoneInfo("UTC")

        def write(session: Session) -> PlanChange | PlanView:
            from tracker.services import taper as svc

            if svc.get_plan(session=session, plan_id=plan_id) != drawn:
                raise TrackerError(
                    f"Plan {plan_id} changed since it was shown (an undo or a change made elsewhere). "
                    "Nothing was recorded; the screen now shows the plan as it is. Check it and try again."
                )
            if action == "start":
                return svc.start_plan(session=session, plan_id=plan_id, now=now, tz=tz, reason=reason or None)
            if action == "advance":
                return svc.advance_plan(session=session, plan_id=plan_id, reason=reason, now=now, tz=tz)
            if action == "hold":
                return svc.hold_plan(session=session, plan_id=plan_id, reason=reason, now=now, tz=tz)
            if action == "resume":
                return svc.resume_plan(session=session, plan_id=plan_id, reason=reason, now=now)
            if action == "back":
                return svc.step_back_plan(session=session, plan_id=plan_id, reason=reason, now=now, tz=tz)
            return svc.abandon_plan(session=session, plan_id=plan_id, reason=reason, now=now)

        def done(result: PlanChange | PlanView) -> None:
            from tracker.services.taper import PlanChange

            words = {
                "start": "Plan started",
                "advance": "Moved to the next step",
                "hold": "Hold recorded",
                "resume": "Hold ended",
                "back": "Back to the previous dose",
                "abandon": "Plan set aside",
            }
            if isinstance(result, PlanChange):
                extra = [x for x in (result.prescription, *result.warnings) if x]
                self._after(result.plan.id, words[action], extra)
            else:
                self._after(result.id, words[action])

        def failed(message: str) -> None:
            self.notify(message, title="Not saved", severity="error", timeout=12)
            self.load(select_plan=plan_id)

        self.run_db(write, done, write=True, on_error=failed)

    def _after(self, plan_id: int, title: str, lines: list[str] | None = None) -> None:
        # A short toast: the details go under the plan (a long toast would cover the table).
        self.notify("Saved; the details are under the plan." if lines else "Saved.", title=title, timeout=6)
        self.query_one("#plan-warnings", Static).update("\n".join(lines or []))
        self.load(select_plan=plan_id)


# Plan actions and the plan statuses they apply to (others are shown dimmed in the Footer).
_PLAN_ACTIONS: dict[str, tuple[str, ...]] = {
    "edit_step": ("draft", "agreed"),
    "agree": ("draft",),
    "start": ("draft", "agreed"),  # a draft is refused with R7's reason, so the key explains itself
    "advance": _RUNNING,
    "hold": ("active",),
    "resume": ("held",),
    "step_back": _RUNNING,
    "abandon": ("draft", "agreed", "active", "held"),
}
