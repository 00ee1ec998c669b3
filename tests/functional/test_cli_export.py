"""``tracker export ...`` and ``tracker import json`` end to end: outputs, exit statuses, bad input.

Every bad-input path must exit with status 2, print one line on stderr and write nothing:
no export file, no database change, no backup.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from tests.helpers.mounts import needs_mount, read_only
from tracker.cli import main
from tracker.db import open_database
from tracker.export import json_io
from tracker.services.demo import generate_demo

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def private_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch a real data folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "default.db"))


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    db = open_database(path)
    with db.write(audit=False) as session:
        generate_demo(session=session, today=date(2026, 11, 27), tz=LONDON)
    db.close()
    return path


@pytest.fixture
def demo_db(demo_file: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database for one test."""
    copy = tmp_path / "demo.db"
    shutil.copy(demo_file, copy)
    return copy


@pytest.fixture(scope="module")
def backup_file(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("backup") / "backup.json"
    db = open_database(demo_file)
    with db.read() as session:
        out.write_text(json_io.export_json(session=session, now=json_io.EPOCH), encoding="utf-8")
    db.close()
    return out


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(args)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def snapshot(db_path: Path) -> dict[str, object]:
    db = open_database(db_path)
    with db.read() as session:
        text = json_io.export_json(session=session, now=json_io.EPOCH)
    db.close()
    return json.loads(text)["tables"]  # type: ignore[no-any-return]


def assert_refused(result: tuple[int, str, str], message: str) -> None:
    status, out, err = result
    assert status == 2, err
    assert out == ""
    assert err.startswith("tracker: ") and err.endswith("\n") and err.count("\n") == 1, err
    assert message in err


# ---------------------------------------------------------------------------
# Exports that work
# ---------------------------------------------------------------------------


def test_summary_pdf_is_written_privately(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "summary.pdf"
    status, text, err = run(
        [
            "export",
            "summary",
            "--db",
            str(demo_db),
            "--from",
            "2026-09-01",
            "--to",
            "2026-09-30",
            "--out",
            str(out),
        ],
        capsys,
    )
    assert (status, err) == (0, "")
    assert text == f"Summary of 2026-09-01 to 2026-09-30 written to {out}\n"
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    first = PdfReader(out).pages[0].extract_text()
    assert "1 Sep 2026 to 30 Sep 2026 (30 days)" in " ".join(first.split())


@pytest.mark.parametrize(
    ("fmt", "name", "start"), [("html", "s.html", "<!DOCTYPE html>"), ("md", "s.txt", "# ")]
)
def test_summary_other_formats(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, name: str, start: str
) -> None:
    out = tmp_path / name
    status, _, _ = run(
        ["export", "summary", "--db", str(demo_db), "--format", fmt, "--out", str(out)], capsys
    )
    assert status == 0
    assert out.read_text(encoding="utf-8").startswith(start)


def test_csv_json_and_fhir(demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    status, text, _ = run(["export", "csv", "--db", str(demo_db), "--out", str(folder)], capsys)
    assert status == 0 and "6 CSV files written" in text
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["doses.csv", "symptoms.csv", "checkins.csv", "scales.csv", "prescriptions.csv", "taper_steps.csv"]
    )
    assert (folder / "doses.csv").read_bytes().startswith(b"\xef\xbb\xbf# Information and tracking only")
    status, text, _ = run(["export", "csv", "--no-bom", "--db", str(demo_db), "--out", str(folder)], capsys)
    assert status == 0 and (folder / "doses.csv").read_bytes().startswith(b"# Information and tracking only")
    status, _, _ = run(["export", "json", "--db", str(demo_db), "--out", str(tmp_path / "b.json")], capsys)
    assert status == 0 and json.loads((tmp_path / "b.json").read_text())["format_version"] == 1
    status, _, _ = run(["export", "fhir", "--db", str(demo_db), "--out", str(tmp_path / "f.json")], capsys)
    assert status == 0 and json.loads((tmp_path / "f.json").read_text())["resourceType"] == "Bundle"
    for path in (tmp_path / "b.json", tmp_path / "f.json", *folder.iterdir()):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_import_into_empty_then_again_adds_nothing(
    backup_file: Path, demo_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "new.db"
    status, text, err = run(["import", "json", str(backup_file), "--db", str(target)], capsys)
    assert (status, err) == (0, "")
    assert "into an empty database" in text and "Backup taken first:" in text
    assert snapshot(target) == snapshot(demo_file)
    status, text, _ = run(["import", "json", str(backup_file), "--db", str(target)], capsys)
    assert status == 0 and "0 records added (none)" in text
    assert len(list((tmp_path / "backups").glob("new-import-*.db"))) == 2
    assert snapshot(target) == snapshot(demo_file)


def test_dry_run_writes_nothing(
    backup_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "new.db"
    open_database(target).close()
    before = snapshot(target)
    status, text, _ = run(["import", "json", str(backup_file), "--dry-run", "--db", str(target)], capsys)
    assert status == 0
    assert text.startswith("Dry run (into an empty database): ") and text.endswith("Nothing was written.\n")
    assert snapshot(target) == before
    assert list(tmp_path.glob("backups/*-import-*")) == []  # (opening a database may take its daily copy)


def test_dry_run_creates_no_database(
    backup_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "later.db"
    status, text, _ = run(["import", "json", str(backup_file), "--dry-run", "--db", str(target)], capsys)
    assert status == 0 and text.startswith("Dry run (into an empty database): 1629 records would be added")
    assert list(tmp_path.iterdir()) == []


def test_help_does_not_load_heavy_libraries() -> None:
    code = (
        "import sys; import tracker.cli as c; c.build_parser(); "
        "print(sorted(m for m in ('fpdf', 'fhir', 'pypdf', 'tracker.export.pdf') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# ---------------------------------------------------------------------------
# Bad input: status 2, one line, nothing written
# ---------------------------------------------------------------------------


def test_from_after_to(demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "s.pdf"
    result = run(
        [
            "export",
            "summary",
            "--db",
            str(demo_db),
            "--from",
            "2026-10-01",
            "--to",
            "2026-09-01",
            "--out",
            str(out),
        ],
        capsys,
    )
    assert_refused(result, "--from 2026-10-01 is after --to 2026-09-01")
    assert not out.exists()


def test_from_after_default_to(demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "s.md"
    result = run(
        ["export", "summary", "--db", str(demo_db), "--from", "2199-01-01", "--out", str(out)], capsys
    )
    assert_refused(result, "--from 2199-01-01 is after --to")
    assert not out.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["export", "summary", "--out", "{missing}/s.pdf"],
        ["export", "json", "--out", "{missing}/b.json"],
        ["export", "fhir", "--out", "{missing}/f.json"],
        ["export", "csv", "--out", "{missing}"],
    ],
)
def test_output_folder_that_does_not_exist(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    missing = tmp_path / "no-such-folder"
    argv = [a.replace("{missing}", str(missing)) for a in args] + ["--db", str(demo_db)]
    assert_refused(run(argv, capsys), "does not exist")
    assert not missing.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["export", "summary", "--out", "{file}/s.pdf"],
        ["export", "json", "--out", "{file}/b.json"],
        ["export", "csv", "--out", "{file}"],
    ],
)
def test_output_folder_that_cannot_be_written(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    argv = [a.replace("{file}", str(blocker)) for a in args] + ["--db", str(demo_db)]
    assert_refused(run(argv, capsys), "is not a folder")
    assert blocker.read_text() == "not a folder"


@needs_mount
def test_read_only_output_folder(demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A real read-only folder (a read-only bind mount: root cannot write there either)."""
    locked = tmp_path / "locked"
    locked.mkdir()
    with read_only(locked):
        result = run(["export", "summary", "--db", str(demo_db), "--out", str(locked / "s.pdf")], capsys)
        assert_refused(result, f"cannot write to the folder {locked} (read-only file system)")
        assert list(locked.iterdir()) == []


def test_output_that_is_a_folder(demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert_refused(
        run(["export", "json", "--db", str(demo_db), "--out", str(tmp_path)], capsys), "is a folder"
    )


def _truncated(text: str) -> str:
    return text[: len(text) // 3]


def _newer(text: str) -> str:
    return text.replace('"format_version": 1', '"format_version": 7', 1)


def _csv(_: str) -> str:
    return "day,mood_0_10,sleep_hours\n2026-01-01,5,7\n"


def _duplicate_id(text: str) -> str:
    doc = json.loads(text)
    doc["tables"]["doseevent"][10]["id"] = doc["tables"]["doseevent"][9]["id"]
    return json.dumps(doc)


def _out_of_range(text: str) -> str:
    doc = json.loads(text)
    doc["tables"]["checkin"][20]["sleep_hours"] = 30
    return json.dumps(doc)


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (_truncated, "is not valid JSON at line"),
        (_newer, "uses backup format version 7, newer than this program reads"),
        (_csv, "it looks like a CSV file"),
        (_duplicate_id, "doseevent record 11 (id 10): duplicate id in doseevent"),
        (_out_of_range, "checkin record 21 (id 21): sleep_hours is outside 0-24"),
    ],
)
def test_bad_backup_is_refused_with_nothing_written(
    backup_file: Path,
    demo_db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    spoil: object,
    message: str,
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(spoil(backup_file.read_text(encoding="utf-8")), encoding="utf-8")  # type: ignore[operator]
    before = snapshot(demo_db)
    assert_refused(run(["import", "json", str(bad), "--db", str(demo_db)], capsys), message)
    assert snapshot(demo_db) == before
    assert list(tmp_path.glob("backups/*-import-*")) == []  # (opening a database may take its daily copy)


def test_bad_backup_into_a_new_database_creates_nothing(
    backup_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(_truncated(backup_file.read_text(encoding="utf-8")), encoding="utf-8")
    target = tmp_path / "never.db"
    assert_refused(run(["import", "json", str(bad), "--db", str(target)], capsys), "truncated")
    assert not target.exists()


def test_missing_backup_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "t.db"
    assert_refused(
        run(["import", "json", str(tmp_path / "nope.json"), "--db", str(target)], capsys), "cannot read"
    )
    assert not target.exists()
