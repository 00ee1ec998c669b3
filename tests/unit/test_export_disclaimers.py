"""DOMAIN.md "Wording": the disclaimer appears on every export, in each format's own place."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tracker.db import open_database
from tracker.services.demo import demo_now, generate_demo

TODAY = date(2026, 11, 27)
LONDON = ZoneInfo("Europe/London")
TEXT = (
    "Information and tracking only, not medical advice. Always involve your health professional. "
    "All entries were recorded by the patient."
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("disclaimer") / "demo.db"
    db = open_database(path)
    with db.write(audit=False) as session:
        generate_demo(session=session, today=TODAY, tz=LONDON)
    db.close()
    return path


def test_every_export_carries_the_disclaimer(demo: Path, tmp_path: Path) -> None:
    from tracker.export import csv_export, fhir, json_io
    from tracker.services.taper import taper_calendar

    now = demo_now(TODAY, LONDON)
    db = open_database(demo)
    try:
        with db.read() as s:
            csv_files = csv_export.build_files(session=s, tz=LONDON, now=now)
            backup = json.loads(json_io.export_json(session=s, now=now))
            bundle = json.loads(fhir.export_fhir(session=s, now=now))
            calendar = taper_calendar(session=s, now=now, tz=LONDON).decode()
    finally:
        db.close()
    for name, data in csv_files.items():
        assert data.decode("utf-8-sig").split("\r\n", 1)[0] == f"# {TEXT}", name
    assert backup["disclaimer"] == TEXT
    composition = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Composition"
    )
    assert TEXT in composition["section"][0]["text"]["div"]
    unfolded = calendar.replace("\r\n ", "")
    assert f"X-WR-CALDESC:{TEXT}" in unfolded
    assert "DESCRIPTION:" + TEXT.replace(",", "\\,") in unfolded
