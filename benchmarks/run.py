"""Check the performance budgets (issues 8 and 18) against references measured in the same run.

    python benchmarks/run.py [--years 1|10|30]   # default ten years, 7 timed runs per figure
    python benchmarks/run.py --quick --runs 5    # CI smoke: one year, fails only on errors and at
                                                 # twice a budget, never on an absolute time

Every budget is a ratio: a figure over a reference doing equivalent work, measured in the
same run, interleaved with it so a busy moment hits both alike, after one untimed warm-up
round (which also takes the database's daily backup). Each line gives the median figure,
its reference, the ratio, the budget, and n, min and max of both. Counts that must be zero
(full scans, Textual in a command) are exact in every mode. The exit status is 1 when a
budget fails, else 0; the Markdown table at the end is what the README quotes.

Peak memory is each process's own high-water mark (VmHWM), taken by the child itself
(benchmarks/ui_probe.py for screens, benchmarks/cmd_probe.py for commands). Every run
works on a fresh copy of the generated database in a temporary folder, with the XDG
folders pointed there too, so no real data folder is touched. The generated history
(benchmarks/generate.py) has the audit trail a user who logged it all by hand would
have, about 8,000 rows a year.
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

SCREENS = ("today", "trends-all", "history", "taper", "clinician")
# Budgets in the order they print: key -> (what is measured, the budget as a ratio).
BUDGETS: dict[str, tuple[str, float]] = {
    "paint": ("`tracker` to first paint / bare Textual app", 1.3),
    "today": ("Today populated / bare app reading and showing the day with sqlite3", 2.3),
    "history-page": ("History page turn (cursor, 100 rows) / bare DataTable page from sqlite3", 1.5),
    **{
        f"memory-{s}": (f"peak memory, {s.replace('-all', ' All')} screen / bare Textual app", 1.8)
        for s in SCREENS
    },
    "trends-data": ('Trends data for "All" / hand-written sqlite3 GROUP BY', 2.0),
    "status-json": ('`tracker status --json` / `python -c "import sqlmodel"`', 0.5),
    "remind-json": ('`tracker remind --json` / `python -c "import sqlmodel"`', 0.5),
    "log-dose": ('`tracker log dose` / `python -c "import sqlmodel"`', 1.3),
    "log-dose-textual": ("modules of Textual imported by `tracker log dose` (must be 0)", 0.0),
    "command-memory": ('peak memory of the largest command / `python -c "import sqlmodel"`', 2.0),
    "fhir": ("`tracker export fhir` / `tracker export json`", 3.0),
    "json": ("`export json` + `import json` / sqlite3 .dump + reload", 3.0),
    "pdf": ("summary PDF of the whole history / of 90 days", 2.0),
    "plans": ("full scans of big tables in Today, status and log dose queries (must be 0)", 0.0),
}
CHECKS = {"log-dose-textual", "plans"}  # counts that must be zero: exact, so never relaxed in quick mode
GROUPS: dict[str, tuple[str, ...]] = {
    "ui": ("paint", "today", "history-page", *(f"memory-{s}" for s in SCREENS)),
    "commands": ("status-json", "remind-json", "log-dose", "log-dose-textual"),
    "trends": ("trends-data",),
    "exports": ("fhir", "json", "pdf", "command-memory"),
    "plans": ("plans",),
}
BIG_TABLES = ("symptomentry", "doseevent", "checkin", "auditentry")
LOG_MED, LOG_AMOUNT = "Sertraline", "7.5mg"  # the current sertraline dose per intake in generated data
QUICK_FACTOR = 2.0
CHILD_TIMEOUT_S = 900.0
SLOW_S = 20.0  # a heavy export slower than this is timed once (n is printed)
# Every read-only or writing command a user runs, for the command memory budget.
MEMORY_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("status",),
    ("remind",),
    ("check",),
    ("med", "list"),
    ("symptoms",),
    ("taper", "show"),
    ("export", "csv"),
    ("export", "ics"),
)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Stat:
    """Samples of one figure: n, min, median and max."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def spread(self, fmt: Callable[[float], str]) -> str:
        return f"n={len(self.values)} {fmt(min(self.values))}..{fmt(max(self.values))}"


def stat(values: Iterable[float]) -> Stat:
    found = tuple(values)
    if not found:
        raise ValueError("no samples")
    return Stat(found)


@dataclass
class Result:
    key: str
    status: str  # PASS, FAIL, SKIP
    figure: str = ""
    reference: str = ""
    ratio: float | None = None
    note: str = ""
    spread: str = ""


@dataclass
class Context:
    db: Path
    last_day: date
    work: Path
    runs: int
    quick: bool
    env: dict[str, str]
    small_db: Path | None = None  # unused since issue 18; kept for callers that pass it
    details: list[str] = field(default_factory=list)
    first_day: date | None = None
    command_peaks: dict[str, float] = field(default_factory=dict)  # MB, by command, for command-memory

    def limit(self, key: str) -> float:
        budget = BUDGETS[key][1]
        return budget if key in CHECKS or not self.quick else budget * QUICK_FACTOR

    def judge(
        self,
        key: str,
        figure: float | Stat,
        reference: float | Stat,
        fmt: Callable[[float], str],
        note: str = "",
    ) -> Result:
        """A ratio budget: PASS when median figure / median reference is within the (quick-mode) limit."""
        fig = figure.median if isinstance(figure, Stat) else figure
        ref = reference.median if isinstance(reference, Stat) else reference
        ratio = fig / ref if ref > 0 else float("inf")
        status = "PASS" if ratio <= self.limit(key) else "FAIL"
        spread = ""
        if isinstance(figure, Stat) and isinstance(reference, Stat):
            spread = f"{figure.spread(fmt)}; ref {reference.spread(fmt)}"
        return Result(key, status, fmt(fig), fmt(ref), ratio, note, spread)

    def count(self, key: str, found: int, note: str = "") -> Result:
        return Result(key, "PASS" if found == 0 else "FAIL", str(found), "0", None, note)

    def copy_db(self, name: str, source: Path | None = None) -> Path:
        target = self.work / name
        for stale in self.work.glob(name + "*"):
            if stale.is_file():
                stale.unlink()
        shutil.copyfile(source or self.db, target)
        return target


def seconds(value: float) -> str:
    return f"{value:.3f} s"


def millis(value: float) -> str:
    return f"{value * 1000:.1f} ms"


def megabytes(value: float) -> str:
    return f"{value:.1f} MB"


def failed(keys: Iterable[str], note: str) -> list[Result]:
    return [Result(k, "FAIL", note=note) for k in keys]


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


def _tail(run: Run) -> str:
    return (run.stderr.strip().splitlines() or [f"exit status {run.status}"])[-1]


# --------------------------------------------------------------------------- the UI


UI_MODES = ("bare", "bare-today", "bare-table", "paint", *SCREENS)


def measure_ui(ctx: Context) -> list[Result]:
    samples: dict[str, list[dict[str, Any]]] = {m: [] for m in UI_MODES}
    for round_no in range(ctx.runs + 1):  # round 0 warms caches and takes the daily backup
        for mode in UI_MODES:
            db = ctx.copy_db("ui.db")
            out = ctx.work / f"ui-{mode}.json"
            out.unlink(missing_ok=True)
            run = spawn([python(), str(HERE / "ui_probe.py"), mode, str(out), str(db)], ctx)
            data = child_json(run, out, f"ui_probe {mode}")
            if "error" in data or "skip" in data:
                return failed(GROUPS["ui"], f"{mode} run failed: {data.get('error') or data.get('skip')}")
            if "ready" not in data:
                return failed(GROUPS["ui"], f"{mode} run never reached Ready")
            data["ready_s"] = data["ready"] - run.spawned
            data["loaded_s"] = data["loaded"] - run.spawned if "loaded" in data else None
            data["rss_mb"] = data.get("peak_mb", run.rss_mb)
            if round_no:
                samples[mode].append(data)

    def of(mode: str, key: str) -> Stat:
        return stat(s[key] for s in samples[mode])

    def turns(mode: str) -> Stat:
        return stat(t for s in samples[mode] for t in s["turns"])

    bare_rss = of("bare", "rss_mb")
    results = [
        ctx.judge("paint", of("paint", "ready_s"), of("bare", "ready_s"), seconds),
        ctx.judge("today", of("today", "loaded_s"), of("bare-today", "loaded_s"), seconds),
        ctx.judge("history-page", turns("history"), turns("bare-table"), millis, note="page turns with n"),
    ]
    for screen in SCREENS:
        orm = samples[screen][-1].get("orm_modules", [])
        note = "imports the ORM" if orm else "no ORM"
        results.append(ctx.judge(f"memory-{screen}", of(screen, "rss_mb"), bare_rss, megabytes, note=note))
    ctx.details.append(
        f"UI: bare app Ready {seconds(of('bare', 'ready_s').median)}, {megabytes(bare_rss.median)}; "
        f"bare Today loaded {seconds(of('bare-today', 'loaded_s').median)}; tracker Ready "
        f"{seconds(of('paint', 'ready_s').median)}; Today loaded {seconds(of('today', 'loaded_s').median)}; "
        f"Trends All after pressing 4 {seconds(of('trends-all', 'keys_loaded').median)}; History first page "
        f"{seconds(of('history', 'screen_loaded').median)}; "
        f"Taper {seconds(of('taper', 'screen_loaded').median)}; "
        f"Clinician {seconds(of('clinician', 'screen_loaded').median)}"
    )
    return results


# --------------------------------------------------------------------------- commands


def _cmd(ctx: Context, argv: Sequence[str], name: str = "cmd") -> tuple[Run, float]:
    """``tracker ARGV`` through benchmarks/cmd_probe.py: the run and its own peak memory (MB)."""
    peak = ctx.work / f"{name}.peak"
    peak.unlink(missing_ok=True)
    run = spawn([python(), str(HERE / "cmd_probe.py"), str(peak), "tracker", *argv], ctx)
    return run, float(peak.read_text()) if peak.exists() else run.rss_mb


def _reference(ctx: Context) -> tuple[Run, float]:
    peak = ctx.work / "ref.peak"
    peak.unlink(missing_ok=True)
    run = spawn([python(), str(HERE / "cmd_probe.py"), str(peak), "--import", "sqlmodel"], ctx)
    return run, float(peak.read_text()) if peak.exists() else run.rss_mb


def _ok(run: Run, argv: Sequence[str], allowed: Sequence[int] = (0,)) -> str | None:
    return None if run.status in allowed else f"`tracker {' '.join(argv[:2])}` failed: {_tail(run)}"


def measure_commands(ctx: Context) -> list[Result]:
    db = ctx.copy_db("cmd.db")
    commands: dict[str, list[str]] = {
        "status-json": ["status", "--json", "--db", str(db)],
        "remind-json": ["remind", "--json", "--db", str(db)],
        "log-dose": ["log", "dose", LOG_MED, LOG_AMOUNT, "--db", str(db)],
    }
    allowed = {"remind-json": (0, 10)}
    times: dict[str, list[float]] = {k: [] for k in (*commands, "ref")}
    peaks: dict[str, list[float]] = {k: [] for k in (*commands, "ref")}
    for round_no in range(ctx.runs + 1):
        for key, argv in commands.items():
            if key == "log-dose":
                argv[-1] = str(ctx.copy_db("log.db"))
            run, peak = _cmd(ctx, argv)
            problem = _ok(run, argv, allowed.get(key, (0,)))
            if problem:
                return failed(GROUPS["commands"], problem)
            if round_no:
                times[key].append(run.wall)
                peaks[key].append(peak)
            ref, ref_peak = _reference(ctx)
            if round_no:
                times["ref"].append(ref.wall)
                peaks["ref"].append(ref_peak)
    ref_time = stat(times["ref"])
    results = [ctx.judge(k, stat(times[k]), ref_time, seconds) for k in commands]

    profiled = dict(ctx.env, PYTHONPROFILEIMPORTTIME="1")
    log_argv = ["log", "dose", LOG_MED, LOG_AMOUNT, "--db", str(ctx.copy_db("log.db"))]
    sub_imports = _import_times(spawn([*tracker_command(), *log_argv], ctx, env=profiled).stderr)
    textual = sorted(m for m in sub_imports if m == "textual" or m.startswith("textual."))
    results.append(ctx.count("log-dose-textual", len(textual), note=", ".join(textual[:5])))
    ctx.command_peaks.update({" ".join(commands[k][:2]): median(peaks[k]) for k in commands})
    ctx.command_peaks["ref"] = median(peaks["ref"])
    ctx.details.append(
        "commands: "
        + ", ".join(f"{' '.join(commands[k][:2])} {megabytes(median(peaks[k]))}" for k in commands)
        + f"; `import sqlmodel` {seconds(ref_time.median)}, {megabytes(median(peaks['ref']))}"
    )
    return results


# --------------------------------------------------------------------------- trends data


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
    return [ctx.judge("trends-data", stat(data["service_all"]), stat(data["reference_all"]), millis)]


# --------------------------------------------------------------------------- exports


def _dump_reload(ctx: Context, source: Path) -> float:
    """The reference of the JSON round trip: ``sqlite3 DB .dump`` and reading the dump into a new file."""
    dump, fresh = ctx.work / "dump.sql", ctx.work / "dumped.db"
    fresh.unlink(missing_ok=True)
    started = time.perf_counter()
    if shutil.which("sqlite3"):
        with open(dump, "wb") as out:
            subprocess.run(["sqlite3", str(source), ".dump"], stdout=out, check=True)
        with open(dump, "rb") as sql:
            subprocess.run(["sqlite3", str(fresh)], stdin=sql, check=True)
    else:  # Python's own dump, when the shell is not installed
        src = sqlite3.connect(source)
        dump.write_text("\n".join(src.iterdump()))
        src.close()
        dst = sqlite3.connect(fresh)
        dst.executescript(dump.read_text())
        dst.close()
    return time.perf_counter() - started


def measure_exports(ctx: Context) -> list[Result]:
    db = ctx.copy_db("export.db")
    _cmd(ctx, ["check", "--db", str(db)])  # the day's backup, taken once before the timed runs
    peaks: dict[str, float] = {}
    json_t: list[float] = []
    fhir_t: list[float] = []
    import_t: list[float] = []
    dump_t: list[float] = []
    pdf_all: list[float] = []
    pdf_90: list[float] = []
    results: list[Result] = []
    heavy_runs = max(1, min(3, ctx.runs))
    out_json, out_fhir, out_pdf = ctx.work / "backup.json", ctx.work / "bundle.json", ctx.work / "summary.pdf"

    def timed(key: str, argv: list[str], store: list[float]) -> str | None:
        run, peak = _cmd(ctx, argv)
        problem = _ok(run, argv)
        if problem is None:
            store.append(run.wall)
            peaks[" ".join(argv[:2])] = max(peak, peaks.get(" ".join(argv[:2]), 0.0))
        return problem

    problems: dict[str, str] = {}
    for _ in range(heavy_runs):
        out_json.unlink(missing_ok=True)
        p = timed("json", ["export", "json", "--out", str(out_json), "--db", str(db)], json_t)
        if p:
            problems.setdefault("json", p)
            problems.setdefault("fhir", p)
            break
        fresh = ctx.work / "restored" / "restored.db"
        shutil.rmtree(fresh.parent, ignore_errors=True)
        fresh.parent.mkdir()
        p = timed("json", ["import", "json", str(out_json), "--db", str(fresh)], import_t)
        if p:
            problems.setdefault("json", p)
        dump_t.append(_dump_reload(ctx, db))
        if "fhir" not in problems and (not fhir_t or max(fhir_t) < SLOW_S):
            out_fhir.unlink(missing_ok=True)
            p = timed("fhir", ["export", "fhir", "--out", str(out_fhir), "--db", str(db)], fhir_t)
            if p:
                problems.setdefault("fhir", p)
        first = (ctx.first_day or ctx.last_day - timedelta(days=365)).isoformat()
        for store, start in ((pdf_all, first), (pdf_90, (ctx.last_day - timedelta(days=89)).isoformat())):
            if "pdf" in problems or (store is pdf_all and pdf_all and max(pdf_all) > SLOW_S):
                continue
            out_pdf.unlink(missing_ok=True)
            argv = ["export", "summary", "--from", start, "--to", ctx.last_day.isoformat()]
            p = timed("pdf", [*argv, "--format", "pdf", "--out", str(out_pdf), "--db", str(db)], store)
            if p:
                problems.setdefault("pdf", p)
    if "fhir" in problems:
        results.append(Result("fhir", "FAIL", note=problems["fhir"]))
    else:
        results.append(ctx.judge("fhir", stat(fhir_t), stat(json_t), seconds, note=f"{_mb(out_fhir)}"))
    if "json" in problems:
        results.append(Result("json", "FAIL", note=problems["json"]))
    else:
        trips = [e + i for e, i in zip(json_t, import_t, strict=False)]
        note = f"export {seconds(median(json_t))}, import {seconds(median(import_t))}, {_mb(out_json)}"
        results.append(ctx.judge("json", stat(trips), stat(dump_t), seconds, note=note))
    if "pdf" in problems:
        results.append(Result("pdf", "FAIL", note=problems["pdf"]))
    else:
        results.append(ctx.judge("pdf", stat(pdf_all), stat(pdf_90), seconds, note=f"from {first}"))

    for argv in MEMORY_COMMANDS:
        extra = (
            ["--out", str(ctx.work / ("csv" if argv[-1] == "csv" else "plan.ics"))]
            if argv[0] == "export"
            else []
        )
        if argv[-1] == "csv":
            (ctx.work / "csv").mkdir(exist_ok=True)
        run, peak = _cmd(ctx, [*argv, *extra, "--db", str(db)])
        if run.status not in (0, 10):
            problems.setdefault("command-memory", f"`tracker {' '.join(argv)}` failed: {_tail(run)}")
        peaks[" ".join(argv)] = peak
    peaks.update(ctx.command_peaks)
    ref = peaks.pop("ref", None)
    if ref is None:
        ref = median(_reference(ctx)[1] for _ in range(max(1, min(3, ctx.runs))))
    worst = max(peaks, key=lambda k: peaks[k])
    ctx.details.append(
        "command peak memory: "
        + ", ".join(f"{k} {megabytes(v)}" for k, v in sorted(peaks.items(), key=lambda kv: -kv[1]))
    )
    if "command-memory" in problems:
        results.append(Result("command-memory", "FAIL", note=problems["command-memory"]))
    else:
        results.append(ctx.judge("command-memory", peaks[worst], ref, megabytes, note=f"`tracker {worst}`"))
    return results


def _mb(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.1f} MB file" if path.exists() else "no file"


def _import_times(stderr: str) -> dict[str, int]:
    """Self time in microseconds per module from ``-X importtime`` output."""
    found: dict[str, int] = {}
    for line in stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s+(\S.*)$", line)
        if m:
            found[m.group(2).strip()] = int(m.group(1))
    return found


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


def _ensure_interpreter(argv: Sequence[str]) -> None:
    """Re-run under the project's virtual environment when this interpreter cannot import the app."""
    try:
        import tracker  # noqa: F401
    except ImportError:
        venv = ROOT / ".venv" / "bin" / "python"
        if venv.exists() and Path(sys.executable) != venv:
            os.execv(str(venv), [str(venv), str(Path(__file__).resolve()), *argv])
        raise


MEASURES: dict[str, Callable[[Context], list[Result]]] = {
    "ui": measure_ui,
    "commands": measure_commands,
    "trends": measure_trends,
    "exports": measure_exports,
    "plans": measure_plans,
}


def format_line(result: Result, ctx: Context) -> str:
    title, _ = BUDGETS[result.key]
    limit = ctx.limit(result.key)
    ratio = f"{result.ratio:5.2f}x" if result.ratio is not None else "     -"
    budget = f"<= {limit:.2f}x" if result.key not in CHECKS else "= 0"
    line = f"{result.status:4}  {result.key:16} {result.figure:>10}  ref {result.reference:>10}  {ratio}"
    line += f"  {budget:9}  {title}"
    extra = "; ".join(filter(None, [result.spread, result.note]))
    return line + (f"  [{extra}]" if extra else "")


def markdown(results: Sequence[Result], ctx: Context) -> list[str]:
    """The results as the README's table."""
    lines = [
        "| budget | figure (median) | reference (median) | ratio | limit | n, min..max |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        title, _ = BUDGETS[r.key]
        limit = "= 0" if r.key in CHECKS else f"{ctx.limit(r.key):.2f}x"
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else "-"
        spread = "; ".join(filter(None, [r.spread, r.note])).replace("|", "/")
        lines.append(
            f"| {title.replace('|', '/')} | {r.figure} | {r.reference} | {ratio} "
            f"| {limit} {r.status} | {spread} |"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="CI smoke: one-year database, 3 runs, fails only on errors and at twice a budget",
    )
    parser.add_argument("--runs", type=int, default=None, help="timed runs per figure (default 7, quick 3)")
    parser.add_argument(
        "--years", type=float, default=None, help="years of data: 1, 10 or 30 (default 10, quick 1)"
    )
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
            work=work,
            runs=runs,
            quick=args.quick,
            env=env,
            first_day=made.first_day,
        )
        mode = "quick (fails only at twice a budget)" if args.quick else "full"
        print(
            f"taper-tracker benchmarks, {mode}: {runs} timed runs per figure, Python "
            f"{sys.version.split()[0]}, {os.cpu_count()} CPUs"
        )
        print(
            f"database: {years:g} years ({made.first_day} to {made.last_day}), "
            f"{made.symptom_entries} symptom entries, {made.doses} doses, {made.checkins} check-ins, "
            f"{made.audit_entries} audit entries, {made.plans} taper plans, "
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
                results += failed(GROUPS[group], f"{type(exc).__name__}: {exc}")
        order = list(BUDGETS)
        results = sorted((r for r in results if not only or r.key in only), key=lambda r: order.index(r.key))
        print()
        for result in results:
            print(format_line(result, ctx))
        if ctx.details:
            print("\ndetails:")
            for line in ctx.details:
                print(f"  {line}")
        print("\nREADME table:\n")
        for line in markdown(results, ctx):
            print(line)
        failures = [r.key for r in results if r.status == "FAIL"]
        skipped = [r.key for r in results if r.status == "SKIP"]
        print(
            f"\n{len(results) - len(failures) - len(skipped)} passed, {len(failures)} failed, "
            f"{len(skipped)} skipped in {time.perf_counter() - started:.0f} s, load average "
            f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}"
            + (f"; work folder kept: {work}" if args.keep else "")
        )
        return 1 if failures else 0
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
