"""Doses: the scheduled slots of a day and what was logged against them.

A slot is one prescribed time of one local day (worked out in the light
``services.schedule``, re-exported here). Logging a dose near a slot's
time fills that slot; otherwise it is an extra dose. Scheduled, taken and
logged times stay three separate fields, and changing an entry's status never
rewrites when it was taken.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from tracker.domain.errors import NotFoundError, TrackerError
from tracker.domain.notify_policy import SNOOZE_EARLY
from tracker.domain.plausibility import NeedsConfirmation, dose_concern
from tracker.domain.safety import overdose_reason
from tracker.domain.timeutil import local_day, utc_now
from tracker.models import DoseEvent, DoseSnooze, DoseStatus, Medication
from tracker.queries.doses import extra_doses_for_day
from tracker.services import meds as meds_service
from tracker.services.schedule import MISSED_AFTER, DoseSlot, slots_for_day, slots_for_days
from tracker.services.settings import user_zone
from tracker.store import raw, to_db

__all__ = [
    "MISSED_AFTER",
    "DoseSlot",
    "amount_concern",
    "check_amount",
    "day_total_mg",
    "delete_dose",
    "edit_dose",
    "extra_doses_for_day",
    "log_dose",
    "mark_all_due_taken",
    "overdose_now",
    "slots_for_day",
    "slots_for_days",
    "snooze_dose",
]

SLOT_MATCH_WINDOW = timedelta(hours=6)
ABSURD_FACTOR = (
    4  # more than 4x the highest prescribed dose needs confirming (plausibility.PRESCRIBED_FACTOR)
)


def amount_concern(*, session: Session, med: Medication, amount_mg: float) -> NeedsConfirmation | None:
    """Why a logged amount needs confirming (above the drug's licensed maximum, or more than
    four times the highest prescribed dose), or None: ``tracker.domain.plausibility``."""
    return dose_concern(
        drug=med.name,
        amount_mg=amount_mg,
        highest_prescribed_mg=meds_service.highest_prescribed_mg(session=session, medication_id=med.id or 0),
        strength_mg=med.strength_mg,
    )


def check_amount(*, session: Session, med: Medication, amount_mg: float, force: bool) -> None:
    """Refuse zero, negative and non-finite amounts; without ``force``, ask about implausible ones.

    An implausible amount raises ``NeedsConfirmation`` carrying the figures (the UI asks in the
    app; the command line asks for ``--force``).
    """
    if not isinstance(amount_mg, int | float) or not math.isfinite(amount_mg):
        raise TrackerError("the amount is not a number")
    if amount_mg <= 0:
        raise TrackerError("the amount must be more than zero (to record a dose not taken, mark it skipped)")
    concern = amount_concern(session=session, med=med, amount_mg=amount_mg)
    if concern is not None and not force:
        raise concern


def day_total_mg(*, session: Session, medication_id: int, day: date) -> float:
    """Milligrams logged as taken (taken and extra doses) for a medication on a local day (R12).

    Plain SQL on the session's own connection (after a flush, so a dose just logged counts).
    """
    rows = raw(session).execute(
        "SELECT amount_mg FROM doseevent WHERE medication_id = ? AND day = ? AND status != ?",
        (medication_id, to_db(day), DoseStatus.SKIPPED.value),
    )
    return float(sum(amount for (amount,) in rows))


def overdose_now(*, session: Session, medication_id: int, day: date) -> str | None:
    """R12's reason when the day's logged total is a possible overdose (else None), for the command line."""
    med = meds_service.get_medication(session=session, medication_id=medication_id)
    rx = meds_service.prescription_on(session=session, medication_id=medication_id, day=day)
    prescribed = rx.dose_mg * len(meds_service.prescription_times(rx)) if rx else None
    if rx is not None:  # the day's slots: a running micro-step table's row (D8), else the same
        expected = [
            s.dose_mg for s in slots_for_day(session=session, day=day) if s.medication_id == medication_id
        ]
        prescribed = sum(expected) if expected else prescribed
    return overdose_reason(
        med.name, day_total_mg(session=session, medication_id=medication_id, day=day), prescribed
    )


def _nearest_open_slot(slots: list[DoseSlot], med_id: int, at: datetime) -> DoseSlot | None:
    candidates = [
        s
        for s in slots
        if s.medication_id == med_id and s.is_open and abs(s.scheduled_for - at) <= SLOT_MATCH_WINDOW
    ]
    return min(candidates, key=lambda s: abs(s.scheduled_for - at)) if candidates else None


def has_open_slot(*, session: Session, medication_id: int, at: datetime, now: datetime, tz: ZoneInfo) -> bool:
    """True when a scheduled dose of the medication near ``at`` is open (``log_dose`` would fill it)."""
    day = local_day(at, tz)
    for d in (day, day - timedelta(days=1)):
        if _nearest_open_slot(slots_for_day(session=session, day=d, now=now, tz=tz), medication_id, at):
            return True
    return False


def log_dose(
    *,
    session: Session,
    medication_id: int,
    amount_mg: float | None = None,
    taken_at: datetime | None = None,
    skipped: bool = False,
    force: bool = False,
    note: str | None = None,
    now: datetime | None = None,
    tz: ZoneInfo | None = None,
    scheduled_for: datetime | None = None,
) -> DoseEvent:
    """Record a dose taken (or skipped). A dose near a scheduled time fills that slot.

    ``amount_mg`` defaults to the slot's prescribed dose. ``taken_at`` defaults to now.
    """
    now = now or utc_now()
    tz = tz or user_zone(session=session)
    med = meds_service.get_medication(session=session, medication_id=medication_id)
    at = taken_at or now
    if at > now + timedelta(minutes=5):
        raise TrackerError("the time taken is in the future")
    day = local_day(scheduled_for or at, tz)
    slots = slots_for_day(session=session, day=day, now=now, tz=tz)
    if scheduled_for is not None:
        slot = next(
            (s for s in slots if s.medication_id == medication_id and s.scheduled_for == scheduled_for), None
        )
        if slot is None:
            raise NotFoundError(f"{med.name} has no dose scheduled at that time")
    else:
        slot = _nearest_open_slot(slots, medication_id, at)
        if slot is None and not skipped:
            # the dose of the evening before midnight, logged after it, still fills yesterday's slot
            prev = slots_for_day(session=session, day=day - timedelta(days=1), now=now, tz=tz)
            slot = _nearest_open_slot(prev, medication_id, at)
    if skipped and slot is None:
        raise TrackerError(f"{med.name} has no scheduled dose near that time to mark skipped")
    if amount_mg is None:
        if slot is None:
            raise TrackerError("give the amount of an extra dose, such as 10mg")
        amount_mg = slot.dose_mg
    check_amount(session=session, med=med, amount_mg=amount_mg, force=force)
    if slot is not None and slot.event_id is not None:
        event = session.get(DoseEvent, slot.event_id)
        assert event is not None
        event.status = DoseStatus.SKIPPED.value if skipped else DoseStatus.TAKEN.value
        event.amount_mg = amount_mg
        if not skipped:
            event.taken_at = at
        event.note = note if note is not None else event.note
        event.logged_at = now
    else:
        event = DoseEvent(
            medication_id=medication_id,
            day=slot.day if slot else day,
            scheduled_for=slot.scheduled_for if slot else None,
            taken_at=None if skipped else at,
            amount_mg=amount_mg,
            status=(DoseStatus.SKIPPED if skipped else DoseStatus.TAKEN if slot else DoseStatus.EXTRA).value,
            logged_at=now,
            note=note,
        )
    session.add(event)
    session.flush()
    return event


def snooze_dose(
    *,
    session: Session,
    medication_id: int,
    length: timedelta,
    now: datetime | None = None,
    tz: ZoneInfo | None = None,
    scheduled_for: datetime | None = None,
) -> tuple[DoseSlot, datetime]:
    """Put off the reminder of a scheduled dose not logged yet; returns the slot and when it comes back.

    The dose keeps its scheduled time, so it still counts as missed 6 hours after it
    (DOMAIN.md R5): the snooze never runs past that. Without ``scheduled_for`` the open
    slot nearest to now (due, or at most an hour ahead) is the one snoozed.
    """
    now = now or utc_now()
    tz = tz or user_zone(session=session)
    med = meds_service.get_medication(session=session, medication_id=medication_id)
    today = local_day(now, tz)
    slots = [
        s
        for day in (today - timedelta(days=1), today)
        for s in slots_for_day(session=session, day=day, now=now, tz=tz)
        if s.medication_id == medication_id and s.status in ("due", "upcoming")
    ]
    if scheduled_for is not None:
        slots = [s for s in slots if s.scheduled_for == scheduled_for]
    slots = [s for s in slots if s.scheduled_for - SNOOZE_EARLY <= now]
    if not slots:
        raise NotFoundError(f"{med.name} has no dose due now to snooze")
    slot = min(slots, key=lambda s: abs(s.scheduled_for - now))
    until = min(now + length, slot.scheduled_for + MISSED_AFTER)
    row = session.get(DoseSnooze, (medication_id, slot.scheduled_for))
    if row is None:
        row = DoseSnooze(medication_id=medication_id, scheduled_for=slot.scheduled_for, until=until)
    row.until, row.created_at = until, now
    session.add(row)
    session.flush()
    return slot, until


def mark_all_due_taken(
    *, session: Session, day: date, now: datetime | None = None, tz: ZoneInfo | None = None
) -> list[DoseEvent]:
    """Mark every open slot of ``day`` whose time has come as taken at its scheduled time."""
    now = now or utc_now()
    tz = tz or user_zone(session=session)
    done = []
    for slot in slots_for_day(session=session, day=day, now=now, tz=tz):
        if slot.status in ("due", "missed"):
            done.append(
                log_dose(
                    session=session,
                    medication_id=slot.medication_id,
                    amount_mg=slot.dose_mg,
                    taken_at=slot.scheduled_for,
                    scheduled_for=slot.scheduled_for,
                    now=now,
                    tz=tz,
                )
            )
    return done


def edit_dose(
    *,
    session: Session,
    event_id: int,
    amount_mg: float | None = None,
    taken_at: datetime | None = None,
    status: str | None = None,
    note: str | None = None,
    force: bool = False,
    now: datetime | None = None,
) -> DoseEvent:
    """Correct a logged dose. Changing the status never rewrites when it was taken."""
    now = now or utc_now()
    event = session.get(DoseEvent, event_id)
    if event is None:
        raise NotFoundError(f"no dose entry with id {event_id}")
    med = meds_service.get_medication(session=session, medication_id=event.medication_id)
    if amount_mg is not None:
        check_amount(session=session, med=med, amount_mg=amount_mg, force=force)
        event.amount_mg = amount_mg
    if taken_at is not None:
        if taken_at > now + timedelta(minutes=5):
            raise TrackerError("the time taken is in the future")
        event.taken_at = taken_at
    if status is not None:
        if status not in {s.value for s in DoseStatus}:
            raise TrackerError(f"status {status!r} is not one of taken, skipped, extra")
        if status == DoseStatus.EXTRA.value and event.scheduled_for is not None:
            raise TrackerError("a scheduled dose cannot become an extra dose")
        event.status = status
        if status == DoseStatus.TAKEN.value and event.taken_at is None:
            event.taken_at = event.scheduled_for or now
    if note is not None:
        event.note = note or None
    event.logged_at = now
    session.add(event)
    session.flush()
    return event


def delete_dose(*, session: Session, event_id: int) -> None:
    event = session.get(DoseEvent, event_id)
    if event is None:
        raise NotFoundError(f"no dose entry with id {event_id}")
    session.delete(event)
    session.flush()
