"""Issue 17, items 9 and 13 (the CLI's part): inputs that gave a traceback or output that is not JSON.

Each case runs the real command line (`summarizer.cli.main`) and asserts one line on stderr naming the file or the
setting, exit 2, and no traceback: config values of the wrong type or out of range, malformed gold files for `eval`,
`report --html` on a directory, and `verify` with a 5,000-digit number, a lone surrogate, NaN or Infinity.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, SEEDS
from served import RECORDED

from summarizer.cli import main
from summarizer.evaluate import EvalInputError, read_hand_check

SEED = sorted(SEEDS.glob("*.txt"))[0]


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, stderr
    return lines[0]


# --------------------------------------------------------------------------- config values (item 9)

CONFIG_CASES = [
    ("model = 5", "`model`"),
    ('model = "local"', "`model`"),
    ('[model.local]\ntimeout = "soon"', "timeout"),
    ("[model.local]\ntimeout = -1", "timeout"),
    ("[model.local]\ntimeout = 0", "timeout"),
    ("[model.local]\ntimeout = nan", "timeout"),
    ("[model.local]\ntimeout = inf", "timeout"),
    ("[model.local]\ntimeout = true", "timeout"),
    ('[model.local]\nmax_tokens = "x"', "max_tokens"),
    ("[model.local]\nmax_tokens = 0", "max_tokens"),
    ("[model.local]\nmax_tokens = -5", "max_tokens"),
    ("[model.local]\nmax_tokens = 2.5", "max_tokens"),
    ("[model.local]\nmax_tokens = 10000000000", "max_tokens"),
    ("[model.local]\napi_base = 3", "api_base"),
    ('[model.local]\napi_base = "127.0.0.1:8080"', "api_base"),
    ("[model.local]\nmode = 5", "mode"),
    ("[model.local]\ncontext = 100", "context"),
    ('[model.local]\ncontext = "big"', "context"),
    ("[model.local]\ncontext = 8192.5", "context"),
    ("max_chars = 0", "max_chars"),
    ('max_chars = "lots"', "max_chars"),
    ("models = [5]", "`models`"),
    ('models = [""]', "`models`"),
    ("service = 5", "`service`"),
    ('[service]\nallowed_models = "openai/gpt-4o"', "allowed_models"),
    ('[service]\nheader_timeout = "x"', "header_timeout"),
    ("[service]\nbody_timeout = -1", "body_timeout"),
]


@pytest.mark.parametrize("content, setting", CONFIG_CASES, ids=[case[0].replace("\n", " ") for case in CONFIG_CASES])
def test_a_config_value_of_the_wrong_type_or_range_is_one_line_naming_the_setting(tmp_path, capsys, content, setting):
    config = tmp_path / "bad.toml"
    config.write_text(content + "\n", encoding="utf-8")
    # the article does not exist: a config that is (wrongly) accepted ends on the article's line, not the setting's
    code = main(["brief", str(tmp_path / "missing.txt"), "--out", str(tmp_path / "out"), "--config", str(config), "--model", "local"])
    line = one_line(capsys.readouterr().err)
    assert code == 2
    assert "bad.toml" in line and setting in line, line


def test_good_config_values_are_still_read(tmp_path):
    from summarizer.config import load_settings

    config = tmp_path / "good.toml"
    config.write_text(
        'models = ["local"]\nmax_chars = 50000\n[model.local]\napi_base = "http://127.0.0.1:9/v1"\ntimeout = 30\nmax_tokens = 100\nmode = "json"\n'
        "context = 8192\n"
        '[service]\nallowed_models = ["openai/gpt-4o"]\nheader_timeout = 5\nbody_timeout = 7.5\n',
        encoding="utf-8",
    )
    settings = load_settings(config=str(config))
    local = settings.options_for("local")
    assert (local.api_base, local.timeout, local.max_tokens, local.mode, local.context) == ("http://127.0.0.1:9/v1", 30.0, 100, "json", 8192)
    assert settings.max_chars == 50000 and load_settings(config=str(config), max_chars=7).max_chars == 7  # --max-chars wins
    assert settings.service.allowed_models == ("openai/gpt-4o",)
    assert (settings.service.header_timeout, settings.service.body_timeout) == (5.0, 7.5)


# --------------------------------------------------------------------------- a real brief, for eval and report


@pytest.fixture(scope="module")
def briefed(tmp_path_factory):
    """An output folder with the brief of seed 000, written by `summarizer brief` against the recorded answers."""
    from replay_server import ReplayServer

    folder = tmp_path_factory.mktemp("briefed")
    with ReplayServer(RECORDED) as replay:
        config = folder / "summarizer.toml"
        config.write_text(f'models = ["local"]\n\n[model.local]\napi_base = "{replay.api_base}"\n', encoding="utf-8")
        command = [sys.executable, "-m", "summarizer", "brief", str(SEED), "--out", str(folder / "out"), "--config", str(config), "--no-cache", "-q"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert (folder / "out" / f"{SEED.stem}.json").is_file()
    return folder / "out"


# --------------------------------------------------------------------------- eval with a malformed gold file (item 9)

BIG = "9" * 5000
GOLD_CASES = [
    ("not JSON", "not json at all", "not valid JSON"),
    ("not UTF-8", b"\xff\xfe{", "UTF-8"),
    ("a list", "[1, 2]", "expected a JSON object"),
    ("a string", '"facts"', "expected a JSON object"),
    ("no facts", "{}", "`facts`"),
    ("facts a number", '{"facts": 5}', "`facts`"),
    ("facts a dict", '{"facts": {"value": 1}}', "`facts`"),
    ("a fact a number", '{"facts": [5]}', "facts[0]"),
    ("a fact without quote", '{"facts": [{"value": 1}]}', "facts[0]"),
    ("a fact without value", '{"facts": [{"quote": "x"}]}', "facts[0]"),
    ("a quote not text", '{"facts": [{"value": 1, "quote": 5}]}', "facts[0]"),
    ("a value a list", '{"facts": [{"value": [1], "quote": "x"}]}', "facts[0].value"),
    ("meta a number", '{"facts": [], "meta": 5}', "`meta`"),
    ("meta title a number", '{"facts": [], "meta": {"title": 5}}', "`meta`"),
    ("article a number", '{"facts": [], "article": 5}', "`article`"),
    ("nested 100,000 deep", "[" * 100_000 + "]" * 100_000, "nested"),
    ("5,000-digit value", '{"facts": [{"value": ' + BIG + ', "quote": "x"}]}', "not valid JSON"),
]


@pytest.mark.parametrize("what, content, problem", GOLD_CASES, ids=[case[0] for case in GOLD_CASES])
def test_eval_with_a_malformed_gold_file_is_one_line_naming_it(briefed, tmp_path, capsys, what, content, problem):
    gold = tmp_path / "gold"
    gold.mkdir()
    path = gold / f"{SEED.stem}.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    code = main(["eval", "--gold", str(gold), "--pred", str(briefed)])
    line = one_line(capsys.readouterr().err)
    assert code == 2
    assert path.name in line and problem in line, line


@pytest.mark.parametrize("line", ["000\tsupported\tOne sentence.", "000\tright\tOne sentence.\t", "000 supported One sentence. note"])
def test_a_hand_check_line_that_is_not_four_cells_with_a_known_verdict_is_one_error_naming_the_file_and_line(tmp_path, line):
    path = tmp_path / "hand_check.tsv"
    path.write_text(f"# a comment\n000\tmeaning\tA sentence.\t\n{line}\n", encoding="utf-8")
    with pytest.raises(EvalInputError) as raised:
        read_hand_check(path)
    assert str(raised.value).startswith(f"{path}:3: expected seed, verdict (supported | figure | meaning)") and "\n" not in str(raised.value)
    path.write_text("# a comment\n000\tmeaning\tA sentence.\t\n", encoding="utf-8")
    assert read_hand_check(path) == {("000", "A sentence."): "meaning"}


def test_eval_with_a_4000_digit_value_or_a_broken_brief_does_not_crash(briefed, tmp_path, capsys):
    gold, pred = tmp_path / "gold", tmp_path / "pred"
    gold.mkdir()
    pred.mkdir()
    (gold / f"{SEED.stem}.json").write_text('{"facts": [{"value": ' + "9" * 4000 + ', "quote": "8 chi bộ"}]}', encoding="utf-8")
    shutil.copy(briefed / f"{SEED.stem}.json", pred)
    assert main(["eval", "--gold", str(gold), "--pred", str(pred), "--json"]) == 0  # float() of it overflows: compared as text
    assert json.loads(capsys.readouterr().out)[0]["gold"] == 1
    (pred / f"{SEED.stem}.json").write_text('{"not": "a brief"}', encoding="utf-8")
    assert main(["eval", "--gold", str(gold), "--pred", str(pred)]) == 2
    line = one_line(capsys.readouterr().err)
    assert f"{SEED.stem}.json" in line and "not a brief" in line


def test_eval_still_scores_the_real_gold_file(briefed, capsys):
    gold = ROOT.parent / "shared" / "gold"
    if not (gold / f"{SEED.stem}.json").is_file():
        pytest.skip("no ../shared/gold")
    assert main(["eval", "--gold", str(gold), "--pred", str(briefed), "--json"]) == 0
    rows = {row["article"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows[SEED.stem]["found"] > 0


# --------------------------------------------------------------------------- report --html DIR (item 9)


def test_report_html_on_an_existing_directory_is_one_line(briefed, tmp_path, capsys):
    target = tmp_path / "pages"
    target.mkdir()
    code = main(["report", str(briefed), "--html", str(target)])
    line = one_line(capsys.readouterr().err)
    assert code == 2
    assert "--html" in line and str(target) in line and "directory" in line, line
    assert list(target.iterdir()) == []


def test_report_html_in_a_read_only_folder_is_one_line(briefed, tmp_path, capsys):
    import os

    if os.geteuid() == 0:
        target_dir = tmp_path / "file-not-folder"
        target_dir.write_text("x", encoding="utf-8")
        target = target_dir / "page.html"  # its parent is a file: is_dir() is False
    else:
        target_dir = tmp_path / "ro"
        target_dir.mkdir()
        target_dir.chmod(0o500)
        target = target_dir / "page.html"
    code = main(["report", str(briefed), "--html", str(target)])
    assert code == 2
    assert "--html" in one_line(capsys.readouterr().err)


def test_report_still_writes_the_page(briefed, tmp_path, capsys):
    assert main(["report", str(briefed), "--html", str(tmp_path / "page.html")]) == 0
    assert "<mark" in (tmp_path / "page.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- verify's facts file (items 9, 13)

VERIFY_CASES = [
    ("5,000-digit value", '[{"value": ' + BIG + ', "unit": "x", "quote": "x"}]', "4,300 digits"),
    ("5,000-digit value in a statement", '[{"text": "x", "n": ' + BIG + "}]", "4,300 digits"),
    ("lone surrogate in a quote", '[{"value": 8, "unit": "chi bộ", "quote": "\\ud800"}]', "[0].quote"),
    ("lone low surrogate", '[{"value": 8, "unit": "chi bộ", "quote": "8 chi b\\udc00"}]', "[0].quote"),
    ("lone surrogate in a value", '[{"value": "\\ud800", "unit": "x", "quote": "x"}]', "[0].value"),
    ("lone surrogate in a statement", '[{"text": "\\ud800 có 8 chi bộ"}]', "[0].text"),
    ("lone surrogate in a key", '[{"\\ud800": 1, "value": 8, "unit": "chi bộ", "quote": "8 chi bộ"}]', "surrogate"),
    ("NaN", '[{"value": NaN, "unit": "chi bộ", "quote": "8 chi bộ"}]', "[0].value"),
    ("Infinity", '[{"value": Infinity, "unit": "chi bộ", "quote": "8 chi bộ"}]', "[0].value"),
    ("-Infinity", '[{"value": -Infinity, "unit": "chi bộ", "quote": "8 chi bộ"}]', "[0].value"),
    ("1e999", '[{"value": 1e999, "unit": "chi bộ", "quote": "8 chi bộ"}]', "[0].value"),
    ("nested 100,000 deep", "[" * 100_000 + "]" * 100_000, "nested"),
    ("a fact nested 100,000 deep", '[{"value": 8, "x": ' + "[" * 100_000 + "]" * 100_000 + "}]", "nested"),
    ("a fact nested 500 deep", '[{"value": 8, "x": ' + "[" * 500 + "]" * 500 + "}]", "[0]: nested"),
]


@pytest.mark.parametrize("what, content, problem", VERIFY_CASES, ids=[case[0] for case in VERIFY_CASES])
def test_verify_with_unusable_json_is_one_line_and_never_prints_non_json(tmp_path, capsys, what, content, problem):
    facts = tmp_path / "facts.json"
    facts.write_text(content, encoding="utf-8")
    code = main(["verify", str(SEED), str(facts)])
    captured = capsys.readouterr()
    line = one_line(captured.err)
    assert code == 2
    assert "facts.json" in line and problem in line, line
    assert captured.out == ""


def test_verify_still_checks_good_facts_and_an_escaped_emoji(tmp_path, capsys):
    facts = tmp_path / "facts.json"
    facts.write_text('[{"value": 8, "unit": "chi bộ", "quote": "8 chi bộ", "note": "\\ud83d\\ude00"}]', encoding="utf-8")
    assert main(["verify", str(SEED), str(facts)]) == 0
    (verdict,) = json.loads(capsys.readouterr().out, parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
    assert verdict["supported"] is True and verdict["note"] == "😀"


# --------------------------------------------------------------------------- raw HTML from the model in the .md (item 13)


def test_raw_html_from_the_model_is_escaped_in_the_markdown(briefed):
    from summarizer.review.markdown import brief_markdown
    from summarizer.schema import Brief

    brief = Brief.model_validate_json((briefed / f"{SEED.stem}.json").read_bytes())
    attack = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    brief = brief.model_copy(update={"summary_en": attack, "title_en": attack, "summary_vi": "<b>đậm</b> & <a href='javascript:x'>y</a>"})
    if brief.key_points:
        brief.key_points[0] = brief.key_points[0].model_copy(update={"en": attack})
    text = brief_markdown(brief)
    for raw in ("<img", "<script", "<b>", "<a "):
        assert raw not in text, raw
    assert "&lt;script&gt;" in text and "&lt;b&gt;đậm&lt;/b&gt; &amp;" in text
    written = (briefed / f"{SEED.stem}.md").read_text(encoding="utf-8")
    assert "<" not in written.replace("<!--", "")  # the real output holds no tag either
