"""The Textual app: screens as modes, the database opened in a worker.

First paint never waits for SQLModel or a query: the app composes at once and
opens the database in a thread worker; screens ask for data through
``DbScreen.run_db`` (tracker/ui/base.py), which waits for the database to be
ready inside the worker thread, never on the event loop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App
from textual.binding import Binding

if TYPE_CHECKING:
    from tracker.db import Database


def _screen(module: str, name: str) -> Any:
    """Import a screen when it is first shown, so start-up imports only Today."""
    import importlib

    return getattr(importlib.import_module(f"tracker.ui.screens.{module}"), name)()


class TrackerApp(App[None]):
    """taper-tracker's terminal UI."""

    TITLE = "taper-tracker"
    CSS_PATH = "app.tcss"
    MODES = {
        "today": lambda: _screen("today", "TodayScreen"),
        "medications": lambda: _screen("medications", "MedicationsScreen"),
        "history": lambda: _screen("history", "HistoryScreen"),
        "clinician": lambda: _screen("clinician", "ClinicianScreen"),
        "settings": lambda: _screen("settings", "SettingsScreen"),
        "help": lambda: _screen("help", "HelpScreen"),
        "trends": lambda: _screen("trends", "TrendsScreen"),
    }
    DEFAULT_MODE = "today"
    BINDINGS = [
        Binding("t", "switch_mode('today')", "Today", id="go-today"),
        Binding("m", "switch_mode('medications')", "Meds", id="go-medications"),
        Binding("h", "switch_mode('history')", "History", id="go-history"),
        Binding("r", "switch_mode('trends')", "Trends", id="go-trends"),
        Binding("c", "switch_mode('clinician')", "Clinician", id="go-clinician"),
        Binding("s", "switch_mode('settings')", "Settings", id="go-settings"),
        Binding("question_mark,f1", "switch_mode('help')", "Help", id="go-help"),
        Binding("q", "quit", "Quit", id="quit"),
    ]

    def __init__(
        self,
        db_path: Path,
        *,
        create_dir: bool = False,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self.create_dir = create_dir
        self._clock = clock
        self._db: Database | None = None
        self._db_error: BaseException | None = None
        self._db_ready = threading.Event()

    # -- clock ------------------------------------------------------------
    def now(self) -> datetime:
        """The current instant (UTC); tests freeze it by passing ``clock``."""
        if self._clock is not None:
            return self._clock()
        from tracker.domain.timeutil import utc_now

        return utc_now()

    # -- database ---------------------------------------------------------
    def on_mount(self) -> None:
        self._open_db()

    @work(thread=True, exit_on_error=False, group="open-db")
    def _open_db(self) -> None:
        try:
            from tracker.db import open_database

            self._db = open_database(self.db_path, create_dir=self.create_dir)
        except BaseException as exc:
            self._db_error = exc
            from tracker.ui.base import user_message

            self.call_from_thread(self.notify, user_message(exc), title="Cannot open the database",
                                  severity="error", timeout=30)
        finally:
            self._db_ready.set()

    def wait_for_db(self, timeout: float = 60) -> Database:
        """Called from worker threads only: block until the database is open."""
        if not self._db_ready.wait(timeout):
            from tracker.domain.errors import StorageError

            raise StorageError("the database took too long to open")
        if self._db is None:
            from tracker.domain.errors import StorageError

            raise StorageError(f"the database could not be opened: {self._db_error}")
        return self._db

    def on_unmount(self) -> None:
        if self._db is not None:
            self._db.close()


def run_app(db_path: Path, *, create_dir: bool = False) -> int:
    TrackerApp(db_path, create_dir=create_dir).run()
    return 0


