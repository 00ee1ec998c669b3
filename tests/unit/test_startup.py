"""Start-up cost of the command line: the garbage collector is off while a command starts and
back on for its work and for the UI, a caller of main() gets the collector back as it had it,
and the daily-backup check reads backup names without strptime."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest

import tracker.cli as cli
from tracker import backups
from tracker.db import Database
from tracker.services import meds


@pytest.fixture
def with_med(db: Database, db_path: Path) -> Path:
    with db.write() as s:
        med = meds.create_medication(session=s, name="Sertraline", strength_mg=50)
        meds.set_prescription(
            session=s,
            medication_id=med.id or 0,
            dose_mg=50,
            times=[time(8)],
            start_date=datetime.now(UTC).date(),
        )
    db.close()
    return db_path


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_gc_is_off_while_opening_and_on_for_the_command_s_work(
    with_med: Path, collector_on: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import tracker.db
    from tracker.services import doses

    seen: dict[str, bool] = {}
    real_open, real_log = tracker.db.open_database, doses.log_dose

    def spy_open(*args: Any, **kwargs: Any) -> Any:
        seen["opening"] = gc.isenabled()
        return real_open(*args, **kwargs)

    def spy_log(**kwargs: Any) -> Any:
        seen["logging"] = gc.isenabled()
        return real_log(**kwargs)

    monkeypatch.setattr(tracker.db, "open_database", spy_open)
    monkeypatch.setattr(doses, "log_dose", spy_log)
    frozen = gc.get_freeze_count()
    assert cli.main(["log", "dose", "Sertraline", "50mg", "--db", str(with_med)]) == 0
    assert "Sertraline 50 mg taken" in capsys.readouterr().out
    assert seen == {"opening": False, "logging": True}
    assert gc.isenabled()  # given back as it was
    assert gc.get_freeze_count() == frozen  # a caller that goes on never has its objects frozen


def test_a_caller_with_the_collector_off_keeps_it_off(
    with_med: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        assert cli.main(["log", "checkin", "--mood", "5", "--db", str(with_med)]) == 0
        assert not gc.isenabled()
        assert cli.main(["status", "--db", str(with_med), "--day", "not-a-day"]) == 2  # an error path too
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()
    capsys.readouterr()


def test_the_ui_runs_with_the_collector_on(
    with_med: Path, collector_on: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracker.ui.app

    seen: list[bool] = []

    def fake_run_app(*_args: Any, after_first_frame: Any = None, **_kwargs: Any) -> int:
        seen.append(gc.isenabled())  # still paused: nothing collects during the first paint
        after_first_frame()  # the app calls this once its first frame is on screen
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr(tracker.ui.app, "run_app", fake_run_app)
    assert cli.main(["--db", str(with_med)]) == 0
    assert seen == [False, True]


SCRIPT = """
import gc, sys
sys.argv = ["tracker", *sys.argv[1:]]
import tracker.ui.app
def fake_run_app(*a, after_first_frame, **k):
    after_first_frame()
    print("ui", gc.isenabled(), gc.get_freeze_count() > 0)
    return 0
tracker.ui.app.run_app = fake_run_app
from tracker.cli import main
code = main()
print("end", gc.isenabled(), gc.get_freeze_count() > 0)
sys.exit(code)
"""


@pytest.mark.parametrize(
    ("argv", "lines"),
    [
        (["log", "checkin", "--mood", "5"], ["end True True"]),
        ([], ["ui True True", "end True True"]),  # start-up frozen before the UI, collection on
    ],
)
def test_a_command_line_run_freezes_start_up_and_collects_afterwards(
    with_med: Path, argv: list[str], lines: list[str]
) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(SCRIPT), *argv, "--db", str(with_med)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert [x for x in proc.stdout.splitlines() if x.startswith(("ui ", "end "))] == lines


def test_resume_is_a_no_op_unless_main_paused_the_collector(collector_on: None) -> None:
    gc.disable()
    cli.resume_gc()  # main() did not pause it: the caller's choice stands
    assert not gc.isenabled()
    gc.enable()


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 28, 9, 5, 18, 231746, tzinfo=UTC),
        datetime(2000, 2, 29, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
    ],
)
def test_backup_stamps_read_back_to_the_same_instant(moment: datetime) -> None:
    assert backups._parse_stamp(backups._stamp(moment)) == moment
    assert backups._stamp(moment) == moment.strftime("%Y%m%dT%H%M%S%fZ")


def test_a_backup_name_with_an_impossible_stamp_is_not_a_backup(tmp_path: Path) -> None:
    db_path = tmp_path / "tracker.db"
    folder = tmp_path / "backups"
    folder.mkdir()
    good = folder / "tracker-daily-20261128T090518231746Z.db"
    impossible = ("tracker-daily-20261332T090518231746Z.db", "tracker-daily-20261128T250518231746Z.db")
    for name in (good.name, *impossible):
        (folder / name).write_bytes(b"")
    found = backups.list_backups(db_path)
    assert [(b.path, b.taken_at) for b in found] == [
        (good, datetime(2026, 11, 28, 9, 5, 18, 231746, tzinfo=UTC))
    ]
