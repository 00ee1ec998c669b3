"""Where taper-tracker keeps its files, and the permission rules for them.

Every platformdirs call and every chmod lives here. The folder is private to
its owner (0700) and every file the app writes (database, backups, exports) is
readable by its owner only (0600).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

APP_NAME = "taper-tracker"
DB_FILENAME = "tracker.db"
DEMO_FILENAME = "demo.db"
ENV_DB = "TRACKER_DB"
DIR_MODE = 0o700
FILE_MODE = 0o600


def data_dir() -> Path:
    """The user data folder for the app (not created here)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    """The database path: ``$TRACKER_DB`` if set, else ``tracker.db`` in the data folder."""
    env = os.environ.get(ENV_DB, "").strip()
    if env:
        return Path(env).expanduser()
    return data_dir() / DB_FILENAME


def demo_db_path() -> Path:
    """The demo database, kept apart from the real one."""
    return data_dir() / DEMO_FILENAME


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (and parents) if missing; a folder the app creates is 0700."""
    if not path.exists():
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        os.chmod(path, DIR_MODE)


def make_private(path: Path) -> None:
    """Set an existing file to 0600; missing files are ignored."""
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, FILE_MODE)


def create_private_file(path: Path) -> None:
    """Create an empty file with mode 0600 if it does not exist, so SQLite never widens it."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE)
    os.close(fd)
    make_private(path)


def open_private_for_write(path: Path, binary: bool = False) -> int:
    """Open ``path`` for writing (truncating), created 0600; returns a file descriptor."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, FILE_MODE)
    os.fchmod(fd, FILE_MODE)
    return fd


def write_private_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temp file + rename), mode 0600."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = open_private_for_write(tmp)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    make_private(path)


def write_private_text(path: Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically, mode 0600."""
    write_private_bytes(path, text.encode("utf-8"))


def sidecar_files(db_path: Path) -> list[Path]:
    """SQLite's -wal and -shm files beside ``db_path``."""
    return [db_path.with_name(db_path.name + "-wal"), db_path.with_name(db_path.name + "-shm")]


def backups_dir(db_path: Path) -> Path:
    """The ``backups/`` folder beside the database."""
    return db_path.parent / "backups"


def config_dir() -> Path:
    """The user config folder for the app (not created here)."""
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False))


def keymap_path() -> Path:
    """``keymap.toml`` in the config folder: the user's own keys, by binding id."""
    return config_dir() / "keymap.toml"
