"""Medications screen: the list (active and archived), add, edit, archive, and prescriptions.

A medication's dose history is its sequence of prescriptions; the lower table
shows them for the highlighted medication. A new prescription records what the
prescriber gave; the app never suggests a dose.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Header, Input, Static

from tracker.domain.drugs import facts_for
from tracker.domain.errors import TrackerError
from tracker.domain.plausibility import NeedsConfirmation
from tracker.domain.strengths import StrengthsError, format_strengths, parse_strengths
from tracker.domain.timeutil import local_day
from tracker.domain.units import amount_to_mg, format_mg, parse_amount, parse_day, parse_strength, parse_times
from tracker.ui.base import DbScreen
from tracker.ui.widgets.cells import plain
from tracker.ui.widgets.footer import KeyFooter
from tracker.ui.widgets.forms import ConfirmModal, FieldSpec, FormModal

if TYPE_CHECKING:
    from sqlmodel import Session


# --------------------------------------------------------------------------- what the screen shows


@dataclass(frozen=True, slots=True)
class RxView:
    id: int
    dose_mg: float
    times: str
    start_date: date
    end_date: date | None
    prescriber: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class MedView:
    id: int
    name: str
    brand: str | None
    drug_class: str
    form: str
    strength_mg: float
    liquid_mg_per_ml: float | None
    tablet_fractions: str
    half_life_hours: float | None
    notes: str | None
    archived: bool
    current: RxView | None
    prescriptions: tuple[RxView, ...]  # newest first
    started_on: date | None = None  # "Taking it since"; None: not known
    other_strengths: str | None = None  # other tablet/capsule strengths, mg, "25,100" (issue 12)


def strength_text(form: str, strength_mg: float) -> str:
    """``50 mg`` per tablet, ``2 mg/ml`` for a liquid, ``2 mg/drop`` for drops."""
    per = {"liquid": "/ml", "drops": "/drop"}.get(form, "")
    return format_mg(strength_mg) + per


def _rx_view(rx: Any) -> RxView:
    return RxView(rx.id or 0, rx.dose_mg, rx.times, rx.start_date, rx.end_date, rx.prescriber, rx.note)


def load_medications(session: Session, today: date) -> list[MedView]:
    """Every medication with its prescriptions, active first, by name (runs in a worker)."""
    from tracker.services import meds

    out = []
    for med in meds.list_medications(session=session, include_archived=True):
        rxs = meds.prescriptions_for(session=session, medication_id=med.id or 0)
        current = meds.prescription_on(session=session, medication_id=med.id or 0, day=today)
        out.append(
            MedView(
                id=med.id or 0,
                name=med.name,
                brand=med.brand,
                drug_class=med.drug_class,
                form=med.form,
                strength_mg=med.strength_mg,
                liquid_mg_per_ml=med.liquid_mg_per_ml,
                tablet_fractions=med.tablet_fractions,
                half_life_hours=med.half_life_hours,
                notes=med.notes,
                archived=med.archived,
                current=_rx_view(current) if current else None,
                prescriptions=tuple(_rx_view(r) for r in reversed(rxs)),
                started_on=med.started_on,
                other_strengths=med.other_strengths,
            )
        )
    return sorted(out, key=lambda m: (m.archived, m.name.casefold()))


# --------------------------------------------------------------------------- the medication form

CLASS_OPTIONS = (("SSRI", "SSRI"), ("SNRI", "SNRI"), ("other", "other"))
FORM_OPTIONS = (("tablet", "tablet"), ("capsule", "capsule"), ("liquid", "liquid"), ("drops", "drops"))


def _positive_number(text: str, what: str, *, unit: str = "") -> float:
    raw = text.strip().lower()
    if unit and raw.endswith(unit):
        raw = raw[: -len(unit)].strip()
    try:
        value = float(raw.replace(",", "."))
    except ValueError as exc:
        raise TrackerError(f"{what} {text.strip()!r} is not a number") from exc
    if not math.isfinite(value) or value <= 0:
        raise TrackerError(f"{what} must be a number more than zero")
    return value


def parse_medication_form(
    values: Mapping[str, str], today: date | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check the medication form field by field.

    Returns the values for ``create_medication``/``update_medication`` and the
    messages keyed by field; nothing is saved while any message remains. "Taking it
    since" (``since``) is optional: blank means not known; a day after ``today`` is refused.
    """
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    name = values.get("name", "").strip()
    if not name:
        errors["name"] = "give the medication's name, such as sertraline"
    elif len(name) > 80:
        errors["name"] = "the name is longer than 80 characters"
    out["name"] = name
    out["brand"] = values.get("brand", "").strip() or None
    out["drug_class"] = values.get("drug_class") or "other"
    form = values.get("form") or "tablet"
    out["form"] = form

    raw_strength = values.get("strength", "").strip()
    if not raw_strength:
        errors["strength"] = "give the strength, such as 20mg (per tablet) or 2mg/ml (liquid)"
    else:
        try:
            strength = parse_strength(raw_strength)
        except TrackerError as exc:
            errors["strength"] = str(exc)
        else:
            wanted = {"liquid": "ml", "drops": "drop"}.get(form, "unit")
            if strength.per != wanted:
                errors["strength"] = {
                    "ml": "a liquid's strength is per ml, such as 2mg/ml or 10mg/5ml",
                    "drop": "give the strength per drop, such as 2mg/drop (drops and ml are not the same)",
                    "unit": f"a {form}'s strength is per {form}, such as 20mg",
                }[wanted]
            out["strength_mg"] = strength.mg

    raw_half = values.get("half_life", "").strip()
    out["half_life_hours"] = None
    if raw_half:
        try:
            half = _positive_number(raw_half, "the half-life", unit="h")
            if half > 2000:
                raise TrackerError("the half-life is more than 2000 hours; check the number")
            out["half_life_hours"] = half
        except TrackerError as exc:
            errors["half_life"] = str(exc)

    raw_liquid = values.get("liquid", "").strip()
    out["liquid_mg_per_ml"] = None
    if raw_liquid:
        if form in ("liquid", "drops"):
            errors["liquid"] = "only for tablets or capsules topped up with a liquid; leave it empty"
        else:
            try:
                if any(c.isalpha() for c in raw_liquid):
                    conc = parse_strength(raw_liquid)
                    if conc.per != "ml":
                        raise TrackerError(
                            "give the liquid's concentration per ml, such as 2mg/ml or 10mg/5ml"
                        )
                    out["liquid_mg_per_ml"] = conc.mg
                else:
                    out["liquid_mg_per_ml"] = _positive_number(raw_liquid, "the liquid concentration")
            except TrackerError as exc:
                errors["liquid"] = str(exc)

    raw_fractions = values.get("fractions", "").strip() or "1"
    try:
        parts = [float(p.replace(" ", "")) for p in raw_fractions.split(",") if p.strip()]
        if not parts or any(not math.isfinite(p) or not 0 < p <= 1 for p in parts):
            raise ValueError
        out["tablet_fractions"] = ",".join(f"{p:g}" for p in sorted(set(parts), reverse=True))
    except ValueError:
        errors["fractions"] = "tablet fractions are numbers between 0 and 1, such as 1,0.5,0.25"

    if "others" in values:
        raw_others = values["others"].strip()
        out["other_strengths"] = None
        if raw_others and form not in ("tablet", "capsule"):
            errors["others"] = "only for tablets or capsules; leave it empty"
        elif raw_others:
            try:
                out["other_strengths"] = format_strengths(parse_strengths(raw_others))
            except StrengthsError as exc:
                errors["others"] = str(exc)

    notes = values.get("notes", "").strip()
    if len(notes) > 500:
        errors["notes"] = "the notes are longer than 500 characters"
    out["notes"] = notes or None

    if "since" in values:
        raw_since = values["since"].strip()
        out["started_on"] = None
        if raw_since:
            try:
                out["started_on"] = parse_day(raw_since, today=today or date.max, allow_future=today is None)
            except TrackerError as exc:
                errors["since"] = str(exc)
    return out, errors


class MedicationForm(FormModal):
    """Add or edit a medication. Dismisses with a sentence saying what was saved."""

    ERROR_FIELDS = (
        ("other strengths", "others"),
        ("medication called", "name"),
        ("name", "name"),
        ("strength", "strength"),
        ("half-life", "half_life"),
        ("liquid", "liquid"),
        ("fraction", "fractions"),
        ("started taking", "since"),
        ("class", "drug_class"),
        ("form", "form"),
    )

    def __init__(self, med: MedView | None = None, today: date | None = None) -> None:
        self.med = med
        self.today = today
        m = med

        def fmt(value: float | None) -> str:
            return f"{value:g}" if value is not None else ""

        strength = ""
        if m is not None:
            strength = f"{m.strength_mg:g}mg" + {"liquid": "/ml", "drops": "/drop"}.get(m.form, "")
        fields = [
            FieldSpec("name", "Name *", m.name if m else "", "such as sertraline"),
            FieldSpec("brand", "Brand", (m.brand or "") if m else "", "optional, such as Lustral"),
            FieldSpec("drug_class", "Class", m.drug_class if m else "other", options=CLASS_OPTIONS),
            FieldSpec("form", "Form", m.form if m else "tablet", options=FORM_OPTIONS),
            FieldSpec("strength", "Strength *", strength, "20mg per tablet; 2mg/ml liquid; 2mg/drop"),
            FieldSpec(
                "half_life",
                "Half-life (hours)",
                fmt(m.half_life_hours) if m else "",
                "filled in for known drugs",
            ),
            FieldSpec(
                "liquid",
                "Liquid top-up",
                f"{m.liquid_mg_per_ml:g}mg/ml" if m and m.liquid_mg_per_ml else "",
                "optional, such as 20mg/ml",
            ),
            FieldSpec(
                "fractions", "Tablet fractions", m.tablet_fractions if m else "1,0.5", "such as 1,0.5,0.25"
            ),
            FieldSpec(
                "others",
                "Other strengths",
                (m.other_strengths or "") if m else "",
                "optional, mg each, such as 25,100",
            ),
            FieldSpec(
                "since",
                "Taking it since",
                m.started_on.isoformat() if m and m.started_on else "",
                "optional, YYYY-MM-DD; blank if not sure",
            ),
            FieldSpec("notes", "Notes", (m.notes or "") if m else "", "optional"),
        ]
        title = f"Edit {m.name}" if m else "Add a medication"
        super().__init__(title, fields, "Fields marked * are needed. Enter or ctrl+s saves, esc cancels.")
        self._auto_half_life: str | None = None
        self._auto_class: str | None = None

    @on(Input.Changed, "#f-name")
    def _name_changed(self, event: Input.Changed) -> None:
        """Known drugs fill in class and half-life, without overwriting what the user typed."""
        facts = facts_for(event.value)
        if facts is None:
            self.set_hint("name", "")
            return
        values = self.values()
        half = f"{facts.half_life_hours:g}"
        if values["half_life"] in ("", self._auto_half_life):
            self.set_value("half_life", half)
            self._auto_half_life = half
        if values["drug_class"] in ("other", self._auto_class):
            self.set_value("drug_class", facts.drug_class)
            self._auto_class = facts.drug_class
        hint = f"{facts.name}: {facts.drug_class}, half-life about {half} h"
        self.set_hint("name", f"{hint}; {facts.note}" if facts.note else hint)

    def check(self, values: dict[str, str]) -> tuple[Any, dict[str, str]]:
        return parse_medication_form(values, self.today)

    def save(self, parsed: Any) -> None:
        from tracker.services import meds

        values = dict(parsed)
        if self.med is None:

            def create(s: Session) -> tuple[str, int]:
                med = meds.create_medication(session=s, **values)
                return f"{med.name} added. Press n to record its prescription.", med.id or 0

            self.run_db(create, self.dismiss)
        else:
            med_id = self.med.id

            def update(s: Session) -> tuple[str, int]:
                med = meds.update_medication(session=s, medication_id=med_id, **values)
                return f"{med.name} saved.", med_id

            self.run_db(update, self.dismiss)


# --------------------------------------------------------------------------- the prescription form


@dataclass(frozen=True, slots=True)
class ParsedRx:
    dose_mg: float
    times: list[Any]
    start_date: date
    end_date: date | None
    prescriber: str | None
    note: str | None


def parse_prescription_form(
    values: Mapping[str, str], med: MedView, today: date
) -> tuple[ParsedRx | None, dict[str, str]]:
    """Check the prescription form: dose per intake in mg or units of the medication, times, dates."""
    errors: dict[str, str] = {}
    dose_mg = 0.0
    try:
        amount = parse_amount(values.get("dose", ""))
        dose_mg = amount_to_mg(
            amount,
            form=med.form,
            strength_mg=med.strength_mg,
            liquid_mg_per_ml=med.liquid_mg_per_ml,
            name=med.name,
        )
    except TrackerError as exc:
        errors["dose"] = str(exc)
    times: list[Any] = []
    try:
        times = parse_times(values.get("times", ""))
    except TrackerError as exc:
        errors["times"] = str(exc)
    start = today
    try:
        start = parse_day(values.get("start", "") or "today", today=today, allow_future=True)
    except TrackerError as exc:
        errors["start"] = str(exc)
    end: date | None = None
    if values.get("end", "").strip():
        try:
            end = parse_day(values["end"], today=today, allow_future=True)
            if "start" not in errors and end < start:
                errors["end"] = "the last day is before the first day"
        except TrackerError as exc:
            errors["end"] = str(exc)
    if errors:
        return None, errors
    return ParsedRx(
        dose_mg,
        times,
        start,
        end,
        values.get("prescriber", "").strip() or None,
        values.get("note", "").strip() or None,
    ), {}


class PrescriptionForm(FormModal):
    """Record a new prescription for one medication (the running one ends the day before)."""

    ERROR_FIELDS = (
        ("dose", "dose"),
        ("amount", "dose"),
        ("time", "times"),
        ("ends before", "end"),
        ("starting", "start"),
    )

    def __init__(self, med: MedView, today: date) -> None:
        self.med = med
        self.today = today
        cur = med.current
        unit = {"liquid": "ml", "drops": "drops"}.get(med.form, med.form)
        fields = [
            FieldSpec("dose", "Dose per intake *", "", f"such as 25mg or 0.5 {unit}"),
            FieldSpec(
                "times", "Times of day *", cur.times if cur else "08:00", "such as 08:00 or 08:00,20:00"
            ),
            FieldSpec("start", "First day *", today.isoformat(), "YYYY-MM-DD, today"),
            FieldSpec("end", "Last day", "", "optional, YYYY-MM-DD"),
            FieldSpec("prescriber", "Prescriber", (cur.prescriber or "") if cur else "", "who prescribed it"),
            FieldSpec("note", "Note", "", "optional"),
        ]
        now_text = (
            f"Now: {format_mg(cur.dose_mg)} at {cur.times.replace(',', ', ')}"
            if cur
            else "No prescription running today."
        )
        intro = (
            f"{now_text}\nRecord the prescription your prescriber gave you; the app never suggests a dose."
        )
        super().__init__(f"New prescription for {med.name}", fields, intro)

    def check(self, values: dict[str, str]) -> tuple[Any, dict[str, str]]:
        return parse_prescription_form(values, self.med, self.today)

    def save(self, parsed: Any) -> None:

        self._save(parsed, confirmed=False)

    def _save(self, rx: ParsedRx, *, confirmed: bool) -> None:
        from tracker.domain.drugs import drops_warning
        from tracker.services import meds

        med_id, name, form = self.med.id, self.med.name, self.med.form

        def write(s: Session) -> str | NeedsConfirmation:
            try:
                meds.set_prescription(
                    session=s,
                    medication_id=med_id,
                    dose_mg=rx.dose_mg,
                    times=rx.times,
                    start_date=rx.start_date,
                    end_date=rx.end_date,
                    prescriber=rx.prescriber,
                    note=rx.note,
                    confirmed=confirmed,
                )
            except NeedsConfirmation as exc:  # raised before anything is written: ask in the app
                return exc
            warning = drops_warning(name, form)
            return (
                f"{name}: {format_mg(rx.dose_mg)} at {', '.join(t.strftime('%H:%M') for t in rx.times)} "
                f"from {rx.start_date.isoformat()}" + (f". {warning}" if warning else "")
            )

        def done(result: str | NeedsConfirmation) -> None:
            if isinstance(result, NeedsConfirmation):
                self.app.push_screen(
                    ConfirmModal(f"{result.message}\n\nSave it as entered?", "Yes, save it", "No, go back"),
                    lambda yes: self._save(rx, confirmed=True) if yes else None,
                )
                return
            self.dismiss(result)

        self.run_db(write, done)


# --------------------------------------------------------------------------- the screen


class MedicationsScreen(DbScreen):
    """Medications, active and archived, and the prescriptions of the highlighted one."""

    CSS_PATH = "medications.tcss"
    SUB_TITLE = "Medications"
    AUTO_FOCUS = "#med-table"
    BINDINGS = [
        Binding("a", "add", "Add", id="meds-add", tooltip="Add a medication"),
        Binding("e", "edit", "Edit", id="meds-edit", tooltip="Edit the highlighted medication"),
        Binding(
            "n",
            "prescribe",
            "New prescription",
            id="meds-prescribe",
            tooltip="Record a new prescription for the highlighted medication",
        ),
        Binding(
            "x",
            "archive",
            "Archive/restore",
            id="meds-archive",
            tooltip="Archive the highlighted medication, or restore an archived one",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.meds: list[MedView] = []
        self.selected_id: int | None = None
        self.today: date | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="meds-body"):
            yield Static("Medications", classes="section-title")
            yield Static("Loading…", id="meds-empty")
            yield DataTable(id="med-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="med-detail", markup=False)  # names and notes as typed
            yield Static("Prescriptions", classes="section-title", id="rx-title", markup=False)
            yield DataTable(id="rx-table", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        meds_table = self.query_one("#med-table", DataTable)
        meds_table.add_column("Name", key="name")
        meds_table.add_column("Class", key="class")
        meds_table.add_column("Form", key="form")
        meds_table.add_column("Strength", key="strength")
        meds_table.add_column("Prescribed today", key="now")
        meds_table.add_column("Status", key="status")
        rx_table = self.query_one("#rx-table", DataTable)
        rx_table.add_column("From", key="from")
        rx_table.add_column("To", key="to")
        rx_table.add_column("Per intake", key="dose")
        rx_table.add_column("Times", key="times")
        rx_table.add_column("Prescriber", key="prescriber")
        rx_table.add_column("Note", key="note")

    def on_screen_resume(self) -> None:
        self.reload()

    # -- data ---------------------------------------------------------------
    def reload(self) -> None:
        now = self.tracker_app.now()

        def fetch(session: Session) -> tuple[date, list[MedView]]:
            from tracker.services.settings import user_zone

            today = local_day(now, user_zone(session=session))
            return today, load_medications(session, today)

        self.run_db(fetch, self._show, group="meds-load", exclusive=True)

    def _show(self, result: tuple[date, list[MedView]]) -> None:
        self.today, self.meds = result
        table = self.query_one("#med-table", DataTable)
        table.clear()
        for m in self.meds:
            now = "-"
            if m.current is not None:
                now = f"{format_mg(m.current.dose_mg)} at {m.current.times.replace(',', ', ')}"
            table.add_row(
                plain(m.name if not m.brand else f"{m.name} ({m.brand})"),
                m.drug_class,
                m.form,
                strength_text(m.form, m.strength_mg),
                "-" if m.archived else now,
                "archived" if m.archived else "active",
                key=str(m.id),
            )
        empty = self.query_one("#meds-empty", Static)
        empty.update("No medications yet. Press a to add one." if not self.meds else "")
        empty.display = not self.meds
        index = next((i for i, m in enumerate(self.meds) if m.id == self.selected_id), 0)
        if self.meds:
            table.move_cursor(row=index)
        self._show_selected()

    def _show_selected(self) -> None:
        med = self.selected
        detail = self.query_one("#med-detail", Static)
        rx_table = self.query_one("#rx-table", DataTable)
        rx_table.clear()
        title = self.query_one("#rx-title", Static)
        if med is None:
            detail.update("")
            title.update("Prescriptions")
            return
        parts = [f"{med.drug_class} {med.form}, {strength_text(med.form, med.strength_mg)}"]
        if med.half_life_hours is not None:
            parts.append(f"half-life about {med.half_life_hours:g} h")
        if med.form in ("tablet", "capsule"):
            parts.append(f"split to {med.tablet_fractions.replace(',', ', ')}")
        if med.liquid_mg_per_ml:
            parts.append(f"liquid {med.liquid_mg_per_ml:g} mg/ml")
        if med.other_strengths and med.form in ("tablet", "capsule"):
            parts.append(f"also {med.other_strengths.replace(',', ', ')} mg {med.form}s")
        lines = [" · ".join(parts)]
        facts = facts_for(med.name)
        if facts is not None and facts.note:
            lines.append(facts.note)
        if med.form == "drops":
            lines.append("Drops are not always the same as the tablet dose; check with your pharmacist.")
        if med.notes:
            lines.append(f"Notes: {med.notes}")
        if med.archived:
            lines.append("Archived: no dose reminders; its history is kept. Press x to restore it.")
        detail.update("\n".join(lines))
        title.update(f"Prescriptions of {med.name}, newest first (n records a new one)")
        for rx in med.prescriptions:
            rx_table.add_row(
                rx.start_date.isoformat(),
                rx.end_date.isoformat() if rx.end_date else "current",
                format_mg(rx.dose_mg),
                rx.times.replace(",", ", "),
                plain(rx.prescriber or ""),
                plain(rx.note or ""),
                key=str(rx.id),
            )
        if not med.prescriptions:
            rx_table.add_row("none yet", "", "", "", "", "")

    @property
    def selected(self) -> MedView | None:
        return next((m for m in self.meds if m.id == self.selected_id), self.meds[0] if self.meds else None)

    @on(DataTable.RowHighlighted, "#med-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self.selected_id = int(event.row_key.value)
            self._show_selected()

    # -- actions ------------------------------------------------------------
    def _need_med(self) -> MedView | None:
        med = self.selected
        if med is None:
            self.notify("Add a medication first (press a).", severity="warning")
        return med

    def _form_closed(self, result: str | tuple[str, int] | None) -> None:
        """After a form: say what was saved and show (and select) the medication it was about."""
        if isinstance(result, tuple):
            result, self.selected_id = result
        if result:
            self.notify(result, title="Saved")
        self.reload()

    def action_add(self) -> None:
        self.app.push_screen(MedicationForm(today=self.today), self._form_closed)

    def action_edit(self) -> None:
        med = self._need_med()
        if med is not None:
            self.app.push_screen(MedicationForm(med, self.today), self._form_closed)

    def action_prescribe(self) -> None:
        med = self._need_med()
        if med is None or self.today is None:
            return
        if med.archived:
            self.notify(f"{med.name} is archived; press x to restore it first.", severity="warning")
            return
        self.app.push_screen(PrescriptionForm(med, self.today), self._form_closed)

    def action_archive(self) -> None:
        med = self._need_med()
        if med is None:
            return

        self._archive(med.id, med.name, not med.archived, confirmed=False)

    def _archive(self, med_id: int, name: str, archive: bool, *, confirmed: bool) -> None:
        """Archive (or restore); with a current prescription, R4's stop message is asked about first."""
        from tracker.services import meds

        def write(session: Session) -> str | None:
            try:
                meds.set_archived(
                    session=session, medication_id=med_id, archived=archive, confirmed=confirmed
                )
            except meds.ArchiveNeedsConfirmation as exc:  # nothing written yet
                return exc.message
            return None

        def done(warning: str | None) -> None:
            if warning is not None:
                self.app.push_screen(
                    ConfirmModal(f"{warning}\n\nArchive {name} anyway?", "Yes, archive it", "No, keep it"),
                    lambda yes: self._archive(med_id, name, archive, confirmed=True) if yes else None,
                )
                return
            if archive:
                message = (
                    f"{name} archived: no more dose reminders, its history is kept. Press x to restore it."
                )
            else:
                message = f"{name} restored."
            self._form_closed(message)

        self.run_db(write, done, write=True)
