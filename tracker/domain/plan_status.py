"""The statuses of a taper plan and of its steps.

Their own small module: the guards that every write goes through (``tracker.domain.plan_rules``)
need them, and importing them must not import the draft calculators of ``tracker.domain.taper``
(which re-exports them) into every command that writes.
"""

from __future__ import annotations

from enum import StrEnum


class PlanStatus(StrEnum):
    DRAFT = "draft"
    AGREED = "agreed"
    ACTIVE = "active"
    HELD = "held"
    COMPLETED = "completed"
    ABANDONED = "abandoned"

    @property
    def is_final(self) -> bool:
        """Completed and abandoned plans never change again."""
        return self in (PlanStatus.COMPLETED, PlanStatus.ABANDONED)


class StepStatus(StrEnum):
    PLANNED = "planned"
    CURRENT = "current"
    HELD = "held"  # staying longer at the current dose
    DONE = "done"
    STEPPED_BACK = "stepped_back"
