"""``classify_times`` (plain tuples, for the summary over decades) follows the rules of
``classify_slots``: a dose answers the slot of its medication and instant; taken beats skipped;
of several taken doses the earliest time counts, and one without a time counts as on time;
late is more than 2 hours after the slot; nothing logged 6 hours after it is missed."""

from __future__ import annotations

from datetime import UTC, datetime

from tracker.domain.trends import (
    DoseStatus,
    LoggedDose,
    ScheduledSlot,
    SlotOutcome,
    SlotResult,
    classify_slots,
    classify_times,
)

NOW = datetime(2026, 6, 2, 12, 0, tzinfo=UTC)


def at(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=UTC)


TAKEN, SKIPPED, EXTRA = DoseStatus.TAKEN, DoseStatus.SKIPPED, DoseStatus.EXTRA

SLOTS = [(1, at(7)), (1, at(19)), (2, at(7)), (1, at(6, day=2)), (2, at(8, day=2)), (3, at(9, day=2))]
DOSES = [
    (1, at(7), at(10), TAKEN),  # 3 h late, but a second entry for the slot ...
    (1, at(7), None, TAKEN),  # ... has no time: nothing shows it was late
    (1, at(19), None, TAKEN),  # no time first ...
    (1, at(19), at(23), TAKEN),  # ... still on time
    (2, at(7), None, SKIPPED),  # skipped ...
    (2, at(7), at(9, 1), TAKEN),  # ... but taken beats it: 2 h 1 min is late
    (1, at(6, day=2), at(6, day=2), EXTRA),  # an extra dose answers no slot: missed (6 h before now)
    (2, at(8, day=2), None, SKIPPED),
    (3, None, at(9, day=2), TAKEN),  # unscheduled: answers none; the slot is 3 h old: pending
]
EXPECTED = [
    SlotResult(1, at(7), SlotOutcome.ON_TIME),
    SlotResult(1, at(19), SlotOutcome.ON_TIME),
    SlotResult(2, at(7), SlotOutcome.LATE),
    SlotResult(1, at(6, day=2), SlotOutcome.MISSED),
    SlotResult(2, at(8, day=2), SlotOutcome.SKIPPED),
    SlotResult(3, at(9, day=2), SlotOutcome.PENDING),
]


def test_plain_tuples_follow_the_rules() -> None:
    assert classify_times(SLOTS, DOSES, NOW) == EXPECTED


def test_the_objects_give_the_same() -> None:
    slots = [ScheduledSlot(*pair) for pair in SLOTS]
    doses = [LoggedDose(*fields) for fields in DOSES]
    assert classify_slots(slots, doses, NOW) == EXPECTED
