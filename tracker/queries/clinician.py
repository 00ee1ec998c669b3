"""Appointments and questions for the clinician, read with plain SQL (no ORM).

The one implementation behind ``services.clinician``'s reads: the Clinician screen
loads through it on a plain connection, and the summary export on its session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tracker.queries._values import as_utc
from tracker.store import Reads, raw, utc_from_db


@dataclass(frozen=True, slots=True)
class AppointmentRow:
    """One appointment as stored (the ORM ``Appointment``'s fields, read-only)."""

    id: int
    at: datetime  # UTC
    clinician: str | None
    kind: str
    notes: str | None


@dataclass(frozen=True, slots=True)
class QuestionRow:
    """One question for the clinician as stored (the ORM ``ClinicianQuestion``'s fields, read-only)."""

    id: int
    text: str
    created_at: datetime  # UTC
    answered_at: datetime | None
    answer: str | None


def _appointment(row: Any) -> AppointmentRow:
    id_, at, clinician, kind, notes = row
    return AppointmentRow(id_, as_utc(at), clinician, kind, notes)


def _question(row: Any) -> QuestionRow:
    id_, text, created_at, answered_at, answer = row
    return QuestionRow(id_, text, as_utc(created_at), utc_from_db(answered_at), answer)


def list_appointments(*, session: Reads) -> list[AppointmentRow]:
    """Every appointment, booked or past, earliest first."""
    rows = raw(session).execute("SELECT id, at, clinician, kind, notes FROM appointment ORDER BY at, id")
    return [_appointment(r) for r in rows]


def list_questions(*, session: Reads, open_only: bool = False) -> list[QuestionRow]:
    """The questions, oldest first; only those not yet answered when ``open_only``."""
    where = " WHERE answered_at IS NULL" if open_only else ""
    rows = raw(session).execute(
        f"SELECT id, text, created_at, answered_at, answer FROM clinicianquestion{where} "
        "ORDER BY created_at, id"
    )
    return [_question(r) for r in rows]
