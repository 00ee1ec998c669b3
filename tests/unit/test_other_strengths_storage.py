"""``medication.other_strengths`` (issue 12) through every way in: migration 0009, the command line
(``med add --other-strengths``, ``med edit``), the JSON export and import, ``tracker check``, and the
draft inputs the Taper screen and ``taper draft`` read.

Hand-worked example: sertraline 100 mg scored tablets (halves) plus 50 mg and 25 mg tablets; a
manual draft 100, 75, 50, 25, 12.5, 0 mg is tablet-made except 12.5 mg (no piece below 25 mg).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.db import open_database
from tracker.export import json_io
from tracker.services import meds
from tracker.services import taper as svc

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _stored(path: Path) -> list[tuple[str, str | None]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(conn.execute("SELECT name, other_strengths FROM medication ORDER BY id"))
    finally:
        conn.close()


def test_migration_0009_adds_the_column_and_keeps_every_row(tmp_path: Path) -> None:
    copy = tmp_path / "tracker.db"
    shutil.copyfile(FIXTURES / "schema_0003_taper_step_details.db", copy)
    conn = sqlite3.connect(copy)
    before = {
        t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
        for t in ("medication", "taperplan", "taperstep", "prescription")
    }
    conn.close()
    open_database(copy).close()
    conn = sqlite3.connect(copy)
    try:
        for table, rows in before.items():
            width = len(rows[0]) if rows else 0
            after = conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            assert [r[:width] for r in after] == rows  # a plain ADD COLUMN: nothing else changes
        assert conn.execute("SELECT DISTINCT other_strengths FROM medication").fetchall() == [(None,)]
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (
            "0009_medication_other_strengths",
        )
    finally:
        conn.close()


def test_med_add_and_edit_store_the_other_strengths(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "t.db")
    code, out, _ = run(
        capsys, "med", "add", "sertraline", "--strength", "100mg", "--other-strengths", "50, 25mg", "--db", db
    )
    assert code == 0 and "also 25, 50 mg tablets" in out
    assert _stored(Path(db)) == [("sertraline", "25,50")]
    code, out, _ = run(capsys, "med", "list", "--json", "--db", db)
    assert json.loads(out)[0]["other_strengths_mg"] == [25.0, 50.0]
    code, out, _ = run(capsys, "med", "edit", "sertraline", "--other-strengths", "25", "--db", db)
    assert code == 0 and _stored(Path(db)) == [("sertraline", "25")]
    assert run(capsys, "med", "edit", "sertraline", "--other-strengths", "none", "--db", db)[0] == 0
    assert _stored(Path(db)) == [("sertraline", None)]


@pytest.mark.parametrize("bad", ["twenty", "25,,50", "-25", "0", "5000"])
def test_bad_other_strengths_exit_2_naming_the_option_and_write_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bad: str
) -> None:
    db = str(tmp_path / "t.db")
    assert run(capsys, "med", "add", "sertraline", "--strength", "100mg", "--db", db)[0] == 0
    code, out, err = run(capsys, "med", "edit", "sertraline", "--other-strengths", bad, "--db", db)
    assert code == 2 and "--other-strengths" in err and f"'{bad}'" not in err and bad not in out
    assert _stored(Path(db)) == [("sertraline", None)]
    code, _out, err = run(
        capsys, "med", "add", "citalopram", "--strength", "20mg", "--other-strengths", bad, "--db", db
    )
    assert code == 2 and "--other-strengths" in err
    assert [n for n, _ in _stored(Path(db))] == ["sertraline"]


def test_other_strengths_are_refused_for_a_liquid(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    code, _out, err = run(
        capsys, "med", "add", "sertraline", "--strength", "20mg/ml", "--other-strengths", "25", "--db", db
    )
    assert code == 2 and "--other-strengths is for tablets or capsules" in err


def _db_with_med(tmp_path: Path) -> Path:
    path = tmp_path / "s.db"
    db = open_database(path)
    with db.write() as s:
        meds.create_medication(
            session=s, name="Sertraline", strength_mg=100, tablet_fractions="1,0.5", other_strengths="50,25"
        )
    db.close()
    return path


def test_draft_inputs_combine_the_strengths(tmp_path: Path) -> None:
    path = _db_with_med(tmp_path)
    db = open_database(path)
    with db.read() as s:
        inputs = svc.draft_inputs(session=s, medication_id=1, today=date(2026, 11, 27))
    db.close()
    assert inputs.formulation is not None and inputs.formulation.other_strengths == (25.0, 50.0)
    draft = svc.calculate_draft(
        inputs, method="manual", start_date=date(2026, 12, 1), doses=[100, 75, 50, 25, 12.5, 0]
    )
    assert [r.needs_form for r in draft.steps] == [False, False, False, False, True, False]
    assert draft.steps[1].how_to_take == "one 50 mg tablet + one 25 mg tablet"


def test_json_export_carries_the_column_and_import_refuses_a_bad_value(tmp_path: Path) -> None:
    path = _db_with_med(tmp_path)
    db = open_database(path)
    with db.read() as s:
        backup = json.loads(json_io.export_json(session=s, now=NOW))
    db.close()
    assert backup["tables"]["medication"][0]["other_strengths"] == "25,50"
    json_io.check_rows(backup["tables"], "b.json")  # the good value passes
    backup["tables"]["medication"][0]["other_strengths"] = "lots"
    with pytest.raises(json_io.BackupError) as err:
        json_io.check_rows(backup["tables"], "b.json")
    assert "other_strengths" in str(err.value) and "lots" not in str(err.value)
    json.dumps(backup, default=str)  # still plain JSON


def test_check_names_a_stored_value_the_drafts_cannot_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _db_with_med(tmp_path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE medication SET other_strengths = 'plenty' WHERE id = 1")  # another program
    conn.commit()
    conn.close()
    code, out, _err = run(capsys, "check", "--db", str(path))
    assert code == 1 and "medication 1: other strengths are not mg strengths" in out and "plenty" not in out
