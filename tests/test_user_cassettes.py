"""Offline runs for users: their own forms and articles recorded once and replayed, by the pytest plugin
(summarizer/pytest_plugin.py), `summarizer fill|brief --cassette` and `summarizer serve --cassette`.

tests/user_project/ is a newsroom's project of its own: its YAML form, a glossary entry, three articles and its tests,
recorded once from the real embedded model through the plugin itself (SUMMARIZER_RECORD=1 pytest -m records
tests/test_user_cassettes.py runs it with --summarizer-record-mode all), then replayed offline by a real pytest
subprocess. The command-line and service tests replay cassettes/fill_leaders_*.json, recorded from the embedded model
with schemas/forms/party_leaders.yaml on two seeds.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import CASSETTES, RECORDING, ROOT, SEEDS

from summarizer.cli import main
from summarizer.models import cassettes
from summarizer.pytest_plugin import assert_facts_verify, assert_field
from summarizer.schema import FilledForm

PROJECT = Path(__file__).parent / "user_project"
FORM = ROOT / "schemas" / "forms" / "party_leaders.yaml"
RECORDED = ["000_25d47c26562bab5c", "003_78463087fb1616f8"]  # the seeds cassettes/fill_leaders_<seed>.json were recorded on
PROJECT_TESTS = [  # the user project's tests, each with its cassette
    *(f"test_the_snapshot_is_filled_from_the_article[{article}]" for article in ("dong_ha_ward_5", "mo_che", "my_tho_ward_1")),
    "test_the_members_and_cells_of_mo_che",
    "test_the_brief_is_given_our_glossary_and_its_facts_verify",
]
LIVE_KEY = "sk-proj-Q7hT2mWx9LpZ4vKc8RsN3bYd"  # a key-shaped key
ENV_TOKEN = "Yw4pNq8ZtL2mVx7KcR5sHb"  # not key-shaped: found because it is the value of a *_TOKEN variable
NO_MODEL = "/nonexistent/no-model.gguf"  # SUMMARIZER_LOCAL_GGUF: any start of the embedded model fails at once instead of taking minutes


def recording(seed: str) -> Path:
    return CASSETTES / f"fill_leaders_{seed}.json"


def project_cassette(project: Path, test: str) -> Path:
    return project / "cassettes" / "test_snapshot" / f"{test}.json"


def _offline_prefix() -> list[str]:
    """`unshare -rn` (a network namespace of its own, not even loopback up) where the system allows it: the run is
    then offline by construction, not only by the plugin's guard."""
    if shutil.which("unshare") and subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0:
        return ["unshare", "-rn"]
    return []


def run_user_project(project: Path, tmp_path: Path, *, record: bool = False) -> subprocess.CompletedProcess:
    """pytest on the user project as its own project: its rootdir and ini, no conftest (tests/conftest.py least of
    all), no cache provider, only the plugin the package's entry point loads. `record`: record every cassette afresh
    from the embedded model (started by the project's own code), instead of replaying offline."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUMMARIZER_", "PYTEST_")) and not k.endswith("_API_KEY") and k != "PYTHONPATH"}
    env |= {"PYTHONDONTWRITEBYTECODE": "1", "SUMMARIZER_CACHE_DIR": str(tmp_path / "user-cache")}
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--noconftest", "--rootdir", str(project), "-c", str(project / "pytest.ini")]
    if record:
        env["SUMMARIZER_CACHE_DIR"] = os.environ.get("SUMMARIZER_CACHE_DIR", str(Path.home() / ".cache" / "summarizer"))  # the assembled weights
        command += ["--summarizer-record-mode", "all"]
    else:
        env["SUMMARIZER_LOCAL_GGUF"] = NO_MODEL
        command = [*_offline_prefix(), *command]
    return subprocess.run([*command, "-q", str(project)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=3600, stdin=subprocess.DEVNULL)


def _contents(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


# --------------------------------------------------------------------------- the user project, through the plugin


def test_the_user_project_is_its_own_and_was_recorded_from_the_embedded_model():
    shipped = {path.read_bytes() for path in (ROOT / "schemas" / "forms").iterdir()}
    assert (PROJECT / "commune_snapshot.yaml").read_bytes() not in shipped  # its own form, not one we ship
    assert "pure and strong" in (PROJECT / "glossary.tsv").read_text(encoding="utf-8")
    assert len(list((PROJECT / "articles").glob("*.txt"))) == 3
    assert not (PROJECT / "conftest.py").exists()
    for test in PROJECT_TESTS:
        interactions = json.loads(project_cassette(PROJECT, test).read_text(encoding="utf-8"))["interactions"]
        assert interactions, test
        calls = [i for i in interactions if i["request"]["method"] == "POST"]  # not the server's readiness probe
        assert calls, test
        for interaction in calls:  # answered by llama.cpp's OpenAI-compatible server, with its usage
            answer = json.loads(interaction["response"]["body"]["string"])
            assert answer["id"].startswith("chatcmpl-") and answer["usage"]["prompt_tokens"] > 0, test
            assert json.loads(interaction["request"]["body"])["model"] == "local", test


@pytest.mark.records
def test_the_user_project_passes_offline_with_only_the_plugin(tmp_path):
    """Replays offline; with SUMMARIZER_RECORD=1, first records the project afresh from the embedded model."""
    if RECORDING:
        (tmp_path / "recording").mkdir()
        run = run_user_project(PROJECT, tmp_path / "recording", record=True)
        assert run.returncode == 0, run.stdout + run.stderr
    before = _contents(PROJECT)
    run = run_user_project(PROJECT, tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{len(PROJECT_TESTS)} passed" in run.stdout
    assert _contents(PROJECT) == before  # replay writes nothing: no cassette touched, no cache, no bytecode
    assert not list(tmp_path.rglob("*.sqlite"))  # the plugin's answer cache of each test is in pytest's own tmp folder


def test_an_edited_form_fails_loudly_naming_the_request_and_the_cassette(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    form = project / "commune_snapshot.yaml"
    text = form.read_text(encoding="utf-8")
    edited = text.replace("The party organisation the article is about, as written.", "The party organisation the article reports on, as written.")
    assert edited != text
    form.write_text(edited, encoding="utf-8")
    brief = project_cassette(project, PROJECT_TESTS[-1])
    brief.unlink()  # and one test whose cassette was never recorded
    before = _contents(project)

    run = run_user_project(project, tmp_path)
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    assert "4 failed, 1 error" in run.stdout, out  # every form test asks the edited field and misses; the missing cassette fails at setup
    miss = next(line for line in out.splitlines() if "not_recorded" in line and "dong_ha_ward_5" in line)
    assert f"no recording of POST /v1/chat/completions in the cassette {project_cassette(project, PROJECT_TESTS[0])}" in miss, miss
    assert "(the closest: the bodies differ at messages[1].content)" in miss, miss
    assert f"no cassette {brief}; record it with: pytest --summarizer-record-mode once" in out, out
    assert _contents(project) == before  # record mode none never writes a cassette


def test_the_plugin_is_loaded_by_every_run_and_inert_unless_a_test_uses_it(request):
    """This run has it too (the entry point): an option and a fixture no test here asks for, no autouse fixture,
    and loading it imports neither vcrpy nor litellm."""
    import summarizer.pytest_plugin as plugin

    assert request.config.pluginmanager.get_plugin("summarizer") is plugin
    assert request.config.getoption("summarizer_record_mode") == "none"
    defs = {name: request._fixturemanager.getfixturedefs(name, request.node) or () for name in (*request.fixturenames, "cassette", "summarizer_cassette")}
    assert "summarizer_cassette" not in request.fixturenames  # not autouse: only a test that asks for it gets it
    assert not [name for name in request.fixturenames if any(d.func.__module__ == plugin.__name__ for d in defs[name])]
    assert defs["cassette"][-1].func.__module__ == "conftest" and defs["summarizer_cassette"][-1].func.__module__ == plugin.__name__
    code = "import sys, summarizer.pytest_plugin; print(sorted(m for m in ('vcr', 'litellm', 'instructor', 'httpx') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"


def test_each_test_has_its_own_cassette_beside_its_file(tmp_path):
    from types import SimpleNamespace

    from summarizer.pytest_plugin import cassette_path

    def node(nodeid: str):
        return SimpleNamespace(nodeid=nodeid, name=nodeid.rsplit("::", 1)[-1], path=tmp_path / "tests" / "test_forms.py")

    assert cassette_path(node("tests/test_forms.py::test_one")) == tmp_path / "tests" / "cassettes" / "test_forms" / "test_one.json"
    assert cassette_path(node("tests/test_forms.py::TestLeaders::test_one[a/b:c]")).name == "TestLeaders.test_one[a-b-c].json"


def test_assert_facts_verify_names_each_fact_that_does_not_hold():
    from types import SimpleNamespace

    text = "Đảng bộ Phường 6 có 327 đảng viên, sinh hoạt tại 8 chi bộ."

    def fact(value, unit, quote):
        start = text.find(quote)
        return SimpleNamespace(value=value, unit=unit, quote=quote, start=start, end=start + len(quote))

    brief = SimpleNamespace(article=SimpleNamespace(id="ward6", text=text), facts=[fact(327, "đảng viên", "327 đảng viên"), fact(8, "chi bộ", "8 chi bộ")])
    assert_facts_verify(brief)
    brief.facts.append(fact(9, "chi bộ", "8 chi bộ"))
    with pytest.raises(AssertionError, match=r"ward6: 1 of 3 kept facts do not verify:\n  facts\[2\] 9 'chi bộ' quoting '8 chi bộ'"):
        assert_facts_verify(brief)


# --------------------------------------------------------------------------- the command line


def _fill(tmp_path: Path, *articles: Path, cassette: Path, extra: tuple[str, ...] = ()) -> int:
    return main(["fill", "--form", str(FORM), *map(str, articles), "--out", str(tmp_path / "out"), "--model", "local", "--cassette", str(cassette), *extra])


@pytest.fixture
def no_model_started(monkeypatch):
    monkeypatch.setenv("SUMMARIZER_LOCAL_GGUF", NO_MODEL)


def test_fill_with_a_cassette_replays_and_writes_nothing_to_the_answer_cache(tmp_path, capsys, no_model_started):
    seed = RECORDED[0]
    cassette = tmp_path / "leaders.json"
    shutil.copy(recording(seed), cassette)
    code = _fill(tmp_path, SEEDS / f"{seed}.txt", cassette=cassette, extra=("--record-mode", "none"))
    err = capsys.readouterr().err
    assert code == 0, err
    written = json.loads((tmp_path / "out" / f"{seed}.party_leaders.json").read_text(encoding="utf-8"))
    assert written["values"]["organisation"] == "Đảng bộ Phường 6"
    assert {"name": "Lê Thị Quân", "position": "Bí thư Đảng ủy Phường 6"} in written["values"]["leaders"]
    filled = FilledForm.model_validate(written)
    assert_field(filled, "organisation", "Đảng bộ Phường 6")
    with pytest.raises(AssertionError, match=r"party_leaders\.rated_excellent is not_in_article, not filled"):
        assert_field(filled, "rated_excellent", True)
    with pytest.raises(AssertionError, match=r"organisation is 'Đảng bộ Phường 6', not 'Đảng bộ Phường 7' \(quote 'Đảng bộ Phường 6'\)"):
        assert_field(filled, "organisation", "Đảng bộ Phường 7")
    with pytest.raises(AssertionError, match="no such field"):
        assert_field(filled, "secretary", "Lê Thị Quân")
    assert cassette.read_bytes() == recording(seed).read_bytes()
    default_cache = Path(os.environ["SUMMARIZER_CACHE"])  # conftest's own_answer_cache: this test's default cache
    assert not default_cache.exists(), "replay wrote the answer cache"
    report = json.loads((tmp_path / "out" / "run-report.json").read_text(encoding="utf-8"))
    assert report["totals"]["done"] == 1 and report["totals"]["cached"] == 0


def test_fill_with_a_cassette_uses_the_answer_cache_only_when_given_explicitly(tmp_path, capsys, no_model_started):
    seed = RECORDED[0]
    explicit = tmp_path / "explicit.sqlite"
    assert _fill(tmp_path, SEEDS / f"{seed}.txt", cassette=recording(seed), extra=("--cache", str(explicit))) == 0  # mode none by default
    with sqlite3.connect(explicit) as db:
        tables = [row[0] for row in db.execute("select name from sqlite_master where type = 'table'")]
        assert sum(db.execute(f"select count(*) from {table}").fetchone()[0] for table in tables) >= 1
    assert not Path(os.environ["SUMMARIZER_CACHE"]).exists()


def test_a_request_missing_from_the_cassette_fails_its_article_in_one_line_naming_the_cassette(tmp_path, capsys, no_model_started):
    cassette = tmp_path / "both.json"  # one cassette for the whole batch: both recordings
    first, second = (json.loads(recording(seed).read_text(encoding="utf-8")) for seed in RECORDED)
    cassette.write_text(json.dumps({**first, "interactions": first["interactions"] + second["interactions"]}, ensure_ascii=False), encoding="utf-8")
    articles = tmp_path / "articles"
    articles.mkdir()
    for seed in RECORDED:
        shutil.copy(SEEDS / f"{seed}.txt", articles)
    text = (SEEDS / f"{RECORDED[0]}.txt").read_text(encoding="utf-8")
    (articles / "edited.txt").write_text(text.replace("Đảng bộ Phường 6", "Đảng bộ Phường 7", 1), encoding="utf-8")  # never recorded

    code = _fill(tmp_path, articles, cassette=cassette, extra=("--record-mode", "none"))
    err = capsys.readouterr().err
    assert code == 1, err
    failed = [line for line in err.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1, err
    assert failed[0].startswith("FAILED edited: ") and f"not_recorded: no recording of POST /v1/chat/completions in the cassette {cassette}" in failed[0]
    assert "1 of 3 articles failed" in err
    out = tmp_path / "out"
    assert {path.name for path in out.glob("*.party_leaders.json")} == {f"{seed}.party_leaders.json" for seed in RECORDED}
    assert not Path(os.environ["SUMMARIZER_CACHE"]).exists()


def test_record_mode_once_records_a_real_server_without_its_key_and_the_recording_replays_with_the_server_gone(tmp_path, capsys, monkeypatch):
    """Recording through the command line, from tests/replay_server.py (the real recorded answers over a real
    loopback socket) as a hosted-style model with a key: the cassette is written once, readable, without the key;
    mode once then replays it, and so does mode none once the server is gone."""
    from replay_server import ReplayServer

    seed = RECORDED[0]
    monkeypatch.setenv("OPENAI_API_KEY", LIVE_KEY)
    config = tmp_path / "summarizer.toml"
    cassette = tmp_path / "recorded" / "leaders.json"  # its folder is made
    with ReplayServer([recording(seed)]) as server:
        config.write_text(f'models = ["openai/gpt-4o-mini"]\n[model."openai/gpt-4o-mini"]\napi_base = "{server.api_base}"\n', encoding="utf-8")
        args = ["fill", "--form", str(FORM), str(SEEDS / f"{seed}.txt"), "--config", str(config), "--cassette", str(cassette)]
        assert main([*args, "--out", str(tmp_path / "first"), "--record-mode", "once"]) == 0, capsys.readouterr().err
        assert server.answered == 1
        assert main([*args, "--out", str(tmp_path / "again"), "--record-mode", "once"]) == 0, capsys.readouterr().err
        assert server.answered == 1  # once: the cassette exists, so it replays
        assert main([*args, "--out", str(tmp_path / "afresh"), "--record-mode", "all"]) == 0, capsys.readouterr().err
        assert server.answered == 2  # all: asked again, and the cassette holds this run only
    written = cassette.read_text(encoding="utf-8")
    assert not [LIVE_KEY[i : i + 8] for i in range(len(LIVE_KEY) - 7) if LIVE_KEY[i : i + 8] in written]
    stored = json.loads(written)["interactions"]
    assert len(stored) == 1 and "authorization" not in {name.lower() for name in stored[0]["request"]["headers"]}
    assert "Đảng bộ Phường 6" in written and written == json.dumps(json.loads(written), indent=2, ensure_ascii=False) + "\n"
    assert main([*args, "--out", str(tmp_path / "replayed"), "--record-mode", "none"]) == 0, capsys.readouterr().err  # the server is gone
    first, replayed = (json.loads((tmp_path / out / f"{seed}.party_leaders.json").read_text(encoding="utf-8")) for out in ("first", "replayed"))
    assert replayed["values"] == first["values"] and replayed["values"]["organisation"] == "Đảng bộ Phường 6"
    assert not Path(os.environ["SUMMARIZER_CACHE"]).exists()


@pytest.mark.parametrize(
    "args, expected",
    [
        (("--record-mode", "all"), "--record-mode all: needs --cassette PATH"),
        (("--cassette", "{missing}"), "no such file; record mode none only replays"),
        (("--cassette", "{missing}", "--record-mode", "new_episodes", "--broker", "redis://127.0.0.1:1/0"), "--cassette: not with --broker"),
        (("--cassette", "{tmp}"), "is a folder"),
    ],
)
def test_cassette_options_that_cannot_be_used_are_refused_in_one_line(tmp_path, capsys, args, expected, no_model_started):
    args = tuple(arg.format(missing=tmp_path / "missing.json", tmp=tmp_path) for arg in args)
    code = main(["fill", "--form", str(FORM), str(SEEDS / f"{RECORDED[0]}.txt"), "--out", str(tmp_path / "out"), "--model", "local", *args])
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and expected in err, err
    assert not (tmp_path / "out").exists()


def test_brief_and_serve_take_the_cassette_options_too():
    from summarizer.cli import build_parser

    parser = build_parser()
    brief = parser.parse_args(["brief", "a.txt", "--out", "o", "--cassette", "c.json"])
    assert (brief.cassette, brief.record_mode) == ("c.json", None)
    serve = parser.parse_args(["serve", "--cassette", "c.json", "--record-mode", "once"])
    assert (serve.cassette, serve.record_mode) == ("c.json", "once")
    with pytest.raises(SystemExit):
        parser.parse_args(["brief", "a.txt", "--out", "o", "--cassette", "c.json", "--record-mode", "rewrite"])


# --------------------------------------------------------------------------- the service


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_with_a_cassette_replays_every_request_and_fails_one_it_lacks(tmp_path):
    seed = RECORDED[1]
    cassette = tmp_path / "served.json"
    shutil.copy(recording(seed), cassette)
    port, token = _free_port(), "test-token-FAKE-Qz8wJ4kVn2hRp6tX"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUMMARIZER_") and not k.endswith("_API_KEY")}
    env |= {
        "SUMMARIZER_API_TOKEN": token,
        "SUMMARIZER_LOCAL_GGUF": NO_MODEL,
        "SUMMARIZER_CACHE": str(tmp_path / "answers.sqlite"),  # the default cache: it must stay unwritten
        "SUMMARIZER_CACHE_DIR": str(tmp_path / "cache"),
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    }
    command = [sys.executable, "-m", "summarizer.cli", "serve", "--port", str(port), "--data", str(tmp_path / "data"), "--model", "local"]
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([*command, "--cassette", str(cassette)], env=env, cwd=tmp_path, stdout=sink, stderr=subprocess.STDOUT)
    try:
        url, auth = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {token}"}
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, log.read_text(encoding="utf-8")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
                time.sleep(0.3)
        article = (SEEDS / f"{seed}.txt").read_text(encoding="utf-8")
        with httpx.Client(base_url=url, headers=auth, timeout=300) as client:
            replayed = client.post("/v1/forms/fill", json={"article": article, "form": FORM.read_text(encoding="utf-8")})
            assert replayed.status_code == 200, replayed.text
            assert replayed.json()["values"]["organisation"] == "Đảng bộ phường Tân Lộc"
            lacking = client.post("/v1/forms/fill", json={"article": article.replace("Tân Lộc", "Tân Lập", 1), "form": FORM.read_text(encoding="utf-8")})
        assert lacking.status_code == 502, lacking.text
        assert f"not_recorded: no recording of POST /v1/chat/completions in the cassette {cassette}" in lacking.json()["detail"]
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert cassette.read_bytes() == recording(seed).read_bytes()
    assert not (tmp_path / "answers.sqlite").exists()
    assert f"cassette {cassette} (record mode none)" in log.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- no secret is written


def test_a_recording_keeps_no_key_from_headers_uri_or_bodies(tmp_path, monkeypatch):
    """What record mode would write, through the module's own hooks, serializer and persister (no model to record
    from here): every key and token gone, the JSON still valid and readable, and the request still replays."""
    from vcr.request import Request

    monkeypatch.setenv("PROVIDER_SESSION_TOKEN", ENV_TOKEN)
    request_body = {
        "model": "local",
        "messages": [
            {"role": "user", "content": f'Đảng bộ Phường 6 có 327 đảng viên. key {LIVE_KEY}, Bearer {ENV_TOKEN}, "quoted\\" {ENV_TOKEN[:11]}\n{ENV_TOKEN[11:]}'}
        ],
    }
    headers = {"Authorization": f"Bearer {LIVE_KEY}", "api-key": LIVE_KEY, "Content-Type": "application/json"}

    def request() -> Request:
        return Request("POST", f"http://127.0.0.1:8080/v1/chat/completions?api_key={LIVE_KEY}", json.dumps(request_body), headers)

    answer = {"choices": [{"message": {"content": f"echo {LIVE_KEY} và {ENV_TOKEN}"}}], "usage": {"prompt_tokens": 3}}
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"Set-Cookie": [f"session={ENV_TOKEN}"], "Content-Type": ["application/json"]},
        "body": {"string": json.dumps(answer).encode("utf-8")},
    }
    path = tmp_path / "recorded.json"
    with cassettes.use_cassette(path, "all") as cassette:
        cassette.append(request(), response)

    written = path.read_text(encoding="utf-8")
    for secret in (LIVE_KEY, ENV_TOKEN):
        pieces = {secret[i : i + 8] for i in range(len(secret) - 7)}
        assert not [piece for piece in pieces if piece in written], f"a piece of {secret[:4]}... was written"
    stored = json.loads(written)["interactions"][0]
    assert not {name.lower() for name in stored["request"]["headers"]} & set(cassettes.SECRET_HEADERS)
    assert not {name.lower() for name in stored["response"]["headers"]} & set(cassettes.SECRET_HEADERS)
    body = json.loads(stored["request"]["body"])  # still JSON, still readable
    assert body["messages"][0]["content"].startswith("Đảng bộ Phường 6 có 327 đảng viên.") and "[redacted]" in body["messages"][0]["content"]
    assert "Đảng" in written and "\\u" not in written
    assert "[redacted]" in json.loads(stored["response"]["body"]["string"])["choices"][0]["message"]["content"]

    with cassettes.use_cassette(path, "none") as replay:  # scrubbed the same way before matching: the request replays
        assert replay.can_play_response_for(request())


def test_the_scrubbing_hooks_leave_no_key_in_a_request_or_response_dict():
    from vcr.request import Request

    scrubbed = cassettes.scrub_request(
        Request("POST", "http://127.0.0.1/v1/chat/completions", json.dumps({"prompt": f"say {LIVE_KEY}"}), {"X-Api-Key": LIVE_KEY, "Accept": "*/*"})
    )
    assert LIVE_KEY not in scrubbed.body.decode("utf-8") and list(scrubbed.headers) == ["Accept"]
    assert cassettes.scrub_request(Request("GET", "http://127.0.0.1:5/v1/models", None, {})) is None  # the server's readiness probe
    response = cassettes.scrub_response({"headers": {"set-cookie": ["a=b"]}, "body": {"string": f"not json {LIVE_KEY}".encode()}})
    assert response == {"headers": {}, "body": {"string": b"not json [redacted]"}}
