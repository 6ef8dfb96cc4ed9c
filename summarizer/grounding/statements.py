"""The statement checker: one sentence of a brief, in English or Vietnamese, against the source sentences it rests on.

A statement is checked against its own sources, not the whole article; it states nothing they do not:

  number     every number, in digits (read in the statement's language: English "1,312", Vietnamese "1.312") or in
             words ("two", "fifteen", "sixth"; "hai", "mười lăm"; Roman ordinals), is a value its sources state
  scale      "9 million" where the sources say "9 tỷ": the right digits with the wrong scale word
  unit       a percent where the sources give a count, or a count where they give a percent; a measure (m2, ha, km,
             tons...) its sources do not give that number; a count of another kind of thing than its sources count
             with that number ("528 cadres" for "528 đảng viên", party members; the termbase says what a noun is)
  currency   a currency its sources do not name for that number ("yuan" for "đồng"), or do not name at all
  date       a year or a month its sources do not state
  name       a proper name its sources do not write (up to diacritics: "Ben Tre" is "Bến Tre"; "Xiangtan" is not);
             in English any capitalised word that is not an ordinary English word (summarizer/data/english_words.txt)
             or an English rendering of a term of its sources (the termbase: "Politburo", "PhD")
  office     an office, organisation, administrative unit, award or degree rendered as a term its sources do not
             have (the termbase: "Secretary" for "Phó Bí thư", "commune" for "phường"); a term put in brackets
             that renders none of the terms its sources put in brackets, an abbreviation read as what the text
             defines it to stand for ("(party cells)" where the source writes "đảng viên (ĐV)")
  direction  a rise where the sources only say it fell, or the reverse; "from X to Y" where the sources do not
             state X and Y in one clause, or where the numbers go the other way

Numbers are read from the sources by summarizer.text.numbers and summarizer.text.number_words. Hedges ("nearly",
"gần") are not compared, nor "one of"/"một trong" ("one of the highlights"), nor "một"/"one" written alone when the
source has an article or a "one" of its own ("một tổ chức" for "an organisation"), and a term or number the
statement leaves out is never a problem.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources

from summarizer.grounding.labels import key
from summarizer.grounding.termbase import Termbase, TermMatch, default_termbase, plurals
from summarizer.text.abbreviations import defined
from summarizer.text.language import untranslated_share
from summarizer.text.number_words import number_words
from summarizer.text.numbers import SCALE_WORDS, find_numbers, read_vi_number, text_locale

PROBLEM_KINDS = ("number", "currency", "unit", "scale", "date", "name", "office", "direction")
CHECKED_FOR = (  # what a kept statement has passed, and what it has not: said wherever statements are shown
    f"Each statement is checked against its own source for: {', '.join(PROBLEM_KINDS)}. Its meaning beyond these is not checked: read it beside its source."
)
INDEFINITE = frozenset({"một", "one"})  # written alone, they may be what "a"/"an" is
_ONE_OF = re.compile(r"(?:one of|một trong)\b", re.IGNORECASE)  # "one of the highlights": no count
_ARTICLE = re.compile(r"\b(?:a|an|one|một)\b", re.IGNORECASE)  # a source with an indefinite article or a "one"
UNTRANSLATED_VIETNAMESE = 0.15  # share of lower-case Vietnamese words from which a statement is read as Vietnamese


@dataclass(frozen=True)
class Problem:
    """Something a statement says that its sources do not."""

    kind: str  # one of PROBLEM_KINDS
    text: str  # as written in the statement
    reason: str  # one English sentence


def supported(problems: list[Problem]) -> bool:
    """A statement is supported when the checker found no problem in it."""
    return not problems


def statement_language(statement: str) -> str:
    """ "vi" for a statement in Vietnamese, "en" for one in English (Vietnamese names in it do not count)."""
    return "vi" if untranslated_share(statement) >= UNTRANSLATED_VIETNAMESE else "en"


# ---------------------------------------------------------------- quantities


@dataclass(frozen=True)
class _Quantity:
    """A number of a text, with what the checks compare."""

    start: int
    end: int
    text: str
    value: Decimal  # in base units
    scale: int  # the scale word's factor (1 without one): value == mantissa * scale
    kind: str  # "number", "ordinal", "percent", "year", "date", "month"
    currency: str | None  # "VND", "USD", "CNY"...
    unit: str | None  # "m2", "ha", "km", "m", "ton", "kg", "l"
    written: str = ""  # with its currency or unit word: "9 billion yuan", "$5 million", "3,460 ha"

    @property
    def mantissa(self) -> Decimal:
        return self.value / self.scale


_SCALES = {**SCALE_WORDS, "trillion": 10**12}
_PERCENT_AFTER = re.compile(r"\s*(?:%|percent\b|per\s+cent\b|phần\s+trăm\b)", re.IGNORECASE)
_TRILLION_AFTER = re.compile(r"\s+trillion\b", re.IGNORECASE)
_ORDINAL_SUFFIX = re.compile(r"(?:st|nd|rd|th)\b")

CURRENCIES = {
    "VND": ("đồng", "dong", "vnd", "vnđ", "đ", "vietnamese dong"),
    "USD": ("usd", "us$", "$", "dollar", "dollars", "us dollar", "us dollars", "đô la", "đô-la", "đôla", "mỹ kim"),
    "CNY": ("yuan", "renminbi", "rmb", "cny", "¥", "nhân dân tệ", "ndt", "tệ"),
    "JPY": ("yen", "jpy", "yên"),
    "EUR": ("euro", "euros", "eur", "€"),
    "GBP": ("pound sterling", "pounds sterling", "gbp", "£"),
    "THB": ("baht", "bạt"),
    "KRW": ("krw", "korean won"),
}
_CURRENCY_OF = {word: code for code, words in CURRENCIES.items() for word in words}
_CURRENCY_WORDS = "|".join(re.escape(w) for w in sorted(_CURRENCY_OF, key=len, reverse=True))
_CURRENCY_AFTER = re.compile(rf"\s*({_CURRENCY_WORDS})(?![\w$])", re.IGNORECASE)
_CURRENCY_BEFORE = re.compile(r"(US\$|\$|USD|VND|VNĐ|¥|€|£|RMB|CNY|EUR)\s?\Z")
# Currency words standing alone in a statement ("paid in yuan"); "đồng" and "dong" count only after a number
_STANDALONE_CURRENCY = re.compile(
    r"(?<![\w$])(?:(yuan|renminbi|RMB|CNY|dollars?|USD|euros?|EUR|yen|JPY|baht|VND|VNĐ|nhân dân tệ|đô la|đô-la)(?!\w)|(US\$|\$|¥|€|£))",
    re.IGNORECASE,
)
UNITS = {
    "m2": ("m2", "m²", "mét vuông", "square metres", "square meters", "square metre", "square meter", "sq m", "sqm"),
    "km2": ("km2", "km²", "ki-lô-mét vuông", "square kilometres", "square kilometers", "square kilometre", "square kilometer"),
    "ha": ("ha", "héc-ta", "hécta", "hecta", "héc ta", "hectare", "hectares"),
    "km": ("km", "ki-lô-mét", "kilômét", "cây số", "kilometre", "kilometres", "kilometer", "kilometers"),
    "m": ("m", "mét", "metre", "metres", "meter", "meters"),
    "ton": ("tấn", "ton", "tons", "tonne", "tonnes"),
    "kg": ("kg", "ki-lô-gam", "kilôgam", "kilogram", "kilograms", "kilo", "kilos"),
    "l": ("lít", "litre", "litres", "liter", "liters"),
}
_UNIT_OF = {word: code for code, words in UNITS.items() for word in words}
_UNIT_AFTER = re.compile(r"\s*(" + "|".join(re.escape(w) for w in sorted(_UNIT_OF, key=len, reverse=True)) + r")(?![\w²])", re.IGNORECASE)

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march",),
            ("april", "apr"),
            ("may",),
            ("june",),
            ("july",),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        1,
    )
    for m in names
}
_MONTH = re.compile(r"\b(" + "|".join(sorted((m.capitalize() for m in MONTHS), key=len, reverse=True)) + r")\b\.?")
_MAY_THE_VERB = re.compile(r"\bMay\s+(?:be|have|not|also|well|take|need|receive|apply|result)\b")


def _currency(text: str, start: int, end: int) -> tuple[str | None, int, int]:
    """The currency written right after the number at [start, end) or right before it, and the span with it."""
    if m := _CURRENCY_AFTER.match(text, end):
        return _CURRENCY_OF[m.group(1).casefold()], start, m.end()
    if m := _CURRENCY_BEFORE.search(text, max(0, start - 4), start):
        return _CURRENCY_OF[m.group(1).casefold()], m.start(), end
    return None, start, end


def _unit(text: str, end: int) -> tuple[str | None, int]:
    """The measure written right after a number ending at `end`, and where it ends."""
    m = _UNIT_AFTER.match(text, end)
    return (_UNIT_OF[m.group(1).casefold()], m.end()) if m else (None, end)


def _quantity(text: str, start: int, end: int, value: Decimal, scale: int, kind: str) -> _Quantity:
    """A quantity with its currency (counts and percents) and unit (counts) read from around it."""
    currency, first, last = _currency(text, start, end) if kind in ("number", "percent") else (None, start, end)
    unit, last = _unit(text, last) if kind == "number" and currency is None else (None, last)
    return _Quantity(start, end, text[start:end], value, scale, kind, currency, unit, text[first:last])


def _scale_of(written: str) -> int:
    factor = 1
    for word in re.findall(r"[^\W\d_]+", written):
        factor *= _SCALES.get(word.casefold(), 1)
    return factor


def _is_year(value: Decimal, written: str, scale: int) -> bool:
    return scale == 1 and written.isdigit() and len(written) == 4 and 1900 <= value <= 2100


def _digit_quantities(text: str, locale: str) -> list[_Quantity]:
    found = []
    for m in find_numbers(text, locale):
        end, value, scale = m.end, m.value, _scale_of(m.text)
        if t := _TRILLION_AFTER.match(text, end):  # the readers know scale words up to billion / tỷ
            end, value, scale = t.end(), value * 10**12, scale * 10**12
        percent = m.kind == "percent" or bool(_PERCENT_AFTER.match(text, end))
        if m.kind in ("date", "ordinal", "year"):
            kind = m.kind
        elif percent:
            kind = "percent"
        elif suffix := _ORDINAL_SUFFIX.match(text, m.end):
            kind, end = "ordinal", suffix.end()  # "14th"
        elif _is_year(value, m.text, scale) and m.kind == "range_part":
            kind = "year"
        else:
            kind = "number"
        found.append(_quantity(text, m.start, end, value, scale, kind))
    return found


def _word_quantities(text: str, language: str, taken: list[_Quantity]) -> list[_Quantity]:
    found = []
    for w in number_words(text, language):
        if any(q.start < w.end and w.start < q.end for q in taken):
            continue
        last = w.text.split()[-1].casefold()
        scale = _SCALES.get(last, 1)
        percent = w.kind == "number" and bool(_PERCENT_AFTER.match(text, w.end))
        found.append(_quantity(text, w.start, w.end, w.value, scale, "percent" if percent else w.kind))
    return found


def _month_quantities(text: str) -> list[_Quantity]:
    found = []
    for m in _MONTH.finditer(text):
        if m.group(1) == "May" and _MAY_THE_VERB.match(text, m.start()):
            continue
        value = Decimal(MONTHS[m.group(1).casefold()])
        found.append(_Quantity(m.start(), m.end(), m.group(), value, 1, "month", None, None, m.group()))
    return found


def quantities(text: str, language: str, locale: str | None = None) -> list[_Quantity]:
    """Every number of a text: digits (in `locale`, by default the language's), words, Roman ordinals, months."""
    return list(_quantities(text, language, locale))


@lru_cache(maxsize=4096)  # an article's sentences are read again for each statement that rests on them
def _quantities(text: str, language: str, locale: str | None) -> tuple[_Quantity, ...]:
    digits = _digit_quantities(text, locale or ("en" if language == "en" else "vi"))
    words = _word_quantities(text, language, digits)
    months = _month_quantities(text) if language == "en" else []
    return tuple(sorted(digits + words + months, key=lambda q: q.start))


def _show(value: Decimal) -> str:
    value = value.normalize()
    return f"{value:f}"


def _check_quantity(q: _Quantity, source_quantities: list[_Quantity], source_has_article: bool = False) -> Problem | None:
    same = [s for s in source_quantities if s.value == q.value]
    if q.kind == "month":
        if any(s.kind == "date" for s in same):
            return None
        return Problem("date", q.text, f"the month {q.text} is not a month its source states.")
    counts = [s for s in same if s.kind != "percent"]
    percents = [s for s in same if s.kind == "percent"]
    if q.kind in ("year", "date"):
        if counts:
            return None
        what = "year" if q.kind == "year" else "date"
        return Problem("date", q.text, f"the {what} {q.text} is not in its source.")
    if q.kind == "percent":
        if percents:
            return _currency_and_unit(q, percents)
        if counts:
            return Problem("unit", q.text, f"'{q.text}' is a percentage, but its source gives {_show(q.value)} as a count, not a percentage.")
        return _missing(q, source_quantities)
    if counts:
        return _currency_and_unit(q, counts)
    if percents and q.kind != "ordinal":
        return Problem("unit", q.text, f"'{q.text}' is a count, but its source gives {_show(q.value)} as a percentage.")
    if q.value == 1 and q.text.casefold() in INDEFINITE and source_has_article:  # "một tổ chức" for "an organisation"
        return None
    return _missing(q, source_quantities)


def _currency_and_unit(q: _Quantity, matched: list[_Quantity]) -> Problem | None:
    if q.currency and not any(s.currency == q.currency for s in matched):
        theirs = sorted({s.currency for s in matched if s.currency})
        said = f"in {', '.join(theirs)}" if theirs else "with no currency"
        return Problem("currency", q.written, f"'{q.written}' is in {q.currency}, but its source gives {_show(q.value)} {said}.")
    if q.unit and not any(s.unit == q.unit for s in matched):
        theirs = sorted({s.unit for s in matched if s.unit})
        said = f"in {', '.join(theirs)}" if theirs else "with no such unit"
        return Problem("unit", q.written, f"'{q.written}' is in {q.unit}, but its source gives {_show(q.value)} {said}.")
    return None


def _missing(q: _Quantity, source_quantities: list[_Quantity]) -> Problem:
    rescaled = [s for s in source_quantities if s.mantissa == q.mantissa and s.scale != q.scale and (s.scale > 1 or q.scale > 1)]
    if rescaled:
        return Problem("scale", q.text, f"'{q.text}' is {_show(q.value)}, but its source says '{rescaled[0].text}' ({_show(rescaled[0].value)}).")
    if q.kind != "ordinal" and _is_year(q.value, q.text, q.scale):
        return Problem("date", q.text, f"the year {q.text} is not in its source.")
    hint = ""
    if (as_vietnamese := read_vi_number(q.text)) is not None and as_vietnamese != q.value and any(s.value == as_vietnamese for s in source_quantities):
        hint = f" (read the Vietnamese way it would be {_show(as_vietnamese)}, which its source states)"
    stated = sorted({s.value for s in source_quantities if s.kind not in ("date", "month")})
    listed = ", ".join(_show(v) for v in stated[:8]) + (", ..." if len(stated) > 8 else "")
    return Problem("number", q.text, f"'{q.text}' is {_show(q.value)}{hint}, a number its source does not state (it states {listed or 'no number'}).")


def _check_currencies_alone(statement: str, statement_quantities: list[_Quantity], source_currencies: set[str], reported: list[Problem]) -> list[Problem]:
    """Currency words of the statement that no number carries, when its sources never name that currency."""
    problems = []
    reported_codes = {q.currency for q in statement_quantities if any(p.kind == "currency" and p.text == q.written for p in reported)}
    for m in _STANDALONE_CURRENCY.finditer(statement):
        word = m.group(1) or m.group(2)
        code = _CURRENCY_OF[word.casefold()]
        if code in source_currencies or code in reported_codes:
            continue
        reported_codes.add(code)
        problems.append(Problem("currency", word, f"'{word}' names {code}, a currency its source does not name."))
    return problems


def _source_currencies(source: str, source_quantities: list[_Quantity]) -> set[str]:
    found = {q.currency for q in source_quantities if q.currency}
    found |= {_CURRENCY_OF[(m.group(1) or m.group(2)).casefold()] for m in _STANDALONE_CURRENCY.finditer(source)}
    return found


# ---------------------------------------------------------------- names


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Ordinary English words: lower-case ones, and the few written capitalised that are not names ("April")."""
    content = resources.files("summarizer").joinpath("data", "english_words.txt").read_text(encoding="utf-8")
    return frozenset(line for line in content.splitlines() if line and not line.startswith("#"))


# Capitalised, these are names although their lower-case forms are ordinary words.
NAMES_DESPITE_THE_DICTIONARY = frozenset({"china", "turkey", "japan", "jordan", "georgia", "chad", "guinea", "wales", "nice"})
_NAME_TOKEN = re.compile(r"[^\W\d_](?:[^\W\d_]|[\u0300-\u036f])*(?:['’][^\W\d_]+)*(?:-[^\W\d_](?:[^\W\d_]|[\u0300-\u036f])*)*")
_ROMAN_TOKEN = re.compile(r"(?=[IVXLC])C{0,3}(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_SENTENCE_OPENERS = ".!?…:;\"“”'‘’([-–—"


@lru_cache(maxsize=8192)
def _fold(s: str) -> str:
    """Letters and digits without diacritics, casefolded: "Bến Tre" -> "bentre"."""
    bare = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    return "".join(c for c in bare.replace("đ", "d").replace("Đ", "D").replace("ð", "d").replace("Ð", "D").casefold() if c.isalnum())


def _folded_words(text: str) -> list[str]:
    return [f for w in re.split(r"[^\w\u0300-\u036f]+", text) if (f := _fold(w))]


def _occurs(name: str, source_words: list[str]) -> bool:
    """Whether the name, folded and without spaces, is a run of consecutive words of the source (folded)."""
    target = _fold(name)
    if not target:
        return True
    for i in range(len(source_words)):
        joined = ""
        for word in source_words[i:]:
            joined += word
            if joined == target:
                return True
            if not target.startswith(joined):
                break
    return False


def _is_ordinary(word: str) -> bool:
    """An English word that may be capitalised without being a name."""
    words = english_words()
    base = re.sub(r"['’]s?$", "", word)
    if base in words or base.casefold() in _CURRENCY_OF:
        return True  # "April", "I", "Congress"
    if _ROMAN_TOKEN.fullmatch(base):
        return True  # "XIII": read as a number
    if base.isupper() and len(base) > 1:
        return base.casefold() in words  # "OK"; an acronym ("UBND") is a name
    parts = base.split("-")
    return all(p.casefold() in words and p.casefold() not in NAMES_DESPITE_THE_DICTIONARY for p in parts if p)


def _capitalised_runs(text: str) -> list[list[re.Match]]:
    """Runs of capitalised words separated by single spaces (punctuation and lower-case words end a run)."""
    runs: list[list[re.Match]] = []
    previous_end = None
    for m in _NAME_TOKEN.finditer(text):
        if not m.group()[0].isupper():
            previous_end = None
            continue
        if previous_end is not None and text[previous_end : m.start()] in (" ", "\u00a0"):
            runs[-1].append(m)
        else:
            runs.append([m])
        previous_end = m.end()
    return runs


def _english_names(statement: str) -> list[tuple[int, int]]:
    """Spans of the names in an English statement: in each capitalised run, first to last word that is not ordinary."""
    names = []
    for run in _capitalised_runs(statement):
        marked = [m for m in run if not _is_ordinary(m.group())]
        if marked:
            names.append((marked[0].start(), marked[-1].end()))
    return names


def _starts_sentence(text: str, pos: int) -> bool:
    before = text[:pos].rstrip()
    return not before or before[-1] in _SENTENCE_OPENERS


def _vietnamese_names(statement: str) -> list[tuple[int, int]]:
    """Spans of the capitalised runs of a Vietnamese statement (Vietnamese capitalises names and little else)."""
    return [(run[0].start(), run[-1].end()) for run in _capitalised_runs(statement)]


def _check_names(statement: str, language: str, source_words: list[str], allowed: list[tuple[int, int]]) -> list[Problem]:
    problems = []
    spans = _english_names(statement) if language == "en" else _vietnamese_names(statement)
    for start, end in spans:
        name = statement[start:end]
        if _occurs(name, source_words) or any(a <= start and end <= b for a, b in allowed):
            continue
        if language == "vi" and _starts_sentence(statement, start):  # its first word may be capitalised only there
            rest = name.split(" ", 1)[1] if " " in name else ""
            if not rest or _occurs(rest, source_words):
                continue
            name = rest
        problems.append(Problem("name", name, f"the name '{name}' does not occur in its source."))
    return problems


# ---------------------------------------------------------------- directions

UP_WORDS = {
    "en": r"ris(?:e|es|en|ing)|rose|increas(?:e|es|ed|ing)|gr(?:ew|ow|ows|own|owing|owth)|rais(?:e|ed|es|ing)|higher|climb(?:ed|s)?|up\s+from",
    "vi": r"tăng(?!\s+cường)|nâng(?!\s+cao)",  # "tăng cường" is strengthening, "nâng cao" improving: not a rise
}
DOWN_WORDS = {
    "en": r"f(?:ell|all|alls|allen|alling)|decreas(?:e|es|ed|ing)|drop(?:s|ped|ping)?|declin(?:e|es|ed|ing)|reduc(?:e|es|ed|ing|tion)|lower(?:ed)?|shr(?:ank|ink|inks|unk)|down\s+from",
    "vi": r"giảm|hạ(?!\s+tầng)|sụt",
}


def _directions(text: str, language: str) -> dict[str, list[re.Match]]:
    return {
        direction: list(re.finditer(rf"(?<!\w)(?:{words[language]})(?!\w)", text, re.IGNORECASE))
        for direction, words in (("up", UP_WORDS), ("down", DOWN_WORDS))
    }


_FROM_TO = {
    "en": (
        re.compile(r"(?:^|\W)from\s+(?:about\s+|nearly\s+|around\s+)?\Z", re.IGNORECASE),
        re.compile(r"\s+(?:down\s+|up\s+)?to\s+(?:about\s+|nearly\s+|around\s+)?\Z", re.IGNORECASE),
    ),
    "vi": (
        re.compile(r"(?:^|\W)từ\s+(?:khoảng\s+|gần\s+)?\Z", re.IGNORECASE),
        re.compile(r"\s+(?:xuống\s+còn|xuống|lên|đến|tới|còn)\s+(?:khoảng\s+|gần\s+)?\Z", re.IGNORECASE),
    ),
}


def _check_directions(
    statement: str, language: str, sources_text: str, source_language: str, quantities_: list[_Quantity], source_quantities: list[_Quantity]
) -> list[Problem]:
    said = _directions(statement, language)
    stated = _directions(sources_text, source_language)
    problems = []
    for direction, opposite in (("up", "down"), ("down", "up")):
        if said[direction] and stated[opposite] and not stated[direction]:
            word = said[direction][0].group()
            problems.append(Problem("direction", word, f"'{word}' says it went {direction}, but its source says it went {opposite}."))
    before, between = _FROM_TO[language]
    for a, b in zip(quantities_, quantities_[1:]):
        if (
            a.kind in ("year", "date", "month")
            or not before.search(statement[max(0, a.start - 20) : a.start])
            or not between.fullmatch(statement[a.end : b.start])
        ):
            continue
        pair = statement[a.start : b.end]
        went = "up" if b.value > a.value else "down" if b.value < a.value else None
        says = "down" if said["down"] and not said["up"] else "up" if said["up"] and not said["down"] else None
        if went and says and went != says:
            problems.append(Problem("direction", pair, f"'{pair}' goes {went}, but the statement says it went {says}."))
        elif not _stated_together(a, b, sources_text, source_quantities):
            problems.append(Problem("direction", pair, f"'{pair}' makes one change of two numbers that its source does not state together."))
    return problems


_LETTER = re.compile(r"[^\W\d_]")
_CLAUSE_BOUNDARY = re.compile(r"[.;:!?…](?=\s|$)|,(?=\s)|[()\[\]“”\"\n]")  # a comma in "1,7" is not one


def _clause(text: str, start: int) -> int:
    """Which clause of the text the position is in: the number of clause boundaries before it."""
    return sum(1 for _ in _CLAUSE_BOUNDARY.finditer(text, 0, start))


def _stated_together(a: _Quantity, b: _Quantity, sources_text: str, source_quantities: list[_Quantity]) -> bool:
    """Whether the source states both values in one clause (a change from one to the other needs that)."""
    clauses_a = {_clause(sources_text, s.start) for s in source_quantities if s.value == a.value}
    clauses_b = {_clause(sources_text, s.start) for s in source_quantities if s.value == b.value}
    if not clauses_a or not clauses_b:
        return True  # a number its source does not state is a number problem already
    return bool(clauses_a & clauses_b)


# ---------------------------------------------------------------- what a number counts

COUNTED_CATEGORIES = frozenset({"people", "organisation", "administrative", "office"})
# What a count of any kind of people may be called without saying which kind
GENERIC_COUNTED = frozenset({"people", "persons", "person", "member", "members", "individuals", "residents"})
_NOT_IN_A_NOUN_PHRASE = "of in at on for with from to by and or per than out over under among has have had is are was were be been who that which"
_COUNTED_GAP = {  # what may stand between a number and the noun it counts: "two senior party members", "106 lượt chi bộ"
    "en": re.compile(rf"[^\S\n]+(?:(?!(?:{'|'.join(_NOT_IN_A_NOUN_PHRASE.split())})\b)[a-z][\w'-]*[^\S\n]+){{0,2}}"),
    "vi": re.compile(r"[^\S\n]+(?:[^\W\d_]+[^\S\n]+)?"),
}


def _counted(text: str, end: int, terms: list[TermMatch], language: str) -> TermMatch | None:
    """The term (or rendering) a number ending at `end` counts: the first one after it, if only a few words of a
    noun phrase stand between them and it is a kind of people, organisation or unit."""
    following = next((m for m in terms if m.start >= end), None)
    if following is None or not _COUNTED_GAP[language].fullmatch(text, end, following.start):
        return None
    return following if any(t.category in COUNTED_CATEGORIES for t in following.terms) else None


def _has_words(phrase: str, words: str) -> bool:
    """Whether `words` are a run of whole words of `phrase`, compared as labels are ("cán bộ" in "cán bộ, công chức";
    "hộ" is not in "hội viên")."""
    return re.search(rf"(?<!\w){re.escape(key(words))}(?!\w)", key(phrase)) is not None


def _renders(rendering: str, phrase: str) -> bool:
    """Whether an English rendering, or its plural, is a run of words of the phrase ("party member" in "new party members")."""
    return any(_has_words(phrase, form) for form in plurals(rendering))


def _same_kind(said: TermMatch, stated: TermMatch) -> bool:
    """Whether what the statement says a number counts is what its source says it counts, or names it more or less
    precisely ("party members" for "đảng viên mới", "new members" for "đảng viên", "cadres" for "cán bộ, công chức")."""
    if set(said.terms) & set(stated.terms):
        return True
    said_vi = [v for t in said.terms for v in t.vietnamese]
    stated_vi = [v for t in stated.terms for v in t.vietnamese]
    if any(_has_words(b, a) or _has_words(a, b) for a in said_vi for b in stated_vi):
        return True
    stated_renderings = _specific(r for t in stated.terms for r in t.english)
    said_renderings = _specific(r for t in said.terms for r in t.english)
    return any(_renders(r, said.text) for r in stated_renderings) or any(_renders(r, theirs) for r in said_renderings for theirs in stated_renderings)


def _specific(renderings) -> list[str]:
    """The renderings that name one kind of thing ("member" is any member: of the party, of the Youth Union...)."""
    return [r for r in renderings if key(r) not in GENERIC_COUNTED]


def _check_counted(
    statement: str,
    language: str,
    said_terms: list[TermMatch],
    sources_text: str,
    source_language: str,
    stated_terms: list[TermMatch],
    statement_quantities: list[_Quantity],
    source_quantities: list[_Quantity],
    reported: list[tuple[int, int]],
) -> list[Problem]:
    """Counts whose noun names another kind of thing than the noun its source counts with the same number: "528
    cadres" for "528 đảng viên" (party members), "8 party cells" for "8 đảng viên". A generic noun ("people",
    "members"), a count whose source says nothing of what it counts and a noun `reported` already (a term its source
    does not have at all) are not compared. `said_terms`, `stated_terms`: the terms (or renderings) of the statement
    and of its sources."""
    problems = []
    for q in statement_quantities:
        if q.kind != "number" or q.currency or q.unit:
            continue
        said = _counted(statement, q.end, said_terms, language)
        if said is None or key(said.text) in GENERIC_COUNTED or any(a < said.end and said.start < b for a, b in reported):
            continue
        stated = [
            (s, c)
            for s in source_quantities
            if s.kind == "number" and s.value == q.value and (c := _counted(sources_text, s.end, stated_terms, source_language))
        ]
        if not stated or any(_same_kind(said, c) for _, c in stated):
            continue
        number, noun = stated[0]
        written = statement[q.start : said.end]
        problems.append(
            Problem("unit", written, f"'{written}' counts {said.text}, but its source counts {number.text} {noun.text} ({noun.term.en}), not {said.text}.")
        )
    return problems


# ---------------------------------------------------------------- a share of a target

_TARGET_AFTER = re.compile(r"\s*(?:(?:so\s+với|của|với)\s+)?(?:chỉ\s+tiêu|kế\s+hoạch|mục\s+tiêu)(?!\w)", re.IGNORECASE)
_TARGET_WORDS = {
    "en": re.compile(r"\b(?:targets?|plans?|planned|goals?|objectives?|quotas?)\b", re.IGNORECASE),
    "vi": re.compile(r"(?<!\w)(?:chỉ\s+tiêu|kế\s+hoạch|mục\s+tiêu)(?!\w)", re.IGNORECASE),
}


def _check_targets(
    statement: str, language: str, statement_quantities: list[_Quantity], sources_text: str, source_quantities: list[_Quantity]
) -> list[Problem]:
    """A percentage its source measures against a target only (a share of it, a rise over it), said with no target in its
    clause: "(an increase of 0.03% in the resolution)" for "(tăng 0,03% chỉ tiêu Nghị quyết)", a rise over the
    resolution's target, not a rise in the resolution. The source's target words follow the percentage ("đạt 151,63%
    chỉ tiêu", "vượt 14,2% so với kế hoạch"); the statement's may stand anywhere in its clause ("exceeded the plan by
    14.2%")."""
    problems = []
    for q in statement_quantities:
        same = [s for s in source_quantities if s.kind == "percent" and s.value == q.value]
        if q.kind != "percent" or not same or not all(_TARGET_AFTER.match(sources_text, s.end) for s in same):
            continue
        clause = _clause(statement, q.start)
        if not any(_clause(statement, m.start()) == clause for m in _TARGET_WORDS[language].finditer(statement)):
            stated = sources_text[same[0].start : _TARGET_AFTER.match(sources_text, same[0].end).end()]
            problems.append(
                Problem("unit", q.text, f"'{q.text}' is, in its source, measured against a target ({stated!r}), but the statement does not say against what.")
            )
    return problems


# ---------------------------------------------------------------- what is said of which years

_SEGMENT_BOUNDARY = re.compile(r";|\n")  # "năm 2009 đạt ...; năm 2011 đạt ...": one claim per year


def _year_segments(text: str, found: list[_Quantity]) -> list[tuple[int, int, frozenset[Decimal]]]:
    """The text's segments between semicolons, each with the years it states; those that state none left out."""
    boundaries = list(_SEGMENT_BOUNDARY.finditer(text))
    starts, ends = [0, *(m.end() for m in boundaries)], [*(m.start() for m in boundaries), len(text)]
    segments = []
    for start, end in zip(starts, ends):
        years = frozenset(q.value for q in found if q.kind == "year" and start <= q.start < end)
        if years:
            segments.append((start, end, years))
    return segments


def _check_years_terms(
    statement: str,
    said_terms: list[TermMatch],
    statement_quantities: list[_Quantity],
    sources_text: str,
    stated_terms: list[TermMatch],
    source_quantities: list[_Quantity],
) -> list[Problem]:
    """A term said of some years that its source says of other years only: "in 2009 it also achieved exemplary clean
    and strong status" where the source has "năm 2009 đạt trong sạch vững mạnh" and "tiêu biểu" for 2003-2008 and
    2011-2013. Each segment (between semicolons) of the statement that states years is compared with the one segment
    of its sources that states the same years, when there is exactly one; a term the sources state nowhere is the
    office check's."""
    sources = _year_segments(sources_text, source_quantities)
    stated_anywhere = {t for m in stated_terms for t in m.terms}
    problems = []
    for start, end, years in _year_segments(statement, statement_quantities):
        same = [(s, e) for s, e, y in sources if y == years]
        if len(same) != 1 or len(sources) < 2:
            continue
        there = {t for m in stated_terms if same[0][0] <= m.start < same[0][1] for t in m.terms}
        for m in said_terms:
            if start <= m.start < end and stated_anywhere.intersection(m.terms) and not there.intersection(m.terms):
                of = " and ".join(_show(y) for y in sorted(years))
                problems.append(
                    Problem(
                        "date",
                        m.text,
                        f"'{m.text}' is said of {of}, but its source says it of other years; of {of} it says: {sources_text[same[0][0] : same[0][1]].strip()[:160]!r}.",
                    )
                )
    return problems


# ---------------------------------------------------------------- the checker


def check_statement(
    statement: str,
    sources: str | list[str],
    *,
    language: str | None = None,
    termbase: Termbase | None = None,
    source_language: str | None = None,
) -> list[Problem]:
    """What `statement` says that its `sources` (the article sentences it rests on) do not, in reading order.

    `language` is the statement's ("en" or "vi"; by default told from its words). `source_language` is the article's,
    which decides how the sources' digits are read ("1.312"); by default it is told from the sources' words, or, when
    they have none, taken to be the statement's. `termbase` defaults to the packaged one.
    """
    termbase = termbase or default_termbase()
    language = language or statement_language(statement)
    sources_text = sources if isinstance(sources, str) else "\n\n".join(sources)
    if source_language is None:
        source_language = text_locale(sources_text) if _LETTER.search(sources_text) else language

    statement_quantities = quantities(statement, language)
    source_quantities = quantities(sources_text, source_language)
    has_article = bool(_ARTICLE.search(sources_text))
    compared = [q for q in statement_quantities if not _ONE_OF.match(statement, q.start)]
    problems = [p for q in compared if (p := _check_quantity(q, source_quantities, has_article))]
    problems += _check_currencies_alone(statement, statement_quantities, _source_currencies(sources_text, source_quantities), problems)

    source_words = _folded_words(sources_text)
    if language == "en":
        mismatches = termbase.check_english(statement, sources_text, source_language)
        in_source = termbase.terms_of(sources_text, source_language)
        said_terms = termbase.renderings_in(statement)
        allowed = [(m.start, m.end) for m in said_terms if in_source.intersection(m.terms)]
    else:
        mismatches = termbase.check_vietnamese(statement, sources_text, source_language)
        said_terms = termbase.terms_in(statement)
        allowed = [(m.start, m.end) for m in said_terms]  # "Phó Bí thư": the office check's
    problems += [Problem("office", m.text, m.reason) for m in mismatches]
    if language == "en":
        problems += _check_brackets(statement, sources_text, termbase)
    problems += _check_names(statement, language, source_words, allowed)
    stated_terms = termbase.renderings_in(sources_text) if source_language == "en" else termbase.terms_in(sources_text)
    reported = [(m.start, m.end) for m in mismatches]
    problems += _check_counted(statement, language, said_terms, sources_text, source_language, stated_terms, statement_quantities, source_quantities, reported)
    problems += _check_directions(statement, language, sources_text, source_language, statement_quantities, source_quantities)
    if source_language == "vi" and language in _TARGET_WORDS:
        problems += _check_targets(statement, language, statement_quantities, sources_text, source_quantities)
    problems += _check_years_terms(statement, said_terms, statement_quantities, sources_text, stated_terms, source_quantities)
    return _in_order(statement, problems)


_BRACKETS = re.compile(r"\(([^()]{1,80})\)")


def _check_brackets(statement: str, sources_text: str, termbase: Termbase) -> list[Problem]:
    """Terms an English statement puts in brackets that render none of the terms its sources put in brackets, a
    bracketed abbreviation read as what the sources define it to stand for ("đảng viên (ĐV)": ĐV is đảng viên)."""
    stands_for = defined(sources_text)
    bracketed = {written: termbase.terms_in(stands_for.get(written, written)) for written in (b.group(1).strip() for b in _BRACKETS.finditer(sources_text))}
    meant = {m.term for matches in bracketed.values() for m in matches}
    if not meant:
        return []
    said = ", ".join(
        f"({written})" + (f", which stands for {stands_for[written]}" if written in stands_for else "") + f" ({matches[0].term.en})"
        for written, matches in bracketed.items()
        if matches
    )
    problems = []
    for bracket in _BRACKETS.finditer(statement):
        for match in termbase.renderings_in(bracket.group(1)):
            if not meant.intersection(match.terms):
                renders = " or ".join(sorted({t.vi for t in match.terms}))
                problems.append(Problem("office", match.text, f"'{match.text}' in brackets renders {renders}, but its source's brackets say {said}."))
    return problems


def _in_order(statement: str, problems: list[Problem]) -> list[Problem]:
    """Problems in the order their text appears in the statement, each once."""
    seen, unique = set(), []
    for p in problems:
        if (p.kind, p.text) not in seen:
            seen.add((p.kind, p.text))
            unique.append(p)
    return sorted(unique, key=lambda p: statement.find(p.text) if p.text in statement else len(statement))
