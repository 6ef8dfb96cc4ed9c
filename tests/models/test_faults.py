"""The fault matrix: every fault a provider can throw, simulated by a loopback server, for the primary model
(the local fallback then answers) and for the local model itself (the article fails, the batch goes on).

Answers that are not faults are the real recorded answers of the embedded model (tests/replay_server.py).
Every test here simulates its fault, and says so in its name.
"""

from __future__ import annotations

import json
import socket

import pytest
from conftest import CASSETTES, SEEDS
from replay_server import ReplayServer

from summarizer.cli import main

SEED_A, SEED_B = sorted(SEEDS.glob("*.txt"))[:2]
ALL_CASSETTES = sorted(CASSETTES.glob("local_*.json"))
FAKE_KEY = "sk-test-FAKE-primary-key-7f3a9c1e5b"
TIMEOUT = 2  # seconds, for the models of these tests

# fault -> the kind of error recorded for the model that suffered it (None: it recovers and answers)
FAULTS = {
    "refused": "connection",
    "dropped_once": None,  # sent once more, and answered
    "dropped": "connection",  # dropped again: the chain moves on
    "hang": "timeout",
    "stall": "timeout",
    "429": None,
    "500": "server",
    "503": "server",
    "401": "auth",
    "not_json": "server",
    "invalid": "invalid_output",
    "length": "truncated",
    "empty_choices": "invalid_output",
}


def title_of(path) -> str:
    return path.read_text(encoding="utf-8").strip().splitlines()[0].strip()


def only_article_a(body) -> bool:
    return title_of(SEED_A) in json.dumps(body, ensure_ascii=False)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


def run(tmp_path, config: str, capsys) -> tuple[int, str, dict]:
    articles = tmp_path / "articles"
    articles.mkdir()
    for seed in (SEED_A, SEED_B):
        (articles / seed.name).write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "summarizer.toml").write_text(config, encoding="utf-8")
    out = tmp_path / "out"
    code = main(["brief", str(articles), "--out", str(out), "--config", str(tmp_path / "summarizer.toml"), "--concurrency", "1"])
    captured = capsys.readouterr()
    report = json.loads((out / "run-report.json").read_text(encoding="utf-8"))
    written = "".join(p.read_text(encoding="utf-8") for p in out.iterdir() if p.is_file())
    everything = captured.out + captured.err + written
    assert FAKE_KEY not in everything and "FAKE-primary" not in everything, "the key leaked"
    assert "Traceback" not in captured.err
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")], "partial files left behind"
    return code, captured.err, report


def faults_of(fault: str) -> list[str]:
    """The faults the server gives: once for the ones a model recovers from, else for every request of the test."""
    if fault == "dropped_once":
        return ["dropped"]
    return [fault] * (1 if fault == "429" else 10)


def api_base_for(fault: str, server: ReplayServer) -> str:
    return f"http://127.0.0.1:{closed_port()}/v1" if fault == "refused" else server.api_base


@pytest.mark.parametrize("fault", FAULTS)
def test_simulated_fault_of_the_primary_model_falls_back_to_local(fault, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    with (
        ReplayServer(ALL_CASSETTES, faults=faults_of(fault), hang=TIMEOUT * 3, retry_after=1) as primary,
        ReplayServer(ALL_CASSETTES) as local,
    ):
        config = (
            'models = ["openai/primary", "local"]\n'
            f'[model."openai/primary"]\napi_base = "{api_base_for(fault, primary)}"\ntimeout = {TIMEOUT}\n'
            f'[model.local]\napi_base = "{local.api_base}"\n'
        )
        code, err, report = run(tmp_path, config, capsys)
    rows = report["articles"]
    assert code == 0 and [r["status"] for r in rows] == ["done", "done"], err
    if FAULTS[fault] is None:  # 429 with Retry-After waited out, a dropped request sent again: the primary answered
        assert {r["model"] for r in rows} == {"openai/primary"}
        assert all(not r["attempts"] for r in rows), rows
        return
    assert {r["model"] for r in rows} == {"local"}
    for row in rows:
        assert [a.split(":")[0] for a in row["attempts"]] == ["openai/primary"]
        assert row["attempts"][0].split(": ")[1] == FAULTS[fault], row["attempts"]


@pytest.mark.parametrize("fault", FAULTS)
def test_simulated_fault_of_the_local_model_fails_that_article_and_the_batch_goes_on(fault, tmp_path, capsys):
    with ReplayServer(ALL_CASSETTES, faults=faults_of(fault), fault_if=only_article_a, hang=TIMEOUT * 3, retry_after=1) as local:
        api_base = api_base_for(fault, local) if fault != "refused" else None
        if fault == "refused":  # nothing answers at all: both articles fail, each with its own line
            api_base = f"http://127.0.0.1:{closed_port()}/v1"
        config = f'models = ["local"]\n[model.local]\napi_base = "{api_base}"\ntimeout = {TIMEOUT}\n'
        code, err, report = run(tmp_path, config, capsys)
    rows = {r["article"]: r for r in report["articles"]}
    a, b = rows[SEED_A.stem], rows[SEED_B.stem]
    out = tmp_path / "out"
    if FAULTS[fault] is None:
        assert code == 0 and a["status"] == b["status"] == "done"
        return
    assert code == 1
    assert a["status"] == "failed" and f"local: {FAULTS[fault]}" in a["error"]
    assert not list(out.glob(f"{SEED_A.stem}*")), "no output for the failed article"
    assert [line for line in err.splitlines() if line.startswith("FAILED")][0].count(SEED_A.stem) >= 1
    if fault == "refused":
        assert b["status"] == "failed"
    else:
        assert b["status"] == "done" and (out / f"{SEED_B.stem}.json").is_file()
        assert [json.loads(line)["article"]["id"] for line in (out / "briefs.jsonl").read_text(encoding="utf-8").splitlines()] == [SEED_B.stem]
