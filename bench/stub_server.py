"""Benchmark harness: a stub OpenAI-compatible server that replays recorded answers after a fixed delay.

It is a harness for measuring what the program adds around a model call, never a stand-in for a model
in a test. Each POST /v1/chat/completions is answered, after `--delay` seconds, with the response the
real local llama.cpp server gave for the same seed and step of the brief (read from `cassettes/`): the seed
is recognised by its title in the request, the step by its task's words; a request in tools mode gets the
recorded answer as its tool call (tests/replay_server.py: in_format_asked). GET /stats returns {"requests": N}, the number of completions served;
GET /last returns the body of the last completion request.

It is an ASGI app on uvicorn: one event loop, so the delay is an `asyncio.sleep` and a hundred waiting
requests cost nothing (a thread per connection added ~10 ms per answer at concurrency 16 on 2 cores).

Run: .venv/bin/python bench/stub_server.py --port 0 --delay 0.1   (prints "listening on PORT" when ready)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
from pathlib import Path

import sys

import uvicorn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from replay_server import in_format_asked  # noqa: E402

STEPS = {"Task: choose": "select", "Candidate numbers found in the article": "labels", "Task: translate": "translate", "Some of your translations": "retranslate"}


def step_of(text: str) -> str | None:
    """The step of the brief a request asks for, by the words of its task (the prompts' brief.STEP.j2)."""
    return next((step for words, step in STEPS.items() if words in text), None)


def recorded_answers() -> dict[tuple[str, str | None], bytes]:
    """(the first line of each seed's article (its title), the step) -> the body the real server answered with."""
    answers = {}
    for cassette in sorted((ROOT / "cassettes").glob("local_*.json")):
        seed = ROOT / "seeds" / (cassette.stem.removeprefix("local_") + ".txt")
        title = seed.read_text(encoding="utf-8").strip().splitlines()[0].strip()
        for interaction in json.loads(cassette.read_text(encoding="utf-8"))["interactions"]:
            messages = json.loads(interaction["request"]["body"])["messages"]
            answers.setdefault((title, step_of(messages[-1]["content"])), interaction["response"]["body"]["string"].encode("utf-8"))
    return answers


class StubApp:
    """The ASGI app: completions after the delay, plus /stats and /last."""

    def __init__(self, delay: float):
        self.delay = delay
        self.answers = recorded_answers()
        self.served = 0
        self.last_request = b"null"

    def answer_for(self, request_body: bytes) -> bytes:
        request = json.loads(request_body)
        text = request["messages"][-1]["content"]
        step = step_of(text)
        fallback = next((answer for (_, s), answer in self.answers.items() if s == step), next(iter(self.answers.values())))
        answer = next((answer for (title, s), answer in self.answers.items() if s == step and title in text), fallback)
        return in_format_asked(answer, request)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path = scope["path"].rstrip("/")
        if scope["method"] == "POST" and path.endswith("/chat/completions"):
            await asyncio.sleep(self.delay)
            self.served += 1
            self.last_request = body
            status, answer = 200, self.answer_for(body)
        elif path.endswith("/stats"):
            status, answer = 200, json.dumps({"requests": self.served}).encode()
        elif path.endswith("/last"):
            status, answer = 200, self.last_request
        else:
            status, answer = 404, b'{"error": "not found"}'
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(answer)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": answer})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.1, help="seconds before each answer")
    args = parser.parse_args(argv)
    listener = socket.socket()
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # inherited by each connection: headers and body
    # go out in two writes, and with Nagle's algorithm each answer would wait ~40 ms for the client's ACK
    listener.bind(("127.0.0.1", args.port))
    print(f"listening on {listener.getsockname()[1]}", flush=True)
    config = uvicorn.Config(StubApp(args.delay), log_level="warning", access_log=False, backlog=512, lifespan="off")
    uvicorn.Server(config).run(sockets=[listener])


if __name__ == "__main__":
    main()
