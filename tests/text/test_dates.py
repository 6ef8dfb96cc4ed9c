"""Dates and periods as written, read into ISO 8601."""

from __future__ import annotations

import datetime
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summarizer.forms import ISO_DATE_PATTERN, FormField
from summarizer.grounding.fields import ground_field
from summarizer.text.dates import date_words, iso_date


@pytest.mark.parametrize(
    ("words", "iso"),
    [
        ("ngày 22/9/2023", "2023-09-22"),
        ("22 tháng 9 năm 2023", "2023-09-22"),
        ("22-09-2023", "2023-09-22"),
        ("2023-09-22", "2023-09-22"),
        ("September 22, 2023", "2023-09-22"),
        ("22 September 2023", "2023-09-22"),
        ("tháng 9/2023", "2023-09"),
        ("tháng 9 năm 2023", "2023-09"),
        ("September 2023", "2023-09"),
        ("năm 2023", "2023"),
        ("nhiệm kỳ 2020-2025", "2020/2025"),
        ("giai đoạn 2015 - 2020", "2015/2020"),
        ("từ năm 2020 đến năm 2025", "2020/2025"),
        ("từ năm 2020 đến nay", "2020/.."),
        ("since 2020", "2020/.."),
        ("ngày 26/12/2014 - 07:29", "2014-12-26"),
        ("31/2/2023", None),
        ("1.312 đảng viên", None),
        ("năm 2009 và năm 2011", "2009"),
    ],
)
def test_each_precision_is_read(words, iso):
    assert iso_date(words) == iso
    assert iso is None or re.match(ISO_DATE_PATTERN, iso)


@given(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2099, 12, 31)))
def test_any_day_written_the_vietnamese_way_reads_back(day):
    assert iso_date(f"ngày {day.day}/{day.month}/{day.year}") == day.isoformat()
    assert iso_date(f"ngày {day.day} tháng {day.month} năm {day.year}") == day.isoformat()
    assert iso_date(f"tháng {day.month}/{day.year}") == f"{day.year:04d}-{day.month:02d}"


def test_a_date_field_holds_iso_with_the_words_as_written_in_its_evidence():
    text = "Đại hội Đảng bộ phường lần thứ XIV được tổ chức ngày 22/9/2023. Nhiệm kỳ 2020-2025 đạt nhiều kết quả."
    held = ground_field(FormField("congress_date", "date", "Ngày đại hội"), "ngày 22/9/2023", text, [])
    assert (held.status, held.value, held.quote) == ("filled", "2023-09-22", "ngày 22/9/2023")
    period = ground_field(FormField("term", "date", "Nhiệm kỳ"), "Nhiệm kỳ 2020-2025", text, [])
    assert (period.value, text[period.start : period.end]) == ("2020/2025", "Nhiệm kỳ 2020-2025")
    refused = ground_field(FormField("congress_date", "date", "Ngày đại hội"), "Đại hội Đảng bộ phường", text, [])
    assert refused.status == "unsupported" and "no date" in refused.reason


def test_a_period_gets_its_start_and_end_years_where_the_article_gives_them():
    text = (
        "Nhiệm kỳ 2020 - 2025, Đảng bộ phường đạt nhiều kết quả. Từ đầu nhiệm kỳ đến nay, phường kết nạp 24 đảng viên. "
        "Từ năm 2021 đến nay, phường xây 3 nhà. Cả nhiệm kỳ phấn đấu đạt chỉ tiêu."
    )
    term = FormField("term", "date", "Nhiệm kỳ / The term")
    cases = {  # what the model copied -> (value, period, the words kept as the quote)
        "Nhiệm kỳ 2020 - 2025": ("2020/2025", (2020, 2025)),
        "Từ năm 2021 đến nay": ("2021/..", (2021, None)),
        "Từ đầu nhiệm kỳ đến nay": ("2020/..", (2020, None)),  # the term's years, from where the article gives them
        "Cả nhiệm kỳ": ("2020/2025", (2020, 2025)),
    }
    for words, (value, (start, end)) in cases.items():
        held = ground_field(term, words, text, [])
        assert (held.status, held.value, held.period.start, held.period.end) == ("filled", value, start, end), words
        assert text[held.start : held.end] == words
    assert "Nhiệm kỳ 2020 - 2025" in ground_field(term, "Từ đầu nhiệm kỳ đến nay", text, []).reason
    assert ground_field(FormField("day", "date", "Ngày"), "Nhiệm kỳ 2020 - 2025", text, []).period.end == 2025
    single = ground_field(FormField("day", "date", "Ngày"), "Từ năm 2021 đến nay", "Năm 2023 phường xây 3 nhà. Từ năm 2021 đến nay có 2 nhà.", [])
    assert single.period.start == 2021
    no_years = ground_field(term, "Từ đầu nhiệm kỳ", "Từ đầu nhiệm kỳ, phường kết nạp 24 đảng viên.", [])
    assert no_years.status == "unsupported" and no_years.period is None


@pytest.mark.parametrize(
    ("sentence", "number", "written"),
    [
        ("Trong 6 năm, từ 2017-2022, Đảng bộ phường kết nạp được 91 quần chúng vào Đảng.", "91", "từ 2017-2022"),
        ("Trong nhiệm kỳ, Đảng bộ phường 1 đã tập trung lãnh đạo; kết nạp 61 đảng viên mới.", "61", "Trong nhiệm kỳ"),
        ("Từ đầu nhiệm kỳ 2020 - 2025 đến nay, Đảng bộ đã kết nạp 24 đảng viên.", "24", "Từ đầu nhiệm kỳ 2020 - 2025 đến nay"),
        ("Từ năm 2020 đến nay, kết nạp 60 đảng viên.", "60", "Từ năm 2020 đến nay"),
        ("Công tác phát triển đảng viên, qua nửa nhiệm kỳ 2020 - 2025 đã kết nạp 24 đảng viên.", "24", "qua nửa nhiệm kỳ 2020 - 2025"),
        ("Đảng bộ kết nạp 15 đảng viên mới năm 2023.", "15", "năm 2023"),  # none before it: the nearest after
        ("Năm 2019 kết nạp 10 đảng viên, năm 2020 kết nạp 12 đảng viên.", "12", "năm 2020"),  # the nearest before
        ("Đảng bộ có 12 chi bộ.", "12", None),
    ],
)
def test_the_date_or_period_a_sentence_writes_for_a_number_is_found_with_its_words(sentence, number, written):
    found = date_words(sentence, 0, len(sentence), sentence.rindex(number))
    assert (sentence[found[0] : found[1]] if found else None) == written


@given(st.integers(1900, 2098), st.integers(0, 30), st.sampled_from(["từ ", "giai đoạn ", "trong ", ""]), st.integers(1, 999))
def test_a_period_of_years_is_found_whole_inside_the_sentence(first, length, lead, count):
    last = min(first + length, 2099)
    sentence = f"Đảng bộ, {lead}{first}-{last}, kết nạp {count} đảng viên."
    start, end = date_words(sentence, 0, len(sentence), sentence.index(f" {count} ") + 1)
    assert sentence[start:end] == f"{lead}{first}-{last}" and iso_date(sentence[start:end]) == f"{first}/{last}"
