"""An article in English still gets a bilingual brief, and its numbers are read the English way ("1,312" is 1312).

Replayed from a cassette recorded from the real embedded model on an English article written for this test
(tests/english/). Re-record: SUMMARIZER_RECORD=1 .venv/bin/python -m pytest tests/tasks/test_english_article.py
"""

from __future__ import annotations

import asyncio
import json

import jsonschema
import pytest
from conftest import ROOT

from summarizer.grounding.verify import verify_fact
from summarizer.models.chain import ModelChain
from summarizer.tasks.brief import brief_article
from summarizer.text.article import load_article
from summarizer.text.candidates import fact_candidates
from summarizer.text.language import is_english, is_vietnamese
from summarizer.text.numbers import text_locale, to_json_number

ARTICLE = ROOT / "tests" / "english" / "ward_5_party_committee.txt"
BRIEF_SCHEMA = json.loads((ROOT / "schemas" / "brief.schema.json").read_text(encoding="utf-8"))


def test_english_numbers_are_read_the_english_way():
    article = load_article(ARTICLE)
    assert text_locale(article.text) == "en"
    values = {c.mention.text: c.mention.value for c in fact_candidates(article.text)}
    assert values["1,312"] == 1312 and values["2,284"] == 2284 and values["2,400"] == 2400


@pytest.mark.records
def test_an_english_article_gets_a_bilingual_grounded_brief(cassette, local_settings):
    article = load_article(ARTICLE)
    with cassette("english_ward_5"), ModelChain(local_settings) as chain:
        brief = asyncio.run(brief_article(article, chain))
    jsonschema.validate(brief.model_dump(mode="json"), BRIEF_SCHEMA)
    assert is_vietnamese(brief.summary_vi) and is_english(brief.summary_en)
    for title, check in ((brief.title_vi, is_vietnamese), (brief.title_en, is_english)):  # shown only when its translation holds
        assert check(title) if title else any(c.field.startswith("title") for c in brief.checks)
    english = [s for s in brief.statements if s.field.endswith("en")]  # the article's own sentences, by construction
    assert english and all([article.text[src.start : src.end] for src in s.sources] == [s.text] for s in english)
    assert brief.article.published == "2023-11-23"
    for fact in brief.facts:
        assert verify_fact(article.text, quote=fact.quote, value=fact.value, unit=fact.unit).supported
    assert {f.value for f in brief.facts} <= {to_json_number(c.mention.value) for c in fact_candidates(article.text)}
