"""The guard in front of /v1/ and /review/: bearer token (401), body size (413), requests in flight per client (429),
time to send the body (408), and JSON no route could use (422: a lone surrogate, NaN or Infinity, nesting too deep, an
integer too long), refused with its place before any route reads it."""

from __future__ import annotations

import asyncio
import hmac
import json
from collections import Counter

from summarizer.service import checks

RETRY_AFTER_SECONDS = 5  # what a client held back by the per-client limit is told to wait
BODY_TIMEOUT = 60.0  # seconds for a request's whole body to arrive (a slow body holds one of its client's slots)


class Guard:
    """ASGI middleware in front of /v1/ and /review/: bearer token (401), body size (413), requests in flight per client (429)."""

    def __init__(self, app, *, token: str, max_body: int, per_client: int, body_timeout: float = BODY_TIMEOUT):
        self.app, self.token, self.max_body, self.per_client = app, token.encode(), max_body, per_client
        self.body_timeout = body_timeout
        self.in_flight: Counter[str] = Counter()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(("/v1/", "/review/")):
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        if not self._authorised(headers.get(b"authorization", b"")):
            return await _reply(send, 401, {"detail": "missing or wrong bearer token (Authorization: Bearer <token>)"}, {"www-authenticate": "Bearer"})
        too_big = {"detail": f"the request body is over the limit of {self.max_body:,} bytes; send fewer or shorter articles"}
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            return await _reply(send, 413, too_big)
        client = (scope.get("client") or ("unknown", 0))[0]
        if self.in_flight[client] >= self.per_client:
            return await _reply(
                send,
                429,
                {"detail": f"{self.per_client} requests of this client are in flight; wait for one to finish"},
                {"retry-after": str(RETRY_AFTER_SECONDS)},
            )
        self.in_flight[client] += 1
        try:
            try:  # bounded in size even when no length is declared (chunked), and in time even when it drips
                async with asyncio.timeout(self.body_timeout):
                    body = await self._read_body(receive)
            except TimeoutError:
                slow = {"detail": f"the request body did not arrive within {self.body_timeout:g} s"}
                return await _reply(send, 408, slow, {"connection": "close"})
            if body is None:
                return await _reply(send, 413, too_big)
            if body and _is_json(headers.get(b"content-type")):
                problem = await asyncio.to_thread(_json_problem, body)
                if problem is not None:
                    return await _reply(send, 422, {"detail": [problem]})
            await self.app(scope, _replay(body, receive), send)
        finally:
            self.in_flight[client] -= 1
            if not self.in_flight[client]:
                del self.in_flight[client]

    def _authorised(self, header: bytes) -> bool:
        scheme, _, given = header.partition(b" ")
        return scheme.lower() == b"bearer" and hmac.compare_digest(given.strip(), self.token)

    async def _read_body(self, receive) -> bytes | None:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_body:
                return None
            if not message.get("more_body"):
                break
        return b"".join(chunks)


def _is_json(content_type: bytes | None) -> bool:
    """What FastAPI reads as JSON: no content type, or one of JSON's."""
    return content_type is None or b"json" in content_type.lower()


def _json_problem(body: bytes) -> dict | None:
    """A 422 error entry (FastAPI's shape) for JSON no route could use, None when it is fine or not JSON at all
    (FastAPI then refuses it itself, naming where it stops parsing)."""
    try:
        checks.loads(body)
    except checks.JSONProblem as err:
        return {"loc": ["body", *err.where], "msg": err.problem, "type": "value_error"}
    except ValueError:  # not JSON (or not UTF-8): FastAPI's own 422
        return None
    return None


def _replay(body: bytes, receive):
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _reply(send, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
    payload = json.dumps(body).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})
