"""Tests for summarizer.grounding.verify: every gold fact is supported, every corrupted copy is not."""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from decimal import Decimal

import pytest
from conftest import GOLD, SEEDS
from hypothesis import given
from hypothesis import strategies as st

from summarizer.grounding import align as grounding
from summarizer.grounding.align import locate_quote, normalise_for_match
from summarizer.grounding.verify import Verdict, verify_fact, verify_facts
from summarizer.text import numbers


def _load_gold() -> list[tuple[str, dict]]:
    if not GOLD.is_dir():
        return []
    facts = []
    for path in sorted(GOLD.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        facts += [(record["article"], fact) for fact in record["facts"]]
    return facts


GOLD_FACTS = _load_gold()
needs_gold = pytest.mark.skipif(not GOLD_FACTS, reason=f"gold facts not found at {GOLD} (shared/gold beside the repo)")


def _params(facts):
    return [pytest.param(a, f, id=f"{a[:3]}-{f['quote'][:30]}") for a, f in facts]


def _seed(article: str) -> str:
    return (SEEDS / article).read_text(encoding="utf-8")


def _check(text: str, fact: dict, **changes) -> Verdict:
    fact = {**fact, **changes}
    return verify_fact(text, quote=fact["quote"], value=fact["value"], unit=fact["unit"])


NUMERIC = [(a, f) for a, f in GOLD_FACTS if not isinstance(f["value"], str)]
STRINGS = [(a, f) for a, f in GOLD_FACTS if isinstance(f["value"], str)]


# ---------------------------------------------------------------- the gold facts hold


@needs_gold
def test_gold_has_59_facts():
    assert len(GOLD_FACTS) == 59


@needs_gold
@pytest.mark.parametrize("article, fact", _params(GOLD_FACTS))
def test_gold_fact_is_supported_at_its_offsets(article, fact):
    verdict = _check(_seed(article), fact)
    assert verdict.supported, verdict.reason
    assert (verdict.start, verdict.end) == (fact["start"], fact["end"])
    assert verdict.alignment == "exact"
    assert verdict.reason is None
    assert verdict.matched_text


@needs_gold
def test_verify_facts_on_each_gold_article():
    by_article: dict[str, list[dict]] = {}
    for article, fact in GOLD_FACTS:
        by_article.setdefault(article, []).append(fact)
    for article, facts in by_article.items():
        given = copy.deepcopy(facts)
        results = verify_facts(_seed(article), given)
        assert given == facts, "inputs are not modified"
        assert [r["quote"] for r in results] == [f["quote"] for f in facts]
        assert all(r["supported"] for r in results), [r["reason"] for r in results if not r["supported"]]
        assert [(r["start"], r["end"]) for r in results] == [(f["start"], f["end"]) for f in facts]


# ---------------------------------------------------------------- corrupted copies fail


@needs_gold
@pytest.mark.parametrize("article, fact", _params(NUMERIC))
def test_value_times_ten_is_unsupported(article, fact):
    verdict = _check(_seed(article), fact, value=fact["value"] * 10)
    assert not verdict.supported
    assert "not a number stated in the quote" in verdict.reason
    assert (verdict.start, verdict.end) == (fact["start"], fact["end"])


@needs_gold
@pytest.mark.parametrize("article, fact", _params(STRINGS))
def test_string_value_with_a_changed_year_is_unsupported(article, fact):
    value = re.sub(r"\d$", lambda m: str((int(m.group()) + 1) % 10), fact["value"])
    verdict = _check(_seed(article), fact, value=value)
    assert not verdict.supported
    assert "is not written in the quote" in verdict.reason


THOUSANDS = [(a, f) for a, f in NUMERIC if re.search(r"\d\.\d{3}(?!\d)", f["quote"])]


@needs_gold
def test_there_are_facts_with_thousands_dots():
    assert len(THOUSANDS) >= 6


@needs_gold
@pytest.mark.parametrize("article, fact", _params(THOUSANDS))
@pytest.mark.parametrize("as_type", [float, Decimal, str])
def test_thousands_dot_read_as_decimal_point_is_unsupported(article, fact, as_type):
    misread = Decimal(fact["value"]) / 1000  # 1312 -> 1.312
    verdict = _check(_seed(article), fact, value=as_type(str(misread)))
    assert not verdict.supported
    assert "English separators" in verdict.reason
    assert f"means {fact['value']} in Vietnamese" in verdict.reason


@needs_gold
@pytest.mark.parametrize("article, fact", _params(GOLD_FACTS))
def test_quote_from_another_article_is_unsupported(article, fact):
    text = _seed(article)
    foreign = next(f for a, f in GOLD_FACTS if a != article and locate_quote(f["quote"], text) is None)
    for value in (fact["value"], foreign["value"]):
        verdict = _check(text, fact, quote=foreign["quote"], value=value)
        assert not verdict.supported
        assert verdict.reason == "quote not found in the article"
        assert (verdict.start, verdict.end, verdict.alignment) == (None, None, "none")


def _last_plain_word(quote: str) -> re.Match:
    return [m for m in re.finditer(r"[^\W\d_]+", quote)][-1]


def _word_added(quote: str) -> str:
    first, rest = quote.split(" ", 1)
    return f"{first} không {rest}"


def _word_replaced(quote: str) -> str:
    m = _last_plain_word(quote)
    other = "khác" if m.group() != "khác" else "mới"
    return quote[: m.start()] + other + quote[m.end() :]


def _letter_changed(quote: str) -> str:
    m = _last_plain_word(quote)
    word = m.group()
    word = word[:-1] + ("x" if word[-1] != "x" else "y")
    return quote[: m.start()] + word + quote[m.end() :]


def _digit_changed(quote: str) -> str:
    m = re.search(r"\d", quote)
    return quote[: m.start()] + str((int(m.group()) + 1) % 10) + quote[m.end() :]


@needs_gold
@pytest.mark.parametrize("corrupt", [_word_added, _word_replaced, _letter_changed, _digit_changed])
@pytest.mark.parametrize("article, fact", _params(GOLD_FACTS))
def test_changed_quote_is_unsupported(article, fact, corrupt):
    changed = corrupt(fact["quote"])
    assert changed != fact["quote"]
    verdict = _check(_seed(article), fact, quote=changed)
    assert not verdict.supported
    assert verdict.reason == "quote not found in the article"


# ---------------------------------------------------------------- tolerated variants


def _to_old_style(s: str) -> str:
    for new, old in {"hóa": "hoá", "hòa": "hoà", "ủy": "uỷ", "thủy": "thuỷ", "khóa": "khoá"}.items():
        s = s.replace(new, old)
    return s


VARIANTS = {
    "NFD": lambda q: unicodedata.normalize("NFD", q),
    "upper": str.upper,
    "lower": str.lower,
    "double space": lambda q: q.replace(" ", "  ", 1),
    "non-breaking space": lambda q: q.replace(" ", "\u00a0", 1),
    "old-style tones": _to_old_style,
}


VARIANT_CASES = [
    pytest.param(a, f, name, id=f"{name}-{a[:3]}-{f['quote'][:30]}")
    for name, variant in VARIANTS.items()
    for a, f in GOLD_FACTS
    if variant(f["quote"]) != f["quote"]
]


@needs_gold
def test_every_variant_applies_to_some_gold_quotes():
    assert {case.values[2] for case in VARIANT_CASES} == set(VARIANTS)


@needs_gold
@pytest.mark.parametrize("article, fact, variant", VARIANT_CASES)
def test_variant_quote_is_supported_with_gold_offsets(article, fact, variant):
    quote = VARIANTS[variant](fact["quote"])
    verdict = _check(_seed(article), fact, quote=quote)
    assert verdict.supported, verdict.reason
    assert verdict.alignment == "normalised"
    assert (verdict.start, verdict.end) == (fact["start"], fact["end"])


@needs_gold
@pytest.mark.parametrize("article, fact", _params([(a, f) for a, f in GOLD_FACTS if _to_old_style(f["quote"]) != f["quote"]]))
def test_article_in_old_style_still_supports_new_style_quote(article, fact):
    text = _to_old_style(_seed(article))  # same length: offsets stay valid
    verdict = _check(text, fact)
    assert verdict.supported, verdict.reason
    assert verdict.alignment == "normalised"
    assert (verdict.start, verdict.end) == (fact["start"], fact["end"])


def test_straight_quotes_match_curly_quotes():
    text = _seed("000_25d47c26562bab5c.txt")
    start = text.index("danh hiệu “Phường văn minh đô thị”")
    end = start + len("danh hiệu “Phường văn minh đô thị”")
    verdict = verify_fact(text, quote='danh hiệu "Phường văn minh đô thị"', value="Phường văn minh đô thị")
    assert verdict.supported, verdict.reason
    assert (verdict.start, verdict.end, verdict.alignment) == (start, end, "normalised")
    assert verdict.matched_text == "Phường văn minh đô thị"


def test_curly_quote_matches_straight_article():
    text = _seed("000_25d47c26562bab5c.txt").replace("“", '"').replace("”", '"')
    start = text.index('"Phường văn minh đô thị"')
    assert locate_quote("“Phường văn minh đô thị”", text) == (start, start + 24, "normalised")


def test_en_dash_matches_hyphen():
    text = _seed("000_25d47c26562bab5c.txt")
    verdict = verify_fact(text, quote="Từ năm 2003–2008, Đảng bộ Phường 6", value="2003-2008", unit="period")
    assert verdict.supported and verdict.alignment == "normalised"
    assert verdict.start == text.index("Từ năm 2003-2008")


def test_old_style_tone_in_the_article():
    text = _seed("002_e3ece47872f8ab9d.txt")  # writes "Đảng uỷ đã ban hành"
    verdict = verify_fact(text, quote="Đảng ủy đã ban hành Nghị quyết số 05", value="05", unit="")
    assert verdict.alignment == "normalised"
    assert text[verdict.start : verdict.end] == "Đảng uỷ đã ban hành Nghị quyết số 05"
    assert verdict.supported, verdict.reason  # an identifier supports a value with no unit


def test_double_space_in_the_article():
    text = _seed("002_e3ece47872f8ab9d.txt")  # "lần thứ IX, X,\u00a0 kinh tế"
    span = locate_quote("lần thứ IX, X, kinh tế của phường", text)
    assert span is not None and span[2] == "normalised"
    assert text[span[0] : span[1]] == "lần thứ IX, X,\u00a0 kinh tế của phường"


def test_eth_stands_in_for_d_with_stroke():
    text = _seed("003_78463087fb1616f8.txt")  # writes "Ðảng bộ" with an Icelandic eth
    span = locate_quote("sức chiến đấu của Đảng bộ, xây dựng Đảng bộ phường", text)
    assert span is not None and span[2] == "normalised"
    assert text[span[0] : span[1]].startswith("sức chiến đấu của Ðảng bộ")


# ---------------------------------------------------------------- fuzzy alignment

TEXT_001 = "001_ec4d3e1a54c06ea6.txt"


def test_fuzzy_accepts_a_missing_diacritic_in_a_long_quote():
    text = _seed(TEXT_001)
    quote = "trong 1.312 đảng viên được đánh gia có 1.040"  # "giá" written "gia"
    verdict = verify_fact(text, quote=quote, value=1040, unit="đảng viên")
    assert verdict.supported, verdict.reason
    assert verdict.alignment == "fuzzy"
    assert text[verdict.start : verdict.end] == "trong 1.312 đảng viên được đánh giá có 1.040"


def test_fuzzy_accepts_punctuation_variants():
    text = _seed(TEXT_001)
    verdict = verify_fact(text, quote="trong 1.312 đảng viên, được đánh giá có 1.040", value=1040, unit="đảng viên")
    assert verdict.supported and verdict.alignment == "fuzzy"


@pytest.mark.parametrize(
    "quote",
    [
        "trong 1.312 đảng viên được đánh giá có 1040",  # number written differently
        "trong 1,312 đảng viên được đánh giá có 1.040",  # English separators
        "trong 1.312 đảng viên được đánh giá đã có 1.040",  # a word added
        "trong 1.312 đang vien duoc danh gia co 1.040",  # too many diacritics missing
    ],
)
def test_fuzzy_rejects_anything_more(quote):
    assert verify_fact(_seed(TEXT_001), quote=quote, value=1040, unit="đảng viên").reason == "quote not found in the article"


def test_short_quotes_are_never_fuzzy():
    assert locate_quote("1.312 đang viên", _seed(TEXT_001)) is None


# ---------------------------------------------------------------- hedges, units, kinds


@needs_gold
@pytest.mark.parametrize(
    "quote, hedge",
    [
        ("gần 2.400 đảng viên đương chức cư trú", "approximate"),
        ("15% trở lên đảng viên hoàn thành xuất sắc nhiệm vụ", "lower_bound"),
        ("khoảng 30 triệu đồng/năm", "approximate"),
        ("gần 9 tỷ đồng", "approximate"),
        ("8 chi bộ", None),
    ],
)
def test_hedges_are_reported(quote, hedge):
    article, fact = next((a, f) for a, f in GOLD_FACTS if f["quote"] == quote)
    verdict = _check(_seed(article), fact)
    assert verdict.supported
    assert verdict.hedge == hedge


def test_fraction_supports_both_parts_and_nothing_else():
    text = _seed(TEXT_001)
    for value in (22, 24):
        assert verify_fact(text, quote="22/24 chi bộ", value=value, unit="chi bộ").supported
    verdict = verify_fact(text, quote="22/24 chi bộ", value=23, unit="chi bộ")
    assert verdict.reason == "value 23 is not a number stated in the quote (it states 22, 24)"


def test_range_supports_its_string_and_its_years():
    text = _seed("000_25d47c26562bab5c.txt")
    quote = "Từ năm 2003-2008, Đảng bộ Phường 6 đạt danh hiệu"
    for value in ("2003-2008", "2003 - 2008", 2003, 2008):
        assert verify_fact(text, quote=quote, value=value, unit="period").supported, value
    assert not verify_fact(text, quote=quote, value="2003-2009", unit="period").supported
    assert not verify_fact(text, quote=quote, value="003-2008", unit="period").supported


def test_spaced_range_supports_the_compact_string():
    text = _seed(TEXT_001)
    verdict = verify_fact(text, quote="qua nửa nhiệm kỳ 2020 - 2025 đã kết nạp 24 đảng viên", value="2020-2025")
    assert verdict.supported and verdict.matched_text == "2020 - 2025"


@pytest.mark.parametrize(
    "quote, value, unit, reason",
    [
        ("8 chi bộ với 327 đảng viên", 8, "%", "unit '%' but the quote's number 8 is not a percentage"),
        ("8 chi bộ với 327 đảng viên", 327, "VND", "unit 'VND' but the quote's number 327 is not followed by 'đồng'"),
        ("đạt 100% lực lượng", 100, "người", "the quote's number 100 is a percentage but the unit is 'người'"),
        ("8 chi bộ với 327 đảng viên", 6, "chi bộ", "value 6 is not a number stated in the quote (it states 8, 327)"),
        (
            "Năm 2011, Phường 6 hoàn thành",
            6,
            "năm",
            "value 6 appears in the quote only as part of an identifier or ordinal ('6'), not as a quantity",
        ),
    ],
)
def test_unit_and_kind_checks(quote, value, unit, reason):
    verdict = verify_fact(_seed("000_25d47c26562bab5c.txt"), quote=quote, value=value, unit=unit)
    assert not verdict.supported
    assert verdict.reason == reason
    assert verdict.start is not None


def test_money_and_percent_units_pass_when_right():
    text = _seed("003_78463087fb1616f8.txt")
    assert verify_fact(text, quote="8,86 tỉ đồng", value=8860000000, unit="VND").supported
    assert verify_fact(text, quote="8,86 tỉ đồng", value=8.86e9, unit="VND").supported
    assert not verify_fact(text, quote="8,86 tỉ đồng", value=8.86, unit="VND").supported
    text = _seed("002_e3ece47872f8ab9d.txt")
    assert verify_fact(text, quote="dịch vụ thương mại tăng 5,9%/năm", value=5.9, unit="%/year").supported


def test_no_unit_skips_the_unit_check():
    text = _seed("000_25d47c26562bab5c.txt")
    assert verify_fact(text, quote="đạt 100% lực lượng", value=100).supported
    assert verify_fact(text, quote="8 chi bộ với 327 đảng viên", value=327).supported


def test_date_parts_support_only_time_units():
    text = _seed("002_e3ece47872f8ab9d.txt")
    quote = "Quy định số 69 ngày 6/7/2022 của Bộ Chính trị"
    assert verify_fact(text, quote=quote, value=2022, unit="year").supported
    assert not verify_fact(text, quote=quote, value=7, unit="người").supported
    assert not verify_fact(text, quote=quote, value=69, unit="người").supported


def test_a_quote_that_cuts_a_number_does_not_state_it():
    text = _seed(TEXT_001)
    verdict = verify_fact(text, quote="312 đảng viên được đánh giá", value=312, unit="đảng viên")
    assert verdict.start is not None  # the characters are there ...
    assert not verdict.supported  # ... but the article's number is 1.312
    assert "it states no number" in verdict.reason


def test_a_quote_must_not_start_inside_a_number():
    assert locate_quote("2 chi bộ", "có 12 chi bộ") is None
    assert locate_quote("12 chi bộ", "có 12 chi bộ") == (3, 12, "exact")


@pytest.mark.parametrize("value", [1312, 1312.0, Decimal("1312"), "1312", "1312.0", " 1312 "])
def test_value_types(value):
    assert verify_fact(_seed(TEXT_001), quote="1.312 đảng viên", value=value, unit="đảng viên").supported


def test_float_tolerance_is_for_floats_only():
    text = _seed("000_25d47c26562bab5c.txt")
    quote = "tỷ lệ hộ nghèo còn khoảng 1,7%"
    assert verify_fact(text, quote=quote, value=0.1 + 1.6, unit="%").supported  # 1.7000000000000002
    assert not verify_fact(text, quote=quote, value=Decimal("1.7000000000000002"), unit="%").supported
    assert not verify_fact(text, quote=quote, value=1.7001, unit="%").supported


@pytest.mark.parametrize("value", [None, True, [8], {"v": 8}, float("nan"), ""])
def test_unusable_values(value):
    verdict = verify_fact(_seed("000_25d47c26562bab5c.txt"), quote="8 chi bộ", value=value, unit="chi bộ")
    assert not verdict.supported
    assert verdict.reason == "the value is missing or not a number or string"


# ---------------------------------------------------------------- verify_facts


def test_verify_facts_never_raises_and_keeps_order():
    text = _seed("000_25d47c26562bab5c.txt")
    facts = [
        {"what": "cells", "value": 8, "unit": "chi bộ", "quote": "8 chi bộ", "start": 0, "end": 1},
        {"value": 8, "quote": "8 chi bộ"},
        {"value": 8, "unit": 5, "quote": "8 chi bộ"},
        {"value": [8], "unit": "", "quote": "8 chi bộ"},
        {"value": 8, "unit": "", "quote": None},
        "not a fact",
        {"value": 327, "unit": "đảng viên", "quote": "327 đảng viên"},
    ]
    results = verify_facts(text, facts)
    assert [r["supported"] for r in results] == [True, False, False, False, False, False, True]
    assert results[0]["what"] == "cells"
    assert (results[0]["start"], results[0]["end"]) == (322, 330), "offsets are computed, never taken from input"
    assert [r["reason"] for r in results[1:6]] == [
        "the fact has no unit",
        "the fact's unit is not a string",
        "the fact's value is not a number or a string",
        "the fact has no quote",
        "the fact is not an object",
    ]
    for r in results:
        assert set(r) >= {"supported", "start", "end", "alignment", "reason", "hedge"}


def test_verify_facts_with_bad_text():
    [result] = verify_facts(None, [{"value": 8, "unit": "", "quote": "8"}])
    assert not result["supported"] and result["reason"] == "the article text is not a string"


# ---------------------------------------------------------------- normalise_for_match


@pytest.mark.parametrize(
    "raw, normalised",
    [
        ("hoà", "hòa"),
        ("thuỷ", "thủy"),
        ("khoá", "khóa"),
        ("Hoà Bình", "hòa bình"),
        ("hoè", "hòe"),
        ("Đảng uỷ", "đảng ủy"),
        ("hoàn thành", "hoàn thành"),  # closed syllable: unchanged
        ("quý", "quý"),  # qu + y: unchanged
        ("khuỷu", "khuỷu"),
        ("“a”  –  ‘b’", "\"a\" - 'b'"),
        ("a \n\t b", "a b"),
        ("Ðảng", "đảng"),
    ],
)
def test_normalise_for_match(raw, normalised):
    assert normalise_for_match(raw)[0] == normalised


def test_normalise_maps_back_to_original_offsets():
    raw = unicodedata.normalize("NFD", "Năm  2021 có") + "\u00a0X"
    norm, index = normalise_for_match(raw)
    assert norm == "năm 2021 có x"
    assert len(index) == len(norm)
    assert raw[index[norm.index("2021")]] == "2"
    assert raw[index[norm.index("x")]] == "X"
    assert index == sorted(index)


# ---------------------------------------------------------------- robustness

VI_ALPHABET = st.sampled_from(list("aăâđeêoôơuưy AĐ0123456789.,%/-–“”\"'\n\t\u00a0\u0300\u0301\u0309\u0303\u0323\u200bßİ"))
vi_text = st.text(alphabet=VI_ALPHABET, max_size=60)


@given(vi_text, vi_text, st.one_of(st.integers(), st.floats(), st.decimals(), vi_text, st.none()), vi_text)
def test_verify_fact_never_raises(text, quote, value, unit):
    verdict = verify_fact(text, quote=quote, value=value, unit=unit)
    assert verdict.supported in (True, False)
    if verdict.start is not None:
        assert 0 <= verdict.start <= verdict.end <= len(text)
    if verdict.supported:
        assert verdict.matched_text


@given(vi_text, st.data())
def test_a_slice_at_word_boundaries_is_found_exactly(text, data):
    def wordy(c: str) -> bool:
        return c.isalnum() or bool(unicodedata.combining(c))

    cuts = [i for i in range(len(text) + 1) if i in (0, len(text)) or not (wordy(text[i - 1]) and wordy(text[i]))]
    start = data.draw(st.sampled_from(cuts))
    end = data.draw(st.sampled_from([c for c in cuts if c > start] or [start]))
    quote = text[start:end]
    if not quote.strip():
        return
    found = locate_quote(quote, text)
    assert found is not None and found[2] == "exact"
    assert text[found[0] : found[1]] == quote


# ---------------------------------------------------------------- the fast ways agree with the reference

ANY_TEXT = st.text(
    alphabet=st.one_of(VI_ALPHABET, st.sampled_from(list("oOuUqQàáèéỳýẹÈỲ…•°ǆﬁ가ŀ²K≠\u2060\u00ad  ")), st.characters()),
    max_size=80,
)


@given(ANY_TEXT)
def test_normalise_equals_the_character_by_character_reference(text):
    norm, starts, ends = grounding.normalise(text)
    assert (norm, list(starts), list(ends)) == grounding._normalise_by_char(text)


@given(ANY_TEXT)
def test_skeleton_equals_the_character_by_character_reference(text):
    norm = grounding._normalise_by_char(text)[0]
    skeleton, starts, ends = grounding._skeleton(norm)
    assert (skeleton, list(starts), list(ends)) == grounding._skeleton_by_char(norm)


@given(ANY_TEXT, st.integers(min_value=0, max_value=80))
def test_words_before_equals_a_leftward_regex_search(text, pos):
    pos = min(pos, len(text))
    expected, end = [], pos
    while len(expected) < 2 and (m := re.search(rf"({numbers._WORD})[^\S\n]*\Z", text[max(0, pos - 80) : end])):
        start = max(0, pos - 80) + m.start(1)
        expected.insert(0, (numbers._key(m.group(1)), start))
        end = start
    assert numbers._words_before(text, pos, 2) == expected
