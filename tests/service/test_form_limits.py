"""Hostile forms sent to a real `summarizer serve`: each is 422 naming the form, never a 500 or a reset connection."""

from __future__ import annotations

import json

import httpx
import pytest
from served import AUTH, served

from summarizer.forms import MAX_FORM_DEPTH, MAX_FORM_NESTING, MAX_FORM_VALUES

ARTICLE = "Đảng bộ phường có 8 chi bộ với 327 đảng viên."
LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n" for prev, name in zip("abcdefgh", "bcdefghi"))


def nested_schema(levels: int) -> dict:
    spec = {"type": "string", "description": 'a "quoted" word'}
    for level in range(levels - 1, 0, -1):
        spec = {"type": "object", "description": 'a "quoted" word', "properties": {f"f{level + 1}": spec}}
    return {"type": "object", "properties": {"f1": spec}}


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    with served(tmp_path_factory.mktemp("form-limits")) as (running, replay):
        yield running


CASES = [
    ("alias loop", "fields: &f\n  - name: x\n    type: object\n    fields: *f\n", "loop"),
    ("alias to itself", "a: &a [*a]\nfields: *a\n", "loop"),
    ("billion laughs", LAUGHS + "fields:\n  - {name: x, description: *i}\n", f"{MAX_FORM_VALUES:,} values"),
    ("26 levels, 2 KB", nested_schema(26), f"{MAX_FORM_DEPTH} levels"),
    ("nested 500 deep", json.loads('{"a": ' * 500 + "1" + "}" * 500), f"{MAX_FORM_NESTING} levels"),
    ("JSON text 5000 deep", "[" * 5000 + "]" * 5000, f"{MAX_FORM_NESTING} levels"),
    ("title with a slash", {"type": "object", "title": "a/b", "properties": {"x": {"type": "string"}}}, "name"),
    ("title escaping", "form: ../x\nfields:\n  - {name: a}\n", "name"),
    ("required list of lists", {"type": "object", "properties": {"a": {"type": "string"}}, "required": [["a"]]}, "'required'"),
    ("enum as text", {"type": "object", "properties": {"a": {"type": "string", "enum": "abc"}}}, "'enum' must be a list"),
    ("long description", {"type": "object", "properties": {"a": {"type": "string", "description": "x" * 50_000}}}, "characters"),
]


@pytest.mark.parametrize("route", ["/v1/forms/fill", "/v1/briefs", "/v1/batches"])
@pytest.mark.parametrize("what, form, problem", CASES, ids=[case[0] for case in CASES])
def test_a_hostile_form_is_422_naming_the_form(service, route, what, form, problem):
    body = {"kind": "fill", "articles": [{"text": ARTICLE}], "form": form} if route == "/v1/batches" else {"article": ARTICLE, "form": form}
    response = httpx.post(f"{service.url}{route}", headers=AUTH, json=body, timeout=60)
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "form"] and problem in error["msg"] and "\n" not in error["msg"], error
    assert "Traceback" not in response.text


def test_the_service_is_still_up_and_logged_no_internal_error(service):
    assert httpx.get(f"{service.url}/healthz", timeout=10).json()["status"] == "ok"
    assert "internal error" not in service.log.read_text(encoding="utf-8")
