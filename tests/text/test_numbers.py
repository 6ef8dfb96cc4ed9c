"""Tests for summarizer.text.numbers: Vietnamese number reading, mentions in text, formatting."""

from __future__ import annotations

import json
import unicodedata
from decimal import Decimal

import pytest
from conftest import GOLD, SEEDS
from hypothesis import given
from hypothesis import strategies as st

from summarizer.text.numbers import (
    HEDGES,
    KINDS,
    NumberMention,
    english_misreading,
    find_numbers,
    format_vi,
    read_vi_number,
    to_json_number,
)


def _gold_facts():
    if not GOLD.is_dir():
        return []
    facts = []
    for path in sorted(GOLD.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        for i, fact in enumerate(record["facts"]):
            facts.append(pytest.param(record["article"], fact, id=f"{path.stem[:3]}-{i}-{fact['quote'][:30]}"))
    return facts


GOLD_FACTS = _gold_facts()
needs_gold = pytest.mark.skipif(not GOLD_FACTS, reason=f"gold facts not found at {GOLD}")


# ---------------------------------------------------------------- read_vi_number


@pytest.mark.parametrize(
    "written, expected",
    [
        # the brief's examples
        ("1.312", "1312"),
        ("1,7", "1.7"),
        ("151,63%", "151.63"),
        ("8,86 tỉ", "8860000000"),
        ("30 triệu", "30000000"),
        ("gần 9 tỷ", "9000000000"),
        ("1,7%", "1.7"),
        ("2.400", "2400"),
        ("1.312,5", "1312.5"),
        ("5 nghìn tỷ", "5000000000000"),
        ("3 ngàn", "3000"),
        ("2 tỉ", "2000000000"),
        # every number written in the gold quotes
        ("8", "8"),
        ("327", "327"),
        ("2003", "2003"),
        ("2008", "2008"),
        ("2009", "2009"),
        ("2011", "2011"),
        ("2013", "2013"),
        ("100%", "100"),
        ("24", "24"),
        ("22", "22"),
        ("1.040", "1040"),
        ("236", "236"),
        ("25", "25"),
        ("1.327", "1327"),
        ("1.051", "1051"),
        ("242", "242"),
        ("567", "567"),
        ("2.284", "2284"),
        ("5", "5"),
        ("229", "229"),
        ("47", "47"),
        ("2017", "2017"),
        ("2021", "2021"),
        ("9 tỷ", "9000000000"),
        ("528", "528"),
        ("12", "12"),
        ("19", "19"),
        ("2", "2"),
        ("1", "1"),
        ("17", "17"),
        ("91", "91"),
        ("20%", "20"),
        ("15%", "15"),
        ("5,9%", "5.9"),
        ("14,2%", "14.2"),
        ("2020", "2020"),
        ("2022", "2022"),
        ("192", "192"),
        ("145", "145"),
        ("60", "60"),
        ("357", "357"),
        ("106", "106"),
        ("6", "6"),
        ("14,99%", "14.99"),
        ("0,03%", "0.03"),
        ("863", "863"),
        ("120%", "120"),
        ("0,78%", "0.78"),
        ("61", "61"),
        ("152,5%", "152.5"),
        # hedges are ignored here
        ("khoảng 30 triệu", "30000000"),
        ("ít nhất 3", "3"),
        ("15% trở lên", "15"),
        ("  1.312  ", "1312"),
    ],
)
def test_read_vi_number(written, expected):
    assert read_vi_number(written) == Decimal(expected)


@pytest.mark.parametrize("written", ["", "abc", "1.31", "1.2.3", "327 đảng viên", "gần", "đồng", "1,7 kg x"])
def test_read_vi_number_rejects_what_is_not_one_number(written):
    assert read_vi_number(written) is None


def test_read_vi_number_accepts_decomposed_scale_words():
    assert read_vi_number(unicodedata.normalize("NFD", "8,86 tỉ")) == Decimal("8860000000")


def test_read_vi_number_gives_tidy_decimals():
    assert str(read_vi_number("8,86 tỉ")) == "8860000000"
    assert str(read_vi_number("1,50")) == "1.5"


# ---------------------------------------------------------------- english_misreading


@pytest.mark.parametrize(
    "written, expected",
    [
        ("1.312", Decimal("1.312")),
        ("1,040", Decimal("1040")),
        ("2.400", Decimal("2.4")),
        ("2.400 triệu", Decimal("2400000")),
        ("1.327", Decimal("1.327")),
        ("1,7", None),  # not a valid English number: no second reading
        ("8,86 tỉ", None),
        ("1.312,5", None),
        ("12", None),  # reads the same either way
        ("2003", None),
        ("abc", None),
    ],
)
def test_english_misreading(written, expected):
    assert english_misreading(written) == expected


# ---------------------------------------------------------------- format_vi / to_json_number


@pytest.mark.parametrize(
    "value, written",
    [
        ("1312", "1.312"),
        ("1.7", "1,7"),
        ("8860000000", "8.860.000.000"),
        ("0.03", "0,03"),
        ("100", "100"),
        ("1234567.89", "1.234.567,89"),
        ("8860000000.00", "8.860.000.000"),
    ],
)
def test_format_vi(value, written):
    assert format_vi(Decimal(value)) == written


def test_to_json_number():
    assert to_json_number(Decimal("1312")) == 1312 and type(to_json_number(Decimal("1312"))) is int
    assert to_json_number(Decimal("8860000000.00")) == 8860000000
    assert type(to_json_number(Decimal("8860000000.00"))) is int
    assert to_json_number(Decimal("1.7")) == 1.7 and type(to_json_number(Decimal("1.7"))) is float


# ---------------------------------------------------------------- properties

integers = st.integers(min_value=0, max_value=10**13).map(Decimal)
decimals = st.one_of(
    st.decimals(min_value=0, max_value=10**9, places=1, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
)
amounts = st.one_of(integers, decimals)


@given(amounts)
def test_format_then_read_gives_the_value_back(x):
    assert read_vi_number(format_vi(x)) == x


@given(amounts, st.sampled_from([("nghìn", 10**3), ("ngàn", 10**3), ("triệu", 10**6), ("tỷ", 10**9), ("tỉ", 10**9)]))
def test_scale_words_multiply(x, scale):
    word, factor = scale
    assert read_vi_number(f"{format_vi(x)} {word}") == x * factor


@given(amounts)
def test_english_reading_never_gives_the_vietnamese_value(x):
    assert english_misreading(format_vi(x)) != x


@given(amounts)
def test_a_number_in_a_sentence_is_found_with_its_unit(x):
    written = format_vi(x)
    text = f"Đảng bộ hiện có {written} đảng viên."
    [mention] = find_numbers(text)
    assert mention.value == x
    assert mention.text == written
    assert text[mention.start : mention.end] == written
    assert mention.kind == "number"
    assert mention.unit == "đảng viên"


# ---------------------------------------------------------------- find_numbers


def _one(text: str, written: str) -> NumberMention:
    """The mention whose text is `written` (exactly one expected)."""
    found = [m for m in find_numbers(text) if m.text == written]
    assert len(found) == 1, (written, find_numbers(text))
    return found[0]


@pytest.mark.parametrize(
    "text, written, value, kind, unit",
    [
        ("đã huy động được 8,86 tỉ đồng hỗ trợ", "8,86 tỉ", "8860000000", "number", "VND"),
        ("ước đạt khoảng 30 triệu đồng/năm;", "30 triệu", "30000000", "number", "VND"),
        ("tỷ lệ hộ nghèo còn khoảng 1,7%.", "1,7%", "1.7", "percent", "%"),
        ("trong 1.312 đảng viên được đánh giá", "1.312", "1312", "number", "đảng viên"),
        ("đạt 151,63% chỉ tiêu", "151,63%", "151.63", "percent", "%"),
        ("dịch vụ thương mại tăng 5,9%/năm", "5,9%", "5.9", "percent", "%"),
        ("2 đồng chí có trình độ thạc sĩ", "2", "2", "number", "đồng chí"),
        ("đã kết nạp được 60 ĐV, đạt 100%", "60", "60", "number", "đảng viên"),
        ("Khu phố 3 có 567 hộ, 2.284 nhân khẩu.", "567", "567", "number", "hộ"),
        ("Khu phố 3 có 567 hộ, 2.284 nhân khẩu.", "2.284", "2284", "number", "nhân khẩu"),
        ("kinh phí 5 nghìn tỷ đồng", "5 nghìn tỷ", "5000000000000", "number", "VND"),
        ("năm 2009 đạt trong sạch vững mạnh", "2009", "2009", "year", None),
        ("Năm 2011, Phường 6 hoàn thành", "2011", "2011", "year", None),
        ("Đảng bộ là 1 trong số 3 tổ chức", "3", "3", "number", "tổ chức"),
    ],
)
def test_find_numbers_reads_mentions(text, written, value, kind, unit):
    mention = _one(text, written)
    assert mention.value == Decimal(value)
    assert mention.kind == kind
    assert mention.unit == unit
    assert text[mention.start : mention.end] == written


@pytest.mark.parametrize(
    "text, written, hedge",
    [
        ("gần 2.400 đảng viên đương chức", "2.400", "approximate"),
        ("ước đạt khoảng 30 triệu đồng/năm", "30 triệu", "approximate"),
        ("kinh phí ước 5 tỷ đồng", "5 tỷ", "approximate"),
        ("tăng xấp xỉ 10%", "10%", "approximate"),
        ("có hơn 100 hộ", "100", "lower_bound"),
        ("đạt trên 50% dân số", "50%", "lower_bound"),
        ("ít nhất 3 người", "3", "lower_bound"),
        ("có 15% trở lên đảng viên", "15%", "lower_bound"),
        ("100 người trở lên", "100", "lower_bound"),
        ("còn dưới 5% hộ nghèo", "5%", "upper_bound"),
        ("chưa đến 20 hộ", "20", "upper_bound"),
        ("không quá 10 người", "10", "upper_bound"),
        ("hiện có 8 chi bộ", "8", None),
        ("Đường 9 trở thành tuyến phố", "9", None),
    ],
)
def test_find_numbers_records_hedges(text, written, hedge):
    assert _one(text, written).hedge == hedge


def test_fraction_gives_two_parts():
    mentions = find_numbers("Năm 2021 có 22/24 chi bộ được xếp loại")
    parts = [m for m in mentions if m.kind == "fraction_part"]
    assert [(m.text, m.value, m.unit) for m in parts] == [("22", 22, "chi bộ"), ("24", 24, "chi bộ")]


@pytest.mark.parametrize("text", ["Quy định số 69 ngày 6/7/2022 của Bộ Chính trị", "Nghị quyết số 05 ngày 16/6/2021"])
def test_dates_are_not_fraction_parts(text):
    mentions = find_numbers(text)
    assert not [m for m in mentions if m.kind == "fraction_part"]
    dates = [m.value for m in mentions if m.kind == "date"]
    assert len(dates) == 3 and dates[-1] in (2022, 2021)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("26/12/2014 - 07:29", [26, 12, 2014, 7, 29]),
        ("17:15, Thứ Năm, 23-11-2023", [17, 15, 23, 11, 2023]),
        ("Thứ Năm, 14/05/2020, 07:20 (GMT+7)", [14, 5, 2020, 7, 20, 7]),
        ("kết nạp vào Đảng tháng 4-2024.", [4, 2024]),
        ("Đến ngày 25 họp chi bộ", [25]),
    ],
)
def test_dates_and_times_are_date_parts(text, expected):
    mentions = find_numbers(text)
    assert [m.value for m in mentions] == expected
    assert {m.kind for m in mentions} == {"date"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Từ năm 2003-2008, Đảng bộ", [2003, 2008]),
        ("nhiệm kỳ 2020 - 2025 đã kết nạp", [2020, 2025]),
        ("5 năm liền (2017-2021) được", [2017, 2021]),
    ],
)
def test_ranges_give_two_range_parts(text, expected):
    parts = [m for m in find_numbers(text) if m.kind == "range_part"]
    assert [m.value for m in parts] == expected
    assert all(m.unit is None for m in parts)


def test_range_parts_share_the_trailing_scale_and_percent():
    parts = find_numbers("tăng khoảng 10-15% mỗi năm, vốn 2-3 tỷ đồng")
    assert [(m.value, m.kind, m.unit, m.hedge) for m in parts] == [
        (10, "range_part", "%", "approximate"),
        (15, "range_part", "%", "approximate"),
        (2000000000, "range_part", "VND", None),
        (3000000000, "range_part", "VND", None),
    ]


@pytest.mark.parametrize(
    "text, written",
    [
        ("Hội nghị lần thứ 4, 5, 6 của Ban Chấp hành", "4"),
        ("Hội nghị lần thứ 4, 5, 6 của Ban Chấp hành", "5"),
        ("Hội nghị lần thứ 4, 5, 6 của Ban Chấp hành", "6"),
        ("Quy định số 69 ngày 6/7/2022", "69"),
        ("Kết luận số 21-KL/TW của Ban Chấp hành", "21"),
        ("Đảng bộ Phường 6 hiện có 8 chi bộ", "6"),
        ("Khu phố 3 có 567 hộ", "3"),
        ("Nghị quyết Trung ương 4 (khóa XI)", "4"),
        ("khu vực Lân Thạnh 1, chia sẻ", "1"),
        ("theo Nghị quyết 18 và Nghị quyết 19 của", "19"),
    ],
)
def test_identifiers_and_ordinals(text, written):
    assert _one(text, written).kind == "ordinal"


def test_roman_numerals_are_not_numbers():
    assert find_numbers("Ban Chấp hành Trung ương Đảng khóa XIII") == []


def test_find_numbers_in_decomposed_text():
    text = unicodedata.normalize("NFD", "huy động được 8,86 tỉ đồng")
    [mention] = find_numbers(text)
    assert mention.value == Decimal("8860000000")
    assert mention.unit == "VND"
    assert text[mention.start : mention.end] == mention.text


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_mentions_point_at_their_text(seed):
    text = (SEEDS / seed).read_text(encoding="utf-8")
    mentions = find_numbers(text)
    assert mentions, "every seed has numbers"
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)
    for m in mentions:
        assert text[m.start : m.end] == m.text
        assert m.kind in KINDS
        assert m.hedge is None or m.hedge in HEDGES


@needs_gold
@pytest.mark.parametrize("article, fact", GOLD_FACTS)
def test_gold_fact_number_is_found_inside_its_quote(article, fact):
    text = (SEEDS / article).read_text(encoding="utf-8")
    inside = [m for m in find_numbers(text) if fact["start"] <= m.start and m.end <= fact["end"]]
    value = fact["value"]
    if isinstance(value, str):  # "2003-2008", "2020, 2021, 2022": each year is a mention
        wanted = [Decimal(y) for y in value.replace(",", " ").replace("-", " ").split()]
        assert [m.value for m in inside if m.value in wanted] == wanted
    else:
        readings = [m for m in inside if m.value == Decimal(str(value))]
        assert readings, f"{value} not among {[m.text for m in inside]}"
        assert all(read_vi_number(m.text) == m.value for m in readings)
        if fact["unit"].startswith("%"):
            assert any(m.kind == "percent" for m in readings)
        if fact["unit"].startswith("VND"):
            assert any(m.unit == "VND" for m in readings)
