"""The JSON and CSV exports are streamed (issue 18): row by row as they are read, the same bytes
as building the whole document first, and memory that does not grow with the history."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from tracker.db import Database, open_database
from tracker.export import csv_export, json_io

END = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 21, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Database:
    """A generated year of history (doses, symptoms, check-ins, plans, audit rows)."""
    from benchmarks.generate import generate

    path = tmp_path_factory.mktemp("year") / "tracker.db"
    generate(path, years=1, end=END)
    return open_database(path)


def _whole_document(session: Any, now: datetime) -> str:
    """The export as it was before streaming: every table read into one dict, then dumped."""
    from tracker import __version__
    from tracker.domain.disclaimer import EXPORT_DISCLAIMER
    from tracker.migrations import HEAD

    backup = {
        "format": "taper-tracker-backup",
        "format_version": 1,
        "app_version": __version__,
        "schema_revision": HEAD,
        "exported_at": now.astimezone(UTC).isoformat(),
        "disclaimer": EXPORT_DISCLAIMER,
        "tables": {name: list(json_io.table_rows(session, name)) for name, _ in json_io.TABLES},
    }
    tables = backup["tables"]
    assert isinstance(tables, dict)
    head = {k: v for k, v in backup.items() if k != "tables"}
    lines = [json.dumps(head, ensure_ascii=False)[:-1] + ', "tables": {']
    for t_index, (name, rows) in enumerate(tables.items()):
        lines.append(f"  {json.dumps(name)}: [")
        for r_index, row in enumerate(rows):
            comma = "," if r_index + 1 < len(rows) else ""
            lines.append("    " + json.dumps(row, ensure_ascii=False, sort_keys=True) + comma)
        lines.append("  ]" + ("," if t_index + 1 < len(tables) else ""))
    lines.append("}}")
    return "\n".join(lines) + "\n"


class _Counter(io.TextIOBase):
    """A sink that keeps only the number of characters written to it."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, text: str) -> int:
        self.chars += len(text)
        return len(text)


def test_the_streamed_json_is_the_whole_document_byte_for_byte(year: Database) -> None:
    with year.read() as session:
        streamed = io.StringIO()
        json_io.write_json(session=session, now=NOW, out=streamed)
        whole = _whole_document(session, NOW)
    assert streamed.getvalue() == whole
    tables = json.loads(whole)["tables"]
    assert len(tables["doseevent"]) > 300 and len(tables["symptomentry"]) > 1000


def test_an_empty_database_streams_as_the_whole_document(tmp_path: Path) -> None:
    """Tables with no rows (here all but the seeded settings and symptoms) keep their layout."""
    db = open_database(tmp_path / "empty.db")
    try:
        with db.read() as session:
            streamed = io.StringIO()
            json_io.write_json(session=session, now=NOW, out=streamed)
            whole = _whole_document(session, NOW)
    finally:
        db.close()
    assert streamed.getvalue() == whole
    assert '  "doseevent": [\n  ],\n' in whole and whole.endswith('  "auditentry": [\n  ]\n}}\n')


def test_the_json_command_streams_and_imports_back(year: Database, tmp_path: Path) -> None:
    from tracker.cli import main

    out, again = tmp_path / "backup.json", tmp_path / "new.db"
    assert main(["export", "json", "--db", str(year.path), "--out", str(out)]) == 0
    assert main(["import", "json", str(out), "--db", str(again)]) == 0
    copy = open_database(again)
    try:
        with year.read() as a, copy.read() as b:
            assert json_io.export_json(session=a, now=NOW) == json_io.export_json(session=b, now=NOW)
    finally:
        copy.close()


def test_the_json_export_holds_one_row_at_a_time(year: Database) -> None:
    """Peak memory while writing a year's backup stays far below the size of the text written
    (building the document first holds all of it, several times over as dicts)."""
    with year.read() as session:
        json_io.write_json(session=session, now=NOW, out=_Counter())  # warm the statement cache
        sink = _Counter()
        tracemalloc.start()
        try:
            json_io.write_json(session=session, now=NOW, out=sink)
            _size, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert sink.chars > 3_000_000
    assert peak < sink.chars / 10


def test_the_streamed_csv_files_are_the_in_memory_ones(year: Database, tmp_path: Path) -> None:
    """Each file written as its rows are read holds what ``build_files`` builds, and the doses
    (logged ones off the cursor, missed ones merged in) are in time order within each day."""
    with year.read() as session:
        written = csv_export.write_csv(session=session, out_dir=tmp_path, tz=year_zone(session), now=NOW)
        built = csv_export.build_files(session=session, tz=year_zone(session), now=NOW)
        logged = session.connection().exec_driver_sql("SELECT count(*) FROM doseevent").scalar()
    assert {p.name: p.read_bytes() for p in written} == built
    text = built["doses.csv"].decode("utf-8-sig").split("\r\n", 1)[1]
    rows = list(csv.DictReader(io.StringIO(text)))
    missed = [r for r in rows if r["status"] == "missed" and not r["id"]]
    assert missed and len(rows) == logged + len(missed)
    moments = [
        (r["day"], datetime.fromisoformat(r["scheduled_time"] or r["taken_time"] or r["logged_time"]))
        for r in rows
    ]
    assert moments == sorted(moments)


def year_zone(session: Any) -> Any:
    from tracker.services.settings import user_zone

    return user_zone(session=session)
