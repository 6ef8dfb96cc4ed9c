"""`summarizer diff`: two output folders of real outputs (a brief and a filled form replayed from the recorded cassettes),
the second changed by hand, and what the diff says about them, as data, as JSON and through the command line."""

from __future__ import annotations

import asyncio
import json
import shutil

import pytest
from conftest import CASSETTES, ROOT, SEEDS

from summarizer.cli import main
from summarizer.forms import load_form
from summarizer.models import cassettes
from summarizer.models.chain import ModelChain
from summarizer.review.diff import CheckRef, FieldChange, StatementChange, diff_folders
from summarizer.schema import Brief, Check, FilledForm
from summarizer.tasks.brief import brief_article, write_brief
from summarizer.tasks.fill import fill_article, output_path, write_form
from summarizer.text.article import load_article

SEED = "000_25d47c26562bab5c"  # its brief cassette (local_) and its form cassette (fill_) are complete
PROFILE = load_form(ROOT / "schemas" / "forms" / "ward_party_profile.json")
_replayed: dict[str, object] = {}


def real_brief(cassette, settings) -> Brief:
    """The seed's brief, as `summarizer brief` makes it from the model's recorded answers (replayed once a session)."""
    if "brief" not in _replayed:
        article = load_article(SEEDS / f"{SEED}.txt")
        with cassette(f"local_{SEED}"), ModelChain(settings) as chain:
            _replayed["brief"] = asyncio.run(brief_article(article, chain))
    return _replayed["brief"].model_copy(deep=True)


def real_form(cassette, settings, seed: str = SEED) -> FilledForm:
    """The profile form filled from a seed (by default SEED), replayed the same way."""
    if seed not in _replayed:
        article = load_article(SEEDS / f"{seed}.txt")
        with cassette(f"fill_{seed}"), ModelChain(settings) as chain:
            _replayed[seed] = asyncio.run(fill_article(article, PROFILE, chain))
    return _replayed[seed].model_copy(deep=True)


def folders(tmp_path):
    """Two empty output folders, OLD and NEW."""
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    old_dir.mkdir()
    new_dir.mkdir()
    return old_dir, new_dir


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(["diff", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def changed_brief(brief: Brief) -> tuple[Brief, dict]:
    """A copy with one fact dropped, one kept statement left out and a check added for it; and what was changed."""
    new = brief.model_copy(deep=True)
    lost = new.facts.pop(0)
    n = next(n for n, s in enumerate(new.statements) if s.kept)
    statement = new.statements[n]
    statement.kept = False
    sentence = sum(s.field == statement.field for s in new.statements[: n + 1])  # its place among its field's statements
    check = Check(field=statement.field, kind="number", text="327", reason="the sources do not state it", statement=statement.text)
    new.checks.append(check)
    return new, {"lost": lost, "statement": statement, "sentence": sentence}


def test_a_brief_changed_by_hand_shows_exactly_its_changes(tmp_path, cassette, local_settings, capsys):
    old_dir, new_dir = folders(tmp_path)
    brief = real_brief(cassette, local_settings)
    assert brief.facts and any(s.kept for s in brief.statements)
    new, made = changed_brief(brief)
    write_brief(brief, old_dir)
    write_brief(new, new_dir)

    diff = diff_folders(old_dir, new_dir)
    assert diff.changed and diff.compared == 1 and not diff.only_in_old and not diff.only_in_new
    [output] = diff.outputs
    assert (output.name, output.article, output.kind, output.text_changed) == (f"{SEED}.json", SEED, "brief", False)
    lost = made["lost"]
    assert [(f.start, f.end, f.value, f.what_en, f.quote) for f in output.facts_lost] == [(lost.start, lost.end, lost.value, lost.what_en, lost.quote)]
    assert output.facts_gained == [] and output.facts_relabelled == []
    statement = made["statement"]
    assert output.statements == [StatementChange(statement.field, made["sentence"], "now left out", statement.text, statement.text, True, False)]
    assert output.checks_added == [CheckRef(statement.field, "number", "327", "the sources do not state it")]
    assert output.checks_removed == [] and output.fields == []

    code, out, err = run(capsys, old_dir, new_dir)
    assert code == 1 and err == ""
    assert "fact lost" in out and "statement now left out" in out and "check added" in out
    assert out.strip().splitlines()[-1] == f"1 of 1 output changed, 0 only in {old_dir}, 0 only in {new_dir}"

    code, out, _ = run(capsys, old_dir, new_dir, "--json")
    assert code == 1 and json.loads(out) == diff.to_json()
    [shown] = json.loads(out)["outputs"]
    assert shown["facts_lost"][0]["quote"] == made["lost"].quote and shown["statements"][0]["change"] == "now left out"

    assert run(capsys, old_dir, old_dir) == (0, "no change: 1 output compared\n", "")
    code, out, _ = run(capsys, old_dir, old_dir, "--json")
    assert code == 0 and json.loads(out)["changed"] is False and json.loads(out)["outputs"] == []


def test_a_relabelled_fact_a_reworded_statement_and_outputs_in_one_folder_only(tmp_path, cassette, local_settings):
    old_dir, new_dir = folders(tmp_path)
    brief = real_brief(cassette, local_settings)
    new = brief.model_copy(deep=True)
    new.facts[0].what_en = "something else"
    new.statements[0].text = "A title the model wrote differently."
    gone = brief.model_copy(deep=True, update={"article": brief.article.model_copy(update={"id": "only_old"})})
    write_brief(brief, old_dir)
    write_brief(gone, old_dir)
    write_brief(new, new_dir)
    (new_dir / "run-report.json").write_text('{"articles": [], "totals": {}}', encoding="utf-8")  # not an output: left alone

    diff = diff_folders(old_dir, new_dir)
    assert [(ref.name, ref.article, ref.kind) for ref in diff.only_in_old] == [("only_old.json", "only_old", "brief")]
    assert diff.only_in_new == []
    [output] = diff.outputs
    [relabelled] = output.facts_relabelled
    assert (relabelled.start, relabelled.end, relabelled.old_what_en, relabelled.new_what_en) == (
        brief.facts[0].start,
        brief.facts[0].end,
        brief.facts[0].what_en,
        "something else",
    )
    assert output.facts_lost == [] and output.facts_gained == []
    [reworded] = output.statements
    assert (reworded.field, reworded.sentence, reworded.change) == (brief.statements[0].field, 1, "text changed")
    assert reworded.new_text == "A title the model wrote differently." and output.checks_added == []


def test_a_form_field_whose_status_changed(tmp_path, cassette, local_settings, capsys):
    old_dir, new_dir = folders(tmp_path)
    filled = real_form(cassette, local_settings)
    name, result = next((n, r) for n, r in filled.fields.items() if r.status == "filled" and isinstance(r.value, int))
    new = filled.model_copy(deep=True)
    new.fields[name].status, new.fields[name].value, new.fields[name].reason = "unsupported", None, "counts something else"
    del new.values[name]
    write_form(filled, PROFILE, old_dir)
    write_form(new, PROFILE, new_dir)

    diff = diff_folders(old_dir, new_dir)
    [output] = diff.outputs
    assert (output.name, output.kind) == (output_path(new_dir, SEED, PROFILE).name, "form")
    by = filled.fields[name].filled_by
    assert output.fields == [FieldChange(name, "filled", "unsupported", filled.values[name], None, by, by)]
    assert output.facts_lost == output.statements == output.checks_added == []

    code, out, _ = run(capsys, old_dir, new_dir)
    assert code == 1 and name in out and "unsupported" in out
    assert run(capsys, new_dir, new_dir)[0] == 0


def test_a_nested_value_that_changed_is_a_changed_field(tmp_path, cassette, local_settings):
    filled = real_form(cassette, local_settings, "002_e3ece47872f8ab9d")  # its form holds lists of several items
    name = next(n for n, v in filled.values.items() if isinstance(v, list) and len(v) > 1)
    new = filled.model_copy(deep=True)
    new.values[name] = new.values[name][:1]
    old_dir, new_dir = folders(tmp_path)
    write_form(filled, PROFILE, old_dir)
    write_form(new, PROFILE, new_dir)

    [output] = diff_folders(old_dir, new_dir).outputs
    by = filled.fields[name].filled_by
    assert output.fields == [FieldChange(name, "filled", "filled", filled.values[name], filled.values[name][:1], by, by)]


def test_a_corrupt_output_file_is_one_line_naming_it(tmp_path, cassette, local_settings, capsys):
    old_dir, new_dir = folders(tmp_path)
    brief = real_brief(cassette, local_settings)
    write_brief(brief, old_dir)
    write_brief(brief, new_dir)
    broken = new_dir / f"{SEED}.json"
    broken.write_text(broken.read_text(encoding="utf-8")[:500], encoding="utf-8")  # a run killed mid-write, say

    code, out, err = run(capsys, old_dir, new_dir)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith(f"summarizer: {broken}: not valid JSON")

    broken.write_text(json.dumps({"article": {"id": SEED}, "facts": []}), encoding="utf-8")  # JSON, but no brief
    code, _, err = run(capsys, old_dir, new_dir, "--json")
    assert code == 2 and len(err.splitlines()) == 1 and err.startswith(f"summarizer: {broken}: not a brief this version can read")


def test_a_folder_that_is_not_one_is_bad_input(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    code, _, err = run(capsys, tmp_path / "missing", tmp_path / "empty")
    assert code == 2 and err == f"summarizer: OLD_OUT {tmp_path / 'missing'}: not a directory; pass an output folder of 'summarizer brief' or 'fill'\n"
    code, _, err = run(capsys, tmp_path / "empty", tmp_path / "empty")
    assert code == 2 and "no briefs or filled forms in either" in err


PROMPT_EDIT = (  # one rule changed in the form prompt: an organisation is to be given with its town or city
    "do not translate or rephrase.\n",
    'do not translate or rephrase. Give an organisation with the town or city it belongs to, e.g. "Đảng bộ Phường 6, thành phố Bến Tre".\n',
)


@pytest.mark.records
def test_a_prompt_edit_shows_in_the_diff_of_two_recorded_runs(tmp_path, cassette, local_settings, monkeypatch, capsys):
    """Both runs recorded from the embedded model: the shipped prompts (cassettes/fill_leaders_<seed>.json), and the
    same with one rule added to article.form.j2 (cassettes/fill_leaders_<seed>_prompt_edit.json)."""
    article = load_article(SEEDS / f"{SEED}.txt")
    leaders = load_form(ROOT / "schemas" / "forms" / "party_leaders.yaml")
    with cassettes.use_cassette(CASSETTES / f"fill_leaders_{SEED}.json", "none"), ModelChain(local_settings) as chain:  # replayed, never re-recorded here
        before = asyncio.run(fill_article(article, leaders, chain))
    prompts = tmp_path / "prompts"
    shutil.copytree(ROOT / "summarizer" / "prompts", prompts)
    system = prompts / "article.form.j2"
    text = system.read_text(encoding="utf-8")
    assert text.count(PROMPT_EDIT[0]) == 1
    system.write_text(text.replace(*PROMPT_EDIT), encoding="utf-8")
    monkeypatch.setenv("SUMMARIZER_PROMPTS_DIR", str(prompts))
    with cassette(f"fill_leaders_{SEED}_prompt_edit"), ModelChain(local_settings) as chain:
        after = asyncio.run(fill_article(article, leaders, chain))
    assert before.provenance.prompts != after.provenance.prompts  # the edited prompt is on record in the output

    old_dir, new_dir = folders(tmp_path)
    write_form(before, leaders, old_dir)
    write_form(after, leaders, new_dir)
    changed = {
        name
        for name in (f.name for f in leaders.fields)
        if (before.fields[name].status, before.values.get(name), before.fields[name].filled_by)
        != (after.fields[name].status, after.values.get(name), after.fields[name].filled_by)
    }
    # the edit asked for the town too: the model wrote "Đảng bộ Phường 6, thành phố Bến Tre", which the article does
    # not write, so the program answers the field with the organisation it names: the same value, by another hand
    assert "organisation" in changed and after.fields["organisation"].filled_by == "program"
    assert {change.field for output in diff_folders(old_dir, new_dir).outputs for change in output.fields} == changed
    code, out, _ = run(capsys, old_dir, new_dir, "--json")
    assert code == (1 if changed else 0)
    assert {change["field"] for output in json.loads(out)["outputs"] for change in output["fields"]} == changed
    code, out, _ = run(capsys, old_dir, new_dir)
    assert "filled by the program: Đảng bộ Phường 6" in out, out
