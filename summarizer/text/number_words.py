"""Numbers written in words in running text, with their spans: English, Vietnamese, and Roman numerals.

Numbers in digits ("1.312", "8,86 tỉ", "1.5 million") are read by summarizer.text.numbers; this module reads
only what has no digit in it.

English: text2num reads the words ("two", "twenty-one", "two hundred and fifteen", "sixth"); this module gives it
the text as word and punctuation tokens and maps what it finds back to character offsets. A scale word after
digits ("1.5 million") is left to the digit readers. Left out as not a count: "no one", "one another", a lone
"first" ("at first", "first of all"), "second," and "third," opening a sentence.

Vietnamese: vn-numberwords reads a phrase, but it takes any word it knows (and slang such as "củ", "lít") from
anywhere in a text and reads "một trăm hai" as 102 where a speaker means 120. So the phrases are found here: the
longest run of number words that vn-numberwords writes back the same way when it spells the value it read
(variants allowed: ngàn/nghìn, tỉ/tỷ, lẻ/linh, chục/mươi, nhăm/lăm, tư/bốn and một/mốt after "mươi"). Ambiguous
words are read conservatively:
  * "năm" is a year as often as five, and "không" means "not": alone they are numbers only when a counted noun
    follows ("năm người", "không hộ") or "thứ" stands before them ("lần thứ năm");
  * "một" is "a" in "một số", "một cách", "một lòng"...: there it is not read;
  * "tư" and "nhất" are numbers only after "thứ" ("thứ tư", "thứ nhất");
  * a phrase whose scale word is followed by a lone digit word ("một trăm hai", "hai nghìn rưỡi") is not read:
    colloquially it means 120 and 2500, not 102 and 2000;
  * a capitalised number word inside a sentence is part of a name ("Lê Văn Ba", "Thứ Năm") and is not read.

Roman numerals are ordinals: in Vietnamese after "khóa", "lần thứ", "Đại hội", "kỳ", "thế kỷ"... and in the
lists that follow ("khóa XII, XIII", "lần thứ IX, X"); in English any run of two or more of I, V, X, L, C that
is a valid numeral ("XIII"), or a single one after "Congress", "term", "plenum", "session"...
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from functools import lru_cache
from typing import Literal, NamedTuple

from text_to_num import find_numbers as _text2num_find
from vn_numberwords import number_to_words, words_to_number

from summarizer.text.numbers import TWO_WORD_UNITS

Kind = Literal["number", "ordinal"]


class NumberWord(NamedTuple):
    """A number written in words (or Roman numerals): text == source[start:end]."""

    start: int
    end: int
    text: str
    value: Decimal
    kind: Kind  # "number" or "ordinal"


def _key(word: str) -> str:
    return unicodedata.normalize("NFC", word).casefold()


def _starts_sentence(text: str, pos: int) -> bool:
    before = text[:pos].rstrip(" \t\u00a0")
    return not before or before[-1] in ".!?…:;\"“”'‘’([\n-–—"


# ---------------------------------------------------------------- English

_EN_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+(?:[.,]\d+)*|\S")
_SCALE_WORDS = {"thousand", "million", "billion", "trillion"}
_MISSING_ORDINALS = {"sixtieth": "sixty"}  # text2num 3.1 does not know these: read as the number, marked ordinal
_EN_ORDINAL_SUFFIX = re.compile(r"(st|nd|rd|th)$")


class _Token:
    """A word or punctuation mark as text2num's find_numbers wants it."""

    __slots__ = ("word",)

    def __init__(self, word: str) -> None:
        self.word = word

    def text(self) -> str:
        return self.word

    def nt_separated(self, previous) -> bool:
        return False

    def not_a_number_part(self) -> bool:
        return False


def _as_decimal(value: float, written: str) -> Decimal:
    """text2num's value as an exact decimal: from its digits when it wrote them ("215", "6th", "1.5")."""
    digits = _EN_ORDINAL_SUFFIX.sub("", written)
    try:
        number = Decimal(digits)
    except ArithmeticError:
        number = Decimal(repr(value))
    return _tidy(number)


def _tidy(number: Decimal) -> Decimal:
    """1500000.0 -> 1500000, 1.50 -> 1.5."""
    return Decimal(int(number)) if number == number.to_integral_value() else number.normalize()


def english_number_words(text: str) -> list[NumberWord]:
    """Numbers written in English words in `text` ("two", "twenty-one", "two hundred", "sixth"), in order."""
    tokens = [(m.group(), m.start(), m.end()) for m in _EN_TOKEN.finditer(text)]
    if not tokens:
        return []
    found: list[NumberWord] = []
    words_read = [_MISSING_ORDINALS.get(word.casefold(), word) for word, _, _ in tokens]
    occurrences = _text2num_find([_Token(word) for word in words_read], "en", 0)
    for k, occurrence in enumerate(occurrences):
        first, last = occurrence.start, occurrence.end - 1
        words = [tokens[i][0].casefold() for i in range(first, last + 1)]
        if any(w[0].isdigit() for w in words):
            continue  # digits are read by summarizer.text.numbers
        if words in (["o"], ["oh"]) or (first > 0 and tokens[first - 1][2] == tokens[first][1] and tokens[first - 1][0][-1].isalnum()):
            continue  # the letter O ("gpt-4o", "O'Neill"), or a word glued to the one before it
        before = tokens[first - 1][0].casefold() if first > 0 else ""
        after = tokens[last + 1][0].casefold() if last + 1 < len(tokens) else ""
        if words[0] in _SCALE_WORDS and before != "a":
            continue  # "1.5 million" (the digit readers'), "per thousand"
        if words == ["one"] and (before in {"no", "any", "every", "some"} or after == "another"):
            continue
        if words == ["first"] or (words[0] in {"second", "third"} and len(words) == 1 and after == "," and _starts_sentence(text, tokens[first][1])):
            continue
        value = _as_decimal(occurrence.value, occurrence.text)
        start, end = tokens[first][1], tokens[last][2]
        if k + 1 < len(occurrences) and not occurrence.is_ordinal:  # "one point five" + "million"
            following = occurrences[k + 1]
            if following.start == occurrence.end and following.end == following.start + 1 and tokens[following.start][0].casefold() in _SCALE_WORDS:
                value = _tidy(value * Decimal(int(following.value)))
                end = tokens[following.start][2]
        ordinal = occurrence.is_ordinal or words[-1] in _MISSING_ORDINALS
        found.append(NumberWord(start, end, text[start:end], value, "ordinal" if ordinal else "number"))
    return found


# ---------------------------------------------------------------- Vietnamese

UNIT_WORDS = {"không": 0, "một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9}
_AFTER_TENS = {"mốt", "tư", "lăm", "nhăm"}  # only inside a number ("hai mươi mốt", "mười lăm")
_TENS = {"mười", "mươi", "chục"}
_ZERO_TENS = {"linh", "lẻ"}
_HUNDRED = {"trăm"}
_SCALES = {"nghìn", "ngàn", "triệu", "tỷ", "tỉ"}
_NUMBER_WORDS = set(UNIT_WORDS) | _AFTER_TENS | _TENS | _ZERO_TENS | _HUNDRED | _SCALES
_STARTERS = set(UNIT_WORDS) | {"mười"}
_VARIANTS = {"ngàn": "nghìn", "tỉ": "tỷ", "lẻ": "linh", "chục": "mươi", "nhăm": "lăm"}
_NEED_A_NOUN = {"năm", "không"}  # alone: a number only before a counted noun
_MOT_IDIOMS = {"số", "cách", "lòng", "khi", "chút", "vài", "ít", "thời", "mặt", "loạt", "nửa", "phần", "lúc", "hồi", "mai", "mình"}
_ORDINAL_ONLY = {"nhất": 1, "tư": 4}  # after "thứ"
_RUN_BREAKERS = {"rưỡi", "phẩy"}  # "hai nghìn rưỡi", "một phẩy năm": a phrase vn-numberwords would misread
# Nouns a lone "năm" or "không" may count ("năm người", "năm năm"), besides the two-word units of summarizer.text.numbers
COUNTED_NOUNS = frozenset(
    "người hộ căn năm tháng ngày tuần giờ phút lần lượt khóa khoá tổ xã phường ấp thôn khu con cái chiếc ngôi trường lớp em "
    "cháu km ha tấn mét ký kg suất điểm nhà tỷ tỉ triệu nghìn ngàn trăm bạn vị vụ đợt buổi tiết phòng".split()
)
_VI_WORD = re.compile(r"[^\W\d_]+")


def _canonical(words: list[str]) -> list[str]:
    """A number phrase with its spelling variants replaced by the ones vn-numberwords writes."""
    out = []
    for i, word in enumerate(words):
        word = _VARIANTS.get(word, word)
        if i and words[i - 1] == "mươi" and word in {"một", "tư"}:
            word = {"một": "mốt", "tư": "bốn"}[word]
        elif i and words[i - 1] == "mười" and word == "tư":
            word = "bốn"
        out.append(word)
    return out


@lru_cache(maxsize=4096)
def _read_phrase(words: tuple[str, ...]) -> int | None:
    """The value of a run of number words when vn-numberwords spells that value back the same way, else None."""
    try:
        value = words_to_number(list(words))
        if not isinstance(value, int) or value < 0:
            return None
        spelled = number_to_words(value).split()
    except (ValueError, ArithmeticError, IndexError, KeyError, TypeError):
        return None  # vn-numberwords fails on some runs ("hai tỷ tỷ" is too big for it to spell)
    return value if spelled == _canonical(list(words)) else None


def _ordinal_marker(keys: list[str], i: int, adjacent: list[bool]) -> bool:
    return i > 0 and adjacent[i] and keys[i - 1] == "thứ"


def vietnamese_number_words(text: str) -> list[NumberWord]:
    """Numbers written in Vietnamese words in `text` ("hai", "mười lăm", "một nghìn ba trăm"), in order."""
    words = [(m.group(), m.start(), m.end()) for m in _VI_WORD.finditer(text)]
    keys = [_key(w) for w, _, _ in words]
    # adjacent[i]: word i follows word i-1 with only spaces between (a phrase never crosses punctuation)
    adjacent = [i > 0 and not text[words[i - 1][2] : words[i][1]].strip(" \t\u00a0") for i in range(len(words))]
    found: list[NumberWord] = []
    i = 0
    while i < len(words):
        ordinal = _ordinal_marker(keys, i, adjacent)
        if keys[i] not in _STARTERS and not (ordinal and keys[i] in _ORDINAL_ONLY):
            i += 1
            continue
        run_end = i + 1
        while run_end < len(words) and adjacent[run_end] and keys[run_end] in _NUMBER_WORDS:
            run_end += 1
        phrase = _longest_phrase(keys, i, run_end, ordinal)
        if phrase is None:
            i = run_end if run_end > i + 1 else i + 1
            continue
        end, value = phrase
        if _is_read(text, words, keys, adjacent, i, end, run_end, ordinal):
            start, stop = words[i][1], words[end - 1][2]
            found.append(NumberWord(start, stop, text[start:stop], Decimal(value), "ordinal" if ordinal else "number"))
            i = end
        else:
            i = run_end
    return found


def _longest_phrase(keys: list[str], i: int, run_end: int, ordinal: bool) -> tuple[int, int] | None:
    """(end, value) of the longest phrase from word i that reads back the same way; None if there is none."""
    if ordinal and keys[i] in _ORDINAL_ONLY and (run_end == i + 1 or keys[i] == "nhất"):
        return i + 1, _ORDINAL_ONLY[keys[i]]
    for end in range(run_end, i, -1):
        value = _read_phrase(tuple(keys[i:end]))
        if value is not None:
            return end, value
    return None


def _is_read(text: str, words, keys: list[str], adjacent: list[bool], i: int, end: int, run_end: int, ordinal: bool) -> bool:
    """Whether the phrase words[i:end] is a number here, by the conservative rules of the module docstring."""
    if any(words[k][0][0].isupper() and not _starts_sentence(text, words[k][1]) for k in range(i, end)):
        return False  # part of a name: "Lê Văn Ba", "Thứ Năm"
    if end < run_end and keys[end - 1] in _HUNDRED | _SCALES and keys[end] in UNIT_WORDS:
        return False  # "một trăm hai": 120 to a speaker
    next_word = keys[end] if end < len(words) and adjacent[end] else None
    next_two = f"{next_word} {keys[end + 1]}" if next_word and end + 1 < len(words) and adjacent[end + 1] else None
    if next_word in _RUN_BREAKERS:
        return False
    if ordinal or end > i + 1:
        return True
    if keys[i] in _NEED_A_NOUN:
        return next_word in COUNTED_NOUNS or next_two in TWO_WORD_UNITS
    if keys[i] == "một":
        return next_word not in _MOT_IDIOMS
    return True


# ---------------------------------------------------------------- Roman numerals

_ROMAN = re.compile(r"(?<![\w.])([IVXLC]+)(?![\w])")
_VALID_ROMAN = re.compile(r"(?=[IVXLC])(C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_VI_ROMAN_LABEL = re.compile(r"(?:khóa|khoá|thứ|đại hội|kỳ|kì|thế kỷ|thế kỉ|chương|phần|mục|quyển|tập)\s*\Z", re.IGNORECASE)
_EN_ROMAN_LABEL = re.compile(r"(?:congress|term|plenum|session|conference|chapter|part|article|volume|world war|century)\s*\Z", re.IGNORECASE)
_ROMAN_LIST_GAP = re.compile(r"\s*(?:,|và|and|&|-|–)\s*\Z")


def _roman_value(numeral: str) -> int | None:
    if not _VALID_ROMAN.fullmatch(numeral):
        return None
    total = 0
    for ch, following in zip(numeral, numeral[1:] + " "):
        value = _ROMAN_VALUES[ch]
        total += -value if following != " " and _ROMAN_VALUES[following] > value else value
    return total


def roman_numerals(text: str, language: str = "vi") -> list[NumberWord]:
    """Roman numerals used as ordinals ("khóa XI", "lần thứ XIV", "Đại hội XIII"; "the XIII Congress"), in order."""
    label = _VI_ROMAN_LABEL if language == "vi" else _EN_ROMAN_LABEL
    found: list[NumberWord] = []
    for match in _ROMAN.finditer(text):
        value = _roman_value(match.group(1))
        if value is None:
            continue
        window = text[max(0, match.start() - 20) : match.start()]
        listed = bool(found) and _ROMAN_LIST_GAP.fullmatch(text[found[-1].end : match.start()]) is not None
        labelled = label.search(window) is not None
        if language != "vi" and len(match.group(1)) < 2:
            listed = False  # "I" is a pronoun in English: a single letter counts only after its label
        if listed or labelled or (language != "vi" and len(match.group(1)) >= 2):
            found.append(NumberWord(match.start(), match.end(), match.group(1), Decimal(value), "ordinal"))
    return found


# ---------------------------------------------------------------- both


def number_words(text: str, language: str) -> list[NumberWord]:
    """Every number in words and Roman numerals of `text` in that language ("en" or "vi"), in order."""
    words = english_number_words(text) if language == "en" else vietnamese_number_words(text)
    found = sorted(words + roman_numerals(text, language))
    kept: list[NumberWord] = []
    for item in found:
        if not kept or item.start >= kept[-1].end:
            kept.append(item)
    return kept
