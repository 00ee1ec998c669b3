"""The symptom catalogue, grouped with the FINISH mnemonic (Berber 1998), plus
"Other" and the crisis item handled by reminder R8 (see DOMAIN.md)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CatalogueSymptom:
    key: str
    name: str
    group: str
    aliases: tuple[str, ...] = ()
    is_crisis: bool = False


GROUPS: tuple[str, ...] = (
    "Flu-like",
    "Insomnia",
    "Nausea",
    "Imbalance",
    "Sensory",
    "Hyperarousal",
    "Other",
    "Crisis",
)

CRISIS_KEY = "self-harm-thoughts"

CATALOGUE: tuple[CatalogueSymptom, ...] = (
    CatalogueSymptom("fatigue", "Fatigue", "Flu-like", ("tiredness",)),
    CatalogueSymptom("headache", "Headache", "Flu-like"),
    CatalogueSymptom("muscle-aches", "Muscle aches", "Flu-like", ("aches",)),
    CatalogueSymptom("sweating", "Sweating", "Flu-like", ("sweats", "night sweats")),
    CatalogueSymptom("chills", "Chills", "Flu-like"),
    CatalogueSymptom("insomnia", "Insomnia", "Insomnia", ("sleeplessness",)),
    CatalogueSymptom("nightmares", "Vivid dreams or nightmares", "Insomnia", ("vivid dreams", "dreams")),
    CatalogueSymptom("nausea", "Nausea", "Nausea"),
    CatalogueSymptom("vomiting", "Vomiting", "Nausea"),
    CatalogueSymptom("diarrhoea", "Diarrhoea", "Nausea", ("diarrhea",)),
    CatalogueSymptom("dizziness", "Dizziness or vertigo", "Imbalance", ("vertigo",)),
    CatalogueSymptom("unsteadiness", "Unsteadiness", "Imbalance", ("balance",)),
    CatalogueSymptom("brain-zaps", "Brain zaps", "Sensory", ("brain shocks", "brain shivers", "zaps")),
    CatalogueSymptom("tingling", "Tingling or numbness", "Sensory", ("numbness", "pins and needles")),
    CatalogueSymptom("visual", "Visual disturbances", "Sensory", ("blurred vision",)),
    CatalogueSymptom("tinnitus", "Ringing in the ears", "Sensory", ("tinnitus",)),
    CatalogueSymptom("anxiety", "Anxiety", "Hyperarousal"),
    CatalogueSymptom("irritability", "Irritability", "Hyperarousal"),
    CatalogueSymptom("agitation", "Agitation", "Hyperarousal"),
    CatalogueSymptom("panic", "Panic", "Hyperarousal", ("panic attacks",)),
    CatalogueSymptom("mood-swings", "Mood swings", "Hyperarousal"),
    CatalogueSymptom("crying", "Crying spells", "Hyperarousal"),
    CatalogueSymptom("tremor", "Tremor", "Other", ("shaking",)),
    CatalogueSymptom("confusion", "Confusion or poor concentration", "Other", ("brain fog", "concentration")),
    CatalogueSymptom("sexual-dysfunction", "Sexual dysfunction", "Other", ("libido",)),
    CatalogueSymptom("restlessness", "Restlessness", "Other"),
    CatalogueSymptom("low-mood", "Low mood", "Other", ("depression", "sadness")),
    CatalogueSymptom(
        CRISIS_KEY,
        "Thoughts of self-harm",
        "Crisis",
        ("self-harm", "self harm", "suicidal thoughts"),
        is_crisis=True,
    ),
)

SEVERITY_LABELS: tuple[str, ...] = ("none", "mild", "moderate", "severe")


def normalise(text: str) -> str:
    """Lower case, hyphens and underscores as spaces, single spaces."""
    return re.sub(r"\s+", " ", re.sub(r"[-_]+", " ", text.strip().lower()))


def closest(name: str, candidates: list[str], n: int = 3) -> list[str]:
    """Up to ``n`` candidates close to ``name`` (for "did you mean" messages)."""
    lowered = {normalise(c): c for c in candidates}
    hits = difflib.get_close_matches(normalise(name), list(lowered), n=n, cutoff=0.5)
    starts = [c for k, c in lowered.items() if k.startswith(normalise(name)[:3])] if len(name) >= 3 else []
    out: list[str] = []
    for c in [lowered[h] for h in hits] + starts:
        if c not in out:
            out.append(c)
    return out[:n]
