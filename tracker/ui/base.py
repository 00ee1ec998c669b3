"""The one way UI code reaches the database: a thread worker per call.

``run_db(fn, on_done)`` runs ``fn(session)`` in a thread worker (never on the
event loop), then hands the result back on the UI thread as a ``DataReady``
message routed to ``on_done``. Any error becomes a clear notification: a
TrackerError's own message, or a plain sentence for anything else; the app
never crashes or freezes on a bad entry or a database error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from textual import work
from textual.message import Message
from textual.screen import Screen

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.ui.app import TrackerApp

T = TypeVar("T")


@dataclass
class DataReady(Message):
    """A database call finished; ``callback(result)`` runs on the UI thread."""

    callback: Callable[[Any], None]
    result: Any


@dataclass
class DataFailed(Message):
    """A database call failed with a message fit to show."""

    message: str


def user_message(exc: BaseException) -> str:
    """The text shown for an error: never a traceback, never health data."""
    from tracker.domain.errors import TrackerError

    if isinstance(exc, TrackerError):
        return str(exc)
    try:
        from sqlalchemy.exc import OperationalError

        if isinstance(exc, OperationalError):
            from tracker.db import storage_error

            return str(storage_error(exc, __import__("pathlib").Path("the database")))
    except ImportError:  # pragma: no cover
        pass
    return f"Something went wrong ({type(exc).__name__}); nothing was saved. Your earlier entries are safe."


class DbScreen(Screen[Any]):
    """A screen whose data comes from thread workers."""

    @property
    def tracker_app(self) -> TrackerApp:
        from tracker.ui.app import TrackerApp

        app = self.app
        assert isinstance(app, TrackerApp)
        return app

    def run_db(
        self,
        fn: Callable[[Session], T],
        on_done: Callable[[T], None] | None = None,
        *,
        write: bool = False,
        group: str = "db",
        exclusive: bool = False,
    ) -> None:
        """Run ``fn(session)`` in a thread worker; ``on_done(result)`` on the UI thread."""
        self._db_worker(fn, on_done, write, group, exclusive)

    def _db_worker(
        self,
        fn: Callable[[Session], Any],
        on_done: Callable[[Any], None] | None,
        write: bool,
        group: str,
        exclusive: bool,
    ) -> None:
        @work(thread=True, exit_on_error=False, group=group, exclusive=exclusive)
        def job(screen: DbScreen) -> None:
            try:
                db = screen.tracker_app.wait_for_db()
                if write:
                    with db.write() as session:
                        result = fn(session)
                else:
                    with db.read() as session:
                        result = fn(session)
            except Exception as exc:  # shown to the user, never raised into the loop
                screen.post_message(DataFailed(user_message(exc)))
                return
            if on_done is not None:
                screen.post_message(DataReady(on_done, result))

        job(self)

    def on_data_ready(self, message: DataReady) -> None:
        message.callback(message.result)

    def on_data_failed(self, message: DataFailed) -> None:
        self.notify(message.message, title="Not saved" if "saved" in message.message else "Problem",
                    severity="error", timeout=8)
