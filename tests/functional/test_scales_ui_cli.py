"""PHQ-9 / GAD-7 as a user fills them in: from Today with digit keys (under 20 keys), on the
command line with answers or the interactive prompt, backfilled by day; bad input exits 2
with nothing written."""

from __future__ import annotations

import os
import pty
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tracker.cli import main
from tracker.ui.app import TrackerApp
from tracker.ui.screens.today import TodayScreen
from tracker.ui.widgets.scale_form import ScaleModal

CRISIS = "If you are in danger or thinking about harming yourself"


def _scales(path: Path | str) -> list[tuple[str, str, str, int]]:
    conn = sqlite3.connect(str(path))
    try:
        return [tuple(r) for r in conn.execute("SELECT scale, day, answers, total FROM scaleresponse")]
    finally:
        conn.close()


async def test_phq9_from_today_in_eleven_keys(seeded_path: Path, clock: Any, settle: Any) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    keys = ["Q", "0", "1", "2", "1", "0", "1", "0", "0", "0", "enter"]
    assert len(keys) < 20
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(keys[0])
        await settle(pilot)
        assert isinstance(app.screen, ScaleModal)
        assert "Little interest or pleasure in doing things" in str(
            app.screen.query_one("#scale-item").render()
        )
        await pilot.press(*keys[1:-1])
        assert "Total 5 of 27: mild" in str(app.screen.query_one("#scale-item").render())
        await pilot.press(keys[-1])
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert "PHQ-9 saved: 5 of 27, mild" in str(app.screen.query_one("#status").render())
    assert _scales(seeded_path) == [("phq9", "2026-11-27", "0,1,2,1,0,1,0,0,0", 5)]


async def test_gad7_by_tab_backspace_corrects_escape_saves_nothing(
    seeded_path: Path, clock: Any, settle: Any
) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("Q", "escape")
        await settle(pilot)
        assert _scales(seeded_path) == []
        await pilot.press("Q", "tab", "3", "backspace", "1", "1", "1", "1", "1", "1", "enter")
        assert isinstance(app.screen, ScaleModal)  # six answers of seven: Enter does not save yet
        await pilot.press("2", "enter")
        await settle(pilot)
    assert _scales(seeded_path) == [("gad7", "2026-11-27", "1,1,1,1,1,1,2", 8)]


async def test_phq9_item9_on_today_shows_the_crisis_text_and_r8(
    seeded_path: Path, clock: Any, settle: Any
) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("[")  # backfill yesterday
        await settle(pilot)
        await pilot.press("Q", *"000000001", "enter")
        await settle(pilot)
        assert any(CRISIS in str(n.message) for n in app._notifications)
        screen = app.screen
        assert isinstance(screen, TodayScreen) and screen.data is not None
        assert any(r.rule == "R8" for r in screen.data.reminders)
    assert _scales(seeded_path) == [("phq9", "2026-11-26", "0,0,0,0,0,0,0,0,1", 1)]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_phq9_prints_total_band_and_crisis_text(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    dbp = str(tmp_path / "t.db")
    code, out, err = run(capsys, "log", "phq9", "3,3,3,3,3,0,0,0,0", "--db", dbp)
    assert (code, err) == (0, "")
    assert "15 of 27 (moderately severe; a score, not a diagnosis)" in out
    assert CRISIS not in out
    code, out, _ = run(capsys, "log", "phq9", "000000002", "--day", "2026-01-05", "--db", dbp)
    assert code == 0 and "PHQ-9 for 2026-01-05: 2 of 27 (minimal" in out and CRISIS in out
    code, out, _ = run(capsys, "log", "gad7", "3 3 3 3 3 3 3", "--db", dbp)
    assert code == 0 and "21 of 21 (severe" in out
    assert ("phq9", "2026-01-05", "0,0,0,0,0,0,0,0,2", 2) in _scales(dbp)
    assert len(_scales(dbp)) == 3


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["log", "phq9", "0,1,2"], "needs 9 answers"),
        (["log", "phq9", "0,1,2,3,0,1,2,3,9"], "item 9"),
        (["log", "gad7", "0000000", "--day", "2999-01-01"], "in the future"),
        (["log", "gad7", "0000000", "--day", "soon"], "not understood"),
        (["log", "gad7"], "give the 7 answers"),  # no terminal to ask on
    ],
)
def test_cli_bad_input_exit_2_one_line_nothing_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], says: str
) -> None:
    dbp = tmp_path / "t.db"
    assert main(["log", "gad7", "1111111", "--db", str(dbp)]) == 0
    capsys.readouterr()
    before = _scales(dbp)
    code, out, err = run(capsys, *argv, "--db", str(dbp))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and says in err and "Traceback" not in err
    assert _scales(dbp) == before


def test_cli_interactive_prompt_on_a_terminal(tmp_path: Path) -> None:
    """Without answers, on a real terminal (a pty), each item is asked with its exact wording."""
    dbp = tmp_path / "t.db"
    exe = Path(sys.executable).with_name("tracker")
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real command on the pty
        os.execv(str(exe), [str(exe), "--db", str(dbp), "log", "gad7"])
    seen = b""
    replies = iter(["x", "1", "2", "3", "0", "1", "2", "3"])
    try:
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if seen.endswith(b"[0-3]: "):
                os.write(fd, (next(replies) + "\n").encode())
    finally:
        _, status = os.waitpid(pid, 0)
    text = seen.decode()
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "Over the last 2 weeks, how often have you been bothered by any of the following problems?" in text
    assert "1. Feeling nervous, anxious or on edge [0-3]" in text
    assert "Please answer with one digit, 0 to 3." in text  # the "x"
    assert "GAD-7 for" in text and "12 of 21 (moderate" in text
    assert [r[2:] for r in _scales(dbp)] == [("1,2,3,0,1,2,3", 12)]


def test_cli_help_names_both(tmp_path: Path) -> None:
    out = subprocess.run(
        [str(Path(sys.executable).with_name("tracker")), "log", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "phq9" in out and "gad7" in out
