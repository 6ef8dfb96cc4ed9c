"""Number fidelity: the numbers a brief's prose states must be numbers the article states."""

from decimal import Decimal

from conftest import SEEDS
from hypothesis import given
from hypothesis import strategies as st

from summarizer.grounding.fidelity import check_names, check_numbers, vietnamese_names
from summarizer.text.article import load_article
from summarizer.text.numbers import english_numbers

ARTICLE = load_article(sorted(SEEDS.glob("*.txt"))[1]).text  # Phường 5, Đông Hà: 1.312, 22/24, gần 2.400...


def test_english_numbers_are_read_the_english_way():
    found = dict(english_numbers("1,312 members, 1.7% poor, 8.86 billion VND, 30 million a year, 2,400 people, in 2021"))
    assert found == {
        "1,312": 1312,
        "1.7%": Decimal("1.7"),
        "8.86 billion": 8860000000,
        "30 million": 30000000,
        "2,400": 2400,
        "2021": 2021,
    }


def test_faithful_english_and_vietnamese_pass():
    english = {"summary_en": "In 2021, 22 of 24 cells were rated good; of 1,312 members evaluated, 1,040 did well and 236 excelled."}
    vietnamese = {"summary_vi": "Năm 2021 có 22/24 chi bộ hoàn thành tốt nhiệm vụ; 1.312 đảng viên được đánh giá."}
    assert check_numbers(ARTICLE, english, vietnamese) == []


def test_a_number_the_article_does_not_state_is_flagged():
    checks = check_numbers(ARTICLE, {"summary_en": "The ward has 1,313 members and 1.312 cells."}, {"summary_vi": "Phường có 999 hộ."})
    assert [(c.field, c.text) for c in checks] == [("summary_en", "1,313"), ("summary_en", "1.312"), ("summary_vi", "999")]
    assert all("does not state" in c.reason for c in checks)


@given(st.sampled_from([1312, 1040, 236, 1327, 2284, 2400, 567, 229, 47]))
def test_every_article_count_written_the_english_way_is_accepted(value):
    assert check_numbers(ARTICLE, {"s": f"There were {value:,} of them."}, {}) == []
    assert check_numbers(ARTICLE, {"s": f"There were {value + 1:,} of them."}, {}) != []


def test_names_the_article_does_not_contain_are_flagged():
    article = load_article(sorted(SEEDS.glob("*.txt"))[0]).text  # Phường 6, Bến Tre, Lê Thị Quân
    assert vietnamese_names("Secretary Lê Thị Quân of TP. Bến Tre said. Nghiên cứu.") == ["Lê Thị Quân"]
    fields = {"summary_en": "Secretary Lê Thị Quân leads Phường 6 in Bến Tre.", "role_en": "Secretary of the Hòa Thuận Commune Party Committee"}
    checks = check_names(article, fields)
    assert [(c.field, c.kind, c.text) for c in checks] == [("role_en", "name", "Hòa Thuận")]
    assert "does not occur in the article" in checks[0].reason


def test_old_and_new_tone_placement_of_a_name_match():
    assert check_names("Phường Hoà Thuận có 300 hộ.", {"s": "Hòa Thuận ward has 300 households."}) == []
