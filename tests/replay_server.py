"""A loopback HTTP server that replays cassettes: real recorded answers, served over a real socket.

For tests that need a model answer outside vcrpy's reach (a child process, concurrent connections) or
a fault around it. A request is answered with the response recorded for the same JSON body, as vcrpy
would, except for the body's "model" name and answer format, so the recordings of `local` can serve a chain
model configured under another name: a request in tools mode gets the recorded JSON-object answer as its tool
call's arguments. A request with no recording gets 404 with "no recording".
Faults are opt-in and the tests that use them say "simulated" in their names: `faults=[...]` gives the
first requests (those `fault_if(body)` accepts, by default all) a fault each, in order; later requests are replayed:

    "429"            429 with Retry-After: `retry_after` seconds
    "500", "503"     a server error
    "401"            a refused key (the message echoes the key it was sent)
    "hang"           no answer at all (sleeps `hang` seconds before sending headers)
    "stall"          headers and half the body, then nothing for `hang` seconds
    "drip"           headers, then the recorded answer one byte every `drip` seconds (each read gets a byte, so no
                     read times out); after `hang` seconds the rest at once
    "drip_headers"   the status line and headers one byte every `drip` seconds for up to `hang` seconds, then the answer
    "oversized"      200 with the recorded answer whose first text is repeated to `oversize` characters
    "not_json"       200 with a body that is not JSON
    "invalid"        200 with the recorded answer whose tool arguments fail the schema
    "length"         200 with the recorded answer cut in half, finish_reason "length"
    "empty_choices"  200 with "choices": []
    "dropped"        the connection closed without a byte of answer (a server closing a kept-alive connection)
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class ReplayServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        cassettes: list[Path],
        *,
        delay: float = 0.0,
        faults: list[str] = (),
        fault_if=None,
        retry_after: float = 1.0,
        hang: float = 30.0,
        drip: float = 0.05,
        oversize: int = 10_000_000,
    ):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.recordings: list[tuple[object, int, bytes]] = []
        for path in cassettes:
            for interaction in json.loads(path.read_text(encoding="utf-8"))["interactions"]:
                body = interaction["request"]["body"]
                self.recordings.append(
                    (
                        _without_model(json.loads(body) if isinstance(body, str) else body),
                        interaction["response"]["status"]["code"],
                        interaction["response"]["body"]["string"].encode("utf-8"),
                    )
                )
        self.delay, self.faults, self.retry_after, self.hang = delay, list(faults), retry_after, hang
        self.drip, self.oversize = drip, oversize
        self.fault_if = fault_if or (lambda body: True)
        self.faulted = 0  # requests given a fault so far
        self.lock = threading.Lock()
        self.requests = 0  # every POST, faults included
        self.answered = 0  # POSTs answered with a recording
        self.in_flight = 0
        self.most_in_flight = 0
        self.request_times: list[float] = []
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def handle_error(self, request, client_address) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):  # a client that went away (a killed test process)
            super().handle_error(request, client_address)

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()


def answer_of(completion: dict) -> dict:
    """The structured answer in a recorded completion: a tool call's arguments, or a JSON-object answer's content."""
    message = completion["choices"][0]["message"]
    raw = message["tool_calls"][0]["function"]["arguments"] if message.get("tool_calls") else message["content"]
    return json.loads(raw)


def set_answer(completion: dict, raw: str) -> None:
    message = completion["choices"][0]["message"]
    if message.get("tool_calls"):
        message["tool_calls"][0]["function"]["arguments"] = raw
    else:
        message["content"] = raw


def _inflate(answer, size: int) -> bool:
    """The answer's first text of ten characters or more repeated to `size` characters (in place); False if it has none."""
    items = answer.items() if isinstance(answer, dict) else enumerate(answer) if isinstance(answer, list) else ()
    for key, value in items:
        if isinstance(value, str) and len(value) >= 10:
            answer[key] = ((value + " ") * (size // (len(value) + 1) + 1))[:size]
            return True
        if isinstance(value, (dict, list)) and _inflate(value, size):
            return True
    return False


FORMAT_KEYS = ("model", "tools", "tool_choice", "response_format")  # what the chain model's name and mode change in a body


def _without_model(body):
    """The body as matched: without the model's name and the answer's format (a tool, or a JSON-object schema)."""
    return {k: v for k, v in body.items() if k not in FORMAT_KEYS} if isinstance(body, dict) else body


def in_format_asked(answer: bytes, request: dict) -> bytes:
    """A recorded JSON-object answer (the embedded model's, its content the JSON) given as the tool call a request
    in tools mode asks for, with the same arguments; any other answer as recorded."""
    completion = json.loads(answer)
    message = (completion.get("choices") or [{}])[0].get("message") or {}
    tool = ((request.get("tool_choice") or {}).get("function") or {}).get("name") if isinstance(request.get("tool_choice"), dict) else None
    if not request.get("tools") or message.get("tool_calls") or not tool:
        return answer
    message["tool_calls"] = [{"id": "call_replayed", "type": "function", "function": {"name": tool, "arguments": message.pop("content") or "{}"}}]
    message["content"] = None
    completion["choices"][0]["finish_reason"] = "tool_calls"
    return json.dumps(completion, ensure_ascii=False).encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _fault(self, fault: str, answer: bytes | None) -> None:
        server: ReplayServer = self.server
        error = lambda message, kind: json.dumps({"error": {"message": message, "type": kind}}).encode()  # noqa: E731
        if fault == "429":
            self._send(429, error("simulated rate limit", "rate_limit_error"), {"Retry-After": f"{server.retry_after:g}"})
        elif fault in ("500", "503"):
            self._send(int(fault), error(f"simulated {fault}", "server_error"))
        elif fault == "401":  # echoes the key it got, as careless providers do: it must not reach any output
            key = self.headers.get("Authorization", "").removeprefix("Bearer ")
            self._send(401, error(f"simulated: incorrect API key provided: {key}", "invalid_request_error"))
        elif fault == "hang":
            time.sleep(server.hang)
        elif fault == "dropped":
            self.close_connection = True
        elif fault == "stall":
            body = answer or b"{}"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            time.sleep(server.hang)
        elif fault in ("drip", "drip_headers"):
            body = answer or server.recordings[0][2]
            head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            if fault == "drip":
                self.wfile.write(head)
                self._drip(body)
            else:
                self._drip(head)
                self.wfile.write(body)
        elif fault == "oversized":
            completion = json.loads(answer or server.recordings[0][2])
            arguments = answer_of(completion)
            _inflate(arguments, server.oversize)
            set_answer(completion, json.dumps(arguments, ensure_ascii=False))
            self._send(200, json.dumps(completion, ensure_ascii=False).encode("utf-8"))
        elif fault == "not_json":
            self._send(200, b"<html><body>502 Bad Gateway (simulated)</body></html>")
        elif fault in ("invalid", "length", "empty_choices"):
            completion = json.loads(answer or server.recordings[0][2])  # a re-ask has no recording of its own
            if fault == "invalid":
                set_answer(completion, json.dumps({"title_vi": 5, "facts": "none", "summary": "none", "translations": "none"}))
            elif fault == "length":
                raw = json.dumps(answer_of(completion), ensure_ascii=False)
                set_answer(completion, raw[: len(raw) // 2])
                completion["choices"][0]["finish_reason"] = "length"
            else:
                completion["choices"] = []
            self._send(200, json.dumps(completion).encode())
        else:
            raise ValueError(f"unknown simulated fault {fault!r}")

    def _drip(self, data: bytes) -> None:
        """`data` a byte at a time, one every `drip` seconds, until `hang` seconds have passed; then the rest."""
        server: ReplayServer = self.server
        deadline = time.monotonic() + server.hang
        sent = 0
        while sent < len(data) and time.monotonic() < deadline:
            self.wfile.write(data[sent : sent + 1])
            sent += 1
            time.sleep(server.drip)
        self.wfile.write(data[sent:])

    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, body: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        server: ReplayServer = self.server
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"null")
        body = _without_model(request)
        with server.lock:
            server.requests += 1
            fault = None
            if server.faulted < len(server.faults) and server.fault_if(body):
                fault = server.faults[server.faulted]
                server.faulted += 1
            server.request_times.append(time.monotonic())
            server.in_flight += 1
            server.most_in_flight = max(server.most_in_flight, server.in_flight)
        try:
            time.sleep(server.delay)
            answer = next((answer for recorded, _, answer in server.recordings if recorded == body), None)
            answer = in_format_asked(answer, request) if answer is not None and isinstance(request, dict) else answer
            if fault:
                self._fault(fault, answer)
                return
            if answer is None:
                self._send(404, b'{"error": {"message": "no recording for this request"}}')
                return
            with server.lock:
                server.answered += 1
            self._send(200, answer)
        finally:
            with server.lock:
                server.in_flight -= 1
