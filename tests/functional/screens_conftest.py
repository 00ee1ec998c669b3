"""Helpers for the Pilot and snapshot tests of the Medications, History, Clinician and Settings screens.

Plain functions rather than fixtures, imported by those test modules, so they do
not depend on (or clash with) the fixtures of tests/functional/conftest.py.

The dataset, written with the audit trail off so that no row carries a wall-clock
time (the clock is frozen at Friday 27 November 2026 12:00 UTC, Europe/London):

- Sertraline (Lustral) 50 mg tablets, liquid 20 mg/ml, fractions 1,0.5,0.25:
  prescribed 100 mg from 2026-06-01, 75 mg from 2026-08-01, 50 mg from 2026-10-01, at 08:00,
  by Dr. Okafor. Citalopram 20 mg tablets, archived, never prescribed.
- Doses of Sertraline 50 mg on the 10 days before today, taken at 08:05 local, except
  2026-11-20, skipped.
- Symptom ratings: Brain zaps (2 on 2026-11-26, 1 on 2026-11-25), Dizziness (1 on 2026-11-26).
- Check-ins on the 3 days before today: mood 6, sleep 7 h (note "Slept well" on 2026-11-26).
- Appointments: 2026-10-15 10:30 (past), 2026-12-10 09:15 (booked). Questions: one open,
  one answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from helpers.pilot import settle
from textual.pilot import Pilot

from tracker.db import Database, open_database
from tracker.domain.timeutil import local_to_utc
from tracker.ui.app import TrackerApp

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)
TZ = ZoneInfo("Europe/London")
DOSE_DAYS = 10
SKIPPED_DAY = date(2026, 11, 20)


def build_screens_db(path: Path) -> None:
    """Write the dataset of the module docstring to ``path`` (a new file)."""
    from tracker.services import checkins, clinician, doses, meds, settings, symptoms

    db = open_database(path, create_dir=True)
    try:
        with db.write(audit=False) as s:
            for key, value in (
                ("timezone", "Europe/London"),
                ("first_run_done", True),
                ("disclaimer_acknowledged", True),
                ("patient_name", "Sam Test"),
            ):
                settings.set_setting(session=s, key=key, value=value)
            sert = meds.create_medication(
                session=s,
                name="Sertraline",
                brand="Lustral",
                strength_mg=50.0,
                liquid_mg_per_ml=20.0,
                tablet_fractions="1,0.5,0.25",
            )
            sid = sert.id or 0
            for dose, start in (
                (100.0, date(2026, 6, 1)),
                (75.0, date(2026, 8, 1)),
                (50.0, date(2026, 10, 1)),
            ):
                meds.set_prescription(
                    session=s,
                    medication_id=sid,
                    dose_mg=dose,
                    times=[time(8, 0)],
                    start_date=start,
                    prescriber="Dr. Okafor",
                )
            cit = meds.create_medication(session=s, name="Citalopram", strength_mg=20.0)
            meds.set_archived(session=s, medication_id=cit.id or 0, archived=True)
            for back in range(1, DOSE_DAYS + 1):
                day = TODAY - timedelta(days=back)
                slot = local_to_utc(day, time(8, 0), TZ)
                if day == SKIPPED_DAY:
                    doses.log_dose(
                        session=s,
                        medication_id=sid,
                        skipped=True,
                        taken_at=slot,
                        now=NOW,
                        tz=TZ,
                        scheduled_for=slot,
                    )
                else:
                    doses.log_dose(
                        session=s,
                        medication_id=sid,
                        amount_mg=50.0,
                        taken_at=slot + timedelta(minutes=5),
                        now=NOW,
                        tz=TZ,
                        scheduled_for=slot,
                    )
            zaps = symptoms.find_symptom(session=s, name="brain zaps")
            dizzy = symptoms.find_symptom(session=s, name="dizziness")
            for symptom_id, day, severity in (
                (zaps.id or 0, date(2026, 11, 26), 2),
                (zaps.id or 0, date(2026, 11, 25), 1),
                (dizzy.id or 0, date(2026, 11, 26), 1),
            ):
                symptoms.rate_symptom(
                    session=s,
                    symptom_id=symptom_id,
                    day=day,
                    severity=severity,
                    now=local_to_utc(day, time(21, 0), TZ),
                )
            for back in range(1, 4):
                day = TODAY - timedelta(days=back)
                checkins.set_checkin(
                    session=s,
                    day=day,
                    mood=6,
                    sleep_hours=7.0,
                    note="Slept well" if back == 1 else None,
                    now=local_to_utc(day, time(21, 5), TZ),
                )
            clinician.add_appointment(
                session=s,
                at=local_to_utc(date(2026, 10, 15), time(10, 30), TZ),
                clinician="Dr. Okafor",
                kind="review",
                notes="Agreed the 50 mg step",
            )
            clinician.add_appointment(
                session=s,
                at=local_to_utc(date(2026, 12, 10), time(9, 15), TZ),
                clinician="Dr. Okafor",
                kind="review",
                notes="Before the next step",
            )
            q1 = clinician.add_question(
                session=s,
                text="Is dizziness after a step expected?",
                now=datetime(2026, 10, 1, 9, 0, tzinfo=UTC),
            )
            clinician.answer_question(
                session=s,
                question_id=q1.id or 0,
                answer="Often, for a week or two.",
                now=datetime(2026, 10, 15, 10, 0, tzinfo=UTC),
            )
            clinician.add_question(
                session=s,
                text="Could a liquid make the last steps smaller?",
                now=datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
            )
    finally:
        db.close()


def make_app(path: Path) -> TrackerApp:
    """The app on ``path`` with the clock frozen at NOW."""
    return TrackerApp(path, clock=lambda: NOW)


async def press(pilot: Pilot[Any], *keys: str) -> None:
    """Press keys, then settle."""
    await pilot.press(*keys)
    await settle(pilot)


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type ``text`` key by key, as a user would."""
    names = {
        " ": "space",
        ":": "colon",
        ",": "comma",
        ".": "full_stop",
        "-": "minus",
        "/": "slash",
        "'": "apostrophe",
        "?": "question_mark",
        "_": "underscore",
    }
    await pilot.press(*(names.get(ch, ch) for ch in text))


def notifications(app: TrackerApp) -> list[str]:
    """The messages of the notifications shown so far."""
    return [n.message for n in app._notifications]


def with_db(path: Path) -> Database:
    """Open ``path`` for assertions (close it after)."""
    return open_database(path)


def static_text(app: TrackerApp, selector: str) -> str:
    """The plain text a Static shows."""
    from textual.widgets import Static

    widget = app.screen.query_one(selector, Static)
    return str(widget.render())


def table_rows(app: TrackerApp, selector: str) -> list[Sequence[Any]]:
    """Every row of a DataTable on the current screen, as plain strings."""
    from textual.widgets import DataTable

    table = app.screen.query_one(selector, DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
