"""Combinations of strengths (issue 12): the strengths a user has are combined before a taper step
is marked as needing another form.

Hand-worked example (sertraline): the medication is 100 mg tablets, scored, so they halve
(fractions 1, 0.5: pieces of 100 and 50 mg). With them alone the doses are 50, 100, 150 ...
Adding 50 mg and 25 mg tablets (taken whole) makes every multiple of 25 mg: 25 = one 25 mg,
75 = one 50 mg + one 25 mg (two pieces, none split; half a 100 mg + one 25 mg is also two pieces
but one is split), 50 = one 50 mg (one piece, not split, rather than half a 100 mg).
12.5 and 37.5 mg stay out of reach: no piece is smaller than 25 mg.
"""

from __future__ import annotations

from datetime import date

import pytest

from tracker.domain import taper as dt
from tracker.domain.strengths import (
    Stock,
    StrengthsError,
    best_combinations,
    format_strengths,
    parse_strengths,
)

START = date(2026, 12, 1)
HALVES = frozenset({1.0, 0.5})


def test_parse_and_format() -> None:
    assert parse_strengths("25,100") == (25.0, 100.0)
    assert parse_strengths(" 100 mg ; 25mg, 25 ") == (25.0, 100.0)
    assert parse_strengths("") == () and parse_strengths(None) == ()
    assert parse_strengths("50,25", main_mg=50) == (25.0,)  # the main strength is not repeated
    assert format_strengths((100.0, 25.0, 25)) == "25,100"
    assert format_strengths(()) is None


@pytest.mark.parametrize("text", ["abc", "25,,50", "0", "-5", "nan", "2000", "1,2,3,4,5"])
def test_bad_values_name_the_field_not_the_value(text: str) -> None:
    with pytest.raises(StrengthsError) as err:
        parse_strengths(text)
    assert "other strengths" in str(err.value)
    assert text not in str(err.value) or text in ("0",)  # "0" also appears in "more than 0 mg"


def test_doses_reachable_with_sertraline_100_50_25() -> None:
    alone = best_combinations([Stock(100, HALVES)], 200)
    assert sorted(alone) == [50.0, 100.0, 150.0, 200.0]
    both = best_combinations([Stock(100, HALVES), Stock(50), Stock(25)], 100)
    assert sorted(both) == [25.0, 50.0, 75.0, 100.0]
    assert both[75].amounts == ((50, 1.0), (25, 1.0)) and both[75].splits == 0
    assert both[50].amounts == ((50, 1.0),)  # one whole 50 mg, not half a 100 mg
    assert both[25].amounts == ((25, 1.0),)
    assert both[100].amounts == ((100, 1.0),)  # one tablet, not 50 + 25 + 25


def test_fewest_pieces_first_then_fewest_splits() -> None:
    # 50 mg scored (halves) and 25 mg: 75 is one 50 + one 25 (2 pieces, unsplit), not 1.5 x 50
    combos = best_combinations([Stock(50, HALVES), Stock(25)], 75)
    assert combos[75].amounts == ((50, 1.0), (25, 1.0))
    assert (combos[75].pieces, combos[75].splits) == (2, 0)
    # 100 mg with quarters alone: 75 = three quarters = half + quarter, two split pieces
    quarters = best_combinations([Stock(100, frozenset({1.0, 0.5, 0.25}))], 100)
    assert (quarters[75].pieces, quarters[75].splits) == (2, 2)


def _draft(others: tuple[float, ...]) -> dt.Draft:
    f = dt.Formulation("tablet", 100, HALVES, other_strengths=others)
    return dt.draft_manual([100, 75, 50, 25, 12.5, 0], start_date=START, formulation=f, drug="sertraline")


def test_manual_draft_uses_the_other_strengths_before_marking_a_step() -> None:
    alone = _draft(())
    assert [r.needs_form for r in alone.steps] == [False, True, False, True, True, False]
    both = _draft((50.0, 25.0))
    assert [r.needs_form for r in both.steps] == [False, False, False, False, True, False]
    assert [r.dose_mg for r in both.steps] == [100, 75, 50, 25, 12.5, 0]  # D4: the doses typed
    hows = [r.how_to_take for r in both.steps]
    assert hows[1] == "one 50 mg tablet + one 25 mg tablet"
    assert hows[2] == "one 50 mg tablet"
    assert hows[3] == "one 25 mg tablet"
    assert "needs a liquid or compounded form" in hows[4]


def test_proportional_draft_reaches_more_steps_with_tablets() -> None:
    """25% cuts from 100 mg: targets 75, 56.25, 42.19, 31.64, 23.73, ... Within D3's 10%, 75 is
    50 + 25 and 23.73 rounds up (the smaller cut) to one 25 mg tablet; 56.25 (50 is 11% off),
    42.19 and 31.64 have nothing within 10% and stay marked."""
    f = dt.Formulation("tablet", 100, HALVES, other_strengths=(25.0,))
    rows = dt.draft_proportional(100, start_date=START, percent=25, formulation=f, drug="sertraline").steps
    assert (rows[1].dose_mg, rows[1].needs_form) == (75, False)
    assert rows[1].how_to_take == "half a 100 mg tablet + one 25 mg tablet"
    assert [r.needs_form for r in rows[2:5]] == [True, True, True]
    assert (rows[5].target_mg, rows[5].dose_mg, rows[5].needs_form) == (23.7305, 25, False)
    plain = dt.Formulation("tablet", 100, HALVES)
    rows0 = dt.draft_proportional(
        100, start_date=START, percent=25, formulation=plain, drug="sertraline"
    ).steps
    assert rows0[1].needs_form and rows0[5].needs_form


def test_round_dose_and_smallest_dose_know_the_other_strengths() -> None:
    f = dt.Formulation("tablet", 50, HALVES, other_strengths=(25.0,))
    assert dt.round_dose(75, f).how_to_take == "one 50 mg tablet + one 25 mg tablet"
    assert dt.smallest_dose(f) == 25
    assert dt.smallest_dose(dt.Formulation("tablet", 100, HALVES, other_strengths=(20.0,))) == 20


def test_other_strengths_only_for_tablets_or_capsules() -> None:
    with pytest.raises(dt.TaperError):
        dt.Formulation("liquid", 20, other_strengths=(10.0,))
    with pytest.raises(dt.TaperError):
        dt.Formulation("tablet", 20, other_strengths=(-1.0,))
    caps = dt.Formulation("capsule", 60, other_strengths=(30.0,))
    assert dt.round_dose(90, caps).how_to_take == "one 60 mg capsule + one 30 mg capsule"
