"""Child process of the in-process budgets: each mode times one feature and writes JSON.

    python benchmarks/probe.py trends  DB OUT.json RUNS
    python benchmarks/probe.py history DB SMALL_DB OUT.json RUNS
    python benchmarks/probe.py sql     DB OUT.json MED AMOUNT

The output is ``{"skip": reason}`` when the feature has not landed (benchmarks/targets.py),
``{"error": message}`` when it failed, else the figures. A child process per mode keeps
the parent free of the app's imports and every measure starts from the same state.
"""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(_ROOT))

from benchmarks import targets  # noqa: E402
from benchmarks.sqltrace import capture_sql  # noqa: E402

MARK_ACTIONS = ("start", "hold", "resume", "step_back", "step-back", "stepback", "complete")
LATE_MINUTES = 120
TOP_SYMPTOMS = 3
HISTORY_SAMPLES = 12  # pages timed across the whole log: first, last and evenly between


def _context(db: Any) -> tuple[datetime, ZoneInfo, date]:
    from tracker.domain.timeutil import utc_now
    from tracker.services.settings import user_zone

    with db.read() as session:
        tz = user_zone(session=session)
    now = utc_now()
    return now, tz, now.astimezone(tz).date()


# --------------------------------------------------------------------------- trends


def reference_trends(conn: sqlite3.Connection, today: date) -> dict[str, Any]:
    """The Trends numbers for "everything" straight from SQL: the reference of budget 2.

    Burden per day, mood and sleep per day, the symptom table, the heat-map rows of the top
    symptoms with their baselines, the prescriptions, scheduled and logged doses per week
    (adherence) and the plan marks: what ``trends_data`` computes, as GROUP BY queries.
    """
    first = conn.execute(
        "SELECT MIN(d) FROM (SELECT MIN(day) AS d FROM symptomentry UNION ALL SELECT MIN(day) FROM checkin "
        "UNION ALL SELECT MIN(day) FROM doseevent UNION ALL SELECT MIN(start_date) FROM prescription)"
    ).fetchone()[0]
    start, end = first, today.isoformat()
    lead = (date.fromisoformat(first) - timedelta(days=14)).isoformat()
    out: dict[str, Any] = {}
    out["burden"] = dict(
        conn.execute(
            "SELECT day, SUM(severity) FROM symptomentry WHERE day BETWEEN ? AND ? GROUP BY day", (lead, end)
        ).fetchall()
    )
    out["checkins"] = conn.execute(
        "SELECT day, mood, sleep_hours FROM checkin WHERE day BETWEEN ? AND ?", (start, end)
    ).fetchall()
    out["medications"] = dict(conn.execute("SELECT id, name FROM medication").fetchall())
    out["prescriptions"] = conn.execute(
        "SELECT medication_id, start_date, end_date, dose_mg, times FROM prescription "
        "ORDER BY medication_id, start_date, id"
    ).fetchall()
    options = conn.execute(
        "SELECT s.key, s.name, COUNT(*), SUM(e.severity > 0), MAX(e.severity), SUM(e.severity) AS total "
        "FROM symptomentry AS e JOIN symptom AS s ON s.id = e.symptom_id WHERE e.day BETWEEN ? AND ? "
        "GROUP BY e.symptom_id ORDER BY total DESC, s.name",
        (start, end),
    ).fetchall()
    out["options"] = options
    keys = [row[0] for row in options[:TOP_SYMPTOMS]]
    marks = ",".join("?" * len(keys))
    out["heat"] = conn.execute(
        f"SELECT s.key, e.day, e.severity FROM symptomentry AS e JOIN symptom AS s ON s.id = e.symptom_id "
        f"WHERE s.key IN ({marks}) AND e.day BETWEEN ? AND ?",
        (*keys, start, end),
    ).fetchall()
    out["baselines"] = conn.execute(
        f"SELECT s.key, AVG(e.severity) FROM symptomentry AS e JOIN symptom AS s ON s.id = e.symptom_id "
        f"JOIN checkin AS c ON c.day = e.day WHERE c.is_baseline AND s.key IN ({marks}) GROUP BY s.key",
        keys,
    ).fetchall()
    out["scheduled_per_week"] = conn.execute(
        "WITH RECURSIVE days(d) AS (SELECT ? UNION ALL SELECT date(d, '+1 day') FROM days WHERE d < ?), "
        "tracked AS (SELECT medication_id, MIN(day) AS since FROM doseevent GROUP BY medication_id) "
        "SELECT strftime('%Y-%W', d) AS week, "
        "SUM(length(p.times) - length(replace(p.times, ',', '')) + 1) "
        "FROM days JOIN prescription AS p ON d >= p.start_date AND (p.end_date IS NULL OR d <= p.end_date) "
        "JOIN tracked AS t ON t.medication_id = p.medication_id AND d >= t.since GROUP BY week",
        (start, end),
    ).fetchall()
    out["logged_per_week"] = conn.execute(
        "SELECT strftime('%Y-%W', day) AS week, SUM(status = 'taken'), "
        "SUM(status = 'taken' AND (julianday(taken_at) - julianday(scheduled_for)) * 1440 > ?), "
        "SUM(status = 'skipped') FROM doseevent WHERE scheduled_for IS NOT NULL AND day BETWEEN ? AND ? "
        "GROUP BY week",
        (LATE_MINUTES, start, end),
    ).fetchall()
    out["marks"] = conn.execute(
        f"SELECT at, action, reason FROM planevent WHERE action IN ({','.join('?' * len(MARK_ACTIONS))}) "
        "ORDER BY at",
        MARK_ACTIONS,
    ).fetchall()
    return out


def _timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def probe_trends(db_path: Path, runs: int) -> dict[str, Any]:
    from tracker.db import open_database

    db = open_database(db_path)
    now, tz, today = _context(db)

    def service() -> Any:
        with db.read() as session:
            return targets.trends_everything(session, today=today, now=now, tz=tz)

    conn = sqlite3.connect(db_path)

    def reference() -> Any:
        return reference_trends(conn, today)

    with capture_sql() as statements:
        first_call = _timed(service)  # cold: compiles the statements, loads the modules
    reference()
    service_times: list[float] = []
    reference_times: list[float] = []
    for _ in range(runs):  # interleaved, so a busy moment hits both alike
        service_times.append(_timed(service))
        reference_times.append(_timed(reference))
    db.close()
    conn.close()
    return {
        "service_s": statistics.median(service_times),
        "reference_s": statistics.median(reference_times),
        "service_all": service_times,
        "reference_all": reference_times,
        "first_call_s": first_call,
        "statements": statements,
    }


# --------------------------------------------------------------------------- history


def _history_measure(db_path: Path, runs: int, *, memory_only: bool = False) -> dict[str, Any]:
    import tracemalloc

    from tracker.db import open_database

    db = open_database(db_path)
    _, tz, _ = _context(db)

    def page(offset: int) -> targets.Page:
        with db.read() as session:
            return targets.history_page(session, offset=offset, tz=tz)

    with capture_sql() as statements:
        first = page(0)  # warm-up: compiles the statements
    total = first.total
    size = targets.PAGE_SIZE
    last = max(0, (total - 1) // size) * size
    count = last // size + 1
    picks = {0, last} | {
        round(i * (count - 1) / (HISTORY_SAMPLES - 1)) * size for i in range(HISTORY_SAMPLES)
    }
    offsets = sorted(p for p in picks if 0 <= p <= last)
    times: dict[int, list[float]] = {offset: [] for offset in offsets}
    rows_max = 0
    if not memory_only:
        for _ in range(runs):
            for offset in offsets:
                started = time.perf_counter()
                result = page(offset)
                times[offset].append(time.perf_counter() - started)
                rows_max = max(rows_max, len(result.rows))
                del result
    peaks: list[int] = []
    tracemalloc.start()
    for offset in (0, last):
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        result = page(offset)
        rows_max = max(rows_max, len(result.rows))
        peaks.append(tracemalloc.get_traced_memory()[1] - before)
        del result
    tracemalloc.stop()
    db.close()
    medians = {offset: statistics.median(v) for offset, v in times.items() if v}
    worst = max(medians, key=lambda o: medians[o]) if medians else 0
    return {
        "total_rows": total,
        "pages": count,
        "sampled_pages": len(offsets),
        "rows_max": rows_max,
        "worst_s": medians.get(worst, 0.0),
        "worst_page": worst // size + 1,
        "first_s": medians.get(0, 0.0),
        "median_s": statistics.median(medians.values()) if medians else 0.0,
        "peak_bytes": max(peaks),
        "statements": statements,
    }


def probe_history(db_path: Path, small_path: Path, runs: int) -> dict[str, Any]:
    big = _history_measure(db_path, runs)
    small = _history_measure(small_path, 1, memory_only=True)
    big["small_peak_bytes"] = small["peak_bytes"]
    big["small_total_rows"] = small["total_rows"]
    return big


# --------------------------------------------------------------------------- statements for the plan check


def probe_sql(db_path: Path, med: str, amount: str) -> dict[str, Any]:
    """The statements of ``tracker log dose`` and ``tracker status``, run in-process on ``db_path``."""
    from tracker.cli import main as tracker_main

    found: dict[str, Any] = {}
    for name, argv in (
        ("log dose", ["log", "dose", med, amount, "--db", str(db_path)]),
        ("status", ["status", "--db", str(db_path)]),
    ):
        with capture_sql() as statements, contextlib.redirect_stdout(io.StringIO()):
            status = tracker_main(argv)
        if status != 0:
            raise RuntimeError(f"`tracker {' '.join(argv)}` exited with {status}")
        found[name] = statements
    return found


def main(argv: list[str]) -> int:
    mode = argv[0]
    out = Path(argv[3] if mode == "history" else argv[2])
    try:
        if mode == "trends":
            result = probe_trends(Path(argv[1]), int(argv[3]))
        elif mode == "history":
            result = probe_history(Path(argv[1]), Path(argv[2]), int(argv[4]))
        elif mode == "sql":
            result = {"statements": probe_sql(Path(argv[1]), argv[3], argv[4])}
        else:
            raise SystemExit(f"unknown mode {mode!r}")
    except targets.Missing as exc:
        result = {"skip": str(exc)}
    except Exception as exc:
        result = {"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc(limit=6)}
    out.write_text(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
