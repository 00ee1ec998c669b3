"""Plans typed into earlier versions stay usable (migration 0008_legacy_draft_dates).

Earlier versions stamped a plan's draft time when it was typed in and let the user record the
earlier day it had been agreed (agreed in the clinic on 2 March, typed in on 30 March). The
rule of DOMAIN.md "agreement not before the draft was made" then locked the user's running
plan: `taper hold` exited 2, `tracker check` exited 1, an old backup could not be restored and
the user's own JSON export could not be imported again. The draft was made no later than the
agreement, so its time becomes the agreement day and the history keeps the time it was typed
in. Files of the current schema keep the rule whole: a hand-edited plan is still refused.

The released fixtures hold such a plan: agreed 2026-03-02, typed in 2026-03-30 21:30 UTC.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.domain.plan_rules import legacy_draft_note, legacy_draft_time
from tracker.guards import before_legacy_fix

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
OLD = FIXTURES / "schema_0004_medication_started.db"
PRESCRIBER = "Dr Rivera"  # the fixture's prescriber: never quoted in a refusal


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _plan(path: Path) -> tuple[str, str]:
    conn = sqlite3.connect(path)
    try:
        agreed, created = conn.execute("SELECT agreed_on, created_at FROM taperplan WHERE id = 1").fetchone()
    finally:
        conn.close()
    return agreed, created


def _upgrade_events(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT reason FROM planevent WHERE action = 'upgrade' ORDER BY id")
        return [r[0] for r in rows]
    finally:
        conn.close()


# --------------------------------------------------------------------------- the rule, by hand


def test_a_draft_typed_in_weeks_after_its_agreement_moves_to_the_agreement_day() -> None:
    entered = datetime(2026, 3, 30, 21, 30)  # stored naive: UTC
    assert legacy_draft_time(date(2026, 3, 2), entered) == datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    note = legacy_draft_note(entered)
    assert "2026-03-30 21:30 UTC" in note


@pytest.mark.parametrize(
    "agreed",
    [date(2026, 3, 29), date(2026, 3, 30), date(2026, 4, 2), None],
    ids=["a day before: a zone's leeway", "same day", "after", "not agreed"],
)
def test_a_draft_made_on_or_before_its_agreement_is_left_alone(agreed: date | None) -> None:
    assert legacy_draft_time(agreed, datetime(2026, 3, 30, 21, 30, tzinfo=UTC)) is None


def test_only_files_older_than_the_fix_count_as_legacy() -> None:
    assert before_legacy_fix("0001_initial") and before_legacy_fix("0003_taper_step_details")
    assert not before_legacy_fix("0008_legacy_draft_dates")
    assert not before_legacy_fix("9999_from_a_newer_version") and not before_legacy_fix(None)


# --------------------------------------------------------------------------- an upgraded database


def test_the_running_plan_of_an_upgraded_file_can_be_held_and_check_says_ok(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "tracker.db"
    shutil.copyfile(OLD, db)
    assert _plan(db) == ("2026-03-02", "2026-03-30 21:30:00.000000")
    code, out, err = run(capsys, "taper", "hold", "Sertraline", "--reason", "a hard week", "--db", str(db))
    assert (code, err) == (0, ""), err
    assert "on hold" in out
    _, created = _plan(db)
    assert created.startswith("2026-03-02 00:00:00")
    assert [n for n in _upgrade_events(db) if "2026-03-30 21:30 UTC" in n]
    code, out, err = run(capsys, "check", "--db", str(db))
    assert (code, err) == (0, "") and out.endswith(": ok\n")


def test_an_old_backup_restores(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    backup = tmp_path / "old-backup.db"
    shutil.copyfile(OLD, backup)
    db = tmp_path / "tracker.db"
    code, _, err = run(capsys, "status", "--db", str(db))  # a new, current database
    assert code == 0, err
    code, out, err = run(capsys, "restore", str(backup), "--db", str(db))
    assert code == 0, err
    code, out, err = run(capsys, "taper", "show", "Sertraline", "--db", str(db))
    assert code == 0 and "upgrade" in out and "2026-03-30 21:30 UTC" in out


# --------------------------------------------------------------------------- JSON files


def _export_as_old_version(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> dict:
    """The user's own JSON export as the old version wrote it: the plan typed in after its
    agreement, no upgrade row, the old schema revision."""
    db = tmp_path / "source.db"
    shutil.copyfile(OLD, db)
    out_file = tmp_path / "export.json"
    code, _, err = run(capsys, "export", "json", "--out", str(out_file), "--db", str(db))
    assert code == 0, err
    document = json.loads(out_file.read_text(encoding="utf-8"))
    document["schema_revision"] = "0003_taper_step_details"
    document["tables"]["planevent"] = [e for e in document["tables"]["planevent"] if e["action"] != "upgrade"]
    (plan,) = document["tables"]["taperplan"]
    plan["created_at"] = "2026-03-30T21:30:00+00:00"
    return document


def test_an_old_json_export_imports_with_its_plan_corrected_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    document = _export_as_old_version(capsys, tmp_path)
    file = tmp_path / "old.json"
    file.write_text(json.dumps(document), encoding="utf-8")
    db = tmp_path / "new.db"
    code, _, err = run(capsys, "import", "json", str(file), "--db", str(db))
    assert code == 0, err
    assert _plan(db)[1].startswith("2026-03-02 00:00:00")
    assert len(_upgrade_events(db)) == 1
    code, _, err = run(capsys, "import", "json", str(file), "--db", str(db))  # the same file again
    assert code == 0, err
    assert len(_upgrade_events(db)) == 1
    code, out, _ = run(capsys, "taper", "hold", "Sertraline", "--reason", "travel", "--db", str(db))
    assert code == 0 and "on hold" in out


def test_a_current_file_with_an_agreement_before_its_draft_is_still_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    document = _export_as_old_version(capsys, tmp_path)
    from tracker.migrations import HEAD

    document["schema_revision"] = HEAD  # a file of this version, edited by hand
    file = tmp_path / "edited.json"
    file.write_text(json.dumps(document), encoding="utf-8")
    db = tmp_path / "new.db"
    code, out, err = run(capsys, "import", "json", str(file), "--db", str(db))
    assert (code, out) == (2, "")
    assert "taper plan 1: its agreement date is before the draft was made" in err
    assert PRESCRIBER not in err and "2026-03" not in err
    assert not db.exists() or sqlite3.connect(db).execute("SELECT count(*) FROM taperplan").fetchone() == (0,)
