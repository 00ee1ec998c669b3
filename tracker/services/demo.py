"""A realistic demo history: about six months of a supervised sertraline taper.

Symptoms rise a few days after each reduction and settle within two weeks or
so, one step is held, a few doses are missed, there are appointments and
questions. Deterministic for a given end day, so screenshots are stable.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from tracker.domain.timeutil import local_to_utc
from tracker.models import (
    Appointment,
    CheckIn,
    ClinicianQuestion,
    DoseEvent,
    Medication,
    PlanEvent,
    Prescription,
    ScaleResponse,
    SymptomEntry,
    TaperPlan,
    TaperStep,
)
from tracker.services import settings
from tracker.services.symptoms import SymptomRow, list_symptoms

DEMO_DAYS = 182
PRESCRIBER = "Dr. Amara Okafor"


@dataclass(frozen=True, slots=True)
class _Period:
    start: int  # day offset from the first demo day
    dose_mg: float


# sertraline 100 mg -> 75 -> 50 (held after a flare) -> 37.5, each step ~6 weeks apart
_PERIODS = (_Period(0, 100.0), _Period(49, 75.0), _Period(98, 50.0), _Period(154, 37.5))
_SYMPTOMS = {
    # key: (baseline severity, sensitivity to a reduction)
    "brain-zaps": (0, 2.6),
    "dizziness": (0, 2.0),
    "insomnia": (1, 1.4),
    "irritability": (1, 1.5),
    "nausea": (0, 1.2),
    "sweating": (0, 1.0),
    "fatigue": (1, 0.8),
    "anxiety": (1, 1.0),
}


def _flare(days_since: int, strength: float) -> float:
    """Rises from day 2, peaks about day 6, back near nothing by day 16-20."""
    if days_since < 2:
        return 0.0
    if days_since <= 6:
        return strength * (days_since - 1) / 5
    return max(0.0, strength * (1 - (days_since - 6) / 12))


def generate_demo(*, session: Session, today: date, tz: ZoneInfo, seed: int = 7) -> None:
    """Write the demo history ending ``today`` into an empty database."""
    rng = random.Random(seed)
    start = today - timedelta(days=DEMO_DAYS - 1)
    settings.set_setting(session=session, key="is_demo", value=True)
    settings.set_setting(session=session, key="timezone", value=tz.key)
    settings.set_setting(session=session, key="disclaimer_acknowledged", value=True)
    settings.set_setting(session=session, key="first_run_done", value=True)
    settings.set_setting(session=session, key="patient_name", value="Sam Demo")

    med = Medication(
        name="Sertraline",
        brand="Lustral",
        drug_class="SSRI",
        form="tablet",
        strength_mg=50.0,
        liquid_mg_per_ml=20.0,
        tablet_fractions="1,0.5,0.25",
        half_life_hours=26,
        notes="Demo medication",
    )
    session.add(med)
    session.flush()
    assert med.id is not None

    plan = TaperPlan(
        medication_id=med.id,
        status="active",
        method="proportional",
        prescriber=PRESCRIBER,
        agreed_on=start + timedelta(days=35),
        notes="Reduce by about a quarter every 6-7 weeks; hold if symptoms do not settle.",
    )
    session.add(plan)
    session.flush()
    assert plan.id is not None
    step_defs = [
        (1, 75.0, 49, "done", "one and a half 50 mg tablets"),
        (2, 50.0, 98, "done", "one 50 mg tablet"),
        (3, 37.5, 154, "current", "three quarters of a 50 mg tablet"),
        (4, 25.0, 210, "planned", "half a 50 mg tablet"),
        (5, 12.5, 266, "planned", "quarter of a 50 mg tablet"),
        (6, 0.0, 322, "planned", "stop, as agreed"),
    ]
    steps = []
    for order, dose, offset, status, how in step_defs:
        planned = start + timedelta(days=offset if order != 3 else 140)
        step = TaperStep(
            plan_id=plan.id,
            order=order,
            dose_mg=dose,
            planned_start=planned,
            min_days=42,
            how_to_take=how,
            status=status,
            actual_start=start + timedelta(days=offset) if status != "planned" else None,
        )
        session.add(step)
        steps.append(step)
    session.flush()
    agreed_at = local_to_utc(start + timedelta(days=35), time(11, 0), tz)
    session.add(
        PlanEvent(
            plan_id=plan.id,
            at=agreed_at,
            action="agree",
            from_status="draft",
            to_status="agreed",
            reason=f"Agreed with {PRESCRIBER}",
        )
    )
    session.add(
        PlanEvent(
            plan_id=plan.id,
            at=agreed_at + timedelta(days=14),
            action="start",
            from_status="agreed",
            to_status="active",
            reason="First step",
        )
    )
    hold_at = local_to_utc(start + timedelta(days=138), time(10, 0), tz)
    session.add(
        PlanEvent(
            plan_id=plan.id,
            at=hold_at,
            action="hold",
            from_status="active",
            to_status="held",
            reason="Dizziness and brain zaps had not settled; held two more weeks with the prescriber",
        )
    )
    session.add(
        PlanEvent(
            plan_id=plan.id,
            at=hold_at + timedelta(days=16),
            action="resume",
            from_status="held",
            to_status="active",
            reason="Symptoms settled",
        )
    )

    for i, period in enumerate(_PERIODS):
        end = _PERIODS[i + 1].start - 1 if i + 1 < len(_PERIODS) else None
        linked = next((s for s in steps if s.dose_mg == period.dose_mg), None)
        session.add(
            Prescription(
                medication_id=med.id,
                dose_mg=period.dose_mg,
                times="08:00",
                start_date=start + timedelta(days=period.start),
                end_date=start + timedelta(days=end) if end is not None else None,
                prescriber=PRESCRIBER,
                taper_step_id=linked.id if linked else None,
            )
        )

    catalogue: dict[str, SymptomRow] = {s.key: s for s in list_symptoms(session=session)}
    moods: dict[int, int] = {}
    reductions = [p.start for p in _PERIODS[1:]]
    for offset in range(DEMO_DAYS):
        day = start + timedelta(days=offset)
        dose = next(p.dose_mg for p in reversed(_PERIODS) if p.start <= offset)
        slot = local_to_utc(day, time(8, 0), tz)
        is_today = day == today
        missed = offset in (23, 61, 62, 117) or (is_today)
        if not missed:
            late = rng.random() < 0.08
            taken = slot + timedelta(minutes=rng.randint(-20, 40) + (150 if late else 0))
            session.add(
                DoseEvent(
                    medication_id=med.id,
                    day=day,
                    scheduled_for=slot,
                    taken_at=taken,
                    amount_mg=dose,
                    status="taken",
                    logged_at=taken + timedelta(minutes=rng.randint(0, 90)),
                )
            )
        elif offset == 117:
            session.add(
                DoseEvent(
                    medication_id=med.id,
                    day=day,
                    scheduled_for=slot,
                    taken_at=None,
                    amount_mg=dose,
                    status="skipped",
                    logged_at=slot + timedelta(hours=3),
                    note="Forgot my pills at home",
                )
            )
        if is_today:
            continue  # today is left for the user to log
        since = [offset - r for r in reductions if offset >= r]
        flare_strength = 1.0 if offset - 98 < 0 or offset - 98 > 40 else 1.5  # the 50 mg step was harder
        burden_total = 0
        for key, (base, sens) in _SYMPTOMS.items():
            symptom = catalogue.get(key)
            if symptom is None:
                continue
            level = base + sum(_flare(d, sens * flare_strength) for d in since)
            level += rng.uniform(-0.6, 0.6)
            severity = max(0, min(3, round(level)))
            burden_total += severity
            if offset < 7 or severity > 0 or rng.random() < 0.5:
                session.add(
                    SymptomEntry(
                        symptom_id=symptom.id or 0,
                        symptom_name=symptom.name,
                        day=day,
                        severity=severity,
                        comparison="same" if offset < 7 else None,
                        logged_at=local_to_utc(day, time(21, 0), tz),
                    )
                )
        mood = max(2, min(9, round(7 - burden_total / 4 + rng.uniform(-1, 1))))
        moods[offset] = mood
        sleep = round(max(4.0, min(9.0, 7.5 - burden_total / 8 + rng.uniform(-0.8, 0.8))) * 2) / 2
        note = None
        if offset in (r + 4 for r in reductions):
            note = "Brain zaps when I move my eyes quickly. Dizzy in the afternoon."
        elif offset in (r + 18 for r in reductions):
            note = "Feeling more like myself again."
        session.add(
            CheckIn(
                day=day,
                mood=mood,
                sleep_hours=sleep,
                note=note,
                is_baseline=offset < 7,
                logged_at=local_to_utc(day, time(21, 5), tz),
            )
        )

    _demo_scales(session, catalogue, moods, start, today, tz, rng)

    for offset, kind, notes in (
        (0, "review", "Talked about wanting to come off sertraline after 2 years."),
        (35, "review", "Agreed a slow taper plan."),
        (110, "phone", "Dizziness after the 50 mg step: agreed to hold longer."),
        (150, "review", "Next step agreed."),
    ):
        session.add(
            Appointment(
                at=local_to_utc(start + timedelta(days=offset), time(10, 30), tz),
                clinician=PRESCRIBER,
                kind=kind,
                notes=notes,
            )
        )
    session.add(
        Appointment(
            at=local_to_utc(today + timedelta(days=12), time(9, 15), tz),
            clinician=PRESCRIBER,
            kind="review",
            notes="Before the 25 mg step",
        )
    )
    for offset, text, answered in (
        (60, "Is it normal for brain zaps to come back after each reduction?", True),
        (150, "Could a liquid form make the last steps smaller?", False),
        (170, "How long should I wait if the dizziness comes back?", False),
    ):
        asked = local_to_utc(start + timedelta(days=offset), time(20, 0), tz)
        session.add(
            ClinicianQuestion(
                text=text,
                created_at=asked,
                answered_at=asked + timedelta(days=10) if answered else None,
                answer="Yes, usually for a week or two; tell me if they get worse." if answered else None,
            )
        )
    session.flush()


CRISIS_OFFSET = 104  # six days after the 50 mg step: one evening of dark thoughts, with a note


def _demo_scales(
    session: Session,
    catalogue: dict[str, SymptomRow],
    moods: dict[int, int],
    start: date,
    today: date,
    tz: ZoneInfo,
    rng: random.Random,
) -> None:
    """PHQ-9 and GAD-7 every 2 weeks (the last a week before today), and one crisis entry.

    On ``CRISIS_OFFSET`` the user rated "thoughts of self-harm" mild with a note and answered
    PHQ-9 item 9 "several days": long enough ago that R8 is quiet on Today, recent enough to
    be in the 90-day summary's needs-attention box.
    """
    from tracker.domain.scales import GAD7, PHQ9
    from tracker.domain.symptoms import CRISIS_KEY

    last = (today - start).days - 7
    for offset in range(last % 14, last + 1, 14):
        day = start + timedelta(days=offset)
        low = max(0.0, 7 - moods.get(offset, 6))  # mood 7 or better: few problems
        for scale in (PHQ9, GAD7):
            answers = [max(0, min(3, round(rng.uniform(0.0, 0.5 + 0.45 * low)))) for _ in scale.items]
            if scale is PHQ9:
                answers[8] = 1 if offset == CRISIS_OFFSET else 0
            session.add(
                ScaleResponse(
                    scale=scale.key,
                    day=day,
                    answers=",".join(map(str, answers)),
                    total=sum(answers),
                    logged_at=local_to_utc(day, time(21, 10), tz),
                )
            )
    crisis = catalogue.get(CRISIS_KEY)
    if crisis is not None:
        day = start + timedelta(days=CRISIS_OFFSET)
        session.add(
            SymptomEntry(
                symptom_id=crisis.id or 0,
                symptom_name=crisis.name,
                day=day,
                severity=1,
                note="Dark thoughts for one evening, gone by the morning. Called my sister.",
                logged_at=local_to_utc(day, time(21, 0), tz),
            )
        )


def demo_now(today: date, tz: ZoneInfo) -> datetime:
    """A fixed moment on the demo's last day, for stable screenshots."""
    return local_to_utc(today, time(9, 30), tz)
