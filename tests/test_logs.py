"""One clear line per failed article: libraries' messages go to the debug log, stderr keeps our own lines.

The real CLI runs as a subprocess against a loopback provider (tests/replay_server.py) that fails every article of a
batch, each its own way (all simulated); its actual stderr must be one FAILED line per article and the lines every
batch ends with, nothing from litellm or instructor, no traceback; the debug log has what the libraries said.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import CASSETTES, ROOT, SEEDS
from test_secrets import Hostile

from summarizer import logs

SEED_FILES = sorted(SEEDS.glob("*.txt"))
FAKE_KEY = "sk-test-LOGSCAN-9e8d7c6b5a4f3e2d"
# the faults of the local model, the only model of each run, in the order the articles ask (--concurrency 1), and the
# kind each article's line must name; a fault listed twice is the answer and the re-ask
RUNS = {
    "answers": (
        [
            ("500", "server"),
            ("503", "server"),
            ("401", "auth"),
            ("not_json", "server"),
            ("length", "truncated"),
            ("empty_choices", "invalid_output"),
            ("nested", "invalid_output"),
            ("invalid", "invalid_output"),
            ("invalid_echo", "invalid_output"),
        ],
        30,
    ),
    "timeouts": ([("hang", "timeout"), ("stall", "timeout")], 2),
    "refused": ([("refused", "connection"), ("refused", "connection")], 2),
}
REASKED = ("empty_choices", "nested", "invalid", "invalid_echo")  # re-asked once: two requests each


class Failing(Hostile):
    """test_secrets' hostile provider, and an answer nested thousands deep."""

    def _fault(self, fault: str, answer: bytes | None) -> None:
        if fault != "nested":
            super()._fault(fault, answer)
            return
        import json

        from replay_server import set_answer

        completion = json.loads(answer or self.server.recordings[0][2])
        set_answer(completion, "[" * 5000 + "]" * 5000)
        self._send(200, json.dumps(completion).encode())


def closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Run:
    folder: Path
    code: int
    stderr: str
    articles: list[tuple[str, str]]  # (article id, the kind its line must name)

    @property
    def debug_log(self) -> str:
        path = self.folder / "cache" / "logs" / "summarizer.log"
        return path.read_text(encoding="utf-8") if path.is_file() else ""


@pytest.fixture(scope="module")
def failing_runs(tmp_path_factory) -> dict[str, Run]:
    """`summarizer brief` of one batch per group, every article failing; the runs at the same time."""
    from replay_server import ReplayServer

    started = {}
    with contextlib.ExitStack() as stack:
        for group, (faults, timeout) in RUNS.items():
            folder = tmp_path_factory.mktemp(f"failing-{group}")
            (folder / "articles").mkdir()
            articles, requests = [], []
            for n, (fault, kind) in enumerate(faults):
                name = f"a{n:02d}_{fault}"
                (folder / "articles" / f"{name}.txt").write_text(SEED_FILES[n % len(SEED_FILES)].read_text(encoding="utf-8"), encoding="utf-8")
                articles.append((name, kind))
                requests += [fault] * (2 if fault in REASKED else 1)
            server = stack.enter_context(ReplayServer(sorted(CASSETTES.glob("local_*.json")), faults=requests, hang=timeout * 2))
            server.RequestHandlerClass = Failing
            api_base = f"http://127.0.0.1:{closed_port()}/v1" if group == "refused" else server.api_base
            (folder / "summarizer.toml").write_text(f'models = ["local"]\n[model.local]\napi_base = "{api_base}"\ntimeout = {timeout}\n', encoding="utf-8")
            env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "OPENAI_API_KEY": FAKE_KEY}
            env.update(SUMMARIZER_CACHE=str(folder / "cache" / "answers.sqlite"), SUMMARIZER_CACHE_DIR=str(folder / "cache"))
            env.pop("SUMMARIZER_MODELS", None)
            command = [sys.executable, "-m", "summarizer", "brief", str(folder / "articles"), "--out", str(folder / "out")]
            command += ["--config", str(folder / "summarizer.toml"), "--concurrency", "1"]
            err = (folder / "stderr.txt").open("w+")
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
            started[group] = (folder, process, err, articles)
        runs = {}
        for group, (folder, process, err, articles) in started.items():
            code = process.wait(timeout=600)
            err.seek(0)
            runs[group] = Run(folder, code, err.read(), articles)
            err.close()
    return runs


@pytest.mark.parametrize("group", RUNS)
def test_every_failed_article_is_exactly_one_line_on_stderr_simulated(group, failing_runs):
    run = failing_runs[group]
    lines = run.stderr.splitlines()
    failed = [line for line in lines if line.startswith("FAILED ")]
    rest = [line for line in lines if not line.startswith("FAILED ")]
    total = len(run.articles)
    assert run.code == 1
    assert rest == [f"run report: {run.folder / 'out' / 'run-report.json'}", f"summarizer: {total} of {total} articles failed (see the lines above)"], (
        run.stderr
    )
    assert len(failed) == total, run.stderr
    for line, (article, kind) in zip(failed, run.articles, strict=True):
        assert line.startswith(f"FAILED {article}: ") and f"(local: {kind}: " in line, line


def test_an_invalid_output_line_says_which_field_was_invalid_and_why_simulated(failing_runs):
    lines = {line.split(":")[0].removeprefix("FAILED "): line for line in failing_runs["answers"].stderr.splitlines()}
    invalid = lines["a07_invalid"]  # the answer {"title_vi": 5, "facts": "none"}, asked and re-asked
    # the first validation error: the field (a dotted path) and pydantic's message, then how many more
    assert re.search(r"invalid_output: the answer failed validation after 2 attempts: \w+(\.\w+)*: [A-Z][\w ]+ \(and \d+ more errors\)\)$", invalid)
    echo = lines["a08_invalid_echo"]
    assert "the answer failed validation" in echo and "Field required" in echo and FAKE_KEY not in echo
    assert "the answer failed validation after 2 attempts: the answer: Invalid JSON: recursion limit exceeded" in lines["a06_nested"]
    assert "the answer had no choices" in lines["a05_empty_choices"]  # no validation error: what stopped the reading


def test_what_the_libraries_said_is_in_the_debug_log_simulated(failing_runs):
    log = failing_runs["answers"].debug_log
    assert "LiteLLM completion()" in log  # litellm's own lines
    assert (
        "local: the answer failed validation (attempt 1 of 2): the answer: Invalid JSON: recursion limit exceeded" in log
    )  # each re-ask, kept where it can be read
    assert FAKE_KEY not in log
    for run in failing_runs.values():
        assert "instructor" not in run.stderr and "LiteLLM" not in run.stderr and "Traceback" not in run.stderr


# --------------------------------------------------------------------------- in the process


@pytest.fixture
def fresh_logging():
    """The logging set-up of the test process, put back after the test."""
    root = logging.getLogger()
    handlers, level, factory = list(root.handlers), root.level, logging.getLogRecordFactory()
    filters = {name: list(logging.getLogger(name).filters) for name in logs.SELF_HANDLED}
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    logging.setLogRecordFactory(factory)
    for name, kept in filters.items():
        logging.getLogger(name).filters[:] = kept


def test_library_records_reach_only_the_debug_log_and_ours_stderr_on_one_line(tmp_path, monkeypatch, capsys, fresh_logging):
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    path = logs.setup()
    import litellm  # noqa: F401  (it attaches a stream handler of its own to its loggers when imported)

    logging.getLogger("LiteLLM").error("litellm says: bad key %s", FAKE_KEY)
    logging.getLogger("instructor.v2.retry").error(f"API call failed on attempt 1: {FAKE_KEY[:12]}\n{FAKE_KEY[12:]}")
    logging.getLogger("httpx").warning("HTTP Request: GET http://127.0.0.1/v1?api_key=abcdef123456 200")
    try:
        raise ValueError(f"deep inside: {FAKE_KEY}")
    except ValueError:
        logging.getLogger("summarizer.test").warning("ours, over\ntwo lines: %s", FAKE_KEY, exc_info=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"summarizer: ours, over two lines: [redacted] (traceback in {path})\n"
    text = path.read_text(encoding="utf-8")
    assert "litellm says: bad key [redacted]" in text and "API call failed on attempt 1: [redacted]" in text
    assert "HTTP Request: GET http://127.0.0.1/v1?" in text and "abcdef123456" not in text  # (litellm filters httpx's too)
    assert "ValueError: deep inside: [redacted]" in text
    assert FAKE_KEY[:12] not in text and FAKE_KEY[12:] not in text
