"""Every cassette is readable, recorded from a real server, and holds no secret."""

import json
import re

import pytest
from conftest import CASSETTES, SECRET_HEADERS

CASSETTE_FILES = sorted(CASSETTES.glob("*.json"))
KEY_SHAPES = re.compile(r"(sk|pk|rk|gsk|xai)-[A-Za-z0-9_\-]{16,}|Bearer\s+\S+", re.IGNORECASE)


def test_there_are_cassettes_for_every_seed():
    from conftest import SEEDS

    for seed in sorted(SEEDS.glob("*.txt")):
        assert (CASSETTES / f"local_{seed.stem}.json").is_file(), f"no cassette for {seed.name}"


@pytest.mark.parametrize("path", CASSETTE_FILES, ids=lambda p: p.name)
def test_cassette_holds_no_secret(path):
    text = path.read_text(encoding="utf-8")
    assert not KEY_SHAPES.search(text), f"{path.name} holds something key-shaped"
    for interaction in json.loads(text)["interactions"]:
        for part in (interaction["request"], interaction["response"]):
            names = {name.lower() for name in part["headers"]}
            assert not names & set(SECRET_HEADERS), f"{path.name} keeps {names & set(SECRET_HEADERS)}"
        assert "key=" not in interaction["request"]["uri"].lower()


@pytest.mark.parametrize("path", CASSETTE_FILES, ids=lambda p: p.name)
def test_cassette_is_readable_utf8_from_the_llama_cpp_server(path):
    text = path.read_text(encoding="utf-8")
    # stored as written by the readable serializer: no \u escape it could have spelled out (escapes the model itself
    # wrote inside its answer, e.g. "chi b\\u1ed9", are its words and stay as they are)
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n" and "Đảng" in text
    for interaction in json.loads(text)["interactions"]:
        for body in (interaction["request"]["body"], interaction["response"]["body"]["string"]):
            assert body == json.dumps(json.loads(body), ensure_ascii=False), "a body with escapes it need not have"
    for interaction in json.loads(text)["interactions"]:
        request = json.loads(interaction["request"]["body"])
        assert request["model"] == "local" and request["messages"][-1]["role"] in ("user", "tool")  # "tool": a re-ask
        response = interaction["response"]
        assert response["status"]["code"] == 200
        body = json.loads(response["body"]["string"])
        assert body["usage"]["prompt_tokens"] > 0 and body["choices"]
