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


DISCLAIMER_LINE = (
    "# Information and tracking only, not medical advice. Always involve your health professional. "
    "All entries were recorded by the patient."
)


def read(path: Path, bom: bool = True) -> list[dict[str, str]]:
    raw = path.read_bytes()
    # a BOM by default, so spreadsheets read UTF-8; none with --no-bom
    assert raw.startswith(b"\xef\xbb\xbf") is bom
    text = raw.decode("utf-8-sig")
    first, rest = text.split("\r\n", 1)
    assert first == DISCLAIMER_LINE  # the disclaimer as a comment line, before the header
    return list(csv.DictReader(io.StringIO(rest)))


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
        from tracker.domain.scales import GAD7
        from tracker.services import scales

        scales.record_scale(
            session=session,
            scale=GAD7,
            day=date(2026, 3, 9),
            answers=(3, 2, 1, 0, 1, 2, 3),
            today=date(2026, 3, 10),
            now=NOW,
        )
    out = tmp_path / "csv"
    out.mkdir()
    with db.read() as session:
        paths = csv_export.write_csv(session=session, out_dir=out, tz=NEW_YORK, now=NOW)
        plain = tmp_path / "plain"
        plain.mkdir()
        for p in csv_export.write_csv(session=session, out_dir=plain, tz=NEW_YORK, now=NOW, bom=False):
            assert read(p, bom=False) == read(out / p.name)
    db.close()
    assert [p.name for p in paths] == list(csv_export.FILES)
    for p in paths:
        assert stat.S_IMODE(os.stat(p).st_mode) == 0o600
    return {p.name: read(p) for p in paths}


def test_doses_keep_scheduled_taken_and_logged_apart(written: dict[str, list[dict[str, str]]]) -> None:
    taken, skipped, missed = written["doses.csv"]
    assert taken["status"] == "taken"
    # New York is on EDT (UTC-4) from 8 Mar 2026: every instant carries its offset
    assert (taken["scheduled_time"], taken["taken_time"], taken["logged_time"]) == (
        "2026-03-09 08:00-04:00",
        "2026-03-09 08:40-04:00",
        "2026-03-09 09:00-04:00",
    )
    assert (taken["time_zone"], taken["amount_mg"], taken["note"]) == (
        "America/New_York",
        "10",
        "with breakfast",
    )
    assert skipped["status"] == "skipped"
    assert (skipped["scheduled_time"], skipped["taken_time"]) == ("2026-03-09 20:00-04:00", "")
    # 10 Mar 08:00 EDT (12:00 UTC) has nothing logged 11 hours later, at 23:00 UTC: missed.
    # 10 Mar 20:00 EDT (00:00 UTC on the 11th) has not come yet: no row.
    assert (missed["status"], missed["day"], missed["scheduled_time"]) == (
        "missed",
        "2026-03-10",
        "2026-03-10 08:00-04:00",
    )
    assert (missed["id"], missed["amount_mg"], missed["taken_time"], missed["medication"]) == (
        "",
        "",
        "",
        "Escitalopram",
    )


def test_scales_file(written: dict[str, list[dict[str, str]]]) -> None:
    (row,) = written["scales.csv"]
    # 3+2+1+0+1+2+3 = 12: GAD-7 10-14 is moderate
    assert (row["day"], row["scale"], row["total"], row["band"]) == ("2026-03-09", "GAD-7", "12", "moderate")
    assert [row[f"item_{n}"] for n in range(1, 10)] == ["3", "2", "1", "0", "1", "2", "3", "", ""]
    assert row["logged_time"] == "2026-03-10 19:00-04:00"


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
