"""Telling the Vietnamese side of a brief from the English side."""

import sys
import unicodedata

from conftest import SEEDS
from hypothesis import given
from hypothesis import strategies as st

from summarizer.grounding.prose import translation_problems
from summarizer.text.language import FOLDING_TO_VIETNAMESE, VIETNAMESE_LETTERS, is_english, is_vietnamese, untranslated_share, vietnamese_share
from summarizer.text.numbers import ENGLISH_BELOW, text_locale

VI = "Đảng bộ Phường 6 hiện có 8 chi bộ với 327 đảng viên."
EN = "The Ward 6 party committee, led by Lê Thị Quân in Bến Tre, has 8 cells and 327 members."


def test_vietnamese_and_english_are_told_apart():
    assert is_vietnamese(VI) and not is_english(VI)
    assert is_english(EN) and not is_vietnamese(EN)
    assert vietnamese_share("") == 0 and untranslated_share("") == 0


def test_names_with_diacritics_do_not_make_english_vietnamese():
    assert is_english("Lê Thị Quân, Nguyễn Thái Hà and Phan Văn Thạnh lead Phường 5 and Mỏ Chè.")


def test_a_translation_left_in_the_wrong_language_is_a_problem_of_the_statement():
    assert [p.kind for p in translation_problems(VI, VI, target="en", source_language="vi")] == ["language"]
    assert "language" in {p.kind for p in translation_problems(EN, EN, target="vi", source_language="en")}
    assert translation_problems(VI, "The Party Committee of Ward 6 now has 8 party cells with 327 party members.", target="en", source_language="vi") == []


def _share_word_by_word(text: str) -> float:
    """The definition, word by word: the share of lettered words with a Vietnamese-only letter once casefolded."""
    words = [w for w in unicodedata.normalize("NFC", text).split() if any(c.isalpha() for c in w)]
    return sum(1 for w in words if not VIETNAMESE_LETTERS.isdisjoint(w.casefold())) / max(1, len(words))


_PIECES = st.sampled_from(list("aăâeêioôơuưyđĐẤấÝỳ ,.1-_%“”\n\t\u00a0\u2003\u0301ßİǅ") + ["Đảng", "viên", "ward", "8,86", "tỉ"])


@given(st.lists(_PIECES, max_size=40).map("".join))
def test_the_vietnamese_share_is_the_word_by_word_share(text):
    assert vietnamese_share(text) == _share_word_by_word(text)


def test_the_vietnamese_share_of_each_seed_is_the_word_by_word_share():
    for seed in sorted(SEEDS.glob("*.txt")):
        text = seed.read_text(encoding="utf-8")
        assert vietnamese_share(text) == _share_word_by_word(text) > 0.5, seed.name


def test_only_the_vietnamese_letters_and_their_capitals_fold_to_one():
    every = (chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF)
    assert {c for c in every if not VIETNAMESE_LETTERS.isdisjoint(c.casefold())} == FOLDING_TO_VIETNAMESE


_PARAGRAPHS = st.sampled_from(
    ["Đảng bộ Phường 6 hiện có 8 chi bộ với 327 đảng viên.", "The ward has 8 cells and 327 members.", "Lê Thị Quân", "2021-2025", "\n\n", " ", "1.312"]
)


@given(st.lists(_PARAGRAPHS, max_size=300).map("".join))
def test_an_articles_locale_read_from_its_opening_is_the_locale_of_the_whole(text):
    assert text_locale(text) == ("en" if vietnamese_share(text) < ENGLISH_BELOW else "vi")
