"""The HTTP service, driven over real HTTP against a real `summarizer serve` (uvicorn) on loopback.

Model answers are the ones recorded from the real embedded model (cassettes), replayed over a socket.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time

import httpx
import jsonschema
import pytest
from conftest import ROOT, SEEDS, calls_per_brief
from served import AUTH, TOKEN, Served, served, wait_for_batch

from summarizer.grounding.verify import verify_fact

SEED = {path.stem.split("_")[0]: path for path in sorted(SEEDS.glob("*.txt"))}
CALLS = {seed: calls_per_brief(path.stem) for seed, path in SEED.items()}  # the model calls of each seed's brief
BRIEF_SCHEMA = json.loads((ROOT / "schemas" / "brief.schema.json").read_text(encoding="utf-8"))
FORM_SCHEMA = json.loads((ROOT / "schemas" / "filled_form.schema.json").read_text(encoding="utf-8"))
PROFILE = json.loads((ROOT / "schemas" / "forms" / "ward_party_profile.json").read_text(encoding="utf-8"))
LEADERS_YAML = (ROOT / "schemas" / "forms" / "party_leaders.yaml").read_text(encoding="utf-8")


def seed_text(seed: str) -> str:
    return SEED[seed].read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    with served(tmp_path_factory.mktemp("service")) as (running, replay):
        yield running


# --------------------------------------------------------------------------- authentication


def test_healthz_is_open_and_every_v1_and_review_route_needs_the_token(service):
    assert httpx.get(f"{service.url}/healthz").json()["status"] == "ok"
    spec = httpx.get(f"{service.url}/openapi.json").json()
    routes = [(method, path.replace("{job_id}", "x").replace("{item_id}", "x")) for path, ops in spec["paths"].items() for method in ops]
    guarded = [(m, p) for m, p in routes if p.startswith(("/v1/", "/review/"))]
    assert len(guarded) == 6
    for method, path in guarded:
        for headers in ({}, {"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": TOKEN}, {"Authorization": f"Basic {TOKEN}"}):
            response = httpx.request(method.upper(), f"{service.url}{path}", headers=headers, json={})
            assert response.status_code == 401, (method, path, headers)
            assert response.headers["www-authenticate"] == "Bearer"


def test_the_token_is_never_logged(service):
    with service.client() as client:
        client.post("/v1/verify", json={"article": seed_text("000"), "facts": []})
    httpx.post(f"{service.url}/v1/verify", headers={"Authorization": "Bearer wrong-token-0123456789"}, json={})
    log = service.log.read_text(encoding="utf-8")
    assert "POST /v1/verify" in log  # the access log is on, and it names the request
    assert TOKEN not in log and "wrong-token-0123456789" not in log


def test_serve_without_a_token_refuses_to_start_in_one_line(tmp_path):
    env = {k: v for k, v in __import__("os").environ.items() if k != "SUMMARIZER_API_TOKEN"}
    result = subprocess.run(
        [sys.executable, "-m", "summarizer.cli", "serve", "--data", str(tmp_path)], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "SUMMARIZER_API_TOKEN" in result.stderr and "Traceback" not in result.stderr


# --------------------------------------------------------------------------- briefs, forms, verify


def test_brief_of_a_seed_over_http_is_valid_and_grounded(service):
    text = seed_text("000")
    with service.client() as client:
        response = client.post("/v1/briefs", json={"article": text, "id": "seed-000"})
    assert response.status_code == 200, response.text
    body = response.json()
    brief = body["brief"]
    jsonschema.validate(brief, BRIEF_SCHEMA)
    assert brief["article"]["id"] == "seed-000" and body["review"] == "/review/seed-000"
    assert brief["provenance"]["model"] == "local" and len(brief["facts"]) >= 3
    clean = brief["article"]["text"]
    for fact in brief["facts"]:
        assert clean[fact["start"] : fact["end"]] == fact["quote"]
        assert verify_fact(clean, quote=fact["quote"], value=fact["value"], unit=fact["unit"]).supported
    assert body["filled_form"] is None


def test_brief_with_a_form_fills_it_from_the_same_article(service):
    with service.client() as client:
        response = client.post("/v1/briefs", json={"article": seed_text("000"), "id": "seed-000-form", "form": PROFILE})
    assert response.status_code == 200, response.text
    filled = response.json()["filled_form"]
    jsonschema.validate(filled, FORM_SCHEMA)
    assert filled["fields"]["party_cells"]["value"] == 8 and filled["fields"]["party_cells"]["status"] == "filled"
    text = filled["article"]["text"]
    for result in filled["fields"].values():
        if result["status"] == "filled" and result["start"] is not None:
            assert text[result["start"] : result["end"]] == result["quote"]


def test_forms_fill_takes_a_yaml_form_as_text(service):
    with service.client() as client:
        response = client.post("/v1/forms/fill", json={"article": seed_text("003"), "form": LEADERS_YAML})
    assert response.status_code == 200, response.text
    filled = response.json()
    jsonschema.validate(filled, FORM_SCHEMA)
    assert filled["form"]["name"] == "party_leaders" and set(filled["fields"]) >= {"leaders", "admissions"}


SOURCE_2021 = "Năm 2021 có 22/24 chi bộ được xếp loại hoàn thành tốt nhiệm vụ"


def test_verify_returns_exactly_what_the_cli_prints(service, tmp_path):
    text = seed_text("001")
    facts = [
        {"value": 24, "unit": "chi bộ", "quote": "24 chi bộ"},
        {"value": 25, "unit": "chi bộ", "quote": "24 chi bộ"},  # the wrong number
        {"value": 1, "unit": "x", "quote": "words that are not in the article at all"},
        {"value": 3},  # no quote: the CLI says why
        {"text": "In 2021, 22 of the 24 party cells were rated as having completed their tasks well.", "source": SOURCE_2021},
        {"text": "In 2021, 22 of the 24 party cells were rated well, and 9 billion yuan was invested.", "source": SOURCE_2021},
    ]
    (tmp_path / "facts.json").write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    cli = subprocess.run(
        [sys.executable, "-m", "summarizer.cli", "verify", str(SEED["001"]), str(tmp_path / "facts.json")], capture_output=True, text=True, timeout=60
    )
    with service.client() as client:
        response = client.post("/v1/verify", json={"article": text, "facts": facts})
    assert response.status_code == 200
    assert response.json() == json.loads(cli.stdout)
    assert [f["supported"] for f in response.json()] == [True, False, False, False, True, False]
    assert {p["kind"] for p in response.json()[-1]["problems"]} == {"number", "currency"}
    assert "problems" not in response.json()[0] and "hedge" not in response.json()[-1]  # each item keeps its own contract


# --------------------------------------------------------------------------- refusals: 413, 422, 502, 429


def test_a_body_over_the_limit_is_413_with_the_limit_stated(service):
    big = {"article": "x" * (4 * 1024 * 1024 + 10), "facts": []}
    response = httpx.post(f"{service.url}/v1/verify", headers=AUTH, json=big, timeout=60)
    assert response.status_code == 413 and "4,194,304 bytes" in response.json()["detail"]

    def chunks():  # no Content-Length: counted while read
        for _ in range(5):
            yield b"x" * (1024 * 1024)

    response = httpx.post(f"{service.url}/v1/verify", headers={**AUTH, "content-type": "application/json"}, content=chunks(), timeout=60)
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("body", "route", "field"),
    [
        ({"facts": []}, "/v1/verify", "article"),
        ({"article": "   \n  ", "facts": []}, "/v1/verify", "article"),
        ({"article": "Đảng bộ có 8 chi bộ.", "facts": "not a list"}, "/v1/verify", "facts"),
        ({"article": "Đảng bộ có 8 chi bộ.", "form": {"type": "object", "properties": {"x": {"type": "strng"}}}}, "/v1/forms/fill", "form"),
        ({"article": "Đảng bộ có 8 chi bộ.", "form": "fields: [unclosed"}, "/v1/forms/fill", "form"),
        ({"article": "Đảng bộ có 8 chi bộ.", "model": "no-such-provider/some-model"}, "/v1/briefs", "model"),
        ({"article": "Đảng bộ có 8 chi bộ. " * 20000}, "/v1/briefs", "article"),  # 420,000 characters: over --max-chars
        ({"article": "Đảng bộ có 8 chi bộ.", "id": "../../etc/passwd"}, "/v1/briefs", "id"),
        ({"kind": "fill", "articles": [{"text": "Đảng bộ có 8 chi bộ."}]}, "/v1/batches", "form"),
        ({"articles": [{"text": "a b c", "id": "x"}, {"text": "d e f", "id": "x"}]}, "/v1/batches", "articles.1.id"),
        ({"articles": [{"text": "a b c"}, {"text": "  "}]}, "/v1/batches", "articles.1.text"),
    ],
)
def test_a_request_that_cannot_be_used_is_422_naming_the_field(service, body, route, field):
    response = httpx.post(f"{service.url}{route}", headers=AUTH, json=body, timeout=60)
    assert response.status_code == 422, response.text
    locations = [".".join(str(part) for part in error["loc"][1:]) for error in response.json()["detail"]]
    assert any(where == field or where.startswith(f"{field}.") for where in locations), locations
    assert "Traceback" not in response.text


def test_no_model_answering_is_502_with_what_was_tried(service):
    with service.client() as client:  # a hosted model without its key, then the local model with no recording for this article
        response = client.post("/v1/briefs", json={"article": "Đảng bộ phường có 8 chi bộ và 327 đảng viên.", "model": "openai/gpt-4o-mini,local"})
    assert response.status_code == 502, response.text
    attempts = response.json()["attempts"]
    assert [a["model"] for a in attempts] == ["openai/gpt-4o-mini", "local"]
    assert "OPENAI_API_KEY" in attempts[0]["error"] and attempts[1]["error"]
    assert "Traceback" not in response.text


def test_more_requests_in_flight_than_a_client_may_have_is_429_with_retry_after(tmp_path):
    with served(tmp_path, delay=3.0, extra=("--client-concurrency", "1")) as (service, replay):
        slow = {}
        thread = threading.Thread(target=lambda: slow.update(r=service.client().post("/v1/briefs", json={"article": seed_text("002")})))
        thread.start()
        deadline = time.monotonic() + 20
        while replay.requests == 0 and time.monotonic() < deadline:  # the first request is with the model
            time.sleep(0.05)
        refused = httpx.post(f"{service.url}/v1/verify", headers=AUTH, json={"article": "a b", "facts": []})
        thread.join(60)
        after = httpx.post(f"{service.url}/v1/verify", headers=AUTH, json={"article": "a b", "facts": []})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert slow["r"].status_code == 200 and after.status_code == 200


# --------------------------------------------------------------------------- batches


def test_a_batch_runs_in_the_background_and_reports_every_article(service):
    articles = [{"id": f"b-{seed}", "text": seed_text(seed)} for seed in ("000", "001", "002")] + [{"id": "b-bad", "text": "Không có số nào ở đây."}]
    with service.client() as client:
        accepted = client.post("/v1/batches", json={"articles": articles})
        assert accepted.status_code == 202, accepted.text
        job = accepted.json()
        assert job["status"] in ("queued", "running") and job["review"] == f"/review/{job['id']}"
        done = wait_for_batch(client, job["id"])
    assert done["status"] == "done"
    by_id = {a["id"]: a for a in done["articles"]}
    assert [a["id"] for a in done["articles"]] == [a["id"] for a in articles]
    for seed in ("000", "001", "002"):
        assert by_id[f"b-{seed}"]["status"] in ("done", "cached")
        jsonschema.validate(by_id[f"b-{seed}"]["result"], BRIEF_SCHEMA)
    assert by_id["b-bad"]["status"] == "failed" and "no model produced a valid brief" in by_id["b-bad"]["error"]
    assert by_id["b-bad"]["result"] is None
    assert done["counts"]["failed"] == 1 and sum(done["counts"].values()) == 4


def test_a_fill_batch_writes_filled_forms(service):
    with service.client() as client:
        job = client.post("/v1/batches", json={"kind": "fill", "form": PROFILE, "articles": [{"id": "f-004", "text": seed_text("004")}]}).json()
        done = wait_for_batch(client, job["id"])
    result = done["articles"][0]["result"]
    jsonschema.validate(result, FORM_SCHEMA)
    assert result["fields"]["new_members_admitted"]["value"] == 61


def test_unknown_batch_is_404(service):
    with service.client() as client:
        assert client.get("/v1/batches/no-such-job").status_code == 404
        assert client.get("/review/no-such-thing").status_code == 404


def test_a_batch_survives_a_killed_service_and_finishes_without_redoing_articles(tmp_path):
    """kill -9 the service mid-batch; started again on the same data folder, it finishes only the rest."""
    seeds = ("000", "001", "002", "003", "004")
    articles = [{"id": f"k-{seed}", "text": seed_text(seed)} for seed in seeds]
    with served(tmp_path, delay=1.5) as (service, replay):
        with service.client() as client:
            job_id = client.post("/v1/batches", json={"articles": articles}).json()["id"]
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                finished = [a for a in client.get(f"/v1/batches/{job_id}").json()["articles"] if a["status"] != "pending"]
                if len(finished) >= 2:
                    break
                time.sleep(0.1)
        service.stop(signal.SIGKILL)
        done_before = {a["id"] for a in finished}
        asked_before = replay.answered
        assert 2 <= len(done_before) < len(seeds)

        again = Served(tmp_path, replay.api_base).start()  # same data folder, same cache
        try:
            with again.client() as client:
                body = wait_for_batch(client, job_id)
        finally:
            again.stop()
    assert body["status"] == "done"
    statuses = {a["id"]: a["status"] for a in body["articles"]}
    assert all(statuses[i] in ("resumed", "cached") for i in done_before), statuses
    assert all(statuses[f"k-{s}"] in ("done", "cached") for s in seeds if f"k-{s}" not in done_before), statuses
    assert asked_before >= sum(CALLS[i.removeprefix("k-")] for i in done_before)  # each finished article: all its calls
    in_flight = [CALLS[s] for s in seeds if f"k-{s}" not in done_before]
    assert replay.answered <= sum(CALLS[s] for s in seeds) + max(in_flight)  # at most the one article in flight at the kill was asked twice
    for article in body["articles"]:
        jsonschema.validate(article["result"], BRIEF_SCHEMA)
    leftovers = [p.name for p in (tmp_path / "data" / "jobs" / job_id / "out").iterdir() if p.name.endswith(".partial")]
    assert leftovers == []
