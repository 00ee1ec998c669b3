"""The symptom catalogue and daily symptom ratings (one per symptom and local day).

The reads are plain SQL (tracker/queries/symptoms.py, re-exported here) and hand back
read-only rows; ``find_symptom`` and the writes work on the session's ORM objects.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from tracker.domain.errors import NotFoundError, TrackerError
from tracker.domain.symptoms import GROUPS, closest, normalise
from tracker.domain.timeutil import utc_now
from tracker.models import Comparison, Symptom, SymptomEntry
from tracker.queries.symptoms import (
    SymptomEntryRow,
    SymptomRow,
    burden_by_day,
    entries_for_day,
    list_symptoms,
    recent_symptom_ids,
)

__all__ = [
    "SymptomEntryRow",
    "SymptomRow",
    "add_symptom",
    "burden_by_day",
    "clear_rating",
    "entries_for_day",
    "find_symptom",
    "list_symptoms",
    "rate_symptom",
    "recent_symptom_ids",
    "rename_symptom",
    "set_hidden",
]


def find_symptom(*, session: Session, name: str) -> Symptom:
    """By name, key or alias, case-insensitive (``brain-zaps``, ``Brain zaps``, ``zaps``)."""
    wanted = normalise(name)
    all_rows = list_symptoms(session=session, include_hidden=True)
    for s in all_rows:
        names = [s.name, s.key, *[a for a in s.aliases.split(",") if a]]
        if any(normalise(n) == wanted for n in names):
            found = session.get(Symptom, s.id)  # callers may change it: the session's own object
            assert found is not None
            return found
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
