"""The command line as documented: success paths, JSON, and every bad-input path (exit 2)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def dbp(tmp_path: Path) -> str:
    return str(tmp_path / "t.db")


@pytest.fixture
def with_med(capsys: pytest.CaptureFixture[str], dbp: str) -> str:
    assert run(capsys, "med", "add", "Sertraline", "--strength", "50mg", "--db", dbp)[0] == 0
    assert (
        run(
            capsys,
            "rx",
            "set",
            "sertraline",
            "100mg",
            "--times",
            "08:00,20:00",
            "--from",
            "2026-01-01",
            "--db",
            dbp,
        )[0]
        == 0
    )
    return dbp


def _count(dbp: str, table: str) -> int:
    conn = sqlite3.connect(dbp)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def test_med_add_and_list_json(capsys: pytest.CaptureFixture[str], with_med: str) -> None:
    code, out, _ = run(capsys, "med", "list", "--json", "--db", with_med)
    assert code == 0
    data = json.loads(out)
    assert data[0]["name"] == "Sertraline" and data[0]["class"] == "SSRI" and data[0]["half_life_hours"] == 26
    assert data[0]["current_prescription"]["times"] == ["08:00", "20:00"]


def test_log_dose_symptom_checkin_and_status(capsys: pytest.CaptureFixture[str], with_med: str) -> None:
    assert (
        run(capsys, "log", "dose", "sertraline", "2 tablets", "--at", "yesterday 08:05", "--db", with_med)[0]
        == 0
    )
    code, out, _ = run(capsys, "log", "symptom", "Brain-Zaps", "2", "--db", with_med)
    assert code == 0 and "Brain zaps: 2 (moderate)" in out
    assert run(capsys, "log", "checkin", "--mood", "6", "--sleep", "7.5", "--db", with_med)[0] == 0
    code, out, _ = run(capsys, "status", "--json", "--db", with_med)
    data = json.loads(out)
    assert code == 0
    assert data["symptoms"] == [{"symptom": "Brain zaps", "severity": 2}]
    assert data["checkin"]["mood"] == 6 and len(data["doses"]) == 2
    assert {"rule", "severity", "message", "why"} <= set(data["reminders"][0]) if data["reminders"] else True
    assert _count(with_med, "doseevent") == 1


def test_tracker_db_environment_variable(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "env.db"
    monkeypatch.setenv("TRACKER_DB", str(target))
    assert run(capsys, "med", "add", "Citalopram", "--strength", "20mg")[0] == 0
    assert _count(str(target), "medication") == 1


def test_med_add_records_a_top_up_liquid_and_tablet_fractions(
    capsys: pytest.CaptureFixture[str], dbp: str
) -> None:
    code, out, err = run(
        capsys,
        "med", "add", "Paroxetine", "--strength", "20mg", "--liquid", "10mg/5ml",
        "--fractions", "1, 0.5, 0.25", "--db", dbp,
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "liquid 2 mg/ml for small steps" in out and "split to 1,0.5,0.25" in out
    with sqlite3.connect(dbp) as conn:
        row = conn.execute("SELECT liquid_mg_per_ml, tablet_fractions FROM medication").fetchone()
    assert row == (2.0, "1,0.5,0.25")


def test_med_add_without_options_keeps_halves_and_no_liquid(
    capsys: pytest.CaptureFixture[str], dbp: str
) -> None:
    assert run(capsys, "med", "add", "Sertraline", "--strength", "50mg", "--db", dbp)[0] == 0
    with sqlite3.connect(dbp) as conn:
        row = conn.execute("SELECT liquid_mg_per_ml, tablet_fractions FROM medication").fetchone()
    assert row == (None, "1,0.5")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("log", "dose", "setraline", "20mg"), "did you mean Sertraline"),
        (("log", "dose", "sertraline", "0mg"), "more than zero"),
        (("log", "dose", "sertraline", "--", "-5mg"), "more than zero"),
        (("log", "dose", "sertraline", "nan mg"), "finite"),
        (("log", "dose", "sertraline", "401mg"), "more than 4 times"),
        (("log", "dose", "sertraline", "20 furlongs"), "unknown unit"),
        (("log", "dose", "sertraline", "2.5ml"), "no liquid concentration"),
        (("log", "dose", "sertraline", "4 drops"), "no strength per drop"),
        (("log", "dose", "sertraline", "20mg", "--at", "2099-01-01 08:00"), "future"),
        (("log", "dose", "sertraline", "20mg", "--at", "2026-02-30 08:00"), "February 2026 has 28 days"),
        (("log", "symptom", "brain zapz", "2"), "did you mean"),
        (("log", "symptom", "brain-zaps", "4"), "outside 0-3"),
        (("log", "symptom", "brain-zaps", "2", "--day", "2999-01-01"), "future"),
        (("log", "checkin", "--mood", "11"), "outside 0-10"),
        (("log", "checkin", "--mood", "5", "--sleep", "30"), "outside 0-24"),
        (("rx", "set", "sertraline", "20mg", "--times", "8pm"), "not understood"),
        (("med", "add", "X", "--strength", "twenty"), "not understood"),
        (("med", "add", "X", "--strength", "2mg/ml", "--form", "tablet"), "must be liquid"),
        (("med", "add", "X", "--strength", "20mg", "--liquid", "20mg"), "per ml"),
        (("med", "add", "X", "--strength", "20mg", "--liquid", "lots"), "not understood"),
        (("med", "add", "X", "--strength", "2mg/ml", "--liquid", "2mg/ml"), "not for liquid"),
        (("med", "add", "X", "--strength", "20mg", "--fractions", "1,0.5,2"), "between 0 and 1"),
        (("med", "add", "X", "--strength", "20mg", "--fractions", "half"), "must be numbers"),
        (("med", "add", "X", "--strength", "2mg/ml", "--fractions", "1,0.5"), "not for liquid"),
        (("log", "dose"), "the following arguments are required"),
        (("frobnicate",), "invalid choice"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], with_med: str, argv: tuple[str, ...], message: str
) -> None:
    before = {
        t: _count(with_med, t) for t in ("doseevent", "symptomentry", "checkin", "medication", "prescription")
    }
    code, _out, err = run(capsys, "--db", with_med, *argv)
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    after = {t: _count(with_med, t) for t in before}
    assert after == before


def test_forced_absurd_amount_is_accepted(capsys: pytest.CaptureFixture[str], with_med: str) -> None:
    assert run(capsys, "log", "dose", "sertraline", "401mg", "--force", "--db", with_med)[0] == 0


def test_db_in_missing_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "status", "--db", str(tmp_path / "missing" / "t.db"))
    assert code == 2 and "does not exist" in err
    assert not (tmp_path / "missing").exists()


def test_not_a_database_and_newer_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, with_med: str
) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("hello, I am a text file" * 50)
    code, _, err = run(capsys, "status", "--db", str(junk))
    assert code == 2 and "not a taper-tracker database" in err
    conn = sqlite3.connect(with_med)
    conn.execute("UPDATE alembic_version SET version_num='9999_future'")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = Path(with_med).read_bytes()
    code, _, err = run(capsys, "status", "--db", with_med)
    assert code == 2 and "newer version" in err
    assert Path(with_med).read_bytes() == before


def test_check_and_undo(capsys: pytest.CaptureFixture[str], with_med: str) -> None:
    code, out, _ = run(capsys, "check", "--db", with_med)
    assert code == 0 and out.strip().endswith("ok")
    run(capsys, "log", "checkin", "--mood", "4", "--db", with_med)
    code, out, _ = run(capsys, "undo", "--db", with_med)
    assert code == 0 and "check-in" in out
    assert _count(with_med, "checkin") == 0


def test_demo_writes_a_separate_database_and_refuses_real_ones(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, with_med: str
) -> None:
    demo = tmp_path / "demo.db"
    code, _out, _ = run(capsys, "demo", "--no-ui", "--db", str(demo))
    assert code == 0
    assert _count(str(demo), "doseevent") > 150 and _count(str(demo), "symptomentry") > 300
    assert _count(str(demo), "taperstep") >= 4 and _count(str(demo), "appointment") >= 4
    assert run(capsys, "demo", "--no-ui", "--db", str(demo))[0] == 0  # a demo may be rewritten
    code, _, err = run(capsys, "demo", "--no-ui", "--db", with_med)
    assert code == 2 and "real entries" in err


def test_cli_never_imports_textual_for_logging(with_med: str) -> None:
    code = (
        "import sys; from tracker.cli import main; "
        f"rc = main(['log', 'checkin', '--mood', '5', '--db', {with_med!r}]); "
        "assert rc == 0, rc; assert 'textual' not in sys.modules, 'textual imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_python_dash_m_tracker_help() -> None:
    proc = subprocess.run([sys.executable, "-m", "tracker", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "log" in proc.stdout and "not medical advice" in proc.stdout


@pytest.mark.parametrize("argv", [[], ["--db", "X"], ["--db=X"]])
def test_opening_the_ui_skips_building_the_command_parsers(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tracker` and `tracker --db PATH` go straight to the UI (first paint is budgeted)."""
    import tracker.cli
    import tracker.ui.app

    opened: list[Path] = []

    def fake_run_app(path: Path, **_kwargs: object) -> int:
        opened.append(path)
        return 0

    def no_parser() -> None:
        raise AssertionError("the full parser was built")

    monkeypatch.setattr(tracker.ui.app, "run_app", fake_run_app)
    monkeypatch.setattr(tracker.cli, "build_parser", no_parser)
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "env.db"))
    assert main([a.replace("X", str(tmp_path / "x.db")) for a in argv]) == 0
    assert opened == [tmp_path / ("env.db" if not argv else "x.db")]
