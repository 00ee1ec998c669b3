"""The History log: doses, symptom ratings, check-ins and changes, one page at a time.

Paging is by key (keyset): a page starts after the sort key of the previous page's last
row (a ``HistoryCursor``). Each table's part of the log is read through its index on the
local day (the audit trail through its index on the instant), after the cursor, newest
first and at most one page long; SQL merges the parts and keeps one page. So a page costs
the same at the end of ten years as at the start, and nothing is counted unless asked:
the total is counted once (``count=True``), typically when a filter changes. The rows of
the page are then read by id. The whole history is never in memory, and a page holds at
most ``MAX_PAGE_SIZE`` rows.

Order: local day (newest first), then the instant within it (newest first), then kind and
id, a total order, so paging is stable: every row is on exactly one page. Audit entries
have no stored local day: theirs is the local day whose bounds (``day_bounds_utc``) hold
the instant, the rule the date filter already used, computed by a small SQLite function.
It never goes back as the instant grows, so the audit trail is read in instant order.

``offset`` paging still works (the API it replaced): the log's rows per day, counted
through the day indexes, locate the page's first row, then the page is read by key.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from tracker.domain.errors import NotFoundError, TrackerError
from tracker.domain.symptoms import SEVERITY_LABELS
from tracker.domain.units import format_mg
from tracker.queries import history as q
from tracker.store import Reads

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.models import AuditEntry

KINDS: tuple[str, ...] = ("dose", "symptom", "checkin", "change")
ENTRY_KINDS: tuple[str, ...] = ("dose", "symptom", "checkin")  # what the user logged, without the audit trail
MAX_PAGE_SIZE = 500
UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One line of the log, ready to show; ``kind`` and ``row_id`` identify it for edit and delete."""

    kind: str  # dose, symptom, checkin, change
    day: date  # the local day it belongs to
    time: str  # local HH:MM, or "" for entries that belong to a whole day
    what: str
    detail: str
    row_id: int  # id in its own table
    symptom_id: int | None = None
    medication_id: int | None = None


@dataclass(frozen=True, slots=True)
class HistoryCursor:
    """The sort key of a page's last row; the next page starts after it.

    ``at`` is the row's instant as stored (UTC text, which sorts in time order).
    """

    day: date
    at: str
    kind: str
    row_id: int


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """One page of the log and where it sits in the whole (filtered) log.

    ``offset`` is the number of rows before the page; ``total`` is None when not counted.
    ``next_cursor`` is where the next page starts (None on the last page).
    """

    rows: tuple[HistoryRow, ...]
    offset: int
    limit: int
    total: int | None
    next_cursor: HistoryCursor | None = None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def page_number(self) -> int:
        """1-based."""
        return self.offset // self.limit + 1

    @property
    def page_count(self) -> int | None:
        """Pages in the whole log; None when it was not counted."""
        return None if self.total is None else max(1, -(-self.total // self.limit))


@dataclass(frozen=True, slots=True)
class EditableEntry:
    """The current values of one entry, for an edit form."""

    kind: str
    row_id: int
    day: date
    label: str  # what the entry is, in words
    amount_mg: float | None = None
    taken_at: datetime | None = None
    status: str | None = None
    medication_name: str | None = None
    form: str | None = None
    strength_mg: float | None = None
    liquid_mg_per_ml: float | None = None
    symptom_id: int | None = None
    severity: int | None = None
    mood: int | None = None
    sleep_hours: float | None = None
    note: str | None = None


# --------------------------------------------------------------------------- the page


def _check_kinds(kinds: Collection[str]) -> None:
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise TrackerError(f"unknown kind {', '.join(sorted(unknown))}; use {', '.join(KINDS)}")


def history_page(
    *,
    session: Reads,
    tz: ZoneInfo,
    kinds: Collection[str] = ENTRY_KINDS,
    start: date | None = None,
    end: date | None = None,
    offset: int = 0,
    limit: int = MAX_PAGE_SIZE,
    after: HistoryCursor | None = None,
    count: bool = True,
) -> HistoryPage:
    """One page of the log, newest first.

    Turn pages with ``after=page.next_cursor`` (and ``offset`` = the rows before the new
    page, which then only numbers it); a page costs the same anywhere in the log.

    Args:
        kinds: any of ``KINDS``; "change" is the audit trail of every edit.
        start, end: inclusive local days; None for no bound.
        offset: rows before the page. Without ``after`` the rows are skipped (slower: the
            rows per day are counted to find the page).
        limit: rows per page, 1 to ``MAX_PAGE_SIZE``.
        after: the cursor of the previous page (``HistoryPage.next_cursor``).
        count: count the whole filtered log into ``total`` (once per filter is enough);
            when False, ``total`` is None unless skipping rows counted it anyway.
    """
    _check_kinds(kinds)
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise TrackerError(f"a page holds 1 to {MAX_PAGE_SIZE} rows, not {limit}")
    if offset < 0:
        raise TrackerError("the page offset cannot be negative")
    if start is not None and end is not None and end < start:
        raise TrackerError(f"the range ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    if not set(kinds) & set(KINDS):
        return HistoryPage((), offset, limit, 0)
    total: int | None = None
    cursor = None if after is None else q.Key(after.kind, after.row_id, after.day, after.at)
    if after is None and offset > 0:
        per_day = q.day_counts(session, kinds=kinds, start=start, end=end, tz=tz)
        total = sum(n for _, n in per_day)
        cursor = q.locate(session, kinds=kinds, start=start, end=end, tz=tz, per_day=per_day, offset=offset)
        if cursor is None:
            return HistoryPage((), offset, limit, total)
    elif count:
        total = q.count(session, kinds=kinds, start=start, end=end, tz=tz)
    # one more than a page: is there a next one?
    found = q.page_keys(session, kinds=kinds, start=start, end=end, tz=tz, after=cursor, limit=limit + 1)
    keys = [(k.kind, k.row_id) for k in found[:limit]]
    next_cursor = None
    if len(found) > limit:
        last = found[limit - 1]
        next_cursor = HistoryCursor(last.day, last.at, last.kind, last.row_id)
    rows = _rows_for_keys(session, keys, tz)
    return HistoryPage(tuple(rows), offset, limit, total, next_cursor)


# --------------------------------------------------------------------------- turning keys into rows


def _hhmm(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M") if moment is not None else ""


def _with_note(text: str, note: str | None) -> str:
    return f"{text}; {note}" if note else text


def _dose_row(event: q.DoseLine, tz: ZoneInfo) -> HistoryRow:
    """A dose's line from its columns and ``medication_name``."""
    scheduled = _hhmm(event.scheduled_for, tz)
    if event.status == "skipped":
        detail = f"skipped, due {scheduled}" if scheduled else "skipped"
    elif event.scheduled_for is None:
        detail = "extra dose"
    else:
        detail = f"taken, due {scheduled}"
    return HistoryRow(
        kind="dose",
        day=event.day,
        time=_hhmm(event.taken_at or event.scheduled_for, tz),
        what=f"{event.medication_name} {format_mg(event.amount_mg)}",
        detail=_with_note(detail, event.note),
        row_id=event.id or 0,
        medication_id=event.medication_id,
    )


_COMPARISON_WORDS = {
    "new": "new",
    "worse": "worse than before",
    "same": "as before",
    "better": "better than before",
}


def _symptom_row(entry: q.SymptomLine) -> HistoryRow:
    label = SEVERITY_LABELS[entry.severity] if 0 <= entry.severity < len(SEVERITY_LABELS) else "?"
    detail = f"{entry.severity} {label}"
    if entry.comparison:
        detail += f", {_COMPARISON_WORDS.get(entry.comparison, entry.comparison)}"
    return HistoryRow(
        kind="symptom",
        day=entry.day,
        time="",
        what=entry.symptom_name,
        detail=_with_note(detail, entry.note),
        row_id=entry.id or 0,
        symptom_id=entry.symptom_id,
    )


def _checkin_row(row: q.CheckInLine) -> HistoryRow:
    parts = []
    if row.mood is not None:
        parts.append(f"mood {row.mood}/10")
    if row.sleep_hours is not None:
        parts.append(f"sleep {row.sleep_hours:g} h")
    detail = ", ".join(parts) or "no mood or sleep"
    return HistoryRow(
        kind="checkin",
        day=row.day,
        time="",
        what="Check-in (baseline)" if row.is_baseline else "Check-in",
        detail=_with_note(detail, row.note),
        row_id=row.id or 0,
    )


_TABLE_WORDS = {
    "doseevent": "a dose",
    "symptomentry": "a symptom rating",
    "checkin": "a check-in",
    "medication": "a medication",
    "prescription": "a prescription",
    "taperplan": "a taper plan",
    "taperstep": "a taper step",
    "symptom": "a symptom",
    "appointment": "an appointment",
    "clinicianquestion": "a question",
    "setting": "a setting",
    "planevent": "a plan history entry",
    "reminderstate": "a reminder",
    "scaleresponse": "a PHQ-9 or GAD-7",
    "notificationrecord": "a notification",
    "dosesnooze": "a snooze",
    "notifyrun": "a notification run",
}
_ACTION_WORDS = {"insert": "Added", "update": "Changed", "delete": "Deleted"}
# fields that change on every write and say nothing to the reader
_QUIET_FIELDS = frozenset({"logged_at", "created_at", "id"})
_FIELD_WORDS = {
    "amount_mg": "amount (mg)",
    "dose_mg": "dose (mg)",
    "strength_mg": "strength (mg)",
    "liquid_mg_per_ml": "liquid (mg/ml)",
    "other_strengths": "other strengths (mg)",
    "half_life_hours": "half-life (h)",
    "sleep_hours": "sleep (h)",
    "taken_at": "taken",
    "scheduled_for": "scheduled",
    "start_date": "first day",
    "end_date": "last day",
    "answered_at": "answered",
    "drug_class": "class",
}
# how an added or deleted row is named, by table
_ROW_NAMES: dict[str, tuple[str, ...]] = {
    "doseevent": ("amount_mg", "day"),
    "symptomentry": ("symptom_name", "severity", "day"),
    "checkin": ("day", "mood", "sleep_hours"),
    "medication": ("name",),
    "prescription": ("dose_mg", "start_date"),
    "appointment": ("at", "clinician"),
    "clinicianquestion": ("text",),
    "symptom": ("name",),
    "taperplan": ("status",),
    "taperstep": ("dose_mg", "planned_start"),
}


def _show_value(value: Any, tz: ZoneInfo) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and len(value) >= 16 and value[10:11] in ("T", " ") and value[4:5] == "-":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _field(name: str) -> str:
    return _FIELD_WORDS.get(name, name.replace("_", " "))


def _setting_value(encoded: Any) -> str:
    try:
        return _show_value(json.loads(encoded), UTC_ZONE) if isinstance(encoded, str) else str(encoded)
    except ValueError:
        return str(encoded)


def _setting_words(key: object) -> str:
    from tracker.services.settings import setting_words

    return setting_words(key)


def describe_change(entry: AuditEntry | q.ChangeLine, tz: ZoneInfo) -> tuple[str, str]:
    """``(what, detail)`` of an audit entry in words, such as ("Changed a dose", "amount_mg 50 -> 25")."""
    verb = _ACTION_WORDS.get(entry.action, entry.action.title())
    what = f"{verb} {_TABLE_WORDS.get(entry.table_name, entry.table_name)}"
    before: dict[str, Any] = json.loads(entry.before) if entry.before else {}
    after: dict[str, Any] = json.loads(entry.after) if entry.after else {}
    if entry.action == "update" and entry.table_name == "setting":
        old, new = _setting_value(before.get("value")), _setting_value(after.get("value"))
        detail = f"{_setting_words(after.get('key'))}: {old} -> {new}"
    elif entry.action == "update":
        changed = [
            f"{_field(k)} {_show_value(before.get(k), tz)} -> {_show_value(after.get(k), tz)}"
            for k in after
            if k not in _QUIET_FIELDS and before.get(k) != after.get(k)
        ]
        detail = "; ".join(changed) or "no visible change"
    else:
        values = after or before
        if entry.table_name == "setting":
            detail = f"{_setting_words(values.get('key'))}: {_setting_value(values.get('value'))}"
        else:
            names = _ROW_NAMES.get(entry.table_name, ())
            detail = ", ".join(
                f"{_field(f)} {_show_value(values[f], tz)}" for f in names if values.get(f) is not None
            )
    if entry.undone:
        detail = f"{detail} (undone)" if detail else "(undone)"
    return what, detail


def _change_row(entry: q.ChangeLine, tz: ZoneInfo) -> HistoryRow:
    what, detail = describe_change(entry, tz)
    return HistoryRow(
        kind="change",
        day=entry.at.astimezone(tz).date(),
        time=_hhmm(entry.at, tz),
        what=what,
        detail=detail,
        row_id=entry.id or 0,
    )


def _rows_for_keys(session: Reads, keys: Sequence[tuple[str, int]], tz: ZoneInfo) -> list[HistoryRow]:
    """The lines of one page, read by id (at most one query per kind), in the page's order.

    Plain rows, not ORM objects: those would linger for the garbage collector, and paging
    through ten years then stalls now and then on a full collection.
    """
    lines = q.lines_for_keys(session, keys)
    built: list[HistoryRow] = []
    for key in keys:
        line = lines.get(key)
        if isinstance(line, q.DoseLine):
            built.append(_dose_row(line, tz))
        elif isinstance(line, q.SymptomLine):
            built.append(_symptom_row(line))
        elif isinstance(line, q.CheckInLine):
            built.append(_checkin_row(line))
        elif isinstance(line, q.ChangeLine):
            built.append(_change_row(line, tz))
    return built


# --------------------------------------------------------------------------- edit and delete support


def load_entry(*, session: Session, kind: str, row_id: int, tz: ZoneInfo) -> EditableEntry:
    """The current values of a dose, symptom rating or check-in, for an edit form."""
    from tracker.models import CheckIn, DoseEvent, Medication, SymptomEntry

    if kind == "dose":
        event = session.get(DoseEvent, row_id)
        if event is None:
            raise NotFoundError("that dose entry no longer exists")
        med = session.get(Medication, event.medication_id)
        assert med is not None
        return EditableEntry(
            kind=kind,
            row_id=row_id,
            day=event.day,
            label=f"{med.name} {format_mg(event.amount_mg)} on {event.day.isoformat()}",
            amount_mg=event.amount_mg,
            taken_at=event.taken_at,
            status=event.status,
            medication_name=med.name,
            form=med.form,
            strength_mg=med.strength_mg,
            liquid_mg_per_ml=med.liquid_mg_per_ml,
            note=event.note,
        )
    if kind == "symptom":
        entry = session.get(SymptomEntry, row_id)
        if entry is None:
            raise NotFoundError("that symptom rating no longer exists")
        return EditableEntry(
            kind=kind,
            row_id=row_id,
            day=entry.day,
            label=f"{entry.symptom_name} on {entry.day.isoformat()}",
            symptom_id=entry.symptom_id,
            severity=entry.severity,
            note=entry.note,
        )
    if kind == "checkin":
        row = session.get(CheckIn, row_id)
        if row is None:
            raise NotFoundError("that check-in no longer exists")
        return EditableEntry(
            kind=kind,
            row_id=row_id,
            day=row.day,
            label=f"check-in of {row.day.isoformat()}",
            mood=row.mood,
            sleep_hours=row.sleep_hours,
            note=row.note,
        )
    raise TrackerError("a change in the audit trail cannot be edited; undo reverts the last one")


def delete_entry(*, session: Session, kind: str, row_id: int) -> None:
    """Delete a dose, symptom rating or check-in; the audit trail keeps it for undo."""
    from tracker.models import CheckIn, SymptomEntry
    from tracker.services import doses as doses_service
    from tracker.services import symptoms as symptoms_service

    if kind == "dose":
        doses_service.delete_dose(session=session, event_id=row_id)
    elif kind == "symptom":
        entry = session.get(SymptomEntry, row_id)
        if entry is None:
            raise NotFoundError("that symptom rating no longer exists")
        symptoms_service.clear_rating(session=session, symptom_id=entry.symptom_id, day=entry.day)
    elif kind == "checkin":
        row = session.get(CheckIn, row_id)
        if row is None:
            raise NotFoundError("that check-in no longer exists")
        session.delete(row)
        session.flush()
    else:
        raise TrackerError("a change in the audit trail cannot be deleted; undo reverts the last one")
