"""People and their positions, found in the text by surname and the position written beside the name."""

import json

import pytest
from conftest import GOLD, SEEDS
from hypothesis import given
from hypothesis import strategies as st

from summarizer.text import people
from summarizer.text.article import load_article
from summarizer.text.people import find_people


@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.stem)
def test_each_seed_secretary_is_found_with_a_secretary_position(seed):
    if not GOLD.is_dir():
        pytest.skip(f"reference metadata not found at {GOLD}")
    secretary = json.loads((GOLD / f"{seed.stem}.json").read_text(encoding="utf-8"))["meta"]["secretary"]
    people = {p.name: p.role_vi for p in find_people(load_article(seed).text)}
    assert secretary in people and people[secretary].startswith("Bí thư Đảng ủy")


def test_positions_before_and_after_the_name():
    text = (
        "Bí thư Chi bộ Khu phố 3 Phan Văn Thạnh cho biết: Khu phố 3 có 567 hộ. "
        "Bà Nguyễn Thị Thu Bạch, Bí thư Đảng ủy phường, cho biết: tốt. "
        "Đồng chí Lê Thị Quân - Bí thư Đảng ủy Phường 6 cho biết như vậy."
    )
    assert [(p.name, p.role_vi) for p in find_people(text)] == [
        ("Phan Văn Thạnh", "Bí thư Chi bộ Khu phố 3"),
        ("Nguyễn Thị Thu Bạch", "Bí thư Đảng ủy phường"),
        ("Lê Thị Quân", "Bí thư Đảng ủy Phường 6"),
    ]
    for person in find_people(text):
        assert text[person.start : person.end] == person.name


def test_streets_and_historical_figures_are_not_people():
    text = "Xây dựng tuyến phố Ngô Quyền, Lê Lợi, Hùng Vương; học tập tư tưởng, đạo đức, phong cách Hồ Chí Minh."
    assert find_people(text) == []


def _names_reference(text: str):
    """people._names as first written: every word looked up in SURNAMES, left to right."""
    words = list(people._WORD.finditer(text))
    i = 0
    while i < len(words):
        if words[i].group() not in people.SURNAMES:
            i += 1
            continue
        j = i + 1
        while j < len(words) and j - i < 4 and words[j].group()[0].isupper() and text[words[j - 1].end() : words[j].start()] == " ":
            j += 1
        if j - i >= 2:
            yield text[words[i].start() : words[j - 1].end()], words[i].start(), words[j - 1].end()
        i = j


@given(st.lists(st.sampled_from(["Nguyễn", "Văn", "Lê", "Thị", "Quân", "Hồ", "Chí", "Minh", "Lêa", "xLê", "bí", "5", " ", "  ", ",", "\n", "-"]), max_size=20))
def test_names_equal_the_word_by_word_reference(tokens):
    text = " ".join(tokens)
    assert list(people._names(text)) == list(_names_reference(text))
