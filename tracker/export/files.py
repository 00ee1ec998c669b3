"""Checks and writes for export targets: only where the user said, always mode 0600.

Every problem becomes a ``TrackerError`` with one line naming the path, raised before
anything is written, so the command line exits with status 2 and leaves no partial file
(``tracker.paths`` writes through a temporary file and a rename).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from tracker import paths
from tracker.domain.errors import TrackerError


def _why_not(path: Path) -> str:
    """Why a path cannot be written: its file system is mounted read-only, or permissions."""
    try:
        read_only = bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        read_only = False
    return "read-only file system" if read_only else "permission denied"


def _check_folder(folder: Path) -> None:
    if not folder.exists():
        raise TrackerError(f"the folder {folder} does not exist; create it first or choose another place")
    if not folder.is_dir():
        raise TrackerError(f"{folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise TrackerError(f"cannot write to the folder {folder} ({_why_not(folder)})")


def check_target_file(path: Path) -> Path:
    """The absolute path of an export file, after checking that it can be written there."""
    target = Path(path).expanduser().absolute()
    if target.is_dir():
        raise TrackerError(f"{target} is a folder; give a file name such as {target / 'summary.pdf'}")
    _check_folder(target.parent)
    if target.exists() and not os.access(target, os.W_OK):
        raise TrackerError(f"cannot overwrite {target} ({_why_not(target)})")
    return target


def check_target_dir(path: Path) -> Path:
    """The absolute path of an existing, writable export folder."""
    target = Path(path).expanduser().absolute()
    _check_folder(target)
    return target


def write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically with mode 0600; OS errors become TrackerError."""
    try:
        paths.write_private_bytes(path, data)
    except OSError as exc:
        raise TrackerError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return path


def write_text(path: Path, text: str) -> Path:
    return write_bytes(path, text.encode("utf-8"))


def write_streamed(path: Path, write: Callable[[TextIO], Any]) -> Path:
    """Let ``write`` stream UTF-8 text into ``path``: a private temporary file renamed into place
    once complete (mode 0600), so a failure part way leaves no partial export."""
    tmp: Path | None = None
    try:
        tmp, fd = paths.new_private_temp(path)  # O_EXCL|O_NOFOLLOW, as every file the app writes
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        paths.fsync_dir(path.parent)
    except OSError as exc:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        raise TrackerError(f"cannot write {path}: {exc.strerror or exc}") from exc
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        raise
    return path
