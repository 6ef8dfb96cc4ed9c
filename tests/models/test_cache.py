"""Tests for summarizer.models.cache: what the key depends on, the SQLite store, and that a cached answer calls no model."""

from __future__ import annotations

import asyncio
import json
import shutil

import pytest
from conftest import ROOT, SEEDS, calls_per_brief
from pydantic import BaseModel, Field

from summarizer.cli import main
from summarizer.config import ModelOptions, Settings
from summarizer.models.cache import AnswerCache, CacheError, cache_key
from summarizer.models.chain import ModelChain
from summarizer.schema import PromptRef, Selection, Usage
from summarizer.tasks.brief import brief_article, brief_request
from summarizer.text.article import load_article

SEED_IDS = [path.stem for path in sorted(SEEDS.glob("*.txt"))]
UNREACHABLE = "http://127.0.0.1:9/v1"  # nothing listens there: a call that is not answered from a cassette fails


class Other(BaseModel):
    title: str = Field(description="A title.")


class OtherReworded(BaseModel):
    title: str = Field(description="The title, in English.")


BASE = dict(
    messages=[{"role": "system", "content": "s"}, {"role": "user", "content": "article"}],
    prompt=PromptRef(name="brief", sha256="a" * 64),
    answer_model=Other,
    model="local:model.gguf:123",
    generation={"mode": "tools", "max_tokens": 3000, "temperature": 0.0, "seed": 0, "max_reasks": 1},
)


@pytest.mark.parametrize(
    "change",
    [
        {"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "article!"}]},
        {"prompt": PromptRef(name="brief", sha256="b" * 64)},
        {"answer_model": OtherReworded},  # only a field description differs: it instructs the model
        {"model": "openai/gpt-4o-mini"},
        {"generation": {**BASE["generation"], "max_tokens": 400}},
        {"generation": {**BASE["generation"], "mode": "json"}},
        {"generation": {**BASE["generation"], "max_reasks": 2}},
    ],
)
def test_each_thing_that_changes_the_answer_changes_the_key(change):
    assert cache_key(**{**BASE, **change}) != cache_key(**BASE)


def test_the_key_is_stable():
    assert cache_key(**BASE) == cache_key(**dict(BASE)) and len(cache_key(**BASE)) == 64


def test_answers_persist_across_opens_and_clear_forgets_them(tmp_path):
    path = tmp_path / "sub" / "answers.sqlite"
    with AnswerCache(path) as cache:
        assert cache.get("k") is None
        cache.put("k", "local", '{"x": 1}', Usage(prompt_tokens=10, completion_tokens=5))
    with AnswerCache(path) as cache:
        hit = cache.get("k")
        assert (hit.model, hit.value_json, hit.usage.total_tokens) == ("local", '{"x": 1}', 15)
        assert cache.count() == 1 and cache.clear() == 1 and cache.get("k") is None


def test_a_file_that_is_not_a_cache_is_one_clear_error(tmp_path):
    path = tmp_path / "answers.sqlite"
    path.write_bytes(b"this is not an SQLite database" * 100)
    with pytest.raises(CacheError) as raised:
        AnswerCache(path)
    assert str(raised.value).startswith(str(path)) and "\n" not in str(raised.value)


# --------------------------------------------------------------------------- in the pipeline


def local_chain(api_base: str = UNREACHABLE, **options) -> ModelChain:
    return ModelChain(Settings(chain=("local",), options={"local": ModelOptions(api_base=api_base, **options)}, source="tests"))


def first_run(seed: str, cassette, cache: AnswerCache, chain: ModelChain | None = None):
    with cassette(f"local_{seed}"), chain or local_chain() as chain:
        return asyncio.run(brief_article(load_article(SEEDS / f"{seed}.txt"), chain, cache))


def test_a_cached_answer_is_used_without_calling_any_model(cassette, tmp_path):
    seed = SEED_IDS[1]
    with AnswerCache(tmp_path / "answers.sqlite") as cache:
        asked = first_run(seed, cassette, cache)
        assert not asked.provenance.cache_hit and cache.count() == len(asked.provenance.calls) >= 3  # one answer per step
        with local_chain() as chain:  # no cassette now: any model call would fail
            again = asyncio.run(brief_article(load_article(SEEDS / f"{seed}.txt"), chain, cache))
    assert again.provenance.cache_hit and again.provenance.cost_usd == 0.0
    assert again.provenance.cache_key == asked.provenance.cache_key
    assert again.provenance.usage == asked.provenance.usage  # what the answer cost when it was asked
    assert again.model_dump(exclude={"provenance"}) == asked.model_dump(exclude={"provenance"})


def test_without_a_cached_answer_the_model_is_called(tmp_path):
    """The control for the test above: the same request with an empty cache and no cassette fails."""
    with AnswerCache(tmp_path / "answers.sqlite") as cache, local_chain() as chain:
        with pytest.raises(Exception) as raised:
            asyncio.run(brief_article(load_article(SEEDS / f"{SEED_IDS[1]}.txt"), chain, cache))
    assert "connection" in str(raised.value)


def test_a_cached_answer_of_a_later_model_of_the_chain_is_used(cassette, tmp_path):
    seed = SEED_IDS[2]
    with AnswerCache(tmp_path / "answers.sqlite") as cache:
        first_run(seed, cassette, cache)
        hosted_first = ModelChain(Settings(chain=("openai/gpt-4o-mini", "local"), options={"local": ModelOptions(api_base=UNREACHABLE)}, source="tests"))
        with hosted_first:
            brief = asyncio.run(brief_article(load_article(SEEDS / f"{seed}.txt"), hosted_first, cache))
    assert brief.provenance.cache_hit and brief.provenance.model == "local" and brief.provenance.attempts == []


def test_changing_an_article_invalidates_its_entry_only(cassette, tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    for seed in SEED_IDS[:2]:
        shutil.copy(SEEDS / f"{seed}.txt", articles / f"{seed}.txt")
    with AnswerCache(tmp_path / "answers.sqlite") as cache, local_chain() as chain:
        for seed in SEED_IDS[:2]:
            first_run(seed, cassette, cache)
        changed = articles / f"{SEED_IDS[0]}.txt"
        changed.write_text(changed.read_text(encoding="utf-8").replace("Đảng", "Ðảng", 1) + "\nThêm một dòng.\n", encoding="utf-8")
        keys = {p.stem: brief_request(load_article(p), chain).parts[0].keys["local"] for p in sorted(articles.iterdir())}
        assert cache.get(keys[SEED_IDS[0]]) is None
        assert cache.get(keys[SEED_IDS[1]]) is not None


def test_changing_a_prompt_file_invalidates_the_entries_that_use_it(cassette, tmp_path, monkeypatch):
    with AnswerCache(tmp_path / "answers.sqlite") as cache, local_chain() as chain:
        first_run(SEED_IDS[3], cassette, cache)
        article = load_article(SEEDS / f"{SEED_IDS[3]}.txt")
        assert cache.get(brief_request(article, chain).parts[0].keys["local"]) is not None
        prompts = tmp_path / "prompts"
        shutil.copytree(ROOT / "summarizer" / "prompts", prompts)
        system = prompts / "article.system.j2"
        system.write_text(system.read_text(encoding="utf-8") + "\n{# an edit that renders the same text #}\n", encoding="utf-8")
        monkeypatch.setenv("SUMMARIZER_PROMPTS_DIR", str(prompts))
        assert cache.get(brief_request(article, chain).parts[0].keys["local"]) is None


def test_changing_the_answer_schema_or_the_model_settings_invalidates(cassette, tmp_path, monkeypatch):
    import summarizer.tasks.brief as brief_task

    with AnswerCache(tmp_path / "answers.sqlite") as cache, local_chain() as chain:
        first_run(SEED_IDS[4], cassette, cache)
        article = load_article(SEEDS / f"{SEED_IDS[4]}.txt")
        assert cache.get(brief_request(article, chain).parts[0].keys["local"]) is not None
        with local_chain(max_tokens=2000) as other_settings:
            assert cache.get(brief_request(article, other_settings).parts[0].keys["local"]) is None

        class SelectionReworded(Selection):
            organization: str | None = Field(description="A different instruction for the organisation.")

        monkeypatch.setattr(brief_task, "Selection", SelectionReworded)
        assert cache.get(brief_request(article, chain).parts[0].keys["local"]) is None


# --------------------------------------------------------------------------- command line


def brief_cli(tmp_path, *extra: str) -> int:
    config = tmp_path / "summarizer.toml"
    config.write_text(f'models = ["local"]\n[model.local]\napi_base = "{UNREACHABLE}"\n', encoding="utf-8")
    return main(["brief", str(SEEDS / f"{SEED_IDS[0]}.txt"), "--config", str(config), *extra])


def test_no_cache_neither_reads_nor_writes(cassette, tmp_path):
    cache_file = tmp_path / "mine.sqlite"
    with cassette(f"local_{SEED_IDS[0]}"):
        assert brief_cli(tmp_path, "--out", str(tmp_path / "a"), "--cache", str(cache_file)) == 0
    assert brief_cli(tmp_path, "--out", str(tmp_path / "b"), "--cache", str(cache_file)) == 0  # from the cache
    assert brief_cli(tmp_path, "--out", str(tmp_path / "c"), "--cache", str(cache_file), "--no-cache") == 1  # asks, fails
    report = json.loads((tmp_path / "b" / "run-report.json").read_text(encoding="utf-8"))
    assert report["totals"]["cached"] == 1 and report["totals"]["prompt_tokens"] == 0


def test_cache_command_reports_and_clears(cassette, tmp_path, capsys):
    cache_file = tmp_path / "mine.sqlite"
    assert main(["cache", "info", "--cache", str(cache_file)]) == 0 and "no cache yet" in capsys.readouterr().out
    with cassette(f"local_{SEED_IDS[0]}"):
        assert brief_cli(tmp_path, "--out", str(tmp_path / "a"), "--cache", str(cache_file)) == 0
    capsys.readouterr()
    calls = calls_per_brief(SEED_IDS[0])  # one cached answer per step of the brief
    assert main(["cache", "info", "--cache", str(cache_file)]) == 0 and f"{calls} answers" in capsys.readouterr().out
    assert main(["cache", "clear", "--cache", str(cache_file)]) == 0 and f"cleared {calls}" in capsys.readouterr().out
    assert AnswerCache(cache_file).count() == 0
