"""The command line: ``tracker [COMMAND] ...``.

Exit status 0 on success, 2 on bad input or usage (one line on stderr naming the
problem, nothing written), 1 only for unexpected failures. Textual is imported
only when the UI opens; SQLModel only when a command touches the database.

Start-up is mostly imports (SQLAlchemy, SQLModel, the models), which create a
few hundred thousand long-lived objects and no garbage worth collecting, yet
make the cyclic garbage collector run over and over. So ``main`` switches the
collector off while a command starts; ``resume_gc`` switches it back on (after
freezing what start-up made, so later collections never scan it) before the
real work: once the database is open, and before the UI runs. A command-line
run also freezes everything at the end, so the interpreter's exit does not walk
every object once more. Together these take about a quarter off ``tracker log dose``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from tracker.cli.common import emit_json, end_gc, pause_gc, resolve_db, resume_gc
from tracker.domain.errors import TrackerError
from tracker.domain.text import printable

__all__ = ["UsageError", "build_parser", "emit_json", "main", "resolve_db", "resume_gc"]

Handler = Callable[[argparse.Namespace], int]


class _Printable:
    """Standard output without terminal control codes: a name or note holding an escape sequence
    cannot clear the screen or move the cursor (line breaks, tabs and CR LF for .ics pass)."""

    _CONTROL = str.maketrans({c: " " for c in [*range(0, 9), 11, 12, *range(14, 32), 127, *range(128, 160)]})

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return int(self._stream.write(text.translate(self._CONTROL)))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class UsageError(TrackerError):
    """The command line itself is wrong."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        where = self.prog.removeprefix("tracker").strip()
        raise UsageError(f"{where + ': ' if where else ''}{message} (see `{self.prog} --help`)")


def _db_arg(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=None if top else argparse.SUPPRESS,
        help="database file (default: $TRACKER_DB, else tracker.db in the user data folder)",
    )


class _Unused:
    """Stands in for the parser of a command this run does not name: every call is absorbed."""

    def __call__(self, *_args: Any, **_kwargs: Any) -> _Unused:
        return self

    def __getattr__(self, _name: str) -> _Unused:
        return self


class _OnlyCommand:
    """The top-level sub-parsers, building the parser of one named command only.

    Building every command's parser is about a fifth of a quick command's own work (some
    20 ms); a run that names its command first (``tracker log dose ...``) needs that one.
    """

    def __init__(self, sub: Any, name: str) -> None:
        self._sub, self._name, self.found = sub, name, False

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        if name != self._name:
            return _Unused()
        self.found = True
        return self._sub.add_parser(name, **kwargs)


def _build(command: str | None) -> tuple[argparse.ArgumentParser, bool]:
    from tracker.cli import commands

    parser = _Parser(
        prog="tracker",
        description="Track antidepressant doses, supervised tapers and discontinuation symptoms. "
        "Run without a command to open the terminal UI.",
        epilog="Information and tracking only, not medical advice: always involve your health professional.",
    )
    _db_arg(parser, top=True)
    parser.add_argument("--version", action="version", version=f"taper-tracker {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    only = None if command is None else _OnlyCommand(sub, command)
    commands.register(sub if only is None else only, _db_arg)
    return parser, only is None or only.found


def build_parser() -> argparse.ArgumentParser:
    """The parser of the whole command line."""
    return _build(None)[0]


def parser_for(args_list: Sequence[str]) -> argparse.ArgumentParser:
    """A parser for ``args_list``: when it starts with a command's name, one that knows that
    command only (it parses that command's arguments, and words its errors and help, as the
    whole parser does); else the whole parser (``--help``, an option first, a typo: the
    messages then name every command)."""
    if args_list and not args_list[0].startswith("-"):
        parser, found = _build(args_list[0])
        if found:
            return parser
    return build_parser()


def _version() -> str:
    from tracker import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tracker`` script; returns the exit status.

    ``argv`` None means the script itself (the arguments are ``sys.argv``): the
    process ends when this returns. Callers that pass ``argv`` and go on (tests)
    get the garbage collector back as they had it.
    """
    pause_gc(whole_process=argv is None)
    os.umask(0o077)  # every file this process creates is private to its owner
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        ui_args = _ui_only(args_list)
        if ui_args is not None:
            return _open_ui(ui_args)
        if argv is None and not isinstance(sys.stdout, _Printable):  # commands, not the UI
            sys.stdout = _Printable(sys.stdout)
        args = parser_for(args_list).parse_args(args_list)
        handler: Handler = getattr(args, "handler", None) or _open_ui
        if getattr(handler, "__name__", "") in _LOGGING_COMMANDS:
            _start_page_check(args)
        return handler(args)
    except TrackerError as exc:
        # one line, whatever line breaks the user's own input put into the message
        print(f"tracker: {printable(str(exc), 1000)}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # the environment refused (a name too long, a read-only folder, a full disk)
        where = f" ({printable(str(exc.filename), 120)})" if exc.filename else ""
        print(f"tracker: {exc.strerror or type(exc).__name__}{where}; nothing was written", file=sys.stderr)
        return 2
    except RecursionError:
        print("tracker: the input is nested too deeply; nothing was written", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tracker: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: say so plainly, without health data
        if os.environ.get("TRACKER_DEBUG"):
            raise
        print(
            f"tracker: unexpected error ({type(exc).__name__}); nothing more was written. "
            "Run with TRACKER_DEBUG=1 for details.",
            file=sys.stderr,
        )
        return 1
    finally:
        if "tracker.cli.core" in sys.modules:
            sys.modules["tracker.cli.core"].close_all()
        if "tracker.sqlfile" in sys.modules:
            sys.modules["tracker.sqlfile"].end_page_checks()
        end_gc()


_LOGGING_COMMANDS = frozenset(
    {"cmd_log_dose", "cmd_log_symptom", "cmd_log_checkin", "cmd_log_scale", "cmd_undo"}
)
"""The quick, frequent writes: their page check starts in a thread while the ORM is imported."""


def _start_page_check(args: argparse.Namespace) -> None:
    from tracker import sqlfile

    path, _ = resolve_db(args)
    sqlfile.start_page_check(path)


def _open_ui(args: argparse.Namespace) -> int:
    db_path, create_dir = resolve_db(args)
    from tracker.ui.app import run_app

    # The UI runs for hours: normal collection (minus the frozen start-up objects) resumes once
    # the first frame is on screen, so no collection competes with the first paint.
    return run_app(db_path, create_dir=create_dir, after_first_frame=resume_gc)


def _ui_only(args: list[str]) -> argparse.Namespace | None:
    """``tracker`` or ``tracker --db PATH``: open the UI without building every subcommand's parser."""
    if not args:
        return argparse.Namespace(db=None)
    if len(args) == 2 and args[0] == "--db" and args[1] and not args[1].startswith("-"):
        return argparse.Namespace(db=args[1])
    if len(args) == 1 and args[0].startswith("--db=") and len(args[0]) > len("--db="):
        return argparse.Namespace(db=args[0].removeprefix("--db="))
    return None
