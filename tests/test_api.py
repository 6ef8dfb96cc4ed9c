"""The public Python API (summarizer.brief, abrief, fill, afill, verify), replayed from the cassettes recorded on the
embedded model: the same answers, grounding and offsets as the command line."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest
from conftest import ROOT, SEEDS

import summarizer
from summarizer.cli import main

SEED = "000_25d47c26562bab5c"
PROFILE = ROOT / "schemas" / "forms" / "ward_party_profile.json"


@pytest.fixture
def replay_config(tmp_path, local_api_base):
    """A config that points `local` at where the recorded answers are replayed (no server is started)."""
    config = tmp_path / "summarizer.toml"
    config.write_text(f'models = ["local"]\n[model.local]\napi_base = "{local_api_base}"\n', encoding="utf-8")
    return config


def test_brief_of_a_path_equals_the_command_line_brief(cassette, replay_config, tmp_path):
    with cassette(f"local_{SEED}"):
        brief = summarizer.brief(str(SEEDS / f"{SEED}.txt"), models=["local"], config=replay_config, cache=False)
    with cassette(f"local_{SEED}"):
        assert main(["brief", str(SEEDS / f"{SEED}.txt"), "--out", str(tmp_path / "out"), "--config", str(replay_config), "--no-cache", "-q"]) == 0
    written = json.loads((tmp_path / "out" / f"{SEED}.json").read_text(encoding="utf-8"))
    assert brief.statements and [s.model_dump(mode="json") for s in brief.statements] == written["statements"]
    assert (brief.title_en, brief.summary_en) == (written["title_en"], written["summary_en"])
    assert [f.model_dump(mode="json") for f in brief.facts] == written["facts"]
    assert brief.article.text == written["article"]["text"]
    for fact in brief.facts:
        assert brief.article.text[fact.start : fact.end] == fact.quote


def test_abrief_of_the_text_in_memory_gives_the_same_brief(cassette, replay_config):
    text = (SEEDS / f"{SEED}.txt").read_text(encoding="utf-8")
    with cassette(f"local_{SEED}"):
        from_path = summarizer.brief(SEEDS / f"{SEED}.txt", models="local", config=replay_config, cache=False)
    with cassette(f"local_{SEED}"):
        from_text = asyncio.run(summarizer.abrief(text, models=["local"], config=replay_config, cache=False))
    assert from_text.article.text == from_path.article.text
    assert from_text.summary_en == from_path.summary_en
    assert [f.start for f in from_text.facts] == [f.start for f in from_path.facts]


def test_fill_and_afill_from_the_recorded_answers(cassette, replay_config):
    with cassette(f"fill_{SEED}"):
        filled = summarizer.fill(SEEDS / f"{SEED}.txt", str(PROFILE), models=["local"], config=replay_config, cache=False)
    with cassette(f"fill_{SEED}"):
        again = asyncio.run(summarizer.afill(str(SEEDS / f"{SEED}.txt"), PROFILE, models=["local"], config=replay_config, cache=False))
    assert filled.form.name == "ward_party_profile"
    assert filled.values == again.values and filled.values
    for result in filled.fields.values():
        if result.status == "filled" and result.start is not None:
            assert filled.article.text[result.start : result.end] == result.quote


def test_verify_cleans_the_text_as_the_command_line_does(tmp_path):
    raw = (SEEDS / f"{SEED}.txt").read_text(encoding="utf-8")
    records = [{"value": 327, "unit": "đảng viên", "quote": "327 đảng viên"}, {"value": 328, "unit": "đảng viên", "quote": "327 đảng viên"}]
    (tmp_path / "facts.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    printed = subprocess.run(
        [sys.executable, "-m", "summarizer", "verify", str(SEEDS / f"{SEED}.txt"), str(tmp_path / "facts.json")], capture_output=True, text=True, check=True
    )
    from_api = summarizer.verify(raw, records)
    assert from_api == json.loads(printed.stdout)
    assert [r["supported"] for r in from_api] == [True, False]


def test_every_failure_is_a_summarizer_error_with_one_line(replay_config):
    with pytest.raises(summarizer.ArticleError) as empty:
        summarizer.brief("   \n ", models="local", config=replay_config, cache=False)
    with pytest.raises(summarizer.FormError) as bad_form:
        summarizer.fill("Đảng bộ có 327 đảng viên.", {"type": "array"}, models="local", config=replay_config, cache=False)
    with pytest.raises(summarizer.ConfigError):
        summarizer.brief("Đảng bộ có 327 đảng viên.", models=[], config=replay_config / "missing.toml", cache=False)
    for err in (empty.value, bad_form.value):
        assert isinstance(err, summarizer.SummarizerError) and "\n" not in str(err)


def test_no_valid_answer_names_the_task(replay_config, tmp_path):
    """The local model's api_base is refused (nothing listens on port 9): the error says no valid brief was made."""
    with pytest.raises(summarizer.NoValidAnswer) as failed:
        summarizer.brief("Đảng bộ Phường 6 có 327 đảng viên.", models="local", config=replay_config, cache=False)
    assert "no model produced a valid brief" in str(failed.value) and failed.value.attempts[0].model == "local"


def test_import_summarizer_is_light():
    """`import summarizer` loads neither pydantic's models nor litellm: the API is imported on first use."""
    code = "import sys, summarizer; print('summarizer.api' in sys.modules, 'litellm' in sys.modules, sorted(summarizer.__all__)[:3])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.startswith("False False")
