"""Batches: concurrency and the local model's single slot, Retry-After, resuming a killed batch, the run report.

Model answers come from the cassettes recorded from the real embedded model, served by a loopback
replay server (tests/replay_server.py) where a child process or concurrent connections need them.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CASSETTES, ROOT, SEEDS, calls_for, copies
from replay_server import ReplayServer

from summarizer.batch.runner import run_task
from summarizer.cli import main
from summarizer.config import ModelOptions, Settings
from summarizer.models.chain import ModelChain
from summarizer.tasks.brief import BriefTask, brief_article
from summarizer.text.article import load_article

SEED_PATHS = sorted(SEEDS.glob("*.txt"))
ALL_CASSETTES = sorted(CASSETTES.glob("local_*.json"))


def chain_for(name: str, api_base: str) -> ModelChain:
    return ModelChain(Settings(chain=(name,), options={name: ModelOptions(api_base=api_base)}, source="tests"))


# --------------------------------------------------------------------------- concurrency


def test_articles_run_concurrently_against_a_hosted_style_model(tmp_path):
    with ReplayServer(ALL_CASSETTES, delay=0.3) as server, chain_for("openai/replayed", server.api_base) as chain:
        outcomes = asyncio.run(run_task(BriefTask(), SEED_PATHS, chain, tmp_path / "out", concurrency=5))
    # the replay server holds the recordings of the `local` model; the model name is not part of the body match
    assert server.most_in_flight == 5
    assert all(o.result and o.result.provenance.model == "openai/replayed" for o in outcomes), [o.error for o in outcomes]


def test_the_local_model_gets_one_request_at_a_time_whatever_the_concurrency(tmp_path):
    with ReplayServer(ALL_CASSETTES, delay=0.2) as server, chain_for("local", server.api_base) as chain:
        outcomes = asyncio.run(run_task(BriefTask(), SEED_PATHS, chain, tmp_path / "out", concurrency=5))
    assert all(o.result for o in outcomes)
    assert server.most_in_flight == 1 and server.answered == sum(len(o.result.provenance.calls) for o in outcomes)  # a brief is 3-4 calls


def test_retry_after_on_429_is_waited_out_then_the_same_model_answers_simulated(tmp_path):
    """Simulated fault: the first request is answered 429 with Retry-After: 1."""
    with ReplayServer(ALL_CASSETTES[:1], faults=["429"], retry_after=1) as server, chain_for("local", server.api_base) as chain:
        brief = asyncio.run(brief_article(load_article(SEED_PATHS[0]), chain))
    assert brief.provenance.model == "local" and brief.provenance.attempts == []
    assert server.requests == 1 + len(brief.provenance.calls) and server.request_times[1] - server.request_times[0] >= 1.0


def test_a_429_without_retry_after_moves_on_in_the_chain_simulated(tmp_path, monkeypatch):
    """Simulated fault: the provider asks for a wait longer than we accept; the model counts as failed."""
    import summarizer.models.chain as chain_module

    monkeypatch.setattr(chain_module, "MAX_RETRY_AFTER", 0.5)
    with ReplayServer(ALL_CASSETTES[:1], faults=["429"] * 5, retry_after=30) as server, chain_for("local", server.api_base) as chain:
        with pytest.raises(Exception) as raised:
            asyncio.run(brief_article(load_article(SEED_PATHS[0]), chain))
    assert "rate_limit" in str(raised.value) and server.requests == 1


# --------------------------------------------------------------------------- resume


def brief_command(articles: Path, out: Path, api_base: str, *extra: str) -> list[str]:
    config = out.parent / "summarizer.toml"
    config.write_text(f'models = ["local"]\n[model.local]\napi_base = "{api_base}"\n', encoding="utf-8")
    return ["brief", str(articles), "--out", str(out), "--config", str(config), "--concurrency", "4", *extra]


def test_a_second_run_keeps_finished_briefs_and_calls_no_model(tmp_path):
    articles, out = tmp_path / "articles", tmp_path / "out"
    paths = copies(articles, 5)
    with ReplayServer(ALL_CASSETTES) as server:
        assert main(brief_command(articles, out, server.api_base, "--no-cache")) == 0
        written = {p.name: p.stat().st_mtime_ns for p in out.glob("0*")}
        assert main(brief_command(articles, out, server.api_base, "--no-cache")) == 0
    assert server.requests == calls_for(*paths), "the second run asked no model"
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("0*")} == written, "finished briefs were not rewritten"
    report = json.loads((out / "run-report.json").read_text(encoding="utf-8"))
    assert report["totals"]["resumed"] == 5 and report["totals"]["prompt_tokens"] == 0


def test_a_changed_article_is_done_again_on_the_next_run(tmp_path):
    articles, out = tmp_path / "articles", tmp_path / "out"
    paths = copies(articles, 2)
    with ReplayServer(ALL_CASSETTES) as server:
        assert main(brief_command(articles, out, server.api_base, "--no-cache")) == 0
        paths[0].write_text(paths[1].read_text(encoding="utf-8"), encoding="utf-8")  # now another seed's text
        assert main(brief_command(articles, out, server.api_base, "--no-cache")) == 0
    report = json.loads((out / "run-report.json").read_text(encoding="utf-8"))
    assert [r["status"] for r in report["articles"]] == ["done", "resumed"]
    assert server.requests == calls_for(*paths) + calls_for(paths[1]), "only the changed article (now the second's text) was asked again"
    assert (
        json.loads((out / f"{paths[0].stem}.json").read_text(encoding="utf-8"))["title_en"]
        == json.loads((out / f"{paths[1].stem}.json").read_text(encoding="utf-8"))["title_en"]
    )


def test_files_a_machine_crash_emptied_are_written_again_simulated(tmp_path):
    """A batch writes its articles' files without waiting for the disk and syncs once at its end, so a crash of
    the machine mid-run can leave a renamed file empty. Emptied here by hand: such an article is done again."""
    articles, out = tmp_path / "articles", tmp_path / "out"
    paths = copies(articles, 3)
    with ReplayServer(ALL_CASSETTES) as server:
        assert main(brief_command(articles, out, server.api_base, "--no-cache")) == 0
        (out / f"{paths[0].stem}.md").write_bytes(b"")
        (out / f"{paths[1].stem}.json").write_bytes(b"")
        assert main(brief_command(articles, out, server.api_base, "--no-cache")) == 0
    report = json.loads((out / "run-report.json").read_text(encoding="utf-8"))
    assert [r["status"] for r in report["articles"]] == ["done", "done", "resumed"]
    assert server.requests == calls_for(*paths) + calls_for(*paths[:2]), "only the two emptied articles were asked again"
    assert all((out / f"{path.stem}{suffix}").stat().st_size > 0 for path in paths for suffix in (".md", ".json"))


def test_a_batch_killed_with_sigkill_resumes_without_redoing_or_losing_anything(tmp_path):
    """A real batch process is killed (SIGKILL) mid-run; the same command then finishes only the rest."""
    articles, out = tmp_path / "articles", tmp_path / "out"
    paths = copies(articles, 60)
    env = {**os.environ, "SUMMARIZER_CACHE": str(tmp_path / "answers.sqlite"), "PYTHONPATH": str(ROOT)}
    with ReplayServer(ALL_CASSETTES, delay=0.05) as server:
        command = [sys.executable, "-m", "summarizer", *brief_command(articles, out, server.api_base, "--no-cache")]
        child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while len(list(out.glob("0*.json"))) < 8 and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert child.returncode == -signal.SIGKILL, "the batch ended before it could be killed"
        done_before = {p.name: p.stat().st_mtime_ns for p in out.glob("0*.json")}
        assert 8 <= len(done_before) < len(paths)
        for path in out.glob("0*.json"):  # whatever the kill interrupted, every brief on disk is whole
            json.loads(path.read_text(encoding="utf-8"))
            assert path.with_suffix(".md").is_file()
        time.sleep(0.2)  # a request the child sent just before the kill is counted before, not after
        requests_before = server.requests

        finish = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert finish.returncode == 0, finish.stderr[-2000:]
    report = json.loads((out / "run-report.json").read_text(encoding="utf-8"))
    assert report["totals"]["resumed"] == len(done_before) and report["totals"]["failed"] == 0
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("0*.json") if p.name in done_before} == done_before
    rest = [path for path in paths if f"{path.stem}.json" not in done_before]
    assert server.requests - requests_before == calls_for(*rest), "finished articles were not asked again"
    lines = (out / "briefs.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["article"]["id"] for line in lines] == [p.stem for p in paths]
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")], "partial files left behind"


def test_the_run_report_accounts_for_every_article(tmp_path):
    articles, out = tmp_path / "articles", tmp_path / "out"
    copies(articles, 3)
    (articles / "broken.txt").write_bytes(b"\x00\x01binary")
    with ReplayServer(ALL_CASSETTES) as server:
        assert main(brief_command(articles, out, server.api_base)) == 1
        assert main(brief_command(articles, out, server.api_base)) == 1
    report = json.loads((out / "run-report.json").read_text(encoding="utf-8"))
    rows = report["articles"]
    assert [r["status"] for r in rows] == ["resumed", "resumed", "resumed", "failed"]
    assert "broken.txt" in rows[3]["error"] and report["settings"]["concurrency"] == 4
    assert report["totals"] == {
        "articles": 4,
        "done": 0,
        "cached": 0,
        "resumed": 3,
        "failed": 1,
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "cost_usd": 0.0,
        "answered_by": {"local": 3},
    }
