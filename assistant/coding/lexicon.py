"""Clinical wording the tabular list does not carry: abbreviations, common phrasings that the
ICD-10-CM Alphabetic Index sends to a code, drug classes behind the Z79 long-term-use codes, and
the few PCS root operations and body parts we can read from an operation's name.

These are general medical vocabulary, not tuned to any sample; add entries as coders meet them.
"""

from __future__ import annotations

# Abbreviation -> words it stands for (matched as whole tokens, case-insensitive).
ABBREVIATIONS: dict[str, str] = {
    "copd": "chronic obstructive pulmonary disease",
    "chf": "congestive heart failure",
    "hfref": "systolic heart failure",
    "hfpef": "diastolic heart failure",
    "ckd": "chronic kidney disease",
    "esrd": "end stage renal disease",
    "aki": "acute kidney injury",
    "uti": "urinary tract infection",
    "htn": "hypertension",
    "hld": "hyperlipidemia",
    "dm": "diabetes mellitus",
    "t2dm": "type 2 diabetes mellitus",
    "dm2": "type 2 diabetes mellitus",
    "t1dm": "type 1 diabetes mellitus",
    "cad": "coronary artery disease",
    "mi": "myocardial infarction",
    "nstemi": "non st elevation myocardial infarction",
    "stemi": "st elevation myocardial infarction",
    "acs": "acute coronary syndrome",
    "pe": "pulmonary embolism",
    "dvt": "deep vein thrombosis",
    "gerd": "gastro esophageal reflux disease",
    "afib": "atrial fibrillation",
    "osa": "obstructive sleep apnea",
    "bph": "benign prostatic hyperplasia",
    "tia": "transient cerebral ischemic attack",
    "cva": "cerebral infarction",
    "sob": "shortness of breath",
    "ards": "acute respiratory distress syndrome",
    "uri": "acute upper respiratory infection",
    "pvd": "peripheral vascular disease",
    "pad": "peripheral vascular disease",
    "ibs": "irritable bowel syndrome",
    "ra": "rheumatoid arthritis",
    "oa": "osteoarthritis",
    "hypothyroid": "hypothyroidism",
}

# Multi-word abbreviations written with spaces or hyphens after transcription.
SPACED_ABBREVIATIONS: dict[str, str] = {
    r"a[\s-]?fib": "atrial fibrillation",
    r"a[\s-]?flutter": "atrial flutter",
    r"type (?:two|ii)\b": "type 2",
    r"type (?:one|i)\b": "type 1",
    r"stage (?:three|iii)\s?a\b": "stage 3a",
    r"stage (?:three|iii)\s?b\b": "stage 3b",
    r"stage (?:one|i)\b": "stage 1",
    r"stage (?:two|ii)\b": "stage 2",
    r"stage (?:three|iii)\b": "stage 3",
    r"stage (?:four|iv)\b": "stage 4",
    r"stage (?:five|v)\b": "stage 5",
    r"non[\s-]?st[\s-]elevation": "non st elevation",
    r"kidney injury": "kidney failure",
    r"reduced ejection fraction": "systolic reduced ejection fraction",
    r"preserved ejection fraction": "diastolic preserved ejection fraction",
    r"live[\s-]?born": "single live birth",
    r"\bcancer\b|\bcarcinoma\b|\bmalignancy\b": "malignant neoplasm",
    r"\bsigmoid\b|\bcecum\b|\bcecal\b": "colon large intestine",
    r"\bcolon\b": "colon large intestine",
    r"cholecystitis": "gallbladder cholecystitis",
    r"cholelithiasis": "calculus of gallbladder",
    r"nephrolithiasis": "calculus of kidney",
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40}
_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9}  # fmt: skip
for _tens, _t in _TENS.items():
    SPACED_ABBREVIATIONS[rf"\b{_tens}\b"] = str(_t)
    for _unit, _u in _UNITS.items():
        SPACED_ABBREVIATIONS[rf"\b{_tens}[\s-]{_unit}\b"] = str(_t + _u)

# Clinical phrase -> ICD-10-CM code, as the Alphabetic Index would send it (phrases are matched
# as word sets within a statement, like tabular titles).
PHRASES: dict[str, str] = {
    "chest pressure": "R07.89",
    "chest tightness": "R07.89",
    "chest discomfort": "R07.89",
    "pleuritic chest pain": "R07.81",
    "shortness of breath": "R06.02",
    "high blood pressure": "I10",
    "hypertension": "I10",
    "high cholesterol": "E78.00",
    "quit smoking": "Z87.891",
    "former smoker": "Z87.891",
    "ex smoker": "Z87.891",
    "smoking history": "Z87.891",
    "current smoker": "F17.210",
    "smokes cigarettes": "F17.210",
    "heart attack": "I21.9",
    "kidney stone": "N20.0",
    "stroke": "I63.9",
    "acute kidney failure": "N17.9",
    "coronary artery disease": "I25.10",
    "atrial fibrillation": "I48.91",
    "morbid obesity": "E66.01",
    "obesity": "E66.9",
    "depression": "F32.A",
    "anxiety": "F41.9",
    "sepsis": "A41.9",
    "urinary tract infection": "N39.0",
    "pneumonia": "J18.9",
    "hypothyroidism": "E03.9",
    "anemia": "D64.9",
    "dementia": "F03.90",
    "asthma": "J45.909",
    "acute coronary syndrome": "I24.9",
    "pulmonary embolism": "I26.99",
    "deep vein thrombosis": "I82.409",
    "congestive heart failure": "I50.9",
    "cellulitis": "L03.90",
    "syncope": "R55",
    "hyperlipidemia": "E78.5",
    "screening colonoscopy": "Z12.11",
    "diabetes": "E11.9",
    "migraine": "G43.909",
}

# ICD-10-PCS codes named by a whole phrase rather than built from an operation's name.
PCS_PHRASES: dict[str, str] = {
    "vaginal delivery": "10E0XZZ",
    "cesarean section": "10D00Z1",
    "cesarean delivery": "10D00Z1",
}

# Clinical phrases for statuses that have their own code (history of ... -> Z code).
HISTORY_PHRASES: dict[str, str] = {
    "myocardial infarction": "I25.2",
    "heart attack": "I25.2",
    "stroke": "Z86.73",
    "cerebral infarction": "Z86.73",
    "transient cerebral ischemic attack": "Z86.73",
    "pulmonary embolism": "Z86.711",
    "deep vein thrombosis": "Z86.718",
    "smoking": "Z87.891",
    "nicotine dependence": "Z87.891",
    "tobacco use": "Z87.891",
    "colon cancer": "Z85.038",
    "breast cancer": "Z85.3",
    "prostate cancer": "Z85.46",
    "lung cancer": "Z85.118",
}
FAMILY_PHRASES: dict[str, str] = {
    "colon cancer": "Z80.0",
    "breast cancer": "Z80.3",
    "prostate cancer": "Z80.42",
    "lung cancer": "Z80.1",
    "diabetes": "Z83.3",
    "heart disease": "Z82.49",
    "coronary artery disease": "Z82.49",
    "myocardial infarction": "Z82.49",
    "stroke": "Z82.3",
}

# Chronic conditions still coded when written as "history of" (a coder reads "history of
# hypertension" on current medication as hypertension, not as a resolved problem).
CHRONIC_PREFIXES = (
    "I10",
    "I11",
    "I12",
    "I13",
    "I48",
    "I50",
    "E10",
    "E11",
    "E78",
    "J44",
    "J45",
    "N18",
    "E03",
    "I25",
    "F32",
    "F41",
    "G20",
    "G30",
    "E66",
    "K21",
    "M05",
    "M17",
)

# Drug name -> (Z79 code, class), for long-term current use from a medication list.
DRUG_CLASSES: dict[str, tuple[str, str]] = {
    **dict.fromkeys(
        (
            "apixaban",
            "rivaroxaban",
            "warfarin",
            "dabigatran",
            "edoxaban",
            "coumadin",
            "eliquis",
            "xarelto",
            "enoxaparin",
            "heparin",
        ),
        ("Z79.01", "anticoagulant"),
    ),
    **dict.fromkeys(
        ("clopidogrel", "prasugrel", "ticagrelor", "plavix"), ("Z79.02", "antiplatelet")
    ),
    **dict.fromkeys(("insulin", "glargine", "lispro", "aspart", "detemir"), ("Z79.4", "insulin")),
    **dict.fromkeys(
        (
            "metformin",
            "glipizide",
            "glyburide",
            "glimepiride",
            "sitagliptin",
            "pioglitazone",
            "empagliflozin",
            "dapagliflozin",
            "linagliptin",
        ),
        ("Z79.84", "oral hypoglycemic"),
    ),
    **dict.fromkeys(
        ("semaglutide", "liraglutide", "dulaglutide", "tirzepatide"),
        ("Z79.85", "injectable non-insulin antidiabetic"),
    ),
    "aspirin": ("Z79.82", "aspirin"),
}

# PCS: organ stem of "<stem>ectomy" -> body part title in ICD-10-PCS; "laterality" marks organs
# whose body part value names a side.
PCS_BODY_PARTS: dict[str, tuple[str, bool]] = {
    "append": ("Appendix", False),
    "cholecyst": ("Gallbladder", False),
    "splen": ("Spleen", False),
    "hyster": ("Uterus", False),
    "thyroid": ("Thyroid Gland", False),
    "prostat": ("Prostate", False),
    "nephr": ("Kidney", True),
    "mastect": ("Breast", True),
    "mast": ("Breast", True),
    "tonsill": ("Tonsils", False),
    "adenoid": ("Adenoids", False),
    "oophor": ("Ovary", True),
    "salping": ("Fallopian Tube", True),
    "gastr": ("Stomach", False),
    "col": ("Large Intestine", False),
}
PCS_APPROACHES: tuple[tuple[str, str], ...] = (
    (r"laparoscop|endoscop|thoracoscop|arthroscop|robotic", "Percutaneous Endoscopic Approach"),
    (r"percutaneous", "Percutaneous Approach"),
    (r"\bopen\b|laparotomy|thoracotomy", "Open Approach"),
)
