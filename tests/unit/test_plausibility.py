"""Prescription and dose plausibility by drug, drops by their label, archiving with a current
prescription (issue 13; DOMAIN.md "Largest daily doses", liquid forms, "Any rule").

Expected figures are DOMAIN.md's licensed maxima: sertraline 200 mg, citalopram 40 mg,
escitalopram 20 mg, paroxetine 60 mg (62.5 mg controlled-release), fluoxetine 80 mg a day.
Now is Fri 27 Nov 2026, 12:00 UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from tracker.cli import main
from tracker.db import Database
from tracker.domain import plausibility
from tracker.domain.drugs import CITALOPRAM_DROPS_WARNING, DROPS_WARNING, drops_warning
from tracker.domain.plausibility import NeedsConfirmation, dose_concern, prescription_concern
from tracker.domain.safety import OVERDOSE_TEXT
from tracker.services import doses, meds

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)
UTCZ = ZoneInfo("UTC")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------- by drug, not by tablet


@pytest.mark.parametrize(
    ("name", "strength", "form", "dose", "times"),
    [
        ("Citalopram", 2.0, "liquid", 40, 1),  # 10 mg/5 ml oral solution, 20 ml: the licensed maximum
        ("Escitalopram", 1.0, "drops", 20, 1),  # 20 drops of 1 mg
        ("Paroxetine", 2.0, "liquid", 40, 1),  # 10 mg/5 ml suspension
        ("Paroxetine", 20.0, "tablet", 30, 2),  # 60 mg a day in two doses
        ("Fluoxetine", 20.0, "capsule", 80, 1),
        ("Sertraline", 50.0, "tablet", 100, 2),  # 200 mg a day: at the maximum, not above it
    ],
)
def test_licensed_doses_are_accepted_whatever_the_form(
    db: Database, name: str, strength: float, form: str, dose: float, times: int
) -> None:
    """Issue: the cap refused citalopram liquid 40 mg, escitalopram drops 20 mg, paroxetine liquid 40 mg
    and fluoxetine 80 mg (it went by the tablet strength)."""
    with db.write() as s:
        med = meds.create_medication(session=s, name=name, strength_mg=strength, form=form)
        rx = meds.set_prescription(
            session=s,
            medication_id=med.id or 0,
            dose_mg=dose,
            times=[time(8), time(20)][:times],
            start_date=TODAY,
        )
    assert rx.dose_mg == dose


def test_sertraline_450_mg_on_tablets_needs_confirmation_with_the_figures(db: Database) -> None:
    """Issue: sertraline 450 mg a day on 50 mg tablets was accepted without a word."""
    with db.write() as s:
        med_id = meds.create_medication(session=s, name="Sertraline", strength_mg=50).id or 0
    with pytest.raises(NeedsConfirmation) as refused, db.write() as s:
        meds.set_prescription(session=s, medication_id=med_id, dose_mg=450, times=[time(8)], start_date=TODAY)
    figures = refused.value.figures
    assert (figures.amount_mg, figures.limit_mg, figures.basis) == (450, 200, "licensed maximum")
    assert "--" not in str(refused.value)  # the UI shows it as it is
    with db.read() as s:
        assert meds.prescriptions_for(session=s, medication_id=med_id) == []
    with db.write() as s:
        meds.set_prescription(
            session=s, medication_id=med_id, dose_mg=450, times=[time(8)], start_date=TODAY, confirmed=True
        )


@pytest.mark.parametrize(
    ("drug", "daily", "asked"),
    [
        ("sertraline", 200, False),
        ("sertraline", 200.5, True),
        ("citalopram", 40, False),
        ("citalopram", 40.5, True),
        ("escitalopram", 20, False),
        ("escitalopram", 21, True),
        ("paroxetine", 62.5, False),  # 62.5 mg controlled-release
        ("paroxetine", 63, True),
        ("fluoxetine", 80, False),
        ("fluoxetine", 81, True),
    ],
)
def test_the_licensed_maximum_is_the_threshold(drug: str, daily: float, asked: bool) -> None:
    assert (prescription_concern(drug=drug, dose_mg=daily, intakes=1) is not None) is asked
    assert (prescription_concern(drug=drug, dose_mg=daily / 2, intakes=2) is not None) is asked


def test_a_logged_amount_is_asked_about_above_the_maximum_or_four_times_the_prescription() -> None:
    assert dose_concern(drug="sertraline", amount_mg=200, highest_prescribed_mg=100) is None
    assert dose_concern(drug="sertraline", amount_mg=201, highest_prescribed_mg=100) is not None
    assert dose_concern(drug="citalopram", amount_mg=40, highest_prescribed_mg=5) is not None  # 8 x 5 mg
    assert dose_concern(drug="citalopram", amount_mg=20, highest_prescribed_mg=5) is None  # 4 x 5 mg


def test_rx_set_and_log_dose_ask_for_force_and_a_forced_overdose_prints_the_poisons_text(
    capsys: pytest.CaptureFixture[str], db: Database
) -> None:
    """Issue: ``tracker log dose sertraline 4000mg --force`` printed no poisons or emergency text."""
    path = str(db.path)
    assert run(capsys, "med", "add", "Sertraline", "--strength", "50mg", "--db", path)[0] == 0
    code, out, err = run(capsys, "rx", "set", "sertraline", "450mg", "--db", path)
    assert (code, out) == (2, "")
    assert "450 mg a day is above the licensed maximum for sertraline of 200 mg a day" in err
    assert err.rstrip().endswith("If it is right, confirm it with --force.")
    assert run(capsys, "rx", "set", "sertraline", "100mg", "--from", "2026-01-01", "--db", path)[0] == 0
    code, out, err = run(capsys, "log", "dose", "sertraline", "4000mg", "--db", path)
    assert (code, out) == (2, "") and "4000 mg is above the licensed maximum" in err and "--force" in err
    code, out, err = run(capsys, "log", "dose", "sertraline", "4000mg", "--force", "--db", path)
    assert code == 0 and err == ""
    assert OVERDOSE_TEXT in out and "above the licensed maximum of 200 mg a day" in out


# --------------------------------------------------------------------------- drops


def test_drops_by_their_label_strength_and_the_warning_wherever_they_are_entered(
    capsys: pytest.CaptureFixture[str], db: Database
) -> None:
    """Issue: drops were counted mg for mg as tablets, and DOMAIN.md's citalopram warning appeared nowhere."""
    path = str(db.path)
    code, out, _ = run(
        capsys, "med", "add", "Citalopram", "--strength", "40mg/ml", "--drops-per-ml", "20", "--db", path
    )
    assert code == 0 and "20 drops per ml: 2 mg a drop" in out and CITALOPRAM_DROPS_WARNING in out
    with db.read() as s:
        med = meds.find_medication(session=s, name="citalopram")
    assert (med.form, med.strength_mg, med.drops_per_ml) == ("drops", 2.0, 20.0)
    code, out, _ = run(capsys, "rx", "set", "citalopram", "4drops", "--from", "2026-01-01", "--db", path)
    assert code == 0 and "8 mg" in out and CITALOPRAM_DROPS_WARNING in out  # DOMAIN.md: 4 drops = 8 mg
    code, out, _ = run(capsys, "log", "dose", "citalopram", "4 drops", "--db", path)
    assert code == 0 and CITALOPRAM_DROPS_WARNING in out
    code, _, err = run(
        capsys, "med", "add", "Escitalopram", "--strength", "20mg/ml", "--form", "drops", "--db", path
    )
    assert code == 2 and "--drops-per-ml" in err


def test_the_drops_warnings() -> None:
    assert drops_warning("Citalopram", "drops") == CITALOPRAM_DROPS_WARNING
    assert drops_warning("Cipramil", "drops") == CITALOPRAM_DROPS_WARNING
    assert drops_warning("Escitalopram", "drops") == DROPS_WARNING
    assert drops_warning("Citalopram", "tablet") is None


def test_the_clinician_summary_carries_the_drops_warning_extra_doses_and_possible_overdoses(
    db: Database,
) -> None:
    """Issue: extra doses were missing from the clinician summary; R12 belongs in its notable events."""
    from tracker.export import data
    from tracker.export import summary as summary_export

    with db.write() as s:
        cit = meds.create_medication(
            session=s, name="Citalopram", strength_mg=2, form="drops", drops_per_ml=20
        )
        meds.set_prescription(
            session=s, medication_id=cit.id or 0, dose_mg=8, times=[time(8)], start_date=date(2026, 11, 1)
        )
        doses.log_dose(
            session=s, medication_id=cit.id or 0, amount_mg=8, taken_at=NOW.replace(hour=8), now=NOW, tz=UTCZ
        )
        doses.log_dose(
            session=s, medication_id=cit.id or 0, amount_mg=60, taken_at=NOW, force=True, now=NOW, tz=UTCZ
        )
    with db.read() as s:
        summary = data.gather(session=s, start=date(2026, 11, 1), end=TODAY, now=NOW, tz=UTCZ)
    assert summary.drops_warnings == (CITALOPRAM_DROPS_WARNING,)
    assert [(e.medication, e.amount_mg) for e in summary.extra_doses] == [("Citalopram", 60)]
    [overdose] = summary.overdoses
    assert (overdose.day, overdose.total_mg) == (TODAY, 68)  # above the 40 mg licensed maximum
    text = " ".join(summary_export.render(summary, "md").decode().split())
    assert CITALOPRAM_DROPS_WARNING in text and OVERDOSE_TEXT in text
    assert "1 extra dose logged outside the schedule: Citalopram 60 mg" in text


# --------------------------------------------------------------------------- archiving


def test_archiving_with_a_current_prescription_asks_first_from_the_command_line(
    capsys: pytest.CaptureFixture[str], db: Database
) -> None:
    path = str(db.path)
    assert run(capsys, "med", "add", "Sertraline", "--strength", "50mg", "--db", path)[0] == 0
    assert run(capsys, "rx", "set", "sertraline", "50mg", "--from", "2026-01-01", "--db", path)[0] == 0
    code, out, err = run(capsys, "med", "archive", "sertraline", "--db", path)
    assert (code, out) == (2, "")
    assert "Stopping suddenly can cause withdrawal symptoms" in err and "--yes" in err
    with db.read() as s:
        assert meds.find_medication(session=s, name="sertraline").archived is False
    assert run(capsys, "med", "archive", "sertraline", "--yes", "--db", path)[0] == 0
    assert run(capsys, "med", "restore", "sertraline", "--db", path)[:2] == (0, "Sertraline restored\n")


def test_archiving_without_a_current_prescription_needs_no_confirmation(db: Database) -> None:
    with db.write() as s:
        med = meds.create_medication(session=s, name="Sertraline", strength_mg=50)
        meds.set_prescription(
            session=s,
            medication_id=med.id or 0,
            dose_mg=50,
            times=[time(8)],
            start_date=date(2026, 1, 1),
            end_date=date(2026, 6, 30),
        )
        assert meds.set_archived(session=s, medication_id=med.id or 0, day=TODAY).archived is True
    with pytest.raises(meds.ArchiveNeedsConfirmation), db.write() as s:
        other = meds.create_medication(session=s, name="Paroxetine", strength_mg=20)
        meds.set_prescription(
            session=s, medication_id=other.id or 0, dose_mg=20, times=[time(8)], start_date=date(2026, 1, 1)
        )
        meds.set_archived(session=s, medication_id=other.id or 0, day=TODAY)


# --------------------------------------------------------------------------- wording


FORBIDDEN = [  # as tests/unit/test_reminders.py
    r"\b(reduce|lower|decrease|increase|raise|change|adjust|halve|double|stop|skip|cut)\s+(your|the|this|a)\s+"
    r"(dose|medicine|medication|tablets?|pills?)",
    r"\btake (more|less|fewer|an extra|another|half)\b",
    r"\b(stop|start) taking\b",
    r"\byou should (reduce|take|stop|increase|skip|lower|raise)",
    r"(^|[.!:;]\s+)(reduce|increase|lower|raise|stop|skip|halve|double|take|cut)\b",
    r"\b(reduce|increase|lower|raise) (it|to)\b",
    r"\bskip (a|the|your|tomorrow|today|one)\b",
]


@pytest.mark.parametrize("pattern", FORBIDDEN)
def test_no_plausibility_or_drops_message_instructs_a_dose_change(pattern: str) -> None:
    texts = [*plausibility.all_messages(), CITALOPRAM_DROPS_WARNING, DROPS_WARNING]
    assert len(texts) >= 10
    assert [t for t in texts if re.search(pattern, t, re.IGNORECASE | re.MULTILINE)] == []
