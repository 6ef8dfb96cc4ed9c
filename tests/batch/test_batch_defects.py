"""The batch defects of issue 17, each through the real CLI: a dripping provider, special files, colliding output
names, two runs on one folder, an unusable or full output folder, oversized model prose, file names that hold
escape sequences.

Model answers are the embedded model's recorded ones, served by a loopback replay server (tests/replay_server.py);
a test that injects a fault says "simulated" in its name.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CASSETTES, ROOT, SEEDS, calls_for
from replay_server import ReplayServer

from summarizer.cli import main

SEED_PATHS = sorted(SEEDS.glob("*.txt"))
SEED = SEED_PATHS[0]
ALL_CASSETTES = sorted(CASSETTES.glob("local_*.json"))
TIMEOUT = 2  # seconds: the models' timeout in these tests
NOWHERE = "http://127.0.0.1:9/v1"  # a model nothing answers for: tests that must not get as far as a model (never the real one)


def config_file(tmp_path: Path, api_base: str, *, timeout: float | None = None, primary: str | None = None) -> Path:
    """A config whose chain is `local` at `api_base`, behind `openai/primary` at `primary` when given."""
    limit = f"timeout = {timeout}\n" if timeout else ""
    text = f'models = ["local"]\n[model.local]\napi_base = "{api_base}"\n{limit}'
    if primary:
        text = f'models = ["openai/primary", "local"]\n[model."openai/primary"]\napi_base = "{primary}"\n{limit}[model.local]\napi_base = "{api_base}"\n'
    path = tmp_path / "summarizer.toml"
    path.write_text(text, encoding="utf-8")
    return path


def articles(folder: Path, *names: str, seed: Path = SEED) -> list[Path]:
    """Copies of a seed under the given names (which may hold subfolders)."""
    paths = []
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(seed, path)
        paths.append(path)
    return paths


def brief(capsys, *args) -> tuple[int, str, str]:
    """`summarizer brief ARGS` in this process: exit code, stdout, stderr."""
    code = main(["brief", *map(str, args)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "Traceback" not in captured.out
    return code, captured.out, captured.err


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got {lines}"
    assert "Traceback" not in err
    return lines[0]


def report_of(out: Path) -> dict:
    return json.loads((out / "run-report.json").read_text(encoding="utf-8"))


def run_cli(*args, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    """The CLI in a child process, with at most 2 GB of memory (a file read without limit cannot take the machine)."""
    import resource

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    command = [sys.executable, "-m", "summarizer", *map(str, args)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, preexec_fn=limit_memory)


# --------------------------------------------------------------------------- 3. a dripping provider


@pytest.mark.parametrize("faults", [["drip"], ["drip_headers"], ["invalid", "drip"]], ids=["body", "headers", "reask"])
def test_a_provider_that_drips_its_answer_is_stopped_by_the_timeout_simulated(faults, tmp_path, capsys):
    """Simulated fault: every read gets a byte, so a per-read timeout never fires; the whole call (re-asks
    included) is bounded by `timeout`, and it is reported as kind `timeout`."""
    articles(tmp_path / "in", SEED.name)
    with ReplayServer(ALL_CASSETTES, faults=faults, drip=0.05, hang=TIMEOUT * 5) as server:
        config = config_file(tmp_path, server.api_base, timeout=TIMEOUT)
        code, _, err = brief(capsys, tmp_path / "in", "--out", tmp_path / "out", "--config", config)
        seconds = time.monotonic() - server.request_times[0]  # from the first request on: not the libraries' import
    row = report_of(tmp_path / "out")["articles"][0]
    assert code == 1 and row["status"] == "failed", err
    assert "local: timeout:" in row["error"]
    assert seconds < TIMEOUT + 3, f"{seconds:.1f} s for timeout = {TIMEOUT}"


def test_a_dripping_primary_model_times_out_and_the_next_model_answers_simulated(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key-0000")
    articles(tmp_path / "in", SEED.name)
    with ReplayServer(ALL_CASSETTES, faults=["drip"] * 3, drip=0.05, hang=TIMEOUT * 5) as primary, ReplayServer(ALL_CASSETTES) as local:
        config = config_file(tmp_path, local.api_base, timeout=TIMEOUT, primary=primary.api_base)
        code, _, err = brief(capsys, tmp_path / "in", "--out", tmp_path / "out", "--config", config)
        seconds = time.monotonic() - primary.request_times[0]
    row = report_of(tmp_path / "out")["articles"][0]
    assert code == 0 and row["model"] == "local", err
    assert [attempt.split(": ")[:2] for attempt in row["attempts"]] == [["openai/primary", "timeout"]]
    assert seconds < TIMEOUT + 3


# --------------------------------------------------------------------------- 4. FIFOs, devices, sockets, huge files


def special_file(folder: Path, kind: str) -> Path:
    """A file of `kind` in `folder`: fifo, socket, a symlink to /dev/zero, or a sparse file of 1 GiB."""
    import socket

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / {"fifo": "pipe.txt", "socket": "sock.md", "zero_link": "zero.txt", "sparse": "big.txt"}[kind]
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))  # left bound: the file stays a socket
        special_file.sockets = [*getattr(special_file, "sockets", []), server]
    elif kind == "zero_link":
        path.symlink_to("/dev/zero")
    else:
        with open(path, "wb") as handle:
            handle.truncate(1 << 30)
    return path


@pytest.mark.parametrize("kind", ["/dev/zero", "/dev/null", "/dev/urandom", "fifo", "socket", "zero_link", "sparse"])
def test_a_special_or_huge_file_given_as_an_article_is_one_line_and_exit_2(kind, tmp_path):
    path = Path(kind) if kind.startswith("/") else special_file(tmp_path / "in", kind)
    result = run_cli("brief", path, "--out", tmp_path / "out", "--config", config_file(tmp_path, NOWHERE), timeout=60)
    line = one_line(result.stderr)
    assert result.returncode == 2, result.stderr
    assert str(path) in line and ("not a regular file" in line or "MiB" in line), line


def test_a_file_that_cannot_be_opened_is_one_line_naming_it_simulated(tmp_path, monkeypatch):
    """Simulated: opening the file is refused (as for another user's file; root reads everything)."""
    from summarizer.errors import ArticleError
    from summarizer.text.article import load_article

    [path] = articles(tmp_path / "in", "khoa.txt")
    real_open = os.open

    def denied(name, flags, *args, **kwargs):
        if os.fspath(name) == str(path):
            raise PermissionError(13, "Permission denied", str(name))
        return real_open(name, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(ArticleError) as caught:
        load_article(path)
    assert str(caught.value) == f"{path}: cannot read the file (permission denied); check its permissions"


def test_special_and_huge_files_in_a_folder_each_fail_in_one_line_and_the_batch_goes_on(tmp_path):
    folder = tmp_path / "in"
    articles(folder, "good.txt")
    bad = [special_file(folder, kind) for kind in ("fifo", "socket", "zero_link", "sparse")]
    with ReplayServer(ALL_CASSETTES) as server:
        result = run_cli("brief", folder, "--out", tmp_path / "out", "--config", config_file(tmp_path, server.api_base), "--no-cache", timeout=90)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-3000:]
    failed = [line for line in result.stderr.splitlines() if line.startswith("FAILED")]
    assert len(failed) == len(bad), failed
    for path in bad:
        [line] = [line for line in failed if f"{path}:" in line]
        assert "not a regular file" in line or "MiB" in line, line
    rows = {row["article"]: row["status"] for row in report_of(tmp_path / "out")["articles"]}
    assert rows["good"] == "done"


# --------------------------------------------------------------------------- 5. output names that collide


def no_outputs(out: Path) -> bool:
    return not out.exists() or not [p.name for p in out.iterdir()]


@pytest.mark.parametrize(
    "names",
    [("a/same.txt", "b/same.txt"), ("same.txt", "same.md"), ("a/same.txt", "b/c/same.html"), ("x.y.txt", "x.y.md")],
    ids=["two-folders", "two-suffixes", "nested", "dotted"],
)
def test_two_articles_with_one_id_are_refused_naming_both_before_any_model_is_called(names, tmp_path, capsys):
    first, second = articles(tmp_path / "in", *names)
    with ReplayServer(ALL_CASSETTES) as server:
        code, _, err = brief(capsys, tmp_path / "in", "--out", tmp_path / "out", "--config", config_file(tmp_path, server.api_base))
    line = one_line(err)
    assert code == 2 and server.requests == 0
    assert str(first) in line and str(second) in line and "rename" in line, line
    assert no_outputs(tmp_path / "out")


def test_the_same_file_named_twice_is_briefed_once(tmp_path, capsys):
    [path] = articles(tmp_path / "in", SEED.name)
    with ReplayServer(ALL_CASSETTES) as server:
        config = config_file(tmp_path, server.api_base)
        code, _, err = brief(capsys, tmp_path / "in", path, tmp_path / "in" / ".." / "in" / SEED.name, "--out", tmp_path / "out", "--config", config)
    assert code == 0, err
    assert [row["article"] for row in report_of(tmp_path / "out")["articles"]] == [SEED.stem] and server.requests == calls_for(SEED.stem)


@pytest.mark.parametrize("name", ["run-report.txt", "run-report.md", "run-report.html"])
def test_an_article_named_like_the_run_report_is_refused(name, tmp_path, capsys):
    [path] = articles(tmp_path / "in", name)
    with ReplayServer(ALL_CASSETTES) as server:
        code, _, err = brief(capsys, tmp_path / "in", "--out", tmp_path / "out", "--config", config_file(tmp_path, server.api_base))
    line = one_line(err)
    assert code == 2 and server.requests == 0
    assert str(path) in line and "run-report.json" in line and "run report" in line, line


def test_an_output_folder_inside_the_input_folder_is_not_read_as_input_on_the_next_run(tmp_path, capsys):
    folder = tmp_path / "in"
    articles(folder, SEED_PATHS[0].name, seed=SEED_PATHS[0])
    articles(folder, SEED_PATHS[1].name, seed=SEED_PATHS[1])
    out = folder / "briefs"
    with ReplayServer(ALL_CASSETTES) as server:
        config = config_file(tmp_path, server.api_base)
        assert brief(capsys, folder, "--out", out, "--config", config, "--no-cache")[0] == 0
        code, _, err = brief(capsys, folder, "--out", out, "--config", config, "--no-cache")
    assert code == 0, err
    rows = report_of(out)["articles"]
    assert [(row["article"], row["status"]) for row in rows] == [(SEED_PATHS[0].stem, "resumed"), (SEED_PATHS[1].stem, "resumed")]
    assert server.requests == calls_for(SEED_PATHS[0].stem, SEED_PATHS[1].stem), "the second run asked no model"


@pytest.mark.parametrize("where", ["same", "same-by-another-path"])
def test_an_output_folder_that_is_the_input_folder_is_refused(where, tmp_path, capsys):
    folder = tmp_path / "in"
    articles(folder, SEED.name)
    out = folder if where == "same" else tmp_path / "in" / "." / ".." / "in"
    with ReplayServer(ALL_CASSETTES) as server:
        code, _, err = brief(capsys, folder, "--out", out, "--config", config_file(tmp_path, server.api_base))
    line = one_line(err)
    assert code == 2 and server.requests == 0 and "--out" in line and "input folder" in line, line
    assert sorted(p.name for p in folder.iterdir()) == [SEED.name]


def test_an_input_its_own_output_would_overwrite_is_refused(tmp_path, capsys):
    [path] = articles(tmp_path / "notes", "x.md")
    with ReplayServer(ALL_CASSETTES) as server:
        code, _, err = brief(capsys, path, "--out", tmp_path / "notes", "--config", config_file(tmp_path, server.api_base))
    line = one_line(err)
    assert code == 2 and server.requests == 0 and str(path) in line and "overwritten" in line, line
    assert path.read_bytes() == SEED.read_bytes()


# --------------------------------------------------------------------------- 6. two batches on one output folder


def test_a_second_batch_on_the_same_output_folder_refuses_naming_the_first(tmp_path, capsys):
    folder, out = tmp_path / "in", tmp_path / "out"
    for seed in SEED_PATHS[:3]:
        articles(folder, seed.name, seed=seed)
    with ReplayServer(ALL_CASSETTES, delay=1.5) as server:
        config = config_file(tmp_path, server.api_base)
        command = [sys.executable, "-m", "summarizer", "brief", str(folder), "--out", str(out), "--config", str(config), "--concurrency", "1", "--no-cache"]
        first = subprocess.Popen(command, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 120
            while server.requests < 1 and first.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            assert first.poll() is None, "the first batch ended before the second started"
            code, _, err = brief(capsys, folder, "--out", out, "--config", config, "--no-cache")
            _, first_err = first.communicate(timeout=120)
        finally:
            first.kill()
    line = one_line(err)
    assert code == 2 and str(out) in line and f"PID {first.pid}" in line, line
    assert first.returncode == 0, first_err
    assert report_of(out)["totals"]["done"] == 3 and server.requests == calls_for(*(seed.stem for seed in SEED_PATHS[:3]))
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")], "temporary or lock files left behind"


def test_temporary_files_of_a_live_writer_are_kept_and_those_of_dead_ones_removed_simulated(tmp_path, capsys):
    """Simulated writers: a live process's temporary file (as `summarizer report` or another tool writes in the
    folder) is kept; those of a process that is gone are removed."""
    out = tmp_path / "out"
    out.mkdir()
    articles(tmp_path / "in", SEED.name)
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    kept = out / f".review.html.{live.pid}.0.partial"
    removed = out / f".{SEED.stem}.json.{dead.pid}.0.partial"
    try:
        for partial in (kept, removed):
            partial.write_text("half", encoding="utf-8")
        with ReplayServer(ALL_CASSETTES) as server:
            code, _, err = brief(capsys, tmp_path / "in", "--out", out, "--config", config_file(tmp_path, server.api_base))
    finally:
        live.kill()
        live.wait()
    assert code == 0, err
    assert kept.exists() and not removed.exists()


# --------------------------------------------------------------------------- 8. an output folder that cannot be used


@contextlib.contextmanager
def tmpfs(folder: Path, size: str, *, read_only: bool = False):
    """A real tmpfs of `size` mounted on `folder` (root only); the test is skipped where mounting is not allowed."""
    folder.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (",ro" if read_only else "")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip() or mounted.returncode})")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def unusable_out(tmp_path: Path, kind: str, stack: contextlib.ExitStack) -> Path:
    if kind == "file":
        (tmp_path / "out").write_text("not a folder", encoding="utf-8")
        return tmp_path / "out"
    if kind == "under-a-file":
        (tmp_path / "file").write_text("not a folder", encoding="utf-8")
        return tmp_path / "file" / "out"
    if kind == "read-only":
        return stack.enter_context(tmpfs(tmp_path / "ro", "1m", read_only=True))
    if kind == "read-only-subfolder":
        return stack.enter_context(tmpfs(tmp_path / "ro", "1m", read_only=True)) / "out"
    if kind == "full":
        disk = stack.enter_context(tmpfs(tmp_path / "full", "64k"))
        with contextlib.suppress(OSError), open(disk / "filler", "wb") as filler:
            filler.write(b"\0" * (1 << 20))
        return disk
    return Path("/proc/summarizer-out")  # a filesystem where no folder can be made


@pytest.mark.parametrize("kind", ["file", "under-a-file", "read-only", "read-only-subfolder", "full", "proc"])
def test_an_unusable_output_folder_is_one_line_and_exit_2_before_any_model_is_called(kind, tmp_path, capsys):
    articles(tmp_path / "in", SEED.name)
    with contextlib.ExitStack() as stack, ReplayServer(ALL_CASSETTES) as server:
        out = unusable_out(tmp_path, kind, stack)
        code, _, err = brief(capsys, tmp_path / "in", "--out", out, "--config", config_file(tmp_path, server.api_base))
    line = one_line(err)
    assert code == 2 and server.requests == 0, err
    assert f"--out {out}" in line, line


def check_stopped_run(out: Path, code: int, err: str, total: int) -> dict:
    assert code == 1 and "Traceback" not in err, err
    report = report_of(out)
    assert report["stopped"] and "No space left on device" in report["stopped"], report["stopped"]
    done = [row for row in report["articles"] if row["status"] == "done"]
    assert 1 <= len(done) < total, [row["status"] for row in report["articles"]]
    for row in done:  # what was done is whole
        brief_file = out / f"{row['article']}.json"
        assert json.loads(brief_file.read_text(encoding="utf-8"))["article"]["id"] == row["article"]
        assert (out / f"{row['article']}.md").stat().st_size > 0
    last = err.strip().splitlines()[-1]
    assert last.startswith("summarizer: stopped") and "No space left on device" in last and "same command" in last, last
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")], "temporary or lock files left behind"
    return report


def test_a_disk_that_fills_mid_run_ends_with_the_run_report_of_what_was_done_and_why(tmp_path, capsys):
    """A real full disk: a 256 KiB tmpfs takes a few briefs (the article text is in each), then no more."""
    folder = tmp_path / "in"
    paths = [articles(folder, f"{i:02d}_{seed.name}", seed=seed)[0] for i, seed in enumerate(SEED_PATHS * 4)]
    with tmpfs(tmp_path / "disk", "256k") as out, ReplayServer(ALL_CASSETTES) as server:
        code, _, err = brief(capsys, folder, "--out", out, "--config", config_file(tmp_path, server.api_base), "--concurrency", "1", "--no-cache")
        report = check_stopped_run(out, code, err, len(paths))
        started = calls_for(*(row["article"] for row in report["articles"]))
        assert server.requests == started, "no article was started after the disk was full"


def test_a_disk_that_fills_mid_run_ends_with_the_run_report_of_what_was_done_and_why_simulated(tmp_path, capsys, monkeypatch):
    """Simulated full disk: the fifth file an article writes fails with ENOSPC, and every one after it; the run
    report still fits (the room kept for it)."""
    import errno

    import summarizer.batch.files as files

    real_write, writes = files.atomic_write, []

    def filling_disk(path, text, *, sync=True):
        if path.name != "run-report.json":
            writes.append(path.name)
            if len(writes) > 4:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real_write(path, text, sync=sync)

    monkeypatch.setattr("summarizer.tasks.brief.atomic_write", filling_disk)
    folder, out = tmp_path / "in", tmp_path / "out"
    paths = [articles(folder, f"{i:02d}_{seed.name}", seed=seed)[0] for i, seed in enumerate(SEED_PATHS * 2)]
    with ReplayServer(ALL_CASSETTES) as server:
        code, _, err = brief(capsys, folder, "--out", out, "--config", config_file(tmp_path, server.api_base), "--concurrency", "1", "--no-cache")
    report = check_stopped_run(out, code, err, len(paths))
    assert [row["status"] for row in report["articles"]] == ["done", "done", "failed"]
    assert server.requests == calls_for(*(path.stem for path in paths[:3])), "no article was started after the disk was full"


# --------------------------------------------------------------------------- 13b. file names with control characters

RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\u2028", "\x01", "\r")  # what must never reach a terminal from a file name


def strange_articles(folder: Path) -> dict[str, str]:
    """Good and bad articles whose names hold escape sequences, newlines, bidi overrides, rich markup and an
    undecodable byte; name -> how it must be shown."""
    folder.mkdir(parents=True)
    good = {
        "esc\x1b[31mred.txt": "esc\\x1b[31mred",
        "new\nline.txt": "new\\nline",
        "rtl\u202etxt.exe.txt": "rtl\\u202etxt.exe",
        "c1\x9b31m.txt": "c1\\x9b31m",
        "[red]markup[bold] :smile:.txt": "[red]markup[bold] :smile:",
        "sep\u2028x.txt": "sep\\u2028x",
        "cr\rx.txt": "cr\\rx",
        "Đảng bộ phường 6.txt": "Đảng bộ phường 6",  # letters and marks of any script are shown as they are
    }
    for name in good:
        shutil.copy(SEED, folder / name)
    bad = {"bell\x07.txt": "bell\\x07", "soh\x01.md": "soh\\x01"}
    for name in bad:
        (folder / name).write_bytes(b"")  # empty: a FAILED line naming it
    return {**good, **bad}


def test_file_names_with_control_characters_are_printed_escaped(tmp_path, capsys):
    shown = strange_articles(tmp_path / "in")
    with ReplayServer(ALL_CASSETTES) as server:
        code, out, err = brief(capsys, tmp_path / "in", "--out", tmp_path / "out", "--config", config_file(tmp_path, server.api_base))
    assert code == 1
    for raw in RAW:
        assert raw not in out and raw not in err, f"{raw!r} reached the terminal"
    for line in err.splitlines():
        assert line.startswith(("done ", "FAILED ", "run report: ", "summarizer: ")), line
    for escaped in shown.values():
        assert escaped in err, f"{escaped} not in the progress lines"
        assert escaped[:20] in out, f"{escaped} not in the summary table"
    statuses = [row["status"] for row in report_of(tmp_path / "out")["articles"]]
    assert len(statuses) == 10 and statuses.count("failed") == 2


def test_the_progress_bar_shows_names_escaped(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # the rich progress bar, as on a terminal
    strange_articles(tmp_path / "in")
    with ReplayServer(ALL_CASSETTES) as server:
        code, out, err = brief(capsys, tmp_path / "in", "--out", tmp_path / "out", "--config", config_file(tmp_path, server.api_base))
    assert code == 1
    for raw in RAW:
        assert raw not in out and raw not in err, f"{raw!r} reached the terminal"
    assert "bell\\x07" in out + err


@pytest.mark.parametrize("name", ["a\x1b[2Jb.txt", "two\nlines.txt"])
def test_a_refused_name_is_printed_escaped(name, tmp_path, capsys):
    folder = tmp_path / "in"
    articles(folder, f"x/{name}", f"y/{name}")
    code, out, err = brief(capsys, folder, "--out", tmp_path / "out", "--config", config_file(tmp_path, NOWHERE))
    line = one_line(err)
    assert code == 2 and "\x1b" not in line and "\n" not in err.strip()
    assert repr(name)[1:-5] in line


def test_an_undecodable_file_name_is_refused_in_one_escaped_line(tmp_path, capsys):
    """A name with a byte that is not UTF-8 cannot be recorded in the JSON outputs: refused before any model call."""
    folder = tmp_path / "in"
    articles(folder, "plain.txt")
    shutil.copy(SEED, os.fsencode(folder) + b"/bad\xff name.txt")
    with ReplayServer(ALL_CASSETTES) as server:
        code, out, err = brief(capsys, folder, "--out", tmp_path / "out", "--config", config_file(tmp_path, server.api_base))
    line = one_line(err)
    assert code == 2 and server.requests == 0
    assert "bad\\udcff name.txt" in line and "UTF-8" in line and "\udcff" not in line, line


# --------------------------------------------------------------------------- 13a. oversized model prose


@pytest.mark.parametrize("size", [6_000, 10_000_000], ids=["6k", "10M"])
def test_an_oversized_summary_is_invalid_output_for_that_model_simulated(size, tmp_path, capsys):
    """Simulated fault: the model's English summary is `size` characters of English (its own summary repeated)."""
    articles(tmp_path / "in", SEED.name)
    with ReplayServer(ALL_CASSETTES, faults=["oversized"] * 2, oversize=size) as server:
        code, _, err = brief(capsys, tmp_path / "in", "--out", tmp_path / "out", "--config", config_file(tmp_path, server.api_base))
    row = report_of(tmp_path / "out")["articles"][0]
    assert code == 1 and row["status"] == "failed", err
    assert "local: invalid_output" in row["error"]
    assert not (tmp_path / "out" / f"{SEED.stem}.json").exists() and not (tmp_path / "out" / f"{SEED.stem}.md").exists()


def test_an_oversized_summary_of_the_primary_model_hands_the_article_to_the_next_simulated(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key-0000")
    articles(tmp_path / "in", SEED.name)
    with ReplayServer(ALL_CASSETTES, faults=["oversized"] * 2, oversize=200_000) as primary, ReplayServer(ALL_CASSETTES) as local:
        config = config_file(tmp_path, local.api_base, primary=primary.api_base)
        code, _, err = brief(capsys, tmp_path / "in", "--out", tmp_path / "out", "--config", config)
    row = report_of(tmp_path / "out")["articles"][0]
    assert code == 0 and row["model"] == "local", err
    assert [attempt.split(": ")[:2] for attempt in row["attempts"]] == [["openai/primary", "invalid_output"]]
    written = json.loads((tmp_path / "out" / f"{SEED.stem}.json").read_text(encoding="utf-8"))
    assert len(written["summary_en"]) < 5000


@pytest.mark.parametrize("name", ["brief_selection", "brief_translations", "brief_labels"])
def test_the_prose_limits_leave_the_draft_schemas_unchanged(name):
    """The limits are validators: the JSON Schema (part of every cache key and recorded cassette) is the exported one."""
    from summarizer.schema import EXPORTED

    exported = json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))
    assert EXPORTED[name].model_json_schema() == exported


def recorded_drafts() -> dict[str, dict]:
    """The first seed's recorded answers (real drafts of the embedded model), by the draft they fill."""
    from summarizer.schema import FactLabels, Selection, Translations

    answers = {}
    for interaction in json.loads(ALL_CASSETTES[0].read_text(encoding="utf-8"))["interactions"]:
        content = json.loads(interaction["response"]["body"]["string"])["choices"][0]["message"]["content"]
        answer = json.loads(content)
        draft = Selection if "summary" in answer else FactLabels if "facts" in answer else Translations
        answers.setdefault(draft.__name__, answer)
    return answers


PROSE_FIELDS = [
    ("Selection", "organization"),
    ("Selection", "locality"),
    ("Translations", "translations", 0, "id"),
    ("Translations", "translations", 0, "text"),
    ("FactLabels", "facts", 0, "what_vi"),
    ("FactLabels", "facts", 0, "what_en"),
    ("FactLabels", "facts", 0, "period"),
]


@pytest.mark.parametrize("where", PROSE_FIELDS, ids=[".".join(map(str, where)) for where in PROSE_FIELDS])
def test_every_prose_field_of_the_drafts_has_a_length_limit(where):
    """Each field the model writes in words, blown up to 1,000,000 characters of its own text, fails validation."""
    from pydantic import ValidationError

    from summarizer import schema

    name, *parents, last = where
    draft_model, draft = getattr(schema, name), recorded_drafts()[name]
    assert draft_model.model_validate(draft)  # the recorded answer is valid as it is
    holder = draft
    for key in parents:
        holder = holder[key]
    text = (holder[last] or "Phường 6 năm 2021") + " "
    holder[last] = (text * (1_000_000 // len(text) + 1))[:1_000_000]
    with pytest.raises(ValidationError, match="at most"):
        draft_model.model_validate(draft)
