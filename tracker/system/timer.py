"""The per-user timer that runs ``tracker remind --notify``: install, uninstall, status.

Linux with systemd: a user service and timer in ``$XDG_CONFIG_HOME/systemd/user``
(default ``~/.config``); macOS: a launchd agent in ``~/Library/LaunchAgents``; Windows:
a Task Scheduler entry (``schtasks``); anywhere else: the crontab line to add by hand.
Nothing is written or enabled unless the user runs ``tracker remind install``.
"""

from __future__ import annotations

import os
import plistlib
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tracker.domain.errors import TrackerError

UNIT = "taper-tracker-remind"
LAUNCHD_LABEL = "org.taper-tracker.remind"
EVERY_CHOICES = (5, 10, 15, 20, 30, 60)  # minutes: each divides an hour, so runs fall on the clock
DEFAULT_EVERY = 15


@dataclass
class Outcome:
    kind: str  # systemd, launchd, schtasks, cron
    files: list[Path] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # what to tell the user
    installed: bool = False


def parse_every(text: str) -> int:
    """``15m``, ``30min``, ``1h`` or ``15`` as minutes; one of 5, 10, 15, 20, 30 or 60."""
    raw = text.strip().lower().replace(" ", "")
    try:
        hours = raw.endswith("h")
        minutes = int(raw[:-1]) * 60 if hours else int(raw.removesuffix("min").removesuffix("m"))
    except ValueError:
        minutes = -1
    if minutes not in EVERY_CHOICES:
        choices = ", ".join(f"{m}m" for m in EVERY_CHOICES[:-1])
        raise TrackerError(f"--every is one of {choices} or 1h, not {text.strip()[:12]!r}")
    return minutes


def platform_kind(platform: str | None = None) -> str:
    """Which scheduler this machine has: systemd, launchd, schtasks or cron."""
    platform = platform or sys.platform
    if platform == "darwin":
        return "launchd"
    if platform == "win32":
        return "schtasks"
    if platform.startswith("linux") and shutil.which("systemctl"):
        return "systemd"
    return "cron"


def run_command(every: int, db: str | None) -> list[str]:
    """The command the timer runs: this Python, this package, the same database."""
    wait = max(60, min(600, every * 60 - 60))  # listen for "Taken"/"Snooze" until shortly before the next run
    return [
        sys.executable,
        "-m",
        "tracker",
        "remind",
        "--notify",
        "--quiet",
        "--wait",
        str(wait),
        *(["--db", str(Path(db).expanduser().absolute())] if db else []),
    ]


def systemd_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME", "").strip()
    return (Path(base) if base and Path(base).is_absolute() else Path.home() / ".config") / "systemd" / "user"


def _systemd_quote(arg: str) -> str:
    if arg and all(ch.isalnum() or ch in "/._-=:+," for ch in arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def systemd_units(every: int, db: str | None) -> dict[str, str]:
    """The service and timer unit files, by file name."""
    command = " ".join(_systemd_quote(a).replace("%", "%%") for a in run_command(every, db))
    calendar = "hourly" if every == 60 else f"*:0/{every}"
    service = (
        "[Unit]\n"
        "Description=taper-tracker reminders as desktop notifications\n"
        "\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"ExecStart={command}\n"
        "# exit status 10 means reminders are due: not a failure\n"
        "SuccessExitStatus=10\n"
        f"TimeoutStartSec={max(2, every - 1)}min\n"
    )
    timer = (
        "[Unit]\n"
        f"Description=Run taper-tracker reminders every {every} minutes\n"
        "\n"
        "[Timer]\n"
        f"OnCalendar={calendar}\n"
        "Persistent=true\n"
        "AccuracySec=30s\n"
        f"Unit={UNIT}.service\n"
        "\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    return {f"{UNIT}.service": service, f"{UNIT}.timer": timer}


def launchd_path() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / f"{LAUNCHD_LABEL}.plist"


def launchd_plist(every: int, db: str | None) -> bytes:
    return plistlib.dumps(
        {
            "Label": LAUNCHD_LABEL,
            "ProgramArguments": run_command(every, db),
            "StartInterval": every * 60,
            "RunAtLoad": True,
            "ProcessType": "Background",
        }
    )


def schtasks_create(every: int, db: str | None) -> list[str]:
    command = subprocess.list2cmdline(run_command(every, db))
    return ["schtasks", "/Create", "/SC", "MINUTE", "/MO", str(every), "/TN", UNIT, "/TR", command, "/F"]


def cron_line(every: int, db: str | None) -> str:
    minute = "0" if every == 60 else f"*/{every}"
    return f"{minute} * * * * {shlex.join(run_command(every, db))} >/dev/null 2>&1"


def _try(command: Sequence[str]) -> str | None:
    """Run a scheduler command; None when it worked, else a short reason."""
    if shutil.which(command[0]) is None:
        return f"{command[0]} is not available"
    try:
        done = subprocess.run(list(command), capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"{command[0]} failed ({type(exc).__name__})"
    if done.returncode != 0:
        first = (done.stderr or done.stdout).strip().splitlines()
        return f"{' '.join(command[:3])} failed: {first[0][:160] if first else done.returncode}"
    return None


def install(*, every: int, db: str | None, kind: str | None = None, activate: bool = True) -> Outcome:
    """Write (and, with ``activate``, switch on) the timer for this user."""
    kind = kind or platform_kind()
    out = Outcome(kind)
    if kind == "systemd":
        folder = systemd_dir()
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in systemd_units(every, db).items():
            path = folder / name
            path.write_text(text, encoding="utf-8")
            out.files.append(path)
        out.installed = True
        out.lines.append(f"Wrote {out.files[0]} and {out.files[1].name} (every {every} minutes).")
        problem = None
        if activate:
            problem = _try(["systemctl", "--user", "daemon-reload"]) or _try(
                ["systemctl", "--user", "enable", "--now", f"{UNIT}.timer"]
            )
        if activate and problem is None:
            out.lines.append("The timer is on: reminders will show as desktop notifications.")
        else:
            out.lines.append(
                (f"Could not switch it on ({problem}); " if problem else "")
                + "switch it on with: systemctl --user daemon-reload && "
                + f"systemctl --user enable --now {UNIT}.timer"
            )
    elif kind == "launchd":
        path = launchd_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(launchd_plist(every, db))
        out.files.append(path)
        out.installed = True
        out.lines.append(f"Wrote {path} (every {every} minutes).")
        problem = _try(["launchctl", "load", "-w", str(path)]) if activate else None
        if activate and problem is None:
            out.lines.append("The agent is loaded: reminders will show as notifications.")
        else:
            out.lines.append(
                (f"Could not load it ({problem}); " if problem else "")
                + f"load it with: launchctl load -w {path}"
            )
    elif kind == "schtasks":
        command = schtasks_create(every, db)
        problem = _try(command) if activate else "not switched on"
        out.installed = problem is None
        out.lines.append(
            f"Task Scheduler entry {UNIT} created (every {every} minutes)."
            if problem is None
            else f"Could not create the task ({problem}); create it with: {subprocess.list2cmdline(command)}"
        )
    else:
        out.lines.append("No user timer service found here. Add this line with `crontab -e`:")
        out.lines.append(cron_line(every, db))
        out.lines.append("(cron needs DBUS_SESSION_BUS_ADDRESS set for desktop notifications on Linux.)")
    return out


def uninstall(*, kind: str | None = None, activate: bool = True) -> Outcome:
    """Switch the timer off and remove its files; says what was there."""
    kind = kind or platform_kind()
    out = Outcome(kind)
    if kind == "systemd":
        if activate:
            _try(["systemctl", "--user", "disable", "--now", f"{UNIT}.timer"])
        for name in systemd_units(DEFAULT_EVERY, None):
            path = systemd_dir() / name
            if path.exists():
                path.unlink()
                out.files.append(path)
        if activate and out.files:
            _try(["systemctl", "--user", "daemon-reload"])
    elif kind == "launchd":
        path = launchd_path()
        if path.exists():
            if activate:
                _try(["launchctl", "unload", "-w", str(path)])
            path.unlink()
            out.files.append(path)
    elif kind == "schtasks":
        if activate and _try(["schtasks", "/Delete", "/TN", UNIT, "/F"]) is None:
            out.lines.append(f"Task Scheduler entry {UNIT} deleted.")
            out.installed = True
    else:
        out.lines.append("Remove the `tracker remind --notify` line with `crontab -e`.")
    if out.files:
        out.lines.append("Removed " + ", ".join(str(p) for p in out.files) + ".")
    elif kind in ("systemd", "launchd"):
        out.lines.append("No reminder timer was installed.")
    return out


def installed(*, kind: str | None = None) -> tuple[bool, str]:
    """Whether the timer is installed for this user, and where."""
    kind = kind or platform_kind()
    if kind == "systemd":
        timer = systemd_dir() / f"{UNIT}.timer"
        return timer.exists(), f"systemd user timer {timer}"
    if kind == "launchd":
        path = launchd_path()
        return path.exists(), f"launchd agent {path}"
    if kind == "schtasks":
        return _try(["schtasks", "/Query", "/TN", UNIT]) is None, f"Task Scheduler entry {UNIT}"
    return False, "cron (not checked: see `crontab -l`)"
