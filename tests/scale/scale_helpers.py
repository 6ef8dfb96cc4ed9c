"""What the scale-out tests start and stop: their own redis-server on a free loopback port in a temp folder, and
real worker processes (`python -m summarizer.scale.workers`). Never port 6379, never a system instance."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server")
HEARTBEAT = 2.0  # seconds: a killed worker's articles go back on the queue this soon (production: 60)


def free_port() -> int:
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port != 6379:
            return port


class RedisServer:
    """A redis-server of the test's own; `appendonly`: persistence on (the AOF in `folder`)."""

    def __init__(self, folder: Path, *, appendonly: bool = False):
        if REDIS_SERVER is None:
            raise RuntimeError("redis-server is not on PATH: scripts/install --redis")
        self.folder, self.appendonly, self.port = folder, appendonly, free_port()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder), "--save", ""]
        command += ["--appendonly", "yes" if self.appendonly else "no", "--daemonize", "no", "--logfile", str(self.folder / "redis.log")]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
                return self
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start: {(self.folder / 'redis.log').read_text(errors='replace')[-1000:]}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        """A clean shutdown (SIGTERM: with appendonly, the AOF is flushed and synced first)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class Workers:
    """Real worker processes; every one started is stopped (SIGTERM, then SIGKILL) when the block ends."""

    def __init__(self, url: str, folder: Path):
        self.url, self.folder, self.processes = url, folder, []
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "SUMMARIZER_CACHE_DIR": str(folder / "worker-cache")}

    def start(self, count: int, concurrency: int) -> list[subprocess.Popen]:
        started = []
        for _ in range(count):
            log = open(self.folder / f"worker-{len(self.processes)}.log", "wb")  # noqa: SIM115 (closed with the process)
            command = [sys.executable, "-m", "summarizer.scale.workers", "--broker", self.url, "--concurrency", str(concurrency)]
            command += ["--heartbeat-timeout", str(HEARTBEAT), "--maintenance-chance", "1"]
            process = subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
            process.log = log
            self.processes.append(process)
            started.append(process)
        deadline = time.monotonic() + 120
        for process in started:  # "ready": imports done (litellm takes seconds), consuming the queue
            index = self.processes.index(process)
            while b"ready" not in (self.folder / f"worker-{index}.log").read_bytes():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"worker {index} did not start:\n{self.logs()}")
                time.sleep(0.05)
        return started

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.log.close()

    def logs(self) -> str:
        return "\n".join((self.folder / f"worker-{i}.log").read_text(errors="replace")[-1500:] for i in range(len(self.processes)))

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc) -> None:
        self.stop_all()
