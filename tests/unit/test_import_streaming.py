"""`tracker import json` reads a file in the export's own layout line by line (issue 18).

The long tables (doses, symptom ratings, check-ins, the audit log) are checked as they are read
and not kept; they are read again from the same bytes as they are written. Every check of
``check_rows`` still holds, with the same message, and the import is still all or nothing.
The oracle for each bad file is the whole-file path (``parse`` + ``check_backup``), whose
messages tests/unit/test_export_json.py pins.
"""

from __future__ import annotations

import json
import shutil
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tracker.cli import main
from tracker.db import Database, open_database
from tracker.export import json_io
from tracker.export.json_io import BackupError
from tracker.models import CheckIn, DoseEvent
from tracker.services.demo import generate_demo

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = open_database(tmp_path_factory.mktemp("src") / "src.db")
    with db.write(audit=False) as session:
        generate_demo(session=session, today=date(2026, 11, 27), tz=ZoneInfo("Europe/London"))
    with db.read() as session:
        text = json_io.export_json(session=session, now=NOW)
    db.close()
    return text


@pytest.fixture(scope="module")
def empty_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("empty") / "empty.db"
    open_database(path).close()
    return path


@pytest.fixture
def new_db(empty_template: Path, tmp_path: Path) -> Iterator[Callable[[], Database]]:
    opened: list[Database] = []

    def make() -> Database:
        shutil.copy(empty_template, tmp_path / f"dst{len(opened)}.db")
        opened.append(open_database(tmp_path / f"dst{len(opened)}.db"))
        return opened[-1]

    yield make
    for db in opened:
        db.close()


def record_lines(text: str, table: str) -> list[int]:
    """The line numbers of one table's record lines in the export's layout."""
    lines = text.split("\n")
    start = lines.index(f'  "{table}": [') + 1
    end = next(i for i in range(start, len(lines)) if lines[i].strip() in ("]", "],"))
    return list(range(start, end))


def edit(text: str, table: str, index: int, **changes: Any) -> str:
    """Change fields of one record, keeping the one-record-a-line layout."""
    lines = text.split("\n")
    n = record_lines(text, table)[index]
    body = lines[n].strip()
    comma = body.endswith(",")
    record = json.loads(body.rstrip(","))
    record.update(changes)
    lines[n] = "    " + json.dumps(record, sort_keys=True, ensure_ascii=False) + ("," if comma else "")
    return "\n".join(lines)


def copy_record(text: str, table: str, index: int, **changes: Any) -> str:
    """Insert a copy of a record (with changes) as the table's first record."""
    lines = text.split("\n")
    numbers = record_lines(text, table)
    record = json.loads(lines[numbers[index]].strip().rstrip(","))
    record.update(changes)
    lines.insert(numbers[0], "    " + json.dumps(record, sort_keys=True) + ",")
    return "\n".join(lines)


def whole_file(path: Path) -> Any:
    """What the whole-file path makes of a file: its checked rows, or its message."""
    try:
        rows = json_io.check_backup(json_io.parse(json_io.read_file(path), path.name), path.name)
    except BackupError as exc:
        return ("refused", str(exc))
    return ("rows", rows)


def streamed(path: Path) -> Any:
    try:
        checked = json_io.load_backup(path, path.name)
    except BackupError as exc:
        return ("refused", str(exc))
    return ("rows", {name: list(checked[name]) for name, _ in json_io.TABLES})


def last_dose_id(text: str) -> int:
    return int(json.loads(text)["tables"]["doseevent"][-1]["id"])


MUTATIONS: dict[str, Callable[[str], str]] = {
    "as exported": lambda t: t,
    "bad field in a streamed table": lambda t: edit(t, "doseevent", 2, amount_mg=-1),
    "bad field in a kept table": lambda t: edit(t, "medication", 0, strength_mg=-5),
    "duplicate id in a streamed table": lambda t: copy_record(t, "checkin", 3, day="2001-01-01"),
    "duplicate dose slot": lambda t: copy_record(t, "doseevent", 5, id=last_dose_id(t) + 1),
    "dose of a missing medication": lambda t: edit(t, "doseevent", 4, medication_id=4242),
    "future check-in": lambda t: edit(t, "checkin", 1, day=(date.today() + timedelta(days=30)).isoformat()),
    "rating out of range": lambda t: edit(t, "symptomentry", 5, severity=7),
    "truncated": lambda t: t[: len(t) * 2 // 3],
    "comma before the end of a list": lambda t: t.replace("\n  ],\n", ",\n  ],\n", 1),
    "byte-order mark and CRLF": lambda t: "\ufeff" + t.replace("\n", "\r\n"),
    "compact JSON": lambda t: json.dumps(json.loads(t)),
    "tables in another order": lambda t: json.dumps(
        {**json.loads(t), "tables": dict(reversed(json.loads(t)["tables"].items()))}, indent=1
    ),
    "something after the end": lambda t: t + '{"x": 1}\n',
    "number too large in a streamed table": lambda t: edit(t, "doseevent", 1, id=10**30),
}


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_the_line_reader_gives_the_whole_file_answer(demo_text: str, tmp_path: Path, name: str) -> None:
    path = tmp_path / "backup.json"
    path.write_text(MUTATIONS[name](demo_text), encoding="utf-8")
    expected = whole_file(path)
    assert streamed(path) == expected
    assert expected[0] == (
        "rows"
        if name in ("as exported", "byte-order mark and CRLF", "compact JSON", "tables in another order")
        else "refused"
    )


def test_hand_checked_messages_from_a_streamed_table(demo_text: str, tmp_path: Path) -> None:
    path = tmp_path / "backup.json"
    first_dose = json.loads(demo_text)["tables"]["doseevent"][0]["id"]
    path.write_text(edit(demo_text, "doseevent", 0, amount_mg=-1), encoding="utf-8")
    with pytest.raises(BackupError) as info:
        json_io.load_backup(path, "backup.json")
    assert (
        str(info.value) == f"backup.json: doseevent record 1 (id {first_dose}): amount_mg is outside 0-100000"
    )
    path.write_text(edit(demo_text, "doseevent", 1, medication_id=4242), encoding="utf-8")
    with pytest.raises(BackupError, match=r"doseevent record 2 .*medication_id refers to a medication"):
        json_io.load_backup(path, "backup.json")


def test_streamed_tables_are_not_held(demo_text: str, tmp_path: Path) -> None:
    path = tmp_path / "backup.json"
    path.write_text(demo_text, encoding="utf-8")
    checked = json_io.load_backup(path, "backup.json")
    assert set(checked.streamed) == set(json_io.STREAMED)
    assert not set(checked.kept) & set(json_io.STREAMED)
    assert checked.count("doseevent") == len(json.loads(demo_text)["tables"]["doseevent"]) > 0


def count(db: Database, model: Any) -> int:
    with db.read() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_a_file_changed_between_check_and_write_imports_nothing(
    demo_text: str, tmp_path: Path, new_db: Callable[[], Database]
) -> None:
    path = tmp_path / "backup.json"
    path.write_text(demo_text, encoding="utf-8")
    checked = json_io.load_backup(path, "backup.json")
    mood = json.loads(demo_text)["tables"]["checkin"][0]["mood"]
    path.write_text(edit(demo_text, "checkin", 0, mood=1 if mood != 1 else 2), encoding="utf-8")
    db = new_db()
    changed = "changed while it was being imported; nothing was imported"
    with pytest.raises(BackupError, match=changed), db.write(audit=False) as session:
        json_io.import_backup(session=session, rows=checked, source="backup.json")
    assert count(db, DoseEvent) == 0
    assert count(db, CheckIn) == 0


def test_streamed_import_equals_whole_file_import(
    demo_text: str, tmp_path: Path, new_db: Callable[[], Database]
) -> None:
    path = tmp_path / "backup.json"
    path.write_text(demo_text, encoding="utf-8")
    a, b = new_db(), new_db()
    with a.write(audit=False) as session:
        json_io.import_backup(session=session, rows=json_io.load_backup(path, "backup.json"))
    with b.write(audit=False) as session:
        json_io.import_backup(session=session, backup=json_io.parse(demo_text.encode(), "backup.json"))
    with a.read() as sa, b.read() as sb:
        assert json_io.export_json(session=sa, now=NOW) == json_io.export_json(session=sb, now=NOW)
        assert json_io.export_json(session=sa, now=NOW) == demo_text


def test_a_bad_streamed_record_on_the_command_line_writes_nothing(
    demo_text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "backup.json"
    path.write_text(edit(demo_text, "symptomentry", 3, severity=9), encoding="utf-8")
    db_path = tmp_path / "new.db"
    assert main(["import", "json", str(path), "--db", str(db_path)]) == 2
    err = capsys.readouterr().err
    assert "symptomentry record 4" in err and "severity is outside 0-3" in err
    assert not db_path.exists() or count(open_database(db_path), DoseEvent) == 0


def _big_file(path: Path, doses: int) -> None:
    """A backup in the export's layout with one medication and ``doses`` doses."""
    start = datetime(1990, 1, 1, 8, tzinfo=UTC)
    head = json.dumps(json_io.backup_head(now=NOW))[:-1]
    with path.open("w", encoding="utf-8") as out:
        out.write(head + ', "tables": {\n')
        for index, (name, _) in enumerate(json_io.TABLES):
            out.write(f'  "{name}": [\n')
            if name == "medication":
                out.write(
                    '    {"created_at": "1990-01-01T00:00:00+00:00", "id": 1, "name": "Sertraline", '
                    '"strength_mg": 50.0}\n'
                )
            if name == "doseevent":
                out.write(
                    ",\n".join(
                        "    "
                        + json.dumps(
                            {
                                "id": i + 1,
                                "medication_id": 1,
                                "amount_mg": 50.0,
                                "status": "taken",
                                "day": (start + timedelta(hours=12 * i)).date().isoformat(),
                                "logged_at": (start + timedelta(hours=12 * i)).isoformat(),
                                "scheduled_for": (start + timedelta(hours=12 * i)).isoformat(),
                                "taken_at": (start + timedelta(hours=12 * i)).isoformat(),
                                "note": "took it with breakfast, slept fine, no dizziness today",
                            },
                            sort_keys=True,
                        )
                        for i in range(doses)
                    )
                    + "\n"
                )
            out.write("  ]" + ("," if index + 1 < len(json_io.TABLES) else "") + "\n")
        out.write("}}\n")


def _peak(action: Callable[[], Any]) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_checking_a_long_file_holds_far_less_than_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "long.json"
    _big_file(path, 20_000)
    whole = _peak(lambda: whole_file(path))
    lines = _peak(lambda: json_io.load_backup(path, "long.json"))
    assert json_io.load_backup(path, "long.json").count("doseevent") == 20_000
    # the whole-file path holds the bytes, the text, the parsed and the checked records; the
    # line reader only the ids and slot keys (a few dozen bytes a dose)
    assert lines * 5 < whole, (lines, whole)
