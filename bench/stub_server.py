"""Benchmark harness: a stub OpenAI-compatible server that replays recorded answers after a fixed delay.

It is a harness for measuring what the program adds around a model call, never a stand-in for a model
in a test. Each POST /v1/chat/completions is answered, after `--delay` seconds, with the response the
real local llama.cpp server gave for the same seed (read from `cassettes/`): the seed is recognised by
its title in the request. GET /stats returns {"requests": N}, the number of completions served;
GET /last returns the body of the last completion request.

Run: .venv/bin/python bench/stub_server.py --port 0 --delay 0.1   (prints "listening on PORT" when ready)
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def recorded_answers() -> dict[str, bytes]:
    """The first line of each seed's article (its title) -> the body the real server answered with."""
    answers = {}
    for cassette in sorted((ROOT / "cassettes").glob("local_*.json")):
        seed = ROOT / "seeds" / (cassette.stem.removeprefix("local_") + ".txt")
        title = seed.read_text(encoding="utf-8").strip().splitlines()[0].strip()
        interaction = json.loads(cassette.read_text(encoding="utf-8"))["interactions"][-1]
        answers[title] = interaction["response"]["body"]["string"].encode("utf-8")
    return answers


class StubServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, port: int, delay: float):
        super().__init__(("127.0.0.1", port), _Handler)
        self.delay = delay
        self.answers = recorded_answers()
        self.served = 0
        self.last_request = b"null"
        self.lock = threading.Lock()

    def answer_for(self, request_body: bytes) -> bytes:
        text = request_body.decode("utf-8", "replace")
        for title, answer in self.answers.items():
            if json.dumps(title, ensure_ascii=False)[1:-1] in text or json.dumps(title)[1:-1] in text:
                return answer
        return next(iter(self.answers.values()))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real provider

    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/stats"):
            self._send(200, json.dumps({"requests": self.server.served}).encode())
        elif self.path.rstrip("/").endswith("/last"):
            self._send(200, self.server.last_request)
        else:
            self._send(404, b'{"error": "not found"}')

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send(404, b'{"error": "not found"}')
            return
        time.sleep(self.server.delay)
        with self.server.lock:
            self.server.served += 1
            self.server.last_request = body
        self._send(200, self.server.answer_for(body))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.1, help="seconds before each answer")
    args = parser.parse_args(argv)
    server = StubServer(args.port, args.delay)
    print(f"listening on {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
