"""Smoke tests of benchmarks/: the generator writes what it promises, the quick runner runs.

The budgets themselves are never asserted here (timed unit tests are noise); only that the
generator is realistic and deterministic and that the runner measures, prints and exits
as documented.
"""

from __future__ import annotations

import importlib
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
END = date(2026, 3, 31)  # the range holds the spring-forward day of Europe/London (29 March)
TABLES = ("medication", "prescription", "taperplan", "taperstep", "doseevent", "symptomentry", "checkin")


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> dict[str, ModuleType]:
    monkeypatch.syspath_prepend(str(ROOT))
    return {name: importlib.import_module(f"benchmarks.{name}") for name in ("generate", "run", "targets")}


def _dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in TABLES}
    finally:
        conn.close()


def test_generator_writes_a_realistic_deterministic_history(
    tmp_path: Path, bench: dict[str, ModuleType]
) -> None:
    gen = bench["generate"]
    made = gen.generate(tmp_path / "a.db", years=30 / 365.25, end=END, seed=3)
    assert (made.first_day, made.last_day) == (date(2026, 3, 2), END)
    conn = sqlite3.connect(tmp_path / "a.db")
    per_day = conn.execute(
        "SELECT day, COUNT(*), COUNT(DISTINCT symptom_id) FROM symptomentry GROUP BY day"
    ).fetchall()
    # 15 symptoms rated on every logged day; the last day is left for the user to log
    assert per_day and all(n == 15 and distinct == 15 for _, n, distinct in per_day)
    assert "2026-03-31" not in {d for d, _, _ in per_day}
    assert (
        made.symptom_entries
        == 15 * len(per_day)
        == conn.execute("SELECT COUNT(*) FROM symptomentry").fetchone()[0]
    )
    keys = {
        k
        for (k,) in conn.execute(
            "SELECT DISTINCT s.key FROM symptomentry e JOIN symptom s ON s.id = e.symptom_id"
        )
    }
    assert keys == set(gen.SYMPTOMS)
    # 3 medications x 2 slots x 29 days = 174 scheduled doses, about 1% missed (no row)
    scheduled = conn.execute("SELECT COUNT(*) FROM doseevent WHERE scheduled_for IS NOT NULL").fetchone()[0]
    assert 160 <= scheduled <= 174
    assert conn.execute("SELECT COUNT(*) FROM doseevent WHERE day = '2026-03-31'").fetchone()[0] == 0
    # 08:00 in London is 08:00 UTC before the spring-forward day and 07:00 UTC after it
    slots = dict(
        conn.execute(
            "SELECT day, MIN(scheduled_for) FROM doseevent WHERE scheduled_for IS NOT NULL GROUP BY day"
        )
    )
    assert slots["2026-03-28"].startswith("2026-03-28 08:00:00")
    assert slots["2026-03-30"].startswith("2026-03-30 07:00:00")
    # the first taper step (75 mg a day from day 9) changed the sertraline prescription to 37.5 mg twice
    step = conn.execute(
        "SELECT p.dose_mg, p.start_date, s.dose_mg FROM prescription p "
        "JOIN taperstep s ON s.id = p.taper_step_id JOIN medication m ON m.id = p.medication_id "
        "WHERE m.name = 'Sertraline' ORDER BY p.start_date LIMIT 1"
    ).fetchone()
    assert step == (37.5, "2026-03-11", 75.0)
    # the audit trail of a user who logged it all by hand: one insert per dose, rating and check-in
    audit = dict(conn.execute("SELECT table_name, COUNT(*) FROM auditentry GROUP BY table_name"))
    assert audit == {
        "doseevent": conn.execute("SELECT COUNT(*) FROM doseevent").fetchone()[0],
        "symptomentry": made.symptom_entries,
        "checkin": made.checkins,
    }
    assert made.audit_entries == sum(audit.values())
    dose_audit = conn.execute(
        "SELECT a.at, a.row_id, a.after, d.logged_at FROM auditentry a JOIN doseevent d "
        "ON a.table_name = 'doseevent' AND d.id = CAST(a.row_id AS INTEGER) ORDER BY a.id LIMIT 1"
    ).fetchone()
    assert dose_audit[0] == dose_audit[3] and f'"id": {dose_audit[1]}' in dose_audit[2]
    settings = dict(conn.execute("SELECT key, value FROM setting"))
    assert settings["first_run_done"] == "true" and settings["disclaimer_acknowledged"] == "true"
    assert settings["timezone"] == '"Europe/London"'
    conn.close()

    gen.generate(tmp_path / "b.db", years=30 / 365.25, end=END, seed=3)
    gen.generate(tmp_path / "c.db", years=30 / 365.25, end=END, seed=4)
    assert _dump(tmp_path / "a.db") == _dump(tmp_path / "b.db")
    assert _dump(tmp_path / "a.db")["symptomentry"] != _dump(tmp_path / "c.db")["symptomentry"]
    with pytest.raises(FileExistsError):
        gen.generate(tmp_path / "a.db", years=0.1, end=END)


def test_runner_helpers(tmp_path: Path, bench: dict[str, ModuleType]) -> None:
    run, targets = bench["run"], bench["targets"]
    stderr = (
        "import time: self [us] | cumulative | imported package\n"
        "import time:       120 |        120 |   textual.app\n"
        "import time:      4002 |     362571 | tracker.services.doses\n"
    )
    assert run._import_times(stderr) == {"textual.app": 120, "tracker.services.doses": 4002}

    db = tmp_path / "plan.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE doseevent (id INTEGER PRIMARY KEY, day TEXT, status TEXT)")
    conn.execute("CREATE INDEX ix_day ON doseevent (day)")
    conn.commit()
    conn.close()
    searched = [("SELECT id FROM doseevent WHERE day = ?", ["2026-01-01"])]
    scanned = [("SELECT id FROM doseevent AS d WHERE d.status = ?", ["taken"])]
    assert run.explain(db, searched) == []
    assert run.explain(db, scanned) == [
        "SCAN d in `SELECT id FROM doseevent AS d WHERE d.status = ?` ['taken']"
    ]

    quick = run.Context(db=db, last_day=END, work=tmp_path, runs=1, quick=True, env={})
    assert quick.limit("paint") == pytest.approx(2.6) and quick.limit("plans") == 0.0
    assert quick.judge("paint", 2.5, 1.0, run.seconds).status == "PASS"
    assert quick.judge("paint", 2.7, 1.0, run.seconds).status == "FAIL"  # beyond twice the budget
    full = run.Context(db=db, last_day=END, work=tmp_path, runs=1, quick=False, env={})
    assert full.judge("paint", 1.4, 1.0, run.seconds).status == "FAIL"
    # every budget is a ratio to a reference of the same run: medians divided, n/min/max reported
    figure, reference = run.stat([0.3, 0.1, 0.2]), run.stat([0.2, 0.2, 0.4])
    judged = full.judge("history-page", figure, reference, run.millis)
    assert (judged.ratio, judged.status) == (pytest.approx(1.0), "PASS")
    assert judged.spread == "n=3 100.0 ms..300.0 ms; ref n=3 200.0 ms..400.0 ms"
    assert all(budget > 0 for key, (_, budget) in run.BUDGETS.items() if key not in run.CHECKS)
    table = run.markdown([judged], full)
    assert table[2].startswith("| History page turn") and "| 1.00x | 1.50x PASS |" in table[2]

    def fn(*, session: object, tz: object, limit: int = 5) -> tuple[object, object, int]:
        return session, tz, limit

    assert targets.call(fn, session=1, tz=2, now=3) == (1, 2, 5)
    with pytest.raises(TypeError, match="needs tz"):
        targets.call(fn, session=1)
    with pytest.raises(targets.Missing, match="does not exist yet"):
        targets.need("tracker.no_such_module:thing")
    with pytest.raises(targets.Missing, match=r"tracker\.db\.no_such_function"):
        targets.need("tracker.db:no_such_function")


def test_quick_mode_runs_and_reports() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--quick",
            "--runs",
            "1",
            "--years",
            "0.05",
            "--only",
            "trends-data",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    lines = [line for line in proc.stdout.splitlines() if line[:4] in ("PASS", "FAIL", "SKIP")]
    assert len(lines) == 1, proc.stdout + proc.stderr
    status, key, figure, unit, ref, ref_figure, ref_unit, ratio, _, limit = lines[0].split()[:10]
    assert (key, unit, ref, ref_unit, limit) == ("trends-data", "ms", "ref", "ms", "4.00x"), lines[0]
    # the ratio printed is the figure over its reference (both printed to 0.1 ms, hence the bounds)
    value, reference = float(figure), float(ref_figure)
    assert (value - 0.05) / (reference + 0.05) - 0.01 <= float(ratio.rstrip("x"))
    assert float(ratio.rstrip("x")) <= (value + 0.05) / (reference - 0.05) + 0.01
    assert proc.returncode == (1 if status == "FAIL" else 0), proc.stdout + proc.stderr
    assert "database: 0.05 years" in proc.stdout
