"""Every SNOMED CT, LOINC and RxNorm code the exports use, checked against a public source.

The expected values below were looked up (issue 15), not copied from the code; each line names
where. "HL7 Symptoms IG" is github.com/HL7/fhir-symptoms-ig at 130c6db (31 Mar 2026, version
1.0.0): input/fsh/SymptomObservation.fsh (the profile), input/fsh/Terminology.fsh (value sets),
input/fsh/examples/*.fsh and input/pagecontent/index.md. A code whose source gave it without a
repository and path (a code-search excerpt) says so.
"""

from __future__ import annotations

from tracker.domain.drugs import KNOWN_DRUGS
from tracker.domain.scales import ANSWER_LOINC, SCALES
from tracker.export import fhir

SEVERITY = (
    ("2667000", "Absent"),  # hl7-be/patient-monitoring input/fsh/valuesets/SymptomSeverity.fsh
    ("255604002", "Mild"),  # same file; also HL7 Symptoms IG examples
    # same file (the current concept; the IG's examples still show the older 6736007 "Moderate
    # (severity modifier)", which 1255665007 "Moderate (qualifier value)" replaces in SNOMED CT)
    ("1255665007", "Moderate"),
    ("24484000", "Severe"),  # same file; HL7 Symptoms IG examples: "Severe (severity modifier)"
)

SYMPTOMS = {
    # BIH-CEI/napkon-vaccination input/fsh/vaccination/vs-general-complaints-after-vaccination.fsh
    "fatigue": ("84229001", "Fatigue"),  # "Fatigue (finding)"; also in the IG's CommonSymptomCodes
    "muscle-aches": ("68962001", "Muscle pain"),  # "Muscle pain (finding)"
    "chills": ("43724002", "Chill"),  # "Chill (finding)"; also in the IG's CommonSymptomCodes
    "nausea": ("422587007", "Nausea"),  # "Nausea (finding)"; also in the IG's CommonSymptomCodes
    # "Vomiting symptom (finding)": the finding, not 422400008 "Vomiting (disorder)" (fixed)
    "vomiting": ("249497008", "Vomiting symptom"),
    "diarrhoea": ("62315008", "Diarrhea"),  # "Diarrhea (finding)"; also in CommonSymptomCodes
    # HL7 Symptoms IG input/pagecontent/index.md: "Headache (finding)"
    "headache": ("25064002", "Headache"),
    # HL7 Symptoms IG input/fsh/examples/Dizziness.fsh ("Dizziness (finding)"); also
    # BIH-CEI/napkon-geccoplus input/fsh/geccoplus/vs-symptoms-sct.fsh
    "dizziness": ("404640003", "Dizziness"),
    # gauravvaishnav17/abdm-fhir-ig-fsh input/fsh/valuesets/MentalStatus.fsh; both also in the
    # HL7 Symptoms IG's CommonSymptomCodes
    "anxiety": ("48694002", "Anxiety"),
    "low-mood": ("366979004", "Depressed mood"),
    # in the HL7 Symptoms IG's CommonSymptomCodes (no display there); "Tinnitus (finding)"
    "tinnitus": ("60862001", "Tinnitus"),
    # code-search excerpts only (no repository named): "Paresthesia (finding)", "Tremor",
    # "Insomnia" (a disorder concept, used for the symptom by several public code sets)
    "tingling": ("91019004", "Paresthesia"),
    "tremor": ("26079004", "Tremor"),
    "insomnia": ("193462001", "Insomnia"),
}

# HL7 Symptoms IG SymptomObservation.fsh: code = LOINC 75325-1 "Symptom" (the symptom is the value);
# SymptomAbsentObservation.fsh: code = LOINC 111551-8 "Symptom absent" (was the symptom as code)
SYMPTOM_CODE = ("75325-1", "Symptom")
SYMPTOM_ABSENT_CODE = ("111551-8", "Symptom absent")
# HL7 Symptoms IG SymptomObservation.fsh: component[severity].code = LOINC 64750-3 "Severity of
# symptoms" (replaces SNOMED 246112005 "Severity (attribute)", an attribute, not a question code)
SEVERITY_COMPONENT = ("64750-3", "Severity of symptoms")
# same file: component[trend].code = LOINC 89253-9 "Trend" (was text only)
TREND_COMPONENT = ("89253-9", "Trend")
TREND = {
    # HL7 Symptoms IG examples: 231877006 "Worse (qualifier value)"; in its TrendCodes value set
    "worse": ("231877006", "Worse"),
    # in the IG's TrendCodes; displays "Improved" and "Maintained" from a code-search excerpt of a
    # Medizininformatik-Initiative mapping (unchanged -> Maintained, improved -> Improved)
    "better": ("385425000", "Improved"),
    "same": ("385630006", "Maintained"),
    # HL7LT/ig-lt-breast input/fsh/terminology/finding-evolution.fsh: 7147002 "New" (not in the
    # IG's TrendCodes, whose binding is only preferred)
    "new": ("7147002", "New"),
}

# PHQ-9 and GAD-7 (tracker/domain/scales.py). PHQ-9 total 44261-6: HL7/sdc
# input/examples/questionnaire-sdc-profile-example-PHQ9.json; panels 44249-1 and 69737-5 and
# the GAD-7 total 70274-6: DOMAIN.md and public Questionnaires (code-search excerpts). Items, in
# order, each paired with its question's wording in several independent code-search excerpts
# (public PHQ-9 / GAD-7 Questionnaires, the HL7 PACIO PFE IG example for 44250-9, a CIRG GAD-7
# config listing the seven in this order).
PHQ9_ITEMS = (
    "44250-9",
    "44255-8",
    "44259-0",
    "44254-1",
    "44251-7",
    "44258-2",
    "44252-5",
    "44253-3",
    "44260-8",
)
GAD7_ITEMS = ("69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7")
# the four answers, Not at all .. Nearly every day: helict/qpath-fhir-resources
# input/fsh/ValueSet/PatientHealthQuestionnaireAnswerList.fsh (LOINC answer list LL358-3, in
# this order), and the English displays in the excerpts above
ANSWERS = ("LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9")

# RxNorm ingredient RXCUIs: cpicpgx/cpic-schema drug.sql ("RxNorm:<code> <name>")
RXNORM = {
    "sertraline": "36437",
    "citalopram": "2556",
    "escitalopram": "321988",
    "paroxetine": "32937",
    "fluoxetine": "4493",
    "fluvoxamine": "42355",
    "venlafaxine": "39786",
    "duloxetine": "72625",
    "vortioxetine": "1455099",
    "mirtazapine": "15996",
    # NOT verified: no public source found here; kept from memory
    "desvenlafaxine": "734064",
}


def test_severity_qualifiers() -> None:
    assert fhir.SEVERITY_SNOMED == SEVERITY


def test_symptom_findings() -> None:
    assert fhir.SYMPTOM_SNOMED == SYMPTOMS


def test_symptoms_ig_components_and_trend() -> None:
    assert (fhir.SYMPTOM_CODE, fhir.SYMPTOM_ABSENT_CODE) == (SYMPTOM_CODE, SYMPTOM_ABSENT_CODE)
    assert fhir.SEVERITY_COMPONENT == SEVERITY_COMPONENT
    assert fhir.TREND_COMPONENT == TREND_COMPONENT
    assert fhir.TREND_SNOMED == TREND
    assert fhir.SYMPTOM_CATEGORY_SYSTEM == "http://hl7.org/fhir/uv/symptoms/CodeSystem/SymptomTemporary"


def test_phq9_and_gad7_loinc() -> None:
    phq, gad = SCALES["phq9"], SCALES["gad7"]
    # PHQ-9 panel 44249-1, total 44261-6; GAD-7 panel 69737-5, total 70274-6 (DOMAIN.md; the
    # panels also in the public Questionnaires of the excerpts above)
    assert (phq.panel_loinc, phq.total_loinc, phq.item_loinc) == ("44249-1", "44261-6", PHQ9_ITEMS)
    assert (gad.panel_loinc, gad.total_loinc, gad.item_loinc) == ("69737-5", "70274-6", GAD7_ITEMS)
    assert ANSWER_LOINC == ANSWERS


def test_rxnorm_ingredients() -> None:
    assert {name: facts.rxnorm for name, facts in KNOWN_DRUGS.items()} == RXNORM
