"""FHIR R4B export (tracker.export.fhir) as DOMAIN.md maps it: validated by fhir.resources and
read by a second, independent library (fhirclient), for the demo and a ten-year history."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fhir.resources.R4B.bundle import Bundle

from tracker.db import open_database
from tracker.export import fhir
from tracker.services.demo import demo_now, generate_demo

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 11, 27)
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
# DOMAIN.md: severity 0-3 as SNOMED 2667000 Absent, 255604002 Mild, 1255665007 Moderate, 24484000 Severe
SEVERITY_CODES = {0: "2667000", 1: "255604002", 2: "1255665007", 3: "24484000"}
DISCLAIMER_START = "Information and tracking only, not medical advice."


def _independent_read(document: dict[str, Any]) -> Any:
    """fhirclient (SMART on FHIR's models, R4) parses the bundle strictly: unknown or missing
    required elements raise."""
    from fhirclient.models.bundle import Bundle as ClientBundle

    return ClientBundle(document, strict=True)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fhir") / "demo.db"
    db = open_database(path)
    with db.write(audit=False) as session:
        generate_demo(session=session, today=TODAY, tz=LONDON)
    db.close()
    return path


@pytest.fixture(scope="module")
def bundle(demo_db: Path) -> dict[str, Any]:
    db = open_database(demo_db)
    with db.read() as session:
        text = fhir.export_fhir(session=session, now=demo_now(TODAY, LONDON))
    db.close()
    Bundle.model_validate_json(text)  # the file reads back as a valid R4B bundle
    document: dict[str, Any] = json.loads(text)
    assert len(_independent_read(document).entry) == len(document["entry"])
    return document


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_bundle_is_a_collection_with_stable_urls(bundle: dict[str, Any]) -> None:
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "collection")
    for entry in bundle["entry"]:
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
    assert fhir.resource_id("checkin", 5) == fhir.resource_id("checkin", 5) != fhir.resource_id("checkin", 6)


def test_one_patient_and_the_disclaimer(bundle: dict[str, Any]) -> None:
    (patient,) = resources(bundle, "Patient")
    assert patient["name"] == [{"text": "Sam Demo"}]
    (composition,) = resources(bundle, "Composition")
    assert DISCLAIMER_START in composition["section"][0]["text"]["div"]
    for kind in ("MedicationStatement", "MedicationRequest"):
        for resource in resources(bundle, kind):
            assert any(n["text"].startswith(DISCLAIMER_START) for n in resource["note"])


def test_prescriptions_are_statements_with_rxnorm_and_no_draft_is_a_statement(bundle: dict[str, Any]) -> None:
    statements = resources(bundle, "MedicationStatement")
    assert sorted(s["status"] for s in statements) == ["active", "completed", "completed", "completed"]
    current = next(s for s in statements if s["status"] == "active")
    assert current["effectivePeriod"] == {"start": "2026-10-31"}
    dosage = current["dosage"][0]
    assert dosage["doseAndRate"][0]["doseQuantity"]["value"] == 37.5
    assert dosage["timing"]["repeat"]["timeOfDay"] == ["08:00:00"]
    # sertraline's RxNorm ingredient code, with the name and brand as text
    concept = current["medicationCodeableConcept"]
    assert concept["coding"] == [
        {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "36437", "display": "sertraline"}
    ]
    assert concept["text"] == "Sertraline (Lustral)"


def test_the_agreed_plan_is_one_request_with_a_bounded_instruction_per_step(bundle: dict[str, Any]) -> None:
    (plan,) = resources(bundle, "MedicationRequest")
    assert (plan["intent"], plan["status"]) == ("plan", "active")
    assert plan["requester"] == {"display": "Dr. Amara Okafor"}
    steps = plan["dosageInstruction"]
    assert [s["sequence"] for s in steps] == [1, 2, 3, 4, 5, 6]
    assert [s["doseAndRate"][0]["doseQuantity"]["value"] for s in steps] == [75, 50, 37.5, 25, 12.5, 0]
    # step 3 started 31 Oct 2026 and runs until the day before step 4 is planned
    third = steps[2]["timing"]["repeat"]["boundsPeriod"]
    assert third["start"] == "2026-10-31"
    assert (
        third["end"]
        == (
            date.fromisoformat(steps[3]["timing"]["repeat"]["boundsPeriod"]["start"]).fromordinal(
                date.fromisoformat(steps[3]["timing"]["repeat"]["boundsPeriod"]["start"]).toordinal() - 1
            )
        ).isoformat()
    )
    assert "three quarters of a 50 mg tablet" in steps[2]["text"]
    assert "end" not in steps[-1]["timing"]["repeat"]["boundsPeriod"]


def test_a_draft_is_a_proposal_in_status_draft(tmp_path: Path) -> None:
    from tracker.models import Medication, TaperPlan, TaperStep

    db = open_database(tmp_path / "t.db")
    try:
        with db.write() as s:
            med = Medication(name="Citalopram", strength_mg=20.0)
            s.add(med)
            s.flush()
            plan = TaperPlan(medication_id=med.id or 0, status="draft", method="occupancy")
            s.add(plan)
            s.flush()
            for order, dose in enumerate((20.0, 9.1, 5.4), start=1):
                s.add(
                    TaperStep(
                        plan_id=plan.id or 0,
                        order=order,
                        dose_mg=dose,
                        planned_start=date(2026, 12, 1 + 14 * (order - 1)),
                    )
                )
        with db.read() as s:
            text = fhir.export_fhir(session=s, now=datetime(2026, 11, 27, 12, tzinfo=LONDON))
    finally:
        db.close()
    Bundle.model_validate_json(text)
    document = json.loads(text)
    _independent_read(document)
    (request,) = resources(document, "MedicationRequest")
    assert (request["intent"], request["status"]) == ("proposal", "draft")
    assert "requester" not in request
    assert resources(document, "MedicationStatement") == []
    assert [i["timing"]["repeat"]["boundsPeriod"] for i in request["dosageInstruction"]] == [
        {"start": "2026-12-01", "end": "2026-12-14"},
        {"start": "2026-12-15", "end": "2026-12-28"},
        {"start": "2026-12-29"},
    ]
    assert request["medicationCodeableConcept"]["coding"][0]["code"] == "2556"  # citalopram, RxNorm


def test_doses_taken_and_skipped_are_administrations(bundle: dict[str, Any]) -> None:
    given = resources(bundle, "MedicationAdministration")
    statuses = [g["status"] for g in given]
    # the demo: 182 days, today and days 23, 61 and 62 left unlogged (no resource), day 117 skipped
    assert (statuses.count("completed"), statuses.count("not-done"), len(given)) == (177, 1, 178)
    skipped = next(g for g in given if g["status"] == "not-done")
    assert "dosage" not in skipped and skipped["statusReason"][0]["text"].startswith("skipped")
    assert skipped["note"] == [{"text": "Forgot my pills at home"}]
    taken = next(g for g in given if g["status"] == "completed")
    assert taken["dosage"]["dose"]["unit"] == "mg"
    assert taken["effectiveDateTime"].endswith("+00:00")


def _is_symptom(resource: dict[str, Any]) -> bool:
    """The Symptoms IG's category: SymptomTemporary#symptom."""
    return any(
        c.get("code") == "symptom" for cat in resource.get("category", []) for c in cat.get("coding", [])
    )


def _severity(observation: dict[str, Any]) -> dict[str, Any]:
    """The value of the Symptoms IG's severity component (LOINC 64750-3)."""
    [component] = [c for c in observation["component"] if c["code"]["coding"][0]["code"] == "64750-3"]
    return dict(component["valueCodeableConcept"])


def test_every_symptom_observation_carries_a_snomed_severity(bundle: dict[str, Any], demo_db: Path) -> None:
    import sqlite3

    with sqlite3.connect(demo_db) as conn:
        ratings = conn.execute("SELECT count(*) FROM symptomentry").fetchone()[0]
    symptoms = [o for o in resources(bundle, "Observation") if _is_symptom(o)]
    assert len(symptoms) == ratings > 1000  # one per symptom rating of the demo
    for o in symptoms:
        [coding] = _severity(o)["coding"]
        assert coding["system"] == SNOMED and coding["code"] in SEVERITY_CODES.values()
        # the HL7 Symptoms IG 1.0.0: a fixed LOINC code, 75325-1 "Symptom" or, rated none,
        # 111551-8 "Symptom absent" (SymptomObservation.fsh, SymptomAbsentObservation.fsh)
        absent = coding["code"] == SEVERITY_CODES[0]
        assert o["code"]["coding"][0]["code"] == ("111551-8" if absent else "75325-1")
        assert "referenceRange" not in o and "interpretation" not in o  # 0..0 in the IG
    dizziness = next(o for o in symptoms if o["valueCodeableConcept"]["text"] == "Dizziness or vertigo")
    assert dizziness["valueCodeableConcept"]["coding"][0] == {
        "system": SNOMED,
        "code": "404640003",
        "display": "Dizziness",
    }
    zaps = next(o for o in symptoms if o["valueCodeableConcept"]["text"] == "Brain zaps")
    assert "coding" not in zaps["valueCodeableConcept"]  # no SNOMED concept: text only
    # the baseline days compare with before the taper: "same", in the Trend component
    trends = [c for o in symptoms for c in o["component"] if c["code"]["text"].startswith("Trend")]
    assert trends and {t["valueCodeableConcept"]["text"] for t in trends} == {"same"}
    # the Symptoms IG's trend component (LOINC 89253-9) with "same" as SNOMED 385630006 Maintained
    # (sources in test_export_fhir_codes.py)
    assert {t["code"]["coding"][0]["code"] for t in trends} == {"89253-9"}
    assert {t["valueCodeableConcept"]["coding"][0]["code"] for t in trends} == {"385630006"}
    crisis = next(
        o
        for o in symptoms
        if o["valueCodeableConcept"]["text"] == "Thoughts of self-harm"
        and _severity(o)["coding"][0]["code"] != SEVERITY_CODES[0]
    )
    assert _severity(crisis)["coding"][0]["code"] == SEVERITY_CODES[1]
    assert crisis["note"][0]["text"].startswith("Dark thoughts for one evening")


def test_phq9_and_gad7_with_loinc(bundle: dict[str, Any]) -> None:
    scores = [
        o for o in resources(bundle, "Observation") if o["code"].get("coding", [{}])[0].get("system") == LOINC
    ]
    phq = [o for o in scores if o["code"]["coding"][0]["code"] == "44261-6"]
    gad = [o for o in scores if o["code"]["coding"][0]["code"] == "70274-6"]
    assert len(phq) == len(gad) == 13  # every 2 weeks in the 182 demo days
    for o in phq + gad:
        answers = [int(c["valueCodeableConcept"]["text"][0]) for c in o["component"]]
        assert o["valueInteger"] == sum(answers)
        assert len(answers) == (9 if o in phq else 7)
        assert all(c["code"]["coding"][0]["system"] == LOINC for c in o["component"])
    assert phq[0]["component"][8]["code"]["coding"][0]["code"] == "44260-8"  # item 9
    assert "not a diagnosis" in phq[0]["interpretation"][0]["text"]


def test_check_ins(bundle: dict[str, Any]) -> None:
    checkins = [
        o for o in resources(bundle, "Observation") if o["code"]["text"] == "Daily check-in: mood and sleep"
    ]
    assert len(checkins) == 181
    first = checkins[0]
    assert first["effectiveDateTime"] == "2026-05-30"
    labels = [c["code"]["text"] for c in first["component"]]
    assert labels == ["Mood (0 worst to 10 best)", "Hours of sleep", "Pre-taper baseline day"]
    assert first["component"][2]["valueBoolean"] is True  # the first 7 demo days are the baseline


def test_ten_year_history_streams_and_reads_back(tmp_path: Path) -> None:
    """A generated ten-year history (about 80k resources) written through the command line.

    The whole file is parsed and every symptom observation checked; fhir.resources and fhirclient
    validate every resource that is not a daily observation or dose, and every 40th of those
    (validating all 80k takes minutes: the mapping is the same for each row of a table).
    """
    from benchmarks.generate import generate
    from tracker.cli import main

    db_path, out = tmp_path / "ten.db", tmp_path / "ten.json"
    generate(db_path, years=10, end=TODAY)
    assert main(["export", "fhir", "--out", str(out), "--db", str(db_path)]) == 0
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    document = json.loads(out.read_text(encoding="utf-8"))
    entries = document["entry"]
    assert len(entries) > 75_000
    kinds = {e["resource"]["resourceType"] for e in entries}
    assert {"MedicationStatement", "MedicationRequest", "MedicationAdministration", "Observation"} <= kinds
    daily = {"Observation", "MedicationAdministration"}
    sample = [e for i, e in enumerate(entries) if e["resource"]["resourceType"] not in daily or i % 40 == 0]
    for entry in entries:
        resource = entry["resource"]
        if _is_symptom(resource):
            assert _severity(resource)["coding"][0]["code"] in SEVERITY_CODES.values()
    small = {**document, "entry": sample}
    Bundle.model_validate(small)
    assert len(_independent_read(small).entry) == len(sample) > 2000
    assert "MedicationStatement" not in {
        e["resource"]["resourceType"] for e in entries if e["resource"].get("status") == "intended"
    }


def test_output_written_by_the_cli_helper_is_private(tmp_path: Path) -> None:
    from tracker.export import files

    path = files.write_text(tmp_path / "f.json", "{}")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
