"""Checking a fact record against the article: is its quote there, and is its value a number the quote states."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz

from .numbers import NumberMention, english_misreading, mentions_in, to_json_number

Alignment = Literal["exact", "normalised", "fuzzy", "none"]

FUZZY_MIN_LENGTH = 20  # characters of normalised quote before a fuzzy match is tried
FUZZY_MIN_SCORE = 95  # rapidfuzz ratio between the quote and the span it matched
FLOAT_TOLERANCE = Decimal("1e-9")  # relative, for float values only

# Date parts and ordinals are not quantities: they support a value only under these units
# (or none), so "Phường 6" never supports 6 people and "ngày 6/7/2022" supports the year 2022.
UNITS_FOR_KIND = {
    "date": {"", "year", "years", "date", "day", "month", "period", "năm", "ngày", "tháng"},
    "ordinal": {"", "ordinal"},
}


@dataclass(frozen=True)
class Verdict:
    """Whether a fact is grounded in the article, and where."""

    supported: bool
    start: int | None  # span of the quote in the article text, computed here
    end: int | None
    alignment: Alignment
    reason: str | None  # short English sentence when not supported
    hedge: str | None  # hedge on the matched number, if any
    matched_text: str | None  # the number as written in the quote that supports the value


# ---------------------------------------------------------------- normalisation

_CHAR_MAP = str.maketrans(
    {
        "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "″": '"',
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'",
        "–": "-", "—": "-", "‒": "-", "−": "-", "‐": "-", "‑": "-", "―": "-",
        "Ð": "Đ", "ð": "đ",  # Icelandic eth, a common stand-in for Đ
    }
)
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}
_TONE_MARKS = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}
_OLD_STYLE_GLIDES = {"o": "ae", "u": "y"}
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")  # "hoà", "hoè", "thuỷ": the tone sits on the second vowel


def _clusters(s: str):
    """(start, end) of each base character with the combining marks that follow it."""
    i = 0
    while i < len(s):
        j = i + 1
        while j < len(s) and unicodedata.combining(s[j]):
            j += 1
        yield i, j
        i = j


def _new_style_tones(chars: list[str]) -> list[str]:
    """Move a tone from the second to the first vowel of an open "oa", "oe", "uy": "hoà" -> "hòa"."""
    out = list(chars)
    for k in range(1, len(out)):
        glide = out[k - 1]
        if glide not in "oOuU":
            continue
        bases = _OLD_STYLE_GLIDES[glide.lower()]
        vowel = unicodedata.normalize("NFD", out[k])
        if len(vowel) != 2 or vowel[0].lower() not in bases or vowel[1] not in _TONE_MARKS:
            continue
        if k + 1 < len(out) and out[k + 1].isalpha():
            continue  # a final consonant follows ("hoàn"): the tone is where it belongs
        if glide.lower() == "u" and k >= 2 and out[k - 2].lower() == "q":
            continue  # "quý": the u belongs to the consonant
        out[k - 1] = unicodedata.normalize("NFC", glide + vowel[1])
        out[k] = vowel[0]
    return out


@lru_cache(maxsize=4096)
def _folded(ch: str) -> str:
    """One NFC character as it is compared: "" (invisible), " " (any space), or mapped and casefolded."""
    if ch in _INVISIBLE:
        return ""
    if ch.isspace():
        return " "
    return ch.translate(_CHAR_MAP).casefold()


def _nfc_chars(s: str) -> tuple[list[str], list[int], list[int]]:
    """The NFC characters of `s`, each with the (start, end) of the original cluster it came from."""
    if unicodedata.is_normalized("NFC", s) and not _COMBINING.search(s):
        return list(s), list(range(len(s))), list(range(1, len(s) + 1))  # the usual case: cleaned article text
    chars, starts, ends = [], [], []
    for i, j in _clusters(s):
        for ch in unicodedata.normalize("NFC", s[i:j]):
            chars.append(ch)
            starts.append(i)
            ends.append(j)
    return chars, starts, ends


def _normalise(s: str) -> tuple[str, Sequence[int], Sequence[int]]:
    """normalise_for_match, also giving the original end offset of each character."""
    fast = _normalise_nfc(s)
    return fast if fast is not None else _normalise_by_char(s)


def _normalise_by_char(s: str) -> tuple[str, list[int], list[int]]:
    """_normalise one character at a time: for any text, and the reference the faster way is tested against."""
    chars, starts, ends = _nfc_chars(s)
    chars = _new_style_tones(chars)
    out, out_starts, out_ends = [], [], []
    for ch, i, j in zip(chars, starts, ends):
        folded = _folded(ch)
        if folded == " " and out and out[-1] == " ":
            continue
        for c in folded:
            out.append(c)
            out_starts.append(i)
            out_ends.append(j)
    return "".join(out), out_starts, out_ends


_OLD_STYLE_TONE = re.compile("[uU][ỳýỷỹỵỲÝỶỸỴ]|[oO][àáảãạèéẻẽẹÀÁẢÃẠÈÉẺẼẸ]")  # where _new_style_tones may act
_MAPPED = re.compile("[" + "".join(map(chr, _CHAR_MAP)) + "]")
_INVISIBLES = "".join(sorted(_INVISIBLE))
# What is not kept as it is: invisible characters, runs of spaces, and a lone space that is not " ".
_IRREGULAR_SPACE = re.compile(rf"[{_INVISIBLES}]+|\s[\s{_INVISIBLES}]+|[^\S ]")
_IRREGULAR_VISIBLE_SPACE = re.compile(r"\s{2,}|[^\S ]")  # the same, in text without invisible characters


def _new_style_tones_at(s: str, glide: int) -> str:
    """The glide at `glide` and the vowel after it, as _new_style_tones leaves them (it needs the letters around)."""
    first = max(0, glide - 2)
    window = _new_style_tones(list(s[first:glide + 3]))
    return "".join(window[glide - first:glide - first + 2])


class _Shifted(Sequence[int]):
    """Offsets into a text that differs from this one only by dropped or squeezed runs: one shift per stretch."""

    def __init__(self, firsts: list[int], shifts: list[int], length: int) -> None:
        self._firsts, self._shifts, self._length = firsts, shifts, length  # stretch k starts at firsts[k]

    def __len__(self) -> int:
        return self._length

    def __iter__(self):
        bounds = self._firsts[1:] + [self._length]
        for first, end, shift in zip(self._firsts, bounds, self._shifts):
            yield from range(first + shift, end + shift)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._length))]
        if i < 0:
            i += self._length
        if not 0 <= i < self._length:
            raise IndexError(i)
        return i + self._shifts[bisect_right(self._firsts, i) - 1]


def _squeeze(s: str, runs) -> tuple[str, _Shifted, _Shifted]:
    """`s` with each (start, end, replacement) run replaced by "" or " ", and each kept character's (start, end) in `s`."""
    pieces: list[str] = []
    firsts: list[int] = []
    shifts: list[int] = []
    kept = length = 0  # s[kept:] is not yet copied; `length` characters are
    for start, end, replacement in runs:
        firsts.append(length)
        shifts.append(kept - length)
        pieces += (s[kept:start], replacement)
        length += start - kept + len(replacement)
        kept = end
    firsts.append(length)
    shifts.append(kept - length)
    pieces.append(s[kept:])
    length += len(s) - kept
    return "".join(pieces), _Shifted(firsts, shifts, length), _Shifted(firsts, [k + 1 for k in shifts], length)


def _normalise_nfc(s: str) -> tuple[str, Sequence[int], Sequence[int]] | None:
    """_normalise for the usual text (NFC, no combining marks, casefolding one to one), by whole-string operations.

    None for any other text, which takes the character-by-character way.
    """
    if not unicodedata.is_normalized("NFC", s) or _COMBINING.search(s):
        return None
    if _OLD_STYLE_TONE.search(s):
        s = _OLD_STYLE_TONE.sub(lambda m: _new_style_tones_at(s, m.start()), s)
    s = _MAPPED.sub(lambda m: _CHAR_MAP[ord(m.group())], s)  # a few characters: cheaper than str.translate
    folded = s.casefold()
    if len(folded) != len(s):
        return None  # a character casefolds to several ("ß" -> "ss")
    irregular = _IRREGULAR_SPACE if any(c in folded for c in _INVISIBLE) else _IRREGULAR_VISIBLE_SPACE
    runs = (
        (m.start(), m.end(), "" if folded[m.start()] in _INVISIBLE else " ") for m in irregular.finditer(folded)
    )
    return _squeeze(folded, runs)


def normalise_for_match(s: str) -> tuple[str, list[int]]:
    """NFC, new-style tones ("hoà" -> "hòa"), straight quotes, plain dashes, single spaces, casefolded.

    Also returns, for each character of the result, its index in `s`.
    """
    norm, starts, _ = _normalise(s)
    return norm, list(starts)


@lru_cache(maxsize=64)
def _normalised_article(text: str) -> tuple[str, Sequence[int], Sequence[int]]:
    """_normalise of an article, kept for its next facts (callers must not change the lists)."""
    return _normalise(text)


def normalised_text(text: str) -> str:
    """normalise_for_match of an article, without the offsets, kept for the article's next uses."""
    return _normalised_article(text)[0]


# ---------------------------------------------------------------- locating the quote

_NUMBER_TOKEN = re.compile(r"\d+(?:[.,]\d+)*")


def _is_word_char(c: str) -> bool:
    return c.isalnum() or bool(unicodedata.combining(c))


def _find_whole(haystack: str, needle: str) -> tuple[int, int] | None:
    """First occurrence of needle that neither starts nor ends inside a word or number."""
    i = haystack.find(needle)
    while i != -1:
        j = i + len(needle)
        starts_clean = i == 0 or not (_is_word_char(haystack[i - 1]) and _is_word_char(needle[0]))
        ends_clean = j == len(haystack) or not (_is_word_char(haystack[j]) and _is_word_char(needle[-1]))
        if starts_clean and ends_clean:
            return i, j
        i = haystack.find(needle, i + 1)
    return None


@lru_cache(maxsize=4096)
def _bare(ch: str) -> str:
    """A character without its diacritics ("ệ" -> "e", "đ" -> "d")."""
    return "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)).replace("đ", "d")


class _SkeletonChars(dict):
    """str.translate table, filled as characters are met: each character's letters without diacritics, or " "."""

    def __init__(self) -> None:
        super().__init__()
        self.not_one_to_one: set[str] = set()  # characters that become none or several ("가")

    def __missing__(self, code: int) -> str:
        bare = "".join(c if c.isalnum() else " " for c in _bare(chr(code)))
        if len(bare) != 1:
            self.not_one_to_one.add(chr(code))
        self[code] = bare
        return bare


_SKELETON_CHARS = _SkeletonChars()
_COMMON_SIGNS = "…•·°×"  # not letters or digits, so spaces in a skeleton, and not ASCII
_ASCII_SKELETON = bytes(c if chr(c).isalnum() else ord(" ") for c in range(256))  # for bytes.translate
_IRREGULAR_SKELETON_SPACE = re.compile("^ +|  +| +$")  # what is not one space between words


def _skeleton(norm: str) -> tuple[str, Sequence[int], Sequence[int]]:
    """Letters and digits only, without diacritics, words split by one space; with (start, end) in `norm`."""
    plain = norm.replace("đ", "d")
    for sign in _COMMON_SIGNS:
        plain = plain.replace(sign, " ")
    ascii_bare = unicodedata.normalize("NFD", plain).encode("ascii", "ignore")
    if len(ascii_bare) == len(norm):  # the usual case: each character is one ASCII character with its marks
        bare = ascii_bare.translate(_ASCII_SKELETON).decode("ascii")
    else:
        bare = norm.translate(_SKELETON_CHARS)
        if not _SKELETON_CHARS.not_one_to_one.isdisjoint(norm):
            return _skeleton_by_char(norm)  # a character without diacritics is none or several
    runs = (
        (m.start(), m.end(), " " if 0 < m.start() and m.end() < len(bare) else "")  # none at either end
        for m in _IRREGULAR_SKELETON_SPACE.finditer(bare)
    )
    return _squeeze(bare, runs)


def _skeleton_by_char(norm: str) -> tuple[str, list[int], list[int]]:
    """_skeleton one character at a time: for text where a character may stand for several letters, and the reference
    the faster way is tested against."""
    out, starts, ends = [], [], []
    for k, ch in enumerate(norm):
        for c in _bare(ch):
            c = c if c.isalnum() else " "
            if c == " " and (not out or out[-1] == " "):
                continue
            out.append(c)
            starts.append(k)
            ends.append(k + 1)
    while out and out[-1] == " ":
        out.pop(), starts.pop(), ends.pop()
    return "".join(out), starts, ends


@lru_cache(maxsize=64)
def _article_skeleton(norm_text: str) -> tuple[str, Sequence[int], Sequence[int]]:
    """_skeleton of a normalised article, kept for its next facts (callers must not change the lists)."""
    return _skeleton(norm_text)


def _fuzzy_span(norm_quote: str, norm_text: str) -> tuple[int, int] | None:
    """Span of norm_text that differs from the quote only in punctuation and diacritics, with the same numbers."""
    quote_skeleton = _skeleton(norm_quote)[0]
    text_skeleton, starts, ends = _article_skeleton(norm_text)
    found = _find_whole(text_skeleton, quote_skeleton) if quote_skeleton else None
    if found is None:
        return None
    span = starts[found[0]], ends[found[1] - 1]
    candidate = norm_text[span[0]:span[1]]
    if _NUMBER_TOKEN.findall(candidate) != _NUMBER_TOKEN.findall(norm_quote):
        return None
    if fuzz.ratio(norm_quote, candidate) < FUZZY_MIN_SCORE:
        return None
    return span


def locate_quote(quote: str, text: str) -> tuple[int, int, Alignment] | None:
    """Where the quote is in the text: exactly, after normalisation, or (long quotes) up to punctuation/diacritics."""
    if not quote or not quote.strip():
        return None
    found = _find_whole(text, quote)
    if found:
        return found[0], found[1], "exact"
    norm_quote = _normalise(quote)[0].strip()
    if not norm_quote:
        return None
    norm_text, starts, ends = _normalised_article(text)
    found = _find_whole(norm_text, norm_quote)
    alignment: Alignment = "normalised"
    if found is None and len(norm_quote) >= FUZZY_MIN_LENGTH:
        found, alignment = _fuzzy_span(norm_quote, norm_text), "fuzzy"
    if found is None:
        return None
    return starts[found[0]], ends[found[1] - 1], alignment


# ---------------------------------------------------------------- values

_NUMERIC_STRING = re.compile(r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def _as_value(value) -> Decimal | str | None:
    """A fact value as a Decimal, or a non-numeric string ("2003-2008"); None when unusable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if value == value and abs(value) != float("inf") else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, str) and value.strip():
        text = value.strip()
        if _NUMERIC_STRING.fullmatch(text):
            try:
                return Decimal(text)
            except InvalidOperation:
                return None
        return text
    return None


def _show(value: Decimal) -> str:
    """A number as a reader of the reason expects it: 1312, 1.312, 8860000000."""
    return str(to_json_number(value)) if value == value.to_integral_value() else format(value.normalize(), "f")


def _same(stated: Decimal, wanted: Decimal, tolerant: bool) -> bool:
    if stated == wanted:
        return True
    return tolerant and abs(stated - wanted) <= FLOAT_TOLERANCE * max(abs(stated), abs(wanted))


def _unit_problem(mention: NumberMention, unit: str) -> str | None:
    """Why the mention can't carry this unit: "%" needs a percent, "VND" needs "đồng", a percent needs "%"."""
    is_percent = mention.kind == "percent" or mention.unit == "%"
    shown = _show(mention.value)
    if unit.startswith("%"):
        return None if is_percent else f"unit '{unit}' but the quote's number {shown} is not a percentage"
    if unit.upper().startswith(("VND", "VNĐ")):
        if mention.unit != "VND":
            return f"unit '{unit}' but the quote's number {shown} is not followed by 'đồng'"
        return None
    if is_percent and unit:
        return f"the quote's number {shown} is a percentage but the unit is '{unit}'"
    return None


def _fits_kind(mention: NumberMention, unit: str) -> bool:
    """Whether a mention of this kind may carry the unit (see UNITS_FOR_KIND)."""
    allowed = UNITS_FOR_KIND.get(mention.kind)
    return allowed is None or unit.strip().casefold() in allowed


def _unsupported(reason: str, span: tuple[int, int, Alignment] | None = None) -> Verdict:
    start, end, alignment = span if span else (None, None, "none")
    return Verdict(False, start, end, alignment, reason, None, None)


def _verify_number(text: str, span: tuple[int, int, Alignment], wanted: Decimal, unit: str, tolerant: bool) -> Verdict:
    """Is `wanted` one of the numbers written in the located quote, with a fitting unit?"""
    start, end, alignment = span
    mentions = [m for m in mentions_in(text) if start <= m.start and m.end <= end]
    equal = [m for m in mentions if _same(m.value, wanted, tolerant)]
    usable = [m for m in equal if _fits_kind(m, unit)]
    for m in usable:
        if _unit_problem(m, unit) is None:
            return Verdict(True, start, end, alignment, None, m.hedge, m.text)
    shown = _show(wanted)
    if usable:
        return _unsupported(_unit_problem(usable[0], unit), span)
    if equal:
        what = "a date" if equal[0].kind == "date" else "an identifier or ordinal"
        return _unsupported(
            f"value {shown} appears in the quote only as part of {what} ('{equal[0].text}'), not as a quantity", span
        )
    for m in mentions:
        misread = english_misreading(m.text)
        if misread is not None and _same(misread, wanted, tolerant):
            return _unsupported(
                f"value {shown} needs the quote read with English separators; "
                f"written '{m.text}' means {_show(m.value)} in Vietnamese",
                span,
            )
    stated = ", ".join(_show(m.value) for m in mentions if _fits_kind(m, unit)) or "no number"
    return _unsupported(f"value {shown} is not a number stated in the quote (it states {stated})", span)


def _flexible_pattern(norm_value: str) -> re.Pattern:
    """A regex for a normalised string value, loose about spaces around "-", "," and "/" ("2020 - 2025")."""
    pieces: list[str] = []
    for token in re.findall(r"[-,/]|[^\s,/-]+", norm_value):
        if token in "-,/":
            pieces.append(rf"\s*{re.escape(token)}\s*")
        else:
            if pieces and not pieces[-1].endswith(r"\s*"):
                pieces.append(r"\s+")
            pieces.append(re.escape(token))
    return re.compile(r"(?<![\w.,])" + "".join(pieces) + r"(?![.,]?\d)(?!\w)")


def _verify_string(text: str, span: tuple[int, int, Alignment], wanted: str) -> Verdict:
    """Is the string value ("2003-2008", "2020, 2021, 2022") written in the located quote?"""
    start, end, alignment = span
    norm_span, starts, ends = _normalise(text[start:end])
    norm_value = _normalise(wanted)[0].strip()
    m = _flexible_pattern(norm_value).search(norm_span) if norm_value else None
    if m is None:
        return _unsupported(f"value '{wanted}' is not written in the quote", span)
    found_start, found_end = start + starts[m.start()], start + ends[m.end() - 1]
    inside = [n for n in mentions_in(text) if found_start <= n.start and n.end <= found_end]
    hedge = next((n.hedge for n in inside if n.hedge), None)
    return Verdict(True, start, end, alignment, None, hedge, text[found_start:found_end])


def verify_fact(text: str, *, quote: str, value, unit: str = "") -> Verdict:
    """Supported iff the quote is in the article and states the value (read the Vietnamese way) with a fitting unit."""
    if not isinstance(text, str):
        return _unsupported("the article text is not a string")
    if not isinstance(quote, str) or not quote.strip():
        return _unsupported("the quote is missing or empty")
    if unit is None:
        unit = ""
    if not isinstance(unit, str):
        return _unsupported("the unit is not a string")
    span = locate_quote(quote, text)
    if span is None:
        return _unsupported("quote not found in the article")
    wanted = _as_value(value)
    if wanted is None:
        return _unsupported("the value is missing or not a number or string", span)
    if isinstance(wanted, str):
        return _verify_string(text, span, wanted)
    return _verify_number(text, span, wanted, unit.strip(), tolerant=isinstance(value, float))


def _verdict_fields(verdict: Verdict) -> dict:
    return {
        "supported": verdict.supported,
        "start": verdict.start,
        "end": verdict.end,
        "alignment": verdict.alignment,
        "reason": verdict.reason,
        "hedge": verdict.hedge,
    }


def _fact_problem(fact) -> str | None:
    """Why a fact record can't be checked at all, or None."""
    if not isinstance(fact, dict):
        return "the fact is not an object"
    for field in ("quote", "value", "unit"):
        if fact.get(field) is None:
            return f"the fact has no {field}"
    if not isinstance(fact["quote"], str):
        return "the fact's quote is not a string"
    if not isinstance(fact["unit"], str):
        return "the fact's unit is not a string"
    if _as_value(fact["value"]) is None:
        return "the fact's value is not a number or a string"
    return None


def verify_facts(text: str, facts: list[dict]) -> list[dict]:
    """Each fact copied with supported, start, end, alignment, reason and hedge added, in order; never raises."""
    results = []
    for fact in facts if isinstance(facts, list) else []:
        problem = _fact_problem(fact)
        if problem is None:
            verdict = verify_fact(text, quote=fact["quote"], value=fact["value"], unit=fact["unit"])
        else:
            verdict = _unsupported(problem)
        results.append({**(fact if isinstance(fact, dict) else {}), **_verdict_fields(verdict)})
    return results
