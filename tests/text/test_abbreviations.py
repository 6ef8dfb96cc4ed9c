"""The abbreviations a text defines: letters in brackets that spell the first letters of the words before them."""

from __future__ import annotations

from conftest import SEEDS
from hypothesis import given
from hypothesis import strategies as st

from summarizer.text.abbreviations import defined


def test_seed_003_defines_dv_and_cb_and_the_other_seeds_define_none():
    found = {path.stem[:3]: defined(path.read_text(encoding="utf-8")) for path in sorted(SEEDS.glob("*.txt"))}
    assert found == {"000": {}, "001": {}, "002": {}, "003": {"ĐV": "đảng viên", "CB": "cán bộ"}, "004": {}}


def test_letters_that_do_not_spell_the_words_before_them_define_nothing_and_diacritics_do_not_count():
    assert defined("Ủy ban nhân dân (UBND) phường; Nghị quyết (khóa XII); hội viên (HN); nông dân (ND)") == {"UBND": "Ủy ban nhân dân", "ND": "nông dân"}
    assert defined("Đảng viên (CB) và (ĐV)") == {}
    assert defined("cán bộ (CB), sau đó công binh (CB)") == {"CB": "cán bộ"}  # the first definition holds


@given(st.lists(st.sampled_from(["đảng", "viên", "cán", "bộ", "Ủy", "ban", "(ĐV)", "(CB)", "(UB)", "và", ",", "(", ")"]), max_size=30).map(" ".join))
def test_what_an_abbreviation_stands_for_is_words_of_the_text_that_spell_it(text):
    for letters, words in defined(text).items():
        assert words in text and f"{words} ({letters})" in text
        assert len(words.split()) == len(letters)
