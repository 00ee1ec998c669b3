"""Generate a realistic, deterministic multi-year taper-tracker database for the benchmarks.

Ten years (the default) hold three medications with two scheduled doses a day each, fifteen
catalogue symptoms rated almost every day, a check-in a day and four taper plans whose steps
change the prescriptions: about 55,000 symptom entries and 22,000 doses. A few doses are
missed or skipped, a few extra ones taken, a few days not logged at all.

The file is created by ``tracker.db.open_database`` so the schema, migrations and seeded
catalogue are the real ones; rows go in through SQLAlchemy Core bulk inserts in one
transaction, with the audit listener off (bulk data is not an undoable user action).
Every date scales with the span, so a one-year database (quick mode) still holds tapers.

    python benchmarks/generate.py OUT.db [--years 10] [--seed 8] [--end 2026-11-28]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import time as _time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

DEFAULT_YEARS = 10.0
DEFAULT_SEED = 8
DEFAULT_ZONE = "Europe/London"
PRESCRIBER = "Dr. Lena Marsh"
DOSE_TIMES = (time(8, 0), time(20, 0))

# Fifteen real catalogue keys: (baseline severity, sensitivity to a reduction).
SYMPTOMS: dict[str, tuple[float, float]] = {
    "fatigue": (1.0, 0.8),
    "headache": (0.3, 0.9),
    "sweating": (0.2, 1.0),
    "insomnia": (0.8, 1.3),
    "nightmares": (0.2, 1.1),
    "nausea": (0.1, 1.2),
    "dizziness": (0.0, 2.0),
    "unsteadiness": (0.0, 1.0),
    "brain-zaps": (0.0, 2.6),
    "tingling": (0.0, 0.8),
    "anxiety": (1.0, 1.0),
    "irritability": (0.8, 1.5),
    "mood-swings": (0.4, 1.0),
    "tremor": (0.1, 0.6),
    "confusion": (0.3, 0.9),
}


@dataclass(frozen=True, slots=True)
class MedSpec:
    name: str
    brand: str | None
    drug_class: str
    form: str
    strength_mg: float
    liquid_mg_per_ml: float | None
    fractions: str
    half_life_hours: float
    base_daily_mg: float


@dataclass(frozen=True, slots=True)
class StepSpec:
    at: float  # fraction of the span when the step starts (may lie beyond the end: planned)
    daily_mg: float
    how: str


@dataclass(frozen=True, slots=True)
class PlanSpec:
    med: int  # index into MEDS
    agreed: float  # fraction of the span
    steps: tuple[StepSpec, ...]
    outcome: str  # completed, abandoned, active
    ended: float | None = None  # abandoned or completed at this fraction
    back_to_mg: float | None = None  # daily dose resumed after an abandoned plan


MEDS: tuple[MedSpec, ...] = (
    MedSpec("Sertraline", "Lustral", "SSRI", "tablet", 50.0, 20.0, "1,0.5,0.25", 26, 100.0),
    MedSpec("Propranolol", None, "other", "tablet", 10.0, None, "1,0.5", 4, 20.0),
    MedSpec("Pregabalin", "Lyrica", "other", "capsule", 75.0, None, "1", 6, 150.0),
)

PLANS: tuple[PlanSpec, ...] = (
    # A first sertraline taper, given up after a flare at 50 mg: back to 75 mg.
    PlanSpec(
        0,
        0.27,
        (StepSpec(0.30, 75.0, "37.5 mg twice a day"), StepSpec(0.36, 50.0, "25 mg twice a day")),
        "abandoned",
        ended=0.40,
        back_to_mg=75.0,
    ),
    # Propranolol halved, completed.
    PlanSpec(
        1,
        0.44,
        (StepSpec(0.46, 15.0, "7.5 mg twice a day"), StepSpec(0.52, 10.0, "5 mg twice a day")),
        "completed",
        ended=0.56,
    ),
    # A slower sertraline taper to a low maintenance dose, completed.
    PlanSpec(
        0,
        0.62,
        (StepSpec(0.65, 50.0, "25 mg twice a day"), StepSpec(0.74, 25.0, "12.5 mg twice a day")),
        "completed",
        ended=0.80,
    ),
    # The current hyperbolic-style sertraline taper with liquid: two steps done, two planned.
    PlanSpec(
        0,
        0.90,
        (
            StepSpec(0.92, 20.0, "0.5 ml liquid twice a day"),
            StepSpec(0.97, 15.0, "0.375 ml twice a day"),
            StepSpec(1.03, 10.0, "0.25 ml twice a day"),
            StepSpec(1.09, 5.0, "0.125 ml twice a day"),
        ),
        "active",
    ),
)
# A prescriber's increase outside any plan: pregabalin doubled at 20% of the span.
INCREASES: tuple[tuple[int, float, float], ...] = ((2, 0.20, 300.0),)


@dataclass(frozen=True, slots=True)
class Generated:
    """What was written, for the benchmark's report."""

    path: Path
    first_day: date
    last_day: date
    symptom_entries: int
    doses: int
    checkins: int
    plans: int
    prescriptions: int
    seconds: float
    audit_entries: int = 0


@dataclass(slots=True)
class _Period:
    start: int  # day offset
    daily_mg: float
    step_key: tuple[int, int] | None = None  # (plan index, step index)


def _insert(conn: Any, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """A Core INSERT of a table model: executemany through the driver, no ORM objects."""
    if rows:
        conn.execute(model.__table__.insert(), rows)


def _flare(days_since: int, strength: float) -> float:
    """Rises from day 2 after a reduction, peaks about day 6, gone by about day 18."""
    if days_since < 2 or days_since > 20:
        return 0.0
    if days_since <= 6:
        return strength * (days_since - 1) / 5
    return max(0.0, strength * (1 - (days_since - 6) / 12))


def _periods(med: int, days: int) -> list[_Period]:
    """The piecewise-constant daily dose of one medication over the span."""
    changes: list[_Period] = [_Period(0, MEDS[med].base_daily_mg)]
    for m, at, mg in INCREASES:
        if m == med:
            changes.append(_Period(round(at * days), mg))
    for p, plan in enumerate(PLANS):
        if plan.med != med:
            continue
        for s, step in enumerate(plan.steps):
            start = round(step.at * days)
            if start < days and (plan.ended is None or step.at < plan.ended):
                changes.append(_Period(start, step.daily_mg, (p, s)))
        if plan.outcome == "abandoned" and plan.ended is not None and plan.back_to_mg is not None:
            changes.append(_Period(round(plan.ended * days), plan.back_to_mg))
    changes.sort(key=lambda c: c.start)
    merged: list[_Period] = []
    for c in changes:
        if merged and merged[-1].start == c.start:
            merged[-1] = c
        else:
            merged.append(c)
    return merged


def _audit_rows(conn: Any, tables: Sequence[tuple[str, list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    """The audit trail a user who logged every row by hand would have: one insert per row, at its
    logged time, with the row's values (about 8,000 a year: 6 doses, 15 ratings, a check-in a day)."""
    rows: list[dict[str, Any]] = []
    for table, inserted in tables:
        first_id = (
            conn.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table}").scalar() - len(inserted) + 1
        )
        for offset, values in enumerate(inserted):
            row_id = first_id + offset
            after = {
                "id": row_id,
                **{k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in values.items()},
            }
            rows.append(
                {
                    "at": values["logged_at"],
                    "table_name": table,
                    "row_id": str(row_id),
                    "action": "insert",
                    "before": None,
                    "after": json.dumps(after),
                    "undone": False,
                }
            )
    return rows


def generate(
    path: Path | str,
    *,
    years: float = DEFAULT_YEARS,
    end: date | None = None,
    seed: int = DEFAULT_SEED,
    zone: str = DEFAULT_ZONE,
) -> Generated:
    """Write a ``years``-long history ending ``end`` (default: today in ``zone``) into a new file.

    The last day is left unlogged, as a user would find it in the morning. Refuses an
    existing non-empty file so a real database can never be overwritten.
    """
    from sqlmodel import select

    from tracker.db import open_database
    from tracker.domain.timeutil import local_to_utc
    from tracker.models import (
        Appointment,
        AuditEntry,
        CheckIn,
        ClinicianQuestion,
        DoseEvent,
        Medication,
        PlanEvent,
        Prescription,
        Symptom,
        SymptomEntry,
        TaperPlan,
        TaperStep,
    )
    from tracker.services import settings

    started = _time.perf_counter()
    path = Path(path)
    if path.exists() and path.stat().st_size > 0:
        raise FileExistsError(f"{path} exists; the generator only writes new files")
    tz = ZoneInfo(zone)
    last = end or datetime.now(tz).date()
    days = max(2, round(years * 365.25))
    first = last - timedelta(days=days - 1)
    rng = random.Random(seed)

    def day_of(offset: int) -> date:
        return first + timedelta(days=offset)

    def at_local(offset: int, t: time) -> datetime:
        return local_to_utc(day_of(offset), t, tz)

    db = open_database(path, create_dir=True)
    try:
        with db.write(audit=False) as session:
            conn = session.connection()
            for key, value in (
                ("timezone", zone),
                ("first_run_done", True),
                ("disclaimer_acknowledged", True),
                ("patient_name", "Alex Benchmark"),
            ):
                settings.set_setting(session=session, key=key, value=value)

            med_ids: list[int] = []
            for spec in MEDS:
                med = Medication(
                    name=spec.name,
                    brand=spec.brand,
                    drug_class=spec.drug_class,
                    form=spec.form,
                    strength_mg=spec.strength_mg,
                    liquid_mg_per_ml=spec.liquid_mg_per_ml,
                    tablet_fractions=spec.fractions,
                    half_life_hours=spec.half_life_hours,
                    created_at=at_local(0, time(9, 0)),
                )
                session.add(med)
                session.flush()
                assert med.id is not None
                med_ids.append(med.id)

            # Taper plans, their steps and events.
            step_ids: dict[tuple[int, int], int] = {}
            for p, plan in enumerate(PLANS):
                agreed = round(plan.agreed * days)
                row = TaperPlan(
                    medication_id=med_ids[plan.med],
                    status=plan.outcome,
                    method="proportional",
                    prescriber=PRESCRIBER,
                    agreed_on=day_of(agreed),
                    notes="Reduce slowly; hold if symptoms do not settle.",
                    created_at=at_local(max(0, agreed - 7), time(19, 0)),
                )
                session.add(row)
                session.flush()
                assert row.id is not None
                ended = round(plan.ended * days) if plan.ended is not None else None
                for s, step in enumerate(plan.steps):
                    start = round(step.at * days)
                    started_yet = start < days and (ended is None or start < ended)
                    if not started_yet:
                        status = "planned"
                    elif plan.outcome == "abandoned" and s == len(plan.steps) - 1:
                        status = "stepped_back"
                    elif plan.outcome == "active" and (
                        s + 1 == len(plan.steps) or round(plan.steps[s + 1].at * days) >= days
                    ):
                        status = "current"
                    else:
                        status = "done"
                    ts = TaperStep(
                        plan_id=row.id,
                        order=s + 1,
                        dose_mg=step.daily_mg,
                        planned_start=day_of(start),
                        min_days=28,
                        how_to_take=step.how,
                        needs_liquid=step.daily_mg < 25,
                        status=status,
                        actual_start=day_of(start) if started_yet else None,
                    )
                    session.add(ts)
                    session.flush()
                    assert ts.id is not None
                    step_ids[(p, s)] = ts.id
                events = [
                    ("agree", "draft", "agreed", agreed, f"Agreed with {PRESCRIBER}"),
                    ("start", "agreed", "active", round(plan.steps[0].at * days), "First step"),
                ]
                if plan.outcome == "abandoned" and ended is not None:
                    events.append(
                        ("abandon", "active", "abandoned", ended, "Symptoms too strong; back to 75 mg")
                    )
                if plan.outcome == "completed" and ended is not None:
                    events.append(("complete", "active", "completed", ended, "Reached the agreed dose"))
                for action, before, after, offset, reason in events:
                    session.add(
                        PlanEvent(
                            plan_id=row.id,
                            at=at_local(min(offset, days - 1), time(11, 0)),
                            action=action,
                            from_status=before,
                            to_status=after,
                            reason=reason,
                        )
                    )
            session.flush()

            # Prescriptions follow the dose periods; a step's period links to its step.
            periods = [_periods(m, days) for m in range(len(MEDS))]
            rx_rows: list[dict[str, Any]] = []
            for m, med_periods in enumerate(periods):
                for i, period in enumerate(med_periods):
                    stop = med_periods[i + 1].start - 1 if i + 1 < len(med_periods) else None
                    rx_rows.append(
                        {
                            "medication_id": med_ids[m],
                            "dose_mg": period.daily_mg / len(DOSE_TIMES),
                            "times": ",".join(t.strftime("%H:%M") for t in DOSE_TIMES),
                            "start_date": day_of(period.start),
                            "end_date": day_of(stop) if stop is not None else None,
                            "prescriber": PRESCRIBER,
                            "note": None,
                            "taper_step_id": step_ids.get(period.step_key) if period.step_key else None,
                            "created_at": at_local(period.start, time(9, 0)),
                        }
                    )
            _insert(conn, Prescription, rx_rows)

            symptoms = {row.key: (row.id, row.name) for row in session.exec(select(Symptom)).all()}
            reductions = sorted(
                (p.start, 2.0 if m == 0 else 0.6)
                for m, med_periods in enumerate(periods)
                for prev, p in itertools.pairwise(med_periods)
                if p.daily_mg < prev.daily_mg
            )
            baseline_from = round(PLANS[0].agreed * days) - 7

            dose_rows: list[dict[str, Any]] = []
            entry_rows: list[dict[str, Any]] = []
            checkin_rows: list[dict[str, Any]] = []
            period_index = [0] * len(MEDS)
            for offset in range(days - 1):  # the last day is left for the user
                day = day_of(offset)
                slots = [at_local(offset, t) for t in DOSE_TIMES]
                for m, med_periods in enumerate(periods):
                    while (
                        period_index[m] + 1 < len(med_periods)
                        and med_periods[period_index[m] + 1].start <= offset
                    ):
                        period_index[m] += 1
                    per_intake = med_periods[period_index[m]].daily_mg / len(DOSE_TIMES)
                    for slot in slots:
                        r = rng.random()
                        if r < 0.01:
                            continue  # missed: nothing logged
                        if r < 0.015:
                            dose_rows.append(
                                {
                                    "medication_id": med_ids[m],
                                    "day": day,
                                    "scheduled_for": slot,
                                    "taken_at": None,
                                    "amount_mg": per_intake,
                                    "status": "skipped",
                                    "logged_at": slot + timedelta(hours=3),
                                    "note": "Forgot",
                                }
                            )
                            continue
                        late = 150 if rng.random() < 0.05 else 0
                        taken = slot + timedelta(minutes=rng.randint(-20, 40) + late)
                        dose_rows.append(
                            {
                                "medication_id": med_ids[m],
                                "day": day,
                                "scheduled_for": slot,
                                "taken_at": taken,
                                "amount_mg": per_intake,
                                "status": "taken",
                                "logged_at": taken + timedelta(minutes=rng.randint(0, 90)),
                                "note": None,
                            }
                        )
                    if m == 1 and rng.random() < 0.004:
                        extra = at_local(offset, time(14, 30))
                        dose_rows.append(
                            {
                                "medication_id": med_ids[m],
                                "day": day,
                                "scheduled_for": None,
                                "taken_at": extra,
                                "amount_mg": 10.0,
                                "status": "extra",
                                "logged_at": extra,
                                "note": "Before a presentation",
                            }
                        )

                if rng.random() < 0.01:
                    continue  # a day with nothing logged: a gap, never zero
                since = [
                    (offset - start, strength) for start, strength in reductions if 0 <= offset - start <= 20
                ]
                logged = at_local(offset, time(21, 0))
                baseline = baseline_from <= offset < baseline_from + 7
                burden = 0
                for key, (base, sensitivity) in SYMPTOMS.items():
                    symptom_id, name = symptoms[key]
                    level = base + sum(_flare(d, sensitivity * s) for d, s in since) + rng.uniform(-0.7, 0.7)
                    severity = max(0, min(3, round(level)))
                    burden += severity
                    entry_rows.append(
                        {
                            "symptom_id": symptom_id,
                            "symptom_name": name,
                            "day": day,
                            "severity": severity,
                            "comparison": "same" if baseline else None,
                            "note": None,
                            "logged_at": logged,
                        }
                    )
                mood = max(1, min(9, round(7 - burden / 5 + rng.uniform(-1, 1))))
                sleep = round(max(4.0, min(9.0, 7.5 - burden / 10 + rng.uniform(-0.8, 0.8))) * 2) / 2
                note = None
                if since and since[0][0] == 4:
                    note = "Brain zaps when I move my eyes quickly. Dizzy in the afternoon."
                elif rng.random() < 0.04:
                    note = rng.choice(
                        ("Good day.", "Tired after work.", "Walked by the river.", "Slept badly.")
                    )
                checkin_rows.append(
                    {
                        "day": day,
                        "mood": mood,
                        "sleep_hours": sleep,
                        "note": note,
                        "is_baseline": baseline,
                        "logged_at": logged + timedelta(minutes=5),
                    }
                )

            _insert(conn, DoseEvent, dose_rows)
            _insert(conn, SymptomEntry, entry_rows)
            _insert(conn, CheckIn, checkin_rows)
            audit_rows = _audit_rows(
                conn, (("doseevent", dose_rows), ("symptomentry", entry_rows), ("checkin", checkin_rows))
            )
            _insert(conn, AuditEntry, audit_rows)

            _insert(
                conn,
                Appointment,
                [
                    {
                        "at": at_local(offset, time(10, 30)),
                        "clinician": PRESCRIBER,
                        "kind": "review",
                        "notes": "Regular review.",
                    }
                    for offset in range(30, days - 1, 91)
                ],
            )
            _insert(
                conn,
                ClinicianQuestion,
                [
                    {
                        "text": f"Question {n + 1} for the review?",
                        "created_at": at_local(offset, time(20, 0)),
                        "answered_at": at_local(offset, time(20, 0)) + timedelta(days=9)
                        if n % 2 == 0
                        else None,
                        "answer": "Discussed at the review." if n % 2 == 0 else None,
                    }
                    for n, offset in enumerate(range(45, days - 1, 183))
                ],
            )
        with db.engine.connect() as c:
            c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return Generated(
        path=path,
        first_day=first,
        last_day=last,
        symptom_entries=len(entry_rows),
        doses=len(dose_rows),
        checkins=len(checkin_rows),
        audit_entries=len(audit_rows),
        plans=len(PLANS),
        prescriptions=len(rx_rows),
        seconds=_time.perf_counter() - started,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write a realistic benchmark database (never over an existing file)."
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--years", type=float, default=DEFAULT_YEARS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--end", type=date.fromisoformat, default=None, help="last day (default today)")
    parser.add_argument("--zone", default=DEFAULT_ZONE)
    args = parser.parse_args(argv)
    g = generate(args.out, years=args.years, end=args.end, seed=args.seed, zone=args.zone)
    print(
        f"{g.path}: {g.first_day} to {g.last_day}, {g.symptom_entries} symptom entries, {g.doses} doses, "
        f"{g.checkins} check-ins, {g.plans} plans, {g.prescriptions} prescriptions in {g.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
