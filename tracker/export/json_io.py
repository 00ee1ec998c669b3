"""A complete JSON backup of every table, and its import (into an empty database or merged).

The file is ``{"format": "taper-tracker-backup", "format_version": N, ..., "tables": {...}}``
with every row of every table as plain JSON (dates and instants as ISO 8601 text).

Import rules:
- The whole file is read and checked before anything is written: a truncated file, an
  unknown format version, a CSV, a duplicate id or key, an out-of-range value or a
  reference to a missing record stops the import with one line naming the record.
- Older format versions are accepted: a table or field the file lacks gets the model's
  default. Newer versions are refused.
- Into an empty database (no records of the user's own; the seeded symptom catalogue and
  settings do not count) every id is kept, settings and the audit log come across too, so
  exporting again gives the same content.
- Into a database with records, each record is matched on its natural key (a medication by
  name, a dose by its slot, a symptom rating by symptom and day, ...). Records already
  present are kept as they are and skipped, so importing the same file twice adds nothing.
  New records keep their id when it is free and get a fresh one otherwise, with every
  reference rewritten. The audit log is not merged: its row ids belong to the other database.
- The caller runs everything in one transaction (``Database.write(audit=False)``): the import
  is a bulk restore, undone as a whole from the backup taken before it, not row by row
  through undo; writing audit rows for it would also make the round trip differ.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import math
import os
import re
import sqlite3
import stat
import types
from collections import defaultdict
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO, Union, get_args, get_origin

from pydantic_core import PydanticUndefined
from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from tracker import guards
from tracker.domain.disclaimer import EXPORT_DISCLAIMER
from tracker.domain.errors import TrackerError
from tracker.domain.scales import SCALES, parse_answers, score
from tracker.domain.strengths import StrengthsError, parse_strengths
from tracker.domain.units import times_from_text
from tracker.models import (
    Appointment,
    AuditEntry,
    CheckIn,
    ClinicianQuestion,
    Comparison,
    DoseEvent,
    DoseStatus,
    DrugClass,
    Form,
    Medication,
    PlanEvent,
    Prescription,
    ReminderState,
    ScaleResponse,
    Setting,
    Symptom,
    SymptomEntry,
    TaperPlan,
    TaperStep,
)

FORMAT_NAME = "taper-tracker-backup"
FORMAT_VERSION = 1
"""Raise when the file layout changes; add an upgrade step for the older one to ``_UPGRADES``."""
MIN_FORMAT_VERSION = 1

# Insertion order: every table after the tables it refers to.
TABLES: tuple[tuple[str, type[SQLModel]], ...] = (
    ("setting", Setting),
    ("symptom", Symptom),
    ("medication", Medication),
    ("taperplan", TaperPlan),
    ("taperstep", TaperStep),
    ("prescription", Prescription),
    ("doseevent", DoseEvent),
    ("planevent", PlanEvent),
    ("symptomentry", SymptomEntry),
    ("checkin", CheckIn),
    ("scaleresponse", ScaleResponse),
    ("appointment", Appointment),
    ("clinicianquestion", ClinicianQuestion),
    ("reminderstate", ReminderState),
    ("auditentry", AuditEntry),
)
MODELS: dict[str, type[SQLModel]] = dict(TABLES)
KEYED_BY_TEXT = {"setting", "reminderstate"}  # primary key "key", not an integer id

# (table, column) -> the table it refers to
REFERENCES: dict[tuple[str, str], str] = {
    ("taperplan", "medication_id"): "medication",
    ("taperstep", "plan_id"): "taperplan",
    ("prescription", "medication_id"): "medication",
    ("prescription", "taper_step_id"): "taperstep",
    ("doseevent", "medication_id"): "medication",
    ("planevent", "plan_id"): "taperplan",
    ("symptomentry", "symptom_id"): "symptom",
}

# Tables whose rows mean the database already holds the user's own records.
USER_TABLES = (
    "medication",
    "prescription",
    "doseevent",
    "taperplan",
    "taperstep",
    "planevent",
    "symptomentry",
    "checkin",
    "scaleresponse",
    "appointment",
    "clinicianquestion",
)

# Upgrades from an older format version to the next: version -> function(tables) -> tables.
_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


_STORED_INSTANT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")
_STORED_DAY = re.compile(r"\d{4}-\d\d-\d\d")


def _column_reader(column: Any, dialect: Any) -> Callable[[Any], Any] | None:
    """How one stored value becomes its JSON value, as ``_jsonable`` of what the ORM reads: None
    for a value that is already its own (text, numbers), a string rewrite for an instant or a day
    in the form the ORM writes (the ORM's reading of anything else)."""
    process = column.type.dialect_impl(dialect).result_processor(dialect, None)
    python_type = getattr(column.type, "impl", column.type).python_type
    if python_type is datetime:

        def instant(value: Any) -> Any:
            # "1996-12-03 08:00:00.000000" (UTC) -> "1996-12-03T08:00:00+00:00", as isoformat writes it
            if type(value) is str and _STORED_INSTANT.fullmatch(value):
                if value.endswith(".000000"):
                    return f"{value[:10]}T{value[11:19]}+00:00"
                return f"{value[:10]}T{value[11:]}+00:00"
            return _jsonable(process(value) if process is not None else value)

        return instant
    if python_type is date:

        def day(value: Any) -> Any:
            if type(value) is str and _STORED_DAY.fullmatch(value):
                return value
            return _jsonable(process(value) if process is not None else value)

        return day
    if process is None:
        return None
    return lambda value: _jsonable(process(value))


def table_rows(session: Session, name: str) -> Iterator[dict[str, Any]]:
    """Every row of one table as JSON-ready dicts, in primary-key order (plain columns, no ORM
    objects), one at a time off the cursor: a table is never held in memory whole.

    Read on the session's own sqlite3 connection: the columns the ORM would convert (instants,
    days, flags) are converted here as it converts them, the others are taken as stored."""
    from tracker.store import raw

    table = MODELS[name].__table__  # type: ignore[attr-defined]
    dialect = session.connection().dialect
    names = [column.name for column in table.columns]
    readers = [(index, _column_reader(column, dialect)) for index, column in enumerate(table.columns)]
    converted = [(index, reader) for index, reader in readers if reader is not None]
    key = "key" if name in KEYED_BY_TEXT else "id"
    quoted = ", ".join(f'"{column}"' for column in names)
    cursor = raw(session).execute(f'SELECT {quoted} FROM "{table.name}" ORDER BY "{key}"')
    for stored in cursor:  # one row at a time: an audit row can be 200,000 characters
        values = list(stored)
        for index, reader in converted:
            values[index] = reader(values[index])
        yield dict(zip(names, values, strict=True))


def backup_head(*, now: datetime) -> dict[str, Any]:
    """The backup's fields before its tables."""
    from tracker import __version__
    from tracker.migrations import HEAD

    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "app_version": __version__,
        "schema_revision": HEAD,
        "exported_at": now.astimezone(UTC).isoformat(),
        "disclaimer": EXPORT_DISCLAIMER,
    }


_ROW_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
"""``json.dumps(row, ensure_ascii=False, sort_keys=True)`` without building an encoder per row."""


def write_json(*, session: Session, now: datetime, out: TextIO) -> None:
    """Stream the backup as JSON text into ``out``, table by table and row by row as they are read.

    The layout is one record per line, for readable diffs (UTF-8 safe, keys sorted); memory
    stays that of one row whatever the length of the history.
    """
    out.write(json.dumps(backup_head(now=now), ensure_ascii=False)[:-1] + ', "tables": {\n')
    for t_index, (name, _) in enumerate(TABLES):
        out.write(f"  {json.dumps(name)}: [\n")
        separator = "    "
        for row in table_rows(session, name):
            out.write(separator + _ROW_ENCODER(row))
            separator = ",\n    "
        if separator != "    ":  # at least one row: end its line
            out.write("\n")
        out.write("  ]" + ("," if t_index + 1 < len(TABLES) else "") + "\n")
    out.write("}}\n")


# ---------------------------------------------------------------------------
# Reading and checking
# ---------------------------------------------------------------------------


class BackupError(TrackerError):
    """The backup file is unreadable or holds a bad record; nothing was written.

    Messages name the table, record number, id and field, never the value: a backup holds
    health data, and a bad field can be megabytes long.
    """


MAX_IMPORT_BYTES = 256 * 1024 * 1024
"""The largest backup file an import reads (about sixty years of daily entries with their audit log)."""
MAX_TEXT = 4000  # the command line's and the UI's limit on a note, an answer, a reason
TEXT_LIMITS: dict[tuple[str, str], int] = {
    ("medication", "name"): 80,
    ("medication", "other_strengths"): 100,
    ("symptom", "name"): 60,
    ("symptom", "key"): 60,
    ("setting", "key"): 100,
    ("setting", "value"): 100_000,
    ("reminderstate", "key"): 200,
    ("auditentry", "before"): 100_000,
    ("auditentry", "after"): 100_000,
}
MAX_INT = 2**63 - 1
MIN_YEAR, MAX_YEAR = 1900, 2200  # the calendar the command line accepts (tracker.domain.units)


class _TooBig(ValueError):
    pass


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 19:
        raise _TooBig
    return int(text)


def read_file(path: Path) -> bytes:
    """The bytes of a backup file, refusing at once anything over ``MAX_IMPORT_BYTES`` or not JSON text.

    Reads in chunks and never more than the limit, so ``/dev/zero`` or a huge file costs nothing.
    """
    limit = MAX_IMPORT_BYTES
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if stat.S_ISDIR(st.st_mode):
                raise BackupError(f"{path.name} is a folder, not a backup file")
            if stat.S_ISREG(st.st_mode) and st.st_size > limit:
                raise BackupError(f"{path.name} is larger than the import limit of {limit // 2**20} MiB")
            first = fh.read(64 * 1024)
            if b"\x00" in first:  # /dev/zero, a database, an image: not text, refused before reading on
                raise BackupError(f"{path.name} is not a taper-tracker JSON backup (not text)")
            chunks = [first]
            size = len(first)
            while True:
                chunk = fh.read(1024 * 1024)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise BackupError(f"{path.name} is larger than the import limit of {limit // 2**20} MiB")
                chunks.append(chunk)
    except IsADirectoryError:
        raise BackupError(f"{path.name} is a folder, not a backup file") from None
    except OSError as exc:
        raise BackupError(f"cannot read {path.name}: {exc.strerror or 'error'}") from None
    return b"".join(chunks)


def parse(raw: bytes, source: str) -> dict[str, Any]:
    """Decode and check the envelope of a backup file; return it upgraded to the current version."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BackupError(f"{source} is not a taper-tracker JSON backup (not UTF-8 text)") from exc
    stripped = text.lstrip()
    if not stripped:
        raise BackupError(f"{source} is empty; it is not a taper-tracker JSON backup")
    try:
        document = json.loads(text, parse_int=_bounded_int)
    except _TooBig:
        raise BackupError(f"{source} holds a number too large for any field") from None
    except RecursionError:
        raise BackupError(f"{source} is nested too deeply to be a taper-tracker backup") from None
    except json.JSONDecodeError as exc:
        if not stripped.startswith(("{", "[")):
            first = stripped[:1000].splitlines()[0]
            kind = " (it looks like a CSV file)" if "," in first or ";" in first else ""
            raise BackupError(f"{source} is not a taper-tracker JSON backup{kind}") from exc
        raise BackupError(
            f"{source} is not valid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg}); "
            "the file may be truncated or damaged"
        ) from exc
    return _envelope(document, source)


def _envelope(document: Any, source: str) -> dict[str, Any]:
    """The format checks of a parsed backup (``parse``); the document upgraded to the current version."""
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise BackupError(f'{source} is JSON but not a taper-tracker backup (no "format": "{FORMAT_NAME}")')
    version = document.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise BackupError(f"{source} has no valid format_version")
    if version > FORMAT_VERSION:
        raise BackupError(
            f"{source} uses backup format version {version}, newer than this program reads (up to "
            f"{FORMAT_VERSION}); update taper-tracker to import it"
        )
    if version < MIN_FORMAT_VERSION:
        raise BackupError(f"{source} uses backup format version {version}, which is no longer supported")
    tables = document.get("tables")
    if not isinstance(tables, dict):
        raise BackupError(f'{source} has no "tables" object')
    for step in range(version, FORMAT_VERSION):
        tables = _UPGRADES[step](tables)
    unknown = sorted(set(tables) - set(MODELS))
    if unknown:
        raise BackupError(f"{source} has an unknown table (taper-tracker tables are {', '.join(MODELS)})")
    for name, rows in tables.items():
        if not isinstance(rows, list):
            raise BackupError(f"{source}: table {name} is not a list of records")
    return {**document, "format_version": FORMAT_VERSION, "tables": tables}


@functools.cache
def _allowed(annotation: Any) -> tuple[tuple[type, ...], bool]:
    """The concrete types of a field annotation and whether None is allowed (worked out once per type)."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = get_args(annotation)
        return tuple(a for a in args if a is not type(None)), type(None) in args
    return (annotation,), False


def _coerce(value: Any, annotation: Any) -> Any:
    """Convert one JSON value to the field's Python type; ValueError names what is wrong."""
    return _converter(annotation)(value)


def _to_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    raise ValueError("is not true or false")


def _to_int(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        if not -MAX_INT <= value <= MAX_INT:
            raise ValueError("is a number too large")
        return value
    raise ValueError("is not a whole number")


def _to_float(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    raise ValueError("is not a number")


def _to_str(value: Any) -> Any:
    if isinstance(value, str):
        if not value.isascii():  # only non-ASCII text can hold a broken character
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("is not valid text (it holds a broken character)") from None
        return value
    raise ValueError("is not text")


def _to_datetime(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("is not a date and time")
    try:
        moment = datetime.fromisoformat(value[:64])
        if not MIN_YEAR <= moment.year <= MAX_YEAR:
            raise ValueError
        # instants are stored in UTC; a time without an offset can only have been UTC
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError(f"is not a date and time (ISO 8601, years {MIN_YEAR}-{MAX_YEAR})") from None


def _to_date(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("is not a date")
    try:
        day = date.fromisoformat(value[:32])
    except ValueError:
        raise ValueError("is not a date (YYYY-MM-DD)") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValueError(f"is outside the years {MIN_YEAR}-{MAX_YEAR}")
    return day


_KIND_CONVERTERS: dict[Any, Callable[[Any], Any]] = {
    bool: _to_bool,
    int: _to_int,
    float: _to_float,
    str: _to_str,
    datetime: _to_datetime,
    date: _to_date,
}


@functools.cache
def _converter(annotation: Any) -> Callable[[Any], Any]:
    """``_coerce`` for one annotation, its type worked out once: the same values and messages."""
    kinds, nullable = _allowed(annotation)
    kind = kinds[0]
    base = _KIND_CONVERTERS.get(kind)
    if base is None:  # pragma: no cover - every model field has one of the kinds above

        def base(value: Any) -> Any:
            raise ValueError(f"has an unsupported type {kind!r}")

    plain = _PLAIN_VALUE.get(kind)
    if plain is None:  # dates and instants
        if nullable:
            return lambda value: None if value is None else base(value)

        def required(value: Any) -> Any:
            if value is None:
                raise ValueError("is empty (null) but is required")
            return base(value)

        return required

    # the common case answered at once (a value already of the kind and in bounds), the rest by ``base``
    def convert(value: Any) -> Any:
        if plain(value):
            return value
        if value is None:
            if nullable:
                return None
            raise ValueError("is empty (null) but is required")
        return base(value)

    return convert


_PLAIN_VALUE: dict[Any, Callable[[Any], bool]] = {
    str: lambda value: type(value) is str and value.isascii(),
    int: lambda value: type(value) is int and -MAX_INT <= value <= MAX_INT,
    float: lambda value: type(value) is float and math.isfinite(value),
    bool: lambda value: type(value) is bool,
}
"""A value ``_KIND_CONVERTERS`` would give back unchanged, by kind."""


def _range(low: float, high: float) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if value is not None and not low <= value <= high:
            return f"is outside {low:g}-{high:g}"
        return None

    return check


def _positive(value: Any) -> str | None:
    return None if value is None or value > 0 else "must be more than zero"


def _not_negative(value: Any) -> str | None:
    return None if value is None or value >= 0 else "is negative"


def _one_of(allowed: set[str]) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if value is None or value in allowed else f"is not one of {', '.join(sorted(allowed))}"

    return check


def _not_blank(value: Any) -> str | None:
    return None if value is None or str(value).strip() else "is empty"


def _times(value: Any) -> str | None:
    try:
        if times_from_text(value):
            return None
    except ValueError:
        pass
    return "is not a list of times such as 08:00,20:00"


def _strengths(value: Any) -> str | None:
    """``medication.other_strengths``: None, or mg strengths such as 25,100 (issue 12)."""
    if value is None:
        return None
    try:
        parse_strengths(str(value))
    except StrengthsError:
        return "is not a list of strengths in mg such as 25,100"
    return None


def _json_text(value: Any) -> str | None:
    try:
        json.loads(value)
    except ValueError:
        return "is not a JSON value"
    return None


MAX_MG = 100_000.0
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CHECKS: dict[str, dict[str, Callable[[Any], str | None]]] = {
    "medication": {
        "name": _not_blank,
        "strength_mg": _positive,
        "liquid_mg_per_ml": _positive,
        "half_life_hours": _range(1e-9, 2000),
        "form": _one_of({f.value for f in Form}),
        "drug_class": _one_of({c.value for c in DrugClass}),
        "other_strengths": _strengths,
    },
    "prescription": {"dose_mg": _range(1e-9, MAX_MG), "times": _times},
    "doseevent": {"amount_mg": _range(0, MAX_MG), "status": _one_of({s.value for s in DoseStatus})},
    "taperplan": {"method": _not_blank},  # status, prescriber, agreement: tracker.guards
    "taperstep": {"order": _not_negative, "dose_mg": _range(0, MAX_MG), "min_days": _range(0, 3650)},
    "planevent": {"action": _not_blank},
    "symptom": {"key": _not_blank, "name": _not_blank, "group": _not_blank},
    "symptomentry": {"severity": _range(0, 3), "comparison": _one_of({c.value for c in Comparison})},
    "checkin": {"mood": _range(0, 10), "sleep_hours": _range(0, 24)},
    "scaleresponse": {"scale": _one_of(set(SCALES)), "total": _range(0, 27)},
    "setting": {"key": _not_blank, "value": _json_text},
    "reminderstate": {"key": _not_blank},
    "auditentry": {"action": _one_of({"insert", "update", "delete"})},
}


def _label(name: str, index: int, raw: Mapping[str, Any]) -> str:
    """``checkin record 3 (id 7)``: where a record is, never what it says (text keys are not quoted)."""
    ident = raw.get("id")
    shown = isinstance(ident, int) and not isinstance(ident, bool) and 0 < ident <= MAX_INT
    return f"{name} record {index + 1}" + (f" (id {ident})" if shown and name not in KEYED_BY_TEXT else "")


def _latest_day() -> date:
    # The command line refuses days after today in the user's zone; the file may come from any
    # zone, so the latest day is today where it is already tomorrow (UTC+14).
    return (datetime.now(UTC) + timedelta(hours=14)).date()


class _RecordChecker:
    """The checks ``check_rows`` makes of each record of one table on its own, record by record:
    every field converted and in range, an id, no id twice (``seen``: the ids met so far)."""

    def __init__(self, name: str, source: str, missing_time: datetime, latest_day: date) -> None:
        self.name = name
        self.source = source
        self.missing_time = missing_time
        self.latest_day = latest_day
        checks = CHECKS.get(name, {})
        # per field, worked out once: (name, converter, info, text limit, check, is the day)
        self.fields = [
            (
                field_name,
                _converter(info.annotation),  # type: ignore[arg-type]
                info,
                TEXT_LIMITS.get((name, field_name), MAX_TEXT),
                checks.get(field_name),
                field_name == "day",
            )
            for field_name, info in MODELS[name].model_fields.items()
        ]
        self.key = "key" if name in KEYED_BY_TEXT else "id"
        self.seen: set[Any] = set()

    def convert(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """A record that ``check`` has passed, converted again (the second reading of a streamed
        table): the same values, without the checks; ValueError if it does not convert."""
        row: dict[str, Any] = {}
        for field_name, convert, info, _limit, _check, _is_day in self.fields:
            if field_name in raw:
                row[field_name] = convert(raw[field_name])
            elif info.default_factory is not None:
                produced = info.default_factory()  # type: ignore[call-arg]
                row[field_name] = self.missing_time if isinstance(produced, datetime) else produced
            else:
                row[field_name] = info.default
        return row

    def where(self, index: int, raw: Mapping[str, Any]) -> str:
        return f"{self.source}: {_label(self.name, index, raw)}"

    def check(self, index: int, raw: Any) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise BackupError(f"{self.source}: {self.name} record {index + 1} is not an object")
        row: dict[str, Any] = {}
        for field_name, convert, info, limit, check, is_day in self.fields:
            if field_name in raw:
                try:
                    value = convert(raw[field_name])
                except ValueError as exc:
                    raise BackupError(f"{self.where(index, raw)}: {field_name} {exc}") from None
            elif info.default_factory is not None:
                produced = info.default_factory()  # type: ignore[call-arg]
                value = self.missing_time if isinstance(produced, datetime) else produced
            elif info.default is not PydanticUndefined:
                value = info.default
            else:
                raise BackupError(f"{self.where(index, raw)}: the field {field_name!r} is missing")
            row[field_name] = value
            if isinstance(value, str) and len(value) > limit:
                raise BackupError(f"{self.where(index, raw)}: {field_name} is longer than {limit} characters")
            if is_day and isinstance(value, date) and value > self.latest_day:
                raise BackupError(f"{self.where(index, raw)}: {field_name} is in the future")
            if check is not None:
                problem = check(value)
                if problem:
                    raise BackupError(f"{self.where(index, raw)}: {field_name} {problem}")
        ident = row[self.key] if self.key == "key" else row.get("id")
        if ident is None:
            raise BackupError(f"{self.where(index, raw)}: the record has no id")
        if isinstance(ident, int) and ident < 1:
            raise BackupError(f"{self.where(index, raw)}: id {ident} must be 1 or more")
        if ident in self.seen:
            kind = "key" if self.key == "key" else "id"
            raise BackupError(f"{self.where(index, raw)}: duplicate {kind} in {self.name}")
        self.seen.add(ident)
        return row


def check_rows(
    tables: Mapping[str, list[Any]], source: str, missing_time: datetime = EPOCH, *, legacy: bool = False
) -> dict[str, list[dict[str, Any]]]:
    """Every record converted to Python values and checked; BackupError names the first bad one.

    ``legacy``: the file was written before migration 0008_legacy_draft_dates; its plans' draft
    times are corrected as that migration corrects a database (``guards.correct_legacy_plans``,
    the history row dated ``missing_time``) before the plan rules judge them.

    A missing field gets the model's default, except that a missing instant gets
    ``missing_time`` (the file's export time) instead of "now": natural keys use instants,
    and importing the same old file twice must give the same keys.
    """
    out: dict[str, list[dict[str, Any]]] = {}
    ids: dict[str, set[Any]] = {}
    latest_day = _latest_day()
    for name, _model in TABLES:
        checker = _RecordChecker(name, source, missing_time, latest_day)
        out[name] = [checker.check(index, raw) for index, raw in enumerate(tables.get(name, []))]
        ids[name] = checker.seen
    _check_references(out, ids, source)
    if legacy:
        guards.correct_legacy_plans(out, missing_time)
    _check_scales(out, source)
    _check_unique(out, source)
    broken = guards.row_problems(out)  # the plan rules and settings bounds every write keeps
    if broken:
        raise BackupError(f"{source}: {broken[0]}; the file was not imported")
    return out


def _check_scales(rows: Mapping[str, list[dict[str, Any]]], source: str) -> None:
    """A PHQ-9 or GAD-7 goes through the same rule as one typed in: every item 0-3, the total their sum."""
    for index, row in enumerate(rows["scaleresponse"]):
        scale = SCALES[row["scale"]]
        where = f"{source}: {_label('scaleresponse', index, row)}"
        try:
            answers = parse_answers(scale, row["answers"].replace(",", " "))
            total = score(scale, answers)
        except TrackerError as exc:
            raise BackupError(f"{where}: {exc}") from None
        if total != row["total"]:
            raise BackupError(f"{where}: total {row['total']} is not the sum of its answers")


def _check_references(
    rows: Mapping[str, list[dict[str, Any]]],
    ids: Mapping[str, set[Any]],
    source: str,
    deferred: Mapping[Any, str] | None = None,
) -> None:
    """Every reference to a record in the file; ``deferred``: the first broken one of each
    streamed table (``_load_lines``), whose records are not in ``rows``."""
    for (name, column), parent in REFERENCES.items():
        if deferred and (name, column) in deferred:
            raise BackupError(deferred[(name, column)])
        for index, row in enumerate(rows.get(name, ())):
            value = row.get(column)
            if value is not None and value not in ids[parent]:
                raise BackupError(
                    f"{source}: {_label(name, index, row)}: {column} refers to a {parent} "
                    "that is not in the file"
                )
    for index, row in enumerate(rows["prescription"]):
        if row["end_date"] is not None and row["end_date"] < row["start_date"]:
            raise BackupError(f"{source}: {_label('prescription', index, row)}: it ends before it starts")


def _name_key(name: Any) -> str:
    return " ".join(str(name).casefold().split())


# Natural keys: two records with the same key are the same record (used for merging and
# for duplicate checks within the file). Foreign keys appear already rewritten.
NATURAL_KEYS: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "setting": lambda r: r["key"],
    "reminderstate": lambda r: r["key"],
    "symptom": lambda r: r["key"],
    "medication": lambda r: (_name_key(r["name"]), r["created_at"]),
    "taperplan": lambda r: (r["medication_id"], r["created_at"]),
    "taperstep": lambda r: (r["plan_id"], r["order"]),
    "prescription": lambda r: (r["medication_id"], r["start_date"]),
    "doseevent": lambda r: (
        (r["medication_id"], r["scheduled_for"])
        if r["scheduled_for"] is not None
        else (r["medication_id"], None, r["taken_at"], r["status"], r["amount_mg"])
    ),
    "planevent": lambda r: (r["plan_id"], r["at"], r["action"]),
    "symptomentry": lambda r: (r["symptom_id"], r["day"]),
    "checkin": lambda r: r["day"],
    "scaleresponse": lambda r: (r["scale"], r["day"]),
    "appointment": lambda r: (r["at"], r["clinician"], r["kind"]),
    "clinicianquestion": lambda r: (r["text"], r["created_at"]),
    "auditentry": lambda r: r["id"],
}
# Keys the database itself holds unique: a second record with one of these is an error.
UNIQUE_IN_FILE = ("symptom", "taperstep", "doseevent", "symptomentry", "checkin", "scaleresponse")


def _check_unique(
    rows: Mapping[str, list[dict[str, Any]]], source: str, deferred: Mapping[Any, str] | None = None
) -> None:
    for name in UNIQUE_IN_FILE:
        if deferred and name in deferred:
            raise BackupError(deferred[name])
        seen: dict[Any, int] = {}
        for index, row in enumerate(rows.get(name, ())):
            key = NATURAL_KEYS[name](row)
            if name == "doseevent" and row["scheduled_for"] is None:
                continue  # only scheduled doses are unique per slot
            if key in seen:
                raise BackupError(
                    f"{source}: {_label(name, index, row)} duplicates {name} record {seen[key] + 1}"
                )
            seen[key] = index


# ---------------------------------------------------------------------------
# Streaming: a file in the export's own layout, checked and written without holding it
# ---------------------------------------------------------------------------

STREAMED = ("doseevent", "symptomentry", "checkin", "auditentry")
"""The tables that grow with the history. Read from a file in the export's layout (one record a
line, ``write_json``), their records are checked as they are read and not kept; the import
reads them again, from the same bytes, as it writes them. No other table refers to them."""
WRITE_BATCH = 2000  # records per INSERT round trip
_MAX_LINE = 4 * 2**20  # the longest record line: two 100,000-character fields, escaped, fit well
_TABLES_OPEN = '"tables": {'


class _NotLineLayout(Exception):
    """The file is not in the layout ``write_json`` writes: it is read whole by ``parse`` instead,
    which also gives the message for a file that is not valid JSON."""


@dataclass
class _Segment:
    """Where a streamed table's record lines are in the file: their offset, count and digest."""

    offset: int
    count: int
    digest: bytes
    max_id: int


_DECODER = json.JSONDecoder()  # built once: ``json.loads`` with an argument builds one per call
_LONG = 10**19  # the smallest number of 20 digits: what ``_bounded_int`` refuses


def _long_in_record(record: Any) -> bool:
    """``_long_int`` of a decoded line, a record's fields looked at in one loop."""
    if type(record) is not dict:
        return _long_int(record)
    for value in record.values():
        kind = type(value)
        if kind is int:
            if not -_LONG < value < _LONG:
                return True
        elif (kind is dict or kind is list) and _long_int(value):
            return True
    return False


def _long_int(value: Any) -> bool:
    """Whether a decoded value is or holds a whole number of 20 digits or more."""
    kind = type(value)
    if kind is int:
        return not -_LONG < value < _LONG
    if kind is dict:
        return any(map(_long_int, value.values()))
    return kind is list and any(map(_long_int, value))


def _line_json(raw: bytes, *, checked: bool = False) -> Any:
    """One line decoded in C; a line holding a number ``_bounded_int`` refuses is not the line
    layout (``parse`` reads the file whole and says so). ``checked``: the bytes are those of a
    line already read this way (the second reading, whose digest is compared at the end)."""
    if b"\x00" in raw:
        raise _NotLineLayout
    try:
        value = _DECODER.decode(raw.decode("utf-8"))
        long = not checked and _long_in_record(value)
    except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError, too many digits
        raise _NotLineLayout from None
    if long:
        raise _NotLineLayout
    return value


class _LineReader:
    """The lines of a backup file, each at most ``_MAX_LINE`` bytes, the whole at most
    ``MAX_IMPORT_BYTES``; anything else is ``_NotLineLayout``."""

    def __init__(self, fh: Any) -> None:
        self.fh = fh
        self.size = 0

    def next(self) -> bytes:
        line: bytes = self.fh.readline(_MAX_LINE)
        self.size += len(line)
        if self.size > MAX_IMPORT_BYTES or (len(line) == _MAX_LINE and not line.endswith(b"\n")):
            raise _NotLineLayout
        return line

    def tell(self) -> int:
        return int(self.fh.tell())


def _scan(path: Path, source: str) -> tuple[dict[str, Any], Any, _LineReader]:
    """The open file, its envelope (checked) and its reader at the first table, for a file in the
    line layout; the caller closes the file."""
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed by the caller (_load_lines)
    except IsADirectoryError:
        raise BackupError(f"{path.name} is a folder, not a backup file") from None
    except OSError as exc:
        raise BackupError(f"cannot read {path.name}: {exc.strerror or 'error'}") from None
    try:
        st = os.fstat(fh.fileno())
        if stat.S_ISDIR(st.st_mode):
            raise BackupError(f"{path.name} is a folder, not a backup file")
        if not stat.S_ISREG(st.st_mode):
            raise _NotLineLayout  # a pipe or a device: read (bounded) by read_file
        if st.st_size > MAX_IMPORT_BYTES:
            limit = MAX_IMPORT_BYTES // 2**20
            raise BackupError(f"{path.name} is larger than the import limit of {limit} MiB")
        reader = _LineReader(fh)
        first = reader.next()
        if first.startswith(b"\xef\xbb\xbf"):
            first = first[3:]
        text = first.rstrip()
        if not text.startswith(b"{") or not text.endswith(_TABLES_OPEN.encode()):
            raise _NotLineLayout
        head_text = text[: -len(_TABLES_OPEN)].rstrip()
        if not head_text.endswith(b","):
            raise _NotLineLayout
        head = _line_json(head_text[:-1] + b"}")
        if not isinstance(head, dict) or "tables" in head:
            raise _NotLineLayout
        if head.get("format_version") != FORMAT_VERSION:
            raise _NotLineLayout  # older (upgraded as a whole) or refused: parse says which
        _envelope({**head, "tables": {}}, source)
    except BaseException:
        fh.close()
        raise
    return head, fh, reader


def _tables(reader: _LineReader) -> Generator[tuple[str, int, Iterator[tuple[bytes, Any]]], None, None]:
    """The tables after the envelope line: (name, offset of its first record line, its records).
    Each table's records are to be read to their end before the next table is asked for."""
    order = [name for name, _ in TABLES]
    position = 0
    line = reader.next().strip()
    while line != b"}}":
        if not (line.startswith(b'"') and line.endswith(b": [")):
            raise _NotLineLayout
        name = _line_json(line[:-3])
        if name not in order[position:]:
            raise _NotLineLayout  # an unknown table, twice, or out of order: parse judges the file
        position = order.index(name) + 1
        end: list[bytes] = []
        yield name, reader.tell(), _records(reader, end)
        if not end:
            raise _NotLineLayout  # pragma: no cover - every table is read to its end
        line = reader.next().strip()
        if (end[0] == b"],") == (line == b"}}"):
            raise _NotLineLayout  # a comma after a table exactly when another one follows
    while rest := reader.next():
        if rest.strip():
            raise _NotLineLayout  # something after the end


def _records(reader: _LineReader, end: list[bytes]) -> Iterator[tuple[bytes, Any]]:
    """One table's record lines, one record each, up to its closing line (put in ``end``)."""
    more: bool | None = None  # whether the last record line ended with a comma; None before the first
    while True:
        raw = reader.next()
        line = raw.strip()
        if line in (b"]", b"],"):
            if more:
                raise _NotLineLayout  # a comma before the end of the list is not JSON
            end.append(line)
            return
        if more is False or not line.startswith(b"{"):
            raise _NotLineLayout
        more = line.endswith(b",")
        yield raw, _line_json(line[:-1] if more else line)


class CheckedRows(Mapping[str, Iterable[dict[str, Any]]]):
    """Checked records by table: held in lists, or, for a streamed table, read again from the
    file (the bytes the check read, or BackupError) each time they are asked for."""

    def __init__(
        self,
        kept: Mapping[str, list[dict[str, Any]]],
        streamed: Mapping[str, _Segment] | None = None,
        *,
        path: Path | None = None,
        source: str = "the file",
        missing_time: datetime = EPOCH,
    ) -> None:
        self.kept = dict(kept)
        self.streamed = dict(streamed or {})
        self.path = path
        self.source = source
        self.missing_time = missing_time

    def __getitem__(self, name: str) -> Iterable[dict[str, Any]]:
        if name in self.streamed:
            return self._reread(name, self.streamed[name])
        return self.kept[name]

    def __iter__(self) -> Iterator[str]:
        return iter([*self.kept, *self.streamed])

    def __len__(self) -> int:
        return len(self.kept) + len(self.streamed)

    def count(self, name: str) -> int:
        return self.streamed[name].count if name in self.streamed else len(self.kept.get(name, ()))

    def max_id(self, name: str) -> int:
        if name in self.streamed:
            return self.streamed[name].max_id
        return max([0, *(r["id"] for r in self.kept.get(name, ()))])

    def _records_again(self, segment: _Segment) -> Iterator[Any]:
        """A streamed table's records read again from the file, decoded (the first reading checked
        them); the bytes' digest is compared with the first reading's at the end."""
        assert self.path is not None
        digest = hashlib.blake2b(digest_size=16)
        try:
            fh = open(self.path, "rb")  # noqa: SIM115 - closed below
        except OSError:
            raise _changed(self.source) from None
        with fh:
            fh.seek(segment.offset)
            for _ in range(segment.count):
                raw = fh.readline(_MAX_LINE)
                digest.update(raw)
                line = raw.strip()
                try:
                    record = _line_json(line[:-1] if line.endswith(b",") else line, checked=True)
                except _NotLineLayout:
                    raise _changed(self.source) from None
                yield record
        if digest.digest() != segment.digest:
            raise _changed(self.source)

    def _reread(self, name: str, segment: _Segment) -> Iterator[dict[str, Any]]:
        checker = _RecordChecker(name, self.source, self.missing_time, _latest_day())
        for record in self._records_again(segment):
            try:
                row = checker.convert(record)
            except (ValueError, TypeError, AttributeError):
                raise _changed(self.source) from None
            yield row

    def stored(
        self, name: str, session: Session, remap: Mapping[str, Mapping[Any, Any]]
    ) -> Iterator[list[Any]]:
        """A streamed table's records read again as the values to store, column by column of its
        table (``_storer``), references rewritten through ``remap`` (column -> old id -> new id);
        for a table whose records all go in as they are (no record of it in the database).
        A record lacking a field goes through ``CheckedRows.convert``'s defaults."""
        table = MODELS[name].__table__  # type: ignore[attr-defined]
        dialect = session.connection().dialect
        fields = MODELS[name].model_fields
        columns = [column.name for column in table.columns]
        storers = [_storer(column, fields[column.name].annotation, dialect) for column in table.columns]
        spec = list(zip(columns, storers, strict=True))
        binds = [
            (column.name, column.type.dialect_impl(dialect).bind_processor(dialect))
            for column in table.columns
        ]
        mapped = [(columns.index(column), ids) for column, ids in remap.items()]
        checker = _RecordChecker(name, self.source, self.missing_time, _latest_day())
        for record in self._records_again(self.streamed[name]):
            try:
                try:
                    values = [store(record[column]) for column, store in spec]
                except KeyError:  # an older file's record: the defaults as ``convert`` gives them
                    row = checker.convert(record)
                    values = [row[column] if bind is None else bind(row[column]) for column, bind in binds]
                for index, ids in mapped:
                    if values[index] is not None:
                        values[index] = ids[values[index]]
            except (ValueError, TypeError, AttributeError, KeyError):
                raise _changed(self.source) from None
            yield values


def _changed(source: str) -> BackupError:
    """The file no longer holds what its first reading checked (the second reading disagrees)."""
    return BackupError(f"{source} changed while it was being imported; nothing was imported")


def load_backup(path: Path, source: str) -> CheckedRows:
    """Every record of the backup file at ``path`` checked once, as ``check_backup`` checks them.

    A file in the export's layout (``write_json``) is read line by line: the records of the
    long tables (``STREAMED``) are checked as they go by and only their keys kept, so memory
    does not grow with their number. Any other file is read whole by ``parse``.
    """
    try:
        return _load_lines(path, source)
    except _NotLineLayout:
        backup = parse(read_file(path), source)
        return CheckedRows(check_backup(backup, source))


def _load_lines(path: Path, source: str) -> CheckedRows:
    head, fh, reader = _scan(path, source)
    missing_time = _export_time(head)
    latest_day = _latest_day()
    kept: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in TABLES}
    ids: dict[str, set[Any]] = {}
    segments: dict[str, _Segment] = {}
    deferred: dict[Any, str] = {}  # the first broken reference or duplicate key of a streamed table
    parents = set(REFERENCES.values())
    tables = _tables(reader)
    try:
        for name, offset, records in tables:
            checker = _RecordChecker(name, source, missing_time, latest_day)
            if name not in STREAMED:
                kept[name] = [checker.check(index, raw) for index, (_line, raw) in enumerate(records)]
                ids[name] = checker.seen
                continue
            segments[name] = _check_streamed(name, records, checker, ids, deferred, source, offset)
            if name not in parents:
                checker.seen.clear()
    finally:
        tables.close()
        fh.close()
    for name in STREAMED:
        segments.setdefault(name, _Segment(0, 0, hashlib.blake2b(digest_size=16).digest(), 0))
        kept.pop(name, None)
    _check_references(kept, ids, source, deferred)
    legacy = guards.before_legacy_fix(head.get("schema_revision"))
    if legacy:
        guards.correct_legacy_plans(kept, missing_time)
    _check_scales(kept, source)
    _check_unique(kept, source, deferred)
    broken = guards.row_problems(kept)
    if broken:
        raise BackupError(f"{source}: {broken[0]}; the file was not imported")
    return CheckedRows(kept, segments, path=path, source=source, missing_time=missing_time)


_DAY_ONE = datetime(1, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _compact(key: Any) -> Any:
    """A natural key as one int when its parts are ids, days and instants (equal exactly when the
    keys are equal; a few dozen bytes instead of a tuple of objects), else the key itself."""
    packed = 0
    for part in key if isinstance(key, tuple) else (key,):
        if isinstance(part, datetime) and part.tzinfo is not None:
            tag, value = 3, (part - _DAY_ONE) // _MICROSECOND
        elif isinstance(part, date) and not isinstance(part, datetime):
            tag, value = 2, part.toordinal()
        elif isinstance(part, int) and not isinstance(part, bool) and 0 <= part < 2**64:
            tag, value = 1, part
        else:
            return key
        packed = (packed << 66) | (tag << 64) | value
    return packed


def _check_streamed(
    name: str,
    records: Iterator[tuple[bytes, Any]],
    checker: _RecordChecker,
    ids: Mapping[str, set[Any]],
    deferred: dict[Any, str],
    source: str,
    offset: int,
) -> _Segment:
    """Check a streamed table record by record; keep its digest, count and keys, not its records.

    Broken references and duplicate keys go to ``deferred`` (the first of each), to be reported in
    the order ``check_rows`` reports them, after every record has passed its own checks."""
    digest = hashlib.blake2b(digest_size=16)
    columns = [(column, parent) for (child, column), parent in REFERENCES.items() if child == name]
    keys: dict[Any, int] | None = {} if name in UNIQUE_IN_FILE else None
    natural = NATURAL_KEYS[name]
    count = max_id = 0
    for index, (line, raw) in enumerate(records):
        row = checker.check(index, raw)
        digest.update(line)
        count += 1
        ident = row.get("id")
        if isinstance(ident, int) and ident > max_id:
            max_id = ident
        for column, parent in columns:
            value = row.get(column)
            if value is not None and value not in ids[parent] and (name, column) not in deferred:
                deferred[(name, column)] = (
                    f"{source}: {_label(name, index, row)}: {column} refers to a {parent} "
                    "that is not in the file"
                )
        if keys is not None and not (name == "doseevent" and row["scheduled_for"] is None):
            key = _compact(natural(row))
            first = keys.setdefault(key, index)
            if first != index and name not in deferred:
                deferred[name] = f"{source}: {_label(name, index, row)} duplicates {name} record {first + 1}"
    return _Segment(offset, count, digest.digest(), max_id)


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import added and skipped, per table."""

    mode: str  # "empty" or "merge"
    added: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def total_added(self) -> int:
        return sum(self.added.values())

    @property
    def total_skipped(self) -> int:
        return sum(self.skipped.values())


def _export_time(backup: Mapping[str, Any]) -> datetime:
    try:
        moment = _coerce(backup.get("exported_at"), datetime)
    except ValueError:
        return EPOCH
    return moment if isinstance(moment, datetime) else EPOCH


def is_empty(session: Session) -> bool:
    """True when the database holds none of the user's own records (the seeded catalogue aside)."""
    conn = session.connection()
    for name in USER_TABLES:
        table = MODELS[name].__table__  # type: ignore[attr-defined]
        if conn.execute(select(func.count()).select_from(table)).scalar_one():
            return False
    symptom = Symptom.__table__  # type: ignore[attr-defined]
    custom = conn.execute(select(func.count()).select_from(symptom).where(symptom.c.is_custom)).scalar_one()
    return not custom


def check_backup(backup: Mapping[str, Any], source: str) -> dict[str, list[dict[str, Any]]]:
    """Every record of a parsed backup (see ``parse``) converted and checked, once."""
    legacy = guards.before_legacy_fix(backup.get("schema_revision"))
    return check_rows(backup["tables"], source, _export_time(backup), legacy=legacy)


def import_backup(
    *,
    session: Session,
    backup: Mapping[str, Any] | None = None,
    source: str = "the file",
    rows: Mapping[str, Iterable[dict[str, Any]]] | None = None,
) -> ImportResult:
    """Write the checked records ``rows`` (``check_backup``; checked here from ``backup`` if not
    given) in ``session``.

    The caller commits (or, for a dry run, rolls back); any error leaves the session to be
    rolled back with nothing written.
    """
    if rows is None:
        assert backup is not None, "give the parsed backup or its checked rows"
        rows = check_backup(backup, source)
    checked = rows if isinstance(rows, CheckedRows) else CheckedRows({k: list(v) for k, v in rows.items()})
    session.info["audit"] = False  # a bulk restore: the backup taken before it is the undo
    conn = session.connection()
    empty = is_empty(session)
    result = ImportResult("empty" if empty else "merge")
    id_maps: dict[str, dict[Any, Any]] = defaultdict(dict)

    for name, _model in TABLES:
        table = MODELS[name].__table__  # type: ignore[attr-defined]
        text_key = name in KEYED_BY_TEXT
        if name == "auditentry" and not empty:
            result.skipped[name] = checked.count(name)
            continue
        existing: dict[Any, dict[str, Any]] = {}
        for mapping in conn.execute(select(table)).mappings():
            found = dict(mapping)
            existing.setdefault(NATURAL_KEYS[name](found), found)
        if name == "medication":
            _match_medications_by_name(existing, checked.kept[name])
        taken_ids: set[int] = set() if text_key else set(conn.execute(select(table.c.id)).scalars())
        next_id = max([0, *taken_ids, 0 if text_key else checked.max_id(name)]) + 1
        if name in checked.streamed and not existing and not taken_ids:
            # every record goes in as it is, with its id: straight from the file's bytes to the
            # stored values, no record built between (the references rewritten all the same)
            remap = {
                column: id_maps[parent] for (child, column), parent in REFERENCES.items() if child == name
            }
            result.added[name] = _insert_stored(
                session, table, checked.stored(name, session, remap), checked.source
            )
            result.skipped[name] = 0
            continue
        inserts: list[dict[str, Any]] = []
        write = _inserter(session, table)
        added = skipped = 0
        for row in checked[name] if name in checked.streamed or name in checked.kept else ():
            streamed = name in checked.streamed
            new = row if streamed else dict(row)  # a streamed row is read afresh: no copy needed
            original = row.get("id")
            for (child, column), parent in REFERENCES.items():
                if child == name and new.get(column) is not None:
                    new[column] = id_maps[parent][new[column]]
            key = NATURAL_KEYS[name](new)
            match = existing.get(key) if name != "auditentry" else None
            if match is not None:
                if not text_key:
                    id_maps[name][original] = match["id"]
                if empty and name in ("setting", "reminderstate", "symptom"):
                    # restoring into a fresh database: the file's settings and catalogue win
                    update = {k: v for k, v in new.items() if k not in ("id",)}
                    where = table.c.key == match["key"] if text_key else table.c.id == match["id"]
                    conn.execute(table.update().where(where).values(**update))
                    added += 1
                else:
                    skipped += 1
                continue
            if not text_key:
                if new["id"] in taken_ids:
                    new["id"] = next_id
                    next_id += 1
                if not streamed:  # no other table refers to a streamed one, and its ids are unique
                    taken_ids.add(new["id"])
                    id_maps[name][original] = new["id"]
            inserts.append(new)
            added += 1
            if len(inserts) >= WRITE_BATCH:
                write(inserts)
                inserts = []
        if inserts:
            write(inserts)
        result.added[name] = added
        result.skipped[name] = skipped
    return result


_JSON_INSTANT = re.compile(r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d{6})?\+00:00")


def _storer(column: Any, annotation: Any, dialect: Any) -> Callable[[Any], Any]:
    """How one checked JSON value becomes the value the ORM stores: the field's converter, then
    the column type's bind processor; an instant or a day in the export's own form is rewritten
    as text directly ("1996-12-03T08:00:00+00:00" -> "1996-12-03 08:00:00.000000")."""
    convert = _converter(annotation)
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    exact: Callable[[Any], Any] = convert if process is None else (lambda value: process(convert(value)))
    python_type = getattr(column.type, "impl", column.type).python_type
    if python_type is datetime:

        def instant(value: Any) -> Any:
            if type(value) is str and (parts := _JSON_INSTANT.fullmatch(value)):
                return f"{parts[1]} {parts[2]}{parts[3] or '.000000'}"
            return exact(value)

        return instant
    if python_type is date:

        def day(value: Any) -> Any:
            if type(value) is str and len(value) == 10 and _STORED_DAY.fullmatch(value):
                return value
            return exact(value)

        return day
    kind = _allowed(annotation)[0][0]
    if process is None and kind in (str, int):
        # checked in the first reading, and these are its bytes (the digest is compared at the
        # end; a value SQLite cannot hold at all is a ProgrammingError, reported as a change)
        return _same
    if process is None and kind is float:
        return lambda value: value if type(value) is float else exact(value)
    return exact


def _same(value: Any) -> Any:
    return value


def _inserter(session: Session, table: Any) -> Callable[[list[dict[str, Any]]], None]:
    """Write checked records into ``table``: one ``executemany`` of a plain INSERT on the session's
    own sqlite3 connection (in its transaction), each value stored as the ORM stores it (by the
    column type's own bind processor), without SQLAlchemy's statement work for every record."""
    from tracker.store import raw

    connection = session.connection()
    dialect = connection.dialect
    columns = [
        (column.name, column.type.dialect_impl(dialect).bind_processor(dialect)) for column in table.columns
    ]
    if sorted(name for name, _ in columns) != sorted(MODELS[table.name].model_fields):  # pragma: no cover

        def through_core(rows: list[dict[str, Any]]) -> None:  # a column the records do not carry
            connection.execute(table.insert(), rows)

        return through_core
    plain = [name for name, process in columns if process is None]
    processed = [(name, process) for name, process in columns if process is not None]
    order = ", ".join(f'"{name}"' for name in [*plain, *(name for name, _ in processed)])
    sql = f'INSERT INTO "{table.name}" ({order}) VALUES ({", ".join("?" * len(columns))})'
    cursor = raw(session).cursor()

    def write(rows: list[dict[str, Any]]) -> None:
        cursor.executemany(
            sql,
            [
                (*[row[name] for name in plain], *[process(row[name]) for name, process in processed])
                for row in rows
            ],
        )

    return write


def _insert_stored(session: Session, table: Any, rows: Iterable[list[Any]], source: str) -> int:
    """Insert stored values (one list per record, in the table's column order) in batches."""
    from tracker.store import raw

    names = ", ".join(f'"{column.name}"' for column in table.columns)
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(table.columns))})'
    cursor = raw(session).cursor()
    batch: list[list[Any]] = []
    count = 0
    try:
        for values in rows:
            batch.append(values)
            if len(batch) >= WRITE_BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    except sqlite3.ProgrammingError:  # a value no column can hold: not what the check read
        raise _changed(source) from None
    return count


def _match_medications_by_name(existing: dict[Any, dict[str, Any]], incoming: list[dict[str, Any]]) -> None:
    """Let a medication match by name alone when the name is unique on both sides.

    The same medication entered separately on two devices has two creation times; merging
    them keeps one medication instead of two of the same name.
    """
    target_names = defaultdict(list)
    for row in existing.values():
        target_names[_name_key(row["name"])].append(row)
    file_names = defaultdict(list)
    for row in incoming:
        file_names[_name_key(row["name"])].append(row)
    for name, rows in file_names.items():
        targets = target_names.get(name, [])
        if len(rows) == 1 and len(targets) == 1:
            existing.setdefault(NATURAL_KEYS["medication"](rows[0]), targets[0])


def export_json(*, session: Session, now: datetime) -> str:
    """The backup as JSON text in memory (tests, small databases; the command streams ``write_json``)."""
    buffer = io.StringIO()
    write_json(session=session, now=now, out=buffer)
    return buffer.getvalue()
