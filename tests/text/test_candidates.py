"""Fact candidates come from the text: every reference fact's number is offered, with a clause that states it."""

import json

import pytest
from conftest import GOLD, SEEDS
from hypothesis import given
from hypothesis import strategies as st

from summarizer.grounding.facts import checked_period, ground_facts
from summarizer.grounding.verify import verify_fact
from summarizer.schema import FactLabel
from summarizer.text import candidates
from summarizer.text.article import load_article
from summarizer.text.candidates import clause_around, fact_candidates

SEED_PATHS = sorted(SEEDS.glob("*.txt"))


def gold_facts():
    if not GOLD.is_dir():
        pytest.skip(f"reference facts not found at {GOLD}")
    for path in sorted(GOLD.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        yield SEEDS / gold["article"], gold["facts"]


def test_every_numeric_reference_fact_is_a_candidate():
    offered = total = 0
    missed = []
    for seed, facts in gold_facts():
        article = load_article(seed)
        candidates = fact_candidates(article.text)
        for fact in facts:
            if not isinstance(fact["value"], (int, float)) or fact["unit"] in ("year", "period", "years"):
                continue  # years and year ranges are not candidate statistics
            total += 1
            start = article.text.find(fact["quote"])
            end = start + len(fact["quote"])
            if any(float(c.mention.value) == fact["value"] and c.start < end and start < c.end for c in candidates):
                offered += 1
            else:
                missed.append((seed.name, fact["quote"]))
    assert total >= 50
    assert offered == total, missed


@pytest.mark.parametrize("seed", SEED_PATHS, ids=lambda p: p.stem)
def test_each_candidate_clause_states_its_number(seed):
    article = load_article(seed)
    candidates = fact_candidates(article.text)
    assert candidates and [c.id for c in candidates] == list(range(1, len(candidates) + 1))
    for candidate in candidates:
        assert candidate.start <= candidate.mention.start < candidate.mention.end <= candidate.end
        unit = "%" if candidate.mention.kind == "percent" else ""
        verdict = verify_fact(article.text, quote=candidate.quote(article.text), value=candidate.mention.value, unit=unit)
        assert verdict.supported, (candidate, verdict.reason)


def test_dates_ordinals_and_identifiers_are_not_candidates():
    text = "Theo Quy định số 69 ngày 6/7/2022, Phường 6 có 327 đảng viên trong nhiệm kỳ 2020 - 2025."
    assert [c.mention.text for c in fact_candidates(text)] == ["327"]


def test_a_repeated_fraction_is_one_candidate():
    text = "Đến nay, 19/19 cán bộ, công chức phường có trình độ đại học."
    assert [c.mention.text for c in fact_candidates(text)] == ["19"]


@given(st.lists(st.sampled_from(["có", "327", "đảng", "viên,", "năm", "2021;", "hộ.", "1,7%", "(gần", "9", "tỷ)"]), min_size=1, max_size=30))
def test_clause_always_contains_the_number(words):
    text = " ".join(words)
    for candidate in fact_candidates(text):
        start, end = clause_around(text, candidate.mention.start, candidate.mention.end)
        assert start <= candidate.mention.start and candidate.mention.end <= end


def label(id, what="party members", period=None):
    return FactLabel(id=id, what_en=what, what_vi="đảng viên", period=period)


def test_ground_facts_takes_numbers_and_units_from_the_text_and_rejects_bad_labels():
    article = load_article(SEED_PATHS[0])
    candidates = fact_candidates(article.text)
    by_text = {c.mention.text: c.id for c in candidates}
    labels = [label(by_text["327"]), label(by_text["327"], "duplicate"), label(999), label(by_text["30 triệu"], "income", "2014")]
    kept, rejected = ground_facts(article.text, candidates, labels)
    labelled = [f for f in kept if f.label_source == "model"]  # the candidates the model skipped have the program's labels
    assert [(f.value, f.unit) for f in labelled] == [(327, "đảng viên"), (30000000, "VND/year")]
    assert labelled[1].hedge == "approximate" and labelled[1].period == "2014"
    assert [r.candidate for r in rejected] == [999] and "no candidate" in rejected[0].reason
    for fact in kept:
        assert article.text[fact.start : fact.end] == fact.quote


def test_a_period_the_article_never_mentions_is_dropped():
    text = "Năm 2021 có 22/24 chi bộ."
    assert checked_period(text, "2021") == "2021"
    assert checked_period(text, "2019") is None
    assert checked_period(text, "2021-2030") is None
    assert checked_period(text, "recently") is None


def test_a_label_naming_another_counted_noun_is_replaced():
    text = "Năm 2022 có 24/25 chi bộ hoàn thành tốt nhiệm vụ; trong 1.327 đảng viên được đánh giá."
    candidates = fact_candidates(text)
    by_text = {c.mention.text: c.id for c in candidates}
    labels = [
        FactLabel(id=by_text["25"], what_vi="số đảng viên của Đảng bộ", what_en="party members", period="2022"),
        FactLabel(id=by_text["1.327"], what_vi="đảng viên được đánh giá", what_en="party members evaluated", period="2022"),
    ]
    kept, rejected = ground_facts(text, candidates, labels)
    facts = {f.value: f for f in kept}
    assert (facts[25].what_en, facts[25].what_vi, facts[25].label_source) == ("party cells in total", "tổng số chi bộ", "program")
    assert "speaks of 'đảng viên' but the number counts 'chi bộ'" in facts[25].label_note
    assert facts[1327].label_source == "model" and rejected == []


# ---------------------------------------------------------------- clause_around agrees with a left-to-right scan


def _clause_reference(text: str, start: int, end: int) -> tuple[int, int]:
    """clause_around as first written: boundaries found by scanning text[:start] and text[end:]."""
    left_limit = max((m.end() for m in candidates._BOUNDARY.finditer(text, 0, start)), default=0)
    right_match = candidates._BOUNDARY.search(text, end)
    right_limit = right_match.start() if right_match else len(text)
    before = list(candidates._WORD.finditer(text, left_limit, start))[-candidates.MAX_WORDS_BEFORE :]
    after = list(candidates._WORD.finditer(text, end, right_limit))[: candidates.MAX_WORDS_AFTER]
    return (before[0].start() if before else start), (after[-1].end() if after else end)


@given(st.text(alphabet=st.sampled_from(list('ab 12.,;:!?…()“”"\n\t-')), max_size=60), st.data())
def test_clause_around_equals_the_scanning_reference(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert clause_around(text, start, end) == _clause_reference(text, start, end)


# ---------------------------------------------------------------- counts written in words (issue 16)

WORDS = "Đảng bộ phường có ba trăm hai mươi bảy đảng viên, sinh hoạt ở mười hai chi bộ; mười lăm phần trăm đảng viên xuất sắc."


def test_a_count_written_in_words_is_a_candidate_like_digits():
    found = [(c.mention.text, c.mention.value, c.mention.kind, c.mention.unit) for c in candidates.fact_candidates(WORDS)]
    assert found == [
        ("ba trăm hai mươi bảy", 327, "number", "đảng viên"),
        ("mười hai", 12, "number", "chi bộ"),
        ("mười lăm phần trăm", 15, "percent", "%"),
    ]
    english = "The ward has ten households and twenty-one party members."
    assert [(c.mention.text, c.mention.value) for c in candidates.fact_candidates(english)] == [("ten", 10), ("twenty-one", 21)]


def test_a_lone_mot_or_one_and_a_number_word_with_no_counted_noun_are_no_candidates():
    for text in ("Đây là một tổ chức đảng vững mạnh.", "Đảng bộ là một trong những đơn vị tiêu biểu.", "Năm nay phường phấn đấu.", "One of them spoke."):
        assert candidates.fact_candidates(text) == [], text


def test_a_count_in_words_becomes_a_fact_the_verifier_supports():
    cands = candidates.fact_candidates(WORDS)
    facts, rejected = ground_facts(WORDS, cands, [])
    assert [(f.value, f.what_en, f.label_source) for f in facts] == [
        (327, "party members", "program"),
        (12, "party cells", "program"),
        (15, facts[2].what_en, "program"),
    ]
    verdict = verify_fact(WORDS, quote="ba trăm hai mươi bảy đảng viên", value=327)
    assert verdict.supported and WORDS[verdict.start : verdict.end] == "ba trăm hai mươi bảy đảng viên"
    assert not verify_fact(WORDS, quote="ba trăm hai mươi bảy đảng viên", value=300).supported


def test_money_written_in_words_is_read_with_its_scale():
    text = "Phường đầu tư hai tỷ đồng xây nhà văn hóa."
    assert [(c.mention.value, c.mention.unit) for c in candidates.fact_candidates(text)] == [(2_000_000_000, "VND")]
    assert verify_fact(text, quote="hai tỷ đồng", value=2_000_000_000, unit="VND").supported
