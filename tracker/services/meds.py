"""Medications and prescriptions (a medication's dose history).

``list_medications`` is plain SQL (tracker/queries/meds.py, re-exported here): it hands
back read-only rows, so a caller that changes a medication fetches it with ``get_medication``.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, select

from tracker.domain.drugs import resolve_name
from tracker.domain.errors import NotFoundError, TrackerError
from tracker.domain.plausibility import prescription_concern
from tracker.domain.strengths import format_strengths, parse_strengths
from tracker.domain.symptoms import normalise
from tracker.domain.text import printable
from tracker.domain.timeutil import utc_now
from tracker.domain.units import format_times, times_from_text
from tracker.models import DrugClass, Form, Medication, Prescription
from tracker.queries.meds import MedicationRow, list_medications, match_medication
from tracker.store import raw

__all__ = [
    "ArchiveNeedsConfirmation",
    "MedicationRow",
    "archive_warning",
    "create_medication",
    "current_prescription",
    "find_medication",
    "get_medication",
    "highest_prescribed_mg",
    "list_medications",
    "prescription_on",
    "prescription_times",
    "prescriptions_for",
    "set_archived",
    "set_prescription",
    "update_medication",
]

_EDITABLE = {
    "name",
    "brand",
    "drug_class",
    "form",
    "strength_mg",
    "liquid_mg_per_ml",
    "liquid_step_ml",
    "tablet_fractions",
    "half_life_hours",
    "notes",
    "started_on",
    "drops_per_ml",
    "other_strengths",
}


def _check_positive(value: float | None, what: str, *, allow_none: bool = True) -> None:
    if value is None:
        if not allow_none:
            raise TrackerError(f"{what} is required")
        return
    if not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise TrackerError(f"{what} must be a number more than zero")


def _validate_med_fields(values: dict[str, Any]) -> None:
    if "name" in values:
        name = (values["name"] or "").strip()
        if not name:
            raise TrackerError("the medication needs a name")
        if len(name) > 80:
            raise TrackerError("the medication name is longer than 80 characters")
        if printable(name) != name:
            raise TrackerError("the medication name holds control characters (such as a line break)")
        values["name"] = name
    if "drug_class" in values and values["drug_class"] not in {c.value for c in DrugClass}:
        raise TrackerError(f"class {values['drug_class']!r} is not one of SSRI, SNRI, other")
    if "form" in values and values["form"] not in {f.value for f in Form}:
        raise TrackerError(f"form {values['form']!r} is not one of tablet, capsule, liquid, drops")
    if "strength_mg" in values:
        _check_positive(values["strength_mg"], "the strength", allow_none=False)
    if "liquid_step_ml" in values:
        step = values["liquid_step_ml"]
        if isinstance(step, bool) or not isinstance(step, int | float) or not 0.01 <= step <= 1:
            raise TrackerError("the liquid measuring step must be from 0.01 to 1 ml, such as 0.1 or 0.05")
    if "liquid_mg_per_ml" in values:
        _check_positive(values["liquid_mg_per_ml"], "the liquid concentration")
    if "half_life_hours" in values:
        _check_positive(values["half_life_hours"], "the half-life")
        if values["half_life_hours"] is not None and values["half_life_hours"] > 2000:
            raise TrackerError("the half-life is more than 2000 hours; check the number")
    if values.get("drops_per_ml") is not None:
        _check_positive(values["drops_per_ml"], "the number of drops per ml")
        if values["drops_per_ml"] > 100:
            raise TrackerError("more than 100 drops per ml is not plausible; check the label")
    if values.get("started_on") is not None:
        _check_started_on(values["started_on"])
    if "other_strengths" in values:
        # stored in the canonical form ("25,100"), None for none; the field is named, not the value
        values["other_strengths"] = format_strengths(parse_strengths(values["other_strengths"]))
    if "tablet_fractions" in values:
        try:
            parts = [float(p) for p in str(values["tablet_fractions"]).split(",") if p.strip()]
        except ValueError as exc:
            raise TrackerError("tablet fractions must be numbers such as 1,0.5,0.25") from exc
        if not parts or any(not 0 < p <= 1 for p in parts):
            raise TrackerError("tablet fractions must be between 0 and 1, such as 1,0.5,0.25")


_EARLIEST_START = date(1950, 1, 1)


def _check_started_on(day: object) -> None:
    """The day the user started a medication (R10): a real date, not in the future."""
    if not isinstance(day, date) or isinstance(day, datetime):
        raise TrackerError("the day you started taking it must be a date such as 2024-03-01")
    # a day's leeway: the user's zone may already be on tomorrow
    if day > utc_now().date() + timedelta(days=1):
        raise TrackerError("the day you started taking it is in the future")
    if day < _EARLIEST_START:
        raise TrackerError("the day you started taking it is before 1950; check the year")


def create_medication(
    *,
    session: Session,
    name: str,
    strength_mg: float,
    form: str = "tablet",
    drug_class: str | None = None,
    half_life_hours: float | None = None,
    brand: str | None = None,
    liquid_mg_per_ml: float | None = None,
    tablet_fractions: str = "1,0.5",
    notes: str | None = None,
    started_on: date | None = None,
    drops_per_ml: float | None = None,
    liquid_step_ml: float = 0.1,
    other_strengths: str | None = None,
) -> Medication:
    """Add a medication; class and half-life are pre-filled for the drugs DOMAIN.md knows.

    ``started_on`` is the day the user says they started it (None: not known; R10).
    """
    named = resolve_name(name or "")
    facts = named.facts
    if named.brand is not None:  # a brand typed is stored as the generic name with the brand beside it
        name = named.generic
        brand = brand or named.brand
    values: dict[str, Any] = {
        "name": name,
        "strength_mg": strength_mg,
        "form": form,
        "drug_class": drug_class or (facts.drug_class if facts else DrugClass.OTHER.value),
        "half_life_hours": half_life_hours
        if half_life_hours is not None
        else (facts.half_life_hours if facts else None),
        "brand": brand or None,
        "liquid_mg_per_ml": liquid_mg_per_ml,
        "tablet_fractions": tablet_fractions,
        "notes": notes or None,
        "started_on": started_on,
        "drops_per_ml": drops_per_ml,
        "liquid_step_ml": liquid_step_ml,
        "other_strengths": other_strengths,
    }
    if drops_per_ml is not None and form != "drops":
        raise TrackerError("drops per ml goes only with drops")
    if other_strengths and form not in ("tablet", "capsule"):
        raise TrackerError("other strengths go only with tablets or capsules")
    _validate_med_fields(values)
    clash = session.exec(
        select(Medication).where(Medication.archived == False)  # noqa: E712
    ).all()
    if any(normalise(m.name) == normalise(values["name"]) for m in clash):
        raise TrackerError(f"a medication called {values['name']!r} already exists")
    med = Medication(**values)
    session.add(med)
    session.flush()
    return med


def update_medication(*, session: Session, medication_id: int, **changes: Any) -> Medication:
    med = get_medication(session=session, medication_id=medication_id)
    unknown = set(changes) - _EDITABLE
    if unknown:
        raise TrackerError(f"cannot edit {', '.join(sorted(unknown))} of a medication")
    _validate_med_fields(changes)
    form = changes.get("form", med.form)
    others = changes.get("other_strengths", med.other_strengths)
    if others and form not in ("tablet", "capsule"):
        raise TrackerError("other strengths go only with tablets or capsules")
    for key, value in changes.items():
        setattr(med, key, value)
    session.add(med)
    session.flush()
    return med


class ArchiveNeedsConfirmation(TrackerError):
    """Archiving a medication whose prescription is still current: R4's stop message, to confirm."""


def current_prescription(*, session: Session, medication_id: int, day: date) -> Prescription | None:
    """A prescription of the medication that runs on or after ``day`` (not ended before it)."""
    return session.exec(
        select(Prescription)
        .where(Prescription.medication_id == medication_id)
        .where(col(Prescription.end_date).is_(None) | (col(Prescription.end_date) >= day))
        .order_by(col(Prescription.start_date).desc())
    ).first()


def archive_warning(*, session: Session, medication_id: int, day: date | None = None) -> str | None:
    """R4's stop message when archiving the medication would leave a current prescription, else None."""
    from tracker.domain.reminders import archive_stop_message

    med = get_medication(session=session, medication_id=medication_id)
    rx = current_prescription(
        session=session, medication_id=medication_id, day=day or utc_now().date() - timedelta(days=1)
    )
    return archive_stop_message(med.name, rx.prescriber) if rx is not None and not med.archived else None


def set_archived(
    *,
    session: Session,
    medication_id: int,
    archived: bool = True,
    confirmed: bool = False,
    day: date | None = None,
) -> Medication:
    """Archive (or restore) a medication; its history is kept either way.

    Archiving one whose prescription is still current (on ``day`` or later; default: the
    clock's) raises ``ArchiveNeedsConfirmation`` with R4's stop message unless ``confirmed``
    (DOMAIN.md: archiving asks for confirmation with that message).
    """
    med = get_medication(session=session, medication_id=medication_id)
    if archived and not confirmed:
        warning = archive_warning(session=session, medication_id=medication_id, day=day)
        if warning is not None:
            raise ArchiveNeedsConfirmation(warning)
    med.archived = archived
    session.add(med)
    session.flush()
    return med


def get_medication(*, session: Session, medication_id: int) -> Medication:
    med = session.get(Medication, medication_id)
    if med is None:
        raise NotFoundError(f"no medication with id {medication_id}")
    return med


def find_medication(*, session: Session, name: str, include_archived: bool = False) -> Medication:
    """A medication by name (case-insensitive, brand names too); suggests close names if unknown.

    The matching is ``tracker.queries.meds.match_medication``'s; callers may change the
    medication, so the session's own object is handed back.
    """
    found = match_medication(
        list_medications(session=session, include_archived=True), name, include_archived=include_archived
    )
    return get_medication(session=session, medication_id=found.id)


def set_prescription(
    *,
    session: Session,
    medication_id: int,
    dose_mg: float,
    times: list[time],
    start_date: date,
    end_date: date | None = None,
    prescriber: str | None = None,
    note: str | None = None,
    taper_step_id: int | None = None,
    confirmed: bool = False,
) -> Prescription:
    """Start a new prescription period; the one running on ``start_date`` ends the day before.

    A daily dose above the drug's licensed maximum raises ``NeedsConfirmation`` (with the
    figures) unless ``confirmed``: it may be right, so it is asked about, never refused.
    """
    med = get_medication(session=session, medication_id=medication_id)
    _check_positive(dose_mg, "the dose", allow_none=False)
    if not times:
        raise TrackerError("a prescription needs at least one time of day")
    concern = prescription_concern(
        drug=med.name, dose_mg=dose_mg, intakes=len(times), strength_mg=med.strength_mg
    )
    if concern is not None and not confirmed:
        raise concern
    if end_date is not None and end_date < start_date:
        raise TrackerError("the prescription ends before it starts")
    existing = prescriptions_for(session=session, medication_id=medication_id)
    for p in existing:
        if p.start_date >= start_date:
            if p.start_date == start_date:
                # a correction of the same day's prescription: replace it
                session.delete(p)
                continue
            raise TrackerError(
                f"{med.name} already has a prescription starting {p.start_date.isoformat()}, after "
                f"{start_date.isoformat()}; edit that one instead"
            )
        if p.end_date is None or p.end_date >= start_date:
            p.end_date = start_date - timedelta(days=1)
            session.add(p)
    rx = Prescription(
        medication_id=medication_id,
        dose_mg=dose_mg,
        times=format_times(times),
        start_date=start_date,
        end_date=end_date,
        prescriber=(prescriber or None),
        note=note,
        taper_step_id=taper_step_id,
    )
    session.add(rx)
    session.flush()
    return rx


def prescriptions_for(*, session: Session, medication_id: int) -> list[Prescription]:
    return list(
        session.exec(
            select(Prescription)
            .where(Prescription.medication_id == medication_id)
            .order_by(col(Prescription.start_date))
        ).all()
    )


def prescription_on(*, session: Session, medication_id: int, day: date) -> Prescription | None:
    """The prescription in force for a medication on a local day."""
    return session.exec(
        select(Prescription)
        .where(Prescription.medication_id == medication_id)
        .where(Prescription.start_date <= day)
        .where(col(Prescription.end_date).is_(None) | (col(Prescription.end_date) >= day))
        .order_by(col(Prescription.start_date).desc())
    ).first()


def prescription_times(rx: Prescription) -> list[time]:
    return times_from_text(rx.times)


def highest_prescribed_mg(*, session: Session, medication_id: int) -> float | None:
    """The highest dose per intake ever prescribed for the medication (None before any);
    plain SQL on the session's own connection, after a flush."""
    (highest,) = (
        raw(session)
        .execute("SELECT MAX(dose_mg) FROM prescription WHERE medication_id = ?", (medication_id,))
        .fetchone()
    )
    return None if highest is None else float(highest)
