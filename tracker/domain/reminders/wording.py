"""Every word a reminder can say: the "why" of each rule and every message template.

Every message any rule produces is one of :data:`TEMPLATES`, filled in with data (names,
dates, numbers), so a test can read them all. None tells anyone to change a dose: each says
what the agreed plan or prescription says and points to the prescriber (DOMAIN.md "Wording").
"""

from __future__ import annotations

from tracker.domain.safety import OVERDOSE_TEXT

WHY: dict[str, str] = {
    "R1": "R1 · NICE NG222 (2022) 1.4: the person leads and agrees the pace of a taper with the prescriber",
    "R2": "R2 · NICE NG222: symptoms should be resolved or tolerable before the next reduction",
    "R3": (
        "R3 · NICE NG222 1.4.21-1.4.22: if withdrawal symptoms are severe, the prescriber may consider "
        "the previous dose again and a slower taper in smaller steps"
    ),
    "R4": (
        "R4 · NICE NG222 1.4: stopping abruptly, missed doses or partial doses can cause withdrawal symptoms"
    ),
    "R5": (
        "R5 · NICE NG222 1.4.14 and Warner et al. 2006: missed or partial doses can cause withdrawal "
        "symptoms, more so with a short half-life"
    ),
    "R6": (
        "R6 · NICE NG222 1.4: during a taper, monitor for withdrawal symptoms and returning depression "
        "together with the prescriber"
    ),
    "R7": (
        "R7 · NICE NG222 1.4: the pace of a taper is agreed with the prescriber; a plan becomes active "
        "only after agreement is recorded"
    ),
    "R8": "R8 · Safety: thoughts of self-harm or a very low mood need help from people now",
    "R9": "R9 · Your prescription: doses whose time has come that are not logged yet",
    "R10": (
        "R10 · Project brief: it may take weeks for the drug to take effect; side effects should be "
        "reported as soon as possible"
    ),
    "R11": (
        "R11 · NICE NG222 1.4 and the project brief: stopping suddenly after several weeks of use can "
        "cause withdrawal symptoms"
    ),
    "R12": (
        "R12 · Safety: a day's total above the licensed maximum (BNF and US labels) or above twice "
        "the prescribed daily dose"
    ),
}

TEMPLATES: dict[tuple[str, str], str] = {
    ("R1", "step"): (
        "Your next step ({from_mg} mg to {to_mg} mg) is planned for {date}. "
        "Check with {prescriber} that it still suits you before you reduce."
    ),
    ("R1", "step_to"): (
        "Your next step (to {to_mg} mg) is planned for {date}. "
        "Check with {prescriber} that it still suits you before you reduce."
    ),
    ("R2", "not_settled"): (
        "Your next step of {medication} is planned for {date}, but your symptoms have not settled "
        "in the last {days} days: {reasons}. You may want to talk to {prescriber} about holding "
        "at your current step for longer."
    ),
    ("R2", "reason_burden"): "your mean daily symptom burden was {mean}, against a baseline of {baseline}",
    ("R2", "reason_burden_step"): (
        "your mean daily symptom burden was {mean}, against {before} in the week before your current "
        "step began"
    ),
    ("R2", "reason_severe"): "{symptom} was severe on {count} days",
    ("R3", "flare"): (
        "Your symptoms have flared since {reduction} on {date}: {reasons}. "
        "Contact {prescriber} soon: they may consider returning to the previous dose and "
        "reducing more slowly."
    ),
    ("R3", "by_step"): "the reduction of {medication} in your taper plan",
    ("R3", "by_prescription"): "your prescription of {medication} was lowered",
    ("R3", "by_doses"): "the {medication} you logged became lower than prescribed",
    ("R3", "reason_burden"): (
        "your mean daily symptom burden over the last {days} days was {recent}, against {before} "
        "in the week before the reduction"
    ),
    ("R3", "reason_severe"): "{symptom} was severe on {first} and {second}",
    ("R4", "differs"): (
        "On {date} you logged {taken} mg of {medication}, but {source} says {expected} mg. "
        "If this was not agreed with {prescriber}, talk to them about it; "
        "if the entry is wrong, correct it on the Today screen."
    ),
    ("R4", "extra"): (
        "On {date} you logged an extra {taken} mg of {medication}, on top of the {expected} mg a day "
        "that {source} says. If this was not agreed with {prescriber}, talk to them about it."
    ),
    ("R4", "source_prescription"): "your prescription",
    ("R4", "source_step"): "the current step of your agreed plan",
    ("R4", "no_dose"): (
        "No dose of {medication} has been logged since {date}. Stopping suddenly can cause "
        "withdrawal symptoms: talk to {prescriber} first. If you took it, log it on the Today screen."
    ),
    ("R4", "only_not_taken"): (
        "Every dose of {medication} logged since {date} is marked as not taken. Stopping suddenly "
        "can cause withdrawal symptoms: talk to {prescriber} first."
    ),
    ("R4", "zero_dose"): (
        "You logged 0 mg of {medication} on {date}, and there is no taper plan for it. Stopping "
        "suddenly can cause withdrawal symptoms: talk to {prescriber} first."
    ),
    ("R4", "archived"): (
        "{medication} is archived, but its prescription is still current. Stopping suddenly can "
        "cause withdrawal symptoms: talk to {prescriber} first. If the prescription has ended, "
        "record its end on the Medications screen."
    ),
    ("R5", "missed_many"): (
        "{count} scheduled doses of {medication} in the last {days} days are not logged as taken "
        "({times}). Missed doses can bring on withdrawal symptoms. If you took them, log them on the "
        "Today screen; if not, talk to {prescriber} about what to do."
    ),
    ("R5", "missed_short"): (
        "A scheduled dose of {medication} ({times}) is not logged as taken. With a short half-life "
        "({half_life} hours), even one missed dose can bring on withdrawal symptoms. If you took it, "
        "log it on the Today screen; if not, talk to {prescriber} about what to do."
    ),
    ("R6", "check_in_step"): (
        "Your taper of {medication} is under way, and no appointment is recorded in the last {days} "
        "days or booked before your next step on {date}. A check-in with {prescriber} helps to spot "
        "withdrawal symptoms or returning low mood early."
    ),
    ("R6", "check_in"): (
        "Your taper of {medication} is under way, and no appointment is recorded in the last {days} "
        "days or booked. A check-in with {prescriber} helps to spot withdrawal symptoms or returning "
        "low mood early."
    ),
    ("R7", "draft"): (
        "Your draft taper plan for {medication} starts on {date}, but no agreement with a prescriber "
        "is recorded. Talk to your prescriber about it, then record who agreed it and when: only an "
        "agreed plan can start."
    ),
    ("R7", "blocked"): (
        "This plan cannot start yet: no agreement with a prescriber is recorded. Talk to your "
        "prescriber about it, then record who agreed it and when."
    ),
    ("R8", "crisis"): (
        "You logged {what} for {date}. {crisis_text} Please also tell your prescriber or doctor how "
        "you are feeling."
    ),
    ("R8", "what_self-harm"): "thoughts of self-harm",
    ("R8", "what_low-mood"): "a very low mood ({mood})",
    ("R8", "what_phq9-item9"): (
        "an answer above 0 to PHQ-9 question 9 (thoughts that you would be better off dead or of "
        "hurting yourself)"
    ),
    ("R8", "and"): "{first} and {second}",
    ("R9", "due"): "Due now, not logged yet: {medication} {dose} mg, scheduled for {time}.",
    ("R9", "upcoming"): "Coming up at {time}: {medication} {dose} mg.",
    ("R10", "new"): (
        "You started {medication} on {date}. These medicines can take several weeks to work, so "
        "patience helps. If you notice side effects, tell {prescriber} soon rather than stopping the "
        "medicine on your own."
    ),
    ("R10", "increase"): (
        "Your {medication} dose went up to {dose} mg a day on {date}. It can take several weeks to "
        "settle, so patience helps. If you notice side effects, tell {prescriber} soon rather than "
        "stopping the medicine on your own."
    ),
    ("R11", "ending"): (
        "Your prescription for {medication} ends on {date}, and no taper plan or follow-up "
        "prescription is recorded. Talk to {prescriber} before it runs out: stopping suddenly after "
        "several weeks of use can cause withdrawal symptoms."
    ),
    ("R12", "overdose"): (
        "On {date} you logged {total} mg of {medication}: {reason}. " + OVERDOSE_TEXT + " Then tell "
        "{prescriber}. If the entry is wrong, correct it on the Today screen."
    ),
}


def all_message_templates() -> dict[tuple[str, str], str]:
    """Every message template and fragment, by (rule, variant), so tests can check wording."""
    return dict(TEMPLATES)


def text(rule: str, variant: str, **values: object) -> str:
    """The template of ``(rule, variant)`` filled in with ``values``."""
    return TEMPLATES[(rule, variant)].format(**values)
