"""Tests for summarizer.grounding.verify.verify_records: facts keep verify_facts' contract, statements are checked
against their located source, one list mixes both, anything else gets a one-line reason, and it never raises."""

from __future__ import annotations

import copy
import json

import pytest
from conftest import SEEDS
from hypothesis import given
from hypothesis import strategies as st

from summarizer.grounding.verify import verify_facts, verify_records
from summarizer.text.article import load_article

TEXT = load_article(next(SEEDS.glob("002_*.txt"))).text
CENTRE = "Trung tâm Văn hóa phường Mỏ Chè được đầu tư xây mới với kinh phí gần 9 tỷ đồng."
MEMBERS = "Đảng bộ phường Mỏ Chè hiện có 528 đảng viên, sinh hoạt ở 12 chi bộ."
STATEMENT_KEYS = {"supported", "start", "end", "problems", "reason"}


def test_a_faithful_statement_is_supported_at_its_source():
    item = {"text": "The Mo Che ward Cultural Centre was newly built with an investment of nearly 9 billion dong.", "source": CENTRE}
    (result,) = verify_records(TEXT, [item])
    assert result["supported"] is True and result["problems"] == [] and result["reason"] is None
    assert TEXT[result["start"] : result["end"]] == CENTRE
    assert {k: result[k] for k in item} == item  # the item's own fields come back as they were


def test_a_wrong_statement_lists_its_problems():
    item = {"text": "The Mo Che ward Cultural Centre was built for nearly 9 billion yuan.", "source": CENTRE}
    (result,) = verify_records(TEXT, [item])
    assert result["supported"] is False
    assert [(p["kind"], p["text"]) for p in result["problems"]] == [("currency", "9 billion yuan")]
    assert all(set(p) == {"kind", "text", "reason"} for p in result["problems"])


def test_the_source_is_only_the_quoted_sentence():
    statement = {"text": "The ward Party Committee has 528 party members in 12 party cells."}
    (whole,) = verify_records(TEXT, [statement])
    assert whole["supported"] is True and (whole["start"], whole["end"]) == (0, len(TEXT))  # no source: the whole article
    (quoted,) = verify_records(TEXT, [{**statement, "source": CENTRE}])
    assert quoted["supported"] is False and {p["kind"] for p in quoted["problems"]} == {"number"}
    (right,) = verify_records(TEXT, [{**statement, "source": MEMBERS}])
    assert right["supported"] is True


def test_a_source_written_differently_is_still_located():
    spaced = "  trung tâm văn hoá phường mỏ chè được đầu tư xây mới với kinh phí gần 9 tỷ đồng "  # case, old tone placement
    (result,) = verify_records(TEXT, [{"text": "The centre cost nearly 9 billion dong.", "source": spaced}])
    assert result["supported"] is True and TEXT[result["start"] : result["end"]].startswith("Trung tâm Văn hóa")


def test_a_source_not_in_the_article_is_a_problem_and_no_offsets():
    (result,) = verify_records(TEXT, [{"text": "The ward has 528 party members.", "source": "Phường có 528 đảng viên ở Xiangtan."}])
    assert (result["supported"], result["start"], result["end"]) == (False, None, None)
    assert [p["kind"] for p in result["problems"]] == ["source"]


def test_the_language_may_be_given():
    item = {"text": "Đảng bộ phường Mỏ Chè có 528 đảng viên.", "source": MEMBERS, "language": "vi"}
    assert verify_records(TEXT, [item])[0]["supported"] is True
    assert verify_records(TEXT, [{**item, "text": "Đảng bộ phường Mỏ Chè có 582 đảng viên."}])[0]["supported"] is False


FACTS = [
    {"quote": "528 đảng viên", "value": 528, "unit": "đảng viên"},
    {"quote": "gần 9 tỷ đồng", "value": 9_000_000_000, "unit": "VND"},
    {"quote": "gần 9 tỷ đồng", "value": 9_000_000, "unit": "VND"},
    {"quote": "không có trong bài", "value": 1, "unit": ""},
    {"quote": "528 đảng viên", "value": 528},  # no unit: verify_facts' own one-line reason
    {"quote": "12 chi bộ", "value": "12", "unit": "chi bộ", "extra": [1, 2]},
]


def test_facts_keep_verify_facts_contract_exactly():
    assert verify_records(TEXT, copy.deepcopy(FACTS)) == verify_facts(TEXT, copy.deepcopy(FACTS))


def test_one_list_mixes_facts_statements_and_anything_else_in_order():
    statement = {"text": "The ward has 528 party members.", "source": MEMBERS}
    records = [FACTS[0], statement, 42, {"note": "no text"}, FACTS[2], {"text": ""}, {"text": "x", "source": 5}, {"text": "x", "language": "fr"}]
    given_records = copy.deepcopy(records)
    results = verify_records(TEXT, records)
    assert records == given_records, "inputs are not modified"
    assert len(results) == len(records)
    assert results[0] == verify_facts(TEXT, [FACTS[0]])[0]
    assert results[4] == verify_facts(TEXT, [FACTS[2]])[0]
    assert results[1]["supported"] is True and STATEMENT_KEYS <= set(results[1])
    for result in results[2:4] + results[5:]:
        assert result["supported"] is False and result["start"] is None and result["end"] is None
        assert isinstance(result["reason"], str) and result["reason"] and "\n" not in result["reason"]
    assert results[3]["note"] == "no text"
    json.dumps(results)  # the CLI and the service send it as JSON


def test_not_a_list_gives_nothing():
    assert verify_records(TEXT, {"text": "x"}) == []
    assert verify_records(TEXT, None) == []


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
ITEM = st.one_of(
    JSON,
    st.fixed_dictionaries({"text": JSON}, optional={"source": JSON, "language": JSON}),
    st.fixed_dictionaries({"text": st.text(min_size=1, max_size=60)}, optional={"source": st.sampled_from([CENTRE, MEMBERS, "9 tỷ", ""])}),
    st.fixed_dictionaries({"quote": JSON, "value": JSON, "unit": JSON}),
)


@given(st.lists(ITEM, max_size=5))
def test_never_raises_and_always_answers_each_item(records):
    results = verify_records(TEXT, records)
    assert len(results) == len(records)
    for item, result in zip(records, results):
        assert isinstance(result["supported"], bool)
        if result["supported"]:
            assert isinstance(result["start"], int) and isinstance(result["end"], int)
        if isinstance(item, dict) and "text" in item and not any(k in item for k in ("quote", "value", "unit")):
            assert STATEMENT_KEYS <= set(result)
            assert result["supported"] == (result["reason"] is None and result["problems"] == [])


@pytest.mark.parametrize("article", [None, 12])
def test_a_bad_article_text_is_a_reason_not_an_exception(article):
    results = verify_records(article, [{"text": "The ward has 528 party members."}, FACTS[0]])
    assert [r["supported"] for r in results] == [False, False]
    assert all(isinstance(r["reason"], str) for r in results)
