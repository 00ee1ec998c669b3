"""Crash safety: writer processes killed with SIGKILL at random moments lose nothing they reported.

tests/helpers/crash_writer.py logs doses through the real services and
``Database.write`` and prints each dose's id right after its commit. The test
kills it, over and over, at random moments: mostly after a random number of
reported commits plus a random fraction of a transaction, sometimes while it is
still starting up (opening, taking the daily backup). Afterwards
``PRAGMA integrity_check`` must be ok and every reported id must be in the file.

The quick form (20 kills) runs by default; ``pytest -m slow`` runs the long one.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tracker.db import integrity_check, open_database

WRITER = Path(__file__).parents[1] / "helpers" / "crash_writer.py"


def _start(db_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WRITER), str(db_path), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _ids(text: str) -> set[int]:
    """Ids from complete lines only: a line cut by the kill was never a promise."""
    return {int(line) for line in text.splitlines(keepends=True) if line.endswith("\n") and line.strip()}


def _kill_round(db_path: Path, rng: random.Random, n: int) -> set[int]:
    """Start a writer, kill it at a random moment, return the ids it reported."""
    proc = _start(db_path, "--tag", f"round{n}")
    assert proc.stdout is not None and proc.stderr is not None
    reported: set[int] = set()
    if rng.random() < 0.2:
        # somewhere in start-up: imports, open, pragmas, the daily backup, the first commits
        time.sleep(rng.uniform(0.0, 0.6))
    else:
        wanted = rng.randint(1, 30)
        for line in proc.stdout:
            reported |= _ids(line)
            if len(reported) >= wanted:
                break
        else:
            pytest.fail(f"the writer stopped by itself (exit {proc.wait()}): {proc.stderr.read()}")
        # a random point inside the next transaction (a few ms each), not just between two
        time.sleep(rng.uniform(0.0, 0.004))
    proc.send_signal(signal.SIGKILL)
    rest, err = proc.communicate()
    assert proc.returncode == -signal.SIGKILL, err
    return reported | _ids(rest)


def _check_after_crashes(db_path: Path, kills: int, seed: int) -> None:
    rng = random.Random(seed)
    reported: set[int] = set()
    for n in range(kills):
        reported |= _kill_round(db_path, rng, n)
    assert integrity_check(db_path) == []
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in conn.execute("SELECT id FROM doseevent")}
    finally:
        conn.close()
    assert len(reported) > kills  # the rounds really wrote (most report several commits)
    assert reported - stored == set()
    db = open_database(db_path)  # and it still opens normally, with nothing left to repair
    db.close()


def test_sigkill_at_random_moments_loses_no_reported_commit(tmp_path: Path) -> None:
    db_path = tmp_path / "tracker.db"
    open_database(db_path).close()
    _check_after_crashes(db_path, kills=20, seed=20261128)


@pytest.mark.slow
def test_sigkill_long_run(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("the long form runs with `pytest -m slow`")
    db_path = tmp_path / "tracker.db"
    open_database(db_path).close()
    _check_after_crashes(db_path, kills=200, seed=7)


def test_two_writer_processes_at_once_lose_nothing(tmp_path: Path) -> None:
    db_path = tmp_path / "tracker.db"
    open_database(db_path).close()
    procs = [_start(db_path, "--tag", tag, "--count", "150") for tag in ("a", "b")]
    results = [p.communicate(timeout=120) for p in procs]
    for p, (_, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err
        assert "locked" not in err and err == ""
    ids = [_ids(out) for out, _ in results]
    assert len(ids[0]) == len(ids[1]) == 150
    assert ids[0].isdisjoint(ids[1])
    conn = sqlite3.connect(db_path)
    try:
        notes = {row[0] for row in conn.execute("SELECT note FROM doseevent")}
    finally:
        conn.close()
    assert notes == {f"{tag}-{i}" for tag in ("a", "b") for i in range(150)}
    assert integrity_check(db_path) == []
