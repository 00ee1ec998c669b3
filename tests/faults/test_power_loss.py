"""A power cut just after the command line said "saved": every acknowledged entry survives.

``powercut.c`` (an LD_PRELOAD shim built here with gcc) records every write to a file in the
database's folder that is not yet followed by an fsync/fdatasync of that file, and undoes them
all when the process exits, as a disk would be left if the power went off at that moment with
nothing of the page cache written back. SIGKILL cannot show this (the page cache survives a
killed process); this does: with ``synchronous = NORMAL`` a commit's -wal frames are not synced
and the entry vanishes. What it does not simulate is said in powercut.c and the README.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.faults.conftest import checkins, db, ok, run  # noqa: F401

SHIM = Path(__file__).with_name("powercut.c")


@pytest.fixture(scope="module")
def powercut(tmp_path_factory: pytest.TempPathFactory) -> Path:
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc is not installed, so the power-loss shim cannot be built (.ci/run installs it)")
    lib = tmp_path_factory.mktemp("powercut") / "powercut.so"
    subprocess.run(
        [gcc, "-shared", "-fPIC", "-O1", "-Wall", "-Werror", "-o", str(lib), str(SHIM), "-ldl"], check=True
    )
    return lib


def _cut_env(lib: Path, folder: Path, log: Path) -> dict[str, str]:
    return {"LD_PRELOAD": str(lib), "POWERCUT_DIR": f"{folder}/", "POWERCUT_LOG": str(log)}


def _reverted(log: Path) -> int:
    if not log.exists():
        return 0
    return sum(int(line.split()[1]) for line in log.read_text().splitlines())


def test_the_shim_drops_exactly_the_unsynced_writes(powercut: Path, tmp_path: Path) -> None:
    """The harness itself: a synced write stays, the write after it and an unsynced file go."""
    folder = tmp_path / "disk"
    folder.mkdir()
    script = (
        "import os, sys\n"
        "d = sys.argv[1]\n"
        "with open(d + '/kept', 'wb') as f:\n"
        "    f.write(b'synced'); f.flush(); os.fsync(f.fileno()); f.write(b' lost')\n"
        "with open(d + '/new', 'wb') as f:\n"
        "    f.write(b'never synced')\n"
        "fd = os.open(d + '/kept', os.O_RDWR); os.pwrite(fd, b'X', 0); os.close(fd)\n"
    )
    log = tmp_path / "log"
    env = {**os.environ, **_cut_env(powercut, folder, log)}
    subprocess.run(["python3", "-c", script, str(folder)], env=env, check=True)
    assert (folder / "kept").read_bytes() == b"synced"
    assert (folder / "new").read_bytes() == b""
    assert _reverted(log) == 3


def _holder(path: Path) -> subprocess.Popen[str]:
    """A reader that keeps the -wal open (as the UI does), so no closing checkpoint syncs it."""
    holder = subprocess.Popen(
        ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]);"
         "c.execute('SELECT count(*) FROM checkin').fetchone(); print('ready', flush=True);"
         "sys.stdin.read()", str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    return holder


@pytest.mark.parametrize("ui_open", [True, False], ids=["ui-open", "alone"])
def test_every_acknowledged_log_survives_a_power_cut(
    powercut: Path,
    db: Path,  # noqa: F811
    tmp_path: Path,
    ui_open: bool,
) -> None:
    log = tmp_path / "powercut.log"
    saved: list[tuple[str, int]] = []
    for i, mood in enumerate((2, 3, 4, 5)):
        holder = _holder(db) if ui_open else None
        try:
            day = -(10 + i)
            result = run("log", "checkin", "--mood", str(mood), "--day", str(day), "--db", str(db),
                         env=_cut_env(powercut, db.parent, log))  # fmt: skip
            ok(result)  # acknowledged: "saved"
            saved.append(((date.today() + timedelta(days=day)).isoformat(), mood))
        finally:
            if holder is not None:  # the power is off for every program
                holder.send_signal(signal.SIGKILL)
                holder.wait()
        ok(run("check", "--db", str(db)))
    assert set(saved) <= set(checkins(db))
