"""The symptom catalogue and daily symptom ratings (one per symptom and local day)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.domain.errors import NotFoundError, TrackerError
from tracker.domain.symptoms import GROUPS, closest, normalise
from tracker.domain.timeutil import utc_now
from tracker.models import Comparison, Symptom, SymptomEntry


def list_symptoms(*, session: Session, include_hidden: bool = False) -> list[Symptom]:
    query = select(Symptom).order_by(col(Symptom.sort_order), col(Symptom.id))
    if not include_hidden:
        query = query.where(Symptom.hidden == False)  # noqa: E712
    rows = list(session.exec(query).all())
    order = {g: i for i, g in enumerate(GROUPS)}
    return sorted(rows, key=lambda s: (order.get(s.group, len(GROUPS)), s.sort_order, s.id or 0))


def recent_symptom_ids(*, session: Session, before: date, days: int = 28) -> list[int]:
    """Symptoms rated above zero in the ``days`` before ``before``, most often first."""
    rows = session.exec(
        select(SymptomEntry.symptom_id, func.count())
        .where(SymptomEntry.day >= before - timedelta(days=days))
        .where(SymptomEntry.day <= before)
        .where(SymptomEntry.severity > 0)
        .group_by(col(SymptomEntry.symptom_id))
        .order_by(func.count().desc())
    ).all()
    return [r[0] for r in rows]


def find_symptom(*, session: Session, name: str) -> Symptom:
    """By name, key or alias, case-insensitive (``brain-zaps``, ``Brain zaps``, ``zaps``)."""
    wanted = normalise(name)
    all_rows = list_symptoms(session=session, include_hidden=True)
    for s in all_rows:
        names = [s.name, s.key, *[a for a in s.aliases.split(",") if a]]
        if any(normalise(n) == wanted for n in names):
            return s
    candidates = [s.name for s in all_rows if not s.hidden]
    hint = closest(name, candidates + [s.key for s in all_rows if not s.hidden])
    suffix = (
        f"; did you mean {' or '.join(dict.fromkeys(hint))}?" if hint else "; `tracker symptoms` lists them"
    )
    raise NotFoundError(f"no symptom called {name!r}{suffix}")


def add_symptom(*, session: Session, name: str, group: str = "Other") -> Symptom:
    clean = name.strip()
    if not clean:
        raise TrackerError("the symptom needs a name")
    if len(clean) > 60:
        raise TrackerError("the symptom name is longer than 60 characters")
    if group not in GROUPS or group == "Crisis":
        raise TrackerError(f"group {group!r} is not one of {', '.join(g for g in GROUPS if g != 'Crisis')}")
    key = re.sub(r"[^a-z0-9]+", "-", clean.lower()).strip("-") or "symptom"
    existing = {s.key for s in list_symptoms(session=session, include_hidden=True)}
    if any(
        normalise(s.name) == normalise(clean) for s in list_symptoms(session=session, include_hidden=True)
    ):
        raise TrackerError(f"a symptom called {clean!r} already exists")
    base, n = key, 2
    while key in existing:
        key, n = f"{base}-{n}", n + 1
    top = session.exec(select(func.max(Symptom.sort_order))).one() or 0
    symptom = Symptom(key=key, name=clean, group=group, is_custom=True, sort_order=top + 1)
    session.add(symptom)
    session.flush()
    return symptom


def rename_symptom(*, session: Session, symptom_id: int, name: str) -> Symptom:
    """Rename; entries keep the name used at the time they were logged."""
    symptom = session.get(Symptom, symptom_id)
    if symptom is None:
        raise NotFoundError(f"no symptom with id {symptom_id}")
    if not name.strip():
        raise TrackerError("the symptom needs a name")
    symptom.name = name.strip()
    session.add(symptom)
    session.flush()
    return symptom


def set_hidden(*, session: Session, symptom_id: int, hidden: bool) -> Symptom:
    symptom = session.get(Symptom, symptom_id)
    if symptom is None:
        raise NotFoundError(f"no symptom with id {symptom_id}")
    if symptom.is_crisis and hidden:
        raise TrackerError("the crisis item cannot be hidden: it is how the app knows to show help")
    symptom.hidden = hidden
    session.add(symptom)
    session.flush()
    return symptom


def rate_symptom(
    *,
    session: Session,
    symptom_id: int,
    day: date,
    severity: int,
    comparison: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> SymptomEntry:
    """Set a symptom's severity (0-3) for a local day; a second rating updates the first."""
    if not isinstance(severity, int) or isinstance(severity, bool) or not 0 <= severity <= 3:
        raise TrackerError(f"severity {severity!r} is outside 0-3 (0 none, 1 mild, 2 moderate, 3 severe)")
    if comparison is not None and comparison not in {c.value for c in Comparison}:
        raise TrackerError(f"comparison {comparison!r} is not one of new, worse, same, better")
    symptom = session.get(Symptom, symptom_id)
    if symptom is None:
        raise NotFoundError(f"no symptom with id {symptom_id}")
    entry = session.exec(
        select(SymptomEntry).where(SymptomEntry.symptom_id == symptom_id).where(SymptomEntry.day == day)
    ).first()
    if entry is None:
        entry = SymptomEntry(symptom_id=symptom_id, symptom_name=symptom.name, day=day, severity=severity)
    entry.severity = severity
    if comparison is not None:
        entry.comparison = comparison
    if note is not None:
        entry.note = note or None
    entry.logged_at = now or utc_now()
    session.add(entry)
    session.flush()
    return entry


def clear_rating(*, session: Session, symptom_id: int, day: date) -> bool:
    """Remove a day's rating (back to "not logged", which is not zero)."""
    entry = session.exec(
        select(SymptomEntry).where(SymptomEntry.symptom_id == symptom_id).where(SymptomEntry.day == day)
    ).first()
    if entry is None:
        return False
    session.delete(entry)
    session.flush()
    return True


def entries_for_day(*, session: Session, day: date) -> list[SymptomEntry]:
    return list(session.exec(select(SymptomEntry).where(SymptomEntry.day == day)).all())


def burden_by_day(*, session: Session, start: date, end: date) -> dict[date, int]:
    """Sum of severities per logged local day in [start, end] (unlogged days absent)."""
    rows = session.exec(
        select(col(SymptomEntry.day), func.sum(SymptomEntry.severity))
        .where(SymptomEntry.day >= start)
        .where(SymptomEntry.day <= end)
        .group_by(col(SymptomEntry.day))
    ).all()
    return {r[0]: int(r[1]) for r in rows}
