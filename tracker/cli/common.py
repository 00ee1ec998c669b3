"""What every command module needs: the database path, JSON output, the garbage collector's pause.

Kept apart from ``tracker/cli/__init__.py``, which builds the parser from the
command modules: those modules import this one, never the package itself, so
there is no import circle.
"""

from __future__ import annotations

import argparse
import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def resolve_db(args: argparse.Namespace) -> tuple[Path, bool]:
    """The database path and whether its folder may be created (only the default one)."""
    given = getattr(args, "db", None)
    if given:
        return Path(given).expanduser(), False
    if os.environ.get("TRACKER_DB", "").strip():
        return Path(os.environ["TRACKER_DB"]).expanduser(), False
    from tracker.paths import default_db_path

    return default_db_path(), True


class _Collector:
    """What ``main`` did to the garbage collector, so that it can be undone exactly."""

    paused = False  # main switched it off for start-up and nothing has switched it back on
    was_enabled = True  # its state before main, restored for a caller that goes on (tests)
    whole_process = False  # main owns the process (the script): freezing objects is safe


def pause_gc(whole_process: bool) -> None:
    _Collector.was_enabled = gc.isenabled()
    _Collector.whole_process = whole_process
    _Collector.paused = True
    gc.disable()


def resume_gc() -> None:
    """Start-up is over: let the garbage collector run again for the work that follows.

    In a command-line run the objects start-up made (modules, classes, mappers)
    are frozen first: they live until exit, and frozen objects are never scanned
    again, so collections stay as cheap as in a small program. Safe to call more
    than once, and a no-op when ``main`` did not pause the collector.
    """
    if not _Collector.paused:
        return
    _Collector.paused = False
    if _Collector.whole_process:
        gc.freeze()
    if _Collector.was_enabled:
        gc.enable()


def end_gc() -> None:
    if _Collector.whole_process:
        # The process ends now: frozen objects are left to the operating system instead of
        # being walked by one last full collection (open files and databases are closed by then).
        gc.freeze()
    resume_gc()


def emit_json(value: Any) -> None:
    import json

    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


@contextmanager
def confirm_with(flag: str) -> Iterator[None]:
    """Turn a ``NeedsConfirmation`` raised inside into the command line's refusal naming ``flag``.

    The services ask for confirmation without naming any flag (the UI asks in the app); the
    command line says how to confirm: run the command again with ``flag``. Exit status 2,
    nothing written (the write transaction inside rolls back first).
    """
    from tracker.domain.plausibility import NeedsConfirmation

    try:
        yield
    except NeedsConfirmation as exc:
        raise exc.with_flag(flag) from exc
