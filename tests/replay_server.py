"""A loopback HTTP server that replays cassettes: real recorded answers, served over a real socket.

For tests that need a model answer outside vcrpy's reach (a child process, concurrent connections) or
a fault around it. A request is answered with the response recorded for the same JSON body, as vcrpy
would, except for the body's "model" name (so the recordings of `local` can serve a chain model configured
under another name); a request with no recording gets 404 with "no recording".
Faults are opt-in and the tests that use them say "simulated" in their names:
`rate_limit_first=N` answers the first N requests 429 with `Retry-After`.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class ReplayServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, cassettes: list[Path], *, delay: float = 0.0, rate_limit_first: int = 0, retry_after: float = 1.0):
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
        self.delay, self.rate_limit_first, self.retry_after = delay, rate_limit_first, retry_after
        self.lock = threading.Lock()
        self.requests = 0  # every POST, faults included
        self.answered = 0  # POSTs answered with a recording
        self.in_flight = 0
        self.most_in_flight = 0
        self.request_times: list[float] = []
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()


def _without_model(body):
    return {k: v for k, v in body.items() if k != "model"} if isinstance(body, dict) else body


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

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
        body = _without_model(json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"null"))
        with server.lock:
            server.requests += 1
            number = server.requests
            server.request_times.append(time.monotonic())
            server.in_flight += 1
            server.most_in_flight = max(server.most_in_flight, server.in_flight)
        try:
            time.sleep(server.delay)
            if number <= server.rate_limit_first:
                error = {"error": {"message": "simulated rate limit", "type": "rate_limit_error", "code": "rate_limit_exceeded"}}
                self._send(429, json.dumps(error).encode(), {"Retry-After": f"{server.retry_after:g}"})
                return
            for recorded_body, status, answer in server.recordings:
                if recorded_body == body:
                    with server.lock:
                        server.answered += 1
                    self._send(status, answer)
                    return
            self._send(404, b'{"error": {"message": "no recording for this request"}}')
        finally:
            with server.lock:
                server.in_flight -= 1
