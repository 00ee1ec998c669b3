"""CSV export (tracker.export.csv_export): one file per kind of record, local times, safe text."""

from __future__ import annotations

import csv
import io
import os
import stat
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tracker.db import open_database
from tracker.domain.errors import TrackerError
from tracker.export import csv_export
from tracker.services import checkins, doses, meds, settings, symptoms

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 10, 23, 0, tzinfo=UTC)


def read(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so spreadsheets read UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.fixture
def written(tmp_path: Path) -> dict[str, list[dict[str, str]]]:
    db = open_database(tmp_path / "t.db")
    with db.write() as session:
        settings.set_setting(session=session, key="timezone", value="America/New_York")
        med = meds.create_medication(session=session, name="Escitalopram", strength_mg=10)
        meds.set_prescription(
            session=session,
            medication_id=med.id or 0,
            dose_mg=10,
            times=[time(8), time(20)],
            start_date=date(2026, 3, 9),
            prescriber='=HYPERLINK("x")',
        )
        # 8 Mar 2026 is the US spring-forward day; 9 Mar 08:00 EDT is 12:00 UTC
        doses.log_dose(
            session=session,
            medication_id=med.id or 0,
            taken_at=datetime(2026, 3, 9, 12, 40, tzinfo=UTC),
            now=datetime(2026, 3, 9, 13, 0, tzinfo=UTC),
            tz=NEW_YORK,
            note="with breakfast",
        )
        doses.log_dose(
            session=session,
            medication_id=med.id or 0,
            taken_at=datetime(2026, 3, 10, 0, 0, tzinfo=UTC),
            skipped=True,
            now=NOW,
            tz=NEW_YORK,
        )
        zaps = symptoms.find_symptom(session=session, name="zaps").id or 0
        symptoms.rate_symptom(
            session=session, symptom_id=zaps, day=date(2026, 3, 9), severity=2, comparison="new"
        )
        checkins.set_checkin(session=session, day=date(2026, 3, 9), mood=6, sleep_hours=7.5, note="-tired")
    out = tmp_path / "csv"
    out.mkdir()
    with db.read() as session:
        paths = csv_export.write_csv(session=session, out_dir=out, tz=NEW_YORK)
    db.close()
    assert [p.name for p in paths] == list(csv_export.FILES)
    for p in paths:
        assert stat.S_IMODE(os.stat(p).st_mode) == 0o600
    return {p.name: read(p) for p in paths}


def test_doses_keep_scheduled_taken_and_logged_apart(written: dict[str, list[dict[str, str]]]) -> None:
    taken, skipped = written["doses.csv"]
    assert taken["status"] == "taken"
    assert (taken["scheduled_time"], taken["taken_time"], taken["logged_time"]) == (
        "2026-03-09 08:00",
        "2026-03-09 08:40",
        "2026-03-09 09:00",
    )
    assert (taken["time_zone"], taken["amount_mg"], taken["note"]) == (
        "America/New_York",
        "10",
        "with breakfast",
    )
    assert skipped["status"] == "skipped"
    assert (skipped["scheduled_time"], skipped["taken_time"]) == ("2026-03-09 20:00", "")


def test_symptoms_checkins_and_prescriptions(written: dict[str, list[dict[str, str]]]) -> None:
    (entry,) = written["symptoms.csv"]
    assert (entry["day"], entry["symptom"], entry["symptom_key"], entry["group"]) == (
        "2026-03-09",
        "Brain zaps",
        "brain-zaps",
        "Sensory",
    )
    assert (entry["severity"], entry["severity_label"], entry["compared_with_before_taper"]) == (
        "2",
        "moderate",
        "new",
    )
    (checkin,) = written["checkins.csv"]
    assert (checkin["mood_0_10"], checkin["sleep_hours"], checkin["baseline_day"]) == ("6", "7.5", "no")
    (rx,) = written["prescriptions.csv"]
    assert (rx["dose_mg_per_intake"], rx["times"], rx["daily_mg"], rx["end_date"]) == (
        "10",
        "08:00 20:00",
        "20",
        "",
    )
    assert written["taper_steps.csv"] == []


def test_text_that_a_spreadsheet_would_run_is_defused(written: dict[str, list[dict[str, str]]]) -> None:
    assert written["prescriptions.csv"][0]["prescriber"] == '\'=HYPERLINK("x")'
    assert written["checkins.csv"][0]["note"] == "'-tired"


def test_missing_folder_is_refused(tmp_path: Path) -> None:
    db = open_database(tmp_path / "t.db")
    with db.read() as session, pytest.raises(TrackerError, match="does not exist"):
        csv_export.write_csv(session=session, out_dir=tmp_path / "nope", tz=NEW_YORK)
    db.close()
    assert not (tmp_path / "nope").exists()


def test_a_file_is_not_a_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    db = open_database(tmp_path / "t.db")
    with db.read() as session, pytest.raises(TrackerError, match="is not a folder"):
        csv_export.write_csv(session=session, out_dir=tmp_path / "file", tz=NEW_YORK)
    db.close()
