"""Appointments and questions for the clinician.

The reads are plain SQL (tracker/queries/clinician.py, re-exported here) and hand back
read-only rows, so the Clinician screen loads without importing the ORM; the writes
work on the session's ORM objects and import the models only when they run.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from tracker.domain.errors import NotFoundError, TrackerError
from tracker.domain.timeutil import utc_now
from tracker.queries.clinician import AppointmentRow, QuestionRow, list_appointments, list_questions

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.models import Appointment, ClinicianQuestion

__all__ = [
    "AppointmentRow",
    "QuestionRow",
    "add_appointment",
    "add_question",
    "answer_question",
    "delete_appointment",
    "list_appointments",
    "list_questions",
]


def add_appointment(
    *,
    session: Session,
    at: datetime,
    clinician: str | None = None,
    kind: str = "review",
    notes: str | None = None,
) -> Appointment:
    if at.tzinfo is None:
        raise TrackerError("the appointment time needs a time zone")
    from tracker.models import Appointment

    row = Appointment(at=at, clinician=(clinician or None), kind=kind or "review", notes=notes or None)
    session.add(row)
    session.flush()
    return row


def delete_appointment(*, session: Session, appointment_id: int) -> None:
    from tracker.models import Appointment

    row = session.get(Appointment, appointment_id)
    if row is None:
        raise NotFoundError(f"no appointment with id {appointment_id}")
    session.delete(row)
    session.flush()


def add_question(*, session: Session, text: str, now: datetime | None = None) -> ClinicianQuestion:
    clean = text.strip()
    if not clean:
        raise TrackerError("the question is empty")
    if len(clean) > 2000:
        raise TrackerError("the question is longer than 2000 characters")
    from tracker.models import ClinicianQuestion

    row = ClinicianQuestion(text=clean, created_at=now or utc_now())
    session.add(row)
    session.flush()
    return row


def answer_question(
    *, session: Session, question_id: int, answer: str | None = None, now: datetime | None = None
) -> ClinicianQuestion:
    from tracker.models import ClinicianQuestion

    row = session.get(ClinicianQuestion, question_id)
    if row is None:
        raise NotFoundError(f"no question with id {question_id}")
    row.answered_at = now or utc_now()
    row.answer = (answer or "").strip() or None
    session.add(row)
    session.flush()
    return row
