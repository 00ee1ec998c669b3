"""Backup commands: ``tracker backup [--out FILE]``, ``tracker backups``, ``tracker restore FILE``.

These work on the database file itself (they never migrate it), so they also
help when the database cannot be opened.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tracker.cli.common import emit_json, resolve_db

DbArg = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, db_arg: DbArg) -> None:
    p = sub.add_parser("backup", help="copy the database now (into backups/ beside it, or to --out FILE)")
    db_arg(p)
    p.add_argument("--out", metavar="FILE", default=None, help="write the copy here (a new file or a folder)")
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("backups", help="list the backups beside the database, newest first")
    db_arg(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_backups)

    p = sub.add_parser(
        "restore",
        help="replace the database with a backup (checked first; the current database is backed up)",
    )
    db_arg(p)
    p.add_argument("file", metavar="FILE", help="the backup to restore (see `tracker backups`)")
    p.set_defaults(handler=cmd_restore)


def human_size(size: int) -> str:
    """``812 B``, ``312 KB``, ``4.2 MB``."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def cmd_backup(args: argparse.Namespace) -> int:
    from tracker import backups

    path, _ = resolve_db(args)
    out = Path(args.out) if args.out else None
    copy = backups.make_backup(path, out=out)
    print(f"Backup written to {copy} ({human_size(copy.stat().st_size)})")
    return 0


def cmd_backups(args: argparse.Namespace) -> int:
    from tracker import backups, paths

    path, _ = resolve_db(args)
    rows = backups.list_backups(path.expanduser().absolute())
    if args.json:
        emit_json(
            [
                {
                    "path": str(b.path),
                    "kind": b.kind,
                    "taken_at": b.taken_at.isoformat(),
                    "size": b.size,
                }
                for b in rows
            ]
        )
        return 0
    folder = paths.backups_dir(path.expanduser().absolute())
    if not rows:
        print(f"No backups yet in {folder}. Make one with: tracker backup")
        return 0
    print(f"Backups in {folder}, newest first:")
    for b in rows:
        when = b.taken_at.astimezone().strftime("%Y-%m-%d %H:%M")
        note = "  (damaged database kept for recovery, not a backup)" if b.kind == "damaged" else ""
        print(f"  {when}  {b.kind:<9} {human_size(b.size):>8}  {b.path.name}{note}")
    print("Restore one with: tracker restore FILE")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from tracker import backups

    path, create_dir = resolve_db(args)
    result = backups.restore(path, Path(args.file), create_dir=create_dir)
    print(f"Restored {path} from {result.restored_from} (schema {result.revision}).")
    if result.safety_copy is not None:
        print(f"The database as it was before is kept in {result.safety_copy}.")
    if result.moved_aside is not None:
        print(f"The damaged database was moved, unchanged, to {result.moved_aside}.")
    print("If taper-tracker is open in another window, restart it.")
    return 0
