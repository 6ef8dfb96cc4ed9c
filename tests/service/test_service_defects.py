"""Issue 17, items 9, 10, 12 and 13 (the service's part), against a real `summarizer serve` on loopback.

- 9: `serve` with a damaged DATA/jobs.sqlite stops in one line, exit 2.
- 10: JSON no route can use (a lone surrogate anywhere, NaN or Infinity, a 5,000-digit integer, nesting thousands
  deep) is 422 naming its place, and HTML nested 15,000 deep is cleaned, never a 500 or a reset connection.
- 12: a slow body gets 408 after `[service] body_timeout` and frees its client's slot; headers that do not arrive
  within `[service] header_timeout` (dripped, or none at all) get the connection closed.
- 13: a request's `model` may name only the chain's models and `[service] allowed_models`.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time

import httpx
import pytest
from conftest import ROOT, SEEDS
from replay_server import ReplayServer
from served import AUTH, RECORDED, TOKEN, Served

SEED = sorted(SEEDS.glob("*.txt"))[0].read_text(encoding="utf-8")
HEADER_TIMEOUT = BODY_TIMEOUT = 2.0  # seconds, set in the config file for these tests
ALLOWED = "openai/gpt-4o-mini"  # listed in [service] allowed_models


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    folder = tmp_path_factory.mktemp("service-defects")
    with ReplayServer(RECORDED) as replay:
        running = Served(folder, replay.api_base)
        config = folder / "summarizer.toml"
        config.write_text(
            f'models = ["local"]\n\n[service]\nheader_timeout = {HEADER_TIMEOUT}\nbody_timeout = {BODY_TIMEOUT}\nallowed_models = ["{ALLOWED}"]\n\n'
            f'[model.local]\napi_base = "{replay.api_base}"\n',
            encoding="utf-8",
        )
        running.start()
        try:
            yield running
        finally:
            running.stop()


def post_raw(service, route: str, body: bytes) -> httpx.Response:
    return httpx.post(f"{service.url}{route}", headers={**AUTH, "content-type": "application/json"}, content=body, timeout=60)


def verify_body(facts_json: str, article: str | None = None) -> bytes:
    return ('{"article": ' + json.dumps(article or SEED) + ', "facts": ' + facts_json + "}").encode("utf-8")


# --------------------------------------------------------------------------- item 10: 422, not 500

DEEP = "[" * 100_000 + "]" * 100_000
BIG = "9" * 5000
UNUSABLE = [
    ("surrogate in a verify article", "/v1/verify", b'{"article": "abc \\ud800 def", "facts": []}', ["body", "article"]),
    ("surrogate in a brief article", "/v1/briefs", b'{"article": "abc \\ud800 def"}', ["body", "article"]),
    ("low surrogate in a brief article", "/v1/briefs", b'{"article": "327 \\udfff"}', ["body", "article"]),
    ("surrogate in a form fill article", "/v1/forms/fill", b'{"article": "\\ud800", "form": "fields:\\n  - {name: a}\\n"}', ["body", "article"]),
    ("surrogate in a batch article", "/v1/batches", b'{"articles": [{"text": "x"}, {"text": "a\\udbff"}]}', ["body", "articles", 1, "text"]),
    ("surrogate in an article id", "/v1/briefs", b'{"article": "abc", "id": "\\ud800"}', ["body", "id"]),
    ("surrogate in a fact quote", "/v1/verify", verify_body('[{"value": 8, "unit": "chi bộ", "quote": "\\ud800"}]'), ["body", "facts", 0, "quote"]),
    ("surrogate in a fact value", "/v1/verify", verify_body('[{"value": "\\ud800", "unit": "x", "quote": "x"}]'), ["body", "facts", 0, "value"]),
    ("surrogate in a statement", "/v1/verify", verify_body('[{"text": "\\ud800 có 8 chi bộ"}]'), ["body", "facts", 0, "text"]),
    ("surrogate in a statement source", "/v1/verify", verify_body('[{"text": "8 chi bộ", "source": "\\udc00"}]'), ["body", "facts", 0, "source"]),
    ("surrogate in a key", "/v1/verify", verify_body('[{"\\ud800": 1, "value": 8, "quote": "8 chi bộ"}]'), ["body", "facts", 0]),
    ("NaN", "/v1/verify", verify_body('[{"value": NaN, "unit": "chi bộ", "quote": "8 chi bộ"}]'), ["body", "facts", 0, "value"]),
    ("Infinity", "/v1/verify", verify_body('[{"value": Infinity, "unit": "chi bộ", "quote": "8 chi bộ"}]'), ["body", "facts", 0, "value"]),
    ("1e999", "/v1/verify", verify_body('[{"value": 1e999, "unit": "chi bộ", "quote": "8 chi bộ"}]'), ["body", "facts", 0, "value"]),
    ("5,000-digit integer", "/v1/verify", verify_body('[{"value": ' + BIG + ', "quote": "8 chi bộ"}]'), ["body"]),
    ("facts nested 100,000 deep", "/v1/verify", verify_body('[{"value": 8, "x": ' + DEEP + "}]"), ["body"]),
    ("a body nested 100,000 deep", "/v1/briefs", DEEP.encode(), ["body"]),
    ("facts nested 700 deep", "/v1/verify", verify_body('[{"value": 8, "x": ' + "[" * 700 + "]" * 700 + "}]"), ["body", "facts"]),
]


@pytest.mark.parametrize("what, route, body, loc", UNUSABLE, ids=[case[0] for case in UNUSABLE])
def test_json_no_route_can_use_is_422_naming_its_place(service, what, route, body, loc):
    response = post_raw(service, route, body)
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"][: len(loc)] == loc, error
    assert "\n" not in error["msg"] and "Traceback" not in response.text


def test_a_raw_surrogate_in_utf8_bytes_is_refused_not_a_500(service):
    response = post_raw(service, "/v1/verify", b'{"article": "abc \xed\xa0\x80 def", "facts": []}')
    assert response.status_code in (400, 422), response.text


def test_a_fact_nested_500_deep_is_422_naming_it_and_30_deep_is_answered(service):
    deep = post_raw(service, "/v1/verify", verify_body('[{"value": 8, "unit": "chi bộ", "quote": "8 chi bộ", "x": ' + "[" * 500 + "]" * 500 + "}]"))
    assert deep.status_code == 422, deep.text
    assert deep.json()["detail"][0]["loc"] == ["body", "facts.0"]
    shallow = post_raw(service, "/v1/verify", verify_body('[{"value": 8, "unit": "chi bộ", "quote": "8 chi bộ", "x": ' + "[" * 30 + "]" * 30 + "}]"))
    assert shallow.status_code == 200, shallow.text
    assert shallow.json()[0]["supported"] is True


DEEP_HTML = (
    "<html><body><article><p>Đảng bộ phường có 8 chi bộ với 327 đảng viên.</p>"
    + "<div>" * 15_000
    + "Sâu 5 tầng."
    + "</div>" * 15_000
    + "</article></body></html>"
)


@pytest.mark.parametrize("route", ["/v1/verify", "/v1/briefs", "/v1/batches"])
def test_html_nested_15000_deep_is_cleaned_not_a_500(service, route):
    body = {
        "/v1/verify": {"article": DEEP_HTML, "facts": [{"value": 327, "unit": "đảng viên", "quote": "327 đảng viên"}]},
        "/v1/briefs": {"article": DEEP_HTML, "html": True},
        "/v1/batches": {"articles": [{"text": DEEP_HTML, "html": True}]},
    }[route]
    response = httpx.post(f"{service.url}{route}", headers=AUTH, json=body, timeout=120)
    assert response.status_code in {"/v1/verify": (200,), "/v1/briefs": (200, 502), "/v1/batches": (202,)}[route], response.text
    if route == "/v1/verify":
        assert response.json()[0]["supported"] is True


def test_an_escaped_emoji_is_still_accepted(service):
    response = post_raw(service, "/v1/verify", verify_body('[{"value": 8, "unit": "chi bộ", "quote": "8 chi bộ", "note": "\\ud83d\\ude00"}]'))
    assert response.status_code == 200, response.text
    assert response.json()[0]["note"] == "😀"


# --------------------------------------------------------------------------- item 13: the request's model


@pytest.mark.parametrize(
    "route, model",
    [
        ("/v1/briefs", "openai/gpt-4o"),
        ("/v1/briefs", "local,anthropic/claude-3-5-sonnet-20240620"),
        ("/v1/briefs", "ollama/qwen2.5:1.5b"),
        ("/v1/forms/fill", "openai/gpt-4o"),
        ("/v1/batches", "openai/gpt-4o"),
        ("/v1/batches", "azure/anything"),
    ],
)
def test_a_model_outside_the_chain_and_the_allowed_list_is_422_naming_model(service, route, model):
    body = {"article": SEED, "model": model}
    if route == "/v1/batches":
        body = {"articles": [{"text": SEED}], "model": model}
    if route == "/v1/forms/fill":
        body["form"] = "fields:\n  - {name: a}\n"
    response = httpx.post(f"{service.url}{route}", headers=AUTH, json=body, timeout=60)
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "model"] and "allowed_models" in error["msg"], error


def test_the_chain_and_the_allowed_models_may_be_named(service):
    with service.client() as client:
        listed = client.post("/v1/briefs", json={"article": SEED, "model": ALLOWED})  # allowed: tried (no key here, so 502)
        assert listed.status_code == 502 and listed.json()["attempts"][0]["model"] == ALLOWED, listed.text
        own = client.post("/v1/batches", json={"articles": [{"text": SEED}], "model": "local"})
        assert own.status_code == 202, own.text


# --------------------------------------------------------------------------- item 12: slow headers and bodies


def _connect(service) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", service.port), timeout=10)
    sock.settimeout(10)
    return sock


def _read_until_closed(sock: socket.socket, limit: float) -> tuple[bytes, float]:
    started, data = time.monotonic(), b""
    sock.settimeout(limit)
    try:
        while chunk := sock.recv(4096):
            data += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return data, time.monotonic() - started


def test_slow_bodies_get_408_and_free_the_clients_slots(service):
    head = (
        f"POST /v1/verify HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{"
    ).encode()
    slow = [_connect(service) for _ in range(4)]  # the per-client limit (--client-concurrency 4)
    for sock in slow:
        sock.sendall(head)
    time.sleep(0.5)
    held = httpx.post(f"{service.url}/v1/verify", headers=AUTH, json={"article": SEED, "facts": []}, timeout=10)
    assert held.status_code == 429  # the four slow bodies hold every slot...
    for sock in slow:
        sock.sendall(b" ")  # ...dripping a byte does not extend the limit
    replies = [_read_until_closed(sock, BODY_TIMEOUT + 8) for sock in slow]
    for data, seconds in replies:
        assert data.startswith(b"HTTP/1.1 408"), data[:200]
        assert seconds < BODY_TIMEOUT + 5
    for sock in slow:
        sock.close()
    freed = httpx.post(f"{service.url}/v1/verify", headers=AUTH, json={"article": SEED, "facts": []}, timeout=10)
    assert freed.status_code == 200, freed.text  # ...until the limit frees them


@pytest.mark.parametrize("how", ["idle", "partial start line", "dripped headers"])
def test_headers_that_do_not_arrive_in_time_close_the_connection(service, how):
    sock = _connect(service)
    started = time.monotonic()
    data = b""
    if how == "partial start line":
        sock.sendall(b"GET /heal")
    elif how == "dripped headers":
        sock.settimeout(0.25)
        for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200:  # 4 bytes a second: ~60 s if not cut
            try:
                sock.sendall(bytes([byte]))
                if chunk := sock.recv(4096):
                    data = chunk
                    break
                data = b"closed"
                break
            except TimeoutError:
                continue
            except OSError:
                data = b"closed"
                break
    more, _ = _read_until_closed(sock, HEADER_TIMEOUT + 8)
    data += more
    seconds = time.monotonic() - started
    sock.close()
    assert seconds < HEADER_TIMEOUT + 5, seconds
    if how != "idle":
        assert data.startswith((b"HTTP/1.1 408", b"closed")), data[:200]


def test_a_keep_alive_connection_still_serves_two_requests(service):
    with httpx.Client(base_url=service.url, headers=AUTH, timeout=10) as client:
        for _ in range(2):
            assert client.get("/healthz").status_code == 200
            time.sleep(HEADER_TIMEOUT / 4)


def test_the_service_logged_no_internal_error(service):
    assert httpx.get(f"{service.url}/healthz", timeout=10).json()["status"] == "ok"
    log = service.log.read_text(encoding="utf-8")
    assert "internal error" not in log and "Traceback" not in log


# --------------------------------------------------------------------------- item 9: a damaged jobs.sqlite


def _garbage(path):
    path.write_bytes(bytes(range(256)) * 20)


def _header_then_garbage(path):
    path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 20)


def _folder(path):
    path.mkdir()


def _wrong_table(path):
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE jobs (something TEXT)")


def _damaged_pages(path):
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE jobs (id TEXT PRIMARY KEY, kind TEXT, status TEXT, models TEXT, form TEXT, article_ids TEXT, created REAL, finished REAL, error TEXT)"
        )
        db.executemany("INSERT INTO jobs VALUES (?, 'brief', 'done', NULL, NULL, '[]', 0, 0, ?)", [(str(n), "x" * 500) for n in range(200)])
    raw = bytearray(path.read_bytes())
    raw[4096 + 100 : 4096 * 3] = bytes(range(256)) * ((4096 * 3 - 4096 - 100) // 256) + bytes((4096 * 3 - 4096 - 100) % 256)
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize("damage", [_garbage, _header_then_garbage, _folder, _wrong_table, _damaged_pages], ids=lambda f: f.__name__.strip("_"))
def test_serve_with_a_damaged_jobs_database_is_one_line(tmp_path, damage):
    data = tmp_path / "data"
    data.mkdir()
    damage(data / "jobs.sqlite")
    env = {**__import__("os").environ, "SUMMARIZER_API_TOKEN": TOKEN}
    command = [sys.executable, "-m", "summarizer.cli", "serve", "--data", str(data), "--model", "local", "--port", "0", "--no-cache"]
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert len(lines) == 1 and "jobs.sqlite" in lines[0], lines
