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

from tracker.queries._values import as_day
from tracker.queries.meds import PrescriptionRow
from tracker.queries.meds import _prescription as prescription_row
from tracker.store import Reads, day_from_db, raw, to_db

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
    found, stored, _micro = prescriptions_zone_settings_and_micro(
        session=session, medication_ids=medication_ids, first=first, last=last
    )
    return found, stored


MicroRow = tuple[int, str, date | None, date]
"""(prescription id, the step's micro-step table as JSON, the step's actual start, planned start)."""


def prescriptions_zone_settings_and_micro(
    *, session: Reads, medication_ids: Sequence[int], first: date, last: date
) -> tuple[list[PrescriptionRow], dict[str, Any], list[MicroRow]]:
    """``prescriptions_and_zone_settings`` and, in the same statement, the micro-step table (D8) of
    each prescription a started plan's step wrote (the step's ``micro``; drafts and agreed plans
    have written none)."""
    marks = ", ".join("?" * len(medication_ids)) or "NULL"
    rows = (
        raw(session)
        .execute(
            "SELECT s.tz, s.follows, s.home, s.history, "
            f"{_COLUMNS}, ts.micro, ts.actual_start, ts.planned_start "
            "FROM (SELECT (SELECT value FROM setting WHERE key = ?) AS tz, "
            "(SELECT value FROM setting WHERE key = ?) AS follows, "
            "(SELECT value FROM setting WHERE key = ?) AS home, "
            "(SELECT value FROM setting WHERE key = ?) AS history) AS s "
            f"LEFT JOIN prescription AS p ON p.medication_id IN ({marks}) AND p.start_date <= ? "
            "AND (p.end_date IS NULL OR p.end_date >= ?) "
            f"{MICRO_JOIN} ORDER BY p.start_date DESC, p.id DESC",
            (*ZONE_KEYS, *medication_ids, to_db(last), to_db(first)),
        )
        .fetchall()
    )
    count = len(ZONE_KEYS)
    values = rows[0][:count]
    stored = {
        key: json.loads(value) for key, value in zip(ZONE_KEYS, values, strict=True) if value is not None
    }
    width = len(_COLUMNS.split(","))
    found = [prescription_row(row[count : count + width]) for row in rows if row[count] is not None]
    micro = [
        (row[count], row[count + width], day_from_db(row[count + width + 1]), as_day(row[count + width + 2]))
        for row in rows
        if row[count] is not None and row[count + width] is not None
    ]
    return found, stored, micro


# A prescription's step table counts once its plan has started (never a draft's or an agreed plan's).
MICRO_JOIN = (
    "LEFT JOIN taperstep AS ts ON ts.id = p.taper_step_id AND ts.micro IS NOT NULL "
    "AND EXISTS (SELECT 1 FROM taperplan AS tp WHERE tp.id = ts.plan_id "
    "AND tp.status NOT IN ('draft', 'agreed'))"
)


def micro_tables(*, session: Reads) -> list[MicroRow]:
    """Every prescription's micro-step table (D8), as ``prescriptions_zone_settings_and_micro`` reads them."""
    rows = raw(session).execute(
        f"SELECT p.id, ts.micro, ts.actual_start, ts.planned_start FROM prescription AS p {MICRO_JOIN} "
        "WHERE ts.micro IS NOT NULL"
    )
    return [(r[0], r[1], day_from_db(r[2]), as_day(r[3])) for r in rows]


def zone_settings(*, session: Reads) -> dict[str, Any]:
    """The stored values of ``ZONE_KEYS`` alone (decoded JSON; a key not stored is absent)."""
    rows = raw(session).execute(
        f"SELECT key, value FROM setting WHERE key IN ({', '.join('?' * len(ZONE_KEYS))})", ZONE_KEYS
    )
    return {key: json.loads(value) for key, value in rows}
