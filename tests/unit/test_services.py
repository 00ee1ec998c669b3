"""Services on a temporary database: medications, doses, symptoms, check-ins, undo."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from tracker.db import Database
from tracker.domain.errors import NotFoundError, TrackerError
from tracker.models import AuditEntry, CheckIn, DoseEvent, Prescription, SymptomEntry
from tracker.services import audit, checkins, clinician, day, doses, meds, settings, symptoms

UTCZ = ZoneInfo("UTC")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)


@pytest.fixture
def med_id(db: Database) -> int:
    with db.write() as s:
        med = meds.create_medication(session=s, name="Sertraline", strength_mg=50)
        meds.set_prescription(
            session=s,
            medication_id=med.id or 0,
            dose_mg=100,
            times=[time(8), time(20)],
            start_date=date(2026, 11, 1),
        )
        assert med.id is not None
        return med.id


def test_known_drug_is_prefilled(db: Database) -> None:
    with db.write() as s:
        med = meds.create_medication(session=s, name="citalopram", strength_mg=20)
    assert med.drug_class == "SSRI" and med.half_life_hours == 35


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "", "strength_mg": 20}, "needs a name"),
        ({"name": "X", "strength_mg": 0}, "more than zero"),
        ({"name": "X", "strength_mg": float("nan")}, "more than zero"),
        ({"name": "X", "strength_mg": 20, "form": "patch"}, "not one of tablet"),
        ({"name": "X", "strength_mg": 20, "drug_class": "MAOI"}, "not one of SSRI"),
        ({"name": "X", "strength_mg": 20, "half_life_hours": -1}, "more than zero"),
    ],
)
def test_medication_validation_writes_nothing(db: Database, kwargs: dict, message: str) -> None:
    with pytest.raises(TrackerError, match=message), db.write() as s:
        meds.create_medication(session=s, **kwargs)
    with db.read() as s:
        assert meds.list_medications(session=s) == []


def test_duplicate_name_and_suggestions(db: Database, med_id: int) -> None:
    with pytest.raises(TrackerError, match="already exists"), db.write() as s:
        meds.create_medication(session=s, name="sertraline", strength_mg=50)
    with db.read() as s:
        with pytest.raises(NotFoundError, match="did you mean Sertraline"):
            meds.find_medication(session=s, name="setraline")
        assert meds.find_medication(session=s, name="SERTRALINE").id == med_id


def test_new_prescription_closes_the_previous(db: Database, med_id: int) -> None:
    with db.write() as s:
        meds.set_prescription(
            session=s, medication_id=med_id, dose_mg=75, times=[time(8)], start_date=date(2026, 12, 1)
        )
    with db.read() as s:
        rows = meds.prescriptions_for(session=s, medication_id=med_id)
        assert [(p.dose_mg, p.end_date) for p in rows] == [(100, date(2026, 11, 30)), (75, None)]
        assert meds.prescription_on(session=s, medication_id=med_id, day=date(2026, 11, 30)).dose_mg == 100
        assert meds.prescription_on(session=s, medication_id=med_id, day=date(2026, 12, 1)).dose_mg == 75


def test_slots_and_filling_them(db: Database, med_id: int) -> None:
    with db.write() as s:
        event = doses.log_dose(
            session=s,
            medication_id=med_id,
            amount_mg=100,
            taken_at=NOW.replace(hour=8, minute=20),
            now=NOW,
            tz=UTCZ,
        )
    assert event.scheduled_for == datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    assert event.taken_at == datetime(2026, 11, 27, 8, 20, tzinfo=UTC)
    assert event.logged_at == NOW
    with db.read() as s:
        slots = doses.slots_for_day(session=s, day=TODAY, now=NOW, tz=UTCZ)
    assert [(sl.local_time, sl.status) for sl in slots] == [(time(8), "taken"), (time(20), "upcoming")]


def test_skip_keeps_taken_time_empty_and_missed_after_six_hours(db: Database, med_id: int) -> None:
    with db.write() as s:
        doses.log_dose(
            session=s, medication_id=med_id, skipped=True, taken_at=NOW.replace(hour=8), now=NOW, tz=UTCZ
        )
    just_before = datetime(2026, 11, 28, 1, 59, tzinfo=UTC)  # 20:00 + 5 h 59 min
    with db.read() as s:
        slots = doses.slots_for_day(session=s, day=TODAY, now=just_before, tz=UTCZ)
        event = s.exec(select(DoseEvent)).one()
    assert event.taken_at is None and event.status == "skipped"
    assert [sl.status for sl in slots] == ["skipped", "due"]
    at_six = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # 6 hours after: missed (DOMAIN.md R5)
    with db.read() as s:
        assert doses.slots_for_day(session=s, day=TODAY, now=at_six, tz=UTCZ)[1].status == "missed"


def test_extra_dose_and_absurd_amount(db: Database, med_id: int) -> None:
    with db.write() as s:
        doses.log_dose(
            session=s, medication_id=med_id, amount_mg=100, taken_at=NOW.replace(hour=8), now=NOW, tz=UTCZ
        )
        extra = doses.log_dose(
            session=s, medication_id=med_id, amount_mg=25, taken_at=NOW.replace(hour=11), now=NOW, tz=UTCZ
        )
    assert extra.status == "extra" and extra.scheduled_for is None
    # above the licensed maximum of sertraline, 200 mg a day (DOMAIN.md): asked about, not refused
    with pytest.raises(TrackerError, match="above the licensed maximum for sertraline"), db.write() as s:
        doses.log_dose(session=s, medication_id=med_id, amount_mg=401, taken_at=NOW, now=NOW, tz=UTCZ)
    with db.write() as s:
        forced = doses.log_dose(
            session=s, medication_id=med_id, amount_mg=401, taken_at=NOW, force=True, now=NOW, tz=UTCZ
        )
    assert forced.amount_mg == 401


def test_changing_status_never_rewrites_taken_time(db: Database, med_id: int) -> None:
    with db.write() as s:
        e = doses.log_dose(
            session=s,
            medication_id=med_id,
            amount_mg=100,
            taken_at=NOW.replace(hour=8, minute=5),
            now=NOW,
            tz=UTCZ,
        )
    with db.write() as s:
        edited = doses.edit_dose(session=s, event_id=e.id or 0, status="skipped", now=NOW)
    assert edited.taken_at == NOW.replace(hour=8, minute=5)


def test_mark_all_due_taken(db: Database, med_id: int) -> None:
    evening = datetime(2026, 11, 27, 21, 0, tzinfo=UTC)
    with db.write() as s:
        done = doses.mark_all_due_taken(session=s, day=TODAY, now=evening, tz=UTCZ)
    assert len(done) == 2 and all(e.taken_at == e.scheduled_for for e in done)


def test_symptom_rating_upserts_and_keeps_the_old_name(db: Database) -> None:
    with db.write() as s:
        zaps = symptoms.find_symptom(session=s, name="brain-zaps")
        symptoms.rate_symptom(session=s, symptom_id=zaps.id or 0, day=TODAY, severity=2)
        symptoms.rate_symptom(session=s, symptom_id=zaps.id or 0, day=TODAY, severity=3, comparison="worse")
        symptoms.rename_symptom(session=s, symptom_id=zaps.id or 0, name="Zaps")
    with db.read() as s:
        rows = s.exec(select(SymptomEntry)).all()
        assert [(r.severity, r.comparison, r.symptom_name) for r in rows] == [(3, "worse", "Brain zaps")]
        assert symptoms.burden_by_day(session=s, start=TODAY, end=TODAY) == {TODAY: 3}
        assert (
            symptoms.find_symptom(session=s, name="shocks" if False else "brain shocks").key == "brain-zaps"
        )


def test_symptom_refusals(db: Database) -> None:
    with db.write() as s:
        zaps = symptoms.find_symptom(session=s, name="brain zaps")
        with pytest.raises(TrackerError, match="outside 0-3"):
            symptoms.rate_symptom(session=s, symptom_id=zaps.id or 0, day=TODAY, severity=4)
        with pytest.raises(NotFoundError, match="did you mean"):
            symptoms.find_symptom(session=s, name="dizzyness")
        crisis = symptoms.find_symptom(session=s, name="self-harm")
        with pytest.raises(TrackerError, match="cannot be hidden"):
            symptoms.set_hidden(session=s, symptom_id=crisis.id or 0, hidden=True)


def test_custom_symptom_hide_unhide(db: Database) -> None:
    with db.write() as s:
        jaw = symptoms.add_symptom(session=s, name="Jaw clenching", group="Other")
        symptoms.set_hidden(session=s, symptom_id=jaw.id or 0, hidden=True)
    with db.read() as s:
        assert jaw.id not in {x.id for x in symptoms.list_symptoms(session=s)}
        assert jaw.id in {x.id for x in symptoms.list_symptoms(session=s, include_hidden=True)}


def test_checkin_updates_only_given_fields(db: Database) -> None:
    with db.write() as s:
        checkins.set_checkin(session=s, day=TODAY, mood=6, sleep_hours=7)
        checkins.set_checkin(session=s, day=TODAY, note="tired")
    with db.read() as s:
        row = s.exec(select(CheckIn)).one()
    assert (row.mood, row.sleep_hours, row.note) == (6, 7.0, "tired")
    with pytest.raises(TrackerError, match="outside 0-10"), db.write() as s:
        checkins.set_checkin(session=s, day=TODAY, mood=11)


def test_every_change_is_audited_and_undo_restores(db: Database, med_id: int) -> None:
    with db.write() as s:
        e = doses.log_dose(
            session=s, medication_id=med_id, amount_mg=100, taken_at=NOW.replace(hour=8), now=NOW, tz=UTCZ
        )
    with db.write() as s:
        doses.edit_dose(session=s, event_id=e.id or 0, amount_mg=50, now=NOW)
    with db.read() as s:
        last = s.exec(select(AuditEntry).order_by(AuditEntry.id.desc())).first()  # type: ignore[union-attr]
        assert last is not None and last.action == "update"
        assert json.loads(last.before or "{}")["amount_mg"] == 100
    with db.write(audit=False) as s:
        result = audit.undo_last(session=s)
    assert "restored a dose" in result.describe()
    with db.read() as s:
        assert s.exec(select(DoseEvent)).one().amount_mg == 100
    with db.write(audit=False) as s:
        audit.undo_last(session=s)
    with db.read() as s:
        assert s.exec(select(DoseEvent)).all() == []


def test_undo_reverts_a_whole_action(db: Database, med_id: int) -> None:
    with db.write() as s:
        meds.set_prescription(
            session=s, medication_id=med_id, dose_mg=75, times=[time(8)], start_date=date(2026, 12, 1)
        )
    with db.write(audit=False) as s:
        audit.undo_last(session=s)
    with db.read() as s:
        rows = s.exec(select(Prescription)).all()
    assert [(p.dose_mg, p.end_date) for p in rows] == [(100, None)]


def test_delete_then_undo_brings_it_back(db: Database) -> None:
    with db.write() as s:
        q = clinician.add_question(session=s, text="Can I use a liquid?")
    with db.write() as s:
        s.delete(s.get(type(q), q.id))
    with db.write(audit=False) as s:
        assert "brought back" in audit.undo_last(session=s).describe()
    with db.read() as s:
        assert [x.text for x in clinician.list_questions(session=s)] == ["Can I use a liquid?"]


def test_settings_and_day_summary(db: Database, med_id: int) -> None:
    with db.write() as s:
        settings.set_setting(session=s, key="timezone", value="Europe/London")
        with pytest.raises(TrackerError, match="unknown time zone"):
            settings.set_setting(session=s, key="timezone", value="Mars/Olympus")
        with pytest.raises(TrackerError, match="unknown setting"):
            settings.set_setting(session=s, key="nope", value=1)
    with db.read() as s:
        assert settings.user_zone(session=s).key == "Europe/London"
        summary = day.day_summary(session=s, day=TODAY, now=NOW)
    assert len(summary.slots) == 2 and summary.burden is None
    assert summary.as_json()["day"] == "2026-11-27"


# -- set-based reads for Today (issue 8) ----------------------------------------------------


def _count_statements(db: Database) -> list[str]:
    """Every query (SELECT) run on the engine's connections from now on, appended as it runs.

    Traced by SQLite itself, so the plain-SQL reads (tracker/queries), which run on the
    session's own connection without going through SQLAlchemy, are counted too.
    """
    import sqlite3

    from sqlalchemy import event

    seen: list[str] = []

    def note(statement: str) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    def trace(dbapi_connection: sqlite3.Connection, *_rest: object) -> None:
        dbapi_connection.set_trace_callback(note)

    event.listen(db.engine, "checkout", trace)
    return seen


def test_slots_for_days_across_a_dose_change_and_the_clocks_going_forward(db: Database) -> None:
    """A week in London around 29 March 2026 (BST from 01:00 UTC): one prescription ends,
    one is replaced by a new dose at a new time, an archived medication has none shown."""
    from datetime import timedelta

    london = ZoneInfo("Europe/London")
    now = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    with db.write() as s:
        sertraline = meds.create_medication(session=s, name="Sertraline", strength_mg=25).id or 0
        meds.set_prescription(
            session=s,
            medication_id=sertraline,
            dose_mg=25,
            times=[time(8), time(20)],
            start_date=date(2026, 3, 1),
        )
        meds.set_prescription(
            session=s, medication_id=sertraline, dose_mg=12.5, times=[time(9)], start_date=date(2026, 3, 29)
        )
        propranolol = meds.create_medication(session=s, name="Propranolol", strength_mg=10).id or 0
        meds.set_prescription(
            session=s,
            medication_id=propranolol,
            dose_mg=10,
            times=[time(8)],
            start_date=date(2026, 3, 1),
            end_date=date(2026, 3, 27),
        )
        old = meds.create_medication(session=s, name="Citalopram", strength_mg=20).id or 0
        meds.set_prescription(
            session=s, medication_id=old, dose_mg=20, times=[time(7)], start_date=date(2026, 1, 1)
        )
        meds.set_archived(session=s, medication_id=old, confirmed=True)
        doses.log_dose(
            session=s,
            medication_id=sertraline,
            taken_at=datetime(2026, 3, 27, 8, 5, tzinfo=UTC),
            now=now,
            tz=london,
        )
        doses.log_dose(
            session=s,
            medication_id=sertraline,
            skipped=True,
            taken_at=datetime(2026, 3, 28, 20, 0, tzinfo=UTC),
            scheduled_for=datetime(2026, 3, 28, 20, 0, tzinfo=UTC),
            now=now,
            tz=london,
        )
        # an extra dose is never a slot
        s.add(
            DoseEvent(
                medication_id=sertraline,
                day=date(2026, 3, 28),
                taken_at=datetime(2026, 3, 28, 14, 0, tzinfo=UTC),
                amount_mg=5,
                status="extra",
                logged_at=now,
            )
        )
    statements = _count_statements(db)
    with db.read() as s:
        week = doses.slots_for_days(
            session=s, first=date(2026, 3, 25), last=date(2026, 3, 31), now=now, tz=london
        )
        week_statements = len(statements)
        doses.slots_for_days(session=s, first=date(2026, 1, 1), last=date(2026, 3, 31), now=now, tz=london)
        quarter_statements = len(statements) - week_statements
        single = doses.slots_for_day(session=s, day=date(2026, 3, 29), now=now, tz=london)

    def shown(day: date) -> list[tuple[str, str, str, float]]:
        return [(x.medication_name, x.local_time.strftime("%H:%M"), x.status, x.dose_mg) for x in week[day]]

    assert list(week) == [date(2026, 3, 25) + timedelta(days=k) for k in range(7)]
    assert shown(date(2026, 3, 27)) == [
        ("Propranolol", "08:00", "missed", 10),
        ("Sertraline", "08:00", "taken", 25),
        ("Sertraline", "20:00", "missed", 25),
    ]
    assert shown(date(2026, 3, 28)) == [
        ("Sertraline", "08:00", "missed", 25),
        ("Sertraline", "20:00", "skipped", 25),
    ]
    assert shown(date(2026, 3, 29)) == [("Sertraline", "09:00", "missed", 12.5)]
    assert week[date(2026, 3, 29)][0].scheduled_for == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # 09:00 BST
    assert shown(date(2026, 3, 31)) == [("Sertraline", "09:00", "due", 12.5)]  # 4 hours ago
    assert single == week[date(2026, 3, 29)]
    # medications, their prescriptions, the doses logged: the same three queries for 7 or 90 days
    assert week_statements == quarter_statements == 3


def test_day_window_reads_a_fortnight_in_a_fixed_number_of_queries(db: Database, med_id: int) -> None:
    from datetime import timedelta

    def back(days: int) -> date:
        return TODAY - timedelta(days=days)

    with db.write() as s:
        zaps = symptoms.find_symptom(session=s, name="brain zaps").id or 0
        insomnia = symptoms.find_symptom(session=s, name="insomnia").id or 0
        for day_, symptom, severity in (
            (TODAY, zaps, 2),
            (TODAY, insomnia, 1),
            (back(5), zaps, 3),
            (back(20), zaps, 1),
        ):
            symptoms.rate_symptom(session=s, symptom_id=symptom, day=day_, severity=severity, now=NOW)
        for day_, mood in ((TODAY, 5), (back(1), 6), (back(13), 4), (back(14), 7)):
            checkins.set_checkin(session=s, day=day_, mood=mood, now=NOW)
    statements = _count_statements(db)
    with db.read() as s:
        window = day.day_window(session=s, day=TODAY, days=14, slot_days=7, now=NOW, tz=UTCZ)
        plain = len(statements)
        active = meds.list_medications(session=s)
        before = len(statements)
        given = day.day_window(
            session=s, day=TODAY, days=14, slot_days=7, now=NOW, tz=UTCZ, medications=active
        )
        with_meds = len(statements) - before
        summary = day.day_summary(session=s, day=TODAY, now=NOW, tz=UTCZ)

    assert window.summary.as_json() == summary.as_json()
    assert window.summary.burden == 3 and window.summary.checkin is not None
    assert window.summary.checkin.mood == 5
    assert {d: c.mood for d, c in window.checkins.items()} == {TODAY: 5, back(1): 6, back(13): 4}
    assert window.burden == {TODAY: 3, back(5): 3}
    assert list(window.slots) == [back(k) for k in range(6, -1, -1)]
    assert all(len(slots) == 2 for slots in window.slots.values())
    assert given.slots == window.slots
    # medications, prescriptions, doses; check-ins; the day's entries and extras; burden
    assert (plain, with_meds) == (7, 6)
