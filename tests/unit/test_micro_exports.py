"""Exports of a micro-step step (D8): FHIR carries the day-by-day doses as one dosageInstruction
per run of equal rows, each bounded; the calendar has one event at the table's start naming its
range and where to see the table (no event a day).

Hand-worked table (tracker/domain/taper_micro.py's rule): sertraline 20 mg/ml liquid in 0.1 ml
(2 mg) steps, 50 -> 40 mg over 7 days from 1 Dec 2026, equal drops in estimated occupancy
(Emax 92.01 %, ED50 7.72 mg): occ(50) = 79.704, occ(40) = 77.125, 0.3684 points a day.
  targets 48.32, 46.74, 45.24, 43.83, 42.49, 41.21, 40 mg -> smallest 2 mg step at or above:
  50, 48, 46, 44, 44, 42, 40 mg. Runs: 50 (1 Dec), 48 (2 Dec), 46 (3 Dec), 44 (4-5 Dec),
  42 (6 Dec), 40 (from 7 Dec, the last row holds).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import time_machine
from fhir.resources.R4B.bundle import Bundle
from icalendar import Calendar

from tracker.db import Database
from tracker.export import fhir
from tracker.services import meds, settings
from tracker.services import taper as svc
from tracker.services import taper_micro as micro

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
DAY1 = date(2026, 12, 1)


def _micro_plan(db: Database, *, agree: bool = True) -> None:
    with time_machine.travel(NOW, tick=False), db.write() as s:
        settings.set_setting(session=s, key="timezone", value="Europe/London")
        med = meds.create_medication(session=s, name="Sertraline", strength_mg=20, form="liquid")
        med_id = med.id or 0
        meds.set_prescription(
            session=s, medication_id=med_id, dose_mg=50, times=[time(8)], start_date=date(2026, 11, 1)
        )
        inputs = svc.draft_inputs(session=s, medication_id=med_id, today=NOW.date())
        draft, table = micro.calculate_micro(inputs, cadence="daily", count=7, to_mg=40, start_date=DAY1)
        assert [r.dose_mg for r in table.rows] == [50, 48, 46, 44, 44, 42, 40]
        plan = micro.save_micro_draft(session=s, medication_id=med_id, draft=draft, table=table, now=NOW)
        if agree:
            svc.agree_plan(
                session=s, plan_id=plan.id, prescriber="Dr Rao", agreed_on=NOW.date(), now=NOW, tz=LONDON
            )


def test_fhir_request_carries_the_days_doses_per_run(db: Database) -> None:
    from fhirclient.models.bundle import Bundle as ClientBundle

    _micro_plan(db)
    with db.read() as s:
        text = fhir.export_fhir(session=s, now=NOW)
    Bundle.model_validate_json(text)  # still a valid R4B bundle
    document = json.loads(text)
    ClientBundle(document, strict=True)
    (request,) = [
        e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == "MedicationRequest"
    ]
    runs = request["dosageInstruction"]
    assert [
        (i["doseAndRate"][0]["doseQuantity"]["value"], i["timing"]["repeat"]["boundsPeriod"]) for i in runs
    ] == [
        (50, {"start": "2026-12-01", "end": "2026-12-01"}),
        (48, {"start": "2026-12-02", "end": "2026-12-02"}),
        (46, {"start": "2026-12-03", "end": "2026-12-03"}),
        (44, {"start": "2026-12-04", "end": "2026-12-05"}),
        (42, {"start": "2026-12-06", "end": "2026-12-06"}),
        (40, {"start": "2026-12-07"}),
    ]
    assert [i["sequence"] for i in runs] == [1, 2, 3, 4, 5, 6]
    assert "days 4-5 of the daily micro-step table (2.2 ml of 20 mg/ml)" in runs[3]["text"]


def test_calendar_has_one_event_at_the_tables_start(db: Database) -> None:
    _micro_plan(db)
    with db.read() as s:
        data = svc.taper_calendar(session=s, now=NOW, tz=LONDON)
    events = list(Calendar.from_ical(data).walk("VEVENT"))
    starts = [e for e in events if "Micro-steps start" in str(e.get("summary"))]
    assert len(starts) == 1 and not any("Planned taper step" in str(e.get("summary")) for e in events)
    (event,) = starts
    assert event.decoded("dtstart") == DAY1
    assert "50 -> 40 mg" in str(event.get("summary")) and "2026-12-01 to 2026-12-07" in str(
        event.get("summary")
    )
    description = str(event.get("description"))
    assert "Day 1: 50 mg (2.5 ml of 20 mg/ml)" in description and "down to 40 mg a day" in description
    assert "tracker taper show --table" in description
    checks = [e for e in events if str(e.get("summary")).startswith("Check in")]
    assert [c.decoded("dtstart") for c in checks] == [date(2026, 11, 28)]  # 3 days before, not before today
    assert len(events) == 2  # the table is one event, not one a day
