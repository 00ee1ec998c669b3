"""The Textual app: screens as modes, the database opened in a worker.

First paint never waits for SQLModel or a query: the app composes at once and,
once the first frame is shown, opens the database in a thread worker; screens
ask for data through ``DbScreen.run_db`` (tracker/ui/base.py), which waits for
the database to be ready inside the worker thread, never on the event loop. Once
it is open the app applies the saved theme and, on a first run, shows the
welcome screen.

A database already at the current schema is opened light (tracker/store.py): the
file is checked, today's backup taken, and Today and Trends read it through plain
SQL. The ORM (SQLAlchemy, SQLModel: a third of a second and 30 MB) is opened
only when something needs it, the first change or a screen that reads through
it, and in that worker. A new database, or one that needs an upgrade, is opened
in full at once, since creating and migrating it need the ORM anyway.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.app import App
from textual.binding import Binding, BindingType

from tracker.ui.base import DbCallbacks, start_db_worker, user_message
from tracker.ui.host import DbHost
from tracker.ui.modes import HAS_TAPER, SCREENS

if TYPE_CHECKING:
    from sqlmodel import Session
    from textual.command import Provider
    from textual.notifications import SeverityLevel
    from textual.theme import Theme
    from textual.worker import Worker

    from tracker.db import Database
    from tracker.store import ChangeWatcher, Reader, Reads


def _screen(module: str, name: str) -> Any:
    """Import a screen when it is first shown, so start-up imports only Today."""
    import importlib

    return getattr(importlib.import_module(f"tracker.ui.screens.{module}"), name)()


def _commands_provider() -> type[Provider]:
    from tracker.ui.commands import BindingCommands

    return BindingCommands


_HERE = Path(__file__).parent

_HAS_TAPER = HAS_TAPER


class TrackerApp(DbCallbacks, DbHost, App[None]):
    """taper-tracker's terminal UI."""

    TITLE = "taper-tracker"
    # Today's styles are read with the app's: a screen's own CSS_PATH is read when the screen is
    # first shown and makes Textual parse every stylesheet once more before the first paint.
    # (Absolute, so that a subclass defined elsewhere, as in tests, finds them too.)
    CSS_PATH = [_HERE / "app.tcss", _HERE / "screens" / "today.tcss"]
    MODES: ClassVar[dict[str, Any]] = {
        mode: (lambda module=module, name=name: _screen(module, name))
        for mode, (module, name) in SCREENS.items()
    }
    DEFAULT_MODE = "today"
    COMMANDS = App.COMMANDS | {_commands_provider}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "t",
            "switch_mode('today')",
            "Today",
            id="go-today",
            tooltip="Go to Today: doses and the check-in of a day",
        ),
        Binding("m", "switch_mode('medications')", "Meds", id="go-medications", tooltip="Go to Medications"),
        *(
            [Binding("p", "switch_mode('taper')", "Taper", id="go-taper", tooltip="Go to the taper plan")]
            if _HAS_TAPER
            else []
        ),
        Binding(
            "h",
            "switch_mode('history')",
            "History",
            id="go-history",
            tooltip="Go to History: the log of entries and changes",
        ),
        Binding(
            "r", "switch_mode('trends')", "Trends", id="go-trends", tooltip="Go to Trends: charts over time"
        ),
        Binding(
            "c",
            "switch_mode('clinician')",
            "Clinician",
            id="go-clinician",
            tooltip="Go to Clinician: appointments, questions, summary",
        ),
        Binding("s", "switch_mode('settings')", "Settings", id="go-settings", tooltip="Go to Settings"),
        Binding(
            "question_mark,f1",
            "switch_mode('help')",
            "Help",
            id="go-help",
            tooltip="Go to Help: keys, disclaimer and sources",
        ),
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit (everything is already saved)"),
        Binding("tab", "tab_key", show=False, priority=True, id="focus-next"),
        Binding("shift+tab", "tab_key(True)", show=False, priority=True, id="focus-previous"),
    ]

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notification shows its words as they are, never as markup: messages carry the
        user's own names and notes, and "[/x]" in one would close the app (``markup`` is ignored)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def __init__(
        self,
        db_path: Path,
        *,
        create_dir: bool = False,
        clock: Callable[[], datetime] | None = None,
        after_first_frame: Callable[[], None] | None = None,
        watch_interval: float = 1.0,
    ) -> None:
        super().__init__()
        self.watch_interval = watch_interval
        self._watcher: ChangeWatcher | None = None
        self._watching = False  # a look at the database is under way
        self._quitting = False
        self._pending_writes: set[Worker[Any]] = set()
        from tracker.ui.themes import DEFAULT_THEME, OUR_THEMES

        for name in list(self.available_themes):  # Textual's: their contrast is not measured
            self.unregister_theme(name)
        for theme in OUR_THEMES:
            self.register_theme(theme)
        self.set_reactive(App.theme, DEFAULT_THEME)  # before the first style is computed
        self._after_first_frame = after_first_frame
        self.db_path = Path(db_path)
        self.create_dir = create_dir
        self._clock = clock
        self._db: Database | None = None
        self._reader: Reader | None = None
        self._db_ready = threading.Event()  # the open worker has finished, well or not
        self._db_lock = threading.Lock()  # one thread opens the ORM side
        self._saved_theme: str | None = None

    # -- clock ------------------------------------------------------------
    def now(self) -> datetime:
        """The current instant (UTC); tests freeze it by passing ``clock``."""
        if self._clock is not None:
            return self._clock()
        from tracker.domain.timeutil import utc_now

        return utc_now()

    # -- database ---------------------------------------------------------
    @on(events.Ready)
    def _first_frame_shown(self) -> None:
        """Open the database once the first frame is on screen.

        Opening it imports SQLModel and SQLAlchemy, a few hundred milliseconds of Python that
        would share the interpreter lock with the first paint if it started earlier; the
        screens' loads already wait for it in their own threads.
        """
        if self._after_first_frame is not None:
            self._after_first_frame()  # the command line's start-up garbage collection pause ends here
        self.call_later(self._start_db)

    def _start_db(self) -> None:
        self._open_db()
        # a database that cannot be opened is reported once, by _open_db
        start_db_worker(
            self,
            self,
            _startup_settings,
            self._apply_startup,
            light=True,
            group="startup",
            on_error=lambda _m: None,
        )

    @work(thread=True, exit_on_error=False, group="open-db")
    def _open_db(self) -> None:
        try:
            from tracker.store import daily_backup, open_reader

            reader = open_reader(self.db_path)
            if reader is None:  # new, or to be upgraded: only the full open can do that
                with self._db_lock:
                    self._db = self._open_full()
                warnings = self._db.warnings
                reader = open_reader(self.db_path)
                if reader is None:  # pragma: no cover - the full open leaves it at the current schema
                    raise RuntimeError("the database is not at the current schema after opening it")
            else:
                warning = daily_backup(reader.path)
                warnings = [warning] if warning else []
            self._reader = reader
            for warning in warnings:
                self.call_from_thread(self.notify, warning, title="Backup", severity="warning", timeout=15)
        except BaseException as exc:
            self.call_from_thread(
                self.notify, user_message(exc), title="Cannot open the database", severity="error", timeout=30
            )
        finally:
            self._db_ready.set()

    def _open_full(self) -> Database:
        from tracker.db import open_database

        return open_database(self.db_path, create_dir=self.create_dir)

    def wait_for_reader(self, timeout: float = 60) -> Reader:
        """Called from worker threads only: block until the database is open for plain reads."""
        from tracker.domain.errors import StorageError

        if not self._db_ready.wait(timeout):
            raise StorageError("the database took too long to open")
        if self._reader is None:
            raise StorageError("no database is open (the first message said why)")
        return self._reader

    @property
    def orm_open(self) -> bool:
        """Whether the ORM side is open (the first change of a session opens it, which takes a moment)."""
        return self._db is not None

    def wait_for_db(self, timeout: float = 60) -> Database:
        """Called from worker threads only: the database with its ORM side, opened on first use."""
        reader = self.wait_for_reader(timeout)
        with self._db_lock:
            if self._db is None:
                from tracker.db import open_database

                self._db = open_database(reader.path, backup=False)  # today's backup is taken
            return self._db

    def on_unmount(self) -> None:
        self._db_ready.set()  # a worker still waiting for a database that never opened gives up
        if self._watcher is not None:
            self._watcher.close()
        if self._db is not None:
            self._db.close()

    # -- the user's keymap ---------------------------------------------------
    @work(thread=True, exit_on_error=False, group="keymap")
    def _load_keymap(self) -> None:
        """Read keymap.toml from the config folder (tracker/ui/keymap.py); a bad file says why."""
        from tracker import paths
        from tracker.ui.keymap import KeymapError, load_keymap

        try:
            keymap = load_keymap(paths.keymap_path())
        except KeymapError as exc:
            self.call_from_thread(
                self.notify, str(exc), title="Keymap not used", severity="error", timeout=20
            )
            return
        if keymap:
            self.call_from_thread(self.set_keymap, keymap)

    # -- changes made elsewhere -------------------------------------------
    def _start_watching(self) -> None:
        """Look for changes every ``watch_interval`` seconds (in a worker: it touches the file)."""
        if self._reader is None or self._watcher is not None:
            return
        from tracker.store import ChangeWatcher

        self._watcher = ChangeWatcher(self._reader.path)
        self._look_for_changes()  # the first look only notes where the file stands
        self.set_interval(self.watch_interval, self._look_for_changes, name="watch-db")

    def _look_for_changes(self) -> None:
        if self._watching or self._quitting or self._watcher is None:
            return
        self._watching = True
        self._look(self._watcher)

    @work(thread=True, exit_on_error=False, group="watch-db")
    def _look(self, watcher: ChangeWatcher) -> None:
        try:
            changed = watcher.changed()
        finally:
            self._watching = False
        if changed:
            self.call_from_thread(self.database_changed)

    def database_changed(self) -> None:
        """Show what the database holds now on the visible screen (under any dialog).

        Screens not shown reload when they are shown again (their ScreenResume).
        """
        if self._quitting:
            return
        from tracker.ui.base import DbScreen

        for screen in reversed(self.screen_stack):
            if isinstance(screen, DbScreen):
                screen.data_changed()
                return

    def write_started(self, worker: Any) -> None:
        self._pending_writes = {w for w in self._pending_writes if not w.is_finished}
        self._pending_writes.add(worker)

    def write_committed(self) -> None:
        # The screen that wrote reloads in the same transaction; a later look need not reload it.
        if self._watcher is not None:
            self._watcher.absorb()

    # -- keys ---------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        """Once quit is pressed, no key does anything more (typed-ahead text after a q)."""
        if self._quitting and isinstance(event, (events.Key, events.MouseEvent)):
            return
        await super().on_event(event)

    async def action_quit(self) -> None:
        """Quit at once, but only after every change already asked for is saved."""
        self._quitting = True
        pending = [w for w in self._pending_writes if not w.is_finished]
        self._pending_writes.clear()
        if pending:
            import asyncio
            import contextlib

            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.workers.wait_for_complete(pending), timeout=30)
        self.exit()

    async def action_tab_key(self, backwards: bool = False) -> None:
        """Tab and shift+tab move the focus at once, before the keys typed after them are handed on.

        Textual gives a key to the focused widget first and runs a screen's Tab binding only when
        the key comes back up, so a fast typist's "sertraline<Tab>100mg" put "100mg" into the
        name field of first run. As a priority binding the move happens in turn; a widget's own
        Tab (the time-zone field accepting its suggestion, the PHQ-9/GAD-7 switch) still runs.
        """
        from tracker.ui.commands import parse_action

        key = "shift+tab" if backwards else "tab"
        for namespace, bindings in self.screen._modal_binding_chain:
            if namespace is self:
                continue
            for binding in bindings.key_to_bindings.get(key, ()):
                name, params = parse_action(binding.action)
                if name.removeprefix("app.") in ("focus_next", "focus_previous"):
                    continue  # Textual's own move, done below
                if namespace.check_action(name, params):
                    await self.run_action(binding.action, namespace)
                    return
        if backwards:
            self.screen.focus_previous()
        else:
            self.screen.focus_next()

    async def _on_key(self, event: events.Key) -> None:
        """A key that applies nowhere now says why, instead of doing nothing silently.

        (Textual calls App._on_key too, which runs the bindings; this one only explains.)
        """
        reason = self._disabled_reason(event.key)
        if reason:
            self.notify(reason, title="Not now", timeout=4)

    def _disabled_reason(self, key: str) -> str | None:
        """Why the key's action is dimmed (the node's ``why_disabled``), or None when it has no
        binding that is shown dimmed here."""
        from tracker.ui.commands import parse_action

        reason: str | None = None
        for namespace, bindings in self.screen._modal_binding_chain:
            for binding in bindings.key_to_bindings.get(key, ()):
                name, params = parse_action(binding.action)
                try:
                    state = namespace.check_action(name, params)
                except Exception:  # a check that fails is no reason to fail the key
                    continue
                if state:
                    return None  # another binding of the key runs
                if state is None and reason is None:
                    why = getattr(namespace, "why_disabled", None)
                    text = why(name) if callable(why) else None
                    reason = text or f"{binding.description} is not available here just now."
        return reason

    # -- start-up settings and theme --------------------------------------
    def _apply_startup(self, values: dict[str, Any]) -> None:
        from tracker.ui.themes import RENAMED

        theme = values.get("theme")
        theme = RENAMED.get(theme, theme) if isinstance(theme, str) else theme
        if isinstance(theme, str) and theme in self.available_themes and theme != self.theme:
            self.theme = theme
        self._saved_theme = self.theme
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self._start_watching()
        self._load_keymap()
        if not values.get("first_run_done"):
            from tracker.ui.screens.first_run import FirstRunScreen

            self.push_screen(FirstRunScreen())

    def _theme_changed(self, theme: Theme) -> None:
        """Remember a theme chosen in the command palette (or Settings)."""
        if theme.name == self._saved_theme:
            return
        self._saved_theme = theme.name
        name = theme.name

        def save(session: Session) -> None:
            from tracker.services import settings

            settings.set_setting(session=session, key="theme", value=name)

        start_db_worker(self, self, save, None, write=True, group="theme")

    def get_system_commands(self, screen: Any) -> Any:
        """Textual's own palette commands, but Quit only once (it is also a key, listed with the keys)."""
        for command in super().get_system_commands(screen):
            if command.title != "Quit":
                yield command

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Mode keys: off while a ``BLOCKS_MODES`` screen (the welcome) is open; none for the current mode."""
        if action == "switch_mode":
            # (False hides a key in Textual; None shows it greyed out)
            if getattr(self.screen, "BLOCKS_MODES", False):
                return False
            if parameters and parameters[0] == self.current_mode:
                return False  # no key for the screen already shown
        return True


def _startup_settings(session: Reads) -> dict[str, Any]:
    from tracker.services import settings

    return {
        "theme": settings.get_setting(session=session, key="theme"),
        "first_run_done": settings.get_setting(session=session, key="first_run_done"),
    }


def run_app(
    db_path: Path, *, create_dir: bool = False, after_first_frame: Callable[[], None] | None = None
) -> int:
    TrackerApp(db_path, create_dir=create_dir, after_first_frame=after_first_frame).run()
    return 0
