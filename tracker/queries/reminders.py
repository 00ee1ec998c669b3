"""Plain-SQL reads behind reminder rules R1-R12: compact, index-friendly, one shape each.

Per-day sums for the symptom burden are aggregated in SQL; doses are read for the
few local days the rules look at (ix_doseevent_day), plus each medication's latest
dose taken, one probe of ix_doseevent_med_taken from its newest end; the baseline
days are one range of ix_checkin_baseline. R8's entries are read by when they were written
(the crisis symptom's entries through the unique (symptom_id, day) index, check-ins through
ix_checkin_logged_at, PHQ-9s through ix_scaleresponse_logged_at), whatever day they are
for. Dates and datetimes are compared as the ORM stores them (``to_db``); instants come back aware UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from tracker.store import Reads, raw, to_db, utc_from_db

__all__ = [
    "DoseRow",
    "ReminderStateRow",
    "appointments_since",
    "baseline_mean_burden",
    "crisis_entries_written_since",
    "daily_taken_since",
    "doses_since",
    "latest_taken",
    "reminder_states",
    "severe_days",
]


@dataclass(frozen=True, slots=True)
class DoseRow:
    """The columns of a ``doseevent`` row the reminder rules read."""

    id: int
    medication_id: int
    scheduled_for: datetime | None
    taken_at: datetime | None
    amount_mg: float
    status: str


@dataclass(frozen=True, slots=True)
class ReminderStateRow:
    """A ``reminderstate`` row: what the user did with one reminder."""

    key: str
    fingerprint: str
    dismissed: bool
    snoozed_until: datetime | None


_DOSE_COLUMNS = "id, medication_id, scheduled_for, taken_at, amount_mg, status"


def _dose(row: tuple[int, int, str | None, str | None, float, str]) -> DoseRow:
    ident, med, scheduled, taken, amount, status = row
    return DoseRow(ident, med, utc_from_db(scheduled), utc_from_db(taken), float(amount), status)


def doses_since(session: Reads, first: date) -> list[DoseRow]:
    """Dose entries of local day ``first`` and later (one range of ix_doseevent_day)."""
    rows = raw(session).execute(
        f"SELECT {_DOSE_COLUMNS} FROM doseevent WHERE day >= ? ORDER BY day, id", (to_db(first),)
    )
    return [_dose(r) for r in rows]


def latest_taken(session: Reads, medication_id: int, now: datetime) -> DoseRow | None:
    """The medication's latest dose taken (not skipped, above 0 mg) at or before ``now``, if any.

    R4's stop case needs it however long ago it was, so it is not bounded by day;
    ordered by ``taken_at`` (not by ``day``: a late dose, an edited time or a change
    of zone can put them in a different order) it is one probe of
    ix_doseevent_med_taken from the newest end, not a pass over every dose.
    """
    row = (
        raw(session)
        .execute(
            f"SELECT {_DOSE_COLUMNS} FROM doseevent "
            "WHERE medication_id = ? AND taken_at IS NOT NULL AND taken_at <= ? "
            "AND status != 'skipped' AND amount_mg > 0 "
            "ORDER BY taken_at DESC LIMIT 1",
            (medication_id, to_db(now)),
        )
        .fetchone()
    )
    return _dose(row) if row is not None else None


def baseline_mean_burden(session: Reads) -> float | None:
    """Mean daily burden over the baseline days (check-ins marked baseline) that have ratings."""
    mean = (
        raw(session)
        .execute(
            "SELECT AVG(burden) FROM (SELECT SUM(severity) AS burden FROM symptomentry "
            "WHERE day IN (SELECT day FROM checkin WHERE is_baseline = 1) GROUP BY day)"
        )
        .fetchone()[0]
    )
    return float(mean) if mean is not None else None


def severe_days(session: Reads, first: date) -> dict[str, set[date]]:
    """Local days from ``first`` each symptom (by its current name) was rated severe; not the crisis item."""
    rows = raw(session).execute(
        "SELECT DISTINCT s.name, e.day FROM symptomentry AS e JOIN symptom AS s ON s.id = e.symptom_id "
        "WHERE e.day >= ? AND e.severity >= 3 AND s.is_crisis = 0",
        (to_db(first),),
    )
    out: dict[str, set[date]] = {}
    for name, day in rows:
        out.setdefault(name, set()).add(date.fromisoformat(day))
    return out


@dataclass(frozen=True, slots=True)
class CrisisRow:
    """An entry R8 may react to: its local day, when it was written, what it is and its value."""

    day: date
    written_at: datetime
    kind: str  # "self-harm", "low-mood" or "phq9-item9"
    value: int


def crisis_entries_written_since(session: Reads, since: datetime, mood_max: int) -> list[CrisisRow]:
    """Entries written at or after ``since``, for any day: "thoughts of self-harm" rated above 0,
    check-ins with a mood at or below ``mood_max``, and PHQ-9s whose item 9 is above 0."""
    cutoff = to_db(since)
    harm = raw(session).execute(
        "SELECT e.day, e.logged_at, e.severity FROM symptomentry AS e "
        "WHERE e.symptom_id IN (SELECT id FROM symptom WHERE is_crisis = 1) "
        "AND e.severity >= 1 AND e.logged_at >= ?",
        (cutoff,),
    )
    out = [CrisisRow(date.fromisoformat(d), _aware(at), "self-harm", int(v)) for d, at, v in harm]
    moods = raw(session).execute(
        "SELECT day, logged_at, mood FROM checkin WHERE logged_at >= ? AND mood IS NOT NULL AND mood <= ?",
        (cutoff, mood_max),
    )
    out += [CrisisRow(date.fromisoformat(d), _aware(at), "low-mood", int(v)) for d, at, v in moods]
    # PHQ-9 item 9 answered above 0 (the 9th of the comma-separated answers)
    phq = raw(session).execute(
        "SELECT day, logged_at, answers FROM scaleresponse WHERE logged_at >= ? AND scale = 'phq9'",
        (cutoff,),
    )
    for d, at, answers in phq:
        parts = str(answers).split(",")
        if len(parts) >= 9 and parts[8].isdigit() and int(parts[8]) > 0:
            out.append(CrisisRow(date.fromisoformat(d), _aware(at), "phq9-item9", int(parts[8])))
    return sorted(out, key=lambda r: (r.written_at, r.kind))


def _aware(stored: str) -> datetime:
    moment = utc_from_db(stored)
    assert moment is not None
    return moment


def daily_taken_since(session: Reads, first: date) -> dict[tuple[int, date], float]:
    """Milligrams logged as taken (taken and extra entries) per medication and local day from ``first``."""
    rows = raw(session).execute(
        # one range of ix_doseevent_day: without it the planner walks all of ix_doseevent_med_day
        # to save a sort of the few rows grouped
        "SELECT medication_id, day, SUM(amount_mg) FROM doseevent INDEXED BY ix_doseevent_day "
        "WHERE day >= ? AND status != 'skipped' GROUP BY day, medication_id",
        (to_db(first),),
    )
    return {(int(med), date.fromisoformat(day)): float(total) for med, day, total in rows}


def appointments_since(session: Reads, since: datetime) -> list[datetime]:
    """The times (aware UTC) of appointments at or after ``since``, past or booked."""
    rows = raw(session).execute("SELECT at FROM appointment WHERE at >= ? ORDER BY at", (to_db(since),))
    return [moment for (stored,) in rows if (moment := utc_from_db(stored)) is not None]


def reminder_states(session: Reads, keys: Sequence[str]) -> list[ReminderStateRow]:
    """What the user did with the reminders called ``keys`` (those never touched have no row)."""
    if not keys:
        return []
    wanted = list(dict.fromkeys(keys))
    rows = raw(session).execute(
        "SELECT key, fingerprint, dismissed, snoozed_until FROM reminderstate "
        f"WHERE key IN ({','.join('?' * len(wanted))})",
        wanted,
    )
    return [ReminderStateRow(k, f, bool(d), utc_from_db(until)) for k, f, d, until in rows]
