"""Reading numbers written the Vietnamese way: separators, scale words, hedges, fractions, ranges and dates."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal, get_args

from babel.numbers import NumberFormatError, format_decimal, parse_decimal

KINDS = ("number", "percent", "year", "date", "fraction_part", "range_part", "ordinal")
Hedge = Literal["approximate", "lower_bound", "upper_bound"]
HEDGES = get_args(Hedge)


@dataclass(frozen=True)
class NumberMention:
    """One number as written in a text, and what it means.

    `kind` "ordinal" also covers identifiers that are not quantities ("Phường 6",
    "Quy định số 69", "21-KL/TW"); "date" covers the parts of dates and clock times.
    """

    text: str  # exactly as written, with its scale word or "%": "8,86 tỉ", "1,7%"
    start: int
    end: int
    value: Decimal  # base units; a percent stays the percent number ("1,7%" -> 1.7)
    kind: str
    hedge: str | None
    unit: str | None


# ---------------------------------------------------------------- words

SCALE_WORDS = {
    "nghìn": 10**3,
    "ngàn": 10**3,
    "triệu": 10**6,
    "tỷ": 10**9,
    "tỉ": 10**9,
    "thousand": 10**3,
    "million": 10**6,
    "billion": 10**9,  # in an English article
}
ENGLISH_BELOW = 0.05  # share of words with a Vietnamese letter under which a text is read as English

# Hedge words are matched right before the number (or after it, with its unit in between).
HEDGES_BEFORE = {
    ("gần",): "approximate",
    ("khoảng",): "approximate",
    ("ước",): "approximate",
    ("ước", "đạt"): "approximate",
    ("ước", "tính"): "approximate",
    ("xấp", "xỉ"): "approximate",
    ("chừng",): "approximate",
    ("hơn",): "lower_bound",
    ("trên",): "lower_bound",
    ("ít", "nhất"): "lower_bound",
    ("tối", "thiểu"): "lower_bound",
    ("dưới",): "upper_bound",
    ("chưa", "đến"): "upper_bound",
    ("chưa", "tới"): "upper_bound",
    ("không", "quá"): "upper_bound",
    ("tối", "đa"): "upper_bound",
}
HEDGES_AFTER = {("trở", "lên"): "lower_bound", ("trở", "xuống"): "upper_bound"}

# A number right after one of these names something ("Phường 6", "Quy định số 69", "lần thứ 4").
LABEL_WORDS = {
    ("số",),
    ("thứ",),
    ("lần",),
    ("khóa",),
    ("khoá",),
    ("kỳ",),
    ("phường",),
    ("quận",),
    ("huyện",),
    ("xã",),
    ("tổ",),
    ("ấp",),
    ("khóm",),
    ("đường",),
    ("điều",),
    ("khoản",),
    ("chương",),
    ("khu", "phố"),
    ("khu", "vực"),
    ("nghị", "quyết"),
    ("chỉ", "thị"),
    ("quyết", "định"),
    ("kết", "luận"),
    ("quy", "định"),
    ("đề", "án"),
    ("trung", "ương"),
    ("thông", "tư"),
    ("nghị", "định"),
    ("công", "văn"),
    ("quốc", "lộ"),
    ("tỉnh", "lộ"),
}
NOT_LABELS = {("trong", "số")}  # "1 trong số 3 tổ chức": a count, not a number label
DATE_WORDS = {"ngày", "tháng"}

TWO_WORD_UNITS = {
    "đảng viên",
    "chi bộ",
    "nhân khẩu",
    "thành viên",
    "cán bộ",
    "đồng chí",
    "quần chúng",
    "thủ tục",
    "cơ sở",
    "tổ chức",
    "khu vực",
    "học sinh",
    "giáo viên",
    "công chức",
    "đoàn viên",
    "hội viên",
    "doanh nghiệp",
    "gia đình",
    "lao động",
    "công trình",
    "tuyến đường",
}
UNIT_ABBREVIATIONS = {"đv": "đảng viên", "cb": "cán bộ"}
CURRENCY_WORDS = {"đồng": "VND", "vnd": "VND", "vnđ": "VND", "usd": "USD"}
NOT_UNITS = {
    "và",
    "của",
    "đã",
    "được",
    "có",
    "là",
    "với",
    "trong",
    "cho",
    "để",
    "thì",
    "mà",
    "các",
    "những",
    "so",
    "đạt",
    "tăng",
    "giảm",
    "không",
    "trở",
    "bên",
    "đến",
    "từ",
    "tại",
    "ở",
    "về",
    "theo",
    "như",
    "khi",
    "này",
    "đó",
    "nào",
    "vào",
    "ra",
    "lên",
    "hoặc",
    "hay",
}

_WORD = r"[^\W\d_](?:[^\W\d_]|[\u0300-\u036f])*"  # letters, with combining marks for NFD text
_WORD_AFTER = re.compile(rf"[^\S\n]*({_WORD})")
_WORD_BEFORE_REVERSED = re.compile(r"[^\S\n]*((?:[^\W\d_]|[\u0300-\u036f])*[^\W\d_])")  # _WORD + spaces, read backwards
_SENTENCE_BREAK = set(".!?…:;\"“”'‘’(\n")


@lru_cache(maxsize=8192)
def _key(word: str) -> str:
    """A word as compared against the lists above: NFC, casefolded, Icelandic eth read as đ."""
    return unicodedata.normalize("NFC", word).casefold().replace("ð", "đ")


def _words_after(text: str, pos: int, n: int = 3) -> list[tuple[str, int]]:
    """Up to n words following pos on the same phrase (only spaces between), with their end offsets."""
    words = []
    while len(words) < n and (m := _WORD_AFTER.match(text, pos)):
        words.append((_key(m.group(1)), m.end()))
        pos = m.end()
    return words


def _words_before(text: str, pos: int, n: int = 2) -> list[tuple[str, int]]:
    """Up to n words preceding pos on the same phrase, in reading order, with their start offsets."""
    window = text[max(0, pos - 80) : pos][::-1]  # matched backwards from pos: no scan from the left
    words: list[tuple[str, int]] = []
    offset = 0
    while len(words) < n and (m := _WORD_BEFORE_REVERSED.match(window, offset)):
        words.insert(0, (_key(m.group(1)[::-1]), pos - m.end(1)))
        offset = m.end()
    return words


def _ends_with(words: list[tuple[str, int]], phrases) -> tuple[str, ...] | None:
    """The longest phrase in `phrases` that the word list ends with."""
    keys = tuple(w for w, _ in words)
    for size in (2, 1):
        if len(keys) >= size and keys[-size:] in phrases:
            return keys[-size:]
    return None


# ---------------------------------------------------------------- single numbers

_NUM = r"\d+(?:[.,]\d+)*"
_NUMBER_ONLY = re.compile(rf"{_NUM}")
_PERCENT = re.compile(r"[^\S\n]*%")


@lru_cache(maxsize=4096)
def _parse(digits: str, locale: str) -> Decimal | None:
    """Babel's strict reading of digits with the locale's separators; None when they don't fit it."""
    try:
        return parse_decimal(digits, locale=locale, strict=True)
    except NumberFormatError:
        return None


def _tidy(value: Decimal) -> Decimal:
    """Drop meaningless exponents and trailing zeros: 8.86 * 10**9 -> 8860000000, 1.50 -> 1.5."""
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize()


def _suffix(text: str, pos: int) -> tuple[int, int, bool]:
    """What follows a number at pos: (end of the mention, scale factor, is a percent)."""
    if m := _PERCENT.match(text, pos):
        return m.end(), 1, True
    words = _words_after(text, pos, 2)
    if [w for w, _ in words] == ["phần", "trăm"]:
        return words[1][1], 1, True
    factor, end = 1, pos
    for word, word_end in words:
        if word not in SCALE_WORDS:
            break
        factor, end = factor * SCALE_WORDS[word], word_end
    return end, factor, False


_HEDGE_PREFIX = re.compile(r"^(?:(?:" + "|".join(" ".join(p) for p in sorted(HEDGES_BEFORE, key=len, reverse=True)) + r")\s+)*")
_HEDGE_SUFFIX = re.compile(r"\s+(?:" + "|".join(" ".join(p) for p in HEDGES_AFTER) + r")$")


def _split_number(s: str) -> tuple[str, int] | None:
    """Split "gần 8,86 tỉ" into its digits and scale factor ("8,86", 10**9); None if `s` is not one number."""
    return _split_text(s) if isinstance(s, str) else None


@lru_cache(maxsize=4096)
def _split_text(s: str) -> tuple[str, int] | None:
    s = _HEDGE_SUFFIX.sub("", _key(s).strip())
    s = s[_HEDGE_PREFIX.match(s).end() :]
    m = _NUMBER_ONLY.match(s)
    if not m:
        return None
    end, factor, _ = _suffix(s, m.end())
    if s[end:].strip():
        return None
    return m.group(), factor


def read_vi_number(s: str) -> Decimal | None:
    """One number as written in Vietnamese: "1.312" -> 1312, "1,7%" -> 1.7, "8,86 tỉ" -> 8860000000."""
    split = _split_number(s)
    if split is None:
        return None
    value = _parse(split[0], "vi")
    return None if value is None else _tidy(value * split[1])


def english_misreading(s: str) -> Decimal | None:
    """What an English reader would take `s` for: "1.312" -> 1.312, "1,040" -> 1040.

    None when English separators give no valid reading ("1,7") or the same one ("12").
    """
    split = _split_number(s)
    if split is None:
        return None
    english = _parse(split[0], "en")
    if english is None:
        return None
    english = _tidy(english * split[1])
    return None if english == read_vi_number(s) else english


def format_vi(value: Decimal) -> str:
    """A number written the Vietnamese way: 1312 -> "1.312", 1.7 -> "1,7"."""
    return format_decimal(Decimal(value), locale="vi", decimal_quantization=False)


def to_json_number(value: Decimal) -> int | float:
    """An int when the value is integral, else a float."""
    return int(value) if value == value.to_integral_value() else float(value)


# ---------------------------------------------------------------- numbers in running text

_DASH = r"[-–—‒−]"
_TOKEN = re.compile(
    r"(?=\d)(?<![\w.,])(?:"  # every kind starts with a digit: said first, it lets the scan skip the rest quickly
    r"(?P<date>\d{1,2}(?P<sep>[/.-])\d{1,2}(?P=sep)(?:\d{4}|\d{2})(?!\d))"
    r"|(?P<time>\d{1,2}:\d{2}(?::\d{2})?(?!\d))"
    rf"|(?P<pair>(?P<p1>{_NUM})/(?P<p2>{_NUM}))"
    rf"|(?P<range>(?P<r1>{_NUM})[^\S\n]*{_DASH}[^\S\n]*(?P<r2>{_NUM}))"
    rf"|(?P<num>{_NUM})"
    r")"
)
_IDENTIFIER_BEFORE = re.compile(rf"{_WORD}-\Z")  # "COVID-19"
_IDENTIFIER_AFTER = re.compile(rf"-{_WORD}")  # "21-KL/TW"
_CLOCK_OFFSET = re.compile(r"(?:GMT|UTC)[+-]\Z")
_LIST_GAP = re.compile(r"[^\S\n]*(?:,|và)[^\S\n]*\Z")


def _hedge(text: str, start: int, end: int) -> str | None:
    """The hedge written right before the number at start, or right after it (its unit in between)."""
    phrase = _ends_with(_words_before(text, start, 2), HEDGES_BEFORE)
    if phrase:
        return HEDGES_BEFORE[phrase]
    after = [w for w, _ in _words_after(text, end, 4)]
    for i in range(min(3, len(after) - 1)):
        if (after[i], after[i + 1]) in HEDGES_AFTER:
            return HEDGES_AFTER[(after[i], after[i + 1])]
    return None


_POWERS = str.maketrans({"²": "2", "³": "3"})
LENGTH_UNITS = {"m", "km", "cm", "dm", "mm", "hm"}
_POWER_AFTER = re.compile(r"[23](?![\w])")


def _unit(text: str, end: int, percent: bool) -> str | None:
    """ "%" for a percent, "VND" before "đồng", else the noun (1-2 words) right after the number; "m2" and "km2"
    (also written "m²") with their power."""
    if percent:
        return "%"
    after = _words_after(text, end, 2)
    words = [w for w, _ in after]
    if not words:
        return None
    first = words[0]
    if first.translate(_POWERS) != first:
        return first.translate(_POWERS)  # "m²" -> "m2"
    if first in LENGTH_UNITS and _POWER_AFTER.match(text, after[0][1]):
        return first + text[after[0][1]]  # "m2", "km2", "m3": the power is written right after the letters
    if len(words) == 2 and f"{first} {words[1]}" in TWO_WORD_UNITS:
        return f"{first} {words[1]}"  # before currencies: "2 đồng chí" is two comrades
    if first in CURRENCY_WORDS:
        return CURRENCY_WORDS[first]
    if first in UNIT_ABBREVIATIONS:
        return UNIT_ABBREVIATIONS[first]
    return None if first in NOT_UNITS else first


def _is_year(digits: str) -> bool:
    """Four plain digits between 1900 and 2100 ("2011"; a count would be written "2.011")."""
    return digits.isdigit() and len(digits) == 4 and 1900 <= int(digits) <= 2100


def _starts_sentence(text: str, pos: int) -> bool:
    """Whether the word at pos opens a sentence (so its capital letter says nothing)."""
    before = text[:pos].rstrip(" \t\u00a0")
    return not before or before[-1] in _SENTENCE_BREAK


def _kind_of_single(text: str, start: int, digits: str, factor: int, percent: bool) -> str:
    """Kind of a lone number from its context: percent, year, date part, ordinal/identifier or number."""
    if _CLOCK_OFFSET.search(text, max(0, start - 4), start):
        return "date"
    if _IDENTIFIER_BEFORE.search(text, max(0, start - 30), start) or _IDENTIFIER_AFTER.match(text, start + len(digits)):
        return "ordinal"
    if percent:
        return "percent"
    if factor != 1:
        return "number"
    before = _words_before(text, start, 2)
    if before and before[-1][0] in DATE_WORDS:
        return "date"
    if _ends_with(before, LABEL_WORDS) and not _ends_with(before, NOT_LABELS):
        return "ordinal"
    if _is_year(digits):
        return "year"
    if before and text[before[-1][1]].isupper() and not _starts_sentence(text, before[-1][1]):
        return "ordinal"  # part of a name: "Lân Thạnh 1"
    return "number"


def _components(match: re.Match, kind: str) -> list[NumberMention]:
    """The digit runs of a date or clock time, each a "date" mention."""
    offset = match.start()
    return [
        NumberMention(d.group(), offset + d.start(), offset + d.end(), Decimal(int(d.group())), kind, None, None) for d in re.finditer(r"\d+", match.group())
    ]


def _parts(text: str, match: re.Match, first: str, second: str, kind: str, locale: str = "vi") -> list[NumberMention]:
    """Two mentions for "22/24" or "2003-2008"; a trailing scale word, "%" and unit apply to both."""
    before = _words_before(text, match.start(), 1)
    if before and before[0][0] in DATE_WORDS:
        return _components(match, "date")  # "ngày 6/7", "tháng 4-2024"
    values = [_parse(match.group(g), locale) for g in (first, second)]
    if None in values:
        return []
    end, factor, percent = _suffix(text, match.end(second))
    hedge = _hedge(text, match.start(), end)
    years = all(_is_year(match.group(g)) for g in (first, second)) and factor == 1 and not percent
    unit = None if years else _unit(text, end, percent)
    spans = [(match.start(first), match.end(first)), (match.start(second), end)]
    return [NumberMention(text[s:e], s, e, _tidy(v * factor), kind, hedge, unit) for (s, e), v in zip(spans, values)]


def _single(text: str, match: re.Match, locale: str = "vi") -> list[NumberMention]:
    """The mention for a lone number, with its scale word or "%"."""
    digits = match.group("num")
    value = _parse(digits, locale)
    if value is None:
        return []  # not a valid number in the article's locale ("1.31"): ambiguous, so not reported
    end, factor, percent = _suffix(text, match.end())
    kind = _kind_of_single(text, match.start(), digits, factor, percent)
    plain = kind in ("date", "ordinal", "year")
    return [
        NumberMention(
            text[match.start() : end],
            match.start(),
            end,
            _tidy(value * factor),
            kind,
            None if plain else _hedge(text, match.start(), end),
            None if plain else _unit(text, end, percent),
        )
    ]


def _continue_ordinal_lists(text: str, mentions: list[NumberMention]) -> list[NumberMention]:
    """ "lần thứ 4, 5, 6": numbers listed right after an ordinal are ordinals too."""
    out: list[NumberMention] = []
    for m in mentions:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.kind == "ordinal"
            and m.kind == "number"
            and m.unit is None  # "Khu phố 3, 567 hộ": a counted number is not part of the list
            and _LIST_GAP.match(text, prev.end, m.start)
        ):
            m = NumberMention(m.text, m.start, m.end, m.value, "ordinal", None, None)
        out.append(m)
    return out


def find_numbers(text: str, locale: str = "vi") -> list[NumberMention]:
    """Every number mention in `text`, in order (dates and times come out as "date" parts).

    `locale` is how the digits are read: "vi" ("1.312" is 1312, "1,7" is 1.7) or "en" for an English text."""
    mentions: list[NumberMention] = []
    for match in _TOKEN.finditer(text):
        if match.group("date") or match.group("time"):
            mentions += _components(match, "date")
        elif match.group("pair"):
            mentions += _parts(text, match, "p1", "p2", "fraction_part", locale)
        elif match.group("range"):
            mentions += _parts(text, match, "r1", "r2", "range_part", locale)
        else:
            mentions += _single(text, match, locale)
    return _continue_ordinal_lists(text, mentions)


@lru_cache(maxsize=64)
def mentions_in(text: str) -> tuple[NumberMention, ...]:
    """find_numbers for a text that is read again (an article: for its candidates, its checks, its facts), in the
    text's own locale (an article in English writes "1,312" for 1312), with the counts written in words."""
    locale = text_locale(text)
    digits = find_numbers(text, locale)
    return tuple(sorted(digits + counted_number_words(text, locale, digits), key=lambda m: m.start))


# English words that may follow a number without being what it counts ("one of", "two from", "three were")
ENGLISH_NOT_COUNTED = frozenset(
    "of in on at to from by for with and or but than as per over under into out up about after before since during "
    "is are was were be been has have had do did will would can could may might must shall should "
    "the a an this that these those it its they them their he she his her we our you who which what more less most".split()
)
_PERCENT_WORDS = re.compile(r"[^\S\n]+(?:phần\s+trăm|percent|per\s+cent)\b", re.IGNORECASE)


def counted_number_words(text: str, locale: str, taken: list[NumberMention] = ()) -> list[NumberMention]:
    """Numbers written in words that count something ("hai chi bộ", "mười lăm phần trăm", "hai tỷ đồng", "ten
    households"), as mentions like digits. A number in words is a count only with the noun it counts after it (or
    "phần trăm"); a lone "một"/"one" is left out (it is "a" as often as a count), and so is a word inside a number
    in digits."""
    from summarizer.text.number_words import number_words  # which reads this module's units: imported when first used

    found = []
    for word in number_words(text, locale):
        if word.kind != "number" or word.text.casefold() in ("một", "one") or any(m.start < word.end and word.start < m.end for m in taken):
            continue
        percent = _PERCENT_WORDS.match(text, word.end)
        end = percent.end() if percent else word.end
        unit = _unit(text, end, bool(percent))
        if locale == "en" and unit is not None and not percent and (unit in ENGLISH_NOT_COUNTED or not unit.isalpha() or not unit.islower()):
            unit = None  # "five from", "ten Party": no noun counted
        if unit is None:
            continue  # no counted noun
        kind = "percent" if percent else "number"
        found.append(NumberMention(text[word.start : end], word.start, end, word.value, kind, _hedge(text, word.start, end), unit))
    return found


@lru_cache(maxsize=64)
def text_locale(text: str) -> str:
    """ "en" for a text in English (almost no word with a Vietnamese letter), else "vi"."""
    from summarizer.text.language import vietnamese_share, vietnamese_words

    # Enough Vietnamese words in the opening lines settle it for a whole article: if they alone make 5% of all its
    # words (lettered or not), the whole text's share is at least that. Reading it all is the slow path.
    if (found := vietnamese_words(text[:1000])) and found >= ENGLISH_BELOW * len(text.split()):
        return "vi"
    return "en" if vietnamese_share(text) < ENGLISH_BELOW else "vi"


# --------------------------------------------------------------------------- English prose

ENGLISH_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_ENGLISH_NUMBER = re.compile(
    r"(?<![\w.,])(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d,]\d)"
    r"(?:\s*(?P<percent>%|percent\b))?"
    r"(?:\s+(?P<scale>thousand|million|billion|trillion)\b)?",
    re.IGNORECASE,
)


def english_numbers(text: str) -> list[tuple[str, Decimal]]:
    """Numbers written the English way in `text`, as (as written, value in base units)."""
    found = []
    for match in _ENGLISH_NUMBER.finditer(text):
        try:
            value = Decimal(match.group("digits").replace(",", ""))
        except InvalidOperation:
            continue
        if match.group("scale"):
            value *= ENGLISH_SCALES[match.group("scale").lower()]
        found.append((match.group(0).strip(), value))
    return found
