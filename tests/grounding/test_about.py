"""The organisation and locality of a brief: the model's copies held to what the article writes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from summarizer.grounding.about import organisation_and_locality
from summarizer.grounding.align import occurs_in

MY_THO = "Nhiệm kỳ 2015 - 2020, Đảng bộ phường 1 (TP. Mỹ Tho, tỉnh Tiền Giang) phát huy tinh thần đoàn kết. Đảng bộ phường 1 có 9 chi bộ."
DONG_HA = "Từ đầu nhiệm kỳ, Đảng bộ Phường 5, TP. Đông Hà đã có nhiều giải pháp. Đảng bộ Phường 5 có 24 chi bộ."


def test_the_organisation_is_the_body_its_copy_starts_with_and_the_qualifier_goes_to_the_locality():
    assert organisation_and_locality("Đảng bộ phường 1 (TP. Mỹ Tho)", "TP. Mỹ Tho, tỉnh Tiền Giang", MY_THO) == (
        "Đảng bộ phường 1",
        "phường 1, TP. Mỹ Tho, tỉnh Tiền Giang",
    )
    assert organisation_and_locality("Đảng bộ Phường 5, TP. Đông Hà", "Phường 5, TP. Đông Hà", DONG_HA) == ("Đảng bộ Phường 5", "Phường 5, TP. Đông Hà")
    assert organisation_and_locality("Đảng bộ Phường 5, TP. Đông Hà", None, DONG_HA) == ("Đảng bộ Phường 5", "Phường 5, TP. Đông Hà")


def test_a_locality_that_names_no_ward_gets_the_organisations_and_keeps_only_what_the_article_writes():
    assert organisation_and_locality("Đảng bộ phường 1", "TP. Mỹ Tho, tỉnh Bến Tre", MY_THO) == ("Đảng bộ phường 1", "phường 1, TP. Mỹ Tho")
    assert organisation_and_locality("Đảng bộ phường 1", "xã An Hòa", MY_THO) == ("Đảng bộ phường 1", None)  # its own ward, not written


def test_a_copy_that_is_no_body_by_its_place_is_kept_as_written_or_dropped():
    assert organisation_and_locality("Đảng bộ phường 1 có 9 chi bộ", None, MY_THO) == ("Đảng bộ phường 1 có 9 chi bộ", None)  # no qualifier: as copied
    assert organisation_and_locality("Đảng bộ Phường 7", "TP. Mỹ Tho", MY_THO) == (None, "TP. Mỹ Tho")
    assert organisation_and_locality(None, None, MY_THO) == (None, None)


@given(
    organization=st.one_of(
        st.none(), st.sampled_from(["Đảng bộ phường 1", "Đảng bộ phường 1 (TP. Mỹ Tho)", "Đảng bộ phường 1, tỉnh Tiền Giang"]), st.text(max_size=40)
    ),
    locality=st.one_of(st.none(), st.sampled_from(["TP. Mỹ Tho", "phường 1, tỉnh Tiền Giang", "Hà Nội"]), st.text(max_size=40)),
)
def test_whatever_the_model_copied_the_brief_says_only_what_the_article_writes(organization, locality):
    kept_organization, kept_locality = organisation_and_locality(organization, locality, MY_THO)
    assert kept_organization is None or occurs_in(kept_organization, MY_THO)
    assert kept_locality is None or all(occurs_in(part, MY_THO) for part in kept_locality.split(", "))
