"""A real `summarizer serve` process (uvicorn on loopback) for the service tests, answered by recorded model answers.

The service runs as a child process, started and stopped as a user would. Its `local` model is the replay
server (tests/replay_server.py): the answers recorded from the real embedded model, served over a socket.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
from conftest import CASSETTES, ROOT
from replay_server import ReplayServer

from summarizer.service.app import KEEP_ALIVE_SECONDS

TOKEN = "test-token-FAKE-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
RECORDED = sorted(CASSETTES.glob("local_*.json")) + sorted(CASSETTES.glob("fill_*.json"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """`summarizer serve` on a free loopback port, with its data folder, cache and config under `folder`."""

    def __init__(self, folder: Path, api_base: str, *, extra: tuple[str, ...] = ()):
        self.folder, self.port = folder, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / "serve.log"
        config = folder / "summarizer.toml"
        config.write_text(
            f'models = ["local"]\n\n[model.local]\napi_base = "{api_base}"\n\n'
            '[service]\nallowed_models = ["openai/gpt-4o-mini"]  # a request may name it (the 502 test does)\n',
            encoding="utf-8",
        )
        self.command = [
            sys.executable,
            "-m",
            "summarizer.cli",
            "serve",
            "--port",
            str(self.port),
            "--config",
            str(config),
            "--data",
            str(folder / "data"),
            "--cache",
            str(folder / "answers.sqlite"),
            *extra,
        ]
        self.env = {**os.environ, "SUMMARIZER_API_TOKEN": TOKEN, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
        self.env.pop("SUMMARIZER_MODELS", None)
        self.process: subprocess.Popen | None = None

    def start(self) -> Served:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(self.command, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"summarizer serve exited with {self.process.returncode}: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError("summarizer serve did not answer /healthz within 60 s")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def client(self, **kwargs) -> httpx.Client:
        """A client of the service. It lets a connection go after half the service's keep-alive time: one idle for as
        long as the service waits could be closed by it just as a request goes out on it ("Server disconnected
        without sending a response", as a poll after the broker test's workers took 5 s to start once met)."""
        kwargs.setdefault("limits", httpx.Limits(keepalive_expiry=KEEP_ALIVE_SECONDS / 2))
        return httpx.Client(base_url=self.url, headers=AUTH, timeout=120, **kwargs)


@contextmanager
def served(folder: Path, *, delay: float = 0.0, extra: tuple[str, ...] = ()):
    """A replay server and a service using it, both stopped at the end: `with served(tmp) as (service, replay):`."""
    with ReplayServer(RECORDED, delay=delay) as replay:
        service = Served(folder, replay.api_base, extra=extra).start()
        try:
            yield service, replay
        finally:
            service.stop()


def wait_for_batch(client: httpx.Client, job_id: str, timeout: float = 300) -> dict:
    """The batch's body once it is done or failed; AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/v1/batches/{job_id}").json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.3)
    raise AssertionError(f"batch {job_id} not finished after {timeout} s: {body}")
