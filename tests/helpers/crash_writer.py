"""A writer process for the crash-safety and concurrency tests.

Logs extra doses in a loop through the real services and ``Database.write`` and
prints each committed dose's id on stdout, flushed, right after its commit: a
line on stdout is a promise that the row is on disk. Runs until killed, or for
``--count N`` doses.

    python tests/helpers/crash_writer.py DB [--tag TAG] [--count N]
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import func, select

from tracker.db import Database, open_database
from tracker.domain.errors import NotFoundError
from tracker.models import DoseEvent
from tracker.services import doses, meds

MED = "Sertraline"
BASE = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def _medication_id(db: Database) -> int:
    with db.write() as session:
        try:
            med = meds.find_medication(session=session, name=MED)
        except NotFoundError:
            med = meds.create_medication(session=session, name=MED, strength_mg=50)
        return med.id or 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--tag", default="w")
    parser.add_argument("--count", type=int, default=0)
    args = parser.parse_args(argv)
    db = open_database(Path(args.db))
    med_id = _medication_id(db)
    with db.read() as session:
        start = session.exec(select(func.count()).select_from(DoseEvent)).one()
    now = datetime.now(UTC)
    i = 0
    while not args.count or i < args.count:
        with db.write() as session:
            event = doses.log_dose(
                session=session,
                medication_id=med_id,
                amount_mg=25.0,
                taken_at=BASE + timedelta(minutes=start + i),
                note=f"{args.tag}-{i}",
                now=now,
                tz=ZoneInfo("UTC"),
            )
            event_id = event.id
        print(event_id, flush=True)
        i += 1
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
