"""Check the performance budgets of issue 8 against references measured in the same run.

    python benchmarks/run.py            # ten-year database, 7 runs per figure
    python benchmarks/run.py --quick    # one-year database, 3 runs, fails only at twice a budget (CI)

One line per budget: status, key, figure, reference, ratio and the budget; then details
that say where time goes. The exit status is 1 when a budget fails, else 0. A budget whose
feature has not landed yet prints SKIP with the reason (see benchmarks/targets.py).

Whole processes are spawned several times, interleaved with their reference so a busy
moment hits both alike, after one untimed warm-up round (which also takes the database's
daily backup, a once-a-day cost reported apart); the median is quoted. Peak memory is the
UI's own high-water mark (VmHWM). Every run works on a fresh copy of the generated
database in a temporary folder, with the XDG folders pointed there too, so no real data
folder is touched.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "benchmarks"

# Budgets in the order they print: key -> (what is measured, the budget as a ratio).
BUDGETS: dict[str, tuple[str, float]] = {
    "paint": ("`tracker` to first paint, headless / bare Textual app", 1.3),
    "today": ("Today fully populated / bare Textual app first paint", 2.3),
    "trends-data": ('Trends data for "Everything" / hand-written sqlite3 GROUP BY', 2.0),
    "trends-screen": ("Trends screen ready after switching to it / 1 s", 1.0),
    "log-dose": ('`tracker log dose` process / `python -c "import sqlmodel"`', 1.3),
    "log-dose-textual": ("modules of Textual imported by `tracker log dose` (must be 0)", 0.0),
    "history-page": ("History: slowest page of 500 rows (query time) / 50 ms", 1.0),
    "history-memory": ("History: Python memory per page, ten years / 60 days", 1.5),
    "pdf": ("`tracker export summary` PDF of one year, process / 3 s", 1.0),
    "json": ("`tracker export json` + `tracker import json` of everything, processes / 10 s", 1.0),
    "memory": ("UI peak memory (RSS) / bare Textual app", 1.8),
    "plans": ("full scans of big tables in Today, status and log dose queries (must be 0)", 0.0),
}
CHECKS = {"log-dose-textual", "plans"}  # counts that must be zero: exact, so never relaxed in quick mode
GROUPS: dict[str, tuple[str, ...]] = {
    "ui": ("paint", "today", "trends-screen", "memory"),
    "log": ("log-dose", "log-dose-textual"),
    "trends": ("trends-data",),
    "history": ("history-page", "history-memory"),
    "pdf": ("pdf",),
    "json": ("json",),
    "plans": ("plans",),
}
BIG_TABLES = ("symptomentry", "doseevent", "checkin", "auditentry")
LOG_MED, LOG_AMOUNT = "Sertraline", "7.5mg"  # the current sertraline dose per intake in generated data
QUICK_FACTOR = 2.0
CHILD_TIMEOUT_S = 180.0


# --------------------------------------------------------------------------- results


@dataclass
class Result:
    key: str
    status: str  # PASS, FAIL, SKIP
    figure: str = ""
    reference: str = ""
    ratio: float | None = None
    note: str = ""


@dataclass
class Context:
    db: Path
    last_day: date
    small_db: Path  # a 60-day database, generated when the history budget first needs it
    work: Path
    runs: int
    quick: bool
    env: dict[str, str]
    details: list[str] = field(default_factory=list)

    def limit(self, key: str) -> float:
        budget = BUDGETS[key][1]
        return budget if key in CHECKS or not self.quick else budget * QUICK_FACTOR

    def judge(
        self, key: str, figure: float, reference: float, fmt: Callable[[float], str], note: str = ""
    ) -> Result:
        """A ratio budget: PASS when figure / reference is within the (quick-mode) limit."""
        ratio = figure / reference if reference > 0 else float("inf")
        status = "PASS" if ratio <= self.limit(key) else "FAIL"
        return Result(key, status, fmt(figure), fmt(reference), ratio, note)

    def count(self, key: str, found: int, note: str = "") -> Result:
        return Result(key, "PASS" if found == 0 else "FAIL", str(found), "0", None, note)

    def copy_db(self, name: str, source: Path | None = None) -> Path:
        target = self.work / name
        for stale in self.work.glob(name + "*"):
            stale.unlink()
        shutil.copyfile(source or self.db, target)
        return target


def seconds(value: float) -> str:
    return f"{value:.3f} s"


def millis(value: float) -> str:
    return f"{value * 1000:.1f} ms"


def megabytes(value: float) -> str:
    return f"{value:.1f} MB"


def kilobytes(value: float) -> str:
    return f"{value / 1024:.0f} KB"


# --------------------------------------------------------------------------- processes


@dataclass(frozen=True, slots=True)
class Run:
    spawned: float  # time.time() just before the spawn
    wall: float  # spawn to exit, seconds
    rss_mb: float  # ru_maxrss: on Linux at least the parent's size at the fork (see ui_probe._peak_mb)
    status: int
    stdout: str
    stderr: str


def spawn(cmd: Sequence[str], ctx: Context, *, env: dict[str, str] | None = None) -> Run:
    """Run ``cmd`` to completion; its wall time and peak RSS come from ``os.wait4``."""
    out_path, err_path = ctx.work / "child.out", ctx.work / "child.err"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        spawned = time.time()
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(cmd), stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env or ctx.env, cwd=ctx.work
        )
        killer = threading.Timer(CHILD_TIMEOUT_S, proc.kill)
        killer.start()
        try:
            _, wait_status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(wait_status)
    return Run(
        spawned,
        wall,
        usage.ru_maxrss / 1024,
        proc.returncode,
        out_path.read_text(errors="replace"),
        err_path.read_text(errors="replace"),
    )


def python() -> str:
    return sys.executable


def tracker_command() -> list[str]:
    """The installed ``tracker`` script next to this interpreter (what a user runs)."""
    script = Path(sys.executable).with_name("tracker")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tracker"]


def child_json(run: Run, path: Path, what: str) -> dict[str, Any]:
    if not path.exists():
        tail = (run.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"{what} exited with {run.status}: {tail}"}
    data: dict[str, Any] = json.loads(path.read_text())
    if run.status != 0 and "error" not in data:
        data["error"] = f"{what} exited with {run.status}"
    return data


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


# --------------------------------------------------------------------------- budget 1, 2b, 6: the UI


def measure_ui(ctx: Context) -> list[Result]:
    modes = ("bare", "paint", "today", "trends")
    samples: dict[str, list[dict[str, Any]]] = {m: [] for m in modes}
    for round_no in range(ctx.runs + 1):  # round 0 warms caches and takes the daily backup
        for mode in modes:
            db = ctx.copy_db("ui.db")
            out = ctx.work / f"ui-{mode}.json"
            out.unlink(missing_ok=True)
            run = spawn([python(), str(HERE / "ui_probe.py"), mode, str(out), str(db)], ctx)
            data = child_json(run, out, f"ui_probe {mode}")
            if "error" in data:
                return [Result(k, "FAIL", note=f"{mode} run failed: {data['error']}") for k in GROUPS["ui"]]
            if "ready" not in data:
                return [Result(k, "FAIL", note=f"{mode} run never reached Ready") for k in GROUPS["ui"]]
            data["ready_s"] = data["ready"] - run.spawned
            data["loaded_s"] = data["loaded"] - run.spawned if "loaded" in data else None
            data["wall_s"], data["rss_mb"] = run.wall, data.get("peak_mb", run.rss_mb)
            if round_no:
                samples[mode].append(data)

    bare = median(s["ready_s"] for s in samples["bare"])
    bare_rss = median(s["rss_mb"] for s in samples["bare"])
    paint = median(s["ready_s"] for s in samples["paint"])
    results = [ctx.judge("paint", paint, bare, seconds)]
    groups = sorted({g for s in samples["today"] for g in s.get("today_groups", [])})
    data_groups = [g for g in groups if g != "open-db"]
    today = median(s["loaded_s"] for s in samples["today"])
    if data_groups:
        results.append(ctx.judge("today", today, bare, seconds, note=f"workers: {', '.join(data_groups)}"))
    else:
        results.append(
            Result(
                "today",
                "SKIP",
                seconds(today),
                seconds(bare),
                note="the Today screen starts no data worker yet (placeholder)",
            )
        )
    trend_runs = samples["trends"]
    skip = next((s["skip"] for s in trend_runs if "skip" in s), None)
    trends_measured = False
    if skip:
        results.append(Result("trends-screen", "SKIP", note=skip))
    elif not any(s.get("trends_groups") for s in trend_runs):
        ready = median(s["trends_loaded"] for s in trend_runs)
        results.append(
            Result(
                "trends-screen",
                "SKIP",
                seconds(ready),
                seconds(1.0),
                note="the Trends screen starts no data worker yet (placeholder)",
            )
        )
    else:
        trends_measured = True
        ready = median(s["trends_loaded"] for s in trend_runs)
        results.append(ctx.judge("trends-screen", ready, 1.0, seconds))
    heavy = "trends" if trends_measured else "today"
    rss = median(s["rss_mb"] for s in samples[heavy])
    results.append(
        ctx.judge(
            "memory",
            rss,
            bare_rss,
            megabytes,
            note=f"{heavy} run" + ("" if data_groups else "; Today loads no data yet"),
        )
    )

    def med(mode: str, key: str) -> float:
        return median(s[key] for s in samples[mode])

    ctx.details.append(
        f"UI: bare app Ready {seconds(bare)} (process {seconds(med('bare', 'wall_s'))}, "
        f"{megabytes(bare_rss)}); "
        f"tracker Ready {seconds(paint)} (process {seconds(med('paint', 'wall_s'))}); Today loaded "
        f"{seconds(today)} ({seconds(today - med('today', 'ready_s'))} after its first paint, "
        f"{megabytes(med('today', 'rss_mb'))}); workers seen: {', '.join(groups) or 'none'}; "
        f"ORM imported by the trends run: {', '.join(trend_runs[-1].get('orm_modules', [])) or 'none'}"
    )
    return results


# --------------------------------------------------------------------------- budget 3: tracker log dose


def _import_times(stderr: str) -> dict[str, int]:
    """Self time in microseconds per module from ``-X importtime`` output."""
    found: dict[str, int] = {}
    for line in stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s+(\S.*)$", line)
        if m:
            found[m.group(2).strip()] = int(m.group(1))
    return found


def measure_log_dose(ctx: Context) -> list[Result]:
    reference = [python(), "-c", "import sqlmodel"]

    def log_cmd(db: Path) -> list[str]:
        return [*tracker_command(), "log", "dose", LOG_MED, LOG_AMOUNT, "--db", str(db)]

    # The first open of a day also copies the database into backups/ (once a day): shown apart.
    first_dir = ctx.work / "first-of-day"
    shutil.rmtree(first_dir, ignore_errors=True)
    first_dir.mkdir()
    shutil.copyfile(ctx.db, first_dir / "log.db")
    first = spawn(log_cmd(first_dir / "log.db"), ctx)
    if first.status != 0:
        note = (first.stderr.strip().splitlines() or ["no output"])[-1]
        return [Result(k, "FAIL", note=f"log dose failed: {note}") for k in GROUPS["log"]]
    spawn(reference, ctx)
    subject_times: list[float] = []
    reference_times: list[float] = []
    for _ in range(ctx.runs):
        db = ctx.copy_db("log.db")
        run = spawn(log_cmd(db), ctx)
        if run.status != 0:
            return [
                Result(k, "FAIL", note=f"log dose failed: {run.stderr.strip()[-200:]}") for k in GROUPS["log"]
            ]
        subject_times.append(run.wall)
        reference_times.append(spawn(reference, ctx).wall)
    subject, ref = median(subject_times), median(reference_times)

    profiled = dict(ctx.env, PYTHONPROFILEIMPORTTIME="1")
    sub_imports = _import_times(spawn(log_cmd(ctx.copy_db("log.db")), ctx, env=profiled).stderr)
    ref_imports = _import_times(spawn(reference, ctx, env=profiled).stderr)
    textual = sorted(m for m in sub_imports if m == "textual" or m.startswith("textual."))
    extra: dict[str, int] = {}
    for module, micros in sub_imports.items():
        if module not in ref_imports:
            key = module if module.startswith("tracker") else module.split(".")[0]
            extra[key] = extra.get(key, 0) + micros
    top = sorted(extra.items(), key=lambda kv: -kv[1])[:8]
    ctx.details.append(
        f"log dose: first run of a day (with the daily backup) {seconds(first.wall)}; imports beyond "
        f"`import sqlmodel` {millis(sum(extra.values()) / 1e6)} of self time: "
        + ", ".join(f"{name} {micros / 1000:.1f} ms" for name, micros in top)
    )
    return [
        ctx.judge("log-dose", subject, ref, seconds),
        ctx.count("log-dose-textual", len(textual), note=", ".join(textual[:5])),
    ]


# --------------------------------------------------------------------------- budgets 2a, 4, 5: probes


def run_probe(ctx: Context, mode: str, *args: str) -> dict[str, Any]:
    out = ctx.work / f"probe-{mode}.json"
    out.unlink(missing_ok=True)
    argv = [python(), str(HERE / "probe.py"), mode]
    if mode == "history":
        argv += [args[0], args[1], str(out), *args[2:]]
    else:
        argv += [args[0], str(out), *args[1:]]
    run = spawn(argv, ctx)
    return child_json(run, out, f"probe {mode}")


def _unfinished(keys: Sequence[str], data: dict[str, Any]) -> list[Result] | None:
    if "skip" in data:
        return [Result(k, "SKIP", note=data["skip"]) for k in keys]
    if "error" in data:
        return [Result(k, "FAIL", note=data["error"]) for k in keys]
    return None


def measure_trends(ctx: Context) -> list[Result]:
    data = run_probe(ctx, "trends", str(ctx.copy_db("trends.db")), str(ctx.runs))
    early = _unfinished(("trends-data",), data)
    if early:
        return early
    scans = explain(ctx.db, data["statements"])
    ctx.details.append(
        f"trends: first call (cold) {millis(data['first_call_s'])}; {len(data['statements'])} statements, "
        f"full scans of big tables: {_scanned(scans)}"
    )
    return [ctx.judge("trends-data", data["service_s"], data["reference_s"], millis)]


def small_database(ctx: Context) -> Path:
    """The 60-day database the history memory is compared with (made on first use)."""
    if not ctx.small_db.exists():
        from benchmarks.generate import generate

        generate(ctx.small_db, years=60 / 365.25)
    return ctx.small_db


def measure_history(ctx: Context) -> list[Result]:
    data = run_probe(
        ctx,
        "history",
        str(ctx.copy_db("history.db")),
        str(ctx.copy_db("small.db", small_database(ctx))),
        str(max(2, ctx.runs // 2)),
    )
    early = _unfinished(("history-page", "history-memory"), data)
    if early:
        return early
    scans = explain(ctx.db, data["statements"])
    ctx.details.append(
        f"history: {data['total_rows']} rows in {data['pages']} pages, {data['sampled_pages']} timed: first "
        f"{millis(data['first_s'])}, median {millis(data['median_s'])}, slowest page {data['worst_page']} "
        f"{millis(data['worst_s'])}; full scans: {_scanned(scans)}"
    )
    results = [ctx.judge("history-page", data["worst_s"], 0.050, millis, note=f"page {data['worst_page']}")]
    if data["rows_max"] > 500:
        results[0] = Result("history-page", "FAIL", note=f"a page held {data['rows_max']} rows (at most 500)")
    results.append(
        ctx.judge(
            "history-memory",
            data["peak_bytes"],
            data["small_peak_bytes"],
            kilobytes,
            note=f"{data['total_rows']} vs {data['small_total_rows']} rows in the log",
        )
    )
    return results


def _cli(ctx: Context, argv: Sequence[str]) -> tuple[Run, Result | None]:
    """Run ``tracker ARGV`` as a user would; a command that does not exist yet is a SKIP."""
    run = spawn([*tracker_command(), *argv], ctx)
    if run.status == 0:
        return run, None
    tail = (run.stderr.strip().splitlines() or [f"exit status {run.status}"])[-1]
    if run.status == 2 and "invalid choice" in run.stderr:
        return run, Result("", "SKIP", note=f"`tracker {' '.join(argv[:2])}` does not exist yet")
    return run, Result("", "FAIL", note=f"`tracker {' '.join(argv[:2])}` failed: {tail}")


def measure_pdf(ctx: Context) -> list[Result]:
    """``tracker export summary`` of the last 365 days as PDF, whole process (its imports count)."""
    out = ctx.work / "summary.pdf"
    end = ctx.last_day
    start = end - timedelta(days=364)
    times: list[float] = []
    for _ in range(min(3, ctx.runs)):
        out.unlink(missing_ok=True)
        argv = ["export", "summary", "--from", start.isoformat(), "--to", end.isoformat(), "--out", str(out)]
        run, problem = _cli(ctx, [*argv, "--db", str(ctx.copy_db("pdf.db"))])
        if problem:
            return [Result("pdf", problem.status, note=problem.note)]
        times.append(run.wall)
    return [ctx.judge("pdf", median(times), 3.0, seconds, note=f"{out.stat().st_size // 1024} KB")]


def measure_json(ctx: Context) -> list[Result]:
    """``tracker export json`` of everything, then ``tracker import json`` into a new database."""
    exports: list[float] = []
    imports: list[float] = []
    out = ctx.work / "backup.json"
    for _ in range(2 if ctx.runs > 3 else 1):
        out.unlink(missing_ok=True)
        run, problem = _cli(ctx, ["export", "json", "--out", str(out), "--db", str(ctx.copy_db("json.db"))])
        if problem:
            return [Result("json", problem.status, note=problem.note)]
        exports.append(run.wall)
        fresh = ctx.work / "restored" / "restored.db"
        shutil.rmtree(fresh.parent, ignore_errors=True)
        fresh.parent.mkdir()
        run, problem = _cli(ctx, ["import", "json", str(out), "--db", str(fresh)])
        if problem:
            return [Result("json", problem.status, note=problem.note)]
        imports.append(run.wall)
    exported, imported = median(exports), median(imports)
    note = f"export {seconds(exported)}, import {seconds(imported)}, {out.stat().st_size // 1024} KB"
    return [ctx.judge("json", exported + imported, 10.0, seconds, note=note)]


# --------------------------------------------------------------------------- query plans


def _aliases(statement: str) -> dict[str, str]:
    names = {t: t for t in BIG_TABLES}
    for table, alias in re.findall(r"\b(" + "|".join(BIG_TABLES) + r")\s+(?:AS\s+)?(\w+)", statement, re.I):
        names[alias.lower()] = table.lower()
    return names


def _scanned(findings: Sequence[str]) -> str:
    """The distinct SCAN lines of some findings, without the statements (for the details)."""
    return ", ".join(sorted({f.split(" in `")[0] for f in findings})) or "none"


def explain(db: Path, statements: Sequence[Sequence[Any]], width: int | None = 110) -> list[str]:
    """Full scans of the big tables in these statements' EXPLAIN QUERY PLAN, one text per finding.

    A ``SCAN`` of a big table (even through an index: it still reads every entry) is a
    finding; ``SEARCH`` (an index range) is not. ``width`` shortens the statement quoted.
    """
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    findings: list[str] = []
    seen: set[str] = set()
    try:
        for statement, params in statements:
            if statement in seen or not statement.lstrip().upper().startswith(
                ("SELECT", "UPDATE", "DELETE", "WITH")
            ):
                continue
            seen.add(statement)
            rows = None
            for _ in range(5):  # app-defined SQL functions (e.g. a local-day helper) get a stand-in
                try:
                    rows = conn.execute("EXPLAIN QUERY PLAN " + statement, params or ()).fetchall()
                    break
                except sqlite3.OperationalError as exc:
                    m = re.match(r"no such function: (\w+)", str(exc))
                    if not m:
                        findings.append(f"cannot explain ({exc}): {statement[:80]}")
                        break
                    conn.create_function(m.group(1), -1, lambda *a: None)
            aliases = _aliases(statement)
            for row in rows or []:
                m = re.match(r"SCAN (\w+)", row[3])
                if m and m.group(1).lower() in aliases:
                    compact = " ".join(statement.split())
                    if width is not None and len(compact) > width:
                        compact = compact[:width] + "..."
                    findings.append(f"{row[3]} in `{compact}` {params or ''}".rstrip())
    finally:
        conn.close()
    return findings


def measure_plans(ctx: Context) -> list[Result]:
    data = run_probe(ctx, "sql", str(ctx.copy_db("sql.db")), LOG_MED, LOG_AMOUNT)
    early = _unfinished(("plans",), data)
    if early:
        return early
    groups: dict[str, list[Any]] = dict(data["statements"])
    out, sql_out = ctx.work / "ui-sql.json", ctx.work / "ui-sql-statements.json"
    run = spawn(
        [
            python(),
            str(HERE / "ui_probe.py"),
            "today",
            str(out),
            str(ctx.copy_db("ui.db")),
            "--sql",
            str(sql_out),
        ],
        ctx,
    )
    note = ""
    if run.status == 0 and sql_out.exists():
        groups["Today screen"] = json.loads(sql_out.read_text())
    else:
        note = "the Today screen's statements could not be captured"
    where: dict[str, list[str]] = {}
    for name, statements in groups.items():
        for finding in explain(ctx.db, statements, width=None):
            where.setdefault(finding, []).append(name)
    ctx.details.append(
        "query plans: "
        + ", ".join(f"{name} {len(s)} statements" for name, s in groups.items())
        + "".join(f"\n    [{', '.join(names)}] {finding}" for finding, names in where.items())
    )
    if where:
        note = "; ".join(filter(None, [note, "see details"]))
    return [ctx.count("plans", len(where), note=note)]


# --------------------------------------------------------------------------- main


MEASURES: dict[str, Callable[[Context], list[Result]]] = {
    "ui": measure_ui,
    "log": measure_log_dose,
    "trends": measure_trends,
    "history": measure_history,
    "pdf": measure_pdf,
    "json": measure_json,
    "plans": measure_plans,
}


def format_line(result: Result, ctx: Context) -> str:
    title, _ = BUDGETS[result.key]
    limit = ctx.limit(result.key)
    ratio = f"{result.ratio:5.2f}x" if result.ratio is not None else "     -"
    budget = f"<= {limit:.2f}x" if result.key not in CHECKS else "= 0"
    line = f"{result.status:4}  {result.key:16} {result.figure:>10}  ref {result.reference:>10}  {ratio}"
    line += f"  {budget:9}  {title}"
    return line + (f"  [{result.note}]" if result.note else "")


def _ensure_interpreter(argv: Sequence[str]) -> None:
    """Re-run under the project's virtual environment when this interpreter cannot import the app."""
    try:
        import tracker  # noqa: F401
    except ImportError:
        venv = ROOT / ".venv" / "bin" / "python"
        if venv.exists() and Path(sys.executable) != venv:
            os.execv(str(venv), [str(venv), str(Path(__file__).resolve()), *argv])
        raise


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="CI: one-year database, 3 runs, fail at 2x a budget"
    )
    parser.add_argument("--runs", type=int, default=None, help="timed runs per figure (default 7, quick 3)")
    parser.add_argument("--years", type=float, default=None, help="years of data (default 10, quick 1)")
    parser.add_argument("--only", default="", help=f"comma-separated budget keys: {', '.join(BUDGETS)}")
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    args = parser.parse_args(args_list)
    _ensure_interpreter(args_list)
    sys.path.insert(0, str(ROOT))
    from benchmarks.generate import generate

    only = {k.strip() for k in args.only.split(",") if k.strip()}
    unknown = only - set(BUDGETS)
    if unknown:
        parser.error(f"unknown budget {', '.join(sorted(unknown))}; choose from {', '.join(BUDGETS)}")
    runs = args.runs or (3 if args.quick else 7)
    years = args.years or (1.0 if args.quick else 10.0)
    work = args.keep or Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    home = work / "home"
    env = dict(os.environ)
    for var, sub in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(home / sub)
    env.pop("TRACKER_DB", None)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    # Users run from cached bytecode: let the children write it (into the work folder, not the
    # repository) so the warm-up round compiles once and the timed rounds measure what users get.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")

    started = time.perf_counter()
    try:
        source = work / "source.db"
        source.unlink(missing_ok=True)
        made = generate(source, years=years)
        ctx = Context(
            db=source,
            last_day=made.last_day,
            small_db=work / "small-source.db",
            work=work,
            runs=runs,
            quick=args.quick,
            env=env,
        )
        mode = "quick (fails only at twice a budget)" if args.quick else "full"
        print(
            f"taper-tracker benchmarks, {mode}: {runs} timed runs per figure, Python "
            f"{sys.version.split()[0]}, {os.cpu_count()} CPUs"
        )
        print(
            f"database: {years:g} years ({made.first_day} to {made.last_day}), "
            f"{made.symptom_entries} symptom entries, {made.doses} doses, {made.checkins} check-ins, "
            f"{made.plans} taper plans, "
            f"generated in {made.seconds:.1f} s"
        )
        results: list[Result] = []
        for group, measure in MEASURES.items():
            if only and not only & set(GROUPS[group]):
                continue
            print(f"... measuring {group}", file=sys.stderr, flush=True)
            try:
                results += measure(ctx)
            except Exception as exc:  # a broken measure fails its budgets, the others still run
                results += [Result(k, "FAIL", note=f"{type(exc).__name__}: {exc}") for k in GROUPS[group]]
        order = list(BUDGETS)
        results = sorted((r for r in results if not only or r.key in only), key=lambda r: order.index(r.key))
        print()
        for result in results:
            print(format_line(result, ctx))
        if ctx.details:
            print("\ndetails:")
            for line in ctx.details:
                print(f"  {line}")
        failed = [r.key for r in results if r.status == "FAIL"]
        skipped = [r.key for r in results if r.status == "SKIP"]
        print(
            f"\n{len(results) - len(failed) - len(skipped)} passed, {len(failed)} failed, "
            f"{len(skipped)} skipped in {time.perf_counter() - started:.0f} s, load average "
            f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}"
            + (f"; work folder kept: {work}" if args.keep else "")
        )
        return 1 if failed else 0
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
