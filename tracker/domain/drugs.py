"""Known antidepressants: names, brands, class, half-life and dose facts from DOMAIN.md.

One table for every place that needs a fact about a drug: pre-filling a medication
(class, half-life, brand), the draft calculators (usual minimum therapeutic dose, the
liquid forms that exist), the overdose rule R12 and prescription plausibility (licensed
maximum daily dose), and the FHIR export (RxNorm ingredient code).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

MAXIMA_SOURCE = "BNF and US labels, the higher of the two; check before relying on it"


@dataclass(frozen=True, slots=True)
class LiquidForm:
    """A liquid form that exists for a drug (DOMAIN.md): its label and strength in mg per ml."""

    label: str
    mg_per_ml: float
    note: str = ""


@dataclass(frozen=True, slots=True)
class DrugFacts:
    name: str
    drug_class: str
    half_life_hours: float
    note: str = ""
    brands: tuple[str, ...] = ()
    min_therapeutic_mg: float | None = None  # usual minimum daily dose in adults (D5)
    licensed_max_mg: float | None = None  # highest licensed adult daily dose (R12)
    max_note: str = ""  # e.g. the lower limit over 60 years, or the QT risk
    liquids: tuple[LiquidForm, ...] = ()
    rxnorm: str | None = None  # RxNorm ingredient concept (RXCUI)
    qt_risk: bool = False  # above the maximum carries a QT risk

    @property
    def short_half_life(self) -> bool:
        return self.half_life_hours <= SHORT_HALF_LIFE_HOURS


SHORT_HALF_LIFE_HOURS = 24.0

CITALOPRAM_DROPS_WARNING = (
    "Citalopram drops (40 mg/ml) are not bioequivalent to tablets: 4 drops (8 mg) are about one 10 mg "
    "tablet. Ask your pharmacist or prescriber how your drops compare with tablets."
)
DROPS_WARNING = (
    "Drops may not act mg for mg like tablets. Ask your pharmacist or prescriber how your drops compare "
    "with tablets before comparing doses."
)

KNOWN_DRUGS: Mapping[str, DrugFacts] = MappingProxyType(
    {
        d.name: d
        for d in (
            DrugFacts(
                "sertraline",
                "SSRI",
                26,
                brands=("Zoloft", "Lustral"),
                min_therapeutic_mg=50,
                licensed_max_mg=200,
                liquids=(LiquidForm("sertraline 20 mg/ml oral concentrate (US)", 20.0),),
                rxnorm="36437",
            ),
            DrugFacts(
                "citalopram",
                "SSRI",
                35,
                "33-35 h",
                brands=("Celexa", "Cipramil"),
                min_therapeutic_mg=20,
                licensed_max_mg=40,
                max_note="20 mg over 60 years (QT prolongation)",
                liquids=(
                    LiquidForm("citalopram 10 mg/5 ml oral solution", 2.0),
                    LiquidForm(
                        "citalopram 40 mg/ml oral drops (UK)",
                        40.0,
                        "not bioequivalent to tablets: 4 drops (8 mg) are about one 10 mg tablet",
                    ),
                ),
                rxnorm="2556",
                qt_risk=True,
            ),
            DrugFacts(
                "escitalopram",
                "SSRI",
                30,
                "27-32 h",
                brands=("Lexapro", "Cipralex"),
                min_therapeutic_mg=10,
                licensed_max_mg=20,
                liquids=(LiquidForm("escitalopram 5 mg/5 ml oral solution", 1.0),),
                rxnorm="321988",
                qt_risk=True,
            ),
            DrugFacts(
                "paroxetine",
                "SSRI",
                24,
                "21-24 h; short half-life: paroxetine needs particular care (NICE NG222)",
                brands=("Paxil", "Seroxat", "Pexeva"),
                min_therapeutic_mg=20,
                licensed_max_mg=62.5,
                max_note="60 mg; 62.5 mg controlled-release",
                liquids=(LiquidForm("paroxetine 10 mg/5 ml oral suspension", 2.0),),
                rxnorm="32937",
            ),
            DrugFacts(
                "fluoxetine",
                "SSRI",
                96,
                "24-144 h; norfluoxetine 96-384 h",
                brands=("Prozac", "Sarafem"),
                min_therapeutic_mg=20,
                licensed_max_mg=80,
                liquids=(LiquidForm("fluoxetine 20 mg/5 ml oral solution", 4.0),),
                rxnorm="4493",
            ),
            DrugFacts(
                "fluvoxamine",
                "SSRI",
                15,
                "about 15 h; short half-life: missed doses matter",
                brands=("Luvox", "Faverin"),
                min_therapeutic_mg=50,
                licensed_max_mg=300,
                rxnorm="42355",
            ),
            DrugFacts(
                "venlafaxine",
                "SNRI",
                4,
                "active metabolite 11 h; needs particular care (NICE NG222)",
                brands=("Effexor", "Efexor"),
                min_therapeutic_mg=75,
                licensed_max_mg=375,
                rxnorm="39786",
            ),
            DrugFacts(
                "desvenlafaxine",
                "SNRI",
                11,
                "10-11 h",
                brands=("Pristiq",),
                min_therapeutic_mg=50,
                licensed_max_mg=400,
                max_note="400 mg is the highest studied; 50 mg is the usual dose",
                rxnorm="734064",
            ),
            DrugFacts(
                "duloxetine",
                "SNRI",
                12,
                brands=("Cymbalta",),
                min_therapeutic_mg=60,
                licensed_max_mg=120,
                max_note="minimum 30 mg in some indications",
                rxnorm="72625",
            ),
            DrugFacts(
                "vortioxetine",
                "other",
                66,
                "about 66 h",
                brands=("Trintellix", "Brintellix"),
                min_therapeutic_mg=10,
                licensed_max_mg=20,
                rxnorm="1455099",
            ),
            DrugFacts(
                "mirtazapine",
                "other",
                30,
                "20-40 h",
                brands=("Remeron", "Zispin"),
                min_therapeutic_mg=30,
                licensed_max_mg=45,
                rxnorm="15996",
            ),
        )
    }
)

BRANDS: Mapping[str, str] = MappingProxyType(
    {brand.lower(): d.name for d in KNOWN_DRUGS.values() for brand in d.brands}
)
"""Brand name (lower case) -> generic name."""


@dataclass(frozen=True, slots=True)
class NamedDrug:
    """What a typed medication name means: the generic name, the brand typed (if any), the facts."""

    generic: str
    brand: str | None
    facts: DrugFacts | None


def _key(name: str) -> tuple[str, str]:
    key = " ".join(name.strip().lower().split())
    first = key.split()[0] if key else ""
    return key, first


def facts_for(name: str) -> DrugFacts | None:
    """Facts for a generic or brand name (case-insensitive; the first word is enough: 'Sertraline HCl')."""
    key, first = _key(name)
    for k in (key, first):
        if k in KNOWN_DRUGS:
            return KNOWN_DRUGS[k]
        if k in BRANDS:
            return KNOWN_DRUGS[BRANDS[k]]
    return None


def resolve_name(name: str) -> NamedDrug:
    """A typed name as stored: a brand becomes its generic name with the brand beside it.

    ``resolve_name("Seroxat")`` -> generic "Paroxetine", brand "Seroxat". An unknown name is kept
    as typed (stripped), with no facts.
    """
    typed = " ".join(name.strip().split())
    key, first = _key(typed)
    for k in (key, first):
        if k in BRANDS:
            facts = KNOWN_DRUGS[BRANDS[k]]
            brand = next(b for b in facts.brands if b.lower() == k)
            return NamedDrug(facts.name.capitalize(), brand, facts)
    return NamedDrug(typed, None, facts_for(typed))


def licensed_max_mg(name: str) -> float | None:
    """The highest licensed adult daily dose for a drug name, or None when it is not known."""
    facts = facts_for(name)
    return facts.licensed_max_mg if facts else None


def liquid_forms_note(name: str) -> str:
    """A sentence naming the liquid forms that exist for a drug (DOMAIN.md), for D2's note."""
    facts = facts_for(name)
    if facts is None or not facts.liquids:
        if facts is not None and facts.drug_class == "SNRI":
            return f"No {facts.name} liquid exists (no SNRI comes as a liquid); ask about a compounded dose."
        return "Ask your pharmacist whether a liquid or compounded form exists."
    forms = "; ".join(f.label + (f" ({f.note})" if f.note else "") for f in facts.liquids)
    return f"Liquid forms of {facts.name}: {forms}."


def drops_warning(name: str, form: str) -> str | None:
    """The non-bioequivalence warning for a medication taken as drops (DOMAIN.md), else None.

    Citalopram drops have DOMAIN.md's own figures; other drops the general warning.
    """
    if form != "drops":
        return None
    facts = facts_for(name)
    return CITALOPRAM_DROPS_WARNING if facts is not None and facts.name == "citalopram" else DROPS_WARNING
