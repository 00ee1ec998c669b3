"""First run: the disclaimer, the first medication, an optional baseline.

Shown over Today while the setting ``first_run_done`` is false. Three steps,
each skippable: (1) a welcome with the medical disclaimer, acknowledged once
and remembered, and where the data is kept; (2) the first medication and its
prescription; (3) a baseline check of how the person feels before any
reduction, stored as a check-in with ``is_baseline=True``. Typing mistakes are
shown beside the field, in the parsers' and services' own words, and nothing is
saved until a step's values are all valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, ContentSwitcher, Input, Label, Select, Static

from tracker.domain.errors import TrackerError
from tracker.ui.base import DbScreen
from tracker.ui.widgets.footer import KeyFooter
from tracker.ui.widgets.rows import SymptomRow
from tracker.ui.widgets.symptom_list import SymptomList
from tracker.ui.widgets.zone_suggester import ZoneInput

if TYPE_CHECKING:
    from sqlmodel import Session

DISCLAIMER = (
    "taper-tracker is for information and tracking only. It is not medical advice. "
    "Always involve your health professional: talk to your prescriber before changing any dose."
)
FORMS = (("tablet", "tablet"), ("capsule", "capsule"), ("liquid (mg per ml)", "liquid"), ("drops", "drops"))
FIELDS = ("name", "strength", "form", "dose", "times", "since", "other", "zone")


@dataclass(frozen=True, slots=True)
class MedicationForm:
    """The medication step's values, checked and converted."""

    name: str
    strength_mg: float
    form: str
    dose_mg: float
    times: list[time]
    started_on: date | None = None  # "Taking it since"; None: not known (R10 says nothing then)
    other_strengths: str | None = None  # the other tablet/capsule strengths the user has ("25,100")
    zone: str | None = None  # the IANA time zone; None: left as it is


def check_medication(
    name: str,
    strength: str,
    form: str,
    dose: str,
    times: str,
    since: str = "",
    today: date | None = None,
    *,
    other: str = "",
    zone: str = "",
) -> tuple[MedicationForm | None, dict[str, str]]:
    """Parse the medication step; returns the values, or the message for each field that is wrong.

    ``since`` ("Taking it since") is optional: blank means not known. ``other`` ("Other strengths
    you have", tablets and capsules only) is optional, checked by the same parser as
    ``med add --other-strengths``. ``zone`` is a city or an IANA name; blank leaves it as it is.
    """
    from tracker.domain.strengths import StrengthsError, format_strengths, parse_strengths
    from tracker.domain.timeutil import parse_zone
    from tracker.domain.units import amount_to_mg, parse_amount, parse_day, parse_strength, parse_times

    errors: dict[str, str] = {}
    strength_mg: float | None = None
    if not name.strip():
        errors["name"] = "Give the medication's name, such as sertraline."
    if not strength.strip():
        errors["strength"] = "Give the strength, such as 50mg (per tablet) or 20mg/5ml (liquid)."
    else:
        try:
            parsed = parse_strength(strength)
            strength_mg = parsed.mg
            needed = {"ml": "liquid", "drop": "drops"}.get(parsed.per)
            if needed and form != needed:
                errors["form"] = f"A strength per {parsed.per} needs the form {needed}."
            elif parsed.per == "unit" and form in ("liquid", "drops"):
                unit = "ml" if form == "liquid" else "drop"
                errors["strength"] = f"A {form} needs a strength per {unit}, such as 2mg/{unit}."
        except TrackerError as exc:
            errors["strength"] = _sentence(str(exc))
    dose_mg: float | None = None
    if not dose.strip():
        errors["dose"] = "Give the dose you take each time, such as 50mg or 1 tablet."
    else:
        try:
            amount = parse_amount(dose)
            if strength_mg is not None and "form" not in errors:
                dose_mg = amount_to_mg(amount, form=form, strength_mg=strength_mg, name=name.strip() or "it")
            elif amount.unit == "mg":
                dose_mg = amount.value
        except TrackerError as exc:
            errors["dose"] = _sentence(str(exc))
    parsed_times: list[time] = []
    try:
        parsed_times = parse_times(times)
    except TrackerError as exc:
        errors["times"] = _sentence(str(exc))
    started_on: date | None = None
    if since.strip():
        try:
            started_on = parse_day(since, today=today or date.today())
        except TrackerError as exc:
            errors["since"] = _sentence(str(exc))
    other_strengths: str | None = None
    if other.strip():
        if form not in ("tablet", "capsule"):
            errors["other"] = "Other strengths are for tablets or capsules; leave it blank for this form."
        else:
            try:
                other_strengths = format_strengths(parse_strengths(other, main_mg=strength_mg))
            except StrengthsError as exc:
                errors["other"] = _sentence(str(exc))
    zone_name: str | None = None
    if zone.strip():
        try:
            zone_name = parse_zone(zone.strip()).key  # london -> Europe/London
        except ValueError as exc:
            errors["zone"] = _sentence(f"Time zone not found: {exc}")
    if errors or strength_mg is None or dose_mg is None:
        return None, errors
    return (
        MedicationForm(
            name.strip(), strength_mg, form, dose_mg, parsed_times, started_on, other_strengths, zone_name
        ),
        {},
    )


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


class FirstRunScreen(DbScreen):
    """Welcome, first medication, baseline; every step can be skipped."""

    CSS_PATH = "first_run.tcss"
    BLOCKS_MODES = True  # the app keeps mode keys off until the welcome is finished or skipped
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape", "skip", "Skip this step", id="first-run-skip", tooltip="Skip this step; do it later"
        ),
        Binding("ctrl+s", "save", "Continue", id="first-run-save", tooltip="Save this step and go on"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # the disclaimer is read, not skipped (False hides the key)
        return not (action == "skip" and self.step == "welcome")

    def __init__(self) -> None:
        super().__init__()
        self.step = "welcome"
        self.ratings: dict[int, int] = {}
        self.symptom_rows: list[SymptomRow] = []
        self.today: date | None = None
        self.zone: str | None = None  # the stored (or system) time zone when the screen opened

    # -- layout -----------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("Welcome to taper-tracker · step 1 of 3", id="first-run-title")
        with ContentSwitcher(initial="welcome", id="steps"):
            with VerticalScroll(id="welcome"):
                yield Static(
                    "This app helps you keep a record of your antidepressant doses, a taper agreed with "
                    "your prescriber, and how you feel, and turns it into a clear summary for your "
                    "appointments.",
                    classes="para",
                )
                yield Static(f"⚠  {DISCLAIMER}", id="disclaimer", classes="para")
                yield Static("Your entries stay on this computer, in:", classes="para-head")
                yield Static(str(self.tracker_app.db_path), id="db-path")
                yield Static("Nothing leaves it unless you export a summary yourself.", classes="para")
                yield Static(
                    "Next: your medication, then an optional baseline of how you feel. "
                    "You can skip both and add them later.",
                    classes="hint",
                )
                yield Static("", id="ack-note", classes="hint")
                with Horizontal(classes="buttons"):
                    yield Button("I understand, continue", id="ack", variant="primary", compact=True)
            with VerticalScroll(id="medication"):
                yield Static(
                    "Add the medication you take now and how it is prescribed. You can skip this and add "
                    "it later on the Medications screen (m).",
                    classes="para",
                )
                yield from _field("Name", Input(placeholder="such as sertraline", id="med-name"), "name")
                yield from _field(
                    "Strength",
                    Input(placeholder="such as 50mg (per tablet) or 20mg/5ml", id="med-strength"),
                    "strength",
                )
                yield from _field(
                    "Form",
                    Select(FORMS, value="tablet", allow_blank=False, id="med-form", compact=True),
                    "form",
                )
                yield from _field(
                    "Dose each time", Input(placeholder="such as 50mg or 1 tablet", id="med-dose"), "dose"
                )
                yield from _field(
                    "Times of day", Input(placeholder="such as 08:00 or 08:00,20:00", id="med-times"), "times"
                )
                yield from _field(
                    "Taking it since",
                    Input(placeholder="optional, such as 2024-03-01; blank if not sure", id="med-since"),
                    "since",
                )
                yield from _field(
                    "Other strengths",  # the label column is 16 cells; the placeholder says the rest
                    Input(
                        placeholder="optional: other strengths you have, e.g. 25,100",
                        id="med-other",
                    ),
                    "other",
                )
                yield from _field(
                    "Time zone",
                    ZoneInput(placeholder="a city or an IANA name, such as London", id="med-zone"),
                    "zone",
                )
                yield Static("", id="med-error", classes="field-error")
                with Horizontal(classes="buttons"):
                    yield Button("Save and continue", id="med-save", variant="primary", compact=True)
                    yield Button("Skip for now", id="med-skip", compact=True)
            with Vertical(id="baseline"):
                yield Static(
                    "How do you feel before any reduction? This baseline helps tell later changes apart. "
                    "Rate symptoms with 0-3 (arrows move); anything left unrated is saved as 0 (none).",
                    classes="para",
                )
                with Horizontal(id="baseline-checkin"):
                    yield Label("Mood 0-10")
                    yield Input(placeholder="e.g. 6", id="base-mood", compact=True)
                    yield Label("Sleep hours")
                    yield Input(placeholder="e.g. 7.5", id="base-sleep", compact=True)
                yield Static("", id="base-error", classes="field-error")
                yield SymptomList(compare=False, show_all=True, id="base-symptoms")
                with Horizontal(classes="buttons"):
                    yield Button("Save baseline", id="base-save", variant="primary", compact=True)
                    yield Button("Skip for now", id="base-skip", compact=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#ack", Button).focus()
        now = self.tracker_app.now()

        def read(session: Session) -> tuple[bool, list[SymptomRow], date, str]:
            from tracker.domain.timeutil import local_day
            from tracker.services import settings, symptoms

            acknowledged = bool(settings.get_setting(session=session, key="disclaimer_acknowledged"))
            rows = [
                SymptomRow(symptom_id=s.id or 0, name=s.name, group=s.group, is_crisis=s.is_crisis)
                for s in symptoms.list_symptoms(session=session)
            ]
            zone = settings.user_zone(session=session)  # the system's zone until one is stored
            return acknowledged, rows, local_day(now, zone), zone.key

        self.run_db(read, self._loaded)

    def _loaded(self, result: tuple[bool, list[SymptomRow], date, str]) -> None:
        acknowledged, rows, today, zone = result
        self.symptom_rows, self.today, self.zone = rows, today, zone
        zone_input = self.query_one("#med-zone", ZoneInput)
        if not zone_input.value:
            zone_input.value = zone
        self.query_one("#base-symptoms", SymptomList).set_rows(rows)
        if acknowledged:
            self.query_one("#ack-note", Static).update("You acknowledged this before.")

    # -- steps ------------------------------------------------------------
    def _go(self, step: str) -> None:
        self.step = step
        self.query_one("#steps", ContentSwitcher).current = step
        number = {"welcome": 1, "medication": 2, "baseline": 3}[step]
        titles = {
            "welcome": "Welcome to taper-tracker",
            "medication": "Your medication",
            "baseline": "Baseline: before any reduction",
        }
        self.query_one("#first-run-title", Static).update(f"{titles[step]} · step {number} of 3")
        focus = {"welcome": "#ack", "medication": "#med-name", "baseline": "#base-symptoms"}[step]
        self.query_one(focus).focus()
        self.refresh_bindings()

    def action_skip(self) -> None:
        if self.step == "medication":
            self._go("baseline")
        elif self.step == "baseline":
            self._finish("Skipped the baseline. You can mark any day as a baseline on Today with B.")

    def action_save(self) -> None:
        {"welcome": self.acknowledge, "medication": self.save_medication, "baseline": self.save_baseline}[
            self.step
        ]()

    @on(Button.Pressed, "#ack")
    def acknowledge(self) -> None:
        def save(session: Session) -> None:
            from tracker.services import settings

            settings.set_setting(session=session, key="disclaimer_acknowledged", value=True)

        self.run_db(save, lambda _r: self._go("medication"), write=True)

    @on(Button.Pressed, "#med-skip")
    def skip_medication(self) -> None:
        self._go("baseline")

    @on(Button.Pressed, "#base-skip")
    def skip_baseline(self) -> None:
        self.action_skip()

    # -- medication -------------------------------------------------------
    def _show_errors(self, errors: dict[str, str], general: str = "") -> None:
        for name in FIELDS:
            widget = self.query_one(f"#err-{name}", Static)
            widget.update(errors.get(name, ""))
            widget.set_class(name in errors, "-shown")
        general_widget = self.query_one("#med-error", Static)
        general_widget.update(general)
        general_widget.set_class(bool(general), "-shown")

    @on(Input.Submitted, "#medication Input")
    @on(Button.Pressed, "#med-save")
    def save_medication(self) -> None:
        value = {
            n: self.query_one(f"#med-{n}", Input).value
            for n in ("name", "strength", "dose", "times", "since", "other", "zone")
        }
        form = self.query_one("#med-form", Select).value
        checked, errors = check_medication(
            value["name"],
            value["strength"],
            str(form),
            value["dose"],
            value["times"],
            value["since"],
            today=self.today or self.tracker_app.now().date(),
            other=value["other"],
            zone=value["zone"],
        )
        self._show_errors(errors)
        if checked is None:
            first = next(n for n in FIELDS if n in errors)
            self.query_one(f"#med-{first}").focus()
            return
        from tracker.domain.plausibility import prescription_concern

        concern = prescription_concern(
            drug=checked.name,
            dose_mg=checked.dose_mg,
            intakes=len(checked.times),
            strength_mg=checked.strength_mg,
        )
        if concern is None:
            self._save_medication(checked, confirmed=False)
            return
        from tracker.ui.widgets.forms import ConfirmModal

        self.app.push_screen(
            ConfirmModal(f"{concern.message}\n\nSave it as entered?", "Yes, save it", "No, go back"),
            lambda yes: self._save_medication(checked, confirmed=True) if yes else None,
        )

    def _save_medication(self, checked: Any, *, confirmed: bool) -> None:
        today = self.today or self.tracker_app.now().date()
        zone_before, now = self.zone, self.tracker_app.now()

        def save(session: Session) -> str:
            from tracker.services import meds

            med = meds.create_medication(
                session=session,
                name=checked.name,
                strength_mg=checked.strength_mg,
                form=checked.form,
                started_on=checked.started_on,
                other_strengths=checked.other_strengths,
            )
            meds.set_prescription(
                session=session,
                medication_id=med.id or 0,
                dose_mg=checked.dose_mg,
                times=checked.times,
                start_date=today,
                confirmed=confirmed,
            )
            if checked.zone is not None and checked.zone != zone_before:
                from tracker.services import settings

                settings.set_setting(session=session, key="timezone", value=checked.zone, now=now)
            return med.name

        self.run_db(save, self._medication_saved, write=True, on_error=self._medication_refused)

    def _medication_saved(self, name: str) -> None:
        self.notify(f"{name} and its prescription are saved.", title="Saved", timeout=4)
        self._go("baseline")

    def _medication_refused(self, message: str) -> None:
        lowered = message.lower()
        field = (
            "name"
            if "medication called" in lowered or "name" in lowered
            else ("dose" if "dose" in lowered else "")
        )
        if field:
            self._show_errors({field: _sentence(message)})
        else:
            self._show_errors({}, f"Not saved: {_sentence(message)}")

    # -- baseline ---------------------------------------------------------
    @on(SymptomList.Rated)
    def rated(self, event: SymptomList.Rated) -> None:
        event.stop()
        self.ratings[event.row.symptom_id] = event.severity
        self._refresh_ratings()
        event.symptom_list.action_cursor_down()

    @on(SymptomList.Cleared)
    def cleared(self, event: SymptomList.Cleared) -> None:
        event.stop()
        self.ratings.pop(event.row.symptom_id, None)
        self._refresh_ratings()

    def _refresh_ratings(self) -> None:
        rows = [r._replace(severity=self.ratings.get(r.symptom_id)) for r in self.symptom_rows]
        self.query_one("#base-symptoms", SymptomList).set_rows(rows)

    @on(Input.Submitted, "#baseline Input")
    def next_field(self, event: Input.Submitted) -> None:
        """Enter moves on (mood, sleep, then the symptoms): only the button or ctrl+s saves the baseline."""
        event.stop()
        self.focus_next()

    @on(Button.Pressed, "#base-save")
    def save_baseline(self) -> None:
        from tracker.domain.units import parse_mood, parse_sleep

        errors: list[str] = []
        mood: int | None = None
        sleep: float | None = None
        mood_text = self.query_one("#base-mood", Input).value.strip()
        sleep_text = self.query_one("#base-sleep", Input).value.strip()
        try:
            mood = parse_mood(mood_text) if mood_text else None
        except TrackerError as exc:
            errors.append(_sentence(str(exc)))
        try:
            sleep = parse_sleep(sleep_text) if sleep_text else None
        except TrackerError as exc:
            errors.append(_sentence(str(exc)))
        error = self.query_one("#base-error", Static)
        error.update(" ".join(errors))
        error.set_class(bool(errors), "-shown")
        if errors:
            return
        ratings = {r.symptom_id: self.ratings.get(r.symptom_id, 0) for r in self.symptom_rows}
        today = self.today or self.tracker_app.now().date()
        now = self.tracker_app.now()

        def save(session: Session) -> None:
            from tracker.services import checkins, symptoms

            checkins.set_checkin(
                session=session, day=today, mood=mood, sleep_hours=sleep, is_baseline=True, now=now
            )
            for symptom_id, severity in ratings.items():
                symptoms.rate_symptom(
                    session=session, symptom_id=symptom_id, day=today, severity=severity, now=now
                )

        self.run_db(save, lambda _r: self._finish("Baseline saved for today."), write=True)

    # -- end --------------------------------------------------------------
    def _finish(self, message: str) -> None:
        def save(session: Session) -> None:
            from tracker.services import settings

            settings.set_setting(session=session, key="first_run_done", value=True)

        def done(_result: None) -> None:
            self.notify(message + " Press ? for help at any time.", title="All set", timeout=6)
            self.dismiss(None)

        self.run_db(save, done, write=True)


def _field(label: str, widget: Input | Select[Any], name: str) -> ComposeResult:
    """A labelled form row with its error line below."""
    if isinstance(widget, Input):
        widget.compact = True
    with Horizontal(classes="field"):
        yield Label(label, classes="field-label")
        yield widget
    yield Static("", id=f"err-{name}", classes="field-error")
