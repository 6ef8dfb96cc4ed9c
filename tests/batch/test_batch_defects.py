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


# --------------------------------------------------------------------------- 4. FIFOs, devices, sockets, huge files


def special_file(folder: Path, kind: str) -> Path:
    """A file of `kind` in `folder`: fifo, socket, a symlink to /dev/zero, or a sparse file of 1 GiB."""
    import socket

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / {"fifo": "pipe.txt", "socket": "sock.md", "zero_link": "zero.txt", "sparse": "big.txt"}[kind]
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))  # left bound: the file stays a socket
        special_file.sockets = [*getattr(special_file, "sockets", []), server]
    elif kind == "zero_link":
        path.symlink_to("/dev/zero")
    else:
        with open(path, "wb") as handle:
            handle.truncate(1 << 30)
    return path


@pytest.mark.parametrize("kind", ["/dev/zero", "/dev/null", "/dev/urandom", "fifo", "socket", "zero_link", "sparse"])
def test_a_special_or_huge_file_given_as_an_article_is_one_line_and_exit_2(kind, tmp_path):
    path = Path(kind) if kind.startswith("/") else special_file(tmp_path / "in", kind)
    result = run_cli("brief", path, "--out", tmp_path / "out", "--config", config_file(tmp_path, NOWHERE), timeout=60)
    line = one_line(result.stderr)
    assert result.returncode == 2, result.stderr
    assert str(path) in line and ("not a regular file" in line or "MiB" in line), line


def test_a_file_that_cannot_be_opened_is_one_line_naming_it_simulated(tmp_path, monkeypatch):
    """Simulated: opening the file is refused (as for another user's file; root reads everything)."""
    from summarizer.errors import ArticleError
    from summarizer.text.article import load_article

    [path] = articles(tmp_path / "in", "khoa.txt")
    real_open = os.open

    def denied(name, flags, *args, **kwargs):
        if os.fspath(name) == str(path):
            raise PermissionError(13, "Permission denied", str(name))
        return real_open(name, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(ArticleError) as caught:
        load_article(path)
    assert str(caught.value) == f"{path}: cannot read the file (permission denied); check its permissions"


def test_special_and_huge_files_in_a_folder_each_fail_in_one_line_and_the_batch_goes_on(tmp_path):
    folder = tmp_path / "in"
    articles(folder, "good.txt")
    bad = [special_file(folder, kind) for kind in ("fifo", "socket", "zero_link", "sparse")]
    with ReplayServer(ALL_CASSETTES) as server:
        result = run_cli("brief", folder, "--out", tmp_path / "out", "--config", config_file(tmp_path, server.api_base), "--no-cache", timeout=90)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-3000:]
    failed = [line for line in result.stderr.splitlines() if line.startswith("FAILED")]
    assert len(failed) == len(bad), failed
    for path in bad:
        [line] = [line for line in failed if f"{path}:" in line]
        assert "not a regular file" in line or "MiB" in line, line
    rows = {row["article"]: row["status"] for row in report_of(tmp_path / "out")["articles"]}
    assert rows["good"] == "done"
