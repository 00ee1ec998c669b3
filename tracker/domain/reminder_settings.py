"""The reminder thresholds that are settings (DOMAIN.md R1-R11 defaults) and the crisis help text.

Apart from ``tracker.domain.reminders`` (which re-exports it), so that the settings bounds
(``tracker.domain.bounds``, read by every write's guards) need not import every reminder rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.domain.safety import DEFAULT_CRISIS_TEXT


@dataclass(frozen=True, slots=True)
class ReminderSettings:
    """The thresholds of R1-R11 that are settings (DOMAIN.md defaults) and the crisis help text.

    The 24-hour limit on silencing urgent reminders, R8's crisis triggers and R12's overdose
    table are not here: they are constants of ``tracker.domain.safety``.
    """

    upcoming_step_days: int = 3  # R1, R2: a step starts within this many days
    settle_window_days: int = 7  # R2: look back this many local days (today included)
    not_settled_burden_margin: float = 2.0  # R2: mean burden above baseline + this
    severe_days: int = 2  # R2: a symptom severe on this many days
    flare_window_days: int = 28  # R3: days after a reduction
    flare_recent_days: int = 3  # R3: the recent mean covers this many days
    flare_before_days: int = 7  # R3: the mean before the reduction covers this many days
    flare_ratio: float = 2.0  # R3: recent mean at least this times the mean before
    flare_margin: float = 3.0  # R3: and at least this much above the baseline
    flare_consecutive_days: int = 2  # R3: a symptom severe on this many consecutive days
    unplanned_change_ratio: float = 0.10  # R3 logged reductions, R4: differs by more than this fraction
    unplanned_lookback_days: int = 7  # R4: doses of this many local days (today included)
    no_dose_days: int = 2  # R4 stop case: no dose logged for this many days
    missed_after_hours: int = 6  # R5, R9: a dose with nothing logged this long after its time
    missed_count: int = 2  # R5: this many missed ...
    missed_window_days: int = 3  # R5: ... within this many days
    short_half_life_hours: float = 24.0  # R5: one missed dose matters at or below this
    check_in_days: int = 28  # R6: no appointment within this many days
    plan_not_agreed_days: int = 14  # R7: a draft plan's first step within this many days
    starting_out_weeks: int = 6  # R10: first weeks of a new medication or a dose increase
    prescription_ending_days: int = 7  # R11: end date within this many days
    crisis_text: str = DEFAULT_CRISIS_TEXT
