"""``tracker export summary|csv|json|fhir`` and ``tracker import json``.

Handlers import the export modules inside themselves (fpdf2 and fhir.resources are heavy)
so that ``tracker --help`` and every other command start without them. Every check runs
before anything is written: a bad date, a missing or unwritable folder, a bad backup file
ends with one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

DbArg = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, db_arg: DbArg) -> None:
    export = sub.add_parser("export", help="write a clinician summary, CSV files, a JSON backup or FHIR")
    actions = export.add_subparsers(dest="export_command", metavar="WHAT", required=True)

    p = actions.add_parser("summary", help="a clinician summary (PDF, HTML or Markdown) of a period")
    db_arg(p)
    p.add_argument(
        "--from",
        dest="start",
        default=None,
        metavar="DATE",
        help="first day (YYYY-MM-DD; default 89 days before --to)",
    )
    p.add_argument(
        "--to", dest="end", default=None, metavar="DATE", help="last day (YYYY-MM-DD; default today)"
    )
    p.add_argument(
        "--format",
        dest="fmt",
        default=None,
        choices=["pdf", "html", "md"],
        help="default: from the file name's extension, else pdf",
    )
    p.add_argument("--out", required=True, metavar="FILE", help="the file to write (its folder must exist)")
    p.set_defaults(handler=cmd_export_summary)

    p = actions.add_parser("csv", help="one CSV file per kind of record, for a spreadsheet")
    db_arg(p)
    p.add_argument("--out", required=True, metavar="DIR", help="an existing folder to write the files into")
    p.add_argument(
        "--no-bom",
        action="store_true",
        help="plain UTF-8 without the byte-order mark (the default has one, for spreadsheets)",
    )
    p.set_defaults(handler=cmd_export_csv)

    p = actions.add_parser("json", help="a complete backup of every table (for `tracker import json`)")
    db_arg(p)
    p.add_argument("--out", required=True, metavar="FILE")
    p.set_defaults(handler=cmd_export_json)

    p = actions.add_parser("fhir", help="a FHIR R4B Bundle of prescriptions, symptoms and check-ins")
    db_arg(p)
    p.add_argument("--out", required=True, metavar="FILE")
    p.set_defaults(handler=cmd_export_fhir)

    p = actions.add_parser(
        "ics", help="planned taper steps, prescriber check-ins and appointments as a calendar"
    )
    db_arg(p)
    p.add_argument(
        "--out", required=True, metavar="FILE", help="the .ics file to write (- for standard output)"
    )
    p.add_argument(
        "--check-in-days",
        type=int,
        default=3,
        metavar="N",
        help="days before each step for a check-in event (default 3)",
    )
    p.set_defaults(handler=_cmd_export_ics)

    imp = sub.add_parser("import", help="import a JSON backup")
    imports = imp.add_subparsers(dest="import_command", metavar="WHAT", required=True)
    p = imports.add_parser(
        "json", help="import a JSON backup into an empty database or merge it (no duplicates)"
    )
    db_arg(p)
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--dry-run", action="store_true", help="check the file and report what would change; write nothing"
    )
    p.set_defaults(handler=cmd_import_json)


def _clock(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    """The open database, now (UTC) and the user's zone."""
    from tracker.cli.core import open_db
    from tracker.domain.timeutil import utc_now
    from tracker.services.settings import user_zone

    db = open_db(args)
    with db.read() as session:
        tz = user_zone(session=session)
    return db, utc_now(), tz


def _cmd_export_ics(args: argparse.Namespace) -> int:
    """`tracker export ics` is `tracker taper ics` under the name the other exports use."""
    from tracker.cli.taper import cmd_ics

    return cmd_ics(args)


def cmd_export_summary(args: argparse.Namespace) -> int:
    """Write the clinician summary; a read-only command, so through the plain-SQL reader
    (``tracker.cli.core.reads``): the ORM is not imported for a database at the current schema."""
    from tracker.cli.core import reads
    from tracker.domain.errors import TrackerError
    from tracker.domain.timeutil import utc_now
    from tracker.domain.units import parse_day
    from tracker.export import files, summary
    from tracker.export.data import DEFAULT_DAYS
    from tracker.services.settings import user_zone

    out = Path(args.out)
    fmt = summary.format_for(out, args.fmt)
    files.check_target_file(out)  # before opening the database: a typo costs nothing
    _check_order(args.start, args.end)
    with reads(args) as source:
        now, tz = utc_now(), user_zone(session=source)
        today = now.astimezone(tz).date()
        end = parse_day(args.end, today=today, allow_future=True) if args.end else today
        if args.start:
            start = parse_day(args.start, today=today, allow_future=True)
        else:
            from datetime import timedelta

            start = end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise TrackerError(f"--from {start.isoformat()} is after --to {end.isoformat()}")
        path = summary.write_summary(session=source, start=start, end=end, fmt=fmt, out=out, now=now, tz=tz)
    print(f"Summary of {start.isoformat()} to {end.isoformat()} written to {path}")
    return 0


def _check_order(start: str | None, end: str | None) -> None:
    """Refuse --from after --to at once when both are plain dates (relative ones need the zone)."""
    from datetime import date

    from tracker.domain.errors import TrackerError

    try:
        first, last = date.fromisoformat(start or ""), date.fromisoformat(end or "")
    except ValueError:
        return
    if first > last:
        raise TrackerError(f"--from {first.isoformat()} is after --to {last.isoformat()}")


def cmd_export_csv(args: argparse.Namespace) -> int:
    from tracker.export import csv_export, files

    files.check_target_dir(Path(args.out))
    db, now, tz = _clock(args)
    try:
        with db.read() as session:
            written = csv_export.write_csv(
                session=session, out_dir=Path(args.out), tz=tz, now=now, bom=not args.no_bom
            )
    finally:
        db.close()
    print(f"{len(written)} CSV files written to {written[0].parent}: " + ", ".join(p.name for p in written))
    return 0


def cmd_export_json(args: argparse.Namespace) -> int:
    from tracker.export import files, json_io

    target = files.check_target_file(Path(args.out))
    db, now, _tz = _clock(args)
    try:
        with db.read() as session:  # streamed: table by table, row by row, as they are read
            files.write_streamed(target, lambda out: json_io.write_json(session=session, now=now, out=out))
    finally:
        db.close()
    print(f"Backup written to {target}")
    return 0


def cmd_export_fhir(args: argparse.Namespace) -> int:
    from tracker.export import fhir, files

    target = files.check_target_file(Path(args.out))
    db, now, _tz = _clock(args)
    try:
        with db.read() as session:
            files.write_streamed(target, lambda out: fhir.write_fhir(session=session, now=now, out=out))
    finally:
        db.close()
    print(f"FHIR R4B bundle written to {target}")
    return 0


def cmd_import_json(args: argparse.Namespace) -> int:
    import sqlite3

    from tracker import backups
    from tracker.domain.errors import TrackerError
    from tracker.export import json_io

    source = Path(args.file).expanduser()
    # every record checked once, before the database; the long tables of a file in the export's
    # layout are not held in memory but read again, from the same bytes, as they are written
    rows = json_io.load_backup(source, source.name)
    from tracker.cli.common import resolve_db
    from tracker.cli.core import open_db

    if args.dry_run:
        path, _create = resolve_db(args)
        result = _dry_run(path.expanduser(), rows, source.name)
        print(f"Dry run ({_mode(result.mode)}): {_counts(result, 'would be added')}. Nothing was written.")
        return 0
    db = open_db(args)
    try:
        try:
            copy = backups.backup_before(db.path, reason="import")
        except (OSError, sqlite3.Error) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
            raise TrackerError(
                f"the safety copy taken before an import could not be made ({reason}); nothing was imported"
            ) from None
        with db.write(audit=False) as session:
            result = json_io.import_backup(session=session, rows=rows, source=source.name)
    finally:
        db.close()
    print(
        f"Imported {source.name} ({_mode(result.mode)}): {_counts(result, 'added')}. "
        f"Backup taken first: {copy}"
    )
    return 0


def _dry_run(path: Path, rows: Any, source: str) -> Any:
    """Run the import in a transaction that is rolled back; a database that does not exist yet
    is stood in for by a temporary empty one, so that a dry run creates no file."""
    import tempfile

    from tracker.db import open_database
    from tracker.export import json_io

    with tempfile.TemporaryDirectory(prefix="tracker-dry-run-") as scratch:
        db = open_database(path if path.exists() else Path(scratch) / "empty.db", backup=False)
        try:
            with db.read() as session:
                result = json_io.import_backup(session=session, rows=rows, source=source)
                session.rollback()
        finally:
            db.close()
    return result


def _mode(mode: str) -> str:
    return "into an empty database" if mode == "empty" else "merged with the existing records"


def _counts(result: Any, verb: str) -> str:
    added = ", ".join(f"{n} {name}" for name, n in result.added.items() if n) or "none"
    return f"{result.total_added} records {verb} ({added}); {result.total_skipped} already present, skipped"
