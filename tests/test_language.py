"""Telling the Vietnamese side of a brief from the English side."""

import pytest
from pydantic import ValidationError

from summarizer.language import is_english, is_vietnamese, untranslated_share, vietnamese_share
from summarizer.schema import ArticleDraft

VI = "Đảng bộ Phường 6 hiện có 8 chi bộ với 327 đảng viên."
EN = "The Ward 6 party committee, led by Lê Thị Quân in Bến Tre, has 8 cells and 327 members."


def test_vietnamese_and_english_are_told_apart():
    assert is_vietnamese(VI) and not is_english(VI)
    assert is_english(EN) and not is_vietnamese(EN)
    assert vietnamese_share("") == 0 and untranslated_share("") == 0


def test_names_with_diacritics_do_not_make_english_vietnamese():
    assert is_english("Lê Thị Quân, Nguyễn Thái Hà and Phan Văn Thạnh lead Phường 5 and Mỏ Chè.")


def test_english_left_in_vietnamese_fields_is_sent_back_to_the_model():
    fields = dict(
        organization="Đảng bộ Phường 6", locality="Phường 6", people=[], title_vi=VI, summary_vi=VI,
        key_points_vi=[VI], title_en=EN, summary_en=EN, key_points_en=[EN], facts=[],
    )  # fmt: skip
    assert ArticleDraft(**fields).key_points()[0].en == EN
    for field, wrong in (("summary_vi", EN), ("summary_en", VI), ("key_points_en", [VI]), ("key_points_vi", [VI, EN])):
        with pytest.raises(ValidationError) as err:
            ArticleDraft(**{**fields, field: wrong})
        assert "Vietnamese" in str(err.value) or "English" in str(err.value)
    unpaired = ArticleDraft(**{**fields, "key_points_en": [EN, EN]})
    assert [p.en for p in unpaired.key_points()] == [EN]
