"""Desktop notifications for the reminders due: what to send, the record of what was sent (issue 14).

``tracker remind --notify`` runs this from a timer every 15 minutes. The reminders come
from the reminder service's public list (``reminders_service.active_reminders``: rule,
key, severity, message, fingerprint, the instant a dose is due); when to notify is the
pure policy of ``tracker.domain.notify_policy``; showing a notification is the platform
layer's job (``tracker.system.desktop``), handed in as a ``Sender`` so this module never
imports a notification library.

Crash safety: each notification is recorded as an intent (a "pending" row) and that
write is committed *before* the platform is asked to show it; the row is confirmed
("sent") right after. A crash in between leaves a pending row, which the next run sends
once more and then counts as sent: at most one duplicate, never a lost notification. A
send that fails (no notification server) removes its intent, so the next run tries again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal, Protocol
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, delete, select

from tracker.domain import notify_policy as policy
from tracker.domain.timeutil import as_utc
from tracker.models import DoseSnooze, NotificationRecord, NotifyRun
from tracker.services import reminders_service
from tracker.services import settings as settings_service

if TYPE_CHECKING:
    from tracker.db import Database

__all__ = [
    "Interaction",
    "Outgoing",
    "RunResult",
    "Sender",
    "candidates",
    "last_run",
    "prefs",
    "prepare",
    "run",
]

KEEP_RECORDS = timedelta(days=30)  # older records decide nothing any more (the longest window is days)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A notification to show, with the records (intents) it confirms once shown."""

    message: policy.Message
    created: tuple[int, ...]  # records written for it in this run
    retried: tuple[int, ...] = ()  # pending records of an earlier run, sent once more


@dataclass(frozen=True, slots=True)
class Interaction:
    """What the user did with a notification: pressed a button, or clicked it."""

    action: Literal["taken", "snooze", "clicked"]
    dose: policy.Candidate | None = None


class Sender(Protocol):
    """Shows notifications; calls ``on_result(item, problem)`` after each (problem None: shown).

    Returns what the user did with them while it waited (``wait`` seconds at most).
    """

    def deliver(
        self,
        items: Sequence[Outgoing],
        on_result: Callable[[Outgoing, str | None], None],
        wait: float,
    ) -> list[Interaction]: ...


@dataclass
class RunResult:
    sent: int = 0
    failed: int = 0
    problem: str | None = None
    interactions: list[Interaction] = field(default_factory=list)


def prefs(*, session: Session) -> policy.NotifyPrefs:
    """The user's notification settings (out-of-bounds stored values fall back to their defaults)."""
    stored = {k: settings_service.get_setting(session=session, key=k) for k in policy.SETTING_DEFAULTS}
    return policy.prefs_from(stored)


def candidates(*, session: Session, now: datetime, tz: ZoneInfo) -> list[policy.Candidate]:
    """The reminders due now, from the reminder service's public list."""
    return [
        policy.Candidate(
            key=r.key,
            rule=r.rule,
            severity=r.severity,
            fingerprint=r.fingerprint or r.message,
            message=r.message,
            at=r.at,
            medication_id=r.medication_id,
        )
        for r in reminders_service.active_reminders(session=session, now=now, tz=tz)
    ]


def _sent(session: Session, keys: Sequence[str]) -> list[policy.Sent]:
    if not keys:
        return []
    rows = session.exec(select(NotificationRecord).where(col(NotificationRecord.key).in_(list(keys)))).all()
    return [
        policy.Sent(
            key=r.key,
            fingerprint=r.fingerprint,
            at=as_utc(r.created_at),
            confirmed=r.status == "sent",
            attempts=r.attempts,
            id=r.id,
        )
        for r in rows
    ]


def _snoozes(session: Session) -> dict[tuple[int, datetime], tuple[datetime, datetime]]:
    return {
        (s.medication_id, as_utc(s.scheduled_for)): (as_utc(s.until), as_utc(s.created_at))
        for s in session.exec(select(DoseSnooze)).all()
    }


def _names(session: Session) -> dict[int, str]:
    from tracker.queries import meds as med_queries

    return {m.id: m.name for m in med_queries.list_medications(session=session, include_archived=True)}


def prepare(*, session: Session, now: datetime, tz: ZoneInfo) -> list[Outgoing]:
    """Decide what to send now and record each as a pending intent (the caller commits before sending)."""
    now = as_utc(now)
    session.exec(delete(NotificationRecord).where(col(NotificationRecord.created_at) < now - KEEP_RECORDS))
    session.exec(delete(DoseSnooze).where(col(DoseSnooze.scheduled_for) < now - policy.MISSED_AFTER))
    found = candidates(session=session, now=now, tz=tz)
    p = prefs(session=session)
    decisions = policy.decide(
        found, _sent(session, [c.key for c in found]), now, tz, p, snoozes=_snoozes(session)
    )
    if not decisions:
        return []
    crisis = settings_service.get_setting(session=session, key="crisis_text")
    messages = policy.compose(
        decisions,
        tz,
        show_names=p.show_names,
        crisis_text=crisis
        if isinstance(crisis, str) and crisis.strip()
        else settings_service.DEFAULT_CRISIS_TEXT,
        names=_names(session) if p.show_names else None,
    )
    by_key = {d.candidate.key: d for d in decisions}
    out: list[Outgoing] = []
    for message in messages:
        created: list[NotificationRecord] = []
        retried: list[int] = []
        for key in message.keys:
            d = by_key[key]
            if d.retry_of is not None:
                row = session.get(NotificationRecord, d.retry_of)
                if row is not None:
                    row.attempts += 1
                    session.add(row)
                    retried.append(d.retry_of)
                    continue
            c = d.candidate
            row = NotificationRecord(
                key=c.key,
                rule=c.rule,
                severity=c.severity,
                fingerprint=c.fingerprint,
                occasion=d.occasion,
                created_at=now,
            )
            session.add(row)
            created.append(row)
        session.flush()
        out.append(Outgoing(message, tuple(r.id or 0 for r in created), tuple(retried)))
    return out


def _settle(session: Session, item: Outgoing, problem: str | None, now: datetime) -> None:
    """Confirm ``item``'s records as sent, or (it failed) take back the intents of this run."""
    for record_id in (*item.created, *item.retried):
        row = session.get(NotificationRecord, record_id)
        if row is None:
            continue
        if problem is None:
            row.status, row.sent_at = "sent", now
            session.add(row)
        elif record_id in item.created:
            session.delete(row)
        else:
            row.attempts -= 1
            session.add(row)
    session.flush()


def _record_run(session: Session, now: datetime, sent: int, problem: str | None) -> None:
    row = session.get(NotifyRun, 1) or NotifyRun(id=1, last_run_at=now)
    row.last_run_at, row.sent, row.problem = now, sent, problem
    session.add(row)
    session.flush()


def last_run(*, session: Session) -> NotifyRun | None:
    """The last ``tracker remind --notify`` run, if any."""
    return session.get(NotifyRun, 1)


def run(
    database: Database,
    *,
    now: datetime,
    tz: ZoneInfo,
    sender: Callable[[], Sender],
    wait: float = 0.0,
) -> RunResult:
    """One timer run: decide, record intents (committed), send, confirm; then record the run.

    ``sender`` makes the platform's sender, called only when there is something to show,
    so a run with nothing new never loads a notification library.
    """
    result = RunResult()
    with database.write(audit=False) as session:
        items = prepare(session=session, now=now, tz=tz)
    if items:

        def on_result(item: Outgoing, problem: str | None) -> None:
            with database.write(audit=False) as session:
                _settle(session, item, problem, as_utc(now))
            if problem is None:
                result.sent += 1
            else:
                result.failed += 1
                result.problem = problem

        try:
            chosen = sender()
        except Exception as exc:  # the platform layer could not even start: take the intents back
            problem = f"notifications are not available here ({type(exc).__name__})"
            for item in items:
                on_result(item, problem)
        else:
            result.interactions = chosen.deliver(items, on_result, wait)
    with database.write(audit=False) as session:
        _record_run(session, as_utc(now), result.sent, result.problem)
    return result
