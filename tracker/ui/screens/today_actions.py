"""The changes Today makes, each a function run inside a write transaction in a worker.

Each takes the session, the day shown (``DayData``) and what the user chose,
calls the services, and returns the confirmation for the status line (or the
confirmation and a warning to show at once, such as the crisis help text).
Nothing here touches a widget. Imports are made inside the functions: they run in a
worker, and the screen imports this module before its first paint.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from tracker.ui.screens.today_data import DayData, aware, dose_label, local_hm
from tracker.ui.widgets.rows import DoseRow, SymptomRow

if TYPE_CHECKING:
    from sqlmodel import Session

Outcome = str | tuple[str, str | None]


def _crisis_text(session: Session) -> str:
    from tracker.services import settings

    return str(settings.get_setting(session=session, key="crisis_text"))


def amount_mg(session: Session, medication_id: int, text: str) -> float:
    """An amount typed by the user, in mg, using the medication's own strength."""
    from tracker.domain.units import amount_to_mg, parse_amount
    from tracker.services import meds

    med = meds.get_medication(session=session, medication_id=medication_id)
    return amount_to_mg(
        parse_amount(text),
        form=med.form,
        strength_mg=med.strength_mg,
        liquid_mg_per_ml=med.liquid_mg_per_ml,
        name=med.name,
    )


# -- doses -----------------------------------------------------------------
def mark_taken(session: Session, data: DayData, row: DoseRow, now: datetime) -> Outcome:
    """Taken now on today; on a past day at the scheduled time (the user can edit it after)."""
    from tracker.services import doses

    on_today = data.day == data.today
    if row.status == "skipped" and row.event_id is not None:
        event = doses.edit_dose(session=session, event_id=row.event_id, status="taken", now=now)
    else:
        event = doses.log_dose(
            session=session,
            medication_id=row.medication_id,
            taken_at=now if on_today else row.scheduled_for,
            scheduled_for=row.scheduled_for,
            now=now,
            tz=data.tz,
        )
    at = local_hm(event.taken_at, data) if event.taken_at else "?"
    message = f"{dose_label(row)} marked taken at {at}" + ("" if on_today else " (e changes the time)")
    return _with_alerts(session, message, event)


def mark_skipped(session: Session, data: DayData, row: DoseRow, now: datetime) -> Outcome:
    from tracker.services import doses

    if row.event_id is not None:
        doses.edit_dose(session=session, event_id=row.event_id, status="skipped", now=now)
    else:
        doses.log_dose(
            session=session,
            medication_id=row.medication_id,
            skipped=True,
            scheduled_for=row.scheduled_for,
            now=now,
            tz=data.tz,
        )
    return f"{dose_label(row)} marked skipped"


def clear_dose(session: Session, data: DayData, row: DoseRow) -> Outcome:
    from tracker.services import doses

    assert row.event_id is not None
    doses.delete_dose(session=session, event_id=row.event_id)
    return f"{dose_label(row)} cleared (u undoes it)"


def set_dose(
    session: Session,
    data: DayData,
    row: DoseRow,
    amount: str,
    at: datetime,
    now: datetime,
    *,
    confirmed: bool = False,
) -> Outcome:
    """The edit dialog's answer: log an open slot with this amount and time, or correct the entry.

    An implausible amount raises ``NeedsConfirmation`` (nothing written) unless ``confirmed``.
    """
    from tracker.domain.units import format_mg
    from tracker.services import doses

    mg = amount_mg(session, row.medication_id, amount)
    if row.event_id is None:
        event = doses.log_dose(
            session=session,
            medication_id=row.medication_id,
            amount_mg=mg,
            taken_at=at,
            scheduled_for=row.scheduled_for,
            force=confirmed,
            now=now,
            tz=data.tz,
        )
    else:
        event = doses.edit_dose(
            session=session,
            event_id=row.event_id,
            amount_mg=mg,
            taken_at=at,
            status="taken" if row.status == "skipped" else None,
            force=confirmed,
            now=now,
        )
    return _with_alerts(session, f"{dose_label(row)}: {format_mg(mg)} taken at {local_hm(at, data)}", event)


def _with_alerts(session: Session, message: str, event: Any) -> Outcome:
    """The confirmation, with R12's overdose text or the drops warning to read, when they apply."""
    from tracker.domain.drugs import drops_warning
    from tracker.domain.safety import OVERDOSE_TEXT
    from tracker.services import doses, meds

    overdose = doses.overdose_now(session=session, medication_id=event.medication_id, day=event.day)
    if overdose:
        return message, f"Possible overdose: {overdose}. {OVERDOSE_TEXT}"
    med = meds.get_medication(session=session, medication_id=event.medication_id)
    return message, drops_warning(med.name, med.form)


def add_extra(
    session: Session,
    data: DayData,
    medication_id: int,
    amount: str,
    at: datetime,
    now: datetime,
    *,
    confirmed: bool = False,
) -> Outcome:
    """An extra dose; one close to an open scheduled time fills that slot (the services' rule).

    An implausible amount raises ``NeedsConfirmation`` (nothing written) unless ``confirmed``.
    """
    from tracker.domain.units import format_mg
    from tracker.services import doses

    mg = amount_mg(session, medication_id, amount)
    event = doses.log_dose(
        session=session,
        medication_id=medication_id,
        amount_mg=mg,
        taken_at=at,
        force=confirmed,
        now=now,
        tz=data.tz,
    )
    if event.scheduled_for is not None:
        slot = aware(event.scheduled_for).astimezone(data.tz).strftime("%H:%M")
        return _with_alerts(
            session, f"{format_mg(mg)} at {local_hm(at, data)} logged as the {slot} dose", event
        )
    return _with_alerts(session, f"Extra dose of {format_mg(mg)} logged at {local_hm(at, data)}", event)


def all_due_taken(session: Session, data: DayData, now: datetime) -> Outcome:
    from tracker.services import doses

    done = doses.mark_all_due_taken(session=session, day=data.day, now=now, tz=data.tz)
    if not done:
        return "No doses were due: nothing to mark"
    return f"{len(done)} due dose{'s' if len(done) != 1 else ''} marked taken at the scheduled time"


# -- symptoms --------------------------------------------------------------
def rate(session: Session, data: DayData, row: SymptomRow, severity: int, now: datetime) -> Outcome:
    """Rate a symptom; any rating of the crisis item above 0 shows the crisis help text at once."""
    from tracker.domain.symptoms import SEVERITY_LABELS
    from tracker.services import symptoms

    symptoms.rate_symptom(
        session=session, symptom_id=row.symptom_id, day=data.day, severity=severity, now=now
    )
    alert = _crisis_text(session) if row.is_crisis and severity >= 1 else None
    return f"{row.name}: {severity} {SEVERITY_LABELS[severity]}", alert


def rest_none(session: Session, data: DayData, rows: tuple[SymptomRow, ...], now: datetime) -> Outcome:
    """Rate 0 (none) every symptom not rated yet on the day; never the crisis item (the user answers it)."""
    from tracker.services import symptoms

    for row in rows:
        if row.is_crisis:
            continue
        symptoms.rate_symptom(session=session, symptom_id=row.symptom_id, day=data.day, severity=0, now=now)
    count = sum(1 for r in rows if not r.is_crisis)
    return f"{count} symptoms not rated yet: 0 none"


def clear_rating(session: Session, data: DayData, row: SymptomRow) -> Outcome:
    from tracker.services import symptoms

    symptoms.clear_rating(session=session, symptom_id=row.symptom_id, day=data.day)
    return f"{row.name}: rating cleared (not logged)"


def compare(session: Session, data: DayData, row: SymptomRow, comparison: str, now: datetime) -> Outcome:
    from tracker.services import symptoms

    assert row.severity is not None
    symptoms.rate_symptom(
        session=session,
        symptom_id=row.symptom_id,
        day=data.day,
        severity=row.severity,
        comparison=comparison,
        now=now,
    )
    return f"{row.name}: {comparison} compared with before the taper (b again to change)"


# -- check-in --------------------------------------------------------------
def set_checkin_field(session: Session, data: DayData, what: str, value: Any, now: datetime) -> Outcome:
    """Set (or with None clear) mood, sleep_hours or note; a mood of 1 or lower shows the crisis text."""
    from tracker.services import checkins

    checkins.set_checkin(session=session, day=data.day, now=now, **{what: value})
    alert = _crisis_text(session) if what == "mood" and value is not None and value <= 1 else None
    if what == "mood":
        message = "Mood cleared" if value is None else f"Mood {value}/10"
    elif what == "sleep_hours":
        message = "Sleep cleared" if value is None else f"Sleep {value:g} h"
    else:
        message = "Note cleared" if value is None else "Note saved"
    return message, alert


def set_baseline(session: Session, data: DayData, mark: bool, now: datetime) -> Outcome:
    from tracker.services import checkins

    checkins.set_checkin(session=session, day=data.day, is_baseline=mark, now=now)
    if mark:
        return "This day is now a baseline day (how you felt before any reduction)"
    return "This day is no longer a baseline day"


def record_scale(
    session: Session, data: DayData, key: str, answers: tuple[int, ...], now: datetime
) -> Outcome:
    """A PHQ-9 or GAD-7 for the day shown; PHQ-9 item 9 above 0 shows the crisis help text at once."""
    from tracker.domain.scales import band_for, scale_for
    from tracker.services import scales

    scale = scale_for(key)
    row = scales.record_scale(
        session=session, scale=scale, day=data.day, answers=answers, today=data.today, now=now
    )
    alert = _crisis_text(session) if scales.is_crisis_answer(scale, answers) else None
    band = band_for(scale, row.total)
    return (
        f"{scale.name} saved: {row.total} of {scale.max_total}, {band.label} (a score, not a diagnosis)",
        alert,
    )


# -- reminders and undo ----------------------------------------------------
def quiet_reminder(session: Session, data: DayData, verb: str, key: str, now: datetime) -> Outcome:
    """Snooze a reminder for 24 hours, or dismiss it until its condition changes."""
    from tracker.services import reminders_service

    if verb == "snooze":
        until = reminders_service.snooze_reminder(session=session, key=key, now=now, hours=24, tz=data.tz)
        return f"Snoozed until {local_hm(until, data)}"
    back = reminders_service.dismiss_reminder(session=session, key=key, now=now, tz=data.tz)
    if back is not None:
        return f"Dismissed until {local_hm(back, data)} at most (sooner if it gets worse)"
    return "Dismissed: it stays quiet until its condition changes"


def undo(session: Session, data: DayData) -> Outcome:
    from tracker.services import audit

    return audit.undo_last(session=session).describe()
