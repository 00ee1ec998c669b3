"""The notification policy over a simulated day: 96 timer runs, 15 minutes apart, frozen clock.

Every expected count below is worked out by hand from the rules in the issue and
DOMAIN.md (a dose at its time plus one gentle repeat, missed 6 h after; urgent ones
repeated every 4 h until acknowledged; everything else once per fingerprint; quiet
hours hold back all but the urgent ones), never from what the code printed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tracker.domain import notify_policy as policy
from tracker.domain.notify_policy import Candidate, NotifyPrefs, Sent

TZ = ZoneInfo("Europe/London")  # UTC+0 in December: wall clock = UTC, easy to check by hand
DAY = datetime(2026, 12, 2, tzinfo=UTC)
RUNS = [DAY + timedelta(minutes=15 * i) for i in range(96)]  # 00:00 ... 23:45


def at(hh: int, mm: int = 0) -> datetime:
    return DAY.replace(hour=hh, minute=mm)


def dose(med: int, hh: int) -> Candidate:
    key = f"R9:med{med}:{at(hh).isoformat()}"
    return Candidate(key, "R9", "info", key, "Not logged yet: Sertraline 50 mg", at=at(hh), medication_id=med)


DOSE_A = dose(1, 8)  # never logged
DOSE_B = dose(1, 20)  # logged at 20:10
DOSE_C = dose(2, 12)  # snoozed at 12:05 for 30 minutes, never logged
R10 = Candidate("R10:med1:2026-11-20", "R10", "info", "R10:med1:2026-11-20", "Starting out on Sertraline")
R11 = Candidate("R11:med1:2026-12-05", "R11", "warning", "R11:med1:2026-12-05", "Prescription ending")
R5 = Candidate("R5:med1", "R5", "warning", "fp1", "Missed Sertraline doses")
R8 = Candidate("R8", "R8", "urgent", "2026-12-02", "crisis")

PREFS = NotifyPrefs(quiet_start=time(22), quiet_end=time(7), disabled=frozenset({"R11"}))
SNOOZES = {(2, at(12)): (at(12, 35), at(12, 5))}


def due_at(now: datetime) -> list[Candidate]:
    """What the reminder service would list at ``now`` in this day's story."""
    found = [DOSE_A, DOSE_C, R10, R11]  # R9 lists today's unlogged doses all day
    if now < at(20, 10):
        found.append(DOSE_B)
    if at(14) <= now < at(18):
        found.append(R5)
    elif now >= at(18):
        found.append(replace(R5, fingerprint="fp2"))  # its condition changed
    if at(2) <= now < at(11):  # acknowledged (dismissed) at 11:00
        found.append(R8)
    return found


def simulate(
    prefs: NotifyPrefs = PREFS,
    crash: Callable[[datetime, Candidate, int], bool] = lambda now, c, attempt: False,
    candidates: Callable[[datetime], list[Candidate]] = due_at,
) -> tuple[Counter[str], list[tuple[datetime, str, str]]]:
    """Run the policy at every run time, recording as the service does (intent, then confirm).

    ``crash(now, candidate, attempt)`` True means the notification was shown but the run
    died before confirming it: the record stays pending.
    """
    records: list[Sent] = []
    shown: Counter[str] = Counter()
    log: list[tuple[datetime, str, str]] = []
    for now in RUNS:
        snoozes = {k: v for k, v in SNOOZES.items() if v[1] <= now}  # made at 12:05
        for d in policy.decide(candidates(now), records, now, TZ, prefs, snoozes=snoozes):
            c = d.candidate
            if d.retry_of is not None:
                i = next(i for i, r in enumerate(records) if r.id == d.retry_of)
                record = replace(records[i], attempts=records[i].attempts + 1)
                records[i] = record
            else:
                record = Sent(c.key, c.fingerprint, now, confirmed=False, id=len(records))
                records.append(record)
                i = len(records) - 1
            shown[c.key] += 1
            log.append((now, c.key, d.occasion))
            if not crash(now, c, record.attempts):
                records[i] = replace(records[i], confirmed=True)
    return shown, log


def test_a_simulated_day_sends_each_reminder_the_expected_number_of_times() -> None:
    shown, log = simulate()
    assert shown[DOSE_A.key] == 2  # 08:00 at its time, 09:00 the gentle repeat; missed from 14:00
    assert shown[DOSE_B.key] == 1  # 20:00; logged at 20:10, before the 21:00 repeat
    assert shown[DOSE_C.key] == 3  # 12:00; snoozed to 12:35, so 12:45; repeat 13:45
    assert shown[R10.key] == 1  # once, at 07:00 when the quiet hours end
    assert shown[R5.key] == 2  # 14:00, and 18:00 when its fingerprint changed
    assert shown[R8.key] == 3  # urgent: 02:00 (quiet hours do not hold it), 06:00, 10:00; dismissed 11:00
    assert shown[R11.key] == 0  # its kind is switched off
    times = {(key, occasion): now.strftime("%H:%M") for now, key, occasion in log}
    assert times[(DOSE_A.key, "due")] == "08:00" and times[(DOSE_A.key, "again")] == "09:00"
    assert times[(DOSE_C.key, "after-snooze")] == "12:45" and times[(DOSE_C.key, "again")] == "13:45"
    assert times[(R10.key, "new")] == "07:00"
    assert times[(R5.key, "changed")] == "18:00"
    assert [t.strftime("%H:%M") for t, key, _ in log if key == R8.key] == ["02:00", "06:00", "10:00"]
    assert len(log) == 12


def test_a_crash_between_sending_and_recording_sends_at_most_one_duplicate() -> None:
    # The 08:00 dose notification is shown, then the run dies before confirming: the
    # 08:15 run sends it once more (one duplicate) and confirms; the repeat stays at 09:00.
    shown, log = simulate(crash=lambda now, c, attempt: c.key == DOSE_A.key and now == at(8))
    assert shown[DOSE_A.key] == 3
    assert [(t.strftime("%H:%M"), o) for t, k, o in log if k == DOSE_A.key] == [
        ("08:00", "due"),
        ("08:15", "retry"),
        ("09:00", "again"),
    ]
    assert shown[R10.key] == 1 and shown[R8.key] == 3  # nobody else is affected


def test_crashing_on_every_confirmation_still_sends_only_one_duplicate() -> None:
    shown, _ = simulate(crash=lambda now, c, attempt: True)
    # each notification is sent at most twice: the original and one retry
    assert shown[DOSE_A.key] == 4  # 08:00 + retry 08:15, 09:00 + retry 09:15
    assert shown[R10.key] == 2  # 07:00 + retry 07:15
    assert shown[DOSE_B.key] == 1  # logged at 20:10: no longer due at 20:15, so no retry either


def test_a_dose_later_in_the_day_is_never_sent_early_and_not_once_missed() -> None:
    _, log = simulate()
    for now, key, _ in log:
        if key == DOSE_A.key:
            assert at(8) <= now < at(14)


def test_quiet_hours_hold_back_a_dose_until_they_end() -> None:
    early = dose(3, 6)  # 06:00, inside quiet hours 22:00-07:00
    shown, log = simulate(candidates=lambda now: [early])
    assert [(t.strftime("%H:%M"), o) for t, _, o in log] == [("07:00", "due"), ("08:00", "again")]
    assert shown[early.key] == 2


def test_urgent_repeat_interval_is_a_setting_within_bounds() -> None:
    shown, _ = simulate(prefs=replace(PREFS, urgent_repeat=timedelta(hours=2)))
    assert shown[R8.key] == 5  # 02:00, 04:00, 06:00, 08:00, 10:00


def test_the_switch_never_silences_an_urgent_reminder() -> None:
    shown, _ = simulate(prefs=replace(PREFS, disabled=frozenset(policy.KINDS)))
    assert shown[R8.key] == 3 and shown[DOSE_A.key] == 0


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("22:00-07:00", True),
        ("off", True),
        ("", True),
        ("23:30-06:30", True),
        ("07:00-07:00", False),  # no span
        ("08:00-23:00", False),  # 15 hours: most of the day
        ("25:00-07:00", False),
        ("22:00", False),
    ],
)
def test_quiet_hours_bounds(text: str, ok: bool) -> None:
    if ok:
        policy.parse_quiet_hours(text)
    else:
        with pytest.raises(ValueError):
            policy.parse_quiet_hours(text)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("notify_urgent_repeat_hours", 0),
        ("notify_urgent_repeat_hours", 13),
        ("notify_urgent_repeat_hours", True),
        ("notify_dose_repeat_minutes", 10),
        ("notify_dose_repeat_minutes", 360),  # would come after the dose is missed
        ("notify_kinds_off", ["R8"]),  # urgent: cannot be switched off
        ("notify_kinds_off", "R9"),
        ("notify_show_names", "yes"),
    ],
)
def test_settings_out_of_bounds_are_refused(key: str, value: object) -> None:
    with pytest.raises(ValueError):
        policy.check_setting(key, value)
    # and a stored bad value falls back to the default instead of silencing anything
    assert policy.prefs_from({key: value}) == NotifyPrefs()


def test_snooze_lengths() -> None:
    assert policy.parse_snooze("30m") == timedelta(minutes=30)
    assert policy.parse_snooze("1h30m") == timedelta(minutes=90)
    assert policy.parse_snooze("15") == timedelta(minutes=15)
    for bad in ("0m", "2m", "7h", "soon", ""):
        with pytest.raises(ValueError):
            policy.parse_snooze(bad)


def test_text_never_names_a_medication_unless_allowed() -> None:
    decisions = [policy.Decision(c, "new") for c in (DOSE_A, R10, R5, R8)]
    private = policy.compose(decisions, TZ, show_names=False, crisis_text="Call a crisis line.")
    assert all("Sertraline" not in m.title + m.body + m.hint for m in private)
    assert private[0].title == "Dose due at 08:00" and private[0].dose == DOSE_A
    assert "tracker" in private[0].hint  # the command to run where there are no buttons
    assert next(m for m in private if m.keys == (R8.key,)).body == "Call a crisis line."
    allowed = policy.compose(decisions, TZ, show_names=True, crisis_text="x", names={1: "Sertraline"})
    assert "Sertraline" in allowed[0].body and "sertraline --snooze 15m" in allowed[0].hint


def test_many_reminders_at_once_become_one_notification() -> None:
    others = [Candidate(f"R6:{i}", "R6", "info", "f", "m") for i in range(5)]
    messages = policy.compose(
        [policy.Decision(c, "new") for c in [DOSE_A, *others]], TZ, show_names=False, crisis_text="x"
    )
    assert len(messages) == 2 and messages[1].keys == tuple(c.key for c in others)
    assert messages[1].title == "5 reminders from taper-tracker"
