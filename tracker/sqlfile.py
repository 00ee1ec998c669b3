"""The database file itself: the one way to look at it, check it and connect to it.

The lowest storage module (below ``tracker.backups`` and ``tracker.store``; it
imports neither). Every path that touches the file goes through here:

- connections are made from the plain path, never a URI built by someone else, so
  ``%41`` or ``?`` in a file name is just part of the name (``connect``), and
  read-only ones through a fully quoted URI (``ro_uri``);
- ``prepare`` runs before the first connection of a process: it refuses a folder, a
  foreign or damaged file and a ``-wal`` that does not belong to the file, and rolls back
  a hot journal left by a crash (refusing when that cannot be done);
- ``connect_ro`` reads a database on a read-only mount with no ``-shm`` (``immutable``);
- ``require_ours`` checks that a SQLite file holds taper-tracker's own tables, not just
  an ``alembic_version`` row.

Errors are ``Damaged`` (a ``DatabaseDamagedError`` carrying the reason; the layers
above add the newest good backup to the message) or ``StorageError``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import stat
import threading
from pathlib import Path
from urllib.parse import quote

from tracker import paths
from tracker.domain.errors import DatabaseDamagedError, StorageError

BUSY_TIMEOUT_MS = 10_000
SQLITE_MAGIC = b"SQLite format 3\x00"
WAL_MAGIC = (0x377F0682, 0x377F0683)
DAMAGE_WORDS = ("malformed", "not a database", "corrupt")
# Tables every taper-tracker schema since the first release has: a file without them is foreign.
OUR_TABLES = frozenset({"alembic_version", "medication", "doseevent", "symptom", "symptomentry", "checkin"})


class Damaged(DatabaseDamagedError):
    """The file cannot be used as it is; ``reason`` says why (the file was not changed)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path} cannot be opened: {reason}. It was left untouched.")
        self.path = path
        self.reason = reason


# --------------------------------------------------------------------------- reading the file's bytes
#
# On POSIX, closing ANY descriptor of a file drops EVERY fcntl lock this process holds on it,
# SQLite's own included (its shared lock, which tells another process's last connection not to
# checkpoint and delete the -wal and -shm). A header read with open()/close() while a connection
# of this process is open would silently unlock the file. So every read of a database's (or a
# -wal's, or a -journal's) bytes goes through ``read_head``: one descriptor per file (device and
# inode), opened once and never closed while the process lives (SQLite keeps its own descriptors
# the same way); reads use os.pread, so threads share it without a file position.

_HEADS: dict[tuple[int, int], tuple[int, str]] = {}  # (st_dev, st_ino) -> (descriptor, path it was opened by)
_SPARE: list[int] = []  # a second descriptor of a file already held (a rename race): kept open too
_HEADS_LOCK = threading.Lock()


def _head_fd(path: Path) -> int:
    st = os.stat(path)
    held = _HEADS.get((st.st_dev, st.st_ino))
    if held is not None:
        return held[0]
    if not stat.S_ISREG(st.st_mode):  # a folder, a device, a pipe: not ours to hold (nor to block on)
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    st = os.fstat(fd)
    key = (st.st_dev, st.st_ino)
    if not stat.S_ISREG(st.st_mode):  # replaced between the stat and the open; nothing locks it
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    if key in _HEADS:  # the name moved to a file already held: closing this one would unlock it
        _SPARE.append(fd)
        return _HEADS[key][0]
    _HEADS[key] = (fd, str(Path(path).absolute()))
    return fd


def read_head(path: Path, n: int, *, at: int = 0) -> bytes:
    """Up to ``n`` bytes of the regular file ``path`` from offset ``at`` (fewer at its end).

    The one way this process reads a database's bytes: through a descriptor kept open for the
    file's lifetime in the process, never a close that would drop SQLite's locks (see above).
    Raises OSError (FileNotFoundError for a missing file; EINVAL for a folder, a device, a pipe).
    """
    with _HEADS_LOCK:
        fd = _head_fd(path)
    return os.pread(fd, n, at)


def release_heads(under: Path | None = None) -> None:
    """Close the descriptors ``read_head`` holds (those of the file ``under`` or of files under it).

    Only for a moment when this process has no SQLite connection to those files (a test
    unmounting a filesystem it made, after closing its connections): a close drops their locks.
    """
    top = None if under is None else str(Path(under).absolute()).rstrip("/")
    with _HEADS_LOCK:
        for key, (fd, name) in list(_HEADS.items()):
            if top is None or name == top or name.startswith(top + "/"):
                del _HEADS[key]
                os.close(fd)
        if under is None:
            while _SPARE:
                os.close(_SPARE.pop())


def journal_file(db_path: Path) -> Path:
    """SQLite's rollback journal beside ``db_path``."""
    return db_path.with_name(db_path.name + "-journal")


def keep_private(path: Path) -> None:
    """Drop group and other permissions from ``path``; never add any.

    Unlike a plain chmod 0600 this keeps a file the user made read-only read-only,
    so a write to it fails with a clear message instead of silently succeeding.
    """
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return
    if mode & ~paths.FILE_MODE:
        with contextlib.suppress(OSError):  # a read-only mount: nothing can widen it either
            os.chmod(path, mode & paths.FILE_MODE)


def ro_uri(path: Path, *, immutable: bool = False) -> str:
    """A read-only SQLite URI for ``path`` (quoted, so '?', '#' or '%' cannot change its meaning)."""
    uri = f"file:{quote(str(Path(path).absolute()))}?mode=ro"
    return uri + "&immutable=1" if immutable else uri


def connect_for_app(path: Path) -> sqlite3.Connection:
    """The app's connection: read-write, or read-only (``connect_ro``) on a read-only mount,
    where reads work and a write fails with SQLite's "readonly" error."""
    path = Path(path)
    if _read_only_mount(path.parent):
        return connect_ro(path)
    return connect(path)


def connect(path: Path) -> sqlite3.Connection:
    """A read-write connection to exactly ``path`` (no URI parsing), with ``synchronous = FULL``
    (every commit synced to the disk, whatever the build's default)."""
    conn = sqlite3.connect(
        str(Path(path).absolute()), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
    )
    _durable(conn)
    return conn


def _durable(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA synchronous = FULL")


def _nonempty(path: Path) -> bool:
    try:
        return os.stat(path).st_size > 0
    except (FileNotFoundError, NotADirectoryError):
        return False


def _writable_here(db_path: Path) -> bool:
    return os.access(db_path.parent, os.W_OK) and not _read_only_mount(db_path.parent)


def _read_only_mount(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def connect_ro(path: Path) -> sqlite3.Connection:
    """A read-only connection; on a read-only mount without a ``-shm`` it reads the file as immutable.

    SQLite needs a ``-shm`` file to read a WAL database; on a read-only filesystem it
    cannot create one, so a clean database there (no ``-wal`` left) is opened immutable.
    """
    path = Path(path)
    shm = paths.sidecar_files(path)[1]
    immutable = (
        _read_only_mount(path.parent) and not shm.exists() and not _nonempty(paths.sidecar_files(path)[0])
    )
    conn = sqlite3.connect(
        ro_uri(path, immutable=immutable), uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
    )
    _durable(conn)  # synchronous FULL here too: one rule for every connection, whatever it is used for
    return conn


def apply_pragmas(dbapi_connection: sqlite3.Connection) -> None:
    """The pragmas every read-write connection must have, in one place (synchronous FULL included)."""
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
    cur = dbapi_connection.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = FULL")
    cur.close()


def file_problem(db_path: Path) -> str | None:
    """What is wrong with the file's SQLite header, from its first 100 bytes (None when it looks sound).

    An empty file gives None (a database not yet created: the open path decides whether
    that is allowed). A file that is not a regular file (``/dev/null``, a folder) is a problem.
    """
    try:
        st = os.stat(db_path)
        if stat.S_ISDIR(st.st_mode):
            return "it is a folder, not a database file"
        if not stat.S_ISREG(st.st_mode):
            return "it is not a regular file (a device or a pipe), not a database"
        header = read_head(db_path, 100)
        size = st.st_size
    except OSError as exc:
        raise StorageError(f"cannot read {db_path}: {exc.strerror}") from exc
    if not header:
        return None
    if header[: len(SQLITE_MAGIC)] != SQLITE_MAGIC:
        return "it is not a taper-tracker database (not SQLite, or damaged)"
    if len(header) < 100:
        return "it is cut short (only part of the file is there)"
    page_size = _page_size(header)
    pages = int.from_bytes(header[28:32], "big")
    # The page count is valid only when "version-valid-for" matches the change counter, and the
    # file alone tells the truth only without a -wal: a checkpoint cut short (full disk, crash)
    # leaves the header ahead of the file while the WAL still holds every page.
    wal = paths.sidecar_files(db_path)[0]
    if header[92:96] == header[24:28] and pages and size < page_size * pages and not _nonempty(wal):
        return f"it is cut short ({size} of {page_size * pages} bytes)"
    return None


def _page_size(header: bytes) -> int:
    size = int.from_bytes(header[16:18], "big")
    return 65536 if size == 1 else size


def wal_problem(db_path: Path) -> str | None:
    """Why the ``-wal`` beside ``db_path`` cannot belong to it (None when it can, or there is none).

    A WAL records the page size it was written with and, in every frame, the salts of
    its header; a WAL written for another database with another page size, or one whose
    first frame does not carry its own header's salts, is not this file's. Frames for page 1
    carry the database header, whose ``application_id`` (taper-tracker's per-file identity,
    set by ``stamp_identity``) must match the file's own.
    """
    wal = paths.sidecar_files(db_path)[0]
    try:
        head = read_head(wal, 32)
        if not head:
            return None
        db_header = read_head(db_path, 100)
        if len(head) < 32 or int.from_bytes(head[0:4], "big") not in WAL_MAGIC:
            return f"its {wal.name} file is not a SQLite write-ahead log"
        if len(db_header) < 100:
            return None
        wal_page = int.from_bytes(head[8:12], "big")
        if wal_page != _page_size(db_header):
            return f"its {wal.name} file comes from another database (page size {wal_page})"
        salts = head[16:24]
        ident = db_header[68:72]
        lineages: list[int] = []  # the lineage tag of every page-1 frame, oldest first
        offset = 32
        while True:
            frame = read_head(wal, 24 + 100, at=offset)
            if len(frame) < 24 or frame[8:16] != salts:
                break  # the end of this WAL's frames (older frames are ignored by SQLite)
            if int.from_bytes(frame[0:4], "big") == 1:
                page1 = frame[24:]
                if len(page1) == 100 and page1[68:72] != ident and any(ident):
                    return f"its {wal.name} file comes from another database or a diverged copy"
                if len(page1) == 100:
                    lineages.append(int.from_bytes(page1[60:64], "big"))
            offset += 24 + wal_page
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StorageError(f"cannot read {wal}: {exc.strerror}") from exc
    if lineages and not _same_lineage(int.from_bytes(db_header[60:64], "big"), lineages):
        return (
            f"its {wal.name} file comes from a diverged copy of this database (both were changed "
            "after the copy was made; merging them would mix their pages)"
        )
    return None


# --------------------------------------------------------------------------- lineage
#
# Every write transaction of the app (tracker.db's BEGIN IMMEDIATE) gives the database header a
# new lineage tag (``PRAGMA user_version``): its high 16 bits are the low 16 bits of the tag
# before it, its low 16 bits random. So the page-1 frames of a -wal name the state they were
# written on: the file beside it must be that state (the -wal's base: the link of its first
# page-1 frame) or a later one of the same -wal (a checkpoint copied some of its frames in).
# A copy changed on its own after it was made carries another tag, and its -wal is refused
# (wrongly accepted only by a 1 in 65,536 match of 16 random bits).


def next_lineage(current: int) -> int:
    """The lineage tag of the write after one whose tag is ``current``, as ``PRAGMA user_version``
    takes it (a signed 32-bit integer)."""
    tag = ((current & 0xFFFF) << 16) | int.from_bytes(os.urandom(2), "big")
    return tag - (1 << 32) if tag >= 1 << 31 else tag


def _same_lineage(db_tag: int, wal_tags: list[int]) -> bool:
    """Whether a file whose header carries ``db_tag`` is the base, or a checkpointed state, of a
    -wal whose page-1 frames carry ``wal_tags`` (unsigned, oldest first)."""
    return db_tag in wal_tags or (db_tag & 0xFFFF) == wal_tags[0] >> 16


def stamp_identity(conn: sqlite3.Connection) -> None:
    """Give the database a random identity (``application_id``) if it has none yet.

    Run inside a write transaction; the identity is what ``wal_problem`` compares.
    """
    if not conn.execute("PRAGMA application_id").fetchone()[0]:
        conn.execute(f"PRAGMA application_id = {new_identity()}")


def new_identity() -> int:
    """A random, non-zero 31-bit database identity."""
    return int.from_bytes(os.urandom(4), "big") & 0x7FFFFFFF or 1


def journal_is_hot(db_path: Path) -> bool:
    """Whether the ``-journal`` beside ``db_path`` holds a change to roll back (SQLite's own rule).

    A journal is hot when it is not empty and the first byte of its header is not zero. SQLite
    writes a journal's header zeroed, syncs the old pages, and only then writes its magic number:
    a crash before that (a kill at the first fdatasync of the switch to WAL) leaves a journal with
    a zeroed header, which SQLite never rolls back because nothing in the file was changed yet.
    """
    try:
        return read_head(journal_file(db_path), 1) not in (b"", b"\x00")
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise StorageError(f"cannot read {journal_file(db_path)}: {exc.strerror}") from exc


def _remove_cold_journal(db_path: Path) -> None:
    """Remove a cold ``-journal`` (zeroed header: nothing to roll back) left by a crash.

    A journal being written by a live transaction also starts zeroed, so it is removed only
    under a write lock of our own (``BEGIN IMMEDIATE``: no other connection can be writing a
    journal then), and only if it is still cold. Busy (another program writing): left alone.
    """
    journal = journal_file(db_path)
    if not _nonempty(journal) or journal_is_hot(db_path) or not _writable_here(db_path):
        return
    conn = connect(db_path)
    try:
        conn.isolation_level = None
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                return  # its owner is writing; the journal is theirs
            raise Damaged(db_path, f"its left-over -journal file could not be removed ({exc})") from exc
        try:
            if _nonempty(journal) and not journal_is_hot(db_path):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(journal)
                paths.fsync_dir(db_path.parent)
        finally:
            conn.execute("ROLLBACK")
    finally:
        conn.close()


def recover_journal(db_path: Path) -> None:
    """Roll back a hot rollback journal left by a crash (a change cut short), or refuse; remove a
    cold one (``journal_is_hot``: a zeroed header means nothing was changed yet).

    A read-only connection cannot roll it back, and every later open would fail; a
    read-write one does it on its first read. When the file or folder is read-only the
    database cannot be used until the journal is rolled back: ``Damaged`` says so.
    """
    if not _nonempty(journal_file(db_path)):
        return
    if not journal_is_hot(db_path):
        _remove_cold_journal(db_path)
        return
    if not _writable_here(db_path) or not os.access(db_path, os.W_OK):
        raise Damaged(
            db_path,
            "a change cut short by a crash is still in its -journal file, and the file or its folder "
            "is read-only so it cannot be rolled back",
        )
    conn = connect(db_path)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise Damaged(db_path, f"its unfinished change could not be rolled back ({exc})") from exc
    finally:
        conn.close()


def check_header(db_path: Path) -> None:
    """Refuse a file that is not a SQLite database or whose -wal is not its own, before SQLite touches it."""
    if not os.path.lexists(db_path):
        return
    problem = file_problem(db_path)
    if problem is None:
        problem = wal_problem(db_path)
    if problem is not None:
        raise Damaged(db_path, problem)


def prepare(db_path: Path) -> None:
    """The checks of every open, before the first connection: header, -wal, hot journal."""
    check_header(db_path)
    if os.path.exists(db_path):
        recover_journal(db_path)


def require_ours(conn: sqlite3.Connection, db_path: Path) -> str | None:
    """The Alembic revision of a taper-tracker database; None if empty; ``Damaged`` if foreign."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not tables:
        return None
    if not tables >= OUR_TABLES:
        raise Damaged(db_path, "it is a SQLite database but not one of taper-tracker's")
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    if row is None:
        raise Damaged(db_path, "it is a SQLite database but not one of taper-tracker's (no schema version)")
    return str(row[0])


def schema_revision(db_path: Path) -> str | None:
    """The Alembic revision stamped in the file, or None for an empty database."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    try:
        conn = connect_ro(db_path)
    except sqlite3.Error as exc:
        raise storage_error(exc, db_path) from exc
    try:
        return require_ours(conn, db_path)
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and not any(w in str(exc) for w in DAMAGE_WORDS):
            raise StorageError(f"cannot read {db_path} ({exc})") from exc
        raise Damaged(db_path, f"it cannot be read as a database ({exc})") from exc
    finally:
        conn.close()


def storage_error(exc: BaseException, db_path: Path) -> StorageError:
    """Turn a driver error into a message a user can act on.

    Only the driver's own text is used (never SQLAlchemy's, which carries the SQL
    and its parameters), so no medication or symptom data reaches the message.
    """
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc)
    if any(word in text for word in DAMAGE_WORDS):
        return Damaged(db_path, f"it is damaged ({text})")
    if "readonly" in text or "read-only" in text:
        return StorageError(
            f"cannot write to {db_path}: the file or its folder is read-only; nothing was saved"
        )
    if "unable to open" in text:
        return StorageError(
            f"cannot open {db_path}: the file or its folder is read-only or not accessible; nothing was saved"
        )
    if "full" in text:
        return StorageError("the disk is full; nothing was saved and earlier entries are intact")
    if "disk I/O error" in text:
        return StorageError(
            "the database could not be written (a disk error: the disk may be full or failing); "
            "nothing was saved and earlier entries are intact"
        )
    if "locked" in text or "busy" in text:
        return StorageError("the database is busy in another program; nothing was saved, try again")
    return StorageError(f"the database could not be written ({text}); nothing was saved")


def integrity_check(db_path: Path, *, quick: bool = False, ours: bool = True) -> list[str]:
    """Problems found by ``PRAGMA integrity_check`` (or ``quick_check``) and ``foreign_key_check``.

    Empty when sound. With ``ours`` a SQLite file without taper-tracker's tables, an empty
    file and anything that is not a regular file are problems too. Opens the file read-only
    and never changes it (a hot journal is reported, not rolled back).
    """
    db_path = Path(db_path).expanduser()
    if not os.path.lexists(db_path):
        raise StorageError(f"{db_path} does not exist")
    problem = file_problem(db_path) or wal_problem(db_path)
    if problem:
        return [problem]
    if ours and db_path.stat().st_size == 0:
        return ["it is empty (0 bytes): no database is there"]
    if journal_is_hot(db_path):
        return ["a change cut short by a crash is still in its -journal file (open it once to roll it back)"]
    try:
        conn = connect_ro(db_path)
        try:
            if ours:
                require_ours(conn, db_path)
            pragma = "quick_check" if quick else "integrity_check"
            rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
            problems = [r for r in rows if r != "ok"]
            fk = conn.execute("PRAGMA foreign_key_check").fetchall()
            problems += [f"broken reference in {r[0]} row {r[1]}" for r in fk]
        finally:
            conn.close()
    except Damaged as exc:
        return [exc.reason]
    except sqlite3.DatabaseError as exc:
        return [f"not readable as a database ({exc})"]
    return problems


# --------------------------------------------------------------------------- the page check, early

_EARLY: dict[Path, tuple[tuple[object, ...] | None, threading.Thread, list[list[str]]]] = {}
_EARLY_LOCK = threading.Lock()


def _fingerprint(db_path: Path) -> tuple[object, ...] | None:
    """What changes when anyone writes the file or its log: identity, size and time of both."""
    try:
        main = os.stat(db_path)
    except OSError:
        return None
    try:
        log = os.stat(paths.sidecar_files(db_path)[0])
        # an empty log is no log: a reader (the check itself) creates one
        wal: tuple[int, int, int] | None = (log.st_ino, log.st_size, log.st_mtime_ns) if log.st_size else None
    except OSError:
        wal = None
    return (main.st_dev, main.st_ino, main.st_size, main.st_mtime_ns, wal, journal_file(db_path).exists())


def start_page_check(db_path: Path) -> None:
    """Begin the page check that comes before a command's first write (``PRAGMA quick_check``,
    as ``tracker.db.verify_pages`` runs it) in a thread, while the command imports the ORM.

    SQLite releases the interpreter lock while it reads, so on a second core the check of a
    big file costs the command nothing. Read-only and never changes the file; its result is
    used only when it found every page sound and the file and its log have not changed since
    it began (:func:`early_page_check_passed`), else the check runs again where it always did.
    """
    path = Path(db_path).expanduser().absolute()
    with _EARLY_LOCK:
        if path in _EARLY or not path.is_file():
            return
        found: list[list[str]] = []
        before = _fingerprint(path)

        def check() -> None:
            with contextlib.suppress(Exception):  # any failure: the check before the write runs again
                found.append(integrity_check(path, quick=True, ours=False))

        worker = threading.Thread(target=check, name="page-check", daemon=True)
        _EARLY[path] = (before, worker, found)
    worker.start()


def early_page_check_passed(db_path: Path) -> bool:
    """True when :func:`start_page_check` of this file found every page sound and neither the
    file nor its log has changed since it began (waits for the check to end)."""
    path = Path(db_path).expanduser().absolute()
    with _EARLY_LOCK:
        entry = _EARLY.pop(path, None)
    if entry is None:
        return False
    before, worker, found = entry
    worker.join()
    return before is not None and found == [[]] and _fingerprint(path) == before


def end_page_checks() -> None:
    """Wait for any early page check still running and forget it (a command that ended before
    its first write, refused or failed): no check outlives the command that started it."""
    with _EARLY_LOCK:
        entries = list(_EARLY.values())
        _EARLY.clear()
    for _before, worker, _found in entries:
        worker.join()
