"""Safety constants of the program (DOMAIN.md, "Safety rules no setting, import or key can relax").

These are not settings: no setting, import or key can change them. The reminder rules,
the settings bounds, the import checks and the command line all read them from here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from tracker.domain.drugs import MAXIMA_SOURCE, facts_for
from tracker.domain.symptoms import CRISIS_KEY

URGENT_SILENCE_LIMIT: Final = timedelta(hours=24)
"""An urgent reminder (R3, R4's stop case, R8, R12) is dismissed or snoozed for at most this long."""

URGENT_RULES: Final = frozenset({"R3", "R4-stop", "R8", "R12"})

# R8 crisis triggers
CRISIS_MOOD_MAX: Final = 1  # mood 1 or lower (0-10 scale)
CRISIS_WRITTEN_WITHIN: Final = timedelta(days=3)  # an entry for any day counts while written this recently
CRISIS_SYMPTOM_KEY: Final = CRISIS_KEY
PHQ9_CRISIS_ITEM: Final = 9  # PHQ-9 item 9 answered above 0

DEFAULT_CRISIS_TEXT: Final = (
    "If you are in danger or thinking about harming yourself, contact your local emergency number "
    "or a crisis line now."
)

# R12 possible overdose
OVERDOSE_TEXT: Final = (
    "If you have taken more than prescribed, contact your local poisons service, a pharmacist or "
    "emergency services now."
)
OVERDOSE_PRESCRIBED_FACTOR: Final = 2.0  # a day's total above twice the prescribed daily dose


def overdose_reason(drug_name: str, day_total_mg: float, prescribed_daily_mg: float | None) -> str | None:
    """Why a day's logged total is a possible overdose (R12), or None when it is not.

    Above the licensed maximum for the drug (DOMAIN.md's table), or above twice the
    prescribed daily dose. The reason names the figure it was compared with.
    """
    facts = facts_for(drug_name)
    if facts is not None and facts.licensed_max_mg is not None and day_total_mg > facts.licensed_max_mg:
        return (
            f"{_mg(day_total_mg)} mg in a day is above the licensed maximum of "
            f"{_mg(facts.licensed_max_mg)} mg a day ({MAXIMA_SOURCE})"
        )
    if prescribed_daily_mg and day_total_mg > OVERDOSE_PRESCRIBED_FACTOR * prescribed_daily_mg:
        return (
            f"{_mg(day_total_mg)} mg in a day is more than twice the prescribed {_mg(prescribed_daily_mg)} mg"
        )
    return None


def _mg(value: float) -> str:
    return f"{value:g}"
