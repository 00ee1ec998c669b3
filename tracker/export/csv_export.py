"""One CSV file per kind of record, for a spreadsheet.

Times are local wall-clock time in the user's zone ("YYYY-MM-DD HH:MM", which every
spreadsheet reads as a date and time), with the zone in its own column. A dose keeps its
scheduled, taken and logged times in separate columns next to its status. Files are
UTF-8 with a byte-order mark so that Excel shows accented names correctly, and text a
spreadsheet would run as a formula (starting with = + - @) is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tracker.domain.symptoms import SEVERITY_LABELS
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

FILES = ("doses.csv", "symptoms.csv", "checkins.csv", "prescriptions.csv", "taper_steps.csv")


def _local(moment: datetime | None, tz: ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _text(value: str | None) -> str:
    """Free text, made safe from spreadsheet formula injection."""
    if not value:
        return ""
    return "'" + value if value[0] in "=+-@\t\r" else value


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def build_files(*, session: Session, tz: ZoneInfo) -> dict[str, bytes]:
    """The content of every CSV file, by file name."""
    meds = {m.id: m.name for m in session.exec(select(Medication)).all()}
    zone = tz.key

    doses = (
        session.connection()
        .execute(
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
        .all()
    )
    dose_rows = (
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
        )
        for i, day, m, status, amount, sched, taken, logged, note in doses
    )

    symptoms = {s.id: s for s in session.exec(select(Symptom)).all()}
    entries = (
        session.connection()
        .execute(
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
        .all()
    )
    symptom_rows = (
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
    )

    checkins = (
        session.connection()
        .execute(
            sa_select(
                col(CheckIn.day),
                col(CheckIn.mood),
                col(CheckIn.sleep_hours),
                col(CheckIn.is_baseline),
                col(CheckIn.note),
                col(CheckIn.logged_at),
            ).order_by(col(CheckIn.day))
        )
        .all()
    )
    checkin_rows = (
        (
            day.isoformat(),
            "" if mood is None else mood,
            _number(sleep),
            "yes" if baseline else "no",
            _text(note),
            _local(logged, tz),
        )
        for day, mood, sleep, baseline, note, logged in checkins
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

    return {
        "doses.csv": _csv(
            (
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
            dose_rows,
        ),
        "symptoms.csv": _csv(
            (
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
            symptom_rows,
        ),
        "checkins.csv": _csv(
            ("day", "mood_0_10", "sleep_hours", "baseline_day", "note", "logged_time"), checkin_rows
        ),
        "prescriptions.csv": _csv(
            (
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
            rx_rows,
        ),
        "taper_steps.csv": _csv(
            (
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
            step_rows,
        ),
    }


def write_csv(*, session: Session, out_dir: Path, tz: ZoneInfo) -> list[Path]:
    """Write every CSV file into the existing folder ``out_dir`` (mode 0600); return their paths."""
    folder = files.check_target_dir(out_dir)
    contents = build_files(session=session, tz=tz)
    return [files.write_bytes(folder / name, data) for name, data in contents.items()]
