"""Helpers of the fault suite: the real ``tracker`` command line as a subprocess, real mounts.

Every fault here is real: strace's ``-e inject`` kills the process at the K-th call of a
system call, filesystems are read-only bind mounts and small tmpfs mounts (we run as root),
damage is written into the file's bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.helpers.mounts import read_only  # noqa: F401 (the fault tests import it from here)
from tracker import sqlfile

TRACKER = str(Path(sys.executable).with_name("tracker"))
STRACE = shutil.which("strace")


def run(
    *argv: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``tracker ARGV`` as a user would run it."""
    return subprocess.run(
        [TRACKER, *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "TRACKER_DEBUG": "", **(env or {})},
    )


def run_killed(syscall: str, when: int, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``tracker ARGV`` killed (SIGKILL) at the ``when``-th call of ``syscall`` in any of its threads."""
    assert STRACE, "strace is installed by .ci/run"
    return subprocess.run(
        [STRACE, "-f", "-qq", "-o", "/dev/null", "-e", f"trace={syscall}",
         "-e", f"inject={syscall}:signal=KILL:when={when}", TRACKER, *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
    )  # fmt: skip


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def checkins(db: Path) -> list[tuple[str, int]]:
    conn = sqlite3.connect(f"file:{quote(str(db))}?mode=ro", uri=True)
    try:
        return [(r[0], r[1]) for r in conn.execute("SELECT day, mood FROM checkin ORDER BY day")]
    finally:
        conn.close()


def ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr


def one_line_refusal(result: subprocess.CompletedProcess[str]) -> None:
    """Exit 2 and one line on stderr: a refusal, never a traceback or "unexpected error"."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr


@pytest.fixture(scope="session")
def _db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data folder of ``db``, made once per session by the command line."""
    path = tmp_path_factory.mktemp("template") / "data" / "t.db"
    path.parent.mkdir()
    ok(run("med", "add", "Sertraline", "--strength", "50mg", "--db", str(path)))
    ok(run("rx", "set", "sertraline", "50mg", "--from", "2026-01-01", "--db", str(path)))
    for day, mood in (("-3", "5"), ("-2", "6"), ("-1", "7")):
        ok(run("log", "checkin", "--mood", mood, "--day", day, "--db", str(path)))
    assert sorted(p.name for p in path.parent.iterdir()) == ["backups", "t.db"]  # closed: no -wal left
    return path.parent


@pytest.fixture
def db(tmp_path: Path, _db_template: Path) -> Path:
    """A database with a medication, a prescription and three check-ins, made by the command line
    (once per session; each test gets its own copy of the folder, backups/ included)."""
    shutil.copytree(_db_template, tmp_path / "data")
    return tmp_path / "data" / "t.db"


@contextlib.contextmanager
def small_tmpfs(folder: Path, size: str) -> Iterator[None]:
    """A real tmpfs of ``size`` mounted on ``folder`` (which must exist)."""
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)], check=True)
    try:
        yield
    finally:
        sqlfile.release_heads(folder)
        subprocess.run(["umount", str(folder)], check=True)


FAULT_RUNS: dict[str, int] = {}


def count_run(kind: str) -> None:
    FAULT_RUNS[kind] = FAULT_RUNS.get(kind, 0) + 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FAULT_RUNS:
        total = sum(FAULT_RUNS.values())
        parts = ", ".join(f"{k} {n}" for k, n in sorted(FAULT_RUNS.items()))
        terminalreporter.write_line(f"fault injection: {total} killed runs ({parts})")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The full fault matrix runs only when asked for: ``pytest -m faults_full``."""
    if "faults_full" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="the full fault matrix runs with `pytest -m faults_full`")
    for item in items:
        if "faults_full" in item.keywords:
            item.add_marker(skip)
