"""Tests for summarizer.text.number_words: the words the libraries write for a number read back to it, spans are exact."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from vn_numberwords import number_to_words

from summarizer.text.number_words import (
    NumberWord,
    english_number_words,
    number_words,
    roman_numerals,
    vietnamese_number_words,
)

# ---------------------------------------------------------------- Vietnamese: vn-numberwords spells, we read back


def _only(found: list[NumberWord]) -> NumberWord:
    assert len(found) == 1, found
    return found[0]


@settings(max_examples=400)
@given(st.integers(0, 10**6))
@example(0)
@example(5)
@example(15)
@example(25)
@example(105)
@example(1005)
@example(10**6)
def test_vietnamese_words_read_back_to_their_number(n):
    words = number_to_words(n)
    text = f"Phường có {words} người."
    found = _only(vietnamese_number_words(text))
    assert (found.text, found.value, found.kind) == (words, Decimal(n), "number")
    assert text[found.start : found.end] == words


def test_every_vietnamese_number_up_to_two_thousand_reads_back():
    for n in range(2001):
        words = number_to_words(n)
        found = vietnamese_number_words(f"có {words} hộ")
        assert [(w.text, w.value) for w in found] == [(words, Decimal(n))], n


VARIANTS = [("nghìn", "ngàn"), ("linh", "lẻ"), ("tỷ", "tỉ")]


@given(st.integers(0, 10**6), st.sets(st.sampled_from(VARIANTS)))
def test_spelling_variants_read_the_same(n, variants):
    words = number_to_words(n)
    for written, variant in variants:
        words = words.replace(written, variant)
    assert [w.value for w in vietnamese_number_words(f"có {words} hộ")] == [Decimal(n)]


@pytest.mark.parametrize(
    "text, value",
    [("hai mươi tư", 24), ("hai mươi một", 21), ("mười tư", 14), ("hai chục", 20), ("ba mươi nhăm", 35), ("chín tỷ", 9 * 10**9), ("năm nghìn tỷ", 5 * 10**12)],
)
def test_common_variants(text, value):
    found = _only(vietnamese_number_words(f"có {text} hộ"))
    assert (found.text, found.value) == (text, Decimal(value))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("năm 2020 đạt chỉ tiêu", []),  # a year
        ("năm qua, hàng năm, mỗi năm", []),
        ("có năm người", [("năm", 5)]),  # before a counted noun
        ("năm năm liền", [("năm", 5)]),  # five years: the second is the year
        ("mười năm qua", [("mười", 10)]),  # not "mười lăm"
        ("hai mươi năm qua", [("hai mươi", 20)]),
        ("một trăm năm", []),  # a hundred years, or 105: not read
        ("một số chi bộ, một cách, một lòng", []),
        ("là một trong những đơn vị", [("một", 1)]),
        ("không có chi bộ yếu kém, không chỉ, không ngừng", []),  # "không" is "not"
        ("một trăm hai", []),  # 120 to a speaker, 102 to vn-numberwords
        ("hai nghìn rưỡi", []),
        ("ông Lê Văn Ba và Khu phố Tám", []),  # capitalised inside a sentence: a name
        ("Ba chi bộ đạt chuẩn", [("Ba", 3)]),  # capitalised at a sentence start
        ("Thứ Năm, 23-11-2023", []),
        ("9 tỷ đồng, 1.312 đảng viên", []),  # digits are read by text/numbers.py
        ("hàng trăm hộ, hàng nghìn người", []),
        ("hai, ba người", [("hai", 2), ("ba", 3)]),  # punctuation ends a phrase
        ("hai tỷ tỷ đồng", [("hai tỷ", 2 * 10**9)]),  # vn-numberwords cannot spell the whole: the longest it can
    ],
)
def test_vietnamese_ambiguity_is_read_conservatively(text, expected):
    assert [(w.text, w.value) for w in vietnamese_number_words(text)] == [(t, Decimal(v)) for t, v in expected]


@pytest.mark.parametrize("text, value", [("lần thứ năm", 5), ("lần thứ tư", 4), ("thứ nhất", 1), ("lần thứ mười hai", 12), ("thứ hai", 2)])
def test_vietnamese_ordinals_after_thu(text, value):
    found = _only(vietnamese_number_words(text))
    assert (found.value, found.kind) == (Decimal(value), "ordinal")
    assert text.endswith(found.text)  # the span is the number, without "thứ"


# ---------------------------------------------------------------- English: words spelled here, read by text2num

ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
ORDINAL_ENDINGS = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth", "nine": "ninth", "twelve": "twelfth"}


def _below_hundred(n: int, hyphen: bool) -> str:
    if n < 20:
        return ONES[n]
    tens, ones = divmod(n, 10)
    return TENS[tens] + (("-" if hyphen else " ") + ONES[ones] if ones else "")


def _below_thousand(n: int, hyphen: bool, use_and: bool) -> str:
    hundreds, rest = divmod(n, 100)
    if not hundreds:
        return _below_hundred(rest, hyphen)
    words = f"{ONES[hundreds]} hundred"
    return words + ((" and " if use_and else " ") + _below_hundred(rest, hyphen) if rest else "")


def spell_english(n: int, hyphen: bool = True, use_and: bool = True) -> str:
    """n in English words (British "and", hyphenated tens), up to a million: a reference for the reader."""
    if n == 10**6:
        return "one million"
    thousands, rest = divmod(n, 1000)
    if not thousands:
        return _below_thousand(rest, hyphen, use_and)
    words = f"{_below_thousand(thousands, hyphen, use_and)} thousand"
    if rest:
        joiner = " and " if use_and and rest < 100 else " "
        words += joiner + _below_thousand(rest, hyphen, use_and)
    return words


def spell_english_ordinal(n: int) -> str:
    words = spell_english(n)
    head, _, last = words.rpartition(" ") if " " in words else ("", "", words)
    prefix, dash, final = last.rpartition("-")
    if final in ORDINAL_ENDINGS:
        final = ORDINAL_ENDINGS[final]
    elif final.endswith("y"):
        final = final[:-1] + "ieth"
    else:
        final += "th"
    last = prefix + dash + final
    return f"{head} {last}" if head else last


@settings(max_examples=400)
@given(st.integers(0, 10**6), st.booleans(), st.booleans())
@example(0, True, True)
@example(1005, True, True)
@example(999_999, False, False)
@example(10**6, True, True)
def test_english_words_read_back_to_their_number(n, hyphen, use_and):
    words = spell_english(n, hyphen, use_and)
    text = f"The ward had {words} members."
    found = _only(english_number_words(text))
    assert (found.text, found.value, found.kind) == (words, Decimal(n), "number")
    assert text[found.start : found.end] == words


@given(st.integers(2, 10**6))
@example(6)
@example(21)
@example(60)  # text2num lacks "sixtieth": read here as sixty, marked ordinal
@example(101)
def test_english_ordinals_read_back(n):
    words = spell_english_ordinal(n)
    found = _only(english_number_words(f"the {words} congress"))
    assert (found.text, found.value, found.kind) == (words, Decimal(n), "ordinal")


def test_every_english_number_and_ordinal_up_to_two_thousand_reads_back():
    for n in range(2001):
        words = spell_english(n)
        assert [(w.text, w.value, w.kind) for w in english_number_words(f"with {words} cells")] == [(words, Decimal(n), "number")], n
        if n >= 2:
            ordinal = spell_english_ordinal(n)
            assert [(w.text, w.value, w.kind) for w in english_number_words(f"the {ordinal} time")] == [(ordinal, Decimal(n), "ordinal")], n


@pytest.mark.parametrize(
    "text, expected",
    [
        ("nearly 1.5 million people and 327 members", []),  # digits and their scale: text/numbers.py
        ("no one came; they helped one another", []),
        ("at first, the first time", []),
        ("a million people", [("million", 10**6)]),
        ("Two members were admitted.", [("Two", 2)]),
        ("one point five million", [("one point five million", 1_500_000)]),
        ("two or three households", [("two", 2), ("three", 3)]),
    ],
)
def test_english_words_that_are_not_counts(text, expected):
    assert [(w.text, w.value) for w in english_number_words(text)] == [(t, Decimal(v)) for t, v in expected]


# ---------------------------------------------------------------- Roman numerals


def to_roman(n: int) -> str:
    out = ""
    for value, letters in ((90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + letters, n - value
    return out


@given(st.integers(1, 99), st.sampled_from(["khóa", "lần thứ", "Đại hội", "nhiệm kỳ"]))
def test_roman_numerals_after_a_label_read_back(n, label):
    numeral = to_roman(n)
    text = f"Nghị quyết {label} {numeral} của Đảng bộ"
    found = _only(roman_numerals(text, "vi"))
    assert (found.text, found.value, found.kind) == (numeral, Decimal(n), "ordinal")
    assert text[found.start : found.end] == numeral


def test_roman_numerals_in_lists_and_without_label():
    text = "Nghị quyết Trung ương 4 khóa XII, XIII; Đại hội lần thứ IX, X. Ông XI Lâm, lớp IIA, TP. HCM"
    assert [(w.text, int(w.value)) for w in roman_numerals(text, "vi")] == [("XII", 12), ("XIII", 13), ("IX", 9), ("X", 10)]
    english = "the XIII Congress, Congress V, and I said MIX VIV"
    assert [(w.text, int(w.value)) for w in roman_numerals(english, "en")] == [("XIII", 13), ("V", 5)]


# ---------------------------------------------------------------- spans of any text

PIECES = st.sampled_from(
    ["hai", "mươi", "mốt", "năm", "người", "một", "số", "trăm", "nghìn", "khóa", "XI", "thứ", "tư", ",", ".", " ", "  ", "\n", "Ba", "2.400", "lăm"]
    + ["two", "hundred", "and", "sixth", "million", "one", "XIII", "Congress", "-", "first", "1.5"]
)


@given(st.lists(PIECES, max_size=30).map(" ".join), st.sampled_from(["en", "vi"]))
def test_spans_are_exact_substrings_in_order(text, language):
    found = number_words(text, language)
    for item in found:
        assert text[item.start : item.end] == item.text
        assert item.kind in ("number", "ordinal")
        assert item.value >= 0
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))
