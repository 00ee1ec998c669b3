"""Medications and their prescriptions, read with plain SQL (no ORM).

``list_medications`` is the one implementation behind ``services.meds.list_medications``;
``prescriptions_overlapping`` feeds the dose schedule (``services.schedule``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tracker.domain.errors import NotFoundError
from tracker.domain.symptoms import closest, normalise
from tracker.queries._values import as_day, as_utc
from tracker.store import Reads, day_from_db, raw, to_db


@dataclass(frozen=True, slots=True)
class MedicationRow:
    """One medication as stored (the ORM ``Medication``'s fields, read-only)."""

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
    created_at: datetime
    started_on: date | None = None  # the day the user says they started it; None: not known
    liquid_step_ml: float = 0.1  # what the user's oral syringe measures reliably
    other_strengths: str | None = None  # other tablet/capsule strengths, mg, "25,100" (issue 12)


@dataclass(frozen=True, slots=True)
class PrescriptionRow:
    """One prescription period as stored (the ORM ``Prescription``'s fields, read-only)."""

    id: int
    medication_id: int
    dose_mg: float
    times: str  # local wall-clock times, comma separated
    start_date: date
    end_date: date | None  # inclusive; None while current
    prescriber: str | None
    note: str | None
    taper_step_id: int | None
    created_at: datetime


def _medication(row: Any) -> MedicationRow:
    (
        id_,
        name,
        brand,
        drug_class,
        form,
        strength,
        liquid,
        fractions,
        half_life,
        notes,
        archived,
        created,
        started,
        liquid_step,
        other_strengths,
    ) = row
    return MedicationRow(
        id=id_,
        name=name,
        brand=brand,
        drug_class=drug_class,
        form=form,
        strength_mg=strength,
        liquid_mg_per_ml=liquid,
        tablet_fractions=fractions,
        half_life_hours=half_life,
        notes=notes,
        archived=bool(archived),
        created_at=as_utc(created),
        started_on=day_from_db(started),
        liquid_step_ml=liquid_step if liquid_step else 0.1,
        other_strengths=other_strengths,
    )


def _prescription(row: Any) -> PrescriptionRow:
    id_, med_id, dose, times, start, end, prescriber, note, step, created_at = row
    return PrescriptionRow(
        id=id_,
        medication_id=med_id,
        dose_mg=dose,
        times=times,
        start_date=as_day(start),
        end_date=day_from_db(end),
        prescriber=prescriber,
        note=note,
        taper_step_id=step,
        created_at=as_utc(created_at),
    )


def list_medications(*, session: Reads, include_archived: bool = False) -> list[MedicationRow]:
    """Medications, active before archived, then by name (archived ones only when asked)."""
    where = "" if include_archived else " WHERE archived = 0"
    rows = raw(session).execute(
        "SELECT id, name, brand, drug_class, form, strength_mg, liquid_mg_per_ml, tablet_fractions, "
        "half_life_hours, notes, archived, created_at, started_on, liquid_step_ml, other_strengths "
        f"FROM medication{where} ORDER BY archived, name"
    )
    return [_medication(r) for r in rows]


def prescriptions_overlapping(
    *, session: Reads, medication_ids: Sequence[int], first: date, last: date
) -> list[PrescriptionRow]:
    """The prescriptions of ``medication_ids`` in force on any day of [first, last],
    latest-starting first (the one in force on a day is the first that covers it)."""
    if not medication_ids:
        return []
    marks = ", ".join("?" * len(medication_ids))
    rows = raw(session).execute(
        "SELECT id, medication_id, dose_mg, times, start_date, end_date, prescriber, note, taper_step_id, "
        f"created_at FROM prescription WHERE medication_id IN ({marks}) AND start_date <= ? "
        "AND (end_date IS NULL OR end_date >= ?) ORDER BY start_date DESC, id DESC",
        (*medication_ids, to_db(last), to_db(first)),
    )
    return [_prescription(r) for r in rows]


def prescriptions_of(*, session: Reads, medication_id: int) -> list[PrescriptionRow]:
    """A medication's prescriptions by start date (the order ``services.meds.prescriptions_for`` reads)."""
    rows = raw(session).execute(
        "SELECT id, medication_id, dose_mg, times, start_date, end_date, prescriber, note, taper_step_id, "
        "created_at FROM prescription WHERE medication_id = ? ORDER BY start_date",
        (medication_id,),
    )
    return [_prescription(r) for r in rows]


def all_prescriptions(*, session: Reads) -> list[PrescriptionRow]:
    """Every prescription, by start date (then entry order, so equal dates keep one order)."""
    rows = raw(session).execute(
        "SELECT id, medication_id, dose_mg, times, start_date, end_date, prescriber, note, taper_step_id, "
        "created_at FROM prescription ORDER BY start_date, id"
    )
    return [_prescription(r) for r in rows]


def medication_names(*, session: Reads, ids: Iterable[int] | None = None) -> dict[int, str]:
    """The name of each medication by id (archived ones too), or of those in ``ids`` that exist."""
    if ids is None:
        rows = raw(session).execute("SELECT id, name FROM medication")
    else:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        rows = raw(session).execute(
            f"SELECT id, name FROM medication WHERE id IN ({', '.join('?' * len(wanted))})", wanted
        )
    return {int(ident): name for ident, name in rows}


def medication_forms(*, session: Reads) -> dict[int, tuple[str, str]]:
    """(name, form) of each medication by id, archived ones too (the drops warning on charts)."""
    rows = raw(session).execute("SELECT id, name, form FROM medication")
    return {int(ident): (name, form) for ident, name, form in rows}


def prescription_on(*, session: Reads, medication_id: int, day: date) -> PrescriptionRow | None:
    """The prescription in force for a medication on a local ``day`` (the latest-starting one)."""
    row = (
        raw(session)
        .execute(
            "SELECT id, medication_id, dose_mg, times, start_date, end_date, prescriber, note, "
            "taper_step_id, created_at FROM prescription WHERE medication_id = ? AND start_date <= ? "
            "AND (end_date IS NULL OR end_date >= ?) ORDER BY start_date DESC, id DESC LIMIT 1",
            (medication_id, to_db(day), to_db(day)),
        )
        .fetchone()
    )
    return None if row is None else _prescription(row)


def match_medication(
    meds: Sequence[MedicationRow], name: str, *, include_archived: bool = False
) -> MedicationRow:
    """The medication ``name`` means among ``meds`` (case-insensitive, brand names too).

    An exact name or brand wins; else a unique prefix. Active medications are tried first,
    archived ones only when ``include_archived``. Unknown: NotFoundError suggesting close names.
    """
    wanted = normalise(name)
    for pool in ([m for m in meds if not m.archived], list(meds) if include_archived else []):
        found = next(
            (m for m in pool if normalise(m.name) == wanted or (m.brand and normalise(m.brand) == wanted)),
            None,
        )
        starts = [m for m in pool if normalise(m.name).startswith(wanted)] if wanted else []
        if found is None and len(starts) == 1:
            found = starts[0]
        if found is not None:
            return found
    names = [m.name for m in meds if include_archived or not m.archived]
    hint = closest(name, names)
    if hint:
        raise NotFoundError(f"no medication called {name!r}; did you mean {' or '.join(hint)}?")
    if names:
        raise NotFoundError(f"no medication called {name!r}; known: {', '.join(names)}")
    raise NotFoundError(f"no medication called {name!r}; add one with `tracker med add NAME --strength 20mg`")


def find_medication(*, session: Reads, name: str, include_archived: bool = False) -> MedicationRow:
    """``match_medication`` among every stored medication (read-only row)."""
    return match_medication(
        list_medications(session=session, include_archived=True), name, include_archived=include_archived
    )
