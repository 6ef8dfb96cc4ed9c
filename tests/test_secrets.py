"""No secret leaves the process: the real CLI and the real service, run as subprocesses against a hostile provider.

The provider (a loopback server, simulated) echoes the API key it was sent, in every shape a careless provider
might: whole in a 401, split around a line break, a space or an escaped newline, as a prefix before '****', in a
500, inside an invalid answer's validation error, and inside a valid answer. Each run's actual stderr and stdout,
the service's log, the debug log, every output file, the run report, the service's data folder and the SQLite answer
cache are scanned for the key and for any piece of it of 8 characters or more (its halves, its prefix).
The CLI cases run at the same time (each is a process that imports litellm), then each is checked by its own test.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from conftest import CASSETTES, ROOT, SEEDS
from replay_server import ReplayServer, _Handler, answer_of, set_answer
from served import AUTH, RECORDED, TOKEN, Served, served, wait_for_batch

from summarizer.redaction import MIN_SECRET_CHARS, redact, redact_answer, redact_secrets

FAKE_KEY = "sk-test-SECRETSCAN-4f1c9b7e2d8a6035"
FIRST_HALF, SECOND_HALF = FAKE_KEY[: len(FAKE_KEY) // 2], FAKE_KEY[len(FAKE_KEY) // 2 :]
SEEDS_USED = sorted(SEEDS.glob("*.txt"))
LOCAL_RECORDINGS = sorted(CASSETTES.glob("local_*.json"))
QUERY_SECRETS = {  # sent in query strings to the service: the access log must not show them
    "token": "qs-token-value-31337abc",
    "api_key": "qs-apikey-value-31337abc",
    "access_token": "qs-access-value-31337abc",
    "key": "qs-key-value-31337abc",
    "Token": "qs-Token-value-31337abc",
}


def pieces_of(secret: str, text: str) -> list[str]:
    """The pieces of `secret` (MIN_SECRET_CHARS characters or more) that `text` holds, longest first."""
    found = []
    for size in range(len(secret), MIN_SECRET_CHARS - 1, -1):
        for start in range(len(secret) - size + 1):
            piece = secret[start : start + size]
            if piece in text and not any(piece in longer for longer in found):
                found.append(piece)
    return found


def leaks(text: str, secret: str = FAKE_KEY) -> list[str]:
    """What of `secret` is in `text`: pieces of it, also with whitespace or an escaped newline between its halves."""
    folded = text.replace("\\n", "").replace("\\r", "")
    folded = "".join(folded.split())
    return sorted(set(pieces_of(secret, text)) | set(pieces_of(secret, folded)), key=len, reverse=True)


def files_text(*folders: Path) -> dict[str, str]:
    """Every file under `folders` as text (SQLite files too: their bytes, and their answers read back)."""
    out = {}
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            out[str(path)] = path.read_bytes().decode("utf-8", "replace")
            if path.suffix == ".sqlite":
                with contextlib.closing(sqlite3.connect(path)) as db:
                    tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
                    rows = [json.dumps(row, ensure_ascii=False) for table in tables for row in db.execute(f"SELECT * FROM {table}")]  # noqa: S608
                out[f"{path} (rows)"] = "\n".join(rows)
    return out


def where_it_leaked(texts: dict[str, str], secret: str = FAKE_KEY) -> dict[str, list[str]]:
    return {name: found for name, text in texts.items() if (found := leaks(text, secret))}


# --------------------------------------------------------------------------- the hostile provider


class Hostile(_Handler):
    """replay_server's faults, and more ways of echoing the key it was sent (all simulated)."""

    def _fault(self, fault: str, answer: bytes | None) -> None:
        key = self.headers.get("Authorization", "").removeprefix("Bearer ")
        first, second = key[: len(key) // 2], key[len(key) // 2 :]
        echoes = {
            "401_newline": f"incorrect API key provided: {first}\n{second}",
            "401_space": f"incorrect API key provided: {first} {second}",
            "401_escaped": "incorrect API key provided: " + json.dumps({"key": f"{first}\n{second}"}),
            "401_prefix": f"incorrect API key provided: {key[:12]}{'*' * 16}{key[-4:]}",
            "500_echo": f"internal error while checking key {key}",
        }
        if fault in echoes:
            status = 500 if fault == "500_echo" else 401
            self._send(status, json.dumps({"error": {"message": echoes[fault], "type": "invalid_request_error"}}).encode())
            return
        if fault not in ("answer_echo", "answer_split", "invalid_echo"):
            super()._fault(fault, answer)
            return
        completion = json.loads(answer or self.server.recordings[0][2])
        arguments = answer_of(completion)
        if fault == "answer_echo":  # a valid answer that repeats the key
            _append(arguments, f" The key is {key}.")
        elif fault == "answer_split":
            _append(arguments, f" {first}\n{second}", every=True)
        else:  # an answer that fails validation, with the key in the values the validation error quotes
            arguments = {"title_vi": 5, "facts": key, "summary": {"key": key}, "translations": key}
        set_answer(completion, json.dumps(arguments, ensure_ascii=False))
        self._send(200, json.dumps(completion, ensure_ascii=False).encode())


def _append(answer, extra: str, every: bool = False) -> bool:
    """`extra` appended to the answer's first text (or to every text), in place."""
    items = answer.items() if isinstance(answer, dict) else enumerate(answer) if isinstance(answer, list) else ()
    done = False
    for key, value in list(items):
        if isinstance(value, str) and key not in ("id",):
            answer[key], done = value + extra, True
        elif isinstance(value, (dict, list)):
            done = _append(value, extra, every) or done
        if done and not every:
            return True
    return done


@contextlib.contextmanager
def hostile(faults: list[str]):
    with ReplayServer(LOCAL_RECORDINGS + sorted(CASSETTES.glob("fill_*.json")), faults=faults) as server:
        server.RequestHandlerClass = Hostile
        yield server


def chain_config(primary: str, local: str) -> str:
    return f'models = ["openai/primary", "local"]\n[model."openai/primary"]\napi_base = "{primary}"\ntimeout = 30\n[model.local]\napi_base = "{local}"\n'


def child_env(folder: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "OPENAI_API_KEY": FAKE_KEY, "LITELLM_LOCAL_MODEL_COST_MAP": "True", **extra}
    env["SUMMARIZER_CACHE"] = str(folder / "cache" / "answers.sqlite")
    env["SUMMARIZER_CACHE_DIR"] = str(folder / "cache")  # the debug log goes to cache/logs/
    env.pop("SUMMARIZER_MODELS", None)
    return env


# --------------------------------------------------------------------------- the CLI


ECHOES = {  # fault -> how the provider echoes the key
    "401": "whole, in a refused-key message",
    "401_newline": "its halves around a line break",
    "401_space": "its halves around a space",
    "401_escaped": "its halves around an escaped newline inside JSON",
    "401_prefix": "its first 12 characters before '****'",
    "500_echo": "whole, in a server error",
    "invalid_echo": "in the values of an answer that fails validation (asked and re-asked)",
    "answer_echo": "whole, in a valid answer (the summary)",
    "answer_split": "split, in a valid answer (the summary and the title)",
}
# one CLI run per group (each run is a process that imports litellm, seconds of CPU): with --concurrency 1 the articles
# are asked one after another, and the primary's requests get these faults in order, one article per kind of echo
CLI_RUNS = {
    "refused": ["401", "401_newline", "401_space", "401_escaped", "401_prefix"],
    "errors": ["500_echo", "invalid_echo", "invalid_echo"],
    "answers": ["answer_echo", "answer_split"],
}


@dataclass
class Run:
    folder: Path
    code: int
    stdout: str
    stderr: str

    def texts(self) -> dict[str, str]:
        return {"stderr": self.stderr, "stdout": self.stdout, **files_text(self.folder)}  # outputs, run report, cache, debug log


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory) -> dict[str, Run]:
    """`summarizer brief` once per group of echoes, the runs at the same time; each with the fake key in its environment."""
    runs, started = {}, {}
    with contextlib.ExitStack() as stack:
        local = stack.enter_context(ReplayServer(LOCAL_RECORDINGS))
        for group, faults in CLI_RUNS.items():
            folder = tmp_path_factory.mktemp(f"cli-{group}")
            (folder / "articles").mkdir()
            for seed in SEEDS_USED[: len(set(faults))]:
                (folder / "articles" / seed.name).write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
            primary = stack.enter_context(hostile(faults))
            (folder / "summarizer.toml").write_text(chain_config(primary.api_base, local.api_base), encoding="utf-8")
            command = [sys.executable, "-m", "summarizer", "brief", str(folder / "articles"), "--out", str(folder / "out")]
            command += ["--config", str(folder / "summarizer.toml"), "--concurrency", "1"]
            out, err = (folder / "stdout.txt").open("w+"), (folder / "stderr.txt").open("w+")
            started[group] = (folder, subprocess.Popen(command, cwd=ROOT, env=child_env(folder), stdout=out, stderr=err), out, err)
        for group, (folder, process, out, err) in started.items():
            code = process.wait(timeout=600)
            out.seek(0), err.seek(0)
            runs[group] = Run(folder, code, out.read(), err.read())
            out.close(), err.close()
    return runs


def echoed(group: str) -> str:
    return "; ".join(ECHOES[fault] for fault in dict.fromkeys(CLI_RUNS[group]))


@pytest.mark.parametrize("group", ["refused", "errors"])
def test_a_key_the_provider_echoes_is_in_no_output_of_the_real_cli_simulated(group, cli_runs):
    run = cli_runs[group]
    assert run.code == 0, run.stderr  # the local model answered every article
    report = json.loads((run.folder / "out" / "run-report.json").read_text(encoding="utf-8"))
    assert [row["attempts"][0].split(": ")[0] for row in report["articles"]] == ["openai/primary"] * len(set(CLI_RUNS[group]))  # each got its echo
    assert not where_it_leaked(run.texts()), f"the key leaked (echoed {echoed(group)})"
    assert "Traceback" not in run.stderr


def test_a_key_the_models_answer_repeats_is_in_no_output_or_cache_of_the_real_cli_simulated(cli_runs):
    run = cli_runs["answers"]
    assert run.code == 0, run.stderr
    report = json.loads((run.folder / "out" / "run-report.json").read_text(encoding="utf-8"))
    assert {row["model"] for row in report["articles"]} == {"openai/primary"}  # the hostile model answered
    assert not where_it_leaked(run.texts()), f"the key leaked (echoed {echoed('answers')})"


def test_the_debug_log_of_the_cli_has_the_library_lines_without_the_key_simulated(cli_runs):
    log = cli_runs["refused"].folder / "cache" / "logs" / "summarizer.log"
    text = log.read_text(encoding="utf-8")
    assert "API call failed on attempt" in text and "[redacted]" in text  # instructor's line, there and redacted
    assert not leaks(text)


# --------------------------------------------------------------------------- the service


SERVE_FAULTS = ["401", "401_newline", "401_space", "401_escaped", "401_prefix", "500_echo", "invalid_echo"]


@dataclass
class ServedRun:
    folder: Path
    log: str
    responses: list[str]

    def texts(self) -> dict[str, str]:
        return {"responses": "\n".join(self.responses), **files_text(self.folder)}  # serve.log, data, answer cache, debug log


def serve_against(folder: Path, faults: list[str], requests) -> ServedRun:
    """A real `summarizer serve` whose first model is the hostile provider; `requests(client, service)` is what is sent."""
    with ReplayServer(RECORDED) as local, hostile(faults) as primary:
        service = Served(folder, local.api_base)
        (folder / "summarizer.toml").write_text(chain_config(primary.api_base, local.api_base), encoding="utf-8")
        service.env = child_env(folder, SUMMARIZER_API_TOKEN=TOKEN)
        service.start()
        responses = []
        try:
            with service.client() as client:
                requests(client, service, responses)
        finally:
            service.stop()
    return ServedRun(folder, service.log.read_text(encoding="utf-8"), responses)


def _briefs_batch_and_query_tokens(client: httpx.Client, service: Served, responses: list[str]) -> None:
    for seed in SEEDS_USED[:3]:
        response = client.post("/v1/briefs", json={"article": seed.read_text(encoding="utf-8")})
        assert response.status_code == 200, response.text
        responses.append(response.text)
    job = client.post("/v1/batches", json={"kind": "brief", "articles": [{"text": s.read_text(encoding="utf-8")} for s in SEEDS_USED[3:5]]})
    assert job.status_code == 202, job.text
    body = wait_for_batch(client, job.json()["id"])
    assert body["status"] == "done", body
    responses.append(json.dumps(body, ensure_ascii=False))


@pytest.fixture(scope="module")
def hostile_service(tmp_path_factory) -> ServedRun:
    return serve_against(tmp_path_factory.mktemp("serve"), SERVE_FAULTS * 10, _briefs_batch_and_query_tokens)


def test_a_key_the_provider_echoes_is_in_no_log_response_or_file_of_the_real_service_simulated(hostile_service):
    texts = hostile_service.texts()
    assert "instructor" not in hostile_service.log  # libraries' lines are in the debug log...
    assert "API call failed" in (hostile_service.folder / "cache" / "logs" / "summarizer.log").read_text(encoding="utf-8")  # ...here
    assert not where_it_leaked(texts)


def test_tokens_in_query_strings_are_not_in_the_access_log_of_the_real_service(tmp_path):
    with served(tmp_path) as (service, _replay):  # no model asked: litellm (which filters uvicorn's access log itself) not imported
        for name, value in QUERY_SECRETS.items():
            for path in ("/healthz", "/v1/batches/nope", "/review/nope"):
                httpx.get(f"{service.url}{path}?{name}={value}&page=2")
            httpx.post(f"{service.url}/v1/verify?{name}={value}", headers=AUTH, json={"article": "Đảng bộ có 327 đảng viên.", "facts": []})
        httpx.get(f"{service.url}/healthz?token={TOKEN}")
    log = service.log.read_text(encoding="utf-8")
    assert "GET /healthz?token=[redacted]&page=2" in log and "POST /v1/verify?api_key=[redacted]" in log  # still names the request
    for value in [*QUERY_SECRETS.values(), TOKEN]:
        assert not where_it_leaked({"serve.log": log}, value), value


def test_a_key_the_models_answer_repeats_is_in_no_response_or_file_of_the_real_service_simulated(tmp_path):
    def brief_one(client, service, responses):
        response = client.post("/v1/briefs", json={"article": SEEDS_USED[0].read_text(encoding="utf-8")})
        assert response.status_code == 200 and "openai/primary" in response.text, response.text
        responses.append(response.text)

    served = serve_against(tmp_path, ["answer_echo"] * 5, brief_one)
    assert not where_it_leaked(served.texts())


# --------------------------------------------------------------------------- the redaction itself


@pytest.mark.parametrize(
    "shape",
    [
        FAKE_KEY,
        f"{FIRST_HALF}\n{SECOND_HALF}",
        f"{FIRST_HALF} {SECOND_HALF}",
        f"{FIRST_HALF}\\n{SECOND_HALF}",
        f"{FIRST_HALF}\r\n  {SECOND_HALF}",
        f"{FAKE_KEY[:12]}****{FAKE_KEY[-4:]}",
        f"{FAKE_KEY[:8]}...",
        SECOND_HALF,
        FAKE_KEY[5:25],
    ],
)
def test_every_shape_of_the_key_is_redacted(shape, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    assert not leaks(redact(f"error: {shape} (end)"))
    assert not leaks(redact_secrets(f"error: {shape} (end)"))
    assert redact("a plain sentence with 327 members") == "a plain sentence with 327 members"


def test_a_models_answer_is_redacted_field_by_field_and_untouched_without_a_secret(monkeypatch):
    from summarizer.schema import Usage

    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    clean = Usage(prompt_tokens=1, completion_tokens=2)
    assert redact_answer(clean) is clean
    nested = {"summary": f"see {FAKE_KEY}", "points": [f"{FIRST_HALF}\n{SECOND_HALF}", "kept"], "n": 5}
    assert not leaks(json.dumps(redact_answer(nested))) and redact_answer(nested)["points"][1] == "kept"
