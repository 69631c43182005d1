"""Code suggestion from a report: statements -> assertion status -> most specific codes.

Diagnostic sections (diagnoses, assessment, impression, procedure) are read first; history and
course sections add comorbidities; exam and result sections are evidence only. Negated, uncertain
and hypothetical findings are never coded; they come back as ``excluded`` so a coder sees why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from assistant.coding import context, lexicon, pcs
from assistant.coding.combine import combinations as _combinations
from assistant.coding.combine import drop_excludes1 as _drop_excludes1
from assistant.coding.combine import sequence as _sequence
from assistant.coding.index import CM, PCS, CodeIndex, CodeInfo, normalize
from assistant.coding.sections import (
    EXAM,
    FAMILY,
    FINDINGS,
    MEDS,
    PLAN,
    PRIMARY,
    SectionText,
    split_report,
)
from assistant.coding.terms import Match, TermMatcher, Token, default_child, tokens
from assistant.models import Code, Report

_RESULT_VERB = re.compile(r"\b(showed|shows|revealed|reveals|demonstrated|demonstrates)\b", re.I)
# Sentences; a spoken "period" left unformatted before a capital also ends one.
_SENTENCE = re.compile(r"(?:(?!\speriod\s+[A-Z])[^.;!?\n])+(?:[.;!?]|\speriod(?=\s+[A-Z]))?")
_LONG_TERM_CUE = re.compile(
    r"\b(continue[sd]?|on|takes|taking|home|chronic|long[- ]term|hold|held|holding|resume)\b", re.I
)
_NOT_A_FINDING = re.compile(r"\s*(test|testing|panel|level|score|study|scan|screen)\b", re.I)
_WEEKS = re.compile(r"\b(\d{2}|[a-z]+ [a-z]+) weeks\b", re.I)


@dataclass(frozen=True)
class Evidence:
    section: str  # section name
    start: int  # char offsets into that section's text
    end: int
    text: str


@dataclass(frozen=True)
class CodeSuggestion:
    code: Code
    evidence: tuple[Evidence, ...]
    score: float  # 0..1, how sure we are the text supports this code
    reason: str
    query_candidate: bool = False  # vague wording: ask the physician for specificity
    status: str = context.PRESENT  # present, or history (coded as a personal-history Z code)
    rank: tuple[int, int] = (9, 0)  # (section priority, position): the sequencing key


@dataclass(frozen=True)
class ExcludedFinding:
    code: Code
    status: str  # negated | uncertain | hypothetical | family | history
    trigger: str
    evidence: Evidence


@dataclass(frozen=True)
class CodingResult:
    suggestions: tuple[CodeSuggestion, ...]
    excluded: tuple[ExcludedFinding, ...] = field(default=())

    @property
    def diagnoses(self) -> list[CodeSuggestion]:
        return [s for s in self.suggestions if s.code.system == CM]

    @property
    def procedures(self) -> list[CodeSuggestion]:
        return [s for s in self.suggestions if s.code.system == PCS]


@lru_cache(maxsize=4)
def _matcher(index_path: str, index: CodeIndex) -> TermMatcher:
    return TermMatcher(index)


def matcher_for(index: CodeIndex) -> TermMatcher:
    """The term matcher for an index (built once per process: ~1.5 s)."""
    return _matcher(str(index.path), index)


def suggest_codes(report: Report | str, index: CodeIndex) -> list[CodeSuggestion]:
    """Suggested ICD-10-CM diagnoses (principal first) then ICD-10-PCS procedures."""
    return list(analyze(report, index).suggestions)


def analyze(report: Report | str, index: CodeIndex) -> CodingResult:
    """Suggestions and the findings left out (negated, uncertain, hypothetical, family)."""
    matcher = matcher_for(index)
    found: list[CodeSuggestion] = []
    excluded: list[ExcludedFinding] = []
    for section in split_report(report):
        if section.kind == EXAM:
            continue
        for m in _SENTENCE.finditer(section.text):
            offset = m.start()
            sentence = m.group(0)
            _read_statement(section, sentence, offset, matcher, found, excluded)
            if section.kind == PRIMARY and section.procedure:
                found.extend(pcs.suggest(section, sentence, offset, index))
            if section.kind not in (PLAN, MEDS):
                found.extend(pcs.phrases(section, sentence, offset, index))
                found.extend(_gestation(section, sentence, offset, index))
    diagnoses = _finish(index, [s for s in found if s.code.system == CM])
    procedures = _dedupe([s for s in found if s.code.system == PCS])
    return CodingResult(tuple(diagnoses + procedures), tuple(_dedupe_excluded(excluded)))


def _read_statement(
    section: SectionText,
    sentence: str,
    offset: int,
    matcher: TermMatcher,
    found: list[CodeSuggestion],
    excluded: list[ExcludedFinding],
) -> None:
    scopes = context.scopes(sentence)
    toks = tokens(sentence)
    # Match within runs of one status, so a title whose words straddle a negation ("appendicitis
    # ... without perforation") never matches the negated word.
    groups: dict[str, list[Token]] = {}
    for t in toks:
        status = context.status_of(sentence, t.start, t.end, scopes)
        groups.setdefault(status, []).append(t)
    said = frozenset(t.stem for t in toks)
    for status, group in groups.items():
        if section.kind == FAMILY:
            status = context.FAMILY
        for match in matcher.matches(group, said):
            if _NOT_A_FINDING.match(sentence, match.end):
                continue  # "stress test", "lipid panel": an order, not a condition
            ev = Evidence(
                section.name,
                offset + match.start,
                offset + match.end,
                sentence[match.start : match.end],
            )
            trigger = context.trigger_of(sentence, match.start, match.end, scopes)
            _place(section, sentence, status, trigger, match, ev, matcher.index, found, excluded)
    if section.kind == MEDS or _LONG_TERM_CUE.search(sentence):
        found.extend(_drugs(section, sentence, offset, scopes))


def _place(
    section: SectionText,
    sentence: str,
    status: str,
    trigger: str,
    match: Match,
    ev: Evidence,
    index: CodeIndex,
    found: list[CodeSuggestion],
    excluded: list[ExcludedFinding],
) -> None:
    term = match.term
    info = index.get(term.code, CM)
    if info is None:
        return
    code = Code(CM, info.display_code, info.description)
    if status in (context.NEGATED, context.UNCERTAIN, context.HYPOTHETICAL, context.FAMILY):
        excluded.append(ExcludedFinding(code, status, trigger, ev))
        if status == context.FAMILY:
            found.extend(_status_code(lexicon.FAMILY_PHRASES, ev, index, section, "family"))
        return
    if section.kind in (MEDS, PLAN):
        return
    if status == context.HISTORY and not info.code.startswith(lexicon.CHRONIC_PREFIXES):
        excluded.append(ExcludedFinding(code, status, trigger, ev))
        found.extend(_status_code(lexicon.HISTORY_PHRASES, ev, index, section, "history"))
        return
    symptom = info.code.startswith("R")
    before = sentence[max(0, match.start - 60) : match.start]
    if section.kind not in (PRIMARY, FINDINGS) and (symptom or _RESULT_VERB.search(before)):
        # Signs and results outside the diagnostic statements are the physician's evidence, not
        # diagnoses (guideline I.B.4-5); they still serve to specify a primary code below.
        found.append(_suggestion(info, ev, section, 0.3, "supporting finding", supporting=True))
        return
    score = {PRIMARY: 0.9, FINDINGS: 0.5}.get(section.kind, 0.7)
    found.append(_suggestion(info, ev, section, score, f"'{ev.text}' in {section.title}"))


def _suggestion(
    info: CodeInfo,
    ev: Evidence,
    section: SectionText,
    score: float,
    reason: str,
    supporting: bool = False,
) -> CodeSuggestion:
    priority = 8 if supporting else section.priority
    return CodeSuggestion(
        code=Code(info.system, info.display_code, info.description),
        evidence=(ev,),
        score=score,
        reason=reason,
        query_candidate=False,
        rank=(priority, section.order * 100000 + ev.start),
    )


def _status_code(
    table: dict[str, str], ev: Evidence, index: CodeIndex, section: SectionText, what: str
) -> list[CodeSuggestion]:
    """The personal- or family-history Z code for a finding our phrase table knows."""
    text = " ".join(t.stem for t in tokens(ev.text))
    for phrase, code in table.items():
        if all(t.stem in text.split() for t in tokens(phrase)):
            info = index.require(code, CM)
            return [
                replace(
                    _suggestion(info, ev, section, 0.6, f"{what} of {phrase}"),
                    status=context.HISTORY,
                )
            ]
    return []


def _gestation(
    section: SectionText, sentence: str, offset: int, index: CodeIndex
) -> list[CodeSuggestion]:
    """Weeks of gestation (Z3A) where a pregnancy, labor or delivery is in the statement."""
    if not re.search(r"pregnan|gestation|labor|deliver|gravida", sentence, re.I):
        return []
    out = []
    for m in _WEEKS.finditer(sentence):
        weeks = m.group(1)
        if not weeks.isdigit():
            stems = [t.stem for t in tokens(weeks)]
            weeks = stems[0] if len(stems) == 1 and stems[0].isdigit() else ""
        info = index.get(f"Z3A{weeks}", CM) if weeks else None
        if info is not None and info.billable:
            ev = Evidence(section.name, offset + m.start(), offset + m.end(), m.group(0))
            out.append(_suggestion(info, ev, section, 0.7, f"{m.group(0)} of gestation"))
    return out


def _drugs(
    section: SectionText, sentence: str, offset: int, scopes: list[context.Scope]
) -> list[CodeSuggestion]:
    """Long-term drug use (Z79) from a medication list or a 'continue/hold X' statement."""
    out = []
    if re.search(r"prophyla", sentence, re.I):
        return out  # a prophylactic course is not long-term current use
    for m in re.finditer(r"[A-Za-z]+", sentence):
        hit = lexicon.DRUG_CLASSES.get(m.group(0).lower())
        if hit is None:
            continue
        if context.status_of(sentence, m.start(), m.end(), scopes) != context.PRESENT:
            continue
        if hit[0] == "Z79.82" and not re.search(r"\b(81|eighty[- ]one|low[- ]dose)\b", sentence):
            continue  # aspirin counts as long-term prophylaxis only at the low dose
        ev = Evidence(section.name, offset + m.start(), offset + m.end(), m.group(0))
        out.append(
            CodeSuggestion(
                code=Code(CM, hit[0], f"Long term (current) use of {hit[1]}"),
                evidence=(ev,),
                score=0.6,
                reason=f"{m.group(0)} ({hit[1]}) in {section.title}",
                rank=(7, section.order * 100000 + ev.start),
            )
        )
    return out


def _finish(index: CodeIndex, found: list[CodeSuggestion]) -> list[CodeSuggestion]:
    found = [_billable(index, s) for s in found]
    found = [s for s in found if s is not None]
    merged = _dedupe(found)
    merged = _specific_over_default(index, merged)
    merged = [s for s in merged if s.rank[0] < 8]  # supporting findings never stand alone
    merged = _drop_integral_symptoms(merged)
    merged = _combinations(index, merged)
    merged = _drop_excludes1(index, merged)
    return _sequence([_mark_vague(s) for s in merged])


def _mark_vague(s: CodeSuggestion) -> CodeSuggestion:
    """An 'unspecified' code is a query candidate: the physician may know more."""
    if s.query_candidate or "unspecified" not in s.code.display.lower():
        return s
    return replace(s, query_candidate=True, reason=s.reason + "; unspecified: query candidate")


def _drop_integral_symptoms(found: list[CodeSuggestion]) -> list[CodeSuggestion]:
    """Symptoms from the complaint or history go when a diagnostic section states a definitive
    diagnosis that explains them (guideline I.B.5); a symptom the assessment names stays."""
    definitive = any(s.code.code[0] not in "RZ" and s.rank[0] <= 2 for s in found)
    if not definitive:
        return found
    return [s for s in found if s.code.code[0] != "R" or s.rank[0] <= 2]


_SEVENTH = (
    (r"sequela|late effect", "S"),
    (r"subsequent|follow[- ]?up|routine healing|healing", "D"),
    (r"open fracture", "B"),
)


def _seventh(index: CodeIndex, s: CodeSuggestion, info: CodeInfo) -> CodeSuggestion | None:
    """Add the 7th character (encounter) the text states; active treatment (A) by default."""
    said = " ".join(e.text for e in s.evidence)
    char, stated = "A", False
    for pattern, value in _SEVENTH:
        if re.search(pattern, said, re.I) and value in info.seven_chr:
            char, stated = value, True
            break
    full = index.get(info.code.ljust(6, "X") + char, CM)
    if full is None or "A" not in info.seven_chr:
        return None
    return replace(
        s,
        code=Code(CM, full.display_code, full.description),
        query_candidate=s.query_candidate or not stated,
        reason=s.reason + ("" if stated else "; 7th character A: initial encounter assumed"),
    )


def _billable(index: CodeIndex, s: CodeSuggestion) -> CodeSuggestion | None:
    info = index.get(s.code.code, CM)
    if info is None:
        return None
    if info.billable:
        return s
    kids = index.children(info.code)
    if info.seven_chr and all(len(k.code) == 7 for k in kids):
        return _seventh(index, s, info)  # only 7th-character extensions below
    child = default_child(index, info.code)
    if child is None:
        return None  # the words name a group with no default: nothing safe to suggest
    leaf = index.require(child, CM)
    return replace(
        s,
        code=Code(CM, leaf.display_code, leaf.description),
        query_candidate=True,
        score=round(s.score * 0.8, 2),
        reason=s.reason + f"; unspecified: '{info.description}' needs more detail to be specific",
    )


def _dedupe(found: list[CodeSuggestion]) -> list[CodeSuggestion]:
    by_code: dict[str, CodeSuggestion] = {}
    for s in found:
        old = by_code.get(s.code.code)
        if old is None:
            by_code[s.code.code] = s
            continue
        by_code[s.code.code] = replace(
            old if old.rank <= s.rank else s,
            evidence=old.evidence + s.evidence,
            score=max(old.score, s.score),
            rank=min(old.rank, s.rank),
        )
    return list(by_code.values())


def _is_default(s: CodeSuggestion) -> bool:
    return bool(re.search(r"unspecified|without complication", s.code.display, re.I))


def _specific_over_default(index: CodeIndex, found: list[CodeSuggestion]) -> list[CodeSuggestion]:
    """Code to the highest specificity documented anywhere: an 'unspecified' code yields to a
    specified code of the same category (R07.9 -> R07.89, E11.9 -> E11.22, J44.9 -> J44.1)."""
    result = list(found)
    for s in [s for s in found if _is_default(s)]:
        better = [
            o
            for o in result
            if o is not s and o.code.code[:3] == s.code.code[:3] and not _is_default(o)
        ]
        if not better:
            continue
        target = min(better, key=lambda o: o.rank)
        merged = replace(
            target,
            evidence=target.evidence + s.evidence,
            rank=min(target.rank, s.rank),
            score=max(target.score, s.score),
            reason=f"{s.reason}; specified by '{target.evidence[0].text}'",
        )
        result = [merged if o is target else o for o in result if o is not s]
    return result


def _dedupe_excluded(found: list[ExcludedFinding]) -> list[ExcludedFinding]:
    seen: set[tuple[str, str, int]] = set()
    out = []
    for f in found:
        key = (f.code.code, f.evidence.section, f.evidence.start)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def codes_of(suggestions: list[CodeSuggestion]) -> list[str]:
    return [normalize(s.code.code) for s in suggestions]
