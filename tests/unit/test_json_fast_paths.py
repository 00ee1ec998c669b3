"""The JSON round trip's fast paths (issue 18) give what the ORM paths gave.

- ``table_rows`` reads on the plain sqlite3 connection and rewrites stored instants and days
  itself: each row must be what reading through SQLAlchemy and ``_jsonable`` gave.
- The import writes with ``executemany`` of a plain INSERT: each stored value must be what a
  SQLAlchemy Core insert of the same checked records stores (same value, same SQLite type).
- A line decodes without the per-number check; a number of 20 digits or more anywhere in a
  record must still send the file to the whole-file path and its message.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tracker.db import Database, open_database
from tracker.export import json_io
from tracker.export.json_io import BackupError
from tracker.services.demo import generate_demo

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("src") / "src.db"
    db = open_database(path)
    with db.write(audit=False) as session:
        generate_demo(session=session, today=date(2026, 11, 27), tz=ZoneInfo("Europe/London"))
    db.close()
    return path


@pytest.fixture
def demo(demo_path: Path, tmp_path: Path) -> Iterator[Database]:
    shutil.copy(demo_path, tmp_path / "demo.db")
    db = open_database(tmp_path / "demo.db")
    yield db
    db.close()


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Callable[[str], Database]]:
    opened: list[Database] = []

    def make(name: str) -> Database:
        opened.append(open_database(tmp_path / f"{name}.db"))
        return opened[-1]

    yield make
    for db in opened:
        db.close()


def orm_rows(session: Any, name: str) -> list[dict[str, Any]]:
    """The rows as the export read them before: through SQLAlchemy, then ``_jsonable``."""
    table = json_io.MODELS[name].__table__  # type: ignore[attr-defined]
    key = table.c.key if name in json_io.KEYED_BY_TEXT else table.c.id
    result = session.connection().execute(select(table).order_by(key)).mappings()
    return [{k: json_io._jsonable(v) for k, v in row.items()} for row in result]


def test_table_rows_are_the_orm_reading_of_every_table(demo: Database) -> None:
    with demo.read() as session:
        for name, _ in json_io.TABLES:
            assert list(json_io.table_rows(session, name)) == orm_rows(session, name), name


def test_instants_and_days_stored_otherwise_are_read_as_the_orm_reads_them(demo: Database) -> None:
    with demo.write(audit=False) as session:
        conn = session.connection()
        first, second, third = conn.exec_driver_sql("SELECT id FROM doseevent ORDER BY id LIMIT 3").scalars()
        # the ORM writes "YYYY-MM-DD HH:MM:SS.ffffff"; another writer may leave the fraction out
        for ident, logged in ((first, "2020-01-02 03:04:05"), (second, "2020-01-02 03:04:05.123456")):
            conn.exec_driver_sql("UPDATE doseevent SET logged_at = ? WHERE id = ?", (logged, ident))
        conn.exec_driver_sql("UPDATE doseevent SET taken_at = NULL WHERE id = ?", (third,))
    with demo.read() as session:
        rows = {row["id"]: row for row in json_io.table_rows(session, "doseevent")}
        assert rows == {row["id"]: row for row in orm_rows(session, "doseevent")}
    assert rows[first]["logged_at"] == "2020-01-02T03:04:05+00:00"
    assert rows[second]["logged_at"] == "2020-01-02T03:04:05.123456+00:00"
    assert rows[third]["taken_at"] is None


def stored(db: Database, name: str) -> list[tuple[Any, ...]]:
    """Every stored value of a table with its SQLite type, in id order."""
    with db.read() as session:
        conn = session.connection()
        columns = [c.name for c in json_io.MODELS[name].__table__.columns]  # type: ignore[attr-defined]
        typed = ", ".join(f'"{c}", typeof("{c}")' for c in columns)
        return list(conn.exec_driver_sql(f'SELECT {typed} FROM "{name}" ORDER BY id'))


def without(text: str, table: str, *fields: str) -> str:
    """The backup with ``fields`` left out of every record of ``table`` (an older file's records)."""
    lines = text.split("\n")
    n = lines.index(f'  "{table}": [') + 1
    while lines[n].strip() not in ("]", "],"):
        body = lines[n].strip()
        comma = body.endswith(",")
        record = {k: v for k, v in json.loads(body.rstrip(",")).items() if k not in fields}
        lines[n] = "    " + json.dumps(record, sort_keys=True, ensure_ascii=False) + ("," if comma else "")
        n += 1
    return "\n".join(lines)


@pytest.mark.parametrize("older", [False, True], ids=["as exported", "doses lacking fields"])
def test_the_import_stores_what_a_core_insert_stores(
    demo: Database, fresh: Callable[[str], Database], tmp_path: Path, older: bool
) -> None:
    with demo.read() as session:
        text = json_io.export_json(session=session, now=NOW)
    if older:  # their defaults: no note, and the file's export time for an instant
        text = without(text, "doseevent", "note", "logged_at")
    path = tmp_path / "backup.json"
    path.write_text(text, encoding="utf-8")
    backup = json_io.parse(text.encode(), "backup.json")
    imported, core = fresh("imported"), fresh("core")
    with imported.write(audit=False) as session:  # the command's path: the file read line by line
        result = json_io.import_backup(session=session, rows=json_io.load_backup(path, "backup.json"))
    assert result.mode == "empty"
    if older:
        with imported.read() as session:
            logged = set(session.connection().exec_driver_sql("SELECT logged_at FROM doseevent").scalars())
        assert logged == {"2026-11-27 09:30:00.000000"}
    rows = json_io.check_backup(backup, "backup.json")
    own = [name for name, _ in json_io.TABLES if name not in ("setting", "symptom", "reminderstate")]
    with core.write(audit=False) as session:
        for name in own:
            if rows[name]:
                session.connection().execute(json_io.MODELS[name].__table__.insert(), rows[name])  # type: ignore[attr-defined]
    for name in own:
        assert stored(imported, name) == stored(core, name), name
    assert stored(imported, "doseevent"), "the demo has doses"
    flag = 2 * [c.name for c in json_io.MODELS["taperstep"].__table__.columns].index("needs_form") + 1  # type: ignore[attr-defined]
    assert {row[flag] for row in stored(imported, "taperstep")} == {"integer"}  # a flag is stored 0/1


@pytest.fixture(scope="module")
def demo_text(demo_path: Path) -> str:
    db = open_database(demo_path)
    try:
        with db.read() as session:
            return json_io.export_json(session=session, now=NOW)
    finally:
        db.close()


def edit_dose(text: str, index: int, **changes: Any) -> str:
    lines = text.split("\n")
    start = lines.index('  "doseevent": [') + 1
    body = lines[start + index].strip()
    comma = body.endswith(",")
    record = json.loads(body.rstrip(","))
    record.update(changes)
    lines[start + index] = (
        "    " + json.dumps(record, sort_keys=True, ensure_ascii=False) + ("," if comma else "")
    )
    return "\n".join(lines)


LONG = "the file holds a number too large for any field"
CASES: dict[str, tuple[dict[str, Any], str | None]] = {
    "20 digits as text in a note": ({"note": "12345678901234567890"}, None),
    "19 digits in a field the model lacks": ({"extra": 10**19 - 1}, None),
    "20 digits in a field the model lacks": ({"extra": 10**19}, LONG),
    "20 digits, negative": ({"extra": -(10**19)}, LONG),
    "20 digits deep in a list": ({"extra": [1, [2, {"x": 10**25}]]}, LONG),
    "a float of 25 digits": ({"extra": 1.0e25}, None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_long_numbers_are_judged_as_the_whole_file_judges_them(
    demo_text: str, tmp_path: Path, case: str
) -> None:
    changes, message = CASES[case]
    path = tmp_path / "file.json"
    path.write_text(edit_dose(demo_text, 1, **changes), encoding="utf-8")
    if message is None:
        checked = json_io.load_backup(path, "file.json")
        assert checked.count("doseevent") == len(json.loads(path.read_text())["tables"]["doseevent"])
        return
    with pytest.raises(BackupError) as info:
        json_io.load_backup(path, "the file")
    assert str(info.value) == message
