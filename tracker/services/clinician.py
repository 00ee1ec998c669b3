"""Appointments and questions for the clinician."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from tracker.domain.errors import NotFoundError, TrackerError
from tracker.domain.timeutil import utc_now
from tracker.models import Appointment, ClinicianQuestion


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
    row = Appointment(at=at, clinician=(clinician or None), kind=kind or "review", notes=notes or None)
    session.add(row)
    session.flush()
    return row


def list_appointments(*, session: Session) -> list[Appointment]:
    return list(session.exec(select(Appointment).order_by(col(Appointment.at))).all())


def delete_appointment(*, session: Session, appointment_id: int) -> None:
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
    row = ClinicianQuestion(text=clean, created_at=now or utc_now())
    session.add(row)
    session.flush()
    return row


def list_questions(*, session: Session, open_only: bool = False) -> list[ClinicianQuestion]:
    query = select(ClinicianQuestion).order_by(col(ClinicianQuestion.created_at))
    if open_only:
        query = query.where(col(ClinicianQuestion.answered_at).is_(None))
    return list(session.exec(query).all())


def answer_question(
    *, session: Session, question_id: int, answer: str | None = None, now: datetime | None = None
) -> ClinicianQuestion:
    row = session.get(ClinicianQuestion, question_id)
    if row is None:
        raise NotFoundError(f"no question with id {question_id}")
    row.answered_at = now or utc_now()
    row.answer = (answer or "").strip() or None
    session.add(row)
    session.flush()
    return row
