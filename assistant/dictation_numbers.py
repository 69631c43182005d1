"""Spoken numbers, units, vitals, dates and times -> the written form clinicians use.

Works on the token list of :mod:`assistant.dictation_tokens`: a number never spans a mark
(Whisper's comma ends it), except the comma before a year in a date.

Written forms follow The Joint Commission's "Do Not Use" list (official list, 2004, reaffirmed
since): no "U"/"IU" (write "units"), no "q.d."/"q.o.d." (write "daily"/"every other day"), a
leading zero before a decimal point ("0.5 mg") and no trailing zero after one in a dose
("5 mg", not "5.0 mg"; lab values keep theirs, which show precision). ISMP's error-prone list
adds "cc" (write "mL") and "SC"/"SQ" (write "subcut").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.dictation_tokens import MARK, WORD, Token, mark, word

_ONES_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
ONES = {w: n for n, w in enumerate(_ONES_WORDS)}
TENS = {
    w: 10 * n
    for n, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)
}
_ORD_ONES = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth"
).split()
ORDINALS = {w: n for n, w in enumerate(_ORD_ONES, 1)}
ORDINALS.update({w.replace("ty", "tieth"): n for w, n in TENS.items()})
_MONTH_NAMES = (
    "january february march april may june july august september october november december"
)
MONTHS = {m: n for n, m in enumerate(_MONTH_NAMES.split(), 1)}
_AMBIGUOUS_MONTHS = frozenset({"may", "march"})  # months only when Whisper capitalised them

_DIGITS = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?$")
_DAY_DIGITS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$")
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?$")

# Units: spoken (or already abbreviated) forms after a number -> written abbreviation.
_BASE = {
    "milligram": "mg", "microgram": "mcg", "gram": "g", "kilogram": "kg", "kilo": "kg",
    "milliliter": "mL", "millilitre": "mL", "liter": "L", "litre": "L", "deciliter": "dL",
    "decilitre": "dL", "millimeter": "mm", "centimeter": "cm", "milliequivalent": "mEq",
    "millimole": "mmol", "minute": "min", "hour": "h",
}  # fmt: skip
_NOT_ALONE = frozenset({"min", "h"})  # "15 minutes" stays words; only "mg/h" abbreviates
UNITS: dict[tuple[str, ...], str] = {
    ("millimeters", "of", "mercury"): "mmHg", ("mmhg",): "mmHg", ("mm", "hg"): "mmHg",
    ("beats", "per", "minute"): "bpm", ("breaths", "per", "minute"): "breaths/min",
    ("percent",): "%", ("per", "cent"): "%", ("%",): "%",
    ("units",): "units", ("unit",): "unit", ("international", "units"): "units",
    ("iu",): "units", ("u",): "units", ("cc",): "mL", ("ccs",): "mL", ("cc's",): "mL",
    ("mg",): "mg", ("mcg",): "mcg", ("ml",): "mL", ("kg",): "kg", ("g",): "g", ("meq",): "mEq",
    ("mg/dl",): "mg/dL", ("pounds",): "lb", ("pound",): "lb", ("lbs",): "lb", ("lb",): "lb",
    ("degrees", "fahrenheit"): "°F", ("degrees", "celsius"): "°C", ("degrees", "centigrade"): "°C",
}  # fmt: skip
for _w, _a in _BASE.items():
    for _form in (_w, _w + "s"):
        if _a not in _NOT_ALONE:
            UNITS[(_form,)] = _a
        for _w2, _a2 in _BASE.items():
            for _form2 in (_w2, _w2 + "s"):
                UNITS[(_form, "per", _form2)] = f"{_a}/{_a2}"
                UNITS[(_form, "per", _form2, "per", "minute")] = f"{_a}/{_a2}/min"
_UNIT_MAX = max(len(k) for k in UNITS)
_ATTACHED = frozenset({"%", "°F", "°C"})  # written without a space: "95%", "98.6°F"
DOSE_UNITS = frozenset({"mg", "mcg", "g", "mL", "units", "unit", "mEq", "mmol", "L"})

# Words after a number that make it a quantity (so "two tablets" -> "2 tablets").
QUANTITY = frozenset(
    "times time tablet tablets tab tabs capsule capsules pill pills puff puffs drop drops "
    "dose doses year years month months week weeks day days hour hours minute minutes min "
    "hr hrs mins beats breaths liters pack packs pack-year pack-years o'clock".split()
)
# Words before a number that make it a measurement ("potassium four" -> "potassium 4").
MEASURED = frozenset(
    "day grade stage level type class gravida para bed room score pressure rate pulse "
    "temperature temp saturation saturations sat sats weight height bmi potassium sodium "
    "chloride bicarbonate bicarb glucose sugar creatinine hemoglobin hematocrit platelets inr "
    "troponin a1c bun magnesium calcium lactate albumin wbc ef fraction".split()
)
_TEMPERATURE = frozenset("temperature temp tmax t-max febrile afebrile fever".split())
_AGE = {"year": "year", "month": "month", "week": "week", "day": "day"}
_STARTERS = frozenset(ONES) | frozenset(TENS) | frozenset(ORDINALS) | frozenset(MONTHS) | {"point"}
_DIGIT_STARTS = frozenset("0123456789.")
_AMPM = {"a.m.": "AM", "am": "AM", "p.m.": "PM", "pm": "PM"}


@dataclass(frozen=True)
class Number:
    """A number found at some token: its written digits and where it ends."""

    text: str  # "120", "3.5", "0.5"
    end: int  # index of the first token after it
    spoken: bool  # False when Whisper already wrote digits
    groups: tuple[str, ...] = ()  # spoken groups: "two thirty" -> ("2", "30")
    small: bool = False  # a single spoken word under ten, kept as a word without context
    bare_point: bool = False  # "point five": a decimal with no whole part

    @property
    def value(self) -> float:
        try:
            return float(self.text.replace(",", "") or 0)
        except ValueError:  # a clock time such as "2:30"
            return 0.0


def convert_quantities(tokens: Sequence[Token], *, date_style: str = "long") -> list[Token]:
    """Rewrite spoken numbers, units, vitals, ranges, ages, dates and times in ``tokens``."""
    tokens = _split_hyphenated(tokens)
    keys = [t.key for t in tokens]
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        found = _may_start(tokens[i], keys[i]) and (
            _date(tokens, keys, i, date_style)
            or _ordinal(keys, i)
            or _quantity(tokens, keys, i, keys[max(0, i - 4) : i])
        )
        if found:
            out.extend(found[0])
            i = found[1]
        else:
            out.append(tokens[i])
            i += 1
    return out


def _may_start(t: Token, key: str) -> bool:
    """A cheap test first: most words cannot start a number, date or ordinal."""
    return key in _STARTERS or (t.kind == WORD and t.text[:1] in _DIGIT_STARTS)


def _split_hyphenated(tokens: Sequence[Token]) -> list[Token]:
    """'sixty-seven-year-old' -> sixty seven year old, so numbers inside can be read."""
    out: list[Token] = []
    for t in tokens:
        parts = t.text.split("-")
        if t.kind == WORD and len(parts) > 1 and all(parts) and parts[0].lower() in ONES | TENS:
            out.extend(word(p) for p in parts)
        else:
            out.append(t)
    return out


def _at(keys: Sequence[str], i: int) -> str:
    return keys[i] if 0 <= i < len(keys) else ""


def _cardinal(keys: Sequence[str], i: int) -> tuple[int, int] | None:
    """The standard cardinal at ``i`` ("one hundred and forty two", "two thousand twenty six")."""
    total, cur, j, last = 0, 0, i, ""
    while j < len(keys):
        k = keys[j]
        if k in ONES and last in ("", "tens", "hundred", "thousand"):
            if last == "tens" and ONES[k] >= 10 or k == "zero" and last:
                break
            cur, last = cur + ONES[k], "ones"
        elif k in TENS and last in ("", "hundred", "thousand"):
            cur, last = cur + TENS[k], "tens"
        elif k == "hundred" and last == "ones" and 0 < cur % 100 < 100 and cur < 100:
            cur, last = cur * 100, "hundred"
        elif k == "thousand" and last in ("ones", "tens", "hundred") and total == 0:
            total, cur, last = cur * 1000, 0, "thousand"
        elif k == "and" and last in ("hundred", "thousand") and _at(keys, j + 1) in ONES | TENS:
            pass
        else:
            break
        j += 1
    return (total + cur, j) if last else None


def _spoken(keys: Sequence[str], i: int) -> Number | None:
    groups: list[tuple[str, int]] = []
    j = i
    while True:
        nxt = _at(keys, j + 1)
        if groups and keys[j : j + 1] == ["oh"] and nxt in ONES and ONES[nxt] < 10:
            groups.append((f"0{ONES[nxt]}", j + 2))
        elif c := _cardinal(keys, j):
            groups.append((str(c[0]), c[1]))
        else:
            break
        j = groups[-1][1]
    if not groups:
        return _bare_point(keys, i)
    texts = [g for g, _ in groups]
    joined = _join(texts)
    while joined is None:  # the longest run of groups that reads as one number
        texts = texts[:-1]
        joined = _join(texts)
    end = groups[len(texts) - 1][1]
    small = len(texts) == 1 and int(joined) < 10 and end == i + 1
    if _at(keys, end) == "point" and (dec := _decimal(keys, end + 1)):
        return Number(f"{joined}.{dec[0]}", dec[1], True, tuple(texts))
    return Number(joined, end, True, tuple(texts), small)


def _join(groups: list[str]) -> str | None:
    """'one twenty' -> 120, 'twenty twenty six' -> 2026, 'one two three' -> 123."""
    if len(groups) == 1 or all(len(g) == 1 for g in groups):
        return "".join(groups)
    if 0 < int(groups[0]) < 100 and all(len(g) == 2 for g in groups[1:]):
        return "".join(groups)
    return None


def _decimal(keys: Sequence[str], i: int) -> tuple[str, int] | None:
    digits, j = "", i
    while _at(keys, j) == "oh" or (_at(keys, j) in ONES and ONES[keys[j]] < 10):
        digits += "0" if keys[j] == "oh" else str(ONES[keys[j]])
        j += 1
    if digits:
        return digits, j
    c = _cardinal(keys, i)
    return (str(c[0]), c[1]) if c else None


def _bare_point(keys: Sequence[str], i: int) -> Number | None:
    if _at(keys, i) == "point" and (dec := _decimal(keys, i + 1)):
        return Number(f"0.{dec[0]}", dec[1], True, bare_point=True)
    return None


def number_at(tokens: Sequence[Token], keys: Sequence[str], i: int) -> Number | None:
    """The number (digits or spoken words) starting at token ``i``, if any."""
    if i >= len(tokens) or tokens[i].kind != WORD:
        return None
    text = tokens[i].text
    if _CLOCK.match(text) and ":" in text:
        return Number(text, i + 1, False, (text,))
    if _DIGITS.match(text) and any(c.isdigit() for c in text):
        return Number("0" + text if text.startswith(".") else text, i + 1, False, (text,))
    return _spoken(keys, i)


def _unit(keys: Sequence[str], j: int, value: float, recent: Sequence[str]) -> tuple[str, int]:
    """The unit written after a number at ``j`` ("" if none) and the index after it."""
    for n in range(_UNIT_MAX, 0, -1):
        if (abbr := UNITS.get(tuple(keys[j : j + n]))) and j + n <= len(keys):
            return abbr, j + n
    if _at(keys, j) in ("degrees", "degree") and _TEMPERATURE.intersection(_clause(recent)):
        if 90 <= value <= 110:
            return "°F", j + 1
        if 30 <= value <= 45:
            return "°C", j + 1
    return "", j


def _clause(recent: Sequence[str]) -> Sequence[str]:
    """The words of ``recent`` after its last mark or command (their keys are "")."""
    return recent[len(recent) - list(recent)[::-1].index("") :] if "" in recent else recent


def _quantity(
    tokens: Sequence[Token], keys: Sequence[str], i: int, recent: Sequence[str]
) -> tuple[list[Token], int] | None:
    num = number_at(tokens, keys, i)
    if num is None:
        return None
    j = num.end
    if clock := _clock_time(num, tokens, keys, j):
        return clock
    text, j = _pair(tokens, keys, num)
    unit, after = _unit(keys, j, num.value, recent)
    follows = _at(keys, j)
    if num.bare_point and not unit:
        return None
    if not unit and text == num.text:
        age = _AGE.get(follows.removesuffix("-old"))
        if age and (follows.endswith("-old") or _at(keys, j + 1) == "old"):
            end = j + 1 if follows.endswith("-old") else j + 2
            return [word(f"{text}-{age}-old")], end
        measured = bool(MEASURED.intersection(_clause(recent[-2:]))) and follows != "of"
        wanted = not num.small or follows in QUANTITY or measured
        if not num.spoken or not wanted:
            return None if num.spoken else ([tokens[i]], j)
    if unit in DOSE_UNITS and "." in text:
        text = text.rstrip("0").rstrip(".")  # Joint Commission: no trailing zero in a dose
    if num.spoken and len(num.groups) == 1 and text.isdigit() and int(text) >= 1000:
        text = f"{int(text):,}"  # ISMP: commas from 1,000 ("5,000 units"); not "twenty twenty"
    if not unit:
        return [word(text)], j
    if unit in _ATTACHED:
        return [word(text + unit)], after
    return [word(text), word(unit)], after


def _pair(tokens: Sequence[Token], keys: Sequence[str], num: Number) -> tuple[str, int]:
    """BP and scores ("X over Y", "X out of 10"), ranges ("X to Y tablets"): text and end."""
    j = num.end
    if _at(keys, j) == "over" and (den := number_at(tokens, keys, j + 1)):
        return f"{num.text}/{den.text}", den.end
    den = number_at(tokens, keys, j + 2) if keys[j : j + 2] == ["out", "of"] else None
    if den and den.value in (4, 5, 10):  # pain "7/10", strength "4/5"
        return f"{num.text}/{den.text}", den.end
    if _at(keys, j) == "to" and (hi := number_at(tokens, keys, j + 1)):
        after = _at(keys, hi.end)
        if after in QUANTITY or _unit(keys, hi.end, hi.value, ())[0]:
            return f"{num.text}-{hi.text}", hi.end
    return num.text, j


def _clock_time(
    num: Number, tokens: Sequence[Token], keys: Sequence[str], j: int
) -> tuple[list[Token], int] | None:
    """'two thirty p.m.' -> 2:30 PM, '2 p.m.' -> 2 PM."""
    if (half := _AMPM.get(_at(keys, j))) is not None:
        end = j + 1
    elif _at(keys, j) in ("a", "p") and _at(keys, j + 1) == "m":
        half, end = _at(keys, j).upper() + "M", j + 2
    else:
        return None
    if num.spoken and len(num.groups) == 2 and "." not in num.text:
        hour, minute = num.groups
    elif m := _CLOCK.match(num.text if not num.spoken else "".join(num.groups)):
        hour, minute = m.group(1), m.group(2) or ""
    else:
        return None
    if not 1 <= int(hour) <= 12 or (minute and not 0 <= int(minute) < 60):
        return None
    out = [word(f"{int(hour)}:{minute}" if minute else str(int(hour))), word(half)]
    # "p.m." swallowed the sentence's period when it ended one: give it back.
    nxt = tokens[end] if end < len(tokens) else None
    if tokens[end - 1].text.endswith(".") and (nxt is None or nxt.text[:1].isupper()):
        out.append(mark("."))
    return out, end


def _ordinal_value(keys: Sequence[str], i: int) -> tuple[int, int] | None:
    k = _at(keys, i)
    if k in ORDINALS:
        return ORDINALS[k], i + 1
    nxt = _at(keys, i + 1)
    if k in TENS and nxt in ORDINALS and ORDINALS[nxt] < 10:
        return TENS[k] + ORDINALS[nxt], i + 2
    return None


def _ordinal(keys: Sequence[str], i: int) -> tuple[list[Token], int] | None:
    """Ordinals from 10 up are written in digits ("twenty first" -> 21st); smaller stay words."""
    found = _ordinal_value(keys, i)
    if not found or found[0] < 10:
        return None
    n = found[0]
    suffix = "th" if 10 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return [word(f"{n}{suffix}")], found[1]


def _date(
    tokens: Sequence[Token], keys: Sequence[str], i: int, style: str
) -> tuple[list[Token], int] | None:
    """'March third twenty twenty six' -> March 3, 2026 (or 2026-03-03 with style 'iso')."""
    month = MONTHS.get(_at(keys, i))
    if month is None or (keys[i] in _AMBIGUOUS_MONTHS and not tokens[i].text[0].isupper()):
        return None
    day = _day(tokens, keys, i + 1)
    if day is None:
        return None
    j = day[1]
    comma = j < len(tokens) and tokens[j].kind == MARK and tokens[j].text == ","
    year = number_at(tokens, keys, j + 1 if comma else j)
    has_year = year is not None and year.text.isdigit() and 1900 <= int(year.text) <= 2100
    name = tokens[i].text.capitalize()
    if style == "iso" and has_year:
        return [word(f"{year.text}-{month:02d}-{day[0]:02d}")], year.end
    if has_year:
        return [word(name), word(str(day[0])), mark(","), word(year.text)], year.end
    return [word(name), word(str(day[0]))], j


def _day(tokens: Sequence[Token], keys: Sequence[str], i: int) -> tuple[int, int] | None:
    found = _ordinal_value(keys, i)
    if found is None and i < len(tokens) and (m := _DAY_DIGITS.match(tokens[i].text)):
        found = int(m.group(1)), i + 1
    if found is None:
        found = _cardinal(keys, i)
    return found if found and 1 <= found[0] <= 31 else None
