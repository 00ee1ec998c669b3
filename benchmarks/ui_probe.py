"""Child process of the UI budgets: run an app headless and note when it painted and loaded.

    python benchmarks/ui_probe.py MODE OUT.json [DB] [--sql SQL.json]

MODE
  bare        the reference: a bare Textual App with a Header and a Footer, exits on Ready
  bare-today  a bare App that reads today's doses, symptoms and check-in of DB with sqlite3
              in a thread and shows them in a DataTable: the reference for Today populated
  bare-table  a bare App with a DataTable that shows 100 rows of DB's log read with sqlite3
              (keyset, newest first), then turns ``TURNS`` pages the same way: the reference
              for a History page turn
  paint       ``tracker --db DB`` through its real entry point, exits on Ready (first paint)
  today       the same, exits when the Today screen is fully populated
  trends      the same, then switches to the Trends mode and exits when it is populated
  trends-all  the same, then presses 4 (range "All") and waits again
  history     Today, then the History mode, then ``TURNS`` page turns (n), each timed
  taper, clinician   Today, then that mode, populated

Both the reference and the app are started the same way: Textual's ``App.run`` is wrapped
to run headless and ``App.on_ready`` records the instant of the first frame (Textual posts
Ready once the first frame is displayed). Times are wall-clock instants (``time.time()``),
so the parent subtracts the instant it spawned this process.

"Populated" needs no hook in the screens: the app has settled when no worker is pending
or running and every message queued on the app and on each widget of the screen has been
handled (the DataReady messages that fill the widgets included), and it then stays quiet
for ``QUIET_S`` (not counted). ``workers`` in the output lists the worker groups that ran,
so the parent can tell a screen that loads nothing (a placeholder) from one that does;
``orm_modules`` lists the ORM packages the run imported (none, when Today and Trends
read through plain SQL as they should).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Any

ORM_MODULES = ("sqlalchemy", "sqlmodel", "pydantic", "tracker.models", "tracker.db")
TURNS = 5  # page turns timed in the history and bare-table modes
PAGE_ROWS = 100  # what the History screen shows per page
QUIET_S = 0.08  # how long the app must stay idle after settling before it counts as loaded
SETTLE_TIMEOUT_S = 60.0
_ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    mode, out = argv[0], Path(argv[1])
    db = argv[2] if len(argv) > 2 and not argv[2].startswith("--") else None
    sql_out = Path(argv[argv.index("--sql") + 1]) if "--sql" in argv else None
    marks: dict[str, Any] = {"mode": mode}
    groups: list[str] = []
    tasks: list[asyncio.Task[None]] = []

    # Everything below is imported the same way by the reference and by the app.
    from textual.app import App
    from textual.worker_manager import WorkerManager

    original_run = App.run

    def run_headless(self: App[Any], *args: Any, **kwargs: Any) -> Any:
        kwargs["headless"] = True
        return original_run(self, *args, **kwargs)

    original_add = WorkerManager.add_worker

    def add_worker(self: WorkerManager, worker: Any, start: bool = True, exclusive: bool = True) -> None:
        groups.append(str(worker.group))
        original_add(self, worker, start=start, exclusive=exclusive)

    def on_ready(self: App[Any]) -> None:
        marks["ready"] = time.time()
        if mode in ("bare", "paint"):
            self.exit()
        else:
            tasks.append(asyncio.get_running_loop().create_task(_after_ready(self, mode, marks, groups)))

    App.run = run_headless  # type: ignore[method-assign]
    App.on_ready = on_ready  # type: ignore[attr-defined]
    WorkerManager.add_worker = add_worker  # type: ignore[method-assign]

    capture = contextlib.ExitStack()
    statements: list[tuple[str, Any]] = []
    if sql_out is not None:  # only the plan check asks for this: it costs time
        sys.path.insert(0, str(_ROOT))
        from benchmarks.sqltrace import capture_sql

        statements = capture.enter_context(capture_sql())

    if mode == "bare":
        from textual.app import ComposeResult
        from textual.widgets import Footer, Header

        class Bare(App[None]):
            def compose(self) -> ComposeResult:
                yield Header()
                yield Footer()

        Bare().run()
        status = 0
    elif mode in ("bare-today", "bare-table"):
        sys.path.insert(0, str(_ROOT))
        from benchmarks.bare_apps import run_bare

        status = run_bare(mode, Path(str(db)), marks, TURNS, PAGE_ROWS)
    else:
        sys.path.insert(0, str(_ROOT))
        from tracker.cli import main as tracker_main

        status = tracker_main(["--db", str(db)])
    capture.close()
    # The screens a run shows read through plain SQL: which parts of the ORM got imported anyway.
    marks["orm_modules"] = sorted(m for m in ORM_MODULES if m in sys.modules)
    marks["groups"] = groups
    marks["exit_status"] = status
    marks["peak_mb"] = _peak_mb()
    out.write_text(json.dumps(marks))
    if sql_out is not None:
        sql_out.write_text(json.dumps(statements, default=str))
    return 0 if "error" not in marks else 1


def _peak_mb() -> float:
    """This process's own peak resident memory.

    VmHWM counts only this program's memory since it started. ``ru_maxrss`` is not used: on
    Linux it also carries the parent's resident size at the fork, so a large parent would
    mask the figure.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _drain(app: Any) -> None:
    """Wait until every message queued now on the app and the screen's widgets is handled."""
    nodes = [app, *app.screen.walk_children(with_self=True)]
    pending = 0
    done = asyncio.Event()

    def one_done() -> None:
        nonlocal pending
        pending -= 1
        if pending == 0:
            done.set()

    for node in nodes:
        if node.call_later(one_done):
            pending += 1
    if pending:
        await asyncio.wait_for(done.wait(), SETTLE_TIMEOUT_S)


def _busy(app: Any) -> bool:
    return any(not worker.is_finished for worker in app.workers)


async def _settle(app: Any) -> float:
    """Return the instant the app last became idle (workers done, queues drained)."""
    while True:
        while True:
            await asyncio.wait_for(app.workers.wait_for_complete(), SETTLE_TIMEOUT_S)
            await _drain(app)
            if not _busy(app):
                break
        settled = time.time()
        # Work started from a timer or after a refresh shows up within the quiet window.
        await asyncio.sleep(QUIET_S)
        await _drain(app)
        if not _busy(app):
            return settled


SCREENS: dict[str, tuple[str, tuple[str, ...]]] = {
    "trends": ("trends", ()),
    "trends-all": ("trends", ("4",)),
    "history": ("history", ()),
    "taper": ("taper", ()),
    "clinician": ("clinician", ()),
}


async def _after_ready(app: Any, mode: str, marks: dict[str, Any], groups: list[str]) -> None:
    try:
        marks["loaded"] = await _settle(app)
        marks["today_groups"] = list(groups)
        if mode in SCREENS:
            target, keys = SCREENS[mode]
            if target not in app.MODES:
                marks["skip"] = f"the app has no {target!r} mode yet"
            else:
                before = len(groups)
                started = time.time()
                result = app.switch_mode(target)
                if result is not None and hasattr(result, "__await__"):
                    await result
                marks["screen_loaded"] = await _settle(app) - started
                marks["trends_loaded"] = marks["screen_loaded"]  # the name the trends budget reads
                if keys:
                    started = time.time()
                    await app._press_keys(keys)
                    marks["keys_loaded"] = await _settle(app) - started
                if mode == "history":
                    marks["turns"] = [await _turn(app) for _ in range(TURNS)]
                marks["trends_groups"] = marks["screen_groups"] = groups[before:]
        elif mode == "bare-table":
            marks["turns"] = [await _turn(app) for _ in range(TURNS)]
    except Exception as exc:  # reported by the parent as a failed run
        marks["error"] = f"{type(exc).__name__}: {exc}"
    app.exit()


async def _turn(app: Any) -> float:
    """One page turn: press n, wait until the next page is shown."""
    started = time.time()
    await app._press_keys(("n",))
    return await _settle(app) - started


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
