"""Known antidepressants: class and half-life in hours (DOMAIN.md), used to pre-fill medications."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DrugFacts:
    name: str
    drug_class: str
    half_life_hours: float
    note: str = ""


KNOWN_DRUGS: dict[str, DrugFacts] = {
    d.name: d
    for d in (
        DrugFacts("sertraline", "SSRI", 26),
        DrugFacts("citalopram", "SSRI", 35),
        DrugFacts("escitalopram", "SSRI", 30),
        DrugFacts("paroxetine", "SSRI", 24, "short half-life: paroxetine needs particular care (NICE NG222)"),
        DrugFacts("fluoxetine", "SSRI", 96, "24-144 h; norfluoxetine 96-384 h"),
        DrugFacts("venlafaxine", "SNRI", 4, "active metabolite 11 h; needs particular care (NICE NG222)"),
        DrugFacts("desvenlafaxine", "SNRI", 11),
        DrugFacts("duloxetine", "SNRI", 12),
    )
}

SHORT_HALF_LIFE_HOURS = 24.0


def facts_for(name: str) -> DrugFacts | None:
    """Facts for a drug name (case-insensitive; the first word is enough: 'Sertraline HCl')."""
    key = name.strip().lower()
    if key in KNOWN_DRUGS:
        return KNOWN_DRUGS[key]
    first = key.split()[0] if key.split() else ""
    return KNOWN_DRUGS.get(first)
