"""The wards, communes and towns an article names."""

from __future__ import annotations

from conftest import SEEDS
from hypothesis import given
from hypothesis import strategies as st

from summarizer.text.places import bodies, main_bodies, main_places, places


def test_a_unit_word_with_a_number_or_capitalised_words_is_a_place_and_a_persons_name_after_it_is_not():
    text = "Đảng bộ Phường 5 Lê Quang Việt Sơn cho biết; xã Hòa Thuận và thị trấn Cái Nhum; phường đã làm tốt; phường Tân Lộc Nguyễn Văn Bé."
    assert [p.text for p in places(text)] == ["Phường 5", "xã Hòa Thuận", "thị trấn Cái Nhum", "phường Tân Lộc"]
    assert all(text[p.start : p.end] == p.text for p in places(text))


def test_the_place_of_each_seed_is_the_one_it_names_most():
    found = {path.stem[:3]: [p.text for p in main_places(path.read_text(encoding="utf-8"))] for path in sorted(SEEDS.glob("*.txt"))}
    assert found == {"000": ["Phường 6"], "001": ["Phường 5"], "002": ["phường Mỏ Chè"], "003": ["Phường Tân Lộc"], "004": ["phường 1"]}


def test_a_party_organisation_is_named_by_its_place_and_the_body_of_each_seed_is_the_one_it_names_most():
    text = "Đảng bộ Phường 5 Lê Quang Việt Sơn; Đảng bộ phường đã làm tốt; đảng bộ xã Hòa Thuận; Chi bộ Khu phố 3."
    assert [b.text for b in bodies(text)] == ["Đảng bộ Phường 5", "đảng bộ xã Hòa Thuận"]
    assert all(text[b.start : b.end] == b.text for b in bodies(text))
    found = {path.stem[:3]: [b.text for b in main_bodies(path.read_text(encoding="utf-8"))] for path in sorted(SEEDS.glob("*.txt"))}
    assert found == {
        "000": ["Đảng bộ Phường 6"],
        "001": ["Đảng bộ Phường 5"],
        "002": ["Đảng bộ phường Mỏ Chè"],
        "003": ["Đảng bộ phường Tân Lộc"],
        "004": ["Đảng bộ phường 1"],
    }


def test_places_named_equally_often_are_all_main():
    assert [p.text for p in main_places("xã An Lạc và xã Bình Hưng.")] == ["xã An Lạc", "xã Bình Hưng"]


@given(st.text(alphabet=st.sampled_from(list("Phườngxã thịrấn 0123456789ĐLêMỏChè,.")), max_size=80))
def test_every_place_is_the_texts_own_span(text):
    for place in places(text):
        assert text[place.start : place.end] == place.text and place.text.split()[0].casefold() in ("phường", "xã", "thị")
