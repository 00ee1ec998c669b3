"""FHIR R4B export (tracker.export.fhir): a Bundle that the library validates, with the right resources."""

from __future__ import annotations

import json
from datetime import date
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


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = open_database(tmp_path_factory.mktemp("fhir") / "demo.db")
    with db.write(audit=False) as session:
        generate_demo(session=session, today=TODAY, tz=LONDON)
    with db.read() as session:
        text = fhir.export_fhir(session=session, now=demo_now(TODAY, LONDON))
    db.close()
    Bundle.model_validate_json(text)  # the file reads back as a valid R4B bundle
    return json.loads(text)  # type: ignore[no-any-return]


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_bundle_is_a_collection_with_stable_urls(bundle: dict[str, Any]) -> None:
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "collection")
    for entry in bundle["entry"]:
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
    assert fhir.resource_id("checkin", 5) == fhir.resource_id("checkin", 5) != fhir.resource_id("checkin", 6)


def test_one_patient_with_the_name(bundle: dict[str, Any]) -> None:
    (patient,) = resources(bundle, "Patient")
    assert patient["name"] == [{"text": "Sam Demo"}]


def test_a_statement_per_prescription_and_planned_step(bundle: dict[str, Any]) -> None:
    statements = resources(bundle, "MedicationStatement")
    by_status: dict[str, list[dict[str, Any]]] = {}
    for s in statements:
        by_status.setdefault(s["status"], []).append(s)
    # 4 prescription periods (3 ended, 1 current) and the 3 planned steps (25, 12.5 and 0 mg)
    assert (len(by_status["completed"]), len(by_status["active"]), len(by_status["intended"])) == (3, 1, 3)
    current = by_status["active"][0]
    assert current["effectivePeriod"] == {"start": "2026-10-31"}
    dosage = current["dosage"][0]
    assert dosage["doseAndRate"][0]["doseQuantity"]["value"] == 37.5
    assert dosage["timing"]["repeat"]["timeOfDay"] == ["08:00:00"]
    assert dosage["patientInstruction"] == "three quarters of a 50 mg tablet"
    assert (
        "Taper step 3 (active plan, agreed with Dr. Amara Okafor on 2026-07-04)."
        in current["note"][0]["text"]
    )
    assert [s["dosage"][0]["doseAndRate"][0]["doseQuantity"]["value"] for s in by_status["intended"]] == [
        25,
        12.5,
        0,
    ]


def test_an_observation_per_symptom_day_and_check_in(bundle: dict[str, Any]) -> None:
    observations = resources(bundle, "Observation")
    checkins = [o for o in observations if o["code"]["text"] == "Daily check-in: mood and sleep"]
    severities = [o for o in observations if o["code"]["text"].endswith(" severity")]
    assert len(checkins) == 181
    assert len(checkins) + len(severities) == len(observations)
    first = checkins[0]
    assert first["effectiveDateTime"] == "2026-05-30"
    labels = [c["code"]["text"] for c in first["component"]]
    assert labels == ["Mood (0 worst to 10 best)", "Hours of sleep", "Pre-taper baseline day"]
    assert first["component"][2]["valueBoolean"] is True  # the first 7 demo days are the baseline
    assert all(0 <= o["valueInteger"] <= 3 for o in severities)


def test_output_written_by_the_cli_helper_is_private(tmp_path: Path) -> None:
    from tracker.export import files

    path = files.write_text(tmp_path / "f.json", "{}")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
