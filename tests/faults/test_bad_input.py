"""Items 5, 8, 10 and 14 of issue 16: hostile command lines and imports end with exit 2 and one
line that never quotes the data, nothing written; an import is bounded in size and fields."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.faults.conftest import checkins, ok, one_line_refusal, read_only, run, sha

SECRET = "my private note about suicidal thoughts"


@pytest.mark.parametrize(
    "argv",
    [
        ["log", "dose", "sertraline", "50mg", "--at", "0001-01-01 00:00"],
        ["status", "--day", "0001-01-01"],
        ["taper", "draft", "sertraline", "--method", "proportional", "--start", "9999-12-01"],
        ["export", "summary", "--from", "0001-01-01", "--out", "{tmp}/s.md"],
        ["log", "checkin", "--mood", "3", "--day", "0001-01-01"],
        ["log", "symptom", "nausea", "2", "--day", "1899-12-31"],
        ["export", "json", "--out", "{tmp}/" + "x" * 300 + ".json"],
        ["export", "ics", "--out", "{tmp}"],
        ["export", "summary", "--out", "{tmp}/" + "y" * 5000 + "/s.md"],
    ],
)
def test_calendar_edges_and_bad_paths_exit_2_with_one_line(db: Path, tmp_path: Path, argv: list[str]) -> None:
    before = sha(db)
    result = run(*[a.replace("{tmp}", str(tmp_path)) for a in argv], "--db", str(db))
    one_line_refusal(result)
    assert len(result.stderr) < 600
    assert sha(db) == before


def test_a_backup_into_a_read_only_folder_exits_2(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "ro"
    out.mkdir()
    with read_only(out):
        one_line_refusal(run("backup", "--out", str(out / "copy.db"), "--db", str(db)))
    with read_only(db.parent / "backups"):
        one_line_refusal(run("backup", "--db", str(db)))


def _backup(db: Path, tmp_path: Path) -> dict:
    ok(run("export", "json", "--out", str(tmp_path / "b.json"), "--db", str(db)))
    return json.loads((tmp_path / "b.json").read_text())


def _import(tmp_path: Path, target: Path, text: str | bytes) -> object:
    path = tmp_path / "in.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    return run("import", "json", str(path), "--db", str(target))


def _hostile(doc: dict, table: str, field: str, value: object) -> str:
    doc["tables"][table][0][field] = value
    return json.dumps(doc)


def test_hostile_imports_exit_2_without_quoting_the_data(db: Path, tmp_path: Path) -> None:
    doc = _backup(db, tmp_path)
    target = tmp_path / "target" / "t.db"
    target.parent.mkdir()
    ok(run("log", "checkin", "--mood", "1", "--day", "-9", "--db", str(target)))
    before = sha(target)
    future = "2999-01-01"
    cases = {
        "not text": _hostile(json.loads(json.dumps(doc)), "checkin", "note", [SECRET]),
        "not a number": _hostile(json.loads(json.dumps(doc)), "checkin", "mood", SECRET),
        "huge id": _hostile(json.loads(json.dumps(doc)), "checkin", "id", 10**30),
        "huge int": json.dumps(doc).replace('"mood": 5', '"mood": 1' + "0" * 5000, 1),
        "long note": _hostile(json.loads(json.dumps(doc)), "checkin", "note", SECRET * 200),
        "future day": _hostile(json.loads(json.dumps(doc)), "checkin", "day", future),
        "ancient day": _hostile(json.loads(json.dumps(doc)), "checkin", "day", "0001-01-01"),
        "bad key": _hostile(json.loads(json.dumps(doc)), "symptom", "key", SECRET * 1000),
        "deep": '{"format": "taper-tracker-backup", "format_version": 1, "tables": {"checkin": '
        + "[" * 100_000
        + "]" * 100_000
        + "}}",
    }
    placeholder = _hostile(json.loads(json.dumps(doc)), "checkin", "note", "PLACEHOLDER")
    surrogate = placeholder.replace('"PLACEHOLDER"', '"\\ud800' + SECRET + '"', 1)
    assert surrogate != placeholder
    cases["lone surrogate"] = surrogate
    for name, text in cases.items():
        result = _import(tmp_path, target, text)
        one_line_refusal(result)  # type: ignore[arg-type]
        assert SECRET not in result.stderr and "suicidal" not in result.stderr, name  # type: ignore[attr-defined]
        assert len(result.stderr) < 400, (name, len(result.stderr))  # type: ignore[attr-defined]
        assert sha(target) == before, name


def test_an_import_is_bounded_in_size(db: Path, tmp_path: Path) -> None:
    """Item 10: /dev/zero and a file over the documented 256 MiB limit are refused at once."""
    target = tmp_path / "t2.db"
    for source in ("/dev/zero", "/dev/urandom"):
        result = run("import", "json", source, "--db", str(target), timeout=30)
        one_line_refusal(result)
    big = tmp_path / "big.json"
    with open(big, "wb") as fh:
        fh.write(b"{")
        fh.truncate(256 * 1024 * 1024 + 2)
    result = run("import", "json", str(big), "--db", str(target), timeout=30)
    one_line_refusal(result)
    assert "256 MiB" in result.stderr
    assert not target.exists()


def test_a_good_import_still_round_trips(db: Path, tmp_path: Path) -> None:
    _backup(db, tmp_path)
    target = tmp_path / "fresh.db"
    ok(run("import", "json", str(tmp_path / "b.json"), "--db", str(target)))
    assert checkins(target) == checkins(db)


def test_terminal_escapes_in_names_are_not_printed_raw(tmp_path: Path) -> None:
    """Item 14: text the user typed (or imported) is shown without its control characters."""
    path = tmp_path / "t.db"
    name = "Sert\x1b[2Jraline\nextra"
    result = run("med", "add", name, "--strength", "50mg", "--db", str(path))
    shown = result.stdout + result.stderr
    assert "\x1b" not in shown and "raline\nextra" not in shown
    listed = run("med", "list", "--db", str(path))
    assert "\x1b" not in listed.stdout + listed.stderr


def test_folders_are_tightened_to_0700(tmp_path: Path) -> None:
    home = tmp_path / "home"
    data = home / ".local" / "share" / "taper-tracker"
    data.mkdir(parents=True)
    os.chmod(data, 0o755)
    env = {"HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share"), "TRACKER_DB": ""}
    ok(run("log", "checkin", "--mood", "3", env=env))
    assert os.stat(data).st_mode & 0o777 == 0o700
