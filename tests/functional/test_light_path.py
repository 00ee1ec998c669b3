"""The screens open without the ORM (issues 8 and 18): the whole app, in a child process.

The app's first screens read through plain SQL (tracker/store.py, tracker/queries); the
ORM (SQLAlchemy, SQLModel, pydantic) is imported only by the first change or by a screen
that still reads through it. A child process runs the real ``tracker --db`` headless
(benchmarks/ui_probe.py), waits until Today is populated, switches to Trends, waits again,
and reports which ORM modules got imported: none may be.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(ROOT))
    try:
        from benchmarks.generate import generate
    finally:
        sys.path.remove(str(ROOT))
    path = tmp_path_factory.mktemp("light") / "tracker.db"
    generate(path, years=60 / 365.25, end=date.today(), seed=5)
    return path


def _probe(mode: str, db: Path, out: Path) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "ui_probe.py"), mode, str(out), str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    data: dict[str, object] = json.loads(out.read_text())
    assert "error" not in data, data["error"]
    return data


def test_today_and_trends_load_without_importing_the_orm(history: Path, tmp_path: Path) -> None:
    data = _probe("trends", history, tmp_path / "trends.json")
    assert "today-load" in data["today_groups"]  # type: ignore[operator]
    assert "trends" in data["trends_groups"]  # type: ignore[operator]
    assert data["exit_status"] == 0
    assert data["orm_modules"] == []


def test_history_opens_and_turns_pages_without_importing_the_orm(history: Path, tmp_path: Path) -> None:
    """History reads its pages through plain SQL (issue 18), first page and each turn alike."""
    data = _probe("history", history, tmp_path / "history.json")
    assert "history-load" in data["screen_groups"]  # type: ignore[operator]
    assert len(data["turns"]) == 5  # type: ignore[arg-type]
    assert data["exit_status"] == 0
    assert data["orm_modules"] == []


def test_taper_opens_without_importing_the_orm(history: Path, tmp_path: Path) -> None:
    """The Taper screen reads its plans and draft inputs through plain SQL (issue 18)."""
    data = _probe("taper", history, tmp_path / "taper.json")
    assert "taper-load" in data["screen_groups"]  # type: ignore[operator]
    assert data["exit_status"] == 0
    assert data["orm_modules"] == []


def test_clinician_opens_without_importing_the_orm(history: Path, tmp_path: Path) -> None:
    """The Clinician screen reads appointments and questions through plain SQL (issue 18)."""
    import shutil
    import sqlite3

    db = tmp_path / "tracker.db"
    shutil.copy(history, db)
    with sqlite3.connect(db) as conn:  # the generated history has none: one of each, past and to come
        conn.executemany(
            "INSERT INTO appointment (at, clinician, kind, notes) VALUES (?, ?, 'review', NULL)",
            [("2020-01-02 09:30:00.000000", "Dr. A"), ("2999-01-02 09:30:00.000000", None)],
        )
        conn.executemany(
            "INSERT INTO clinicianquestion (text, created_at, answered_at, answer) VALUES (?, ?, ?, ?)",
            [
                ("Open?", "2020-01-01 08:00:00.000000", None, None),
                ("Answered?", "2020-01-01 09:00:00.000000", "2020-01-02 09:45:00.000000", "yes"),
            ],
        )
    conn.close()
    data = _probe("clinician", db, tmp_path / "clinician.json")
    assert "clinician-load" in data["screen_groups"]  # type: ignore[operator]
    assert data["exit_status"] == 0
    assert data["orm_modules"] == []


def test_the_probe_sees_the_orm_when_it_is_imported(history: Path, tmp_path: Path) -> None:
    """The check above can fail: a run that imports the ORM is reported as such."""
    hook = tmp_path / "sitecustomize.py"
    hook.write_text("import sqlmodel  # noqa: F401\n")
    out = tmp_path / "paint.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "ui_probe.py"), "paint", str(out), str(history)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "sqlmodel" in json.loads(out.read_text())["orm_modules"]
