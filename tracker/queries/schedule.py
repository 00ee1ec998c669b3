"""What the dose schedule reads, with plain SQL (no ORM): prescriptions and the zone they follow.

One statement returns both the prescriptions in force over a range and the stored
settings that say which time zone their wall-clock times are in (the travel rule), so
Today's read of a week of slots stays at a fixed, small number of statements.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from tracker.queries.meds import PrescriptionRow
from tracker.queries.meds import _prescription as prescription_row
from tracker.store import Reads, raw, to_db

HISTORY_KEY = "timezone_history"
# The settings that decide the zones slots are expanded in (see services.settings.timeline),
# including the history of the zones past days were lived in.
ZONE_KEYS = ("timezone", "schedule_follows", "home_timezone", HISTORY_KEY)

_COLUMNS = (
    "p.id, p.medication_id, p.dose_mg, p.times, p.start_date, p.end_date, p.prescriber, p.note, "
    "p.taper_step_id, p.created_at"
)


def prescriptions_and_zone_settings(
    *, session: Reads, medication_ids: Sequence[int], first: date, last: date
) -> tuple[list[PrescriptionRow], dict[str, Any]]:
    """The prescriptions of ``medication_ids`` in force on any day of [first, last] (latest-starting
    first, as ``meds.prescriptions_overlapping``) and the stored values of ``ZONE_KEYS`` (decoded
    JSON; a key not stored is absent).

    The settings come from a one-row subquery left-joined to the prescriptions, so there is
    always a row to read them from, even when no prescription matches.
    """
    marks = ", ".join("?" * len(medication_ids)) or "NULL"
    rows = (
        raw(session)
        .execute(
            "SELECT s.tz, s.follows, s.home, s.history, "
            f"{_COLUMNS} FROM (SELECT (SELECT value FROM setting WHERE key = ?) AS tz, "
            "(SELECT value FROM setting WHERE key = ?) AS follows, "
            "(SELECT value FROM setting WHERE key = ?) AS home, "
            "(SELECT value FROM setting WHERE key = ?) AS history) AS s "
            f"LEFT JOIN prescription AS p ON p.medication_id IN ({marks}) AND p.start_date <= ? "
            "AND (p.end_date IS NULL OR p.end_date >= ?) ORDER BY p.start_date DESC, p.id DESC",
            (*ZONE_KEYS, *medication_ids, to_db(last), to_db(first)),
        )
        .fetchall()
    )
    count = len(ZONE_KEYS)
    values = rows[0][:count]
    stored = {
        key: json.loads(value) for key, value in zip(ZONE_KEYS, values, strict=True) if value is not None
    }
    found = [prescription_row(row[count:]) for row in rows if row[count] is not None]
    return found, stored


def zone_settings(*, session: Reads) -> dict[str, Any]:
    """The stored values of ``ZONE_KEYS`` alone (decoded JSON; a key not stored is absent)."""
    rows = raw(session).execute(
        f"SELECT key, value FROM setting WHERE key IN ({', '.join('?' * len(ZONE_KEYS))})", ZONE_KEYS
    )
    return {key: json.loads(value) for key, value in rows}
