"""One CSV file per kind of record, for a spreadsheet.

Every instant is local wall-clock time in the user's zone with its UTC offset
("YYYY-MM-DD HH:MM+01:00", ISO 8601), with the zone in its own column, so a time means one
moment even across a daylight-saving change or a journey. A dose keeps its scheduled, taken
and logged times in separate columns next to its status; a scheduled dose with nothing
logged 6 hours after its time is a row with status "missed" (as Trends and the summary count
it). Each file starts with the disclaimer as a comment line ("# ..."), then the header.
Files are UTF-8 with a byte-order mark so that Excel shows accented names correctly
(``bom=False``, ``--no-bom``, leaves it out for other tools), and text a spreadsheet would
run as a formula (starting with = + - @) is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import heapq
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from functools import partial
from itertools import groupby
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tracker.domain.disclaimer import EXPORT_DISCLAIMER
from tracker.domain.scales import SCALES, band_for
from tracker.domain.symptoms import SEVERITY_LABELS
from tracker.domain.timeutil import local_day, utc_now
from tracker.domain.units import times_from_text
from tracker.export import files
from tracker.models import (
    CheckIn,
    DoseEvent,
    Medication,
    Prescription,
    Symptom,
    SymptomEntry,
    TaperPlan,
    TaperStep,
)
from tracker.queries.scales import responses_between

FILES = (
    "doses.csv",
    "symptoms.csv",
    "checkins.csv",
    "scales.csv",
    "prescriptions.csv",
    "taper_steps.csv",
)


def _local(moment: datetime | None, tz: ZoneInfo) -> str:
    """``2026-11-27 08:10+00:00``: local time with its offset (ISO 8601, a space for the T)."""
    return "" if moment is None else moment.astimezone(tz).isoformat(sep=" ", timespec="minutes")


def _text(value: str | None) -> str:
    """Free text, made safe from spreadsheet formula injection."""
    if not value:
        return ""
    return "'" + value if value[0] in "=+-@\t\r" else value


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _write(out: TextIO, header: Sequence[str], rows: Iterable[Sequence[Any]], bom: bool) -> None:
    """One CSV file into ``out`` (UTF-8 text): the disclaimer line, the header, the rows as they come."""
    if bom:
        out.write("\ufeff")  # UTF-8's byte-order mark, for spreadsheets
    out.write(f"# {EXPORT_DISCLAIMER}\r\n")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)


HEADERS: dict[str, tuple[str, ...]] = {
    "doses.csv": (
        "id",
        "day",
        "medication",
        "status",
        "amount_mg",
        "scheduled_time",
        "taken_time",
        "logged_time",
        "time_zone",
        "note",
    ),
    "symptoms.csv": (
        "day",
        "symptom",
        "symptom_key",
        "group",
        "severity",
        "severity_label",
        "compared_with_before_taper",
        "note",
        "logged_time",
    ),
    "checkins.csv": ("day", "mood_0_10", "sleep_hours", "baseline_day", "note", "logged_time"),
    "scales.csv": (
        "day",
        "scale",
        "total",
        "band",
        *(f"item_{n}" for n in range(1, 10)),
        "note",
        "logged_time",
    ),
    "prescriptions.csv": (
        "medication",
        "dose_mg_per_intake",
        "times",
        "daily_mg",
        "start_date",
        "end_date",
        "prescriber",
        "taper_step",
        "note",
    ),
    "taper_steps.csv": (
        "medication",
        "plan_id",
        "plan_status",
        "prescriber",
        "agreed_on",
        "step",
        "daily_dose_mg",
        "planned_start",
        "actual_start",
        "min_days",
        "status",
        "how_to_take",
        "needs_liquid",
        "note",
    ),
}

_Keyed = tuple[tuple[Any, Any, Any], tuple[Any, ...]]


def _dose_rows(
    session: Session, tz: ZoneInfo, now: datetime, meds: dict[Any, str]
) -> Iterator[tuple[Any, ...]]:
    """Logged doses read off the cursor and the missed slots, merged day by day in time order.

    The query is in day order; each day's logged and missed rows are sorted together (stably,
    logged first on a tie), which is the order of sorting the whole list at once.
    """
    from tracker.export.data import missed_slots

    zone = tz.key
    missed: list[_Keyed] = [
        (
            (local_day(r.scheduled_at, tz), r.scheduled_at, 0),
            (
                "",
                local_day(r.scheduled_at, tz).isoformat(),
                _text(meds.get(r.medication_id, "")),
                "missed",
                "",
                _local(r.scheduled_at, tz),
                "",
                "",
                zone,
                "",
            ),
        )
        for r in missed_slots(session=session, now=now, tz=tz)
    ]
    missed.sort(key=lambda kr: kr[0][0])  # by day only: stable, so each day keeps its own order
    doses = session.connection().execute(
        sa_select(
            col(DoseEvent.id),
            col(DoseEvent.day),
            col(DoseEvent.medication_id),
            col(DoseEvent.status),
            col(DoseEvent.amount_mg),
            col(DoseEvent.scheduled_for),
            col(DoseEvent.taken_at),
            col(DoseEvent.logged_at),
            col(DoseEvent.note),
        ).order_by(col(DoseEvent.day), col(DoseEvent.scheduled_for), col(DoseEvent.id))
    )
    logged: Iterator[_Keyed] = (
        (
            (day, sched or taken or logged, i),
            (
                i,
                day.isoformat(),
                _text(meds.get(m, "")),
                status,
                _number(amount),
                _local(sched, tz),
                _local(taken, tz),
                _local(logged, tz),
                zone,
                _text(note),
            ),
        )
        for i, day, m, status, amount, sched, taken, logged, note in doses
    )
    # heapq.merge is stable: on one day the logged rows (first iterable) come before the missed
    for _day, group in groupby(heapq.merge(logged, missed, key=lambda kr: kr[0][0]), key=lambda kr: kr[0][0]):
        for _key, row in sorted(group, key=lambda kr: _order(kr[0])):
            yield row


def _tables(session: Session, tz: ZoneInfo, now: datetime) -> Iterator[tuple[str, Iterable[Sequence[Any]]]]:
    """(file name, its rows) for each file in turn; each file's rows are read while it is written."""
    meds = {m.id: m.name for m in session.exec(select(Medication)).all()}
    yield "doses.csv", _dose_rows(session, tz, now, meds)

    symptoms = {s.id: s for s in session.exec(select(Symptom)).all()}
    entries = session.connection().execute(
        sa_select(
            col(SymptomEntry.day),
            col(SymptomEntry.symptom_id),
            col(SymptomEntry.symptom_name),
            col(SymptomEntry.severity),
            col(SymptomEntry.comparison),
            col(SymptomEntry.note),
            col(SymptomEntry.logged_at),
        ).order_by(col(SymptomEntry.day), col(SymptomEntry.symptom_id))
    )
    yield (
        "symptoms.csv",
        (
            (
                day.isoformat(),
                _text(name),
                symptoms[sid].key if sid in symptoms else "",
                symptoms[sid].group if sid in symptoms else "",
                severity,
                SEVERITY_LABELS[severity] if 0 <= severity < len(SEVERITY_LABELS) else "",
                comparison or "",
                _text(note),
                _local(logged, tz),
            )
            for day, sid, name, severity, comparison, note, logged in entries
        ),
    )

    checkins = session.connection().execute(
        sa_select(
            col(CheckIn.day),
            col(CheckIn.mood),
            col(CheckIn.sleep_hours),
            col(CheckIn.is_baseline),
            col(CheckIn.note),
            col(CheckIn.logged_at),
        ).order_by(col(CheckIn.day))
    )
    yield (
        "checkins.csv",
        (
            (
                day.isoformat(),
                "" if mood is None else mood,
                _number(sleep),
                "yes" if baseline else "no",
                _text(note),
                _local(logged, tz),
            )
            for day, mood, sleep, baseline, note, logged in checkins
        ),
    )

    yield (
        "scales.csv",
        (
            (
                r.day.isoformat(),
                SCALES[r.scale].name,
                r.total,
                band_for(SCALES[r.scale], r.total).label,
                *(str(a) for a in r.answers),
                *([""] * (9 - len(r.answers))),
                _text(r.note),
                _local(r.logged_at, tz),
            )
            for r in responses_between(session=session, first=None, last=None)
            if r.scale in SCALES
        ),
    )

    steps = {s.id: s for s in session.exec(select(TaperStep)).all()}
    prescriptions = session.exec(
        select(Prescription).order_by(col(Prescription.medication_id), col(Prescription.start_date))
    ).all()
    rx_rows = []
    for rx in prescriptions:
        count = len(times_from_text(rx.times))
        step = steps.get(rx.taper_step_id) if rx.taper_step_id is not None else None
        rx_rows.append(
            (
                _text(meds.get(rx.medication_id, "")),
                _number(rx.dose_mg),
                rx.times.replace(",", " "),
                _number(rx.dose_mg * count),
                rx.start_date.isoformat(),
                rx.end_date.isoformat() if rx.end_date else "",
                _text(rx.prescriber),
                "" if step is None else step.order,
                _text(rx.note),
            )
        )
    yield "prescriptions.csv", rx_rows

    plans = {p.id: p for p in session.exec(select(TaperPlan)).all()}
    step_rows = []
    for step in sorted(steps.values(), key=lambda s: (s.plan_id, s.order)):
        plan = plans.get(step.plan_id)
        step_rows.append(
            (
                _text(meds.get(plan.medication_id, "") if plan else ""),
                step.plan_id,
                plan.status if plan else "",
                _text(plan.prescriber) if plan else "",
                plan.agreed_on.isoformat() if plan and plan.agreed_on else "",
                step.order,
                _number(step.dose_mg),
                step.planned_start.isoformat(),
                step.actual_start.isoformat() if step.actual_start else "",
                step.min_days,
                step.status,
                _text(step.how_to_take),
                "yes" if step.needs_liquid else "no",
                _text(step.note),
            )
        )
    yield "taper_steps.csv", step_rows


def build_files(
    *, session: Session, tz: ZoneInfo, now: datetime | None = None, bom: bool = True
) -> dict[str, bytes]:
    """The content of every CSV file, by file name, in memory (``now``: when doses count as missed).

    For tests and small histories; ``write_csv`` streams each file instead.
    """
    contents: dict[str, bytes] = {}
    for name, rows in _tables(session, tz, now or utc_now()):
        buffer = io.StringIO()
        _write(buffer, HEADERS[name], rows, bom)
        contents[name] = buffer.getvalue().encode("utf-8")
    return contents


def _order(key: tuple[Any, Any, Any]) -> tuple[Any, float, int]:
    day, moment, ident = key
    stamp = moment.timestamp() if isinstance(moment, datetime) else 0.0
    return (day, stamp, ident or 0)


def write_csv(
    *, session: Session, out_dir: Path, tz: ZoneInfo, now: datetime | None = None, bom: bool = True
) -> list[Path]:
    """Write every CSV file into the existing folder ``out_dir`` (mode 0600); return their paths."""
    folder = files.check_target_dir(out_dir)
    written = []
    for name, rows in _tables(session, tz, now or utc_now()):  # each file streamed as its rows are read
        written.append(
            files.write_streamed(folder / name, partial(_write, header=HEADERS[name], rows=rows, bom=bom))
        )
    return written
