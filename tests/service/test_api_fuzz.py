"""The API fuzzed from its own OpenAPI spec (schemathesis) against a real `summarizer serve` on loopback.

Every generated request, valid or not, must get a documented status with a body that fits the spec, and never
an internal error. The service's model is the replay of recorded answers, which has no answer for a
generated article: the model routes then answer 502 with what was tried, the response documented for a
chain that produced nothing. That is the one 5xx allowed, and only with that body; a 500 (a bug) fails.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance
from served import AUTH, served

MODEL_ROUTES = ("/v1/briefs", "/v1/forms/fill")


@pytest.fixture(scope="module")
def api_service(tmp_path_factory):
    with served(tmp_path_factory.mktemp("fuzz")) as (service, replay):
        yield service


@pytest.fixture(scope="module")
def operations(api_service):
    spec = schemathesis.openapi.from_url(f"{api_service.url}/openapi.json")
    return {op.ok().label: op.ok() for op in spec.get_all_operations()}


LABELS = ["GET /healthz", "POST /v1/verify", "POST /v1/briefs", "POST /v1/forms/fill", "POST /v1/batches", "GET /v1/batches/{job_id}", "GET /review/{item_id}"]


@pytest.mark.parametrize("label", LABELS)
def test_no_generated_request_gets_a_server_error(operations, api_service, label):
    assert set(operations) == set(LABELS)  # every route of the spec is fuzzed
    operation = operations[label]
    statuses: list[int] = []

    @given(case=operation.as_strategy())
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def one(case):
        response = case.call(base_url=api_service.url, headers=AUTH, timeout=60)
        statuses.append(response.status_code)
        assert response.status_code != 500, f"internal error on {case.method} {case.path}: {response.text[:500]}"
        assert "Traceback" not in response.text
        if response.status_code >= 500:
            assert response.status_code == 502 and case.path in MODEL_ROUTES, (case.path, response.status_code, response.text[:300])
            body = response.json()
            assert body["attempts"] and all(attempt["error"] for attempt in body["attempts"])
        case.validate_response(response, checks=[status_code_conformance, response_schema_conformance, content_type_conformance])

    one()
    assert len(statuses) >= (1 if label == "GET /healthz" else 10)  # a route without parameters has one distinct request
    print(f"{label}: {len(statuses)} requests, statuses {sorted(set(statuses))}")


def test_the_fuzz_log_has_no_internal_error(api_service):
    """Runs after the fuzzing above (same module): the server logged no internal error either."""
    log = api_service.log.read_text(encoding="utf-8")
    assert "internal error" not in log and "Traceback" not in log
    assert log.count("POST /v1/") > 50  # the fuzzing reached the service
