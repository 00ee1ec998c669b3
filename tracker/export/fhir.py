"""A FHIR R4B Bundle (type "collection") of the user's records, built and validated with fhir.resources.

- one Patient (the name from settings, if set): every statement is patient-reported;
- a MedicationStatement per prescription period, with its dosage (dose per intake, times
  of day) and, when the period is a taper step, the step and the plan's agreement;
- a MedicationStatement with status "intended" for each planned taper step not yet
  prescribed (a plan agreed with the prescriber, not an instruction);
- an Observation per symptom and day (severity 0-3) and per daily check-in (mood 0-10,
  hours of sleep, note, baseline flag as components).

Codes are text only: the symptom catalogue has no standard codes the app could vouch for.
Resource ids are UUIDs derived from the table and row id, so exporting twice gives the
same ids. fhir.resources is imported inside ``export_fhir`` only.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tracker.domain.errors import TrackerError
from tracker.domain.symptoms import SEVERITY_LABELS
from tracker.domain.units import format_mg, times_from_text
from tracker.models import CheckIn, Medication, Prescription, SymptomEntry, TaperPlan, TaperStep
from tracker.services import settings as settings_service

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://taper-tracker.invalid/fhir")
UCUM = "http://unitsofmeasure.org"
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
SEVERITY_RANGE = "0 none, 1 mild, 2 moderate, 3 severe"


def resource_id(kind: str, key: object) -> str:
    """A stable UUID for one record, the same on every export."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}/{key}"))


def _mg(value: float) -> dict[str, Any]:
    return {"value": round(value, 6), "unit": "mg", "system": UCUM, "code": "mg"}


def _times_text(count: int) -> str:
    return {1: "once a day", 2: "twice a day", 3: "three times a day"}.get(count, f"{count} times a day")


def _dosage(dose_mg: float, times: list[str], instruction: str | None) -> dict[str, Any]:
    dosage: dict[str, Any] = {
        "text": f"{format_mg(dose_mg)} {_times_text(len(times))}"
        + (f" at {', '.join(times)}" if times else ""),
        "timing": {"repeat": {"frequency": max(len(times), 1), "period": 1, "periodUnit": "d"}},
        "doseAndRate": [{"doseQuantity": _mg(dose_mg)}],
    }
    if times:
        dosage["timing"]["repeat"]["timeOfDay"] = [f"{t}:00" for t in times]
    if instruction:
        dosage["patientInstruction"] = instruction
    return dosage


def _plan_note(plan: TaperPlan | None, order: int | None) -> str | None:
    if plan is None:
        return None
    agreed = (
        f"agreed with {plan.prescriber or 'the prescriber'} on {plan.agreed_on.isoformat()}"
        if plan.agreed_on
        else "not yet agreed with a prescriber"
    )
    step = f"Taper step {order}" if order is not None else "Taper plan"
    return f"{step} ({plan.status} plan, {agreed})."


def build_resources(*, session: Session, now: datetime) -> list[dict[str, Any]]:
    """Every resource of the bundle as a plain FHIR JSON dict (validated later, all at once)."""
    today = now.astimezone(settings_service.user_zone(session=session)).date()
    patient_ref = {"reference": f"urn:uuid:{resource_id('patient', 1)}"}
    name = str(settings_service.get_setting(session=session, key="patient_name") or "").strip()
    patient: dict[str, Any] = {"resourceType": "Patient", "id": resource_id("patient", 1)}
    if name:
        patient["name"] = [{"text": name}]
    resources: list[dict[str, Any]] = [patient]

    meds = {m.id: m for m in session.exec(select(Medication)).all()}
    plans = {p.id: p for p in session.exec(select(TaperPlan)).all()}
    steps = {s.id: s for s in session.exec(select(TaperStep).order_by(col(TaperStep.order))).all()}
    prescribed_steps: set[int] = set()
    asserted = now.astimezone(UTC).isoformat()

    def med_concept(med: Medication | None) -> dict[str, Any]:
        if med is None:
            return {"text": "unknown medication"}
        return {"text": med.name + (f" ({med.brand})" if med.brand else "")}

    for rx in session.exec(select(Prescription).order_by(col(Prescription.start_date))).all():
        med = meds.get(rx.medication_id)
        step = steps.get(rx.taper_step_id) if rx.taper_step_id is not None else None
        if step is not None and step.id is not None:
            prescribed_steps.add(step.id)
        times = [t.strftime("%H:%M") for t in times_from_text(rx.times)]
        period: dict[str, str] = {"start": rx.start_date.isoformat()}
        if rx.end_date is not None:
            period["end"] = rx.end_date.isoformat()
        statement: dict[str, Any] = {
            "resourceType": "MedicationStatement",
            "id": resource_id("prescription", rx.id),
            "status": "completed" if rx.end_date is not None and rx.end_date < today else "active",
            "medicationCodeableConcept": med_concept(med),
            "subject": patient_ref,
            "effectivePeriod": period,
            "dateAsserted": asserted,
            "informationSource": patient_ref,
            "dosage": [_dosage(rx.dose_mg, times, step.how_to_take if step else None)],
        }
        notes = [
            n
            for n in (
                _plan_note(plans.get(step.plan_id), step.order) if step else None,
                f"Prescriber: {rx.prescriber}" if rx.prescriber else None,
                rx.note,
            )
            if n
        ]
        if notes:
            statement["note"] = [{"text": n} for n in notes]
        resources.append(statement)

    for step in steps.values():
        plan = plans.get(step.plan_id)
        if step.id in prescribed_steps or step.status != "planned" or plan is None:
            continue
        if plan.status in ("completed", "abandoned"):
            continue
        resources.append(
            {
                "resourceType": "MedicationStatement",
                "id": resource_id("taperstep", step.id),
                "status": "intended",
                "medicationCodeableConcept": med_concept(meds.get(plan.medication_id)),
                "subject": patient_ref,
                "effectiveDateTime": step.planned_start.isoformat(),
                "dateAsserted": asserted,
                "informationSource": patient_ref,
                "dosage": [
                    _dosage(step.dose_mg, [], step.how_to_take)
                    | {"text": f"{format_mg(step.dose_mg)} a day (planned taper step)"}
                ],
                "note": [
                    {
                        "text": (_plan_note(plan, step.order) or "")
                        + " A planned step to review with the prescriber before it starts."
                    }
                ],
            }
        )

    survey = [{"coding": [{"system": CATEGORY_SYSTEM, "code": "survey", "display": "Survey"}]}]
    entries = (
        session.connection()
        .execute(
            sa_select(
                col(SymptomEntry.id),
                col(SymptomEntry.symptom_name),
                col(SymptomEntry.day),
                col(SymptomEntry.severity),
                col(SymptomEntry.comparison),
                col(SymptomEntry.note),
            ).order_by(col(SymptomEntry.day), col(SymptomEntry.id))
        )
        .all()
    )
    for entry_id, symptom_name, day, severity, comparison, note in entries:
        observation: dict[str, Any] = {
            "resourceType": "Observation",
            "id": resource_id("symptomentry", entry_id),
            "status": "final",
            "category": survey,
            "code": {"text": f"{symptom_name} severity"},
            "subject": patient_ref,
            "effectiveDateTime": day.isoformat(),
            "performer": [patient_ref],
            "valueInteger": severity,
            "interpretation": [{"text": SEVERITY_LABELS[severity]}] if 0 <= severity <= 3 else None,
            "referenceRange": [{"text": SEVERITY_RANGE}],
        }
        notes = [
            n for n in (f"Compared with before the taper: {comparison}" if comparison else None, note) if n
        ]
        if notes:
            observation["note"] = [{"text": n} for n in notes]
        resources.append({k: v for k, v in observation.items() if v is not None})

    checkins = (
        session.connection()
        .execute(
            sa_select(
                col(CheckIn.id),
                col(CheckIn.day),
                col(CheckIn.mood),
                col(CheckIn.sleep_hours),
                col(CheckIn.note),
                col(CheckIn.is_baseline),
            ).order_by(col(CheckIn.day))
        )
        .all()
    )
    for checkin_id, day, mood, sleep, note, baseline in checkins:
        components: list[dict[str, Any]] = []
        if mood is not None:
            components.append({"code": {"text": "Mood (0 worst to 10 best)"}, "valueInteger": mood})
        if sleep is not None:
            components.append(
                {
                    "code": {"text": "Hours of sleep"},
                    "valueQuantity": {"value": sleep, "unit": "h", "system": UCUM, "code": "h"},
                }
            )
        components.append({"code": {"text": "Pre-taper baseline day"}, "valueBoolean": bool(baseline)})
        observation = {
            "resourceType": "Observation",
            "id": resource_id("checkin", checkin_id),
            "status": "final",
            "category": survey,
            "code": {"text": "Daily check-in: mood and sleep"},
            "subject": patient_ref,
            "effectiveDateTime": day.isoformat(),
            "performer": [patient_ref],
            "component": components,
        }
        if note:
            observation["note"] = [{"text": note}]
        resources.append(observation)
    return resources


def export_fhir(*, session: Session, now: datetime) -> str:
    """The bundle as JSON text, validated by fhir.resources (R4B) before it is returned."""
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError

    resources = build_resources(session=session, now=now)
    bundle: Mapping[str, Any] = {
        "resourceType": "Bundle",
        "id": resource_id("bundle", now.astimezone(UTC).isoformat()),
        "type": "collection",
        "timestamp": now.astimezone(UTC).isoformat(),
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }
    try:
        parsed = Bundle.model_validate(bundle)
    except ValidationError as exc:  # a bug, not bad input: say which part failed
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise TrackerError(f"the FHIR bundle failed validation at {where}: {first.get('msg')}") from exc
    return parsed.model_dump_json(indent=1) + "\n"
