"""pytest plugin: test your own forms, prompts and articles offline, each test replaying its model calls from its own cassette.

Installed with the package (entry point `pytest11: summarizer`), so every pytest run loads it; it does nothing
until a test asks for its fixture. A test that does:

    from pathlib import Path

    import summarizer
    from summarizer.pytest_plugin import assert_field

    HERE = Path(__file__).parent

    def test_the_leaders_form(summarizer_cassette):
        filled = summarizer.fill(HERE / "articles" / "ward6.txt", HERE / "leaders.yaml", models="local")
        assert_field(filled, "organisation", "Đảng bộ Phường 6")

`summarizer_cassette` makes every model call of the test replay from the cassette named after the test, beside the
test file: `cassettes/<test module stem>/<test name>.json` (for the test above in tests/test_forms.py,
tests/cassettes/test_forms/test_the_leaders_form.json; a parametrized test's id is part of its name). The cassette
is matched on the request body (summarizer.models.cassettes), so a changed form, prompt or article fails loudly,
naming the request and the cassette, instead of replaying an old answer.

    pytest                                          # replay only (record mode none, the default): offline
    pytest --summarizer-record-mode once            # record the cassettes that do not exist yet
    pytest --summarizer-record-mode new_episodes    # record the requests the cassettes lack
    pytest --summarizer-record-mode all             # record every test's cassette afresh

Recording asks the model chain for real: `local` (the embedded model, with the `[local]` extra) or a server of your
own on this machine (`config=` a summarizer.toml with `[model.local] api_base`). While the test runs, the fixture also:

* refuses any connection beyond loopback (a hosted provider is never reached from a test);
* puts fake API keys in the environment (OPENAI_API_KEY and every other `*_API_KEY` set become `sk-test-...`), so
  no real key is ever used or recorded; name the chain you recorded (`models=`), since a set OPENAI_API_KEY puts
  `openai/gpt-4o-mini` first in the default chain;
* gives the test its own empty answer cache (`SUMMARIZER_CACHE`), so no cached answer hides a request the cassette
  lacks and nothing is written to yours, and unsets `SUMMARIZER_MODELS` and `SUMMARIZER_CONFIG`;
* in record mode none, serves `local` from the cassette without starting the embedded model.

It yields a `SummarizerCassette` (`path`, `record_mode`, vcrpy's `cassette`, and `model_calls_played`: every
recorded model call was asked).

`assert_facts_verify(brief)` and `assert_field(filled, name, value)` check the results with readable messages.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest

RECORD_MODES = ("none", "once", "new_episodes", "all")  # as summarizer.models.cassettes (imported only when used)
FAKE_KEY = "sk-test-Xq7vKw2pLm9zRt4y"  # no 8 characters of it are a word, a number or a piece of a prompt
_UNSAFE = '<>:"/\\|?*'  # not in a file name on some system


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("summarizer", "summarizer cassettes (fixture summarizer_cassette)")
    group.addoption(
        "--summarizer-record-mode",
        choices=RECORD_MODES,
        default="none",
        help="the cassettes of tests using summarizer_cassette: none (default) replays only; once records those that do "
        "not exist; new_episodes records the requests they lack; all records them afresh",
    )


@dataclass(frozen=True)
class SummarizerCassette:
    """What `summarizer_cassette` yields: the cassette's file, the record mode, and vcrpy's Cassette object."""

    path: Path
    record_mode: str
    cassette: object

    @property
    def model_calls_played(self) -> bool:
        """Every model call the cassette holds (a POST) was asked by the test: it asked exactly what was recorded."""
        calls = [i for i, request in enumerate(self.cassette.requests) if request.method == "POST"]
        return bool(calls) and all(self.cassette.play_counts[i] for i in calls)


def cassette_path(node: pytest.Item) -> Path:
    """cassettes/<test module stem>/<test name>.json beside the test's file (a test in a class: Class.test_name)."""
    test = node.nodeid.split("::", 1)[1].replace("::", ".") if "::" in node.nodeid else node.name
    name = "".join("-" if char in _UNSAFE or ord(char) < 32 else char for char in test)
    return Path(node.path).parent / "cassettes" / Path(node.path).stem / f"{name}.json"


class NetworkBlocked(RuntimeError):
    """A test using summarizer_cassette tried to connect beyond loopback."""


def _is_loopback(address) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        return host in ("localhost", "::1") or host.startswith("127.")
    return isinstance(address, str | bytes)  # a unix socket


@pytest.fixture
def summarizer_cassette(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """The test's model calls replay from (or, by --summarizer-record-mode, record into) its own cassette,
    cassettes/<test module stem>/<test name>.json beside the test file; offline, with fake keys and its own cache."""
    from summarizer.models.cassettes import use_cassette

    mode = request.config.getoption("summarizer_record_mode")
    path = cassette_path(request.node)
    if mode == "none" and not path.is_file():
        pytest.fail(f"no cassette {path}; record it with: pytest --summarizer-record-mode once {request.node.nodeid}", pytrace=False)

    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def refuse(address) -> None:
        if not _is_loopback(address):
            raise NetworkBlocked(f"{request.node.nodeid} tried to reach {address!r}; tests with summarizer_cassette run offline")

    def connect(sock, address):
        refuse(address)
        return real_connect(sock, address)

    def connect_ex(sock, address):
        refuse(address)
        return real_connect_ex(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    for name in [name for name in os.environ if name.upper().endswith("_API_KEY")]:
        monkeypatch.setenv(name, FAKE_KEY)
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    monkeypatch.setenv("SUMMARIZER_CACHE", str(tmp_path / "summarizer-answers.sqlite"))
    monkeypatch.delenv("SUMMARIZER_MODELS", raising=False)
    monkeypatch.delenv("SUMMARIZER_CONFIG", raising=False)
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # litellm reads its price list from the package, not the network
    with use_cassette(path, mode) as cassette:
        yield SummarizerCassette(path=path, record_mode=mode, cassette=cassette)


def assert_facts_verify(brief) -> None:
    """Every kept fact of `brief` holds against its article: summarizer.grounding.verify.verify_fact finds its quote
    stating its value and unit, and the quote is the article's text at the fact's offsets."""
    from summarizer.grounding.verify import verify_fact

    text = brief.article.text
    problems = []
    for i, fact in enumerate(brief.facts):
        verdict = verify_fact(text, quote=fact.quote, value=fact.value, unit=fact.unit)
        if not verdict.supported:
            problems.append(f"facts[{i}] {fact.value!r} {fact.unit!r} quoting {fact.quote!r}: {verdict.reason}")
        elif text[fact.start : fact.end] != fact.quote:
            problems.append(f"facts[{i}] {fact.value!r}: the article at {fact.start}:{fact.end} is {text[fact.start : fact.end]!r}, not {fact.quote!r}")
    if problems:
        raise AssertionError(f"{brief.article.id}: {len(problems)} of {len(brief.facts)} kept facts do not verify:\n  " + "\n  ".join(problems))


def assert_field(filled, name: str, value) -> None:
    """Field `name` of the filled form `filled` is filled (status `filled`) and holds `value` (as in `filled.values`:
    for a list or an object, its items or fields as dicts)."""
    result = filled.fields.get(name)
    where = f"{filled.article.id}: {filled.form.name}.{name}"
    if result is None:
        raise AssertionError(f"{where}: no such field (the form has {', '.join(filled.fields)})")
    if result.status != "filled":
        raise AssertionError(f"{where} is {result.status}, not filled" + (f": {result.reason}" if result.reason else ""))
    got = filled.values.get(name, result.value)
    if got != value:
        raise AssertionError(f"{where} is {got!r}, not {value!r}" + (f" (quote {result.quote!r})" if result.quote else ""))
