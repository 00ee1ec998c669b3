"""Taper plans, pure domain: status machine, running steps, draft calculators and rounding.

Expected values are worked out by hand in the comments; the code is not used to compute them.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from tracker.domain.errors import TrackerError
from tracker.domain.taper import (
    DRAFT_NOTICE,
    OCCUPANCY_PARAMS,
    Draft,
    FlagKind,
    Form,
    Formulation,
    PlanAction,
    PlanStatus,
    PlanStep,
    StepStatus,
    TaperError,
    advance,
    begin,
    check_min_days,
    dose_for_occupancy,
    draft_linear,
    draft_manual,
    draft_occupancy,
    draft_proportional,
    hold,
    occupancy,
    occupancy_params,
    resume,
    round_dose,
    smallest_dose,
    status_after_edit,
    step_back,
    steps_from_draft,
    transition,
)

D0 = date(2025, 1, 6)  # a Monday
TODAY = date(2025, 3, 1)
QUARTERED_10MG_PLUS_LIQUID = Formulation(Form.TABLET, 10, frozenset({1, 0.5, 0.25}), liquid_mg_per_ml=2)
HALVED_10MG = Formulation(Form.TABLET, 10, frozenset({0.5}))
CITALOPRAM = OCCUPANCY_PARAMS["citalopram"]


def days(n: int) -> timedelta:
    return timedelta(days=n)


def kinds(draft: Draft) -> list[list[FlagKind]]:
    return [[f.kind for f in row.flags] for row in draft.steps]


# ---------------------------------------------------------------- status machine

S, A = PlanStatus, PlanAction
ALLOWED = {
    (S.DRAFT, A.AGREE): S.AGREED,
    (S.DRAFT, A.ABANDON): S.ABANDONED,
    (S.AGREED, A.START): S.ACTIVE,
    (S.AGREED, A.ABANDON): S.ABANDONED,
    (S.ACTIVE, A.HOLD): S.HELD,
    (S.ACTIVE, A.COMPLETE): S.COMPLETED,
    (S.ACTIVE, A.ABANDON): S.ABANDONED,
    (S.HELD, A.RESUME): S.ACTIVE,
    (S.HELD, A.ABANDON): S.ABANDONED,
}
REFUSED = {
    (S.DRAFT, A.START): "Agreement with your prescriber must be recorded first",
    (S.DRAFT, A.HOLD): "Only a plan that has started can be put on hold",
    (S.DRAFT, A.RESUME): "Only a plan on hold can be resumed",
    (S.DRAFT, A.COMPLETE): "has not started cannot be marked completed",
    (S.AGREED, A.AGREE): "already agreed",
    (S.AGREED, A.HOLD): "Only a plan that has started can be put on hold",
    (S.AGREED, A.RESUME): "Only a plan on hold can be resumed",
    (S.AGREED, A.COMPLETE): "has not started cannot be marked completed",
    (S.ACTIVE, A.AGREE): "already started",
    (S.ACTIVE, A.START): "already started",
    (S.ACTIVE, A.RESUME): "Only a plan on hold can be resumed",
    (S.HELD, A.AGREE): "already started",
    (S.HELD, A.START): "on hold; resume it instead",
    (S.HELD, A.HOLD): "already on hold",
    (S.HELD, A.COMPLETE): "resume it before marking it completed",
    **{
        (final, act): f"is {final.value} and can no longer change"
        for final in (S.COMPLETED, S.ABANDONED)
        for act in A
    },
}


def agree_and(current: PlanStatus, action: PlanAction) -> PlanStatus:
    """``transition`` with a complete agreement, so only the status and action decide."""
    return transition(current, action, today=TODAY, prescriber="Dr Okafor", agreed_on=TODAY)


def test_the_matrix_covers_every_status_and_action() -> None:
    assert set(ALLOWED) | set(REFUSED) == {(s, a) for s in S for a in A}
    assert not set(ALLOWED) & set(REFUSED)


@pytest.mark.parametrize(("pair", "expected"), ALLOWED.items(), ids=lambda v: str(v))
def test_allowed_transitions(pair: tuple[PlanStatus, PlanAction], expected: PlanStatus) -> None:
    assert agree_and(*pair) is expected


@pytest.mark.parametrize(("pair", "reason"), REFUSED.items(), ids=lambda v: str(v))
def test_refused_transitions_say_why(pair: tuple[PlanStatus, PlanAction], reason: str) -> None:
    with pytest.raises(TaperError, match=reason):
        agree_and(*pair)


def test_starting_a_draft_asks_for_the_prescribers_agreement() -> None:
    with pytest.raises(TaperError) as err:
        transition(PlanStatus.DRAFT, PlanAction.START)
    message = str(err.value)
    assert "prescriber" in message and "agree" in message and "recorded first" in message


@pytest.mark.parametrize(
    ("prescriber", "agreed_on", "reason"),
    [
        ("", TODAY, "name of the prescriber"),
        ("   ", TODAY, "name of the prescriber"),
        (None, TODAY, "name of the prescriber"),
        ("Dr Okafor", None, "date this plan was agreed"),
        ("Dr Okafor", TODAY + days(1), "2025-03-02 is after today"),
    ],
)
def test_agreement_needs_a_prescriber_and_a_date_not_in_the_future(
    prescriber: str | None, agreed_on: date | None, reason: str
) -> None:
    with pytest.raises(TaperError, match=reason):
        transition(
            PlanStatus.DRAFT, PlanAction.AGREE, today=TODAY, prescriber=prescriber, agreed_on=agreed_on
        )


@pytest.mark.parametrize("agreed_on", [TODAY, TODAY - days(1), date(2024, 12, 1)])
def test_agreement_today_or_earlier_is_accepted(agreed_on: date) -> None:
    assert transition("draft", "agree", today=TODAY, prescriber="Dr Okafor", agreed_on=agreed_on) == "agreed"


def test_values_are_strings_the_storage_layer_can_keep() -> None:
    assert [s.value for s in PlanStatus] == ["draft", "agreed", "active", "held", "completed", "abandoned"]
    assert PlanStatus.HELD == "held"
    assert [s.value for s in StepStatus] == ["planned", "current", "held", "done", "stepped_back"]
    with pytest.raises(TaperError, match="Unknown plan status"):
        transition("paused", PlanAction.RESUME)
    with pytest.raises(TaperError, match="Unknown plan action"):
        transition(PlanStatus.ACTIVE, "pause")


def test_taper_error_is_a_value_error_and_a_tracker_error() -> None:
    err = TaperError("x")
    assert isinstance(err, ValueError) and isinstance(err, TrackerError) and str(err) == "x"


@pytest.mark.parametrize("status", [S.DRAFT, S.AGREED, S.ACTIVE, S.HELD])
def test_editing_steps_sends_a_plan_back_to_draft(status: PlanStatus) -> None:
    assert status_after_edit(status) is PlanStatus.DRAFT


@pytest.mark.parametrize("status", [S.COMPLETED, S.ABANDONED])
def test_a_finished_plan_cannot_be_edited(status: PlanStatus) -> None:
    with pytest.raises(TaperError, match="can no longer be edited"):
        status_after_edit(status)


# ---------------------------------------------------------------- minimum days


def test_min_days_six_refused_seven_accepted() -> None:
    with pytest.raises(TaperError, match="at least 7 days"):
        check_min_days(6)
    assert check_min_days(7) == 7
    with pytest.raises(TaperError, match="at least 7 days"):
        PlanStep(order=1, dose_mg=10, planned_start=D0, min_days=6)
    assert PlanStep(order=1, dose_mg=10, planned_start=D0, min_days=7).min_days == 7
    with pytest.raises(TaperError, match="at least 7 days"):
        draft_manual([10, 5, 0], start_date=D0, min_days=6)
    assert {r.min_days for r in draft_manual([10, 5, 0], start_date=D0, min_days=7).steps} == {7}


def test_min_days_default_is_28_or_the_gap_when_shorter() -> None:
    assert {r.min_days for r in draft_manual([10, 5, 0], start_date=D0).steps} == {28}
    assert {r.min_days for r in draft_manual([10, 5, 0], start_date=D0, interval_weeks=2).steps} == {14}
    assert {r.min_days for r in draft_manual([10, 5, 0], start_date=D0, interval_weeks=1).steps} == {7}
    assert {r.min_days for r in draft_manual([10, 5, 0], start_date=D0, interval_weeks=6).steps} == {28}


# ---------------------------------------------------------------- running steps


def plan() -> tuple[PlanStep, ...]:
    """20 -> 15 -> 10 -> 0 mg, four weeks apart from D0, 28 days minimum."""
    return steps_from_draft(draft_manual([20, 15, 10, 0], start_date=D0))


def test_steps_from_draft_are_planned_with_the_draft_dates() -> None:
    steps = plan()
    assert [(s.order, s.dose_mg, s.planned_start, s.status) for s in steps] == [
        (1, 20, D0, "planned"),
        (2, 15, D0 + days(28), "planned"),
        (3, 10, D0 + days(56), "planned"),
        (4, 0, D0 + days(84), "planned"),
    ]


def test_begin_makes_the_first_step_current_and_keeps_the_spacing() -> None:
    change = begin(plan(), today=D0 + days(2))
    first, *rest = change.steps
    assert (first.status, first.actual_start, first.planned_start) == ("current", D0 + days(2), D0)
    assert [s.planned_start for s in rest] == [D0 + days(30), D0 + days(58), D0 + days(86)]
    with pytest.raises(TaperError, match="already started"):
        begin(change.steps, today=D0 + days(3))


def test_advance_on_time_gives_no_warning() -> None:
    started = begin(plan(), today=D0).steps
    change = advance(started, today=D0 + days(28), reason="settled; agreed by phone")
    assert [s.status for s in change.steps] == ["done", "current", "planned", "planned"]
    assert change.steps[0].note == "settled; agreed by phone"
    assert change.steps[1].actual_start == D0 + days(28)
    assert change.warnings == ()


def test_advance_early_warns_but_never_refuses() -> None:
    started = begin(plan(), today=D0 + days(2)).steps
    change = advance(started, today=D0 + days(20), reason="prescriber agreed")
    # 20 - 2 = 18 days at 20 mg, fewer than 28
    assert len(change.warnings) == 1
    assert change.warnings == ("Step 1 has run 18 of its agreed minimum 28 days.",)
    assert change.steps[1].actual_start == D0 + days(20)
    # the later steps were at D0+58 and D0+86 (28 days apart from the planned D0+30); now from D0+20
    assert [s.planned_start for s in change.steps[2:]] == [D0 + days(48), D0 + days(76)]


def test_advance_27_days_warns_28_does_not() -> None:
    started = begin(plan(), today=D0).steps
    assert advance(started, today=D0 + days(27), reason="r").warnings == (
        "Step 1 has run 27 of its agreed minimum 28 days.",
    )
    assert advance(started, today=D0 + days(28), reason="r").warnings == ()


def test_every_running_action_needs_a_reason() -> None:
    started = begin(plan(), today=D0).steps
    second = advance(started, today=D0 + days(28), reason="r").steps
    for action in (advance, hold, step_back):
        with pytest.raises(TaperError, match="reason"):
            action(second, today=D0 + days(40), reason="  ")


def test_advance_before_the_step_started_is_refused() -> None:
    started = begin(plan(), today=D0 + days(5)).steps
    with pytest.raises(TaperError, match="before that"):
        advance(started, today=D0 + days(4), reason="r")


def test_nothing_under_way_is_refused() -> None:
    with pytest.raises(TaperError, match="No step of this plan is under way"):
        advance(plan(), today=D0, reason="r")


def test_hold_then_resume_then_advance() -> None:
    started = begin(plan(), today=D0).steps
    held = hold(started, today=D0 + days(25), reason="zaps most days")
    assert held.steps[0].status == "held" and held.steps[0].note == "zaps most days"
    assert [s.planned_start for s in held.steps] == [s.planned_start for s in started]  # dates wait
    with pytest.raises(TaperError, match="already on hold"):
        hold(held.steps, today=D0 + days(26), reason="again")
    resumed = resume(held.steps)
    assert resumed.steps[0].status == "current" and resumed.steps[0].actual_start == D0
    with pytest.raises(TaperError, match="not on hold"):
        resume(resumed.steps)
    # advancing straight from a hold is allowed: the held dose is still the one under way
    after = advance(held.steps, today=D0 + days(42), reason="settled")
    assert [s.status for s in after.steps] == ["done", "current", "planned", "planned"]
    assert [s.planned_start for s in after.steps[2:]] == [D0 + days(70), D0 + days(98)]


def test_step_back_inserts_the_previous_dose_and_a_retry() -> None:
    started = begin(plan(), today=D0).steps
    second = advance(started, today=D0 + days(28), reason="settled").steps
    change = step_back(second, today=D0 + days(33), reason="severe dizziness; Dr Okafor said go back")
    rows = [(s.order, s.dose_mg, s.status, s.planned_start, s.actual_start) for s in change.steps]
    assert rows == [
        (1, 20, "done", D0, D0),
        (2, 15, "stepped_back", D0 + days(28), D0 + days(28)),
        (3, 20, "current", D0 + days(33), D0 + days(33)),
        (4, 15, "planned", D0 + days(61), None),  # 33 + 28 minimum days at 20 mg
        # 10 mg was 28 days after 15 mg began (D0+28); now 28 days after the retry
        (5, 10, "planned", D0 + days(89), None),
        (6, 0, "planned", D0 + days(117), None),
    ]
    assert change.steps[1].note == "severe dizziness; Dr Okafor said go back"
    assert "Back to 20 mg from 15 mg" in change.warnings[0] and "NICE NG222" in change.warnings[0]
    assert "review the remaining steps with your prescriber" in change.warnings[1]
    # the inserted step runs like any other
    again = advance(change.steps, today=D0 + days(61), reason="settled again")
    assert [s.status for s in again.steps] == [
        "done",
        "stepped_back",
        "done",
        "current",
        "planned",
        "planned",
    ]


def test_step_back_from_the_first_step_is_refused() -> None:
    started = begin(plan(), today=D0).steps
    with pytest.raises(TaperError, match="no earlier dose"):
        step_back(started, today=D0 + days(3), reason="r")


def test_advancing_the_last_step_finishes_the_plan() -> None:
    steps = begin(plan(), today=D0).steps
    for n in range(1, 4):
        change = advance(steps, today=D0 + days(28 * n), reason="r")
        steps = change.steps
        assert not change.finished
    last = advance(steps, today=D0 + days(112), reason="r")
    assert last.finished and [s.status for s in last.steps] == ["done"] * 4


# ---------------------------------------------------------------- rounding


@pytest.mark.parametrize(
    ("target", "dose", "text", "liquid"),
    [
        (20, 20, "two 10 mg tablets", False),
        # 18 -> 17.5 is 2.8% off: within 5%, tablets alone
        (18, 17.5, "one and three quarters 10 mg tablets", False),
        # 16.2 -> 15 is 7.4% off; 15 mg of tablets + 1.2 mg = 0.6 ml of 2 mg/ml
        (16.2, 16.2, "one and a half 10 mg tablets + 0.6 ml of 2 mg/ml liquid", True),
        (12.5, 12.5, "one and a quarter 10 mg tablets", False),
        (5, 5, "half a 10 mg tablet", False),
        (2.5, 2.5, "a quarter of a 10 mg tablet", False),
        # 1 mg: a quarter (2.5) is 150% off; no tablet, 0.5 ml
        (1, 1, "0.5 ml of 2 mg/ml liquid", True),
        # 0.03 mg would be 0.015 ml: never 0, so the smallest measurable 0.1 ml
        (0.03, 0.2, "0.1 ml of 2 mg/ml liquid", True),
        (0, 0, "none", False),
    ],
)
def test_round_tablets_quartered_with_liquid(target: float, dose: float, text: str, liquid: bool) -> None:
    rounded = round_dose(target, QUARTERED_10MG_PLUS_LIQUID)
    assert rounded.dose_mg == pytest.approx(dose)
    assert rounded.how_to_take == text
    assert rounded.needs_liquid is liquid


def test_round_examples_from_the_brief() -> None:
    assert round_dose(10, Formulation(Form.TABLET, 20, frozenset({0.5}))).how_to_take == "half a 20 mg tablet"
    # 15 mg from 10 mg whole tablets: 1 tablet is 33% off, so 10 mg + 5 mg = 2.5 ml of 2 mg/ml
    whole_plus_liquid = Formulation(Form.TABLET, 10, liquid_mg_per_ml=2)
    assert round_dose(15, whole_plus_liquid).how_to_take == "one 10 mg tablet + 2.5 ml of 2 mg/ml liquid"


def test_round_never_gives_zero_for_a_positive_target() -> None:
    # halves of 10 mg, no liquid: 1 mg is nearer 0 than 5, but 0 is not a dose
    assert round_dose(1, HALVED_10MG).dose_mg == 5
    assert round_dose(0.01, Formulation(Form.DROPS, 2)).dose_mg == 2
    assert round_dose(0.01, Formulation(Form.LIQUID, 2)).dose_mg == pytest.approx(0.2)


def test_round_tie_goes_to_the_higher_dose() -> None:
    # halves of 10 mg: 12.5 is 2.5 from both 10 and 15; the higher dose is the smaller cut
    assert round_dose(12.5, HALVED_10MG).dose_mg == 15
    # 13.75 is no tie: 15 is 1.25 away, 10 is 3.75 away
    assert round_dose(13.75, HALVED_10MG).dose_mg == 15
    assert round_dose(11.25, HALVED_10MG).dose_mg == 10


def test_round_capsules_whole_then_liquid() -> None:
    capsule = Formulation(Form.CAPSULE, 20)
    assert round_dose(30, capsule).how_to_take == "two 20 mg capsules"  # 20 and 40 both 10 off: higher
    assert round_dose(29, capsule).how_to_take == "one 20 mg capsule"
    assert round_dose(35, capsule).how_to_take == "two 20 mg capsules"
    with_liquid = Formulation(Form.CAPSULE, 20, liquid_mg_per_ml=4)
    # 25 mg: 20 is 20% off; 20 + 5 mg = 1.25 ml -> 1.3 ml (half up) = 25.2 mg
    rounded = round_dose(25, with_liquid)
    assert rounded.how_to_take == "one 20 mg capsule + 1.3 ml of 4 mg/ml liquid"
    assert rounded.dose_mg == pytest.approx(25.2) and rounded.needs_liquid


def test_round_drops_and_liquid_forms() -> None:
    drops = Formulation(Form.DROPS, 2)
    assert round_dose(7, drops).how_to_take == "4 drops (2 mg per drop)"  # 3.5 drops, half up
    assert round_dose(2, drops).how_to_take == "1 drop (2 mg per drop)"
    liquid = Formulation(Form.LIQUID, 2)
    rounded = round_dose(8.099, liquid)  # 4.0495 ml -> 4.0 ml
    assert (rounded.dose_mg, rounded.how_to_take) == (8.0, "4 ml of 2 mg/ml liquid")


def test_a_very_strong_liquid_does_not_replace_a_closer_tablet() -> None:
    strong = Formulation(Form.TABLET, 10, liquid_mg_per_ml=40)
    # 10.6: one tablet is 5.7% off; the rest, 0.6 mg, is 0.015 ml of 40 mg/ml: rounds to 0 ml
    rounded = round_dose(10.6, strong)
    assert (rounded.dose_mg, rounded.needs_liquid) == (10, False)
    # 9.4: one tablet is 6.4% off (0.6 mg); no tablet + 9.4/40 = 0.235 ml -> 0.2 ml = 8 mg is 1.4 mg off
    rounded = round_dose(9.4, strong)
    assert (rounded.dose_mg, rounded.how_to_take, rounded.needs_liquid) == (10, "one 10 mg tablet", False)


def test_smallest_dose() -> None:
    assert smallest_dose(QUARTERED_10MG_PLUS_LIQUID) == pytest.approx(0.2)  # 0.1 ml of 2 mg/ml
    assert smallest_dose(HALVED_10MG) == 5
    assert smallest_dose(Formulation(Form.DROPS, 2)) == 2


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        (
            {"form": Form.CAPSULE, "strength_mg": 20, "fractions": frozenset({0.5})},
            "Only tablets can be split",
        ),
        ({"form": Form.DROPS, "strength_mg": 2, "liquid_mg_per_ml": 2}, "only goes with tablets or capsules"),
        ({"form": Form.TABLET, "strength_mg": 0}, "above 0 mg"),
        ({"form": Form.TABLET, "strength_mg": 10, "fractions": frozenset({0.05})}, "between 0.1 and 1"),
        ({"form": Form.TABLET, "strength_mg": 10, "liquid_mg_per_ml": -2}, "above 0 mg/ml"),
        ({"form": "patch", "strength_mg": 10}, "Unknown form"),
    ],
)
def test_formulation_refusals(kwargs: dict[str, object], reason: str) -> None:
    with pytest.raises(TaperError, match=reason):
        Formulation(**kwargs)  # type: ignore[arg-type]


def test_round_refuses_a_negative_or_nan_target() -> None:
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(TaperError, match="zero or more"):
            round_dose(bad, HALVED_10MG)


# ---------------------------------------------------------------- proportional


def test_proportional_dates_are_start_plus_intervals() -> None:
    draft = draft_proportional(20, 5, start_date=D0, formulation=QUARTERED_10MG_PLUS_LIQUID)
    assert [r.planned_start for r in draft.steps] == [D0 + days(28 * k) for k in range(15)]
    assert draft.steps[-1].planned_start == date(2026, 2, 2)
    six_weeks = draft_proportional(20, 10, start_date=D0, interval_weeks=6)
    assert [r.planned_start for r in six_weeks.steps[:3]] == [D0, D0 + days(42), D0 + days(84)]


@pytest.mark.parametrize("percent", [5, 50])
def test_proportional_percent_limits_accepted(percent: float) -> None:
    assert draft_proportional(20, 10, start_date=D0, percent=percent).steps[1].cut_pct == percent


@pytest.mark.parametrize(
    ("args", "kwargs", "reason"),
    [
        ((20, 5), {"percent": 4.9}, "from 5% to 50%"),
        ((20, 5), {"percent": 50.1}, "from 5% to 50%"),
        ((20, 20), {}, "below the starting dose"),
        ((20, 0), {}, "above 0 mg"),
        ((0, 0), {}, "starting dose must be above 0"),
        ((20, 5), {"interval_weeks": 0}, "whole number of weeks"),
        ((20, 1e-12), {"percent": 5}, "more than 200 steps"),
    ],
)
def test_proportional_refusals(args: tuple[float, float], kwargs: dict[str, float], reason: str) -> None:
    with pytest.raises(TaperError, match=reason):
        draft_proportional(*args, start_date=D0, **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------- flags


# ---------------------------------------------------------------- occupancy


def test_occupancy_parameters_and_lookup() -> None:
    assert (CITALOPRAM.emax, CITALOPRAM.ed50_mg, CITALOPRAM.approximate) == (83.98, 2.33, True)
    assert "Sørensen" in CITALOPRAM.source and "approximate" in CITALOPRAM.source
    expected = {
        "citalopram": (83.98, 2.33),
        "sertraline": (92.01, 7.72),
        "paroxetine": (97.14, 5.60),
        "fluoxetine": (86.12, 1.89),
        "venlafaxine xr": (90.07, 5.80),
        "duloxetine": (90.75, 6.27),
        "escitalopram": (89.57, 2.72),
    }
    assert {k: (p.emax, p.ed50_mg) for k, p in OCCUPANCY_PARAMS.items()} == expected
    assert occupancy_params("CITALOPRAM") is CITALOPRAM
    assert occupancy_params("  Sertraline HCl ") is OCCUPANCY_PARAMS["sertraline"]
    assert occupancy_params("escitalopram oxalate") is OCCUPANCY_PARAMS["escitalopram"]
    assert occupancy_params("Venlafaxine") is OCCUPANCY_PARAMS["venlafaxine xr"]
    assert occupancy_params("venlafaxine XR") is OCCUPANCY_PARAMS["venlafaxine xr"]
    assert occupancy_params("mirtazapine") is None
    assert occupancy_params("") is None


def test_occupancy_formula_and_its_inverse() -> None:
    # 83.98 * 20 / (2.33 + 20) = 1679.6 / 22.33 = 75.217
    assert occupancy(20, CITALOPRAM) == pytest.approx(75.217, abs=1e-3)
    assert occupancy(0, CITALOPRAM) == 0
    # 2.33 * 50 / (83.98 - 50) = 116.5 / 33.98 = 3.4285
    assert dose_for_occupancy(50, CITALOPRAM) == pytest.approx(3.4285, abs=1e-4)
    assert dose_for_occupancy(occupancy(7.3, CITALOPRAM), CITALOPRAM) == pytest.approx(7.3)
    with pytest.raises(TaperError, match=r"below 83\.98%"):
        dose_for_occupancy(83.98, CITALOPRAM)


HOROWITZ_CITALOPRAM = [20, 9.1, 5.4, 3.4, 2.3, 1.5, 0.8, 0.4, 0]


def test_horowitz_example_is_about_ten_points_per_step_under_the_model() -> None:
    """With Emax 83.98, ED50 2.33 the example's doses sit at (83.98*d/(2.33+d)):
    75.2, 66.9, 58.7, 49.8, 41.7, 32.9, 21.5, 12.3, 0 %: drops of 8.1 to 12.3 points."""
    occ = [occupancy(d, CITALOPRAM) for d in HOROWITZ_CITALOPRAM]
    assert occ == pytest.approx([75.2, 66.9, 58.7, 49.8, 41.7, 32.9, 21.5, 12.3, 0], abs=0.05)
    drops = [a - b for a, b in itertools.pairwise(occ)]
    assert all(8.0 <= d <= 12.5 for d in drops)


def test_occupancy_refusals() -> None:
    with pytest.raises(TaperError, match="only proportional steps are offered"):
        draft_occupancy("mirtazapine", 30, start_date=D0)
    for points in (0.5, 26):
        with pytest.raises(TaperError, match="from 1 to 25 percentage points"):
            draft_occupancy("citalopram", 20, start_date=D0, points=points)
    with pytest.raises(TaperError, match="lowest dose must be above 0 mg and below"):
        draft_occupancy("citalopram", 20, start_date=D0, floor_mg=20)


# ---------------------------------------------------------------- linear and manual


def test_linear_refusals() -> None:
    with pytest.raises(TaperError, match="not both"):
        draft_linear(20, start_date=D0)
    with pytest.raises(TaperError, match="not both"):
        draft_linear(20, start_date=D0, step_mg=5, steps=4)
    with pytest.raises(TaperError, match="below the starting dose"):
        draft_linear(20, start_date=D0, step_mg=20)
    with pytest.raises(TaperError, match="from 2 to 200"):
        draft_linear(20, start_date=D0, steps=1)


@pytest.mark.parametrize(
    ("doses", "kwargs", "reason"),
    [
        ([20, -1, 0], {"start_date": D0}, "Dose 2 must be a number of mg, zero or more"),
        ([20, float("nan")], {"start_date": D0}, "Dose 2 must be"),
        ([20, float("inf")], {"start_date": D0}, "Dose 2 must be"),
        ([20], {"start_date": D0}, "at least two doses"),
        ([0, 0], {"start_date": D0}, "starting dose must be above 0"),
        ([20, 10], {}, "start date or one date per dose"),
        ([20, 10], {"dates": [D0]}, "one date per dose"),
        ([20, 10], {"dates": [D0, D0]}, "after the one before"),
    ],
)
def test_manual_refusals(doses: list[float], kwargs: dict[str, object], reason: str) -> None:
    with pytest.raises(TaperError, match=reason):
        draft_manual(doses, **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------- every draft is a draft


def all_drafts() -> list[Draft]:
    return [
        draft_proportional(20, 5, start_date=D0, formulation=QUARTERED_10MG_PLUS_LIQUID),
        draft_occupancy("citalopram", 20, start_date=D0, formulation=Formulation(Form.DROPS, 2)),
        draft_linear(20, start_date=D0, steps=4, interval_weeks=1),
        draft_manual([10, 11, 5, 0], dates=[D0, D0 + days(3), D0 + days(30), D0 + days(60)]),
    ]


def test_every_draft_is_marked_as_a_draft() -> None:
    assert DRAFT_NOTICE == "Draft to discuss with your prescriber. This app does not recommend doses."
    for draft in all_drafts():
        assert draft.is_draft is True and draft.notice == DRAFT_NOTICE


def test_drops_carry_a_bioequivalence_note() -> None:
    assert any("Drops may not match tablets" in note for note in all_drafts()[1].notes)


def test_no_text_tells_anyone_to_change_a_dose() -> None:
    texts = [DRAFT_NOTICE]
    for draft in all_drafts():
        texts += draft.notes
        texts += [f.message for r in draft.steps for f in r.flags]
    started = begin(plan(), today=D0).steps
    texts += advance(started, today=D0 + days(3), reason="r").warnings
    texts += step_back(
        advance(started, today=D0 + days(28), reason="r").steps, today=D0 + days(30), reason="r"
    ).warnings
    assert len(texts) > 10
    forbidden = (
        "you should",
        "reduce your",
        "lower your",
        "increase your",
        "stop taking",
        "cut your",
        "take a",
        "take one",
        "take your",
    )
    for text in texts:
        assert not any(word in text.lower() for word in forbidden), text


def test_short_of_minimum_states_the_days_and_never_instructs() -> None:
    """Advancing on day 28 of a step started 27 days ago: 27 days run (today is the next step's
    first day); at the minimum or past it, or not started, nothing is said."""
    import re

    from test_guards import FORBIDDEN

    from tracker.domain.taper import short_of_minimum

    note = short_of_minimum(3, D0, 42, D0 + days(27))
    assert note == "Step 3 has run 27 of its agreed minimum 42 days."
    assert not any(re.search(p, note, re.IGNORECASE | re.MULTILINE) for p in FORBIDDEN)
    assert short_of_minimum(3, D0, 42, D0 + days(42)) is None
    assert short_of_minimum(3, D0, 42, D0 + days(41)) == "Step 3 has run 41 of its agreed minimum 42 days."
    assert short_of_minimum(3, None, 42, D0) is None
