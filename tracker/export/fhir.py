"""A FHIR R4B Bundle (type "collection") of the user's records, as DOMAIN.md maps them.

- one Patient (the name from settings, if set): every record is patient-reported;
- one Composition saying what the export is, with the disclaimer (DOMAIN.md: every export
  carries it; the plan resources carry it in their ``note`` too);
- a MedicationStatement per prescription period, with its dosage;
- a MedicationRequest per taper plan, one ``dosageInstruction`` per step bounded by
  ``timing.repeat.boundsPeriod`` (FHIR example medrx0303 "Order for Tapering Dose"): a draft
  is intent "proposal", status "draft"; an agreed plan intent "plan"; a micro-step (D8) is
  one instruction per run of equal rows of its day-by-day table, each with its own bounds;
- a MedicationAdministration per dose logged: "completed" when taken, "not-done" when skipped
  (nothing logged: no resource);
- an Observation per symptom and day in the shape of the HL7 Symptoms IG 1.0.0 (its
  SymptomObservation, code LOINC 75325-1; a rating of none its SymptomAbsentObservation, code
  LOINC 111551-8): the symptom as the value, a SNOMED CT finding where the catalogue knows one
  (text always), the severity 0-3 as SNOMED
  (2667000 Absent, 255604002 Mild, 1255665007 Moderate, 24484000 Severe) in its LOINC 64750-3
  severity component, the comparison with before the taper in its LOINC 89253-9 Trend
  component as a SNOMED CT qualifier (sources of every code: tests/unit/test_export_fhir_codes.py);
- an Observation per PHQ-9 / GAD-7 with the LOINC total (44261-6, 70274-6) and each item as a
  component with its LOINC item code and LOINC answer;
- an Observation per daily check-in (mood, sleep, baseline flag).

Medications carry RxNorm ingredient codes for the drugs ``tracker.domain.drugs`` knows, always
with text. The bundle is written resource by resource (``write_fhir``): rows are read in order
from the database and each entry is serialised on its own, so memory stays flat however long
the history. Every resource is built from fixed shapes whose every element is R4B-valid; the
tests validate whole bundles with fhir.resources and read them with a second, independent
library (fhirclient). Resource ids are UUIDs derived from the table and row id, so exporting
twice gives the same ids.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, TextIO

from sqlmodel import Session

from tracker.domain.disclaimer import EXPORT_DISCLAIMER
from tracker.domain.drugs import facts_for
from tracker.domain.scales import ANSWER_LOINC, ANSWERS, SCALES, band_for
from tracker.domain.symptoms import SEVERITY_LABELS
from tracker.domain.taper_micro import MicroTable
from tracker.domain.units import format_mg, times_from_text
from tracker.services import settings as settings_service
from tracker.store import raw

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://taper-tracker.invalid/fhir")
UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"

SEVERITY_SNOMED: tuple[tuple[str, str], ...] = (
    ("2667000", "Absent"),
    ("255604002", "Mild"),
    ("1255665007", "Moderate"),
    ("24484000", "Severe"),
)
"""Severity 0-3 as SNOMED CT (DOMAIN.md "Open formats")."""

SEVERITY_COMPONENT = ("64750-3", "Severity of symptoms")
"""LOINC code of the Symptoms IG's ``severity`` component (its value: the SNOMED severity)."""

TREND_COMPONENT = ("89253-9", "Trend")
"""LOINC code of the Symptoms IG's ``trend`` component: the comparison with before the taper."""

TREND_SNOMED: dict[str, tuple[str, str]] = {
    "new": ("7147002", "New"),
    "worse": ("231877006", "Worse"),
    "same": ("385630006", "Maintained"),
    "better": ("385425000", "Improved"),
}
"""The patient's comparison with before the taper as SNOMED CT qualifiers (worse, same and
better are in the Symptoms IG's TrendCodes value set; new is not, and is coded as New)."""

SYMPTOM_CATEGORY_SYSTEM = "http://hl7.org/fhir/uv/symptoms/CodeSystem/SymptomTemporary"
"""The Symptoms IG's own (temporary) code system for the ``symptom`` category."""

SYMPTOM_CODE = ("75325-1", "Symptom")
"""LOINC: the fixed ``code`` of the Symptoms IG's SymptomObservation (the symptom is the value)."""

SYMPTOM_ABSENT_CODE = ("111551-8", "Symptom absent")
"""LOINC: the fixed ``code`` of its SymptomAbsentObservation (a symptom rated none)."""

SYMPTOM_SNOMED: dict[str, tuple[str, str]] = {
    "fatigue": ("84229001", "Fatigue"),
    "headache": ("25064002", "Headache"),
    "muscle-aches": ("68962001", "Muscle pain"),
    "chills": ("43724002", "Chill"),
    "insomnia": ("193462001", "Insomnia"),
    "nausea": ("422587007", "Nausea"),
    "vomiting": ("249497008", "Vomiting symptom"),
    "diarrhoea": ("62315008", "Diarrhea"),
    "dizziness": ("404640003", "Dizziness"),
    "tingling": ("91019004", "Paresthesia"),
    "tinnitus": ("60862001", "Tinnitus"),
    "anxiety": ("48694002", "Anxiety"),
    "tremor": ("26079004", "Tremor"),
    "low-mood": ("366979004", "Depressed mood"),
}
"""SNOMED CT findings for the catalogue symptoms that have a clear one (text for the rest:
brain zaps, for one, has no SNOMED concept). Keyed by the catalogue key; a renamed or custom
symptom keeps only its text."""

_CATEGORY_SURVEY = {"coding": [{"system": CATEGORY_SYSTEM, "code": "survey", "display": "Survey"}]}
_CATEGORY_SYMPTOM = {  # the Symptoms IG's category (SymptomObservation: category[symptomCode])
    "coding": [{"system": SYMPTOM_CATEGORY_SYSTEM, "code": "symptom", "display": "Symptom"}],
    "text": "symptom",
}

_SYMPTOM_PRESENT = {
    "coding": [{"system": LOINC, "code": SYMPTOM_CODE[0], "display": SYMPTOM_CODE[1]}],
    "text": "Symptom (patient-reported)",
}
_SYMPTOM_ABSENT = {
    "coding": [{"system": LOINC, "code": SYMPTOM_ABSENT_CODE[0], "display": SYMPTOM_ABSENT_CODE[1]}],
    "text": "Symptom absent (rated none by the patient)",
}

_PLAN_STATUS = {
    "draft": ("draft", "proposal"),
    "agreed": ("active", "plan"),
    "active": ("active", "plan"),
    "held": ("on-hold", "plan"),
    "completed": ("completed", "plan"),
    "abandoned": ("stopped", "plan"),
}


def resource_id(kind: str, key: object) -> str:
    """A stable UUID for one record, the same on every export."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}/{key}"))


def _mg(value: float) -> dict[str, Any]:
    return {"value": round(value, 6), "unit": "mg", "system": UCUM, "code": "mg"}


def _instant(stored: Any) -> str:
    """A stored instant (aware, or naive UTC text as SQLite gives it) as ISO 8601 with its offset."""
    moment = stored if isinstance(stored, datetime) else datetime.fromisoformat(str(stored))
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.isoformat(timespec="seconds")


def _day(stored: Any) -> str:
    return stored.isoformat() if isinstance(stored, date) else str(stored)[:10]


def _times_text(count: int) -> str:
    return {1: "once a day", 2: "twice a day", 3: "three times a day"}.get(count, f"{count} times a day")


def medication_concept(name: str | None, brand: str | None) -> dict[str, Any]:
    """The medication as RxNorm (ingredient) where DOMAIN.md's drug is known, always with text."""
    if name is None:
        return {"text": "unknown medication"}
    concept: dict[str, Any] = {"text": name + (f" ({brand})" if brand else "")}
    facts = facts_for(name)
    if facts is not None and facts.rxnorm:
        concept["coding"] = [{"system": RXNORM, "code": facts.rxnorm, "display": facts.name.lower()}]
    return concept


def severity_concept(severity: int) -> dict[str, Any]:
    code, display = SEVERITY_SNOMED[severity]
    return {
        "coding": [{"system": SNOMED, "code": code, "display": display}],
        "text": f"{SEVERITY_LABELS[severity]} ({severity} of 0-3)",
    }


def symptom_concept(key: str | None, name: str) -> dict[str, Any]:
    concept: dict[str, Any] = {"text": name}
    known = SYMPTOM_SNOMED.get(key or "")
    if known is not None:
        concept["coding"] = [{"system": SNOMED, "code": known[0], "display": known[1]}]
    return concept


class _Ctx:
    """What every resource refers to: the patient, the medications, the time of the export."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.conn = raw(session)
        self.now = now
        self.today = now.astimezone(settings_service.user_zone(session=session)).date()
        self.patient_id = resource_id("patient", 1)
        self.patient_ref = {"reference": f"urn:uuid:{self.patient_id}"}
        self.meds: dict[int, dict[str, Any]] = {
            int(i): medication_concept(n, b)
            for i, n, b in self.conn.execute("SELECT id, name, brand FROM medication")
        }

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
        cursor = self.conn.execute(sql, params)
        while batch := cursor.fetchmany(2000):
            yield from batch

    def med(self, med_id: int) -> dict[str, Any]:
        return self.meds.get(med_id) or {"text": "unknown medication"}


def _patient(ctx: _Ctx) -> dict[str, Any]:
    name = str(settings_service.get_setting(session=ctx.session, key="patient_name") or "").strip()
    patient: dict[str, Any] = {"resourceType": "Patient", "id": ctx.patient_id}
    if name:
        patient["name"] = [{"text": name}]
    return patient


def _composition(ctx: _Ctx) -> dict[str, Any]:
    div = (
        '<div xmlns="http://www.w3.org/1999/xhtml"><p>'
        + EXPORT_DISCLAIMER.replace("&", "&amp;").replace("<", "&lt;")
        + "</p></div>"
    )
    return {
        "resourceType": "Composition",
        "id": resource_id("composition", 1),
        "status": "final",
        "type": {"text": "Patient-reported medication, taper and symptom record (taper-tracker)"},
        "subject": ctx.patient_ref,
        "date": _instant(ctx.now),
        "author": [ctx.patient_ref],
        "title": "taper-tracker export",
        "section": [{"title": "Disclaimer", "text": {"status": "generated", "div": div}}],
    }


def _statements(ctx: _Ctx) -> Iterator[dict[str, Any]]:
    asserted = _instant(ctx.now)
    for rx_id, med_id, dose, times_text, start, end, prescriber, note in ctx.rows(
        "SELECT id, medication_id, dose_mg, times, start_date, end_date, prescriber, note "
        "FROM prescription ORDER BY start_date, id"
    ):
        times = [t.strftime("%H:%M") for t in times_from_text(times_text)]
        period = {"start": _day(start)} | ({"end": _day(end)} if end is not None else {})
        ended = end is not None and date.fromisoformat(_day(end)) < ctx.today
        dosage: dict[str, Any] = {
            "text": f"{format_mg(dose)} mg {_times_text(len(times))}"
            + (f" at {', '.join(times)}" if times else ""),
            "timing": {"repeat": {"frequency": max(len(times), 1), "period": 1, "periodUnit": "d"}},
            "doseAndRate": [{"doseQuantity": _mg(dose)}],
        }
        if times:
            dosage["timing"]["repeat"]["timeOfDay"] = [f"{t}:00" for t in times]
        notes = [n for n in (f"Prescriber: {prescriber}" if prescriber else None, note) if n]
        statement: dict[str, Any] = {
            "resourceType": "MedicationStatement",
            "id": resource_id("prescription", rx_id),
            "status": "completed" if ended else "active",
            "medicationCodeableConcept": ctx.med(med_id),
            "subject": ctx.patient_ref,
            "effectivePeriod": period,
            "dateAsserted": asserted,
            "informationSource": ctx.patient_ref,
            "dosage": [dosage],
            "note": [{"text": n} for n in notes] + [{"text": EXPORT_DISCLAIMER}],
        }
        yield statement


def _plans(ctx: _Ctx) -> Iterator[dict[str, Any]]:
    plans = list(
        ctx.rows(
            "SELECT id, medication_id, status, method, prescriber, agreed_on, notes, created_at "
            "FROM taperplan ORDER BY id"
        )
    )
    steps: dict[int, list[tuple[Any, ...]]] = {}
    for row in ctx.rows(
        'SELECT plan_id, "order", dose_mg, planned_start, actual_start, min_days, how_to_take, status, '
        'micro FROM taperstep ORDER BY plan_id, "order"'
    ):
        steps.setdefault(int(row[0]), []).append(row)
    for plan_id, med_id, status, method, prescriber, agreed_on, notes, created_at in plans:
        fhir_status, intent = _PLAN_STATUS.get(str(status), ("unknown", "proposal"))
        own = steps.get(int(plan_id), [])
        starts = [date.fromisoformat(_day(s[4] or s[3])) for s in own]
        instructions: list[dict[str, Any]] = []
        for index, (_p, order, dose, _planned, _actual, _min, how, step_status, micro) in enumerate(own):
            end = None
            if index + 1 < len(own) and starts[index + 1] > starts[index]:
                end = starts[index + 1] - timedelta(days=1)
            table = MicroTable.from_json(micro, starts[index])
            if table is not None:  # D8: one instruction per run of equal rows of the day-by-day table
                for first, last, mg, words in _micro_runs(table, end):
                    text = f"Step {order} ({step_status}), {words}: {format_mg(mg)} mg a day from {first}"
                    instructions.append(_instruction(len(instructions) + 1, text, first, last, mg))
                continue
            text = f"Step {order}: {format_mg(dose)} mg a day from {starts[index].isoformat()}"
            text += f" ({step_status})" + (f"; how to take: {how}" if how else "")
            instructions.append(_instruction(len(instructions) + 1, text, starts[index], end, dose))
        if agreed_on:
            agreed = f"Agreed with {prescriber or 'the prescriber'} on {_day(agreed_on)}."
        else:
            agreed = "A draft to discuss with the prescriber; not agreed yet."
        request: dict[str, Any] = {
            "resourceType": "MedicationRequest",
            "id": resource_id("taperplan", plan_id),
            "status": fhir_status,
            "intent": intent,
            "medicationCodeableConcept": ctx.med(med_id),
            "subject": ctx.patient_ref,
            "authoredOn": _instant(created_at),
            "note": [
                {"text": f"Taper plan ({method}, {status}). {agreed}"},
                *([{"text": str(notes)}] if notes else []),
                {"text": EXPORT_DISCLAIMER},
            ],
        }
        if prescriber and agreed_on:
            request["requester"] = {"display": str(prescriber)}
        if instructions:
            request["dosageInstruction"] = instructions
        yield request


def _instruction(sequence: int, text: str, first: date, last: date | None, mg: float) -> dict[str, Any]:
    """One dosageInstruction: ``mg`` a day from ``first`` to ``last`` (open-ended when None)."""
    bounds = {"start": first.isoformat()} | ({"end": last.isoformat()} if last is not None else {})
    return {
        "sequence": sequence,
        "text": text,
        "timing": {"repeat": {"boundsPeriod": bounds, "frequency": 1, "period": 1, "periodUnit": "d"}},
        "doseAndRate": [{"doseQuantity": _mg(mg)}],
    }


def _micro_runs(table: MicroTable, step_end: date | None) -> list[tuple[date, date | None, float, str]]:
    """(first day, last day, mg a day, what it is) per run of equal rows of a micro-step table (D8).

    The last run lasts until the step ends (``step_end``; the last row holds until the plan moves
    on). A table that stopped (a hold) ends the day before its stop, and the dose it stopped at
    holds from then on until the step ends.
    """
    assert table.start is not None
    starts = [table.start + timedelta(days=r.day) for r in table.changes]
    out: list[tuple[date, date | None, float, str]] = []
    for i, row in enumerate(table.changes):
        first = starts[i]
        last = starts[i + 1] - timedelta(days=1) if i + 1 < len(starts) else step_end
        if table.stopped is not None:
            if first >= table.stopped:
                break
            if last is None or last >= table.stopped:
                last = table.stopped - timedelta(days=1)
        day = row.day + 1
        if i + 1 < len(starts):
            through = table.changes[i + 1].day if last is None else (last - table.start).days + 1
            days = f"day {day}" if through == day else f"days {day}-{through}"
        else:
            days = f"day {day} on"
        words = f"{days} of the {table.cadence} micro-step table ({row.amount})"
        out.append((first, last, row.dose_mg, words))
    if table.stopped is not None and table.stopped_mg is not None:
        words = "the micro-step table stopped (held): this dose until the plan moves on"
        if step_end is None or step_end >= table.stopped:
            out.append((table.stopped, step_end, table.stopped_mg, words))
    return out


def _administrations(ctx: _Ctx) -> Iterator[dict[str, Any]]:
    for dose_id, med_id, scheduled, taken, amount, status, note in ctx.rows(
        "SELECT id, medication_id, scheduled_for, taken_at, amount_mg, status, note FROM doseevent "
        "ORDER BY day, id"
    ):
        when = taken if taken is not None else scheduled
        if when is None:
            continue
        skipped = status == "skipped"
        resource: dict[str, Any] = {
            "resourceType": "MedicationAdministration",
            "id": resource_id("doseevent", dose_id),
            "status": "not-done" if skipped else "completed",
            "medicationCodeableConcept": ctx.med(med_id),
            "subject": ctx.patient_ref,
            "effectiveDateTime": _instant(when),
            "performer": [{"actor": ctx.patient_ref}],
        }
        if skipped:
            resource["statusReason"] = [{"text": "skipped (recorded by the patient)"}]
        else:
            resource["dosage"] = {"dose": _mg(amount)}
        notes = []
        if status == "extra":
            notes.append("An extra dose, outside the scheduled times.")
        if scheduled is not None and not skipped:
            notes.append(f"Scheduled for {_instant(scheduled)}.")
        if note:
            notes.append(str(note))
        if notes:
            resource["note"] = [{"text": n} for n in notes]
        yield resource


def _symptoms(ctx: _Ctx) -> Iterator[dict[str, Any]]:
    keys = {int(i): str(k) for i, k in ctx.conn.execute("SELECT id, key FROM symptom")}
    for entry_id, symptom_id, name, day, severity, comparison, note in ctx.rows(
        "SELECT id, symptom_id, symptom_name, day, severity, comparison, note FROM symptomentry "
        "ORDER BY day, id"
    ):
        if not 0 <= int(severity) <= 3:
            continue
        observation: dict[str, Any] = {
            "resourceType": "Observation",
            "id": resource_id("symptomentry", entry_id),
            "status": "final",
            "category": [_CATEGORY_SURVEY, _CATEGORY_SYMPTOM],
            # the IG's SymptomObservation (rated mild or worse) or SymptomAbsentObservation (none):
            # a fixed LOINC code, the symptom itself as the value, the severity as a component
            "code": _SYMPTOM_ABSENT if int(severity) == 0 else _SYMPTOM_PRESENT,
            "subject": ctx.patient_ref,
            "effectiveDateTime": _day(day),
            "performer": [ctx.patient_ref],
            "valueCodeableConcept": symptom_concept(keys.get(int(symptom_id)), str(name)),
            "component": [
                {
                    "code": {
                        "coding": [
                            {"system": LOINC, "code": SEVERITY_COMPONENT[0], "display": SEVERITY_COMPONENT[1]}
                        ],
                        "text": "Severity",
                    },
                    "valueCodeableConcept": severity_concept(int(severity)),
                }
            ],
        }
        if comparison:
            value: dict[str, Any] = {"text": str(comparison)}
            if (trend := TREND_SNOMED.get(str(comparison))) is not None:
                value["coding"] = [{"system": SNOMED, "code": trend[0], "display": trend[1]}]
            observation["component"].append(
                {
                    "code": {
                        "coding": [
                            {"system": LOINC, "code": TREND_COMPONENT[0], "display": TREND_COMPONENT[1]}
                        ],
                        "text": "Trend (compared with before the taper)",
                    },
                    "valueCodeableConcept": value,
                }
            )
        if note:
            observation["note"] = [{"text": str(note)}]
        yield observation


def _scales(ctx: _Ctx) -> Iterator[dict[str, Any]]:
    for row_id, key, day, answers, total, note in ctx.rows(
        "SELECT id, scale, day, answers, total, note FROM scaleresponse ORDER BY day, scale"
    ):
        scale = SCALES.get(str(key))
        if scale is None:
            continue
        values = [int(a) for a in str(answers).split(",")]
        band = band_for(scale, int(total))
        observation: dict[str, Any] = {
            "resourceType": "Observation",
            "id": resource_id("scaleresponse", row_id),
            "status": "final",
            "category": [_CATEGORY_SURVEY],
            "code": {
                "coding": [{"system": LOINC, "code": scale.total_loinc, "display": scale.total_display}],
                "text": f"{scale.name} total score",
            },
            "subject": ctx.patient_ref,
            "effectiveDateTime": _day(day),
            "performer": [ctx.patient_ref],
            "valueInteger": int(total),
            "interpretation": [{"text": f"{band.label} ({band.low}-{band.high}); a score, not a diagnosis"}],
            "component": [
                {
                    "code": {"coding": [{"system": LOINC, "code": code}], "text": item},
                    "valueCodeableConcept": {
                        "coding": [{"system": LOINC, "code": ANSWER_LOINC[value], "display": ANSWERS[value]}],
                        "text": f"{value} {ANSWERS[value]}",
                    },
                }
                for code, item, value in zip(scale.item_loinc, scale.items, values, strict=True)
            ],
        }
        if note:
            observation["note"] = [{"text": str(note)}]
        yield observation


def _checkins(ctx: _Ctx) -> Iterator[dict[str, Any]]:
    for checkin_id, day, mood, sleep, note, baseline in ctx.rows(
        "SELECT id, day, mood, sleep_hours, note, is_baseline FROM checkin ORDER BY day"
    ):
        components: list[dict[str, Any]] = []
        if mood is not None:
            components.append({"code": {"text": "Mood (0 worst to 10 best)"}, "valueInteger": int(mood)})
        if sleep is not None:
            components.append(
                {
                    "code": {"text": "Hours of sleep"},
                    "valueQuantity": {"value": float(sleep), "unit": "h", "system": UCUM, "code": "h"},
                }
            )
        components.append({"code": {"text": "Pre-taper baseline day"}, "valueBoolean": bool(baseline)})
        observation: dict[str, Any] = {
            "resourceType": "Observation",
            "id": resource_id("checkin", checkin_id),
            "status": "final",
            "category": [_CATEGORY_SURVEY],
            "code": {"text": "Daily check-in: mood and sleep"},
            "subject": ctx.patient_ref,
            "effectiveDateTime": _day(day),
            "performer": [ctx.patient_ref],
            "component": components,
        }
        if note:
            observation["note"] = [{"text": str(note)}]
        yield observation


def iter_resources(*, session: Session, now: datetime) -> Iterator[dict[str, Any]]:
    """Every resource of the bundle as a plain FHIR JSON dict, one at a time."""
    ctx = _Ctx(session, now)
    yield _patient(ctx)
    yield _composition(ctx)
    yield from _statements(ctx)
    yield from _plans(ctx)
    yield from _administrations(ctx)
    yield from _symptoms(ctx)
    yield from _scales(ctx)
    yield from _checkins(ctx)


def build_resources(*, session: Session, now: datetime) -> list[dict[str, Any]]:
    """Every resource as a list (tests and small exports)."""
    return list(iter_resources(session=session, now=now))


def write_fhir(*, session: Session, now: datetime, out: TextIO) -> int:
    """Write the bundle to ``out`` entry by entry; returns the number of entries."""
    stamp = now.astimezone(UTC).isoformat(timespec="seconds")
    head = {
        "resourceType": "Bundle",
        "id": resource_id("bundle", stamp),
        "type": "collection",
        "timestamp": stamp,
    }
    out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "entry": [\n')
    count = 0
    for resource in iter_resources(session=session, now=now):
        entry = {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}
        out.write((",\n" if count else "") + json.dumps(entry, ensure_ascii=False))
        count += 1
    out.write("\n]}\n")
    return count


def export_fhir(*, session: Session, now: datetime) -> str:
    """The bundle as JSON text (``write_fhir`` into memory)."""
    buffer = io.StringIO()
    write_fhir(session=session, now=now, out=buffer)
    return buffer.getvalue()
