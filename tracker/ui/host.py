"""What screens need from the app: the clock and the database, without importing the app.

``tracker/ui/app.py`` builds the app from the screens' module names and
``tracker/ui/base.py`` gives every screen its database calls; both need this
interface, so it sits below both (no import circle: app -> base -> host, and
app -> host). ``TrackerApp`` is the one implementation; a screen reaches it
through ``db_host(self.app)``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracker.db import Database
    from tracker.store import Reader


class DbHost:
    """The app's side of the screens' database calls (TrackerApp implements it)."""

    db_path: Path

    def now(self) -> datetime:  # pragma: no cover - implemented by TrackerApp
        """The current instant (UTC)."""
        raise NotImplementedError

    def wait_for_reader(self, timeout: float = 60) -> Reader:  # pragma: no cover
        """Called from worker threads only: the database open for plain reads."""
        raise NotImplementedError

    def wait_for_db(self, timeout: float = 60) -> Database:  # pragma: no cover
        """Called from worker threads only: the database with its ORM side."""
        raise NotImplementedError

    @property
    def orm_open(self) -> bool:  # pragma: no cover
        raise NotImplementedError

    def write_started(self, worker: Any) -> None:
        """A write worker began: quitting waits for it (so no change in flight is lost)."""

    def write_committed(self) -> None:
        """Called from the worker thread after a write committed (its screen reloads itself)."""


def db_host(app: Any) -> DbHost:
    """The running app as a DbHost (it always is one; a bare Textual app is a programming error)."""
    if not isinstance(app, DbHost):  # pragma: no cover - guards against a misuse in tests
        raise TypeError(f"{type(app).__name__} is not a taper-tracker app")
    return app
