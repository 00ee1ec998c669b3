"""A real desktop notification, end to end: `tracker remind --notify` (its own process, through
desktop-notifier and dbus-fast) delivers to an org.freedesktop.Notifications server on a
private D-Bus session bus that this test starts, and the test reads it back from the server.

Skips only when dbus-daemon is not installed (.ci/run installs the `dbus` package).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

HELPER = Path(__file__).parent.parent / "helpers" / "notification_server.py"
TRACKER = Path(sys.executable).with_name("tracker")

pytestmark = pytest.mark.skipif(
    shutil.which("dbus-daemon") is None, reason="dbus-daemon is not installed (apt package dbus)"
)


def _wait_for(condition: object, what: str, timeout: float = 20.0) -> None:
    """Poll until ``condition()`` is true (no fixed sleep: it returns as soon as it holds)."""
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


class Bus:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.daemon = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.daemon.stdout is not None
        self.address = self.daemon.stdout.readline().strip()
        assert self.address.startswith("unix:"), self.address
        self.server: subprocess.Popen[bytes] | None = None
        self.out = tmp / "received.jsonl"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["DBUS_SESSION_BUS_ADDRESS"] = self.address
        env.pop("DISPLAY", None)
        return env

    def start_server(self, action: str | None = None) -> None:
        self.stop_server()
        self.out = self.tmp / f"received-{action or 'none'}.jsonl"
        ready = Path(f"{self.out}.ready")
        self.server = subprocess.Popen(
            [sys.executable, str(HELPER), str(self.out), *([action] if action else [])], env=self.env()
        )
        _wait_for(ready.exists, "the notification server to own its bus name")

    def received(self) -> list[dict[str, object]]:
        if not self.out.exists():
            return []
        return [json.loads(line) for line in self.out.read_text().splitlines()]

    def stop_server(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=10)
            self.server = None

    def close(self) -> None:
        self.stop_server()
        self.daemon.terminate()
        self.daemon.wait(timeout=10)


@pytest.fixture
def bus(tmp_path: Path) -> Iterator[Bus]:
    b = Bus(tmp_path)
    yield b
    b.close()


def tracker(bus: Bus, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(TRACKER), *args], env=bus.env(), capture_output=True, text=True, timeout=120)


@pytest.fixture
def dbp(tmp_path: Path, bus: Bus) -> str:
    path = str(tmp_path / "t.db")
    assert tracker(bus, "med", "add", "Sertraline", "--strength", "50mg", "--db", path).returncode == 0
    rx = ("rx", "set", "sertraline", "50mg", "--times", "08:00", "--from", "2026-11-25", "--db", path)
    assert tracker(bus, *rx).returncode == 0
    return path


def test_a_dose_notification_reaches_a_real_server_once(bus: Bus, dbp: str) -> None:
    bus.start_server()
    first = tracker(bus, "remind", "--notify", "--quiet", "--now", "2026-12-02T08:05:00+00:00", "--db", dbp)
    assert first.returncode == 10, first.stderr
    assert first.stderr == ""
    got = bus.received()
    dose = [n for n in got if n["summary"] == "Dose due at 08:00"]
    assert len(dose) == 1
    assert dose[0]["app_name"] == "taper-tracker"
    assert dose[0]["actions"] == {"default": "", "taken": "Taken", "snooze": "Snooze 15 min"}
    assert all("Sertraline" not in str(n["summary"]) + str(n["body"]) for n in got)  # names are off
    # the timer's next run, 15 minutes later: nothing new to say
    again = tracker(bus, "remind", "--notify", "--quiet", "--now", "2026-12-02T08:20:00+00:00", "--db", dbp)
    assert again.returncode == 10 and bus.received() == got


def test_pressing_taken_on_the_notification_logs_the_dose(bus: Bus, dbp: str) -> None:
    bus.start_server(action="taken")
    run = tracker(
        bus, "remind", "--notify", "--wait", "30", "--now", "2026-12-02T08:05:00+00:00", "--db", dbp
    )
    assert "Logged the 08:00 dose as taken." in run.stdout, run.stderr
    with sqlite3.connect(dbp) as conn:
        rows = conn.execute("SELECT status, amount_mg, scheduled_for FROM doseevent").fetchall()
    conn.close()
    assert [(r[0], r[1]) for r in rows] == [("taken", 50.0)] and rows[0][2].startswith("2026-12-02 08:00")


def test_snooze_on_the_notification_brings_it_back_after_15_minutes(bus: Bus, dbp: str) -> None:
    bus.start_server(action="snooze")
    run = tracker(
        bus, "remind", "--notify", "--wait", "30", "--now", "2026-12-02T08:05:00+00:00", "--db", dbp
    )
    assert "Snoozed the 08:00 dose until 08:20." in run.stdout, run.stderr
    bus.start_server()  # a server that leaves the buttons alone
    tracker(bus, "remind", "--notify", "--quiet", "--now", "2026-12-02T08:15:00+00:00", "--db", dbp)
    assert [n for n in bus.received() if n["summary"] == "Dose due at 08:00"] == []  # still snoozed
    tracker(bus, "remind", "--notify", "--quiet", "--now", "2026-12-02T08:30:00+00:00", "--db", dbp)
    assert [n["summary"] for n in bus.received()].count("Dose due at 08:00") == 1


def test_without_a_bus_the_run_says_why_and_sends_later(tmp_path: Path, bus: Bus, dbp: str) -> None:
    env = bus.env()
    env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={tmp_path / 'no-such-bus'}"
    args = [str(TRACKER), "remind", "--notify", "--quiet", "--now", "2026-12-02T08:05:00+00:00", "--db", dbp]
    down = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert down.returncode == 10
    assert down.stderr.startswith("tracker: could not send a desktop notification:")
    assert "Traceback" not in down.stderr
    bus.start_server()
    tracker(bus, "remind", "--notify", "--quiet", "--now", "2026-12-02T08:20:00+00:00", "--db", dbp)
    assert [n["summary"] for n in bus.received()].count("Dose due at 08:00") == 1
