"""A long document is briefed and its form filled part by part, every offset true to the whole document.

The long document is the five seeds joined under headings (tests/long.py); the brief and the form over it are replayed
from cassettes recorded from the real embedded model with a context of 8,192 tokens, which cuts it into six parts.
Re-record: SUMMARIZER_RECORD=1 .venv/bin/python -m pytest tests/tasks/test_long_document.py -m records --timeout 0
"""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from conftest import CASSETTES, ROOT
from long import SEED_TEXTS, long_document, repeated_document

from summarizer.cli import main
from summarizer.config import ModelOptions, Settings
from summarizer.errors import NoValidAnswer
from summarizer.forms import load_form
from summarizer.grounding.facts import ground_facts
from summarizer.grounding.verify import verify_fact
from summarizer.models import cassettes
from summarizer.models.cache import AnswerCache
from summarizer.models.chain import ModelChain
from summarizer.schema import FactLabel
from summarizer.tasks.brief import brief_article, brief_request
from summarizer.tasks.fill import fill_article, fill_request
from summarizer.text.article import article_from_text, load_article
from summarizer.text.candidates import fact_candidates

CONTEXT = 8192  # tokens: what cuts the 24,000-character document into several parts


def chain_of(context: int = CONTEXT, api_base: str | None = None) -> ModelChain:
    return ModelChain(Settings(chain=("local",), options={"local": ModelOptions(api_base=api_base, context=context)}, source="tests"))


def test_a_document_that_fits_is_one_part_and_a_long_one_several():
    article = long_document()
    assert len(brief_request(article, chain_of(context=65536)).parts) == 1
    parts = brief_request(article, chain_of()).parts
    assert len(parts) > 2
    assert [p.part.index for p in parts] == list(range(1, len(parts) + 1))
    for before, after in zip(parts, parts[1:]):
        assert after.part.start < before.part.end  # an overlap of context
        assert before.part.own_end == after.part.own_start  # and no gap of ownership


def test_every_candidate_of_each_seed_is_at_its_offset_in_the_whole_document_and_owned_by_one_part():
    article = long_document()
    request = brief_request(article, chain_of())
    owners = {}
    for part in request.parts:
        for candidate in part.candidates:
            assert candidate.id not in owners, f"candidate {candidate.id} is in two parts"
            owners[candidate.id] = part.part.index
    assert set(owners) == {c.id for c in request.candidates}
    by_span = {(c.mention.start, c.mention.end): c for c in request.candidates}
    for text in SEED_TEXTS:
        shift = article.text.index(text)
        for candidate in fact_candidates(text):
            whole = by_span[(candidate.mention.start + shift, candidate.mention.end + shift)]
            assert whole.mention.value == candidate.mention.value
            assert article.text[whole.mention.start : whole.mention.end] == candidate.mention.text


def test_each_part_fits_the_budget_of_the_chain():
    chain = chain_of()
    article = long_document()
    for part in brief_request(article, chain).parts:
        carried = sum(len(s.text) for s in part.sentences) + sum(len(c.quote(article.text)) + 24 for c in part.candidates)
        assert carried <= chain.part_budget()
        assert "part" in part.messages[1]["content"]


def test_facts_from_parts_keep_one_fact_per_candidate_and_a_value_stated_twice_stays_twice():
    """Labels given by the test (every candidate a part owns, labelled by its quote): what the program does with them."""
    article, repeated = repeated_document()
    request = brief_request(article, chain_of())
    assert len(request.parts) > 1
    labels = [FactLabel(id=c.id, what_vi=c.quote(article.text), what_en="a figure", period=None) for part in request.parts for c in part.candidates]
    facts, _ = ground_facts(article.text, request.candidates, labels)
    stated = [(f.start, f.end, f.number_text, f.value) for f in facts]  # a number at its place: one fact
    assert len(stated) == len(set(stated))
    at = [i for i in range(len(article.text)) if article.text.startswith(repeated, i)]
    assert len(at) == 2
    twice = [f for f in facts if any(a <= f.start < a + len(repeated) for a in at)]
    assert {f.start - a for f in twice for a in at if a <= f.start < a + len(repeated)} and len(twice) >= 2
    assert len({f.value for f in twice}) < len(twice)  # the same values, once at each place


@pytest.mark.records
def test_a_long_document_is_briefed_from_all_its_parts(cassette, local_api_base):
    article = long_document()
    with cassette("long_document"), chain_of(api_base=local_api_base) as chain:
        request = brief_request(article, chain)
        brief = asyncio.run(brief_article(article, chain))
    parts = request.parts
    assert sorted({call.part for call in brief.provenance.calls}) == [p.part.index for p in parts]
    for fact in brief.facts:
        assert article.text[fact.start : fact.end] == fact.quote
        assert verify_fact(article.text, quote=fact.quote, value=fact.value, unit=fact.unit).supported
    assert len({(f.start, f.end, f.number_text, f.value) for f in brief.facts}) == len(brief.facts)
    chosen = [src.start for s in brief.statements for src in s.sources]
    owners = {next(p.part.index for p in parts if p.part.owns(start)) for start in chosen}
    assert owners == {p.part.index for p in parts}, "every part gives the brief statements"
    seeds = {i for i, text in enumerate(SEED_TEXTS) for start in chosen if article.text.index(text) <= start < article.text.index(text) + len(text)}
    assert len(seeds) == len(SEED_TEXTS), f"statements from seeds {sorted(seeds)} only"
    assert len(brief.summary_vi) > 0


@pytest.mark.records
def test_a_form_over_a_long_document_merges_agreeing_answers_and_shows_conflicts(cassette, local_api_base):
    article = long_document()
    form = load_form(ROOT / "schemas" / "forms" / "party_leaders.yaml")
    with cassette("long_document_party_leaders"), chain_of(api_base=local_api_base) as chain:
        request = fill_request(article, form, chain)
        filled = asyncio.run(fill_article(article, form, chain))
    assert len(filled.provenance.calls) == len(request.calls) and len({c.part for c in filled.provenance.calls}) > 2
    for name, result in filled.fields.items():
        evidence = result.candidates if result.status == "conflicting" else [result, *(result.items or [])]
        for e in evidence:
            if e.quote is not None:
                assert article.text[e.start : e.end] == e.quote, name
    # each seed is about its own organisation: the document names several, and the form says so with every quote
    organisation = filled.fields["organisation"]
    assert organisation.status == "conflicting" and len(organisation.candidates) > 1
    names = [item.fields["name"].value for item in filled.fields["leaders"].items or []]
    assert len(names) == len(set(names))  # a leader the overlap shows to two parts is listed once


def _part_of(interaction: dict) -> int:
    """The part a recorded request carried ("part 3 of 6" in its user message)."""
    content = json.loads(interaction["request"]["body"])["messages"][-1]["content"]
    return int(re.search(r"below is part (\d+) of \d+", content).group(1))


def test_a_run_stopped_mid_document_by_a_simulated_failure_asks_again_only_the_parts_left(tmp_path):
    """The first run replays a cassette cut after the third part (the simulated failure: the fourth part's calls get
    no answer), so the brief fails; the second run, with the whole recording and the same answer cache, asks only
    what the first did not get."""
    article = long_document()
    recorded = json.loads((CASSETTES / "long_document.json").read_text(encoding="utf-8"))
    interactions = recorded["interactions"]
    first = [interaction for interaction in interactions if _part_of(interaction) <= 3]
    cut = tmp_path / "cut.json"
    cut.write_text(json.dumps({**recorded, "interactions": first}, ensure_ascii=False), encoding="utf-8")
    cache = AnswerCache(tmp_path / "answers.sqlite")
    with cassettes.use_cassette(cut, "none"), chain_of() as chain:
        with pytest.raises(NoValidAnswer):
            asyncio.run(brief_article(article, chain, cache))
    with cassettes.use_cassette(CASSETTES / "long_document.json", "none") as replay, chain_of() as chain:
        brief = asyncio.run(brief_article(article, chain, cache))
    assert replay.play_count == len(interactions) - len(first)
    from_cache = {call.part for call in brief.provenance.calls if call.cache_hit}
    assert from_cache == {1, 2, 3} and all(not call.cache_hit for call in brief.provenance.calls if call.part > 3)


def test_the_command_line_shows_each_part_and_the_run_report_counts_them(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SUMMARIZER_LOCAL_GGUF", "/nonexistent/no-model.gguf")  # replayed: the embedded model is never started
    document = tmp_path / "report.txt"
    document.write_text(long_document().text, encoding="utf-8")
    config = tmp_path / "summarizer.toml"
    config.write_text(f'models = ["local"]\n[model.local]\ncontext = {CONTEXT}\n', encoding="utf-8")
    out = tmp_path / "out"
    args = ["brief", str(document), "--out", str(out), "--config", str(config), "--cassette", str(CASSETTES / "long_document.json")]
    assert main([*args, "--no-cache"]) == 0, capsys.readouterr().err
    err = capsys.readouterr().err
    total = len(brief_request(load_article(document), chain_of()).parts)
    assert [line.split(": part ")[1] for line in err.splitlines() if ": part " in line] == [f"{k}/{total} answered" for k in range(1, total + 1)]
    assert f"{total} parts" in err
    [row] = json.loads((out / "run-report.json").read_text(encoding="utf-8"))["articles"]
    assert (row["parts"], row["parts_from_cache"]) == (total, 0)
    assert main([*args, "--max-chars", "10000"]) == 1
    assert "the limit is 10,000 (raise it with --max-chars" in capsys.readouterr().err


def test_an_edited_sentence_changes_only_the_calls_of_the_parts_that_carry_it():
    """Each part's calls have their own cache keys: after an edit in one part, the other parts' requests are the
    same, so only the part (and a neighbour that carries the sentence as context) is asked again."""
    article = long_document()
    chain = chain_of()
    before = brief_request(article, chain).parts
    middle = before[len(before) // 2]
    sentence = next(s for s in middle.sentences[middle.part.first - middle.part.carried_first :] if s.number and "đảng viên" in s.text)
    edited_text = article.text.replace(sentence.text, sentence.text.replace("đảng viên", "hội viên", 1), 1)
    after = brief_request(article_from_text(edited_text, id=article.id), chain).parts
    assert len(after) == len(before)
    changed = {a.part.index for a, b in zip(after, before) if (a.keys, a.label_keys) != (b.keys, b.label_keys)}
    carriers = {p.part.index for p in before if p.part.carries(sentence.start, sentence.end)}
    assert middle.part.index in changed and changed <= carriers
