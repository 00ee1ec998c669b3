"""Active reminders: gathers what rules R1-R12 read, runs them, applies dismissals.

The rules themselves are pure (``tracker.domain.reminders``). This module fills
their ``ReminderContext`` from compact queries (per-day sums for the symptom
burden, only the few days of doses the rules look at, one row per medication
for its latest dose) and stores what the user did with a reminder in the
``reminderstate`` table: a dismissed reminder stays hidden until its condition
changes; an urgent one is silenced for at most 24 hours (``safety.URGENT_SILENCE_LIMIT``,
not a setting), and its fingerprint keeps how bad it was, so it comes back sooner when worse.

A light module: the reads (``gather_context``, ``active_reminders``) take ``Reads``
and run the plain SQL of ``tracker.queries.reminders``, so Today shows its reminders
without importing the ORM; only the writes (dismiss, snooze) import it, inside them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from tracker.domain import bounds
from tracker.domain import reminders as rules
from tracker.domain.errors import NotFoundError, TrackerError
from tracker.domain.reminders.flare import LOGGED_REDUCTION_DAYS
from tracker.domain.reminders.overdose import OVERDOSE_DAYS
from tracker.domain.safety import CRISIS_MOOD_MAX, CRISIS_WRITTEN_WITHIN
from tracker.domain.taper_micro import tables_by_prescription
from tracker.domain.timeutil import as_utc, local_day
from tracker.domain.units import times_from_text
from tracker.queries import meds as med_queries
from tracker.queries import reminders as q
from tracker.queries import schedule as schedule_queries
from tracker.queries import symptoms as symptom_queries
from tracker.services import settings as settings_service
from tracker.services.taper_status import plan_infos
from tracker.store import Reads

if TYPE_CHECKING:
    from sqlmodel import Session

__all__ = [
    "ActiveReminder",
    "active_reminders",
    "dismiss_reminder",
    "gather_context",
    "reminder_settings",
    "snooze_reminder",
]

# Plans whose steps the rules read; abandoned plans say nothing any more.
_PLAN_STATUSES = ("draft", "agreed", "active", "held", "completed")
# A plan that covers what comes after a prescription (R11) or a 0 mg dose (R4); a completed
# plan covers only the prescriptions before it ended, which the rules read from its steps.
_PLANNED_STATUSES = frozenset({"agreed", "active", "held"})


@dataclass(frozen=True, slots=True)
class ActiveReminder:
    """A reminder to show now: what it says, why (rule and source), and the screen to act on."""

    rule: str
    key: str
    severity: str
    message: str
    why: str
    action: str
    at: datetime | None = None
    medication_id: int | None = None
    snooze_limit_hours: int | None = None
    fingerprint: str = ""  # changes when the rule's condition changes (notifications, issue 14)

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "key": self.key,
            "severity": self.severity,
            "message": self.message,
            "why": self.why,
            "action": self.action,
            "at": as_utc(self.at).isoformat() if self.at else None,
        }


def _active(r: rules.Reminder) -> ActiveReminder:
    return ActiveReminder(
        rule=r.rule,
        key=r.key,
        severity=r.severity,
        message=r.message,
        why=r.why,
        action=r.action,
        at=r.at,
        medication_id=r.medication_id,
        snooze_limit_hours=r.snooze_limit_hours,
        fingerprint=r.fingerprint,
    )


def reminder_settings(*, session: Reads) -> rules.ReminderSettings:
    """The defaults of DOMAIN.md, with the user's thresholds and crisis text from settings.

    Unknown names, values of the wrong type and values outside ``tracker.domain.bounds`` in
    ``reminder_thresholds`` (an older or edited file) are ignored: the default holds, so a
    bad setting can never silence a reminder. The 24-hour limit on
    urgent reminders and R8's triggers are not settings: a stored or imported
    ``urgent_snooze_limit_hours`` (or ``crisis_mood_max``) is ignored.
    """
    base = rules.ReminderSettings()
    stored = settings_service.get_setting(session=session, key="reminder_thresholds") or {}
    changes: dict[str, Any] = dict(bounds.within_bounds(stored))
    crisis = settings_service.get_setting(session=session, key="crisis_text")
    if isinstance(crisis, str) and crisis.strip():
        changes["crisis_text"] = crisis.strip()
    return dataclasses.replace(base, **changes)


def _doses(
    session: Reads, first: date, now: datetime, medication_ids: Sequence[int]
) -> tuple[rules.DoseInfo, ...]:
    """Dose entries of the last few local days, plus each medication's latest dose taken (R4's stop case)."""
    found = {e.id: e for e in q.doses_since(session, first)}
    for medication_id in medication_ids:
        latest = q.latest_taken(session, medication_id, now)
        if latest is not None:
            found.setdefault(latest.id, latest)
    return tuple(
        rules.DoseInfo(
            medication_id=e.medication_id,
            scheduled_for=e.scheduled_for,
            taken_at=e.taken_at,
            amount_mg=e.amount_mg,
            status=e.status if e.status in ("taken", "skipped", "extra") else "taken",  # type: ignore[arg-type]
        )
        for e in found.values()
    )


def gather_context(*, session: Reads, now: datetime, tz: ZoneInfo) -> rules.ReminderContext:
    """Everything R1-R12 read at ``now``, in as few and as small queries as the rules allow.

    ``tz`` is the user's zone (today, symptom days, times shown); dose slots (R4, R5, R9)
    are expanded in the schedule zones (``settings.schedule_timeline``: the home zone when
    schedules keep home time while the user travels, else the zone each day was lived in).
    """
    s = reminder_settings(session=session)
    today = local_day(now, tz)
    # One extra day either side absorbs a change of time zone since the rows were written.
    dose_days = max(s.unplanned_lookback_days, s.missed_window_days + 1, s.no_dose_days + 1) + 1
    burden_days = max(s.settle_window_days, s.flare_window_days + s.flare_before_days + 1) + 1
    # R3's reductions by logged doses look at whole days back to the start of its window
    taken_days = max(s.flare_window_days + LOGGED_REDUCTION_DAYS + 1, OVERDOSE_DAYS) + 1
    every_medication = med_queries.list_medications(session=session, include_archived=True)
    medications = tuple(
        rules.MedicationInfo(m.id, m.name, m.half_life_hours, m.archived, m.started_on)
        for m in sorted(every_medication, key=lambda m: m.id)
    )
    prescriptions = tuple(
        rules.PrescriptionInfo(
            medication_id=p.medication_id,
            dose_mg=p.dose_mg,
            times=tuple(times_from_text(p.times)),
            start=p.start_date,
            end=p.end_date,
            prescriber=p.prescriber,
            id=p.id,
        )
        for p in med_queries.all_prescriptions(session=session)
    )
    plans = plan_infos(session, _PLAN_STATUSES)
    since = as_utc(now) - timedelta(days=s.check_in_days + 2)
    first_burden = today - timedelta(days=burden_days)
    burden = dict(symptom_queries.burden_by_day(session=session, start=first_burden, end=today))
    baseline = q.baseline_mean_burden(session)
    bare = rules.ReminderContext(settings=s, prescriptions=prescriptions, plans=tuple(plans))
    if baseline is None:
        # R2 without a baseline: the 7 days before each plan's current step began, however long ago
        for plan in plans:
            began = rules.settle_reference_start(bare, plan, today)
            if began is not None and began - timedelta(days=7) < first_burden:
                burden.update(
                    symptom_queries.burden_by_day(
                        session=session, start=began - timedelta(days=7), end=began - timedelta(days=1)
                    )
                )
    crisis = tuple(
        rules.CrisisEntry(r.day, r.written_at, r.kind, r.value)  # type: ignore[arg-type]
        for r in q.crisis_entries_written_since(session, as_utc(now) - CRISIS_WRITTEN_WITHIN, CRISIS_MOOD_MAX)
    )
    return rules.ReminderContext(
        settings=s,
        medications=medications,
        prescriptions=prescriptions,
        doses=_doses(session, today - timedelta(days=dose_days), now, [m.id for m in medications]),
        daily_burden=burden,
        severe_days=q.severe_days(session, first_burden),
        baseline_mean_burden=baseline,
        crisis_entries=crisis,
        daily_taken=q.daily_taken_since(session, today - timedelta(days=taken_days)),
        plans=tuple(plans),
        appointments=tuple(q.appointments_since(session, since)),
        planned_medication_ids=frozenset(p.medication_id for p in plans if p.status in _PLANNED_STATUSES),
        schedule_tz=settings_service.schedule_timeline(session=session, current=tz, now=now),
        micro=tables_by_prescription(schedule_queries.micro_tables(session=session)),  # D8
    )


def _states(session: Reads, keys: list[str]) -> list[rules.DismissalState]:
    return [
        rules.DismissalState(r.key, r.fingerprint, r.dismissed, r.snoozed_until)
        for r in q.reminder_states(session, keys)
    ]


def _due(session: Reads, now: datetime, tz: ZoneInfo) -> list[rules.Reminder]:
    return rules.evaluate(gather_context(session=session, now=now, tz=tz), now, tz)


def active_reminders(*, session: Reads, now: datetime, tz: ZoneInfo | None = None) -> list[ActiveReminder]:
    """Reminders to show now, urgent first, without those the user dismissed or snoozed.

    ``tz`` defaults to the user's zone from settings; the rules run in it.
    """
    zone = tz or settings_service.user_zone(session=session)
    due = _due(session, now, zone)
    shown = rules.visible(due, _states(session, [r.key for r in due]), as_utc(now))
    return [_active(r) for r in shown]


def _find(session: Reads, key: str, now: datetime, tz: ZoneInfo | None) -> rules.Reminder:
    zone = tz or settings_service.user_zone(session=session)
    for reminder in _due(session, now, zone):
        if reminder.key == key:
            return reminder
    raise NotFoundError(f"no reminder {key!r} is due now")


def _store(session: Session, state: rules.DismissalState) -> None:
    from tracker.models import ReminderState  # a write: the ORM is loaded only here

    row = session.get(ReminderState, state.key)
    if row is None:
        row = ReminderState(key=state.key, fingerprint=state.fingerprint)
    row.fingerprint = state.fingerprint
    row.dismissed = state.dismissed
    row.snoozed_until = state.snoozed_until
    session.add(row)
    session.flush()


def dismiss_reminder(
    *, session: Session, key: str, now: datetime, tz: ZoneInfo | None = None
) -> datetime | None:
    """Hide a reminder until its condition changes; returns when it comes back if that is a time.

    An urgent reminder (R3, R4's stop case, R8, R12) is never dismissed for good:
    dismissing it silences it for 24 hours at most (sooner if it gets worse), and the
    returned time says so.
    """
    state = rules.dismiss(_find(session, key, now, tz), as_utc(now))
    _store(session, state)
    return state.snoozed_until


def snooze_reminder(
    *,
    session: Session,
    key: str,
    now: datetime,
    until: datetime | None = None,
    hours: float | None = None,
    tz: ZoneInfo | None = None,
) -> datetime:
    """Hide a reminder until ``until`` (or for ``hours``); urgent ones at most 24 h. Returns the end used."""
    if until is None:
        if hours is None or hours <= 0:
            raise TrackerError("say how long to snooze for, in hours above 0")
        until = as_utc(now) + timedelta(hours=hours)
    state = rules.snooze(_find(session, key, now, tz), as_utc(until), as_utc(now))
    _store(session, state)
    assert state.snoozed_until is not None
    return state.snoozed_until
