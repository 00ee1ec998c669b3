"""Appointments and questions read through plain SQL (issue 18): what the ORM wrote, read back
from a plain sqlite3 connection (``Reader``) and from a session alike, in the screen's order."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tracker.db import open_database
from tracker.queries.clinician import AppointmentRow, QuestionRow
from tracker.services import clinician
from tracker.store import Reader
from tracker.ui.screens.clinician import load_clinician

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_rows_written_by_the_orm_read_back_from_a_plain_connection(tmp_path: Path) -> None:
    db = open_database(tmp_path / "tracker.db", create_dir=True)
    try:
        with db.write() as s:
            # written out of order, so the reads' order is theirs, not the insertion's
            clinician.add_appointment(
                session=s, at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC), clinician="Dr. Okafor"
            )
            clinician.add_appointment(
                session=s, at=datetime(2026, 10, 5, 14, 0, tzinfo=UTC), kind="phone", notes="bring the log"
            )
            late = clinician.add_question(
                session=s, text="Liquid form?", now=datetime(2026, 11, 2, 8, tzinfo=UTC)
            )
            early = clinician.add_question(
                session=s, text="Step length?", now=datetime(2026, 11, 1, 8, tzinfo=UTC)
            )
            clinician.answer_question(
                session=s,
                question_id=early.id or 0,
                answer=" four weeks ",
                now=datetime(2026, 11, 3, 23, 30, tzinfo=UTC),
            )
        with Reader(db.path).read() as conn:
            appointments = clinician.list_appointments(session=conn)
            questions = clinician.list_questions(session=conn)
            open_only = clinician.list_questions(session=conn, open_only=True)
            view = load_clinician(conn, NOW)
        with db.read() as s:
            assert clinician.list_appointments(session=s) == appointments
            assert clinician.list_questions(session=s) == questions
    finally:
        db.close()

    assert appointments == [
        AppointmentRow(2, datetime(2026, 10, 5, 14, 0, tzinfo=UTC), None, "phone", "bring the log"),
        AppointmentRow(1, datetime(2026, 12, 1, 9, 30, tzinfo=UTC), "Dr. Okafor", "review", None),
    ]
    assert questions == [
        QuestionRow(
            early.id or 0,
            "Step length?",
            datetime(2026, 11, 1, 8, tzinfo=UTC),
            datetime(2026, 11, 3, 23, 30, tzinfo=UTC),
            "four weeks",
        ),
        QuestionRow(late.id or 0, "Liquid form?", datetime(2026, 11, 2, 8, tzinfo=UTC), None, None),
    ]
    assert [q.text for q in open_only] == ["Liquid form?"]
    # the screen: booked first, then past; open questions first (the zone is UTC by default)
    assert view.tz == ZoneInfo("UTC")
    assert [(a.local, a.booked) for a in view.appointments] == [
        ("2026-12-01 09:30", True),
        ("2026-10-05 14:00", False),
    ]
    assert [(q.text, q.answered) for q in view.questions] == [
        ("Liquid form?", None),
        ("Step length?", datetime(2026, 11, 3).date()),
    ]


def test_the_clinician_reads_import_no_orm() -> None:
    code = (
        "import sys, tracker.services.clinician, tracker.ui.screens.clinician\n"
        "print(sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'sqlmodel', 'pydantic', "
        "'tracker.models', 'tracker.db'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
