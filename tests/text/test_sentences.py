"""Tests for summarizer.text.sentences: offsets rebuild the text, abbreviations and numbers are never split."""

from __future__ import annotations

import re

import pytest
from conftest import SEEDS
from hypothesis import given
from hypothesis import strategies as st

from summarizer.text.article import load_article
from summarizer.text.sentences import ABBREVIATIONS, Sentence, split_sentences

# ---------------------------------------------------------------- what any text gives


def _assert_rebuilds(text: str, sentences: list[Sentence]) -> None:
    """The spans in order, each text[start:end], stripped, not empty; only whitespace between and around them."""
    position = 0
    rebuilt = []
    for s in sentences:
        assert s.text == text[s.start : s.end]
        assert s.text and s.text == s.text.strip()
        gap = text[position : s.start]
        assert position <= s.start and not gap.strip(), f"text lost between sentences: {gap!r}"
        rebuilt += [gap, s.text]
        position = s.end
    tail = text[position:]
    assert not tail.strip(), f"text lost at the end: {tail!r}"
    assert "".join(rebuilt) + tail == text


ANY_TEXT = st.lists(
    st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyÀẢÃáạĐÊỆƠƯ AB.,;:!?…\"“”'‘’()%/-\n\r\t\u00a0\u2028") + ["TP.", "ThS.", " 1.312", "v.v.", "\n\n"]),
    max_size=120,
).map("".join)


@given(ANY_TEXT)
def test_offsets_rebuild_any_text(text):
    _assert_rebuilds(text, split_sentences(text))


@given(ANY_TEXT)
def test_no_sentence_crosses_a_line_break(text):
    for s in split_sentences(text):
        assert not any(brk in s.text for brk in "\n\r\u2028")


def test_empty_and_blank_texts_have_no_sentences():
    assert split_sentences("") == []
    assert split_sentences(" \n\n\t ") == []


# ---------------------------------------------------------------- where it splits

WORD = st.sampled_from(["đảng", "viên", "chi", "bộ", "phường", "hộ", "nghèo", "tăng", "giảm", "kết", "nạp", "the", "ward", "cell", "members"])
CAPITALISED = st.sampled_from(["Đảng", "Phường", "Năm", "Trong", "Ông", "Bà", "Ủy", "The", "Its"])
END = st.sampled_from([".", "!", "?", "…", "...", ".”", "!”", "?)"])


@st.composite
def plain_sentence(draw) -> str:
    words = [draw(CAPITALISED)] + draw(st.lists(WORD, min_size=1, max_size=8))
    return " ".join(words) + draw(END)


@given(st.lists(plain_sentence(), min_size=1, max_size=6), st.sampled_from([" ", "  ", "\n", "\n\n", " \n\n "]))
def test_sentences_joined_come_back_as_they_were(sentences, separator):
    text = separator.join(sentences)
    assert [s.text for s in split_sentences(text)] == sentences


@given(st.lists(st.lists(WORD, min_size=1, max_size=6).map(" ".join), min_size=1, max_size=5))
def test_each_line_without_final_punctuation_is_a_sentence(lines):
    text = "\n\n".join(line.capitalize() for line in lines)
    assert [s.text for s in split_sentences(text)] == [line.capitalize() for line in lines]


def test_a_lowercase_word_after_a_full_stop_does_not_start_a_sentence():
    text = "Nhà nước... đây là nền tảng. Tiếp theo."
    assert [s.text for s in split_sentences(text)] == ["Nhà nước... đây là nền tảng.", "Tiếp theo."]


def test_speech_inside_quotes_is_split_at_its_sentences():
    text = "Ông cho biết: “Đạt được kết quả. Yếu tố quan trọng.” Sau đó về."
    assert [s.text for s in split_sentences(text)] == ["Ông cho biết: “Đạt được kết quả.", "Yếu tố quan trọng.”", "Sau đó về."]


def test_an_attribution_after_a_closing_quote_stays_with_its_quote():
    text = "“Niềm tin được nâng lên” - bà Nguyễn Thị Thu Bạch khẳng định. Tiếp."
    assert [s.text for s in split_sentences(text)] == ["“Niềm tin được nâng lên” - bà Nguyễn Thị Thu Bạch khẳng định.", "Tiếp."]


def test_a_list_number_opening_a_line_is_not_a_sentence():
    assert [s.text for s in split_sentences("1. Nội dung thứ nhất.\nII. Nội dung khác")] == ["1. Nội dung thứ nhất.", "II. Nội dung khác"]


def test_v_v_ends_a_sentence_before_a_capital_only():
    text = "Các phong trào, v.v. đều tốt. Các phong trào, v.v. Đây là nền tảng."
    assert [s.text for s in split_sentences(text)] == ["Các phong trào, v.v. đều tốt.", "Các phong trào, v.v.", "Đây là nền tảng."]


# ---------------------------------------------------------------- never inside an abbreviation or a number

NAME = st.sampled_from(["Bến Tre", "Nguyễn Văn A", "Lê B", "Mỹ Tho", "Smith", "1", "HCM"])
NUMBER = st.sampled_from(["1.312", "1,7%", "6/7/2022", "2003-2008", "8,86 tỉ", "14,99%", "2.284"])


@st.composite
def text_with_protected_pieces(draw) -> tuple[str, list[tuple[int, int]]]:
    """Sentences with abbreviations before names and numbers inside; the spans that must not be split."""
    pieces, protected, length = [], [], 0
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["abbreviation", "number", "words"]))
        if kind == "abbreviation":
            piece = f"{draw(st.sampled_from(ABBREVIATIONS))} {draw(NAME)}"
        elif kind == "number":
            piece = draw(NUMBER)
        else:
            piece = " ".join(draw(st.lists(WORD, min_size=1, max_size=4)))
        start = length + (1 if pieces else 0)
        if kind != "words":
            protected.append((start, start + len(piece)))
        pieces.append(piece)
        length = start + len(piece)
    ending = draw(st.sampled_from(["", ".", ". Trong đó có nhiều hộ."]))
    return "Đảng bộ " + " ".join(pieces) + ending, [(a + len("Đảng bộ "), b + len("Đảng bộ ")) for a, b in protected]


@given(text_with_protected_pieces())
def test_never_split_after_an_abbreviation_or_inside_a_number(case):
    text, protected = case
    sentences = split_sentences(text)
    _assert_rebuilds(text, sentences)
    for start, end in protected:
        holding = [s for s in sentences if s.start <= start and end <= s.end]
        assert holding, f"{text[start:end]!r} is split in {[s.text for s in sentences]}"


@pytest.mark.parametrize("abbreviation", ABBREVIATIONS)
def test_each_abbreviation_before_a_capitalised_name(abbreviation):
    text = f"Thực hiện chỉ đạo của {abbreviation} Bến Tre về công tác cán bộ."
    assert [s.text for s in split_sentences(text)] == [text]


# ---------------------------------------------------------------- the seeds


def _seed_sentences(name: str) -> tuple[str, list[str]]:
    text = load_article(SEEDS / name).text
    return text, [s.text for s in split_sentences(text)]


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_seed_sentences_rebuild_the_article(path):
    text = load_article(path).text
    sentences = split_sentences(text)
    _assert_rebuilds(text, sentences)
    for s in sentences:  # a sentence starts where a sentence can start, never on a lowercase word
        assert not s.text[0].islower(), s.text
        assert not re.search(r"\b(TP|ThS|TS|PGS|GS)\.$", s.text), s.text


def test_seed_000_sentences():
    text, sentences = _seed_sentences("000_25d47c26562bab5c.txt")
    assert sentences[0] == "Nhiều năm liền đạt danh hiệu trong sạch vững mạnh tiêu biểu"  # the headline
    assert sentences[1] == "26/12/2014 - 07:29"
    assert sentences[2].startswith("Trong thời gian qua, Đảng bộ Phường 6 (TP. Bến Tre) đã không ngừng")
    assert "Đảng bộ Phường 6 hiện có 8 chi bộ với 327 đảng viên." in sentences
    assert "Thu nhập bình quân đầu người trên địa bàn phường ước đạt khoảng 30 triệu đồng/năm; tỷ lệ hộ nghèo còn khoảng 1,7%." in sentences
    assert "Yếu tố quan trọng nữa là tinh thần đoàn kết của tập thể đảng viên." in sentences  # inside the quotation
    assert any(s.startswith("Thực hiện tinh thần chỉ đạo của Ban Thường vụ Thành ủy TP. Bến Tre về trẻ hóa") for s in sentences)
    assert sentences[-1] == "Tường Vy"


def test_seed_001_and_002_sentences():
    _, sentences = _seed_sentences("001_ec4d3e1a54c06ea6.txt")
    assert any(s.startswith("Từ đầu nhiệm kỳ 2020 - 2025 đến nay, Đảng bộ Phường 5, TP. Đông Hà đã có") for s in sentences)
    assert (
        "Năm 2021 có 22/24 chi bộ được xếp loại hoàn thành tốt nhiệm vụ; trong 1.312 đảng viên được đánh giá có 1.040 đảng viên "
        "hoàn thành tốt nhiệm vụ, 236 đảng viên hoàn thành xuất sắc nhiệm vụ." in sentences
    )
    assert "Đến ngày 25 họp chi bộ." in sentences
    _, sentences = _seed_sentences("002_e3ece47872f8ab9d.txt")
    assert "Nhiều năm qua, Đảng bộ phường Mỏ Chè (TP. Sông Công) liên tục đạt trong sạch, vững mạnh." in sentences
    assert "Trung tâm Văn hóa phường Mỏ Chè được đầu tư xây mới với kinh phí gần 9 tỷ đồng." in sentences
    assert any(
        s.startswith("Tổ chức học tập, quán triệt") and s.endswith("Quy định số 69 ngày 6/7/2022 của Bộ Chính trị về kỷ luật tổ chức đảng, đảng viên vi phạm.")
        for s in sentences
    )
