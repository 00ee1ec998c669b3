"""JSON backup and import (tracker.export.json_io): round trip, double import, merging, bad files."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from tracker.db import Database, open_database
from tracker.export import json_io
from tracker.export.json_io import BackupError
from tracker.models import CheckIn, DoseEvent, Medication, Symptom, SymptomEntry
from tracker.services import checkins, meds, symptoms
from tracker.services.demo import generate_demo
from tracker.services.symptoms import add_symptom

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(scope="module")
def demo_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A backup of the demo plus a custom symptom and some audited edits (so the audit log is not empty)."""
    db = open_database(tmp_path_factory.mktemp("src") / "src.db")
    with db.write(audit=False) as session:
        generate_demo(session=session, today=date(2026, 11, 27), tz=LONDON)
    with db.write() as session:
        custom = add_symptom(session=session, name="Jaw clenching", group="Other")
        symptoms.rate_symptom(session=session, symptom_id=custom.id or 0, day=date(2026, 11, 26), severity=2)
        checkins.set_checkin(session=session, day=date(2026, 11, 26), note="Clenching my jaw — ça va")
    with db.read() as session:
        text = json_io.export_json(session=session, now=NOW)
    db.close()
    return text


def tables(text: str) -> dict[str, Any]:
    return json.loads(text)["tables"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def empty_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database made once: creating one runs the migrations, which takes a while."""
    path = tmp_path_factory.mktemp("empty") / "empty.db"
    open_database(path).close()
    return path


@pytest.fixture
def new_db(empty_template: Path, tmp_path: Path) -> Iterator[Callable[..., Database]]:
    """Make new empty databases (copies of the template); closed at the end of the test."""
    opened: list[Database] = []

    def make(name: str = "dst.db") -> Database:
        shutil.copy(empty_template, tmp_path / name)
        opened.append(open_database(tmp_path / name))
        return opened[-1]

    yield make
    for db in opened:
        db.close()


def import_text(db: Database, text: str, source: str = "backup.json") -> json_io.ImportResult:
    with db.write(audit=False) as session:
        return json_io.import_backup(
            session=session, backup=json_io.parse(text.encode(), source), source=source
        )


def export_text(db: Database) -> str:
    with db.read() as session:
        return json_io.export_json(session=session, now=NOW)


def test_backup_holds_every_table_with_a_format_version(demo_text: str) -> None:
    doc = json.loads(demo_text)
    assert (doc["format"], doc["format_version"]) == ("taper-tracker-backup", json_io.FORMAT_VERSION)
    assert list(doc["tables"]) == [name for name, _ in json_io.TABLES]
    counts = {name: len(rows) for name, rows in doc["tables"].items()}
    assert counts["medication"] == 1 and counts["taperstep"] == 6 and counts["prescription"] == 4
    assert counts["checkin"] == 181  # 182 demo days minus today, left for the user
    assert counts["auditentry"] > 0
    assert doc["tables"]["setting"][3] == {"key": "patient_name", "value": '"Sam Demo"'}


def test_export_import_export_gives_the_same_content(
    new_db: Callable[..., Database], demo_text: str, tmp_path: Path
) -> None:
    db = new_db()
    result = import_text(db, demo_text)
    assert result.mode == "empty"
    again = export_text(db)
    db.close()
    assert tables(again) == tables(demo_text)


def test_importing_twice_adds_nothing(
    new_db: Callable[..., Database], demo_text: str, tmp_path: Path
) -> None:
    db = new_db()
    first = import_text(db, demo_text)
    second = import_text(db, demo_text)
    after = export_text(db)
    db.close()
    assert first.total_added > 1500
    assert second.mode == "merge"
    assert second.total_added == 0
    assert tables(after) == tables(demo_text)


def test_merge_keeps_existing_records_and_remaps_ids(
    new_db: Callable[..., Database], demo_text: str, tmp_path: Path
) -> None:
    db = new_db()
    with db.write() as session:  # the target already holds a medication with id 1 and a check-in
        other = meds.create_medication(session=session, name="Citalopram", strength_mg=20)
        checkins.set_checkin(session=session, day=date(2026, 11, 26), mood=8, note="mine")
    result = import_text(db, demo_text)
    with db.read() as session:
        medications = {m.name: m.id for m in session.exec(select(Medication)).all()}
        kept = session.exec(select(CheckIn).where(CheckIn.day == date(2026, 11, 26))).one()
        sertraline_doses = session.exec(
            select(DoseEvent).where(DoseEvent.medication_id == medications["Sertraline"])
        ).all()
    db.close()
    assert result.mode == "merge"
    assert medications == {"Citalopram": other.id, "Sertraline": 2}  # id 1 was taken, so the next free one
    assert (kept.mood, kept.note) == (8, "mine")  # the existing record wins
    assert result.skipped["checkin"] == 1 and result.added["checkin"] == 180
    assert len(sertraline_doses) == 178  # every dose follows its medication to the new id


def test_medication_of_the_same_name_is_merged_not_duplicated(
    new_db: Callable[..., Database], demo_text: str, tmp_path: Path
) -> None:
    db = new_db()
    with db.write() as session:
        meds.create_medication(session=session, name="sertraline", strength_mg=50)
    import_text(db, demo_text)
    with db.read() as session:
        names = [m.name for m in session.exec(select(Medication)).all()]
    db.close()
    assert names == ["sertraline"]


def test_custom_symptom_and_its_ratings_come_across(
    new_db: Callable[..., Database], demo_text: str, tmp_path: Path
) -> None:
    db = new_db()
    import_text(db, demo_text)
    with db.read() as session:
        custom = session.exec(select(Symptom).where(Symptom.key == "jaw-clenching")).one()
        entry = session.exec(select(SymptomEntry).where(SymptomEntry.symptom_id == custom.id)).one()
        note = session.exec(select(CheckIn).where(CheckIn.day == date(2026, 11, 26))).one().note
    db.close()
    assert (custom.name, entry.severity) == ("Jaw clenching", 2)
    assert note == "Clenching my jaw — ça va"


def test_older_file_without_some_fields_and_tables_gets_defaults(
    new_db: Callable[..., Database], tmp_path: Path
) -> None:
    old = {
        "format": "taper-tracker-backup",
        "format_version": 1,
        "exported_at": "2025-01-02T03:04:05+00:00",
        "tables": {
            "medication": [{"id": 1, "name": "Citalopram", "strength_mg": 20}],
            "prescription": [{"id": 1, "medication_id": 1, "dose_mg": 20, "start_date": "2025-01-01"}],
        },
    }
    db = new_db()
    text = json.dumps(old)
    import_text(db, text)
    second = import_text(db, text)  # missing instants default to the export time, so keys repeat
    with db.read() as session:
        med = session.exec(select(Medication)).one()
        rx = meds.prescriptions_for(session=session, medication_id=1)
    db.close()
    assert (med.form, med.drug_class, med.tablet_fractions, med.archived) == (
        "tablet",
        "other",
        "1,0.5",
        False,
    )
    assert med.created_at == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert (rx[0].times, rx[0].end_date) == ("08:00", None)
    assert second.total_added == 0


def test_dry_run_in_a_rolled_back_session_writes_nothing(
    new_db: Callable[..., Database], demo_text: str, tmp_path: Path
) -> None:
    db = new_db()
    with db.read() as session:
        result = json_io.import_backup(session=session, backup=json_io.parse(demo_text.encode(), "b.json"))
        session.rollback()
    with db.read() as session:
        empty = json_io.is_empty(session)
    db.close()
    assert result.total_added > 1500
    assert empty


# ---------------------------------------------------------------------------
# Bad files: one clear error naming the record, nothing written
# ---------------------------------------------------------------------------


def mutate(text: str, table: str, index: int, **changes: Any) -> str:
    doc = json.loads(text)
    doc["tables"][table][index].update(changes)
    return json.dumps(doc)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda t: t[: len(t) // 2], r"backup\.json is not valid JSON at line \d+, column \d+ .*truncated"),
        (lambda t: t.replace('"format_version": 1', '"format_version": 99', 1), "format version 99, newer"),
        (
            lambda t: "day,mood\n2026-01-01,5\n",
            "not a taper-tracker JSON backup \\(it looks like a CSV file\\)",
        ),
        (lambda t: "", "is empty"),
        (lambda t: '{"format": "other"}', "not a taper-tracker backup"),
        (lambda t: mutate(t, "checkin", 3, id=1), r"checkin record 4 \(id 1\): duplicate id in checkin"),
        (
            lambda t: mutate(t, "symptomentry", 5, severity=7),
            r"symptomentry record 6 \(id \d+\): severity is outside 0-3",
        ),
        (lambda t: mutate(t, "checkin", 0, mood=11), r"checkin record 1 \(id \d+\): mood is outside 0-10"),
        (
            lambda t: mutate(t, "doseevent", 2, amount_mg="ten"),
            r"doseevent record 3 .*amount_mg is not a number",
        ),
        (
            lambda t: mutate(t, "doseevent", 2, medication_id=42),
            "medication_id refers to a medication that is not",
        ),
        (
            lambda t: mutate(t, "checkin", 1, day="2026-02-30"),
            r"checkin record 2 \(id \d+\): day is not a date",
        ),
        (
            lambda t: mutate(t, "medication", 0, strength_mg=-5),
            "medication record 1 \\(id 1\\): strength_mg must be more than zero",
        ),
        (
            lambda t: mutate(t, "checkin", 2, day=json.loads(t)["tables"]["checkin"][3]["day"]),
            "duplicates checkin",
        ),
    ],
)
def test_bad_file_is_refused_and_nothing_is_written(
    new_db: Callable[..., Database], demo_text: str, tmp_path: Path, make: Any, message: str
) -> None:
    db = new_db()
    before = export_text(db)
    with pytest.raises(BackupError, match=message) as info:
        import_text(db, make(demo_text))
    assert "\n" not in str(info.value)
    assert tables(export_text(db)) == tables(before)
    db.close()


def test_missing_required_field_names_the_record(tmp_path: Path) -> None:
    bad = {
        "format": "taper-tracker-backup",
        "format_version": 1,
        "tables": {"medication": [{"id": 7, "name": "X"}]},
    }
    with pytest.raises(
        BackupError, match=r"medication record 1 \(id 7\): the field 'strength_mg' is missing"
    ):
        json_io.check_rows(json_io.parse(json.dumps(bad).encode(), "f.json")["tables"], "f.json")


def test_unknown_table_is_refused() -> None:
    bad = {"format": "taper-tracker-backup", "format_version": 1, "tables": {"pets": []}}
    with pytest.raises(BackupError, match="has an unknown table"):
        json_io.parse(json.dumps(bad).encode(), "f.json")


def test_naive_instants_are_read_as_utc() -> None:
    assert json_io._coerce("2026-01-02T03:04:05", datetime) == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert json_io._coerce("2026-01-02T04:04:05+01:00", datetime) == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with pytest.raises(ValueError, match="not a whole number"):
        json_io._coerce(True, int)


@pytest.fixture
def small_backup(new_db: Callable[..., Database], tmp_path: Path) -> Iterator[str]:
    db = new_db("small.db")
    with db.write() as session:
        med = meds.create_medication(session=session, name="Venlafaxine", strength_mg=75)
        meds.set_prescription(
            session=session,
            medication_id=med.id or 0,
            dose_mg=75,
            times=[time(8), time(20)],
            start_date=date(2026, 1, 1),
        )
    yield export_text(db)
    db.close()


def test_small_backup_round_trips(new_db: Callable[..., Database], small_backup: str, tmp_path: Path) -> None:
    db = new_db("again.db")
    import_text(db, small_backup)
    assert tables(export_text(db)) == tables(small_backup)
    db.close()
