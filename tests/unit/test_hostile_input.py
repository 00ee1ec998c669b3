"""Hostile input: property-based tests (hypothesis) of parsing, the command line and JSON import.

The promise: whatever is typed or fed in, the answer is either a sound value or
a TrackerError with a message (one line on the command line, exit status 2),
never a traceback, and nothing is half-written.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tracker.cli import main
from tracker.db import open_database
from tracker.domain import units
from tracker.domain.errors import TrackerError
from tracker.services import checkins, meds, symptoms

FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
MANY = settings(max_examples=300, deadline=None)
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)
ZONES = sorted(available_timezones() - {"Factory", "localtime"})

# Pieces people (and cats on keyboards) type, mixed with arbitrary unicode.
PIECES = [
    *"0123456789.,+-:/ hT",
    "mg", "mcg", "µg", "ml", "tablet", "tabs", "caps", "drops", "drop", "half", "½", "¾", "a", "an",
    "nan", "inf", "-inf", "1e9", "e", "٣", "²", "0x10", "today", "yesterday", "now", "-9999", "-0",
    "2026-11-27", "2026-02-30", "2026-03-29", "0001-01-01", "9999-12-31", "24:00", "23:59", "07:60", "\x00",
    "\n", "\t", "'", '"', ";", "DROP TABLE doseevent", "%s", "{}",
]  # fmt: skip
typed = st.one_of(st.text(), st.lists(st.sampled_from(PIECES), max_size=6).map("".join))


def clean(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``fn``; a TrackerError (with a message) is a clean refusal and gives None."""
    try:
        return fn(*args, **kwargs)
    except TrackerError as exc:
        assert str(exc).strip()
        return None


# Wall-clock times at the very ends of the calendar used to overflow; they must be clean errors.
def test_parse_when_at_the_ends_of_the_calendar_is_a_clean_error() -> None:
    for zone in ("Asia/Tokyo", "Pacific/Pago_Pago"):
        with pytest.raises(TrackerError):
            units.parse_when("0001-01-01 00:00", now=NOW, tz=ZoneInfo(zone))
        with pytest.raises(TrackerError):
            units.parse_when("9999-12-31 23:59", now=NOW, tz=ZoneInfo(zone))


# --- amounts, strengths, times and dates -----------------------------------------------------------------


@MANY
@given(typed)
@example("20mg")
@example("nan mg")
@example("1e9mg")
@example("half a tablet")
def test_parse_amount(text: str) -> None:
    amount = clean(units.parse_amount, text)
    if amount is not None:
        assert math.isfinite(amount.value) and amount.value > 0
        assert amount.unit in {"mg", "mcg", "tablet", "capsule", "ml", "drop"}


@MANY
@given(
    st.decimals(min_value="0.001", max_value="9999", places=3),
    st.sampled_from(["mg", " mg", "ml", " tablets"]),
)
def test_an_amount_reads_back_as_written(value: Any, unit: str) -> None:
    amount = units.parse_amount(f"{value}{unit}")
    assert math.isclose(amount.value, float(value))
    assert amount.unit == {"mg": "mg", " mg": "mg", "ml": "ml", " tablets": "tablet"}[unit]


@MANY
@given(
    typed,
    st.sampled_from(["tablet", "capsule", "liquid", "drops"]),
    st.floats(min_value=0.001, max_value=1000),
    st.none() | st.floats(min_value=0.01, max_value=100),
)
def test_amount_to_mg(text: str, form: str, strength: float, liquid: float | None) -> None:
    amount = clean(units.parse_amount, text)
    if amount is None:
        return
    mg = clean(units.amount_to_mg, amount, form=form, strength_mg=strength, liquid_mg_per_ml=liquid)
    if mg is not None:
        assert math.isfinite(mg) and 0 <= mg <= units.MAX_MG


@MANY
@given(typed)
def test_parse_strength(text: str) -> None:
    strength = clean(units.parse_strength, text)
    if strength is not None:
        assert math.isfinite(strength.mg) and strength.mg > 0 and strength.per in {"unit", "ml", "drop"}


@MANY
@given(typed)
def test_parse_times(text: str) -> None:
    times = clean(units.parse_times, text)
    if times is not None:
        assert times and times == sorted(set(times))


@MANY
@given(typed, st.booleans())
def test_parse_day(text: str, allow_future: bool) -> None:
    day = clean(units.parse_day, text, today=TODAY, allow_future=allow_future)
    if day is not None and not allow_future:
        assert day <= TODAY


@MANY
@given(
    typed,
    st.sampled_from(ZONES),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
)
def test_parse_when(text: str, zone: str, naive_now: datetime) -> None:
    now = naive_now.replace(tzinfo=UTC)
    moment = clean(units.parse_when, text, now=now, tz=ZoneInfo(zone))
    if moment is not None:
        assert moment.utcoffset() == timedelta(0)
        assert moment <= now + units.FUTURE_TOLERANCE


@MANY
@given(
    st.times(),
    st.sampled_from(["Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"]),
)
def test_a_time_typed_today_is_that_wall_clock_time_or_the_first_valid_one_after(at: time, zone: str) -> None:
    tz = ZoneInfo(zone)
    text = at.strftime("%H:%M")
    moment = clean(units.parse_when, text, now=datetime(2030, 1, 1, tzinfo=UTC), tz=tz)
    if moment is not None:
        local = moment.astimezone(tz)
        assert local.date() == datetime(2030, 1, 1, tzinfo=UTC).astimezone(tz).date()
        assert (local.hour, local.minute) >= (at.hour, at.minute)


@MANY
@given(typed)
def test_severity_mood_and_sleep(text: str) -> None:
    severity = clean(units.parse_severity, text)
    assert severity is None or 0 <= severity <= 3
    mood = clean(units.parse_mood, text)
    assert mood is None or 0 <= mood <= 10
    sleep = clean(units.parse_sleep, text)
    assert sleep is None or (math.isfinite(sleep) and 0 <= sleep <= 24)


# --- the command line ------------------------------------------------------------------------------------

COMMANDS = [
    ["med", "add"], ["med", "list"], ["med"], ["rx", "set"], ["rx"], ["log", "dose"], ["log", "symptom"],
    ["log", "checkin"], ["log"], ["status"], ["check"], ["symptoms"], ["undo"], ["backup"], ["backups"],
    ["restore"], ["bogus"], ["--frobnicate"], [""],
]  # fmt: skip
OPTIONS = [
    "--strength", "--form", "--class", "--half-life", "--times", "--from", "--until", "--at", "--skipped",
    "--force", "--note", "--day", "--compared", "--mood", "--sleep", "--baseline", "--json", "--all", "--out",
    "sertraline", "Sertraline", "brain zaps", "Brain-Zaps", "20mg", "2 tablets", "0.5 tablet", "4 drops", "3",
    "-1", "11", "yesterday 20:00", "2026-02-30 08:00", "0001-01-01 00:00", "tablet", "liquid", "SSRI", "new",
    "-h", "--",
]  # fmt: skip
# No "/" or "~": a random path may only ever land inside the test's own folder. Line breaks are in:
# a message quoting the user's input must still be one line.
safe_text = st.text(
    alphabet=st.characters(blacklist_characters="/~\x00", blacklist_categories=["Cs"]),
    max_size=12,
)
argv_tail = st.lists(st.one_of(st.sampled_from(OPTIONS), safe_text), max_size=7)


def _content(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # anything a command writes by a relative name stays here
    path = tmp_path / "data" / "tracker.db"
    db = open_database(path, create_dir=True)
    with db.write() as session:
        med = meds.create_medication(session=session, name="Sertraline", strength_mg=50)
        meds.set_prescription(
            session=session,
            medication_id=med.id or 0,
            dose_mg=50,
            times=[time(8, 0)],
            start_date=date(2026, 1, 1),
        )
        zaps = symptoms.find_symptom(session=session, name="brain zaps")
        symptoms.rate_symptom(session=session, symptom_id=zaps.id or 0, day=date(2026, 1, 2), severity=2)
        checkins.set_checkin(session=session, day=date(2026, 1, 2), mood=5)
    db.close()
    return path


@FEW
@given(st.sampled_from(COMMANDS), argv_tail)
def test_random_command_lines_exit_0_or_2_in_one_line(
    capsys: pytest.CaptureFixture[str], cli_db: Path, command: list[str], tail: list[str]
) -> None:
    argv = [*command, *tail, "--db", str(cli_db)]
    before = _content(cli_db)
    code: int | str | None
    try:
        code = main(argv)
    except SystemExit as exc:  # --help and --version end through argparse's own exit
        code = exc.code
    out, err = capsys.readouterr()
    assert code in (0, 2), (argv, err)
    assert "Traceback" not in err and "Traceback" not in out
    if code == 2:
        assert err.startswith("tracker: ") and err.count("\n") == 1, (argv, err)
        assert _content(cli_db) == before, argv  # a refused command wrote nothing
    else:
        assert err == "" or err.count("\n") == 1


def test_an_argument_with_a_line_break_still_gives_one_line(
    capsys: pytest.CaptureFixture[str], cli_db: Path
) -> None:
    code = main(["med", "list", "two\nlines", "--db", str(cli_db)])
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1


def test_a_command_line_refusal_is_one_line_in_a_real_process(cli_db: Path) -> None:
    import subprocess
    import sys

    exe = Path(sys.executable).parent / "tracker"
    for argv in (["log", "dose", "sertraline", "nan mg"], ["bogus"]):
        proc = subprocess.run(
            [str(exe), *argv, "--db", str(cli_db)], capture_output=True, text=True, timeout=60, check=False
        )
        assert proc.returncode == 2 and proc.stdout == ""
        assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("tracker: ")


# --- JSON import -----------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


@pytest.fixture
def json_backup(cli_db: Path, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    json_io = pytest.importorskip(
        "tracker.export.json_io", reason="tracker/export/json_io.py not written yet"
    )
    db = open_database(cli_db)
    with db.read() as session:
        text = json_io.export_json(session=session, now=NOW)
    db.close()
    return cli_db, json.loads(text)


def _import(capsys: pytest.CaptureFixture[str], db_path: Path, payload: bytes) -> tuple[int, str]:
    source = db_path.parent.parent / "import.json"
    source.write_bytes(payload)
    before = _content(db_path)
    code = main(["import", "json", str(source), "--db", str(db_path)])
    out, err = capsys.readouterr()
    assert code in (0, 2), err
    assert "Traceback" not in err
    if code == 2:
        assert err.startswith("tracker: ") and err.count("\n") == 1 and out == ""
        assert _content(db_path) == before  # never a partial write
    return code, err


@FEW
@given(data=st.data())
def test_json_import_of_a_mangled_backup(
    capsys: pytest.CaptureFixture[str], json_backup: tuple[Path, dict[str, Any]], data: st.DataObject
) -> None:
    db_path, backup = json_backup
    document = json.loads(json.dumps(backup))
    tables = {name: rows for name, rows in document["tables"].items() if rows}
    name = data.draw(st.sampled_from(sorted(tables)))
    row = data.draw(st.sampled_from(tables[name]))
    field = data.draw(st.sampled_from(sorted(row)) | st.text(max_size=8))
    row[field] = data.draw(json_values)
    _import(capsys, db_path, json.dumps(document).encode())


@FEW
@given(cut=st.floats(min_value=0, max_value=1), junk=st.binary(max_size=40))
def test_json_import_of_a_cut_or_garbled_file(
    capsys: pytest.CaptureFixture[str], json_backup: tuple[Path, dict[str, Any]], cut: float, junk: bytes
) -> None:
    db_path, backup = json_backup
    raw = json.dumps(backup).encode()
    at = int(len(raw) * cut)
    code, _ = _import(capsys, db_path, raw[:at] + junk)
    if at < len(raw) - 2 and not junk:
        assert code == 2  # a truncated file is always refused


def test_json_import_refuses_a_bad_record_in_the_middle_without_writing_the_rest(
    capsys: pytest.CaptureFixture[str], json_backup: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    _, backup = json_backup
    empty = tmp_path / "empty" / "tracker.db"
    open_database(empty, create_dir=True).close()
    backup["tables"]["checkin"].append(
        {**backup["tables"]["checkin"][0], "id": 999, "day": "2026-01-03", "mood": 42}
    )
    code, err = _import(capsys, empty, json.dumps(backup).encode())
    assert code == 2 and "mood" in err
    conn = sqlite3.connect(empty)
    assert conn.execute("SELECT count(*) FROM medication").fetchone()[0] == 0
    conn.close()


def test_environment_is_the_test_sandbox() -> None:
    """The property tests above must never reach a real data folder."""
    assert "xdg-data" in os.environ.get("XDG_DATA_HOME", "")
