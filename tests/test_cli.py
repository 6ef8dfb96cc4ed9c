"""The command line: fast start-up, one clear line per bad input, and a batch that survives bad articles."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, SEEDS

from summarizer.cli import main

SEED = sorted(SEEDS.glob("*.txt"))[0]


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "summarizer", *args], capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)


def test_help_and_verify_do_not_import_litellm():
    code = "import sys; from summarizer.cli import build_parser, cmd_verify; build_parser(); print('litellm' in sys.modules, 'instructor' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]
    help_text = run_cli("--help").stdout
    for command in ("brief", "verify", "eval", "schemas"):
        assert command in help_text


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr
    return "\n".join(lines)


@pytest.mark.parametrize(
    "name, content, problem",
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\t\n ", "whitespace"),
        ("binary.txt", b"\x00\x01\x02GGUF\x00" * 20, "binary"),
        ("latin1.txt", "Báo cáo: café, crème, 327 đảng viên".encode("cp1258", errors="replace"), "UTF-8"),
    ],
)
def test_bad_article_is_one_line_naming_the_file(tmp_path, name, content, problem, capsys):
    path = tmp_path / name
    path.write_bytes(content)
    code = main(["brief", str(path), "--out", str(tmp_path / "out"), "--model", "local"])
    err = one_error_line(capsys.readouterr().err)
    assert code == 1
    assert name in err and problem.lower() in err.lower()
    assert [p.name for p in (tmp_path / "out").glob("*.json")] == ["run-report.json"]  # no brief


def test_missing_path_and_empty_folder_are_usage_errors(tmp_path, capsys):
    assert main(["brief", str(tmp_path / "nope.txt"), "--out", str(tmp_path / "out")]) == 2
    assert "nope.txt" in one_error_line(capsys.readouterr().err)
    (tmp_path / "empty").mkdir()
    assert main(["brief", str(tmp_path / "empty"), "--out", str(tmp_path / "out")]) == 2
    err = one_error_line(capsys.readouterr().err)
    assert "empty" in err and "no" in err.lower()


def test_unknown_model_is_refused_before_any_article_is_read(tmp_path):
    result = run_cli("brief", str(SEED), "--out", str(tmp_path / "out"), "--model", "nosuchprovider/model-x")
    assert result.returncode == 2
    err = one_error_line(result.stderr)
    assert len(err.splitlines()) == 1 and "nosuchprovider/model-x" in err and "--model" in err
    assert not (tmp_path / "out").exists()


def test_local_model_that_fails_to_start_is_one_line_per_article(tmp_path, monkeypatch, capsys):
    pytest.importorskip("llama_cpp", reason="needs the llama.cpp runtime (scripts/install --runtime)")
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"this is not a model")
    monkeypatch.setenv("SUMMARIZER_LOCAL_GGUF", str(broken))
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "cache"))
    articles = tmp_path / "articles"
    articles.mkdir()
    for name in ("a.txt", "b.txt"):
        shutil.copy(SEED, articles / name)
    code = main(["brief", str(articles), "--out", str(tmp_path / "out"), "--model", "local"])
    err = one_error_line(capsys.readouterr().err)
    assert code == 1
    failures = [line for line in err.splitlines() if line.startswith("FAILED")]
    assert len(failures) == 2 and all("local model server exited" in line for line in failures)


def test_one_bad_article_never_stops_the_batch(tmp_path, cassette, local_api_base, capsys):
    config = tmp_path / "summarizer.toml"
    config.write_text(f'models = ["local"]\n[model.local]\napi_base = "{local_api_base}"\n', encoding="utf-8")
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(SEED, articles / SEED.name)
    (articles / "0_empty.txt").write_bytes(b"")
    (articles / "9_binary.html").write_bytes(b"\x00" * 64)
    with cassette(f"local_{SEED.stem}"):
        code = main(["brief", str(articles), "--out", str(tmp_path / "out"), "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 1
    assert "0_empty.txt" in err and "9_binary.html" in err and "Traceback" not in err
    assert (tmp_path / "out" / f"{SEED.stem}.json").is_file()
    lines = (tmp_path / "out" / "briefs.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["article"]["id"] for line in lines] == [SEED.stem]


def test_verify_command_prints_one_verdict_per_fact(tmp_path):
    facts = [
        {"value": 327, "unit": "đảng viên", "quote": "8 chi bộ với 327 đảng viên", "what": "members"},
        {"value": 3270, "unit": "đảng viên", "quote": "8 chi bộ với 327 đảng viên"},
    ]
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    result = run_cli("verify", str(SEED), str(path))
    assert result.returncode == 0, result.stderr
    verdicts = json.loads(result.stdout)
    assert [v["supported"] for v in verdicts] == [True, False]
    assert verdicts[0]["what"] == "members" and verdicts[0]["alignment"] == "exact"
    assert verdicts[1]["reason"]

    path.write_text("[{not json", encoding="utf-8")
    result = run_cli("verify", str(SEED), str(path))
    assert result.returncode == 2 and "facts.json" in one_error_line(result.stderr)


def test_an_unexpected_error_in_one_article_is_reported_and_the_batch_goes_on_simulated(tmp_path, cassette, local_api_base, monkeypatch, capsys):
    """Simulated fault: rendering the first article's Markdown raises; that article fails with one line, the next is written."""
    import summarizer.tasks.brief as brief_task

    real_markdown = brief_task.brief_markdown
    calls = []

    def markdown_failing_once(brief):
        calls.append(brief.article.id)
        if len(calls) == 1:
            raise AttributeError("simulated bug")
        return real_markdown(brief)

    monkeypatch.setattr(brief_task, "brief_markdown", markdown_failing_once)
    config = tmp_path / "summarizer.toml"
    config.write_text(f'models = ["local"]\n[model.local]\napi_base = "{local_api_base}"\n', encoding="utf-8")
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(SEED, articles / f"a_{SEED.name}")
    shutil.copy(SEED, articles / f"b_{SEED.name}")
    with cassette(f"local_{SEED.stem}") as recording:
        recording.allow_playback_repeats = True
        code = main(["brief", str(articles), "--out", str(tmp_path / "out"), "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert f"a_{SEED.stem}" in err and "internal error" in err and "simulated bug" in err
    assert (tmp_path / "out" / f"b_{SEED.stem}.json").is_file()
    assert not list((tmp_path / "out").glob(f"a_{SEED.stem}*")), "a failed article leaves no file"


def test_the_bad_input_table_in_one_batch(tmp_path, cassette, local_api_base, capsys):
    """Every kind of bad input beside good ones: each bad file is one line naming it and its problem, the
    readable variants of a good article (UTF-16 with BOM, decomposed NFD) are briefed, the batch goes on."""
    import unicodedata

    config = tmp_path / "summarizer.toml"
    config.write_text(f'models = ["local"]\n[model.local]\napi_base = "{local_api_base}"\n', encoding="utf-8")
    articles = tmp_path / "articles"
    articles.mkdir()
    text = SEED.read_text(encoding="utf-8")
    good = {"good.txt": text.encode("utf-8"), "utf16.txt": text.encode("utf-16"), "nfd.txt": unicodedata.normalize("NFD", text).encode("utf-8")}
    bad = {
        "empty.txt": (b"", "empty file"),
        "blank.txt": (b" \n\t \n", "only whitespace"),
        "binary.txt": (bytes(range(256)) * 4, "binary"),
        "nul.txt": (text.encode("utf-8")[:300] + b"\x00" + text.encode("utf-8")[300:], "NUL"),
        "cp1258.txt": ("Đảng bộ Phường 6 có 327 đảng viên".encode("cp1258", errors="replace"), "not UTF-8"),
        "latin1.txt": ("Ðảng bộ café".encode("latin-1", errors="replace"), "not UTF-8"),
        "huge.txt": ("".join(f"Đoạn {i}. " + "Đảng bộ có 327 đảng viên. " * 40 + "\n\n" for i in range(1000)).encode("utf-8"), "the limit is"),
        "one_line.txt": (("Đảng bộ có 327 đảng viên. " * 16000).encode("utf-8"), "the limit is"),
        "boilerplate.html": (
            b"<html><body><nav>Trang ch\xe1\xbb\xa7</nav><p>Chia s\xe1\xba\xbb b\xc3\xa0i vi\xe1\xba\xbft</p></body></html>",
            "only boilerplate",
        ),
    }
    for name, data in good.items():
        (articles / name).write_bytes(data)
    for name, (data, _) in bad.items():
        (articles / name).write_bytes(data)
    with cassette(f"local_{SEED.stem}") as recording:
        recording.allow_playback_repeats = True
        code = main(["brief", str(articles), "--out", str(tmp_path / "out"), "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    failed = [line for line in err.splitlines() if line.startswith("FAILED")]
    assert len(failed) == len(bad)
    for name, (_, problem) in bad.items():
        [line] = [line for line in failed if f"/{name}:" in line] or [f"{name} missing from {failed}"]
        assert problem in line, line
    report = json.loads((tmp_path / "out" / "run-report.json").read_text(encoding="utf-8"))
    assert sorted(r["article"] for r in report["articles"] if r["status"] == "done") == ["good", "nfd", "utf16"]
