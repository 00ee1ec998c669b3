"""Where taper-tracker keeps its files, and the permission rules for them.

Every platformdirs call and every chmod lives here. The folder is private to
its owner (0700) and every file the app writes (database, backups, exports) is
readable by its owner only (0600).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
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
    """Create ``path`` (and parents) if missing; leave it 0700 (a wider existing one is tightened)."""
    if not path.exists():
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    tighten_dir(path)


def tighten_dir(path: Path) -> None:
    """Drop group and other permissions from a folder the app owns (never add any)."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode & ~DIR_MODE:
            os.chmod(path, mode & DIR_MODE)
    except OSError:  # missing, or on a read-only mount: nothing to do, nothing anyone can widen
        pass


def make_private(path: Path) -> None:
    """Set an existing file to 0600; missing files are ignored."""
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, FILE_MODE)


def create_private_file(path: Path) -> None:
    """Create an empty file with mode 0600 if it does not exist, so SQLite never widens it.

    Never follows a symbolic link planted at ``path``.
    """
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_NOFOLLOW, FILE_MODE)
    os.close(fd)
    make_private(path)


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - filesystems that cannot sync a folder
        pass
    finally:
        os.close(fd)


def new_private_temp(path: Path) -> tuple[Path, int]:
    """A new temporary file beside ``path`` (hidden, random name, 0600), created with O_EXCL and
    O_NOFOLLOW so that nothing planted in the folder (a file, a link) is ever written through."""
    while True:
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
        try:
            fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, FILE_MODE)
        except FileExistsError:  # pragma: no cover - 32 random bits taken
            continue
        os.fchmod(fd, FILE_MODE)
        return tmp, fd


def write_private_bytes(path: Path, data: bytes) -> None:
    """The one safe way to write a whole file: a new temporary file (O_EXCL|O_NOFOLLOW, 0600),
    written and fsynced, renamed over ``path``, then the folder fsynced, so a crash leaves
    either the old file or the complete new one, and never writes through a planted link."""
    tmp, fd = new_private_temp(path)
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
    fsync_dir(path.parent)


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
