"""The one way UI code reaches the database: a thread worker per call.

``run_db(fn, on_done)`` runs ``fn(session)`` in a thread worker (never on the
event loop), then hands the result back on the UI thread as a ``DataReady``
message routed to ``on_done``. Any error becomes a clear notification: a
TrackerError's own message, or a plain sentence for anything else; the app
never crashes or freezes on a bad entry or a database error.

The same machinery serves the app itself (``start_db_worker``), for the few
calls that belong to no screen: reading settings at start-up, saving the theme.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual import work
from textual.dom import DOMNode
from textual.message import Message
from textual.screen import Screen

from tracker.ui.host import DbHost, db_host

if TYPE_CHECKING:
    from sqlmodel import Session

T = TypeVar("T")


class DataReady(Message):
    """A database call finished; ``callback(result)`` runs on the UI thread.

    (Plain classes rather than dataclasses: this module is imported before the first frame.)
    """

    def __init__(self, callback: Callable[[Any], None], result: Any) -> None:
        super().__init__()
        self.callback = callback
        self.result = result


class DataFailed(Message):
    """A database call failed with a message fit to show.

    ``callback`` is the caller's ``on_error`` (None: show a notification).
    """

    def __init__(
        self, message: str, write: bool = False, callback: Callable[[str], None] | None = None
    ) -> None:
        super().__init__()
        self.message = message
        self.write = write
        self.callback = callback


def user_message(exc: BaseException) -> str:
    """The text shown for an error: never a traceback, never health data."""
    from tracker.domain.errors import TrackerError

    if isinstance(exc, TrackerError):
        return str(exc)
    try:
        from sqlalchemy.exc import DatabaseError, OperationalError

        if isinstance(exc, OperationalError):
            from pathlib import Path

            from tracker.db import storage_error

            return str(storage_error(exc, Path("the database")))
        if isinstance(exc, DatabaseError):
            return "The database refused the change (damaged, or from another program); nothing was saved."
    except ImportError:  # pragma: no cover
        pass
    return f"Something went wrong ({type(exc).__name__}); nothing was saved. Your earlier entries are safe."


def start_db_worker(
    target: DOMNode,
    tracker_app: DbHost,
    fn: Callable[[Session], Any],
    on_done: Callable[[Any], None] | None,
    *,
    write: bool = False,
    light: bool = False,
    group: str = "db",
    exclusive: bool = False,
    on_error: Callable[[str], None] | None = None,
) -> None:
    """Run ``fn(session)`` in a thread worker owned by ``target``; post the outcome back to it.

    ``target`` must handle DataReady and DataFailed (DbCallbacks does). The worker
    never raises: the database is awaited inside the thread, so the event loop
    never blocks, and every exception becomes a DataFailed message. ``light`` reads
    hand ``fn`` a plain connection instead of a session (tracker/store.py):
    for reads written against ``Reads``, so the ORM is not imported for them.
    """

    @work(thread=True, exit_on_error=False, group=group, exclusive=exclusive)
    def job(owner: DOMNode) -> None:
        try:
            if light and not write:
                with tracker_app.wait_for_reader().read() as conn:
                    result = fn(conn)  # type: ignore[arg-type]
            elif write:
                with tracker_app.wait_for_db().write() as session:
                    result = fn(session)
            else:
                with tracker_app.wait_for_db().read() as session:
                    result = fn(session)
        except Exception as exc:  # shown to the user, never raised into the loop
            owner.log.error(f"database call failed: {type(exc).__name__}")
            owner.post_message(DataFailed(user_message(exc), write, on_error))
            return
        if write:
            tracker_app.write_committed()
        if on_done is not None:
            owner.post_message(DataReady(on_done, result))

    worker = job(target)
    if write:
        tracker_app.write_started(worker)


class DbCallbacks:
    """Message handlers shared by screens and the app: results in, errors shown."""

    def on_data_ready(self, message: DataReady) -> None:
        message.stop()
        try:
            message.callback(message.result)
        except Exception as exc:  # a display bug must not take the app down with the data
            node: Any = self
            node.log.error(f"showing a result failed: {exc!r}")
            node.notify(
                f"Could not show the result ({type(exc).__name__}); what you entered was kept.",
                title="Problem",
                severity="error",
                timeout=8,
            )

    def on_data_failed(self, message: DataFailed) -> None:
        message.stop()
        if message.callback is not None:
            message.callback(message.message)
            return
        node: Any = self
        node.notify(
            message.message,
            title="Not saved" if message.write else "Could not load",
            severity="error",
            timeout=8,
        )


class DbScreen(DbCallbacks, Screen[Any]):
    """A screen whose data comes from thread workers."""

    def data_changed(self) -> None:
        """Something changed the database elsewhere (the command line, another screen's worker):
        show what it holds now. Screens with a ``reload`` method reload; others override this."""
        reload = getattr(self, "reload", None)
        if callable(reload):
            reload()

    @property
    def tracker_app(self) -> DbHost:
        return db_host(self.app)

    def run_db(
        self,
        fn: Callable[[Session], T],
        on_done: Callable[[T], None] | None = None,
        *,
        write: bool = False,
        light: bool = False,
        group: str = "db",
        exclusive: bool = False,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        """Run ``fn(session)`` in a thread worker; ``on_done(result)`` on the UI thread.

        Args:
            fn: Called with a session inside the worker thread; it must not touch widgets.
            on_done: Called on the UI thread with ``fn``'s result.
            write: Run in a write transaction (committed when ``fn`` returns, rolled back on error).
            light: A read through a plain connection (``fn`` takes ``Reads``): no ORM import.
            group: Worker group name (``exclusive`` cancels the group's earlier workers).
            on_error: Called on the UI thread with the message instead of a notification,
                for screens that show errors beside a field.
        """
        start_db_worker(
            self,
            self.tracker_app,
            fn,
            on_done,
            write=write,
            light=light,
            group=group,
            exclusive=exclusive,
            on_error=on_error,
        )
