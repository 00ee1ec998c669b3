"""The History log's SQL, plain sqlite3 (no ORM): page keys by cursor, counts, and the rows of a page.

Each kind of entry is one table's share of the log (a ``_Part``), read through its index
on the local day (the audit trail through its index on the instant), newest first and at
most one page long after the cursor; SQL merges the parts and keeps one page. The order is
the log's: local day (newest first), instant within it (newest first), kind, id (newest
first), a total order, so every row is on exactly one page.

Audit entries have no stored local day: theirs is the local day whose bounds hold the
instant, computed by a small SQLite function (``tracker_local_day``) this module teaches the
connection. Callers (``tracker.services.history``) turn the rows into lines of text.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from tracker.domain.timeutil import day_bounds_utc
from tracker.queries._values import as_day, as_utc
from tracker.store import Reads, raw, to_db, utc_from_db

LOCAL_DAY_FN = "tracker_local_day"


@dataclass(frozen=True, slots=True)
class Key:
    """A row's place in the log: its kind, id, local day and instant as stored (UTC text)."""

    kind: str
    row_id: int
    day: date
    at: str


class Bounds:
    """The UTC start of local days, each worked out once (``day_bounds_utc``), as stored text."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self.starts: dict[date, datetime] = {}

    def start(self, day: date) -> datetime:
        if day not in self.starts:
            self.starts[day] = day_bounds_utc(day, self.tz)[0]
        return self.starts[day]

    def text(self, day: date) -> str:
        return to_db(self.start(day))


def register_local_day(source: Reads, bounds: Bounds) -> None:
    """Teach the connection the local day of a stored UTC instant (for audit entries).

    The day is the one whose bounds hold the instant: the day on the clock, except after a
    zone went back across midnight (St John's at 00:01 until 2011), when the repeated
    minutes of the evening before already belong to the new day. So the day never goes
    back as the instant grows.
    """
    tz = bounds.tz

    def local_day_text(value: str | None) -> str | None:
        if value is None:
            return None
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        day = moment.astimezone(tz).date()
        if day < date.max and moment >= bounds.start(day + timedelta(days=1)):
            day += timedelta(days=1)
        return day.isoformat()

    raw(source).create_function(LOCAL_DAY_FN, 1, local_day_text, deterministic=True)


@dataclass(frozen=True, slots=True)
class _Part:
    """One kind's share of the log: its table and key expressions."""

    kind: str
    table: str
    day: str  # the local day (a column, or the audit function)
    at: str  # the instant as stored text
    by_instant: bool  # the audit trail: its day follows its instant, read through ix_auditentry_at


_PARTS = {
    "dose": _Part("dose", "doseevent", "day", "coalesce(taken_at, scheduled_for, logged_at)", False),
    "symptom": _Part("symptom", "symptomentry", "day", "logged_at", False),
    "checkin": _Part("checkin", "checkin", "day", "logged_at", False),
    "change": _Part("change", "auditentry", f"{LOCAL_DAY_FN}(at)", "at", True),
}


def _parts(kinds: Collection[str]) -> list[_Part]:
    return [_PARTS[k] for k in ("dose", "symptom", "checkin", "change") if k in kinds]


# A condition and its parameters.
_Where = list[tuple[str, tuple[object, ...]]]


def _filters(part: _Part, start: date | None, end: date | None, bounds: Bounds) -> _Where:
    """The inclusive local day range [start, end] as conditions an index can serve."""
    where: _Where = []
    if part.by_instant:  # the UTC bounds of the local days keep the index on ``at`` usable
        if start is not None:
            where.append(("at >= ?", (bounds.text(start),)))
        if end is not None:
            where.append(("at < ?", (bounds.text(end + timedelta(days=1)),)))
    else:
        if start is not None:
            where.append(("day >= ?", (to_db(start),)))
        if end is not None:
            where.append(("day <= ?", (to_db(end),)))
    return where


def _on_day(part: _Part, day: date, bounds: Bounds) -> _Where:
    if part.by_instant:
        return [("at >= ? AND at < ?", (bounds.text(day), bounds.text(day + timedelta(days=1))))]
    return [("day = ?", (to_db(day),))]


def _after(part: _Part, cursor: Key, bounds: Bounds) -> _Where:
    """Rows after ``cursor`` in the log's order (day desc, instant desc, kind, id desc).

    Written with a bound an index can serve (day <= cursor day, or for the audit trail an
    instant before the end of the cursor's day) and the exact test beside it.
    """
    same: tuple[object, ...]
    if part.kind > cursor.kind:
        same_day, same = f"{part.at} <= ?", (cursor.at,)
    elif part.kind == cursor.kind:
        same_day = f"({part.at} < ? OR ({part.at} = ? AND id < ?))"
        same = (cursor.at, cursor.at, cursor.row_id)
    else:
        same_day, same = f"{part.at} < ?", (cursor.at,)
    if part.by_instant:
        where: _Where = [(f"(at < ? OR {same_day})", (bounds.text(cursor.day), *same))]
        if cursor.day < date.max:
            where.append(("at < ?", (bounds.text(cursor.day + timedelta(days=1)),)))
        return where
    return [("day <= ?", (to_db(cursor.day),)), (f"(day < ? OR {same_day})", (to_db(cursor.day), *same))]


def _where_sql(where: _Where) -> tuple[str, tuple[object, ...]]:
    if not where:
        return "", ()
    params: tuple[object, ...] = ()
    for _, p in where:
        params += p
    return " WHERE " + " AND ".join(c for c, _ in where), params


def _keys_sql(part: _Part, where: _Where, limit: int) -> tuple[str, tuple[object, ...]]:
    """One kind's (kind, rid, day, at) under ``where``, newest first, at most ``limit`` rows."""
    # The audit trail's day follows its instant, so instant order is the log's order there.
    order = f"{part.at} DESC, id DESC" if part.by_instant else f"day DESC, {part.at} DESC, id DESC"
    clause, params = _where_sql(where)
    sql = (
        f"SELECT * FROM (SELECT '{part.kind}' AS kind, id AS rid, {part.day} AS day, {part.at} AS at "
        f"FROM {part.table}{clause} ORDER BY {order} LIMIT {int(limit)})"
    )
    return sql, params


def _merged(source: Reads, parts: Sequence[tuple[_Part, _Where]], limit: int, offset: int = 0) -> list[Key]:
    """The parts (each cut to ``offset + limit`` rows) merged in the log's order, ``limit`` rows."""
    pieces = [_keys_sql(part, where, offset + limit) for part, where in parts]
    sql = (
        " UNION ALL ".join(s for s, _ in pieces)
        + f" ORDER BY day DESC, at DESC, kind, rid DESC LIMIT {int(limit)} OFFSET {int(offset)}"
    )
    params: tuple[object, ...] = ()
    for _, p in pieces:
        params += p
    return [
        Key(kind, int(rid), as_day(day), str(at)) for kind, rid, day, at in raw(source).execute(sql, params)
    ]


def _prepare(source: Reads, kinds: Collection[str], tz: ZoneInfo) -> tuple[list[_Part], Bounds]:
    bounds = Bounds(tz)
    if "change" in kinds:
        register_local_day(source, bounds)
    return _parts(kinds), bounds


def count(
    source: Reads, *, kinds: Collection[str], start: date | None, end: date | None, tz: ZoneInfo
) -> int:
    """Rows in the filtered log: one COUNT per kind, in one statement."""
    parts, bounds = _prepare(source, kinds, tz)
    if not parts:
        return 0
    subs: list[str] = []
    params: tuple[object, ...] = ()
    for part in parts:
        clause, p = _where_sql(_filters(part, start, end, bounds))
        subs.append(f"(SELECT count(*) FROM {part.table}{clause})")
        params += p
    return sum(int(n or 0) for n in raw(source).execute(f"SELECT {', '.join(subs)}", params).fetchone())


def day_counts(
    source: Reads, *, kinds: Collection[str], start: date | None, end: date | None, tz: ZoneInfo
) -> list[tuple[date, int]]:
    """Rows of the filtered log per local day, newest day first (counted through the day indexes)."""
    parts, bounds = _prepare(source, kinds, tz)
    if not parts:
        return []
    grouped: list[str] = []
    params: tuple[object, ...] = ()
    for part in parts:
        clause, p = _where_sql(_filters(part, start, end, bounds))
        grouped.append(
            f"SELECT {part.day} AS day, count(*) AS n FROM {part.table}{clause} GROUP BY {part.day}"
        )
        params += p
    rows = raw(source).execute(
        f"SELECT day, sum(n) FROM ({' UNION ALL '.join(grouped)}) GROUP BY day ORDER BY day DESC", params
    )
    return [(as_day(day), int(n)) for day, n in rows]


def page_keys(
    source: Reads,
    *,
    kinds: Collection[str],
    start: date | None,
    end: date | None,
    tz: ZoneInfo,
    after: Key | None,
    limit: int,
) -> list[Key]:
    """Up to ``limit`` keys of the filtered log after ``after`` (from the newest when None)."""
    parts, bounds = _prepare(source, kinds, tz)
    if not parts:
        return []
    chosen = [
        (part, [*_filters(part, start, end, bounds), *(_after(part, after, bounds) if after else [])])
        for part in parts
    ]
    return _merged(source, chosen, limit)


def locate(
    source: Reads,
    *,
    kinds: Collection[str],
    start: date | None,
    end: date | None,
    tz: ZoneInfo,
    per_day: Sequence[tuple[date, int]],
    offset: int,
) -> Key | None:
    """The key after which row number ``offset`` (0-based) comes; None past the end."""
    parts, bounds = _prepare(source, kinds, tz)
    before = 0
    for day, n in per_day:
        if before + n > offset:
            skip = offset - before  # rows of ``day`` on earlier pages
            if skip == 0:
                # Everything of ``day`` and older: after the start of the next day (an instant
                # is never "", so nothing of that day itself comes before it).
                return Key("", 0, day + timedelta(days=1), "")
            chosen = [
                (part, [*_filters(part, start, end, bounds), *_on_day(part, day, bounds)]) for part in parts
            ]
            return _merged(source, chosen, 1, skip - 1)[0]
        before += n
    return None


# --------------------------------------------------------------------------- the rows of a page


@dataclass(frozen=True, slots=True)
class DoseLine:
    id: int
    medication_id: int
    day: date
    scheduled_for: datetime | None
    taken_at: datetime | None
    amount_mg: float
    status: str
    note: str | None
    medication_name: str


@dataclass(frozen=True, slots=True)
class SymptomLine:
    id: int
    symptom_id: int
    symptom_name: str
    day: date
    severity: int
    comparison: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class CheckInLine:
    id: int
    day: date
    mood: int | None
    sleep_hours: float | None
    note: str | None
    is_baseline: bool


@dataclass(frozen=True, slots=True)
class ChangeLine:
    id: int
    at: datetime
    table_name: str
    action: str
    before: str | None
    after: str | None
    undone: bool


Line = DoseLine | SymptomLine | CheckInLine | ChangeLine


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _dose(row: tuple[object, ...]) -> DoseLine:
    ident, med, day, scheduled, taken, amount, status, note, name = row
    return DoseLine(
        int(ident),  # type: ignore[call-overload]
        int(med),  # type: ignore[call-overload]
        as_day(str(day)),
        utc_from_db(scheduled),  # type: ignore[arg-type]
        utc_from_db(taken),  # type: ignore[arg-type]
        float(amount),  # type: ignore[arg-type]
        str(status),
        note,  # type: ignore[arg-type]
        str(name),
    )


_READERS: dict[str, tuple[str, Callable[[tuple[object, ...]], Line]]] = {
    "dose": (
        "SELECT d.id, d.medication_id, d.day, d.scheduled_for, d.taken_at, d.amount_mg, d.status, d.note, "
        "m.name FROM doseevent AS d JOIN medication AS m ON m.id = d.medication_id WHERE d.id IN ({})",
        _dose,
    ),
    "symptom": (
        "SELECT id, symptom_id, symptom_name, day, severity, comparison, note FROM symptomentry "
        "WHERE id IN ({})",
        lambda r: SymptomLine(r[0], r[1], r[2], as_day(r[3]), r[4], r[5], r[6]),  # type: ignore[arg-type]
    ),
    "checkin": (
        "SELECT id, day, mood, sleep_hours, note, is_baseline FROM checkin WHERE id IN ({})",
        lambda r: CheckInLine(r[0], as_day(r[1]), r[2], r[3], r[4], bool(r[5])),  # type: ignore[arg-type]
    ),
    "change": (
        'SELECT id, at, table_name, action, "before", "after", undone FROM auditentry WHERE id IN ({})',
        lambda r: ChangeLine(r[0], as_utc(r[1]), r[2], r[3], r[4], r[5], bool(r[6])),  # type: ignore[arg-type]
    ),
}


def lines_for_keys(source: Reads, keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], Line]:
    """The rows of one page by id, at most one query per kind (plain tuples, no ORM objects)."""
    ids: dict[str, list[int]] = {}
    for kind, rid in keys:
        ids.setdefault(kind, []).append(rid)
    connection = raw(source)
    found: dict[tuple[str, int], Line] = {}
    for kind, wanted in ids.items():
        sql, build = _READERS[kind]
        for row in connection.execute(sql.format(_marks(len(wanted))), wanted):
            line = build(tuple(row))
            found[kind, line.id] = line
    return found
