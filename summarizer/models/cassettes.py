"""Cassettes of model calls (vcrpy): readable UTF-8 JSON, matched on the request body, no secret ever written.

A cassette holds the HTTP requests the model chain made and the answers it got, so that the same run can be replayed
offline. The habits, the same for the command line (`--cassette`), `summarizer serve`, the pytest plugin
(summarizer/pytest_plugin.py) and the project's own tests:

* matched on method, path and the parsed JSON body: a changed prompt, form or article never replays an old answer
  (host and port are not matched, so a recording made against one llama.cpp server replays for another);
* stored as readable JSON, Vietnamese as UTF-8 rather than \\u escapes, responses decompressed;
* no secret written: Authorization, api-key, cookie... headers dropped, and every key-shaped string, bearer token,
  credential in a URL and secret value of the environment replaced by `[redacted]` in the URIs and bodies recorded
  (summarizer.redaction);
* record modes as pytest-recording names them: `none` (the default: replay only, any request not in the cassette
  fails), `once` (record a cassette that does not exist yet, else replay only), `new_episodes` (replay what is
  recorded, record what is not), `all` (record everything afresh).

vcrpy is imported only when a cassette is used.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

from summarizer.errors import ConfigError
from summarizer.models.chain import replay_only
from summarizer.redaction import redact

RECORD_MODES = ("none", "once", "new_episodes", "all")
DEFAULT_RECORD_MODE = "none"
SECRET_HEADERS = ("authorization", "api-key", "x-api-key", "openai-organization", "cookie", "set-cookie")
MATCH_ON = ("method", "path", "json_body")


# --------------------------------------------------------------------------- what is written


def readable_json_body(body):
    """A JSON body re-dumped with real UTF-8 characters instead of \\u escapes (same JSON value); any other body as it is."""
    if body is None:
        return body
    raw = body.decode("utf-8") if isinstance(body, bytes) else body
    try:
        return json.dumps(json.loads(raw), ensure_ascii=False)
    except (ValueError, TypeError):
        return body


def _redacted(value):
    """`value` (parsed JSON) with every string redacted: the JSON stays valid whatever a secret sat next to."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    return value


def scrub_body(body):
    """A body as it is written to a cassette: readable JSON with every string redacted (summarizer.redaction.redact);
    a body that is not JSON redacted as text; bytes stay bytes, text stays text."""
    if not body:
        return body
    was_bytes = isinstance(body, bytes)
    try:
        raw = body.decode("utf-8") if was_bytes else body
    except UnicodeDecodeError:
        return body  # binary: nothing key-shaped to find in it
    try:
        text = json.dumps(_redacted(json.loads(raw)), ensure_ascii=False)
    except (ValueError, TypeError):
        text = redact(raw)
    return text.encode("utf-8") if was_bytes else text


def scrub_request(request):
    """vcrpy's before_record_request: no secret header, no credential in the URI, the body readable and scrubbed.
    vcrpy applies it to each request before matching too, so a replayed request is compared as it was recorded.
    The embedded server's readiness probe (GET .../models while it starts) is not a model call: never recorded."""
    if request.method == "GET" and request.path.rstrip("/").endswith("/models"):
        return None
    for name in list(request.headers):
        if name.lower() in SECRET_HEADERS:
            del request.headers[name]
    uri = redact(request.uri)
    if uri != request.uri:
        request.uri = uri
    request.body = scrub_body(request.body)
    return request


def scrub_response(response):
    """vcrpy's before_record_response: no secret header, the body readable and scrubbed."""
    response["headers"] = {k: v for k, v in response["headers"].items() if k.lower() not in SECRET_HEADERS}
    body = response.get("body", {}).get("string")
    if body:
        response["body"]["string"] = scrub_body(body)
    return response


def json_body_matcher(r1, r2):
    """vcrpy matcher `json_body`: the two bodies hold the same JSON value (or, not JSON, the same text). When they
    differ, the message says where first: "the bodies differ at messages[0].content"."""

    def parsed(request):
        raw = request.body.decode("utf-8") if isinstance(request.body, bytes) else request.body
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return raw

    one, other = parsed(r1), parsed(r2)
    assert one == other, f"the bodies differ at {_first_difference(one, other) or 'the top'}"


def _first_difference(one, other, where: str = "") -> str:
    """The path of the first place two JSON values differ, e.g. "messages[1].content"; "" for the values themselves."""
    if isinstance(one, dict) and isinstance(other, dict):
        for key in sorted(one.keys() | other.keys()):
            if one.get(key, ...) != other.get(key, ...):
                inner = f"{where}.{key}" if where else str(key)
                return _first_difference(one[key], other[key], inner) if key in one and key in other else inner
    if isinstance(one, list) and isinstance(other, list):
        for i, (a, b) in enumerate(zip(one, other)):
            if a != b:
                return _first_difference(a, b, f"{where}[{i}]")
        if len(one) != len(other):
            return f"{where}[{min(len(one), len(other))}]"
    return where


class ReadableJsonSerializer:
    """vcrpy's JSON serializer, but keeping Vietnamese readable (ensure_ascii=False)."""

    @staticmethod
    def deserialize(cassette_string):
        return json.loads(cassette_string)

    @staticmethod
    def serialize(cassette_dict):
        return json.dumps(cassette_dict, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- using one


def check_record_mode(record_mode: str) -> str:
    if record_mode not in RECORD_MODES:
        raise ConfigError(f"record mode {record_mode!r}: must be one of {', '.join(RECORD_MODES)}")
    return record_mode


def make_vcr(library_dir: str | Path | None = None, record_mode: str = DEFAULT_RECORD_MODE, *, json_suffix: bool = True):
    """A vcrpy VCR with the project's habits (see the module's docstring). `library_dir`: where cassettes named
    without a folder are; `json_suffix`: ".json" is added to a cassette's name that lacks it."""
    import vcr

    options = {"path_transformer": vcr.VCR.ensure_suffix(".json")} if json_suffix else {}
    recorder = vcr.VCR(
        cassette_library_dir=None if library_dir is None else str(library_dir),
        record_mode=check_record_mode(record_mode),
        match_on=list(MATCH_ON),
        filter_headers=list(SECRET_HEADERS),
        before_record_request=scrub_request,
        before_record_response=scrub_response,
        decode_compressed_response=True,
        serializer="readable_json",
        **options,
    )
    recorder.register_matcher("json_body", json_body_matcher)
    recorder.register_serializer("readable_json", ReadableJsonSerializer)
    recorder.register_persister(_utf8_persister())
    return recorder


def _utf8_persister():
    """vcrpy's file persister, reading and writing UTF-8 whatever the locale (its own uses the locale's encoding,
    which on Windows cannot write Vietnamese)."""
    from vcr.persisters.filesystem import CassetteDecodeError, CassetteNotFoundError, FilesystemPersister
    from vcr.serialize import deserialize, serialize

    class Utf8FilesystemPersister(FilesystemPersister):
        @classmethod
        def load_cassette(cls, cassette_path, serializer):
            path = Path(cassette_path)
            if not path.is_file():
                raise CassetteNotFoundError()
            try:
                data = path.read_text(encoding="utf-8")
            except UnicodeDecodeError as err:
                raise CassetteDecodeError(f"{path}: not UTF-8") from err
            if not data.strip():  # an empty file is a cassette not recorded yet, as for vcrpy
                raise CassetteNotFoundError()
            return deserialize(data, serializer)

        @staticmethod
        def save_cassette(cassette_path, cassette_dict, serializer):
            path = Path(cassette_path)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(serialize(cassette_dict, serializer), encoding="utf-8", newline="\n")  # LF on every system

    return Utf8FilesystemPersister


def check_cassette(path: str | Path, record_mode: str = DEFAULT_RECORD_MODE) -> Path:
    """The cassette's path, if it can be used in `record_mode`; else ConfigError in one line (a mode that only
    replays needs the file, a mode that records needs a folder it can be written in)."""
    path = Path(path)
    check_record_mode(record_mode)
    if path.is_dir():
        raise ConfigError(f"cassette {path}: is a folder; give the cassette's file name, e.g. {path / 'run.json'}")
    if record_mode == "none" and not path.is_file():
        raise ConfigError(f"cassette {path}: no such file; record mode none only replays (record it first with record mode once)")
    if record_mode != "none" and path.parent.exists() and not path.parent.is_dir():
        raise ConfigError(f"cassette {path}: {path.parent} is not a folder")
    return path


@contextlib.contextmanager
def replaying_local() -> Iterator[None]:
    """While it lasts, `local` without an api_base is not started: it answers at REPLAY_API_BASE, which only a
    cassette answers (for record mode none, where no request leaves the process; models/chain.py replay_only)."""
    token = replay_only.set(True)
    try:
        yield
    finally:
        replay_only.reset(token)


@contextlib.contextmanager
def use_cassette(path: str | Path, record_mode: str = DEFAULT_RECORD_MODE) -> Iterator[object]:
    """Record the model calls made inside the block into the cassette file `path`, or replay them from it, by
    `record_mode` (see the module's docstring); yields vcrpy's Cassette. In mode `none` a request that is not in
    the cassette fails (ModelCallError kind `not_recorded`, naming the cassette), and the embedded `local` model is
    not started (replaying_local). In mode `all` the file keeps only what this block recorded."""
    path = check_cassette(path, record_mode)
    recorder = make_vcr(record_mode=record_mode, json_suffix=False)
    with contextlib.ExitStack() as stack:
        if record_mode == "none":
            stack.enter_context(replaying_local())
        yield stack.enter_context(recorder.use_cassette(str(path.resolve()), drop_unused_requests=record_mode == "all"))
