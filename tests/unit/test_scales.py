"""PHQ-9 and GAD-7: wording as DOMAIN.md quotes it, scoring at every band edge (hand-worked),
the guarded write, and PHQ-9 item 9 raising R8 at once."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tracker.db import Database
from tracker.domain.errors import TrackerError
from tracker.domain.scales import (
    ANSWERS,
    GAD7,
    PHQ9,
    QUESTION,
    band_for,
    check_in_due,
    parse_answers,
    scale_for,
    score,
)

# The lines of DOMAIN.md ("Validated scales"), copied as they are written there.
DOMAIN_QUESTION = (
    'both ask "Over the last 2 weeks, how often have you been bothered by any of the following '
    'problems?", answered 0 Not at all, 1 Several days, 2 More than half the days, 3 Nearly every day.'
)
DOMAIN_PHQ9 = (
    "- PHQ-9 items: 1 Little interest or pleasure in doing things. 2 Feeling down, depressed, or "
    "hopeless. 3 Trouble falling or staying asleep, or sleeping too much. 4 Feeling tired or having "
    "little energy. 5 Poor appetite or overeating. 6 Feeling bad about yourself - or that you are a "
    "failure or have let yourself or your family down. 7 Trouble concentrating on things, such as "
    "reading the newspaper or watching television. 8 Moving or speaking so slowly that other people "
    "could have noticed? Or the opposite - being so fidgety or restless that you have been moving "
    "around a lot more than usual. 9 Thoughts that you would be better off dead or of hurting "
    "yourself in some way. Total 0-27:"
)
DOMAIN_GAD7 = (
    "- GAD-7 items: 1 Feeling nervous, anxious or on edge. 2 Not being able to stop or control "
    "worrying. 3 Worrying too much about different things. 4 Trouble relaxing. 5 Being so restless "
    "that it is hard to sit still. 6 Becoming easily annoyed or irritable. 7 Feeling afraid as if "
    "something awful might happen. Total 0-21:"
)
SHARED_DOMAIN = Path("/work/shared/DOMAIN.md")


def _items(line: str, count: int) -> list[str]:
    """Split "1 A. 2 B. ... N Z. Total" into the item texts, as DOMAIN.md numbers them."""
    body = line.split("items: ", 1)[1].rsplit(" Total", 1)[0]
    parts = re.split(r"(?:^|\. )(\d) ", body)
    found = {int(parts[i]): parts[i + 1] for i in range(1, len(parts), 2)}
    assert sorted(found) == list(range(1, count + 1))
    return [found[n].removesuffix(".") for n in range(1, count + 1)]


def test_wording_is_domain_md_character_for_character() -> None:
    assert list(PHQ9.items) == _items(DOMAIN_PHQ9, 9)
    assert list(GAD7.items) == _items(DOMAIN_GAD7, 7)
    assert f'"{QUESTION}"' in DOMAIN_QUESTION
    for number, label in enumerate(ANSWERS):
        assert f"{number} {label}" in DOMAIN_QUESTION


def test_the_copies_above_are_still_what_domain_md_says() -> None:
    # the shared DOMAIN.md of the project, when this checkout sits beside it
    if SHARED_DOMAIN.exists():
        text = " ".join(SHARED_DOMAIN.read_text(encoding="utf-8").split())
        for line in (DOMAIN_QUESTION, DOMAIN_PHQ9, DOMAIN_GAD7):
            assert line in text
    assert DOMAIN_PHQ9.count(". ") >= 9


def test_loinc_totals_are_domain_md_s() -> None:
    assert PHQ9.total_loinc == "44261-6"
    assert GAD7.total_loinc == "70274-6"
    assert len(PHQ9.item_loinc) == 9 and len(set(PHQ9.item_loinc)) == 9
    assert len(GAD7.item_loinc) == 7 and len(set(GAD7.item_loinc)) == 7


# PHQ-9: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe, 20-27 severe.
# Each case: answers worked by hand, their sum, the band DOMAIN.md gives that sum.
PHQ9_CASES = [
    ((0, 0, 0, 0, 0, 0, 0, 0, 0), 0, "minimal"),
    ((1, 1, 1, 1, 0, 0, 0, 0, 0), 4, "minimal"),
    ((1, 1, 1, 1, 1, 0, 0, 0, 0), 5, "mild"),
    ((3, 3, 3, 0, 0, 0, 0, 0, 0), 9, "mild"),
    ((2, 2, 2, 2, 2, 0, 0, 0, 0), 10, "moderate"),
    ((2, 2, 2, 2, 2, 2, 2, 0, 0), 14, "moderate"),
    ((3, 3, 3, 3, 3, 0, 0, 0, 0), 15, "moderately severe"),
    ((3, 3, 3, 3, 3, 2, 2, 0, 0), 19, "moderately severe"),
    ((3, 3, 3, 3, 3, 3, 2, 0, 0), 20, "severe"),
    ((3, 3, 3, 3, 3, 3, 3, 3, 3), 27, "severe"),
]
# GAD-7: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe.
GAD7_CASES = [
    ((0, 0, 0, 0, 0, 0, 0), 0, "minimal"),
    ((1, 1, 1, 1, 0, 0, 0), 4, "minimal"),
    ((1, 1, 1, 1, 1, 0, 0), 5, "mild"),
    ((3, 3, 3, 0, 0, 0, 0), 9, "mild"),
    ((2, 2, 2, 2, 2, 0, 0), 10, "moderate"),
    ((2, 2, 2, 2, 2, 2, 2), 14, "moderate"),
    ((3, 3, 3, 3, 3, 0, 0), 15, "severe"),
    ((3, 3, 3, 3, 3, 3, 3), 21, "severe"),
]


@pytest.mark.parametrize(("answers", "total", "band"), PHQ9_CASES)
def test_phq9_band_edges(answers: tuple[int, ...], total: int, band: str) -> None:
    assert score(PHQ9, answers) == total
    assert band_for(PHQ9, total).label == band


@pytest.mark.parametrize(("answers", "total", "band"), GAD7_CASES)
def test_gad7_band_edges(answers: tuple[int, ...], total: int, band: str) -> None:
    assert score(GAD7, answers) == total
    assert band_for(GAD7, total).label == band


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0,1,2,3,0,1,2,3,0", (0, 1, 2, 3, 0, 1, 2, 3, 0)),
        ("012301230", (0, 1, 2, 3, 0, 1, 2, 3, 0)),
        (" 0 1 2 3 0 1 2 3 0 ", (0, 1, 2, 3, 0, 1, 2, 3, 0)),
    ],
)
def test_answers_typed_three_ways(text: str, expected: tuple[int, ...]) -> None:
    assert parse_answers(PHQ9, text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("0,1,2", "needs 9 answers"),
        ("0123012300", "needs 9 answers"),
        ("0,1,2,3,4,1,2,3,0", "item 5"),
        ("0,1,2,x,0,1,2,3,0", "item 4"),
        ("0,1,2,-1,0,1,2,3,0", "item 4"),
        ("", "needs 9 answers"),
    ],
)
def test_bad_answers_are_named(text: str, says: str) -> None:
    with pytest.raises(TrackerError, match=says):
        parse_answers(PHQ9, text)


def test_score_refuses_wrong_count_or_value() -> None:
    with pytest.raises(TrackerError):
        score(GAD7, (0,) * 9)
    with pytest.raises(TrackerError):
        score(GAD7, (0, 0, 0, 0, 0, 0, 4))
    with pytest.raises(TrackerError):
        score(GAD7, (0, 0, 0, 0, 0, 0, True))  # type: ignore[arg-type]


def test_scale_names() -> None:
    assert scale_for("PHQ-9") is PHQ9 and scale_for("gad7") is GAD7
    with pytest.raises(TrackerError, match="phq9 and gad7"):
        scale_for("bdi")


def test_check_in_every_two_weeks() -> None:
    today = date(2026, 11, 27)
    assert check_in_due(None, today)
    assert not check_in_due(today - timedelta(days=13), today)
    assert check_in_due(today - timedelta(days=14), today)


# ---------------------------------------------------------------- the guarded write and R8
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=ZoneInfo("UTC"))
TODAY = date(2026, 11, 27)


def _rows(db: Database) -> list[tuple[str, str, str, int]]:
    with db.read() as s:
        conn = s.connection().connection.driver_connection
        assert conn is not None
        return [tuple(r) for r in conn.execute("SELECT scale, day, answers, total FROM scaleresponse")]


def test_record_stores_and_corrects_the_same_day(db: Database) -> None:
    from tracker.services import scales

    with db.write() as s:
        scales.record_scale(session=s, scale=PHQ9, day=TODAY, answers=(1,) * 9, today=TODAY, now=NOW)
    with db.write() as s:
        scales.record_scale(session=s, scale=PHQ9, day=TODAY, answers=(2,) * 8 + (0,), today=TODAY, now=NOW)
    assert _rows(db) == [("phq9", "2026-11-27", "2,2,2,2,2,2,2,2,0", 16)]


@pytest.mark.parametrize(
    ("answers", "day"),
    [((1,) * 8, TODAY), ((1,) * 8 + (4,), TODAY), ((0,) * 9, TODAY + timedelta(days=1))],
)
def test_bad_record_writes_nothing(db: Database, answers: tuple[int, ...], day: date) -> None:
    from tracker.services import scales

    with pytest.raises(TrackerError), db.write() as s:
        scales.record_scale(session=s, scale=PHQ9, day=day, answers=answers, today=TODAY, now=NOW)
    assert _rows(db) == []


def _rules(db: Database, now: datetime) -> list[str]:
    from tracker.services import reminders_service as rs

    with db.read() as s:
        return [r.rule for r in rs.active_reminders(session=s, now=now, tz=ZoneInfo("UTC"))]


def test_phq9_item9_above_zero_raises_r8_at_once_even_backfilled(db: Database) -> None:
    from tracker.services import scales

    with db.write() as s:  # item 9 is 0: no crisis, however high the total
        scales.record_scale(session=s, scale=PHQ9, day=TODAY, answers=(3,) * 8 + (0,), today=TODAY, now=NOW)
    assert "R8" not in _rules(db, NOW)
    backfilled = TODAY - timedelta(days=20)
    with db.write() as s:  # a backfilled PHQ-9 counts when it is written
        scales.record_scale(
            session=s, scale=PHQ9, day=backfilled, answers=(0,) * 8 + (1,), today=TODAY, now=NOW
        )
    assert "R8" in _rules(db, NOW)
    assert "R8" in _rules(db, NOW + timedelta(days=2, hours=23))
    assert "R8" not in _rules(db, NOW + timedelta(days=3, hours=1))  # written more than 3 days ago


def test_gad7_never_raises_r8(db: Database) -> None:
    from tracker.services import scales

    with db.write() as s:
        scales.record_scale(session=s, scale=GAD7, day=TODAY, answers=(3,) * 7, today=TODAY, now=NOW)
    assert "R8" not in _rules(db, NOW)


def test_undo_removes_a_scale(db: Database) -> None:
    from tracker.services import audit, scales

    with db.write() as s:
        scales.record_scale(session=s, scale=GAD7, day=TODAY, answers=(1,) * 7, today=TODAY, now=NOW)
    with db.write() as s:
        assert "PHQ-9 or GAD-7" in audit.undo_last(session=s).describe()
    assert _rows(db) == []


def test_check_in_offered_by_setting_and_taper(db: Database) -> None:
    from tracker.queries.scales import checkin_offered
    from tracker.services import scales, settings

    with db.read() as s:  # no taper running: the default offers nothing
        assert not checkin_offered(session=s, mode="during-taper", today=TODAY)
        assert checkin_offered(session=s, mode="always", today=TODAY)
        assert settings.get_setting(session=s, key="scale_checkin") == "during-taper"
    with db.write() as s:
        scales.record_scale(session=s, scale=GAD7, day=TODAY, answers=(1,) * 7, today=TODAY, now=NOW)
    with db.read() as s:
        assert not checkin_offered(session=s, mode="always", today=TODAY + timedelta(days=13))
        assert checkin_offered(session=s, mode="always", today=TODAY + timedelta(days=14))
        assert not checkin_offered(session=s, mode="off", today=TODAY + timedelta(days=14))
    with pytest.raises(TrackerError, match="scale_checkin"), db.write() as s:
        settings.set_setting(session=s, key="scale_checkin", value="sometimes")


# ---------------------------------------------------------------- migration 0007_scales


def test_the_scales_migration_keeps_every_row_and_adds_an_empty_table(tmp_path: Path) -> None:
    import shutil
    import sqlite3

    from tracker.db import open_database, schema_revision
    from tracker.migrations import HEAD, REVISIONS

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "schema_0004_medication_started.db"
    copy = tmp_path / "tracker.db"
    shutil.copyfile(fixture, copy)
    tables = ("medication", "prescription", "doseevent", "symptomentry", "checkin", "taperstep")
    with sqlite3.connect(copy) as conn:
        # the columns the fixture has (later migrations may add columns, never change these)
        cols = {t: ", ".join(f'"{c[1]}"' for c in conn.execute(f"PRAGMA table_info({t})")) for t in tables}
        before = {t: conn.execute(f"SELECT {cols[t]} FROM {t} ORDER BY id").fetchall() for t in tables}
    open_database(copy).close()
    assert "0007_scales" in REVISIONS and schema_revision(copy) == HEAD
    conn = sqlite3.connect(copy)
    try:
        for t in tables:
            assert conn.execute(f"SELECT {cols[t]} FROM {t} ORDER BY id").fetchall() == before[t], t
        assert conn.execute("SELECT count(*) FROM scaleresponse").fetchone()[0] == 0
        indexes = {row[1] for row in conn.execute("PRAGMA index_list('scaleresponse')")}
        assert "ix_scaleresponse_logged_at" in indexes
    finally:
        conn.close()
    assert sum(len(rows) for rows in before.values()) > 0


def test_json_backup_round_trip_and_a_bad_scale_record_is_refused(db: Database, tmp_path: Path) -> None:
    import json

    from tracker.db import open_database
    from tracker.export import json_io
    from tracker.services import scales

    with db.write() as s:
        scales.record_scale(session=s, scale=PHQ9, day=TODAY, answers=(1,) * 9, today=TODAY, now=NOW)
    with db.read() as s:
        text = json_io.export_json(session=s, now=NOW)
    document = json.loads(text)
    assert document["disclaimer"].startswith("Information and tracking only, not medical advice.")
    other = open_database(tmp_path / "other.db")
    try:
        with other.write(audit=False) as s:
            json_io.import_backup(session=s, backup=json_io.parse(text.encode(), "b.json"))
        assert _rows(other) == [("phq9", "2026-11-27", "1,1,1,1,1,1,1,1,1", 9)]
        for field, value, says in (
            ("total", 8, "not the sum"),
            ("answers", "1,1,1,1,1,1,1,1,4", "item 9"),
            ("answers", "1,1,1", "needs 9 answers"),
            ("scale", "bdi", "not one of"),
        ):
            bad = json.loads(text)
            bad["tables"]["scaleresponse"][0][field] = value
            bad["tables"]["scaleresponse"][0]["day"] = "2026-11-20"
            with pytest.raises(TrackerError, match=says), other.write(audit=False) as s:
                json_io.import_backup(session=s, backup=json_io.parse(json.dumps(bad).encode(), "b.json"))
        assert len(_rows(other)) == 1
    finally:
        other.close()
