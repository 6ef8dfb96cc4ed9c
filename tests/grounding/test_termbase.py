"""Tests for summarizer.grounding.termbase: the packaged terms, finding them with offsets, checking renderings, user files."""

from __future__ import annotations

import pytest
from conftest import ROOT, SEEDS
from hypothesis import given
from hypothesis import strategies as st

from summarizer.errors import ConfigError
from summarizer.grounding.termbase import (
    CATEGORIES,
    CHECKED_CATEGORIES,
    check_renderings,
    default_termbase,
    load_termbase,
    terms_in,
)
from summarizer.text.article import load_article

TERMBASE = default_termbase()


def _found(text: str) -> list[str]:
    return [m.term.vi for m in terms_in(text)]


# ---------------------------------------------------------------- the packaged file


def test_the_packaged_file_is_the_one_in_the_package_data():
    path = ROOT / "summarizer" / "data" / "termbase.tsv"
    assert path.is_file()
    assert len(load_termbase(path)) == len(TERMBASE)  # read again as a user file, every term replaces itself


def test_every_category_is_used_and_every_term_has_a_rendering():
    assert {t.category for t in TERMBASE.terms} == set(CATEGORIES)
    for term in TERMBASE.terms:
        assert term.vi and term.en and all(term.english) and all(term.vietnamese)


@pytest.mark.parametrize(
    "vi, en",
    [
        ("Đảng bộ", "Party Committee"),
        ("chi bộ", "party cell"),
        ("Bí thư", "Secretary"),
        ("Phó Bí thư", "Deputy Secretary"),
        ("Ban Thường vụ", "Standing Committee"),
        ("Chủ tịch UBND", "Chairman of the People's Committee"),
        ("MTTQ", "Fatherland Front"),
        ("phường", "ward"),
        ("xã", "commune"),
        ("thị trấn", "town"),
        ("huyện", "district"),
        ("tỉnh", "province"),
        ("TP.", "city"),
        ("trong sạch, vững mạnh", "clean and strong"),
        ("hoàn thành xuất sắc nhiệm vụ", "excellently completed its tasks"),
        ("Bằng khen", "certificate of merit"),
        ("Huân chương Lao động", "Labour Order"),
        ("Cờ thi đua", "emulation flag"),
        ("thạc sĩ", "master's degree"),
        ("tiến sĩ", "doctorate"),
        ("cử nhân", "bachelor's degree"),
        ("đảng viên", "party member"),
        ("hộ nghèo", "poor household"),
        ("hộ cận nghèo", "near-poor household"),
    ],
)
def test_the_genre_terms_and_their_renderings(vi, en):
    (match,) = terms_in(vi)
    assert en in match.term.english


SEED_TERMS = {
    "000": ["Đảng bộ", "phường", "chi bộ", "đảng viên", "Bí thư", "Đảng ủy", "Ban Thường vụ", "Thành ủy", "thành phố", "hộ nghèo", "khu phố"],
    "001": ["Chủ tịch UBND", "khu phố", "MTTQ", "Đại hội", "hoàn thành xuất sắc nhiệm vụ", "hoàn thành tốt nhiệm vụ", "nhân khẩu", "hộ"],
    "002": ["Bằng khen", "Ban Thường vụ", "Tỉnh ủy", "thạc sĩ", "tiến sĩ", "đại học", "trung cấp lý luận chính trị", "tổ dân phố", "Bộ Chính trị"],
    "003": ["Quận ủy", "quận", "UBND", "HĐND", "MTTQ", "Ủy ban Kiểm tra", "Hồ Chí Minh", "Bộ phận một cửa"],
    "004": ["Tỉnh ủy", "Thành ủy", "tỉnh", "hộ cận nghèo", "hộ nghèo", "trưởng khu phố", "tổ trưởng tổ dân phố", "sông Tiền"],
}


@pytest.mark.parametrize("prefix", sorted(SEED_TERMS))
def test_the_seeds_terms_are_in_the_termbase(prefix):
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    found = set(_found(load_article(path).text))
    assert set(SEED_TERMS[prefix]) <= found, set(SEED_TERMS[prefix]) - found


# ---------------------------------------------------------------- finding Vietnamese terms


def test_the_longest_term_wins_where_terms_overlap():
    assert _found("Phó Bí thư Đảng ủy phường") == ["Phó Bí thư", "Đảng ủy", "phường"]
    assert _found("phát triển kinh tế - xã hội của xã") == ["kinh tế - xã hội", "xã"]
    assert _found("Ban Chấp hành Trung ương Đảng khóa XIII") == ["Ban Chấp hành Trung ương"]


def test_terms_are_found_up_to_case_tone_placement_and_spacing_but_never_inside_a_word():
    assert _found("ĐẢNG UỶ PHƯỜNG") == ["Đảng ủy", "phường"]  # capitals, old-style tone placement
    assert _found("Bí  thư\u00a0chi bộ") == ["Bí thư", "chi bộ"]
    assert _found("TP.HCM và TP. Mỹ Tho") == ["Thành phố Hồ Chí Minh", "thành phố"]
    assert _found("xãi phườngg") == []


SPELLINGS = sorted({(spelling, term.vi) for term in TERMBASE.terms for spelling in term.vietnamese})


@given(st.lists(st.sampled_from(SPELLINGS), min_size=1, max_size=8), st.sampled_from(["; ", " (", "; có "]))
def test_every_term_is_found_at_its_offsets(chosen, separator):
    text, expected = "", []
    for spelling, main in chosen:
        if text:
            text += separator
        expected.append((len(text), len(text) + len(spelling), main))
        text += spelling
    found = terms_in(text)
    assert [(m.start, m.end, m.term.vi) for m in found] == expected
    assert all(text[m.start : m.end] == m.text for m in found)


# ---------------------------------------------------------------- English renderings


def test_renderings_are_found_with_plurals_and_the_longest_first():
    found = [(m.text, m.term.vi) for m in TERMBASE.renderings_in("Deputy Secretaries of the party cells and the Chairwoman of the People’s Committee")]
    assert found == [("Deputy Secretaries", "Phó Bí thư"), ("party cells", "chi bộ"), ("Chairwoman of the People’s Committee", "Chủ tịch UBND")]


def test_acronyms_are_matched_with_their_case():
    assert [m.text for m in TERMBASE.renderings_in("two PhDs and a BA; Mr Ba and a phd")] == ["PhDs", "BA"]


FAITHFUL = [
    ("Đồng chí Lê Thị Quân - Bí thư Đảng ủy Phường 6", "Comrade Le Thi Quan, Secretary of the Ward 6 Party Committee"),
    ("Bí thư Đảng ủy, Chủ tịch UBND Phường 5 Lê Quang Việt Sơn", "Le Quang Viet Son, Party Secretary and Chairman of the Ward 5 People's Committee"),
    ("được Ban Thường vụ Tỉnh ủy tặng Bằng khen", "was awarded a certificate of merit by the Standing Committee of the Provincial Party Committee"),
    ("2 đồng chí có trình độ thạc sĩ; 1 đồng chí có trình độ tiến sĩ", "2 comrades hold master's degrees; 1 holds a doctorate"),
    ("Đảng bộ phường Mỏ Chè hiện có 528 đảng viên, sinh hoạt ở 12 chi bộ.", "The Mo Che ward party organisation has 528 party members in 12 party cells."),
    (
        "Đảng ủy chỉ đạo HĐND, MTTQVN và Ủy ban Kiểm tra",
        "The Party Committee directed the People's Council, the Vietnam Fatherland Front and the Inspection Commission",
    ),
    (
        "Từ năm 2020-2023, Đảng bộ được Ban Thường vụ Quận ủy đánh giá",
        "From 2020 to 2023 the Standing Committee of the District Party Committee rated the party organisation",
    ),
    ("phát triển kinh tế - xã hội của phường", "the socio-economic development of the ward"),
]


@pytest.mark.parametrize("source, english", FAITHFUL)
def test_faithful_renderings_raise_nothing(source, english):
    assert check_renderings(english, source) == []


@pytest.mark.parametrize(
    "source, english, wrong",
    [
        ("Phó Bí thư Đảng ủy phường cho biết", "the Secretary of the ward Party Committee said", "Secretary"),
        ("Bí thư Đảng ủy phường cho biết", "the Deputy Secretary of the ward Party Committee said", "Deputy Secretary"),
        ("Đảng bộ phường Mỏ Chè", "the party organisation of Mo Che commune", "commune"),
        ("Đảng bộ thị trấn", "the party organisation of the ward", "ward"),
        ("được Ban Thường vụ Tỉnh ủy tặng Bằng khen", "received a gold medal from the Provincial Party Committee", "gold medal"),
        ("được Ban Thường vụ Tỉnh ủy tặng Bằng khen", "was awarded by the provincial general assembly", "general assembly"),
        ("2 đồng chí có trình độ thạc sĩ", "two senior party members", "senior"),
        ("2 đồng chí có trình độ thạc sĩ", "two comrades hold doctorates", "doctorates"),
        ("Chủ tịch UBND phường", "the Chairman of the People's Council", "Chairman of the People's Council"),
    ],
)
def test_wrong_renderings_are_caught(source, english, wrong):
    problems = check_renderings(english, source)
    assert [p.text for p in problems] == [wrong]
    assert english[problems[0].start : problems[0].end] == wrong
    assert problems[0].reason.endswith(".") and "\n" not in problems[0].reason


def test_a_source_with_no_term_of_that_kind_says_nothing_against_a_rendering():
    assert check_renderings("the ward's party cells studied the resolution", "Tổ chức học tập, quán triệt các nghị quyết.") == []
    assert [m.text for m in check_renderings("the commune's party cells", "các chi bộ của phường")] == ["commune"]


def test_unchecked_categories_are_not_checked():
    assert {"rating", "people", "general"}.isdisjoint(CHECKED_CATEGORIES)
    assert check_renderings("the party members and poor households", "Phường có 12 chi bộ") == []


def test_vietnamese_statements_are_checked_against_their_source():
    assert [p.text for p in TERMBASE.check_vietnamese("Phó Bí thư Đảng ủy xã", "Bí thư Đảng ủy phường")] == ["Phó Bí thư", "xã"]
    assert TERMBASE.check_vietnamese("Đảng ủy TP. Bến Tre", "Đảng bộ thành phố Bến Tre") == []  # same renderings


# ---------------------------------------------------------------- user files


def test_a_user_file_adds_and_replaces_terms(tmp_path):
    path = tmp_path / "mine.tsv"
    path.write_text(
        "# my terms\nvietnamese\tenglish\tcategory\tnotes\nBí thư\tSecretary | Party Secretary | Party chief\toffice\tmine\nấp văn hóa\tcultural hamlet\trating\n",
        encoding="utf-8",
    )
    termbase = load_termbase(path)
    assert len(termbase) == len(TERMBASE) + 1
    assert [m.term.notes for m in termbase.terms_in("Bí thư")] == ["mine"]
    assert [m.term.en for m in termbase.terms_in("ấp văn hóa")] == ["cultural hamlet"]


@pytest.mark.parametrize(
    "content, line, says",
    [
        ("Bí thư\tSecretary\n", 1, "columns"),
        ("# comment\n\nBí thư\tSecretary\toffice\tnote\textra\n", 3, "columns"),
        ("Bí thư\t\toffice\n", 1, "empty English"),
        (" | Bí thư\tSecretary\toffice\n", 1, "empty Vietnamese"),
        ("Bí thư\tSecretary\toffice\nphường\tward\tplace-ish\n", 2, "unknown category"),
    ],
)
def test_a_bad_user_file_is_one_line_naming_the_file_and_line(tmp_path, content, line, says):
    path = tmp_path / "bad.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_termbase(path)
    message = str(err.value)
    assert message.startswith(f"{path}:{line}: ") and says in message and "\n" not in message


def test_an_unreadable_or_undecodable_file_is_one_line(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the termbase"):
        load_termbase(tmp_path / "missing.tsv")
    path = tmp_path / "latin1.tsv"
    path.write_bytes("phường\tward\tadministrative\n".encode("utf-16-le"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_termbase(path)
