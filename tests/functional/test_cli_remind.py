"""`tracker remind install|uninstall|status` against a private XDG_CONFIG_HOME (and HOME), the
unit files checked by `systemd-analyze verify`; `tracker log dose --snooze`; and the light path."""

from __future__ import annotations

import plistlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.system import timer


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    xdg = tmp_path / "xdg-config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return xdg / "systemd" / "user"


@pytest.fixture
def dbp(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> str:
    path = str(tmp_path / "t.db")
    assert run(capsys, "med", "add", "Sertraline", "--strength", "50mg", "--db", path)[0] == 0
    assert (
        run(
            capsys,
            "rx",
            "set",
            "sertraline",
            "50mg",
            "--times",
            "08:00",
            "--from",
            "2026-11-25",
            "--db",
            path,
        )[0]
        == 0
    )
    return path


def test_install_writes_a_user_timer_that_systemd_accepts_and_uninstall_removes_it(
    capsys: pytest.CaptureFixture[str],
    config: Path,
    dbp: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(timer, "platform_kind", lambda platform=None: "systemd")
    code, out, _ = run(capsys, "remind", "install", "--every", "30m", "--files-only", "--db", dbp)
    assert code == 0 and "systemctl --user enable --now taper-tracker-remind.timer" in out
    service = (config / "taper-tracker-remind.service").read_text()
    unit = (config / "taper-tracker-remind.timer").read_text()
    assert f"--notify --quiet --wait 600 --db {Path(dbp).absolute()}" in service
    assert service.splitlines()[5].startswith(f"ExecStart={sys.executable} -m tracker remind")
    assert "SuccessExitStatus=10" in service  # exit 10 (reminders due) is not a failure
    assert "OnCalendar=*:0/30" in unit and "Persistent=true" in unit
    if shutil.which("systemd-analyze"):
        runtime = tmp_path / "runtime"
        runtime.mkdir(mode=0o700)
        env = {
            "XDG_RUNTIME_DIR": str(runtime),
            "XDG_CONFIG_HOME": str(config.parent.parent),
            "PATH": "/usr/bin:/bin",
        }
        files = [str(config / "taper-tracker-remind.timer"), str(config / "taper-tracker-remind.service")]
        check = subprocess.run(
            ["systemd-analyze", "--user", "verify", *files],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert check.returncode == 0, check.stderr
    code, out, _ = run(capsys, "remind", "status", "--db", dbp)
    assert code == 0 and out.splitlines()[0].startswith("Reminder timer: installed")
    assert "Last run: never" in out
    code, out, _ = run(capsys, "remind", "uninstall")
    assert code == 0 and "Removed" in out
    assert not any(config.iterdir())
    code, out, _ = run(capsys, "remind", "status", "--db", dbp)
    assert "not installed" in out and "tracker remind install" in out


def test_status_reports_the_last_run(
    capsys: pytest.CaptureFixture[str], config: Path, dbp: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    code, _, err = run(
        capsys, "remind", "--notify", "--quiet", "--now", "2026-12-02T08:05:00+00:00", "--db", dbp
    )
    assert code == 10 and err.startswith("tracker: could not send a desktop notification")
    _, out, _ = run(capsys, "remind", "status", "--db", dbp)
    assert "Last run: 2026-12-02 08:05" in out and "0 notifications sent" in out
    assert "Last problem:" in out


def test_launchd_agent_and_other_platforms(config: Path, tmp_path: Path) -> None:
    outcome = timer.install(every=15, db=None, kind="launchd", activate=False)
    path = tmp_path / "home" / "Library" / "LaunchAgents" / "org.taper-tracker.remind.plist"
    assert outcome.files == [path]
    agent = plistlib.loads(path.read_bytes())
    assert agent["StartInterval"] == 900 and agent["ProgramArguments"][1:5] == [
        "-m",
        "tracker",
        "remind",
        "--notify",
    ]
    assert timer.installed(kind="launchd")[0]
    timer.uninstall(kind="launchd", activate=False)
    assert not path.exists()
    create = timer.schtasks_create(15, None)
    assert create[:7] == ["schtasks", "/Create", "/SC", "MINUTE", "/MO", "15", "/TN"]
    assert timer.cron_line(60, None).startswith("0 * * * * ")
    lines = timer.install(every=20, db=None, kind="cron").lines
    assert any(line.startswith("*/20 * * * * ") for line in lines)
    assert not (config.exists() and any(config.iterdir()))  # cron: nothing written


@pytest.mark.parametrize("every", ["7m", "0", "2h", "soon", "15s"])
def test_bad_every_is_refused(capsys: pytest.CaptureFixture[str], config: Path, every: str) -> None:
    code, out, err = run(capsys, "remind", "install", "--every", every, "--files-only")
    assert (
        code == 2 and out == "" and err.startswith("tracker: --every is one of 5m, 10m, 15m, 20m, 30m or 1h")
    )
    assert not config.exists()


def test_log_dose_snooze(capsys: pytest.CaptureFixture[str], dbp: str) -> None:
    import time_machine

    with time_machine.travel("2026-12-02 08:10:00+00:00", tick=False):
        code, out, err = run(capsys, "log", "dose", "sertraline", "--snooze", "30m", "--db", dbp)
    assert (code, err) == (0, "")
    assert out == (
        "Sertraline: the 08:00 dose is snoozed until 08:40; "
        "it still counts as missed at 14:00 if not logged\n"
    )
    with sqlite3.connect(dbp) as conn:
        assert conn.execute("SELECT count(*) FROM doseevent").fetchone() == (0,)  # nothing logged as taken
        assert len(conn.execute("SELECT * FROM dosesnooze").fetchall()) == 1
    conn.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--snooze", "soon"], "snooze for a time such as 15m"),
        (["--snooze", "7h"], "snooze for 5 minutes to 6 hours"),
        (["20mg", "--snooze", "30m"], "--snooze puts off the dose due now"),
        (["--at", "yesterday 20:00"], "give the amount taken"),  # no scheduled dose near
    ],
)
def test_log_dose_snooze_bad_input(
    capsys: pytest.CaptureFixture[str], dbp: str, args: list[str], message: str
) -> None:
    code, out, err = run(capsys, "log", "dose", "sertraline", *args, "--db", dbp)
    assert code == 2 and out == "" and err.startswith("tracker: ") and message in err
    with sqlite3.connect(dbp) as conn:
        assert conn.execute(
            "SELECT (SELECT count(*) FROM doseevent) + (SELECT count(*) FROM dosesnooze)"
        ).fetchone() == (0,)
    conn.close()


def test_nothing_due_to_snooze(capsys: pytest.CaptureFixture[str], dbp: str) -> None:
    import time_machine

    with time_machine.travel("2026-12-02 05:00:00+00:00", tick=False):
        code, _, err = run(capsys, "log", "dose", "sertraline", "--snooze", "30m", "--db", dbp)
    assert code == 2 and err == "tracker: Sertraline has no dose due now to snooze\n"


def _loaded_after(argv: list[str]) -> list[str]:
    code = (
        "import sys\n"
        "from tracker.cli import main\n"
        f"main({argv!r})\n"
        "print(sorted(m for m in ('desktop_notifier', 'dbus_fast', 'textual') if m in sys.modules))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "TZ": "UTC"}  # no session bus
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    return list(eval(done.stdout.strip().splitlines()[-1]))


def test_remind_notify_stays_light(dbp: str, tmp_path: Path) -> None:
    now = ["--now", "2026-12-02T08:05:00+00:00"]
    # nothing due: neither the notification library nor Textual is imported
    assert _loaded_after(["remind", "--notify", "--quiet", *now, "--db", str(tmp_path / "empty.db")]) == []
    # something to send: the library, only then; Textual never
    assert _loaded_after(["remind", "--notify", "--quiet", *now, "--db", dbp]) == [
        "dbus_fast",
        "desktop_notifier",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--notify", "--wait", "soon"], "--wait is a number of seconds from 0 to 3600"),
        (["--notify", "--wait", "-1"], "--wait is a number of seconds from 0 to 3600"),
        (["--notify", "--wait", "7200"], "--wait is a number of seconds from 0 to 3600"),
        (["--notify", "--now", "tomorrowish"], "--now is an ISO date and time"),
    ],
)
def test_remind_bad_options(
    capsys: pytest.CaptureFixture[str], dbp: str, args: list[str], message: str
) -> None:
    code, out, err = run(capsys, "remind", *args, "--db", dbp)
    assert code == 2 and out == "" and err.startswith("tracker: ") and message in err
    with sqlite3.connect(dbp) as conn:
        assert conn.execute("SELECT count(*) FROM notifyrun").fetchone() == (0,)  # nothing written
    conn.close()
