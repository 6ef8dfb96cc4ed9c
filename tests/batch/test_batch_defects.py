"""The batch defects of issue 17, each through the real CLI: a dripping provider, special files, colliding output
names, two runs on one folder, an unusable or full output folder, oversized model prose, file names that hold
escape sequences.

Model answers are the embedded model's recorded ones, served by a loopback replay server (tests/replay_server.py);
a test that injects a fault says "simulated" in its name.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CASSETTES, ROOT, SEEDS
from replay_server import ReplayServer

from summarizer.cli import main

SEED_PATHS = sorted(SEEDS.glob("*.txt"))
SEED = SEED_PATHS[0]
ALL_CASSETTES = sorted(CASSETTES.glob("local_*.json"))
TIMEOUT = 2  # seconds: the models' timeout in these tests
NOWHERE = "http://127.0.0.1:9/v1"  # a model nothing answers for: tests that must not get as far as a model (never the real one)


def config_file(tmp_path: Path, api_base: str, *, timeout: float | None = None, primary: str | None = None) -> Path:
    """A config whose chain is `local` at `api_base`, behind `openai/primary` at `primary` when given."""
    limit = f"timeout = {timeout}\n" if timeout else ""
    text = f'models = ["local"]\n[model.local]\napi_base = "{api_base}"\n{limit}'
    if primary:
        text = f'models = ["openai/primary", "local"]\n[model."openai/primary"]\napi_base = "{primary}"\n{limit}[model.local]\napi_base = "{api_base}"\n'
    path = tmp_path / "summarizer.toml"
    path.write_text(text, encoding="utf-8")
    return path


def articles(folder: Path, *names: str, seed: Path = SEED) -> list[Path]:
    """Copies of a seed under the given names (which may hold subfolders)."""
    paths = []
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(seed, path)
        paths.append(path)
    return paths


def brief(capsys, *args) -> tuple[int, str, str]:
    """`summarizer brief ARGS` in this process: exit code, stdout, stderr."""
    code = main(["brief", *map(str, args)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "Traceback" not in captured.out
    return code, captured.out, captured.err


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got {lines}"
    assert "Traceback" not in err
    return lines[0]


def report_of(out: Path) -> dict:
    return json.loads((out / "run-report.json").read_text(encoding="utf-8"))


def run_cli(*args, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    """The CLI in a child process, with at most 2 GB of memory (a file read without limit cannot take the machine)."""
    import resource

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    command = [sys.executable, "-m", "summarizer", *map(str, args)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, preexec_fn=limit_memory)


# --------------------------------------------------------------------------- 3. a dripping provider


@pytest.mark.parametrize("faults", [["drip"], ["drip_headers"], ["invalid", "drip"]], ids=["body", "headers", "reask"])
def test_a_provider_that_drips_its_answer_is_stopped_by_the_timeout_simulated(faults, tmp_path, capsys):
    """Simulated fault: every read gets a byte, so a per-read timeout never fires; the whole call (re-asks
    included) is bounded by `timeout`, and it is reported as kind `timeout`."""
    articles(tmp_path / "in", SEED.name)
    with ReplayServer(ALL_CASSETTES, faults=faults, drip=0.05, hang=TIMEOUT * 5) as server:
        config = config_file(tmp_path, server.api_base, timeout=TIMEOUT)
        code, _, err = brief(capsys, tmp_path / "in", "--out", tmp_path / "out", "--config", config)
        seconds = time.monotonic() - server.request_times[0]  # from the first request on: not the libraries' import
    row = report_of(tmp_path / "out")["articles"][0]
    assert code == 1 and row["status"] == "failed", err
    assert "local: timeout:" in row["error"]
    assert seconds < TIMEOUT + 3, f"{seconds:.1f} s for timeout = {TIMEOUT}"


def test_a_dripping_primary_model_times_out_and_the_next_model_answers_simulated(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key-0000")
    articles(tmp_path / "in", SEED.name)
    with ReplayServer(ALL_CASSETTES, faults=["drip"] * 3, drip=0.05, hang=TIMEOUT * 5) as primary, ReplayServer(ALL_CASSETTES) as local:
        config = config_file(tmp_path, local.api_base, timeout=TIMEOUT, primary=primary.api_base)
        code, _, err = brief(capsys, tmp_path / "in", "--out", tmp_path / "out", "--config", config)
        seconds = time.monotonic() - primary.request_times[0]
    row = report_of(tmp_path / "out")["articles"][0]
    assert code == 0 and row["model"] == "local", err
    assert [attempt.split(": ")[:2] for attempt in row["attempts"]] == [["openai/primary", "timeout"]]
    assert seconds < TIMEOUT + 3
