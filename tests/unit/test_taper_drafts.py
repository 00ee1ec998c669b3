"""Draft schedules follow DOMAIN.md "How a draft schedule is built" (D1-D5) for every formulation.

Occupancy is worked out here from DOMAIN.md's formula and parameters, never read from the code:
occupancy(d) = Emax * d / (ED50 + d).
"""

from __future__ import annotations

import itertools
import math
from datetime import date

import pytest

from tracker.domain.taper import (
    Draft,
    FlagKind,
    Form,
    Formulation,
    draft_manual,
    draft_occupancy,
    draft_proportional,
)

START = date(2026, 12, 7)
# DOMAIN.md, Sørensen et al. 2022 (approximate): Emax %, ED50 mg
PARAMS = {
    "citalopram": (83.98, 2.33),
    "escitalopram": (89.57, 2.72),
    "sertraline": (92.01, 7.72),
    "paroxetine": (97.14, 5.60),
    "fluoxetine": (86.12, 1.89),
    "venlafaxine": (90.07, 5.80),
    "duloxetine": (90.75, 6.27),
}


def occ(drug: str, d: float) -> float:
    emax, ed50 = PARAMS[drug]
    return emax * d / (ed50 + d)


# DOMAIN.md: usual minimum therapeutic daily doses in adults (D5)
MIN_THERAPEUTIC = {
    "citalopram": 20,
    "escitalopram": 10,
    "sertraline": 50,
    "paroxetine": 20,
    "fluoxetine": 20,
    "venlafaxine": 75,
    "duloxetine": 60,
}
HALVES = frozenset({1.0, 0.5})
QUARTERS = frozenset({1.0, 0.5, 0.25})
CASES = {
    "citalopram 20 mg tablet, halves": ("citalopram", 20.0, Formulation(Form.TABLET, 20.0, HALVES), True),
    "citalopram 20 mg tablet, quarters": ("citalopram", 20.0, Formulation(Form.TABLET, 20.0, QUARTERS), True),
    "citalopram 10 mg/5 ml liquid": ("citalopram", 20.0, Formulation(Form.LIQUID, 2.0), False),
    "escitalopram 10 mg tablet": ("escitalopram", 10.0, Formulation(Form.TABLET, 10.0, HALVES), True),
    "sertraline 100 mg as 50 mg tablets": ("sertraline", 100.0, Formulation(Form.TABLET, 50.0, HALVES), True),
    "sertraline 50 mg tablet + 20 mg/ml liquid": (
        "sertraline",
        50.0,
        Formulation(Form.TABLET, 50.0, HALVES, liquid_mg_per_ml=20.0),
        False,
    ),
    "paroxetine 20 mg tablet": ("paroxetine", 20.0, Formulation(Form.TABLET, 20.0, HALVES), True),
    "fluoxetine 20 mg capsule": ("fluoxetine", 20.0, Formulation(Form.CAPSULE, 20.0), True),
    "venlafaxine 75 mg capsule": ("venlafaxine", 75.0, Formulation(Form.CAPSULE, 75.0), True),
    "duloxetine 60 mg as 30 mg capsules": ("duloxetine", 60.0, Formulation(Form.CAPSULE, 30.0), True),
}
METHODS = ["occupancy 10", "occupancy 5", "proportional 10", "proportional 25", "proportional 50", "manual"]


def _draft(case: str, method: str) -> tuple[Draft, list[float] | None]:
    drug, start, form, _ = CASES[case]
    if method.startswith("occupancy"):
        points = float(method.split()[1])
        return draft_occupancy(drug, start, start_date=START, points=points, formulation=form), None
    if method.startswith("proportional"):
        pct = float(method.split()[1])
        return draft_proportional(start, start_date=START, percent=pct, formulation=form, drug=drug), None
    typed = [start, start * 0.75, start * 0.5, start * 0.3, start * 0.15, start * 0.05, 0.0]
    return draft_manual(typed, start_date=START, formulation=form, drug=drug), typed


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("case", list(CASES))
def test_d1_to_d5_hold_for_every_formulation_and_method(case: str, method: str) -> None:
    drug, start, _form, tablet_only = CASES[case]
    draft, typed = _draft(case, method)
    doses = [r.dose_mg for r in draft.steps]
    assert doses[0] == start and doses[-1] == 0
    assert all(r.dose_mg > 0 for r in draft.steps[:-1])  # one 0, at the end
    drops = [occ(drug, a) - occ(drug, b) for a, b in itertools.pairwise(doses)]
    end_is_abrupt = drops[-1] > max(drops[:-1]) + 0.05
    last = draft.steps[-1]
    if typed is not None:
        # D4: the user's numbers, exactly; an abrupt end is flagged, never changed
        assert doses == typed
        assert end_is_abrupt == any(f.kind is FlagKind.ABRUPT_END for f in last.flags)
    else:
        # D1: the drop to 0 is no bigger than the largest earlier drop
        assert not end_is_abrupt, (doses, drops)
        assert not any(f.kind is FlagKind.ABRUPT_END for f in last.flags)
    for prev, r in zip(draft.steps, draft.steps[1:-1], strict=False):
        if typed is None:
            assert r.dose_mg < prev.dose_mg  # every step is a real reduction, nothing merged (D2)
        if r.needs_form:
            # D2: kept with its exact dose, marked, and the liquid forms named
            assert math.isclose(r.dose_mg, r.target_mg, rel_tol=0.005)
            assert "needs a liquid or compounded form" in r.how_to_take
            assert any(f.kind is FlagKind.NEEDS_FORM for f in r.flags)
    if any(r.needs_form for r in draft.steps):
        liquid_words = (
            "No " + drug + " liquid exists" if drug in ("venlafaxine", "duloxetine") else "Liquid forms of"
        )
        assert any(liquid_words in n for n in draft.notes)
    if method.startswith("occupancy"):
        points = float(method.split()[1])
        top = occ(drug, start)
        n = math.ceil(top / points)
        assert len(draft.steps) == n + 1  # every step the method asks for (D2)
        step = top / n
        for k, r in enumerate(draft.steps[1:-1], start=1):
            if not r.needs_form:  # D3: within a quarter of the step of the level asked
                assert abs(occ(drug, r.dose_mg) - (top - k * step)) <= step / 4 + 1e-6
        assert not any(f.kind is FlagKind.LARGE_CUT for r in draft.steps for f in r.flags)  # D5
    if method.startswith("proportional"):
        pct = float(method.split()[1])
        for k, r in enumerate(draft.steps[:-1]):
            assert math.isclose(r.target_mg, start * (1 - pct / 100) ** k, rel_tol=1e-3)
            if not r.needs_form:  # D3: within 10% of the target
                assert abs(r.dose_mg - r.target_mg) <= r.target_mg * 0.10 + 1e-9
        # D5: a cut over 25% of the current dose below the usual minimum, over 50% at or above it
        for prev, r in zip(draft.steps, draft.steps[1:-1], strict=False):
            cut = (prev.dose_mg - r.dose_mg) / prev.dose_mg * 100
            limit = 25 if prev.dose_mg < MIN_THERAPEUTIC[drug] else 50
            assert (cut > limit + 1e-9) == any(f.kind is FlagKind.LARGE_CUT for f in r.flags), (r.order, cut)
    if tablet_only and typed is None:
        # no jump to 0 from a dose the method would still reduce: the last dose is small in effect
        assert occ(drug, doses[-2]) <= max(drops[:-1]) + 0.05


def test_citalopram_20mg_half_tablets_occupancy_worked_example() -> None:
    # occ(20) = 83.98 * 20 / 22.33 = 75.22 points; 10-point steps -> 8 equal drops of 9.40.
    # Row 2's level 65.82 is 2.33 * 65.82 / (83.98 - 65.82) = 8.44 mg; half a tablet (10 mg, 68.10%)
    # is 2.28 points away, within a quarter of the step (2.35): it is used, the smaller cut (D3).
    halves = Formulation(Form.TABLET, 20.0, HALVES)
    draft = draft_occupancy("citalopram", 20.0, start_date=START, formulation=halves)
    assert len(draft.steps) == 9
    row2 = draft.steps[1]
    assert row2.dose_mg == 10.0 and row2.how_to_take == "half a 20 mg tablet" and not row2.needs_form
    # Row 3's level 56.41 is 4.77 mg: neither 10 mg nor 0 is near, so it needs another form (D2).
    row3 = draft.steps[2]
    assert row3.needs_form and row3.dose_mg == 4.77
    assert [r.needs_form for r in draft.steps] == [False, False, True, True, True, True, True, True, False]
    assert draft.steps[-1].dose_mg == 0
    assert any("Rows 1-2 can be made up" in n and "rows 3-8 need a liquid" in n for n in draft.notes)
    assert draft.fit is not None and "citalopram" in draft.fit and "approximate" in draft.fit


def test_sertraline_100mg_as_50mg_tablets_halving_worked_example() -> None:
    # 50% of the latest dose: 100, 50, 25, 12.5, 6.25, 3.125, 1.5625. Occupancy (92.01, 7.72):
    # 85.41, 78.40, 70.27, 56.88, 41.16, 26.52, 15.49; the largest drop is 6.25 -> 3.125... no:
    # 56.88 - 41.16 = 15.72. The drop to 0 from 1.5625 is 15.49 <= 15.72, so the steps end there (D1).
    tablets = Formulation(Form.TABLET, 50.0, HALVES)
    draft = draft_proportional(100.0, start_date=START, percent=50, formulation=tablets, drug="sertraline")
    assert [r.target_mg for r in draft.steps] == [100, 50, 25, 12.5, 6.25, 3.125, 1.5625, 0]
    assert [r.how_to_take for r in draft.steps[:3]] == [
        "two 50 mg tablets",
        "one 50 mg tablet",
        "half a 50 mg tablet",
    ]
    assert [r.needs_form for r in draft.steps] == [False] * 3 + [True] * 4 + [False]
    large = [r.order for r in draft.steps if any(f.kind is FlagKind.LARGE_CUT for f in r.flags)]
    # D5: 50% is not over 50% at or above the usual minimum (50 mg); below it, over 25% is flagged
    assert large == [4, 5, 6, 7]


def test_manual_doses_are_kept_exactly_and_the_abrupt_end_flagged() -> None:
    tablets = Formulation(Form.TABLET, 50.0, HALVES)
    linear = draft_manual([50, 37.5, 25, 12.5, 0], start_date=START, formulation=tablets, drug="sertraline")
    assert [r.dose_mg for r in linear.steps] == [50, 37.5, 25, 12.5, 0]
    assert [r.needs_form for r in linear.steps] == [False, True, False, True, False]  # 37.5: three quarters
    # occupancy 79.67, 76.31, 70.27, 56.88, 0: the drop to 0 (56.9) is far above the largest before (13.4)
    assert any(f.kind is FlagKind.ABRUPT_END for f in linear.steps[-1].flags)
    twenty = draft_manual([50, 40, 30, 0], start_date=START, formulation=tablets, drug="sertraline")
    assert [r.dose_mg for r in twenty.steps] == [50, 40, 30, 0]


def test_a_step_shorter_than_its_own_minimum_days_is_flagged() -> None:
    draft = draft_manual([20, 15, 10, 0], start_date=START, interval_weeks=2, min_days=28, drug="citalopram")
    kinds = {f.kind for f in draft.steps[0].flags}
    assert FlagKind.BELOW_MIN_DAYS in kinds and FlagKind.SHORT_INTERVAL not in kinds  # 14 days is not < 14
    week = draft_manual([20, 15, 10, 0], start_date=START, interval_weeks=1, drug="citalopram")
    assert FlagKind.SHORT_INTERVAL in {f.kind for f in week.steps[0].flags}


def test_the_liquid_measuring_step_is_the_medications() -> None:
    # 0.29 mg of a 2 mg/ml liquid: 0.1 ml gives 0.2 or 0.4 mg (6.6% and 12.3% against a level of
    # 9.4%); a 1 ml syringe measuring 0.05 ml gives 0.3 mg (9.7%), within a quarter of the step.
    coarse = draft_occupancy("citalopram", 20.0, start_date=START, formulation=Formulation(Form.LIQUID, 2.0))
    fine = draft_occupancy(
        "citalopram", 20.0, start_date=START, formulation=Formulation(Form.LIQUID, 2.0, liquid_step_ml=0.05)
    )
    assert coarse.steps[-2].needs_form
    assert not fine.steps[-2].needs_form and fine.steps[-2].how_to_take == "0.15 ml of 2 mg/ml liquid"


# Horowitz & Taylor 2019, citalopram (DOMAIN.md, secondary source): 10 points a step.
PUBLISHED = [20, 9.1, 5.4, 3.4, 2.3, 1.5, 0.8, 0.4, 0]


def test_citalopram_with_liquid_against_the_published_hyperbolic_schedule() -> None:
    """Not within 15%: the README ("Draft schedules") explains why. The draft is never less cautious:
    at every row its dose is at or below the published one, by at most 30%."""
    liquid = Formulation(Form.LIQUID, 2.0, liquid_step_ml=0.05)
    draft = draft_occupancy("citalopram", 20.0, start_date=START, points=10, formulation=liquid)
    doses = [r.dose_mg for r in draft.steps]
    assert len(doses) == len(PUBLISHED)
    for ours, theirs in zip(doses[1:-1], PUBLISHED[1:-1], strict=True):
        assert 0.70 * theirs <= ours <= theirs * 1.001
