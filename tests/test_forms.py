"""Form files that try to break the reader: nesting, size, YAML aliases, odd values, names used as file paths.

Every such form is refused when it is read, in one line naming the file (and the field and limit when there is
one), before any article is read or model called; none gives a traceback, a hang or a memory blow-up.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import time

import pytest
import yaml
from conftest import ROOT

from summarizer.cli import main
from summarizer.errors import FormError
from summarizer.forms import (
    MAX_DESCRIPTION_CHARS,
    MAX_FORM_CHARS,
    MAX_FORM_DEPTH,
    MAX_FORM_DESCRIPTION_CHARS,
    MAX_FORM_FIELDS,
    MAX_FORM_NESTING,
    MAX_FORM_VALUES,
    field_groups,
    form_from_schema,
    load_form,
    parse_form,
    safe_form_name,
)

FORMS = ROOT / "schemas" / "forms"
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def nested_schema(levels: int, description: str = "d") -> dict:
    """A form whose field 'f1' holds 'f2' ... down to 'f<levels>' (a text field): `levels` levels of fields."""
    spec = {"type": "string", "description": description}
    for level in range(levels - 1, 0, -1):
        spec = {"type": "object", "description": description, "properties": {f"f{level + 1}": spec}}
    return {"type": "object", "title": "nested", "properties": {"f1": spec}}


def nested_yaml(levels: int) -> str:
    """The short YAML form of the same: each level a field of type object with one field."""
    lines = ["form: nested", "fields:"]
    for level in range(1, levels):
        pad = "  " * (2 * level - 1)
        lines += [f"{pad}- name: f{level}", f"{pad}  type: object", f"{pad}  fields:"]
    lines.append(f"{'  ' * (2 * levels - 1)}- {{name: f{levels}, type: string}}")
    return "\n".join(lines) + "\n"


def one_line_naming(message: str, *words: str) -> None:
    assert "\n" not in message.strip() and "Traceback" not in message, message
    for word in words:
        assert word in message, (word, message)


def fill_cli(tmp_path, form_path, capsys) -> tuple[int, str]:
    """`summarizer fill --form FORM` as a user runs it; the article does not exist: a bad form must be said first."""
    code = main(["fill", "--form", str(form_path), str(tmp_path / "no-such-article.txt"), "--out", str(tmp_path / "out")])
    return code, capsys.readouterr().err


# --------------------------------------------------------------------------- nested forms: described once, capped


def test_a_nested_field_is_described_once_not_escaped_again_at_each_level():
    description = 'Tên "đơn vị", ví dụ "Phường 6" \\ "Xã An Lạc" / the unit, e.g. "Ward 6"'
    form = form_from_schema(nested_schema(MAX_FORM_DEPTH, description), name="nested")
    flat = form_from_schema({"type": "object", "properties": {"note": {"type": "string", "description": description}}}, name="flat").fields
    text = len(json.dumps(description, ensure_ascii=False))
    budget = (MAX_FORM_DEPTH + 1) * (text + 40)  # each field's own text and a little framing, nothing more
    assert len(field_groups(form.fields + flat, 12, budget)) == 1  # escaped per level it costs thousands and is split off


def test_the_nesting_limit_is_a_form_at_most_that_deep(tmp_path):
    assert form_from_schema(nested_schema(MAX_FORM_DEPTH), name="nested").fields[0].name == "f1"
    with pytest.raises(FormError) as raised:
        form_from_schema(nested_schema(MAX_FORM_DEPTH + 1), name="nested", source="deep.json")
    one_line_naming(str(raised.value), "deep.json", f"{MAX_FORM_DEPTH} levels", "f1.f2")
    path = tmp_path / "deep.yaml"
    path.write_text(nested_yaml(MAX_FORM_DEPTH + 1), encoding="utf-8")
    with pytest.raises(FormError) as raised:
        load_form(path)
    one_line_naming(str(raised.value), str(path), f"{MAX_FORM_DEPTH} levels")


def test_a_2kb_form_26_levels_deep_is_refused_at_once():
    schema = nested_schema(26, 'a "quoted" word')
    assert len(json.dumps(schema)) < 2600
    started = time.monotonic()
    with pytest.raises(FormError) as raised:
        parse_form(schema, source="form")
    assert time.monotonic() - started < 2
    one_line_naming(str(raised.value), "form", f"{MAX_FORM_DEPTH} levels")


def test_a_form_200_levels_deep_is_one_line_from_the_real_cli(tmp_path):
    form = tmp_path / "deep.yaml"
    form.write_text(nested_yaml(200), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "summarizer", "fill", "--form", str(form), str(tmp_path / "none.txt"), "--out", str(tmp_path / "out")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    one_line_naming(result.stderr, str(form), "levels")
    assert not (tmp_path / "out").exists()


def wide(count: int, description: str = "d") -> dict:
    return {"type": "object", "properties": {f"f{i}": {"type": "string", "description": description} for i in range(count)}}


def test_the_field_count_is_capped_nested_fields_included():
    assert len(form_from_schema(wide(MAX_FORM_FIELDS), name="wide").fields) == MAX_FORM_FIELDS
    with pytest.raises(FormError) as raised:
        form_from_schema(wide(MAX_FORM_FIELDS + 1), name="wide", source="wide.json")
    one_line_naming(str(raised.value), "wide.json", f"{MAX_FORM_FIELDS} fields")
    inner = {"type": "object", "properties": wide(MAX_FORM_FIELDS)["properties"]}
    with pytest.raises(FormError) as raised:  # the object itself and its fields: one over
        form_from_schema({"type": "object", "properties": {"o": inner}}, name="wide", source="nested.json")
    one_line_naming(str(raised.value), "nested.json", f"{MAX_FORM_FIELDS} fields")


def test_a_description_and_all_descriptions_together_are_capped():
    with pytest.raises(FormError) as raised:
        form_from_schema(wide(1, "x" * (MAX_DESCRIPTION_CHARS + 1)), name="long", source="long.json")
    one_line_naming(str(raised.value), "long.json", "field 'f0'", f"{MAX_DESCRIPTION_CHARS:,} characters")
    with pytest.raises(FormError) as raised:
        form_from_schema({**wide(1), "description": "x" * (MAX_DESCRIPTION_CHARS + 1)}, name="long", source="long.json")
    one_line_naming(str(raised.value), "long.json", "the form's description", f"{MAX_DESCRIPTION_CHARS:,} characters")
    count = MAX_FORM_DESCRIPTION_CHARS // MAX_DESCRIPTION_CHARS + 1
    with pytest.raises(FormError) as raised:
        form_from_schema(wide(count, "x" * MAX_DESCRIPTION_CHARS), name="long", source="all.json")
    one_line_naming(str(raised.value), "all.json", f"{MAX_FORM_DESCRIPTION_CHARS:,} characters")
    many = {"type": "object", "properties": {"c": {"type": "string", "enum": [f"value {i} " * 20 for i in range(200)]}}}
    with pytest.raises(FormError) as raised:  # allowed values are described to the model too
        form_from_schema(many, name="choices", source="choices.json")
    one_line_naming(str(raised.value), "choices.json", f"{MAX_FORM_DESCRIPTION_CHARS:,} characters")


def test_a_form_file_over_the_size_limit_is_refused_without_being_read_whole(tmp_path, capsys):
    path = tmp_path / "big.yaml"
    path.write_text("fields:\n  - {name: a}\n" + "#" * (MAX_FORM_CHARS + 10) + "\n", encoding="utf-8")
    code, err = fill_cli(tmp_path, path, capsys)
    assert code == 2
    one_line_naming(err, str(path), f"{MAX_FORM_CHARS:,} characters")
    with pytest.raises(FormError) as raised:
        parse_form("fields:\n  - {name: a}\n" + " " * MAX_FORM_CHARS, source="form")
    one_line_naming(str(raised.value), "form", f"{MAX_FORM_CHARS:,} characters")


# --------------------------------------------------------------------------- the form's name is used in file names


@pytest.mark.parametrize("title", ["../x", "a/b", "..", "/etc/cron.d/x", "a\\b", "x y", "x.y", "2nd", "a" * 65, 5, ["x"]])
def test_a_form_name_that_is_not_a_plain_name_is_refused(title):
    with pytest.raises(FormError) as raised:
        form_from_schema({"title": title, **wide(1)}, name="f", source="t.json")
    one_line_naming(str(raised.value), "t.json", "name")
    with pytest.raises(FormError) as raised:
        parse_form(yaml.safe_dump({"form": title, "fields": [{"name": "a"}]}), source="t.yaml")
    one_line_naming(str(raised.value), "t.yaml", "name")


def test_a_form_named_to_escape_out_writes_nothing_anywhere(tmp_path, capsys):
    form = tmp_path / "escape.yaml"
    form.write_text("form: ../x\nfields:\n  - {name: a}\n", encoding="utf-8")
    article = tmp_path / "a.txt"
    article.write_text("Đảng bộ phường có 8 chi bộ với 327 đảng viên.\n", encoding="utf-8")
    code = main(["fill", "--form", str(form), str(article), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    one_line_naming(err, str(form), "../x", "name")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "escape.yaml"]


def test_a_name_taken_from_the_file_name_is_made_safe(tmp_path):
    for file_name, expected in [("hồ sơ đảng bộ.yaml", "ho_so_dang_bo"), ("2024 report.yaml", "form_2024_report"), ("plain_name.yaml", "plain_name")]:
        path = tmp_path / file_name
        path.write_text("fields:\n  - {name: a}\n", encoding="utf-8")
        assert load_form(path).name == expected
    path = tmp_path / "profile v2.json"
    path.write_text(json.dumps(wide(1)), encoding="utf-8")
    assert load_form(path).name == "profile_v2"


def test_the_shipped_forms_keep_their_names():
    assert load_form(FORMS / "ward_party_profile.json").name == "ward_party_profile"
    assert load_form(FORMS / "party_leaders.yaml").name == "party_leaders"


# --------------------------------------------------------------------------- one line, never a traceback

LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n" for prev, name in zip("abcdefgh", "bcdefghi"))
BAD_FORMS = [
    ("alias-loop.yaml", "fields: &f\n  - name: x\n    type: object\n    fields: *f\n", "loop"),
    ("alias-self.yaml", "a: &a [*a]\nfields: *a\n", "loop"),
    ("alias-map.yaml", "fields: &m {x: {type: object, fields: *m}}\n", "loop"),
    ("laughs.yaml", LAUGHS + "fields:\n  - {name: x, description: *i}\n", f"{MAX_FORM_VALUES:,} values"),
    ("laughs-allowed.yaml", LAUGHS + "fields:\n  - {name: x, allowed: *i}\n", f"{MAX_FORM_VALUES:,} values"),
    ("laughs-text.yaml", f"t: &t {'x' * 10_000}\nl: &l [{', '.join(['*t'] * 30)}]\nfields:\n  - {{name: x, allowed: *l}}\n", "characters"),
    ("required.json", '{"type": "object", "properties": {"a": {"type": "string"}}, "required": [["a"]]}', "'required'"),
    ("required-map.json", '{"type": "object", "properties": {"a": {"type": "string"}}, "required": [{"a": 1}]}', "'required'"),
    ("enum.json", '{"type": "object", "properties": {"a": {"type": "string", "enum": "abc"}}}', "'enum' must be a list"),
    ("enum-map.json", '{"type": "object", "properties": {"a": {"type": "string", "enum": {"x": 1}}}}', "'enum' must be a list"),
    ("allowed.yaml", "fields:\n  - {name: a, allowed: abc}\n", "'allowed' must be a list"),
    ("allowed-nested.yaml", "fields:\n  - {name: a, allowed: [[x], {y: 1}]}\n", "allowed value"),
    ("deep.json", "[" * 5000 + "]" * 5000, f"{MAX_FORM_NESTING} levels"),
    ("deep-object.json", '{"a": ' * 5000 + "1" + "}" * 5000, f"{MAX_FORM_NESTING} levels"),
    ("deep-form.json", json.dumps(nested_schema(300)), f"{MAX_FORM_NESTING} levels"),
    ("deep.yaml", "fields: " + "[" * 5000 + "]" * 5000, f"{MAX_FORM_NESTING} levels"),
    ("deep-block.yaml", nested_yaml(40), f"{MAX_FORM_NESTING} levels"),
    ("digits.json", '{"type": "object", "properties": {"a": {"type": "string", "description": ' + "9" * 5000 + "}}}", "JSON"),
    ("digits.yaml", "fields:\n  - {name: a, description: " + "9" * 5000 + "}\n", "100 digits"),
    ("digits-type.yaml", "fields:\n  - {name: a, type: " + "9" * 200 + "}\n", "digits"),
    ("description.json", '{"type": "object", "properties": {"a": {"type": "string"}}, "description": ["x"]}', "description"),
    ("title.json", '{"type": "object", "title": {"x": 1}, "properties": {"a": {"type": "string"}}}', "name"),
    ("properties.yaml", "type: object\nproperties: {a: {type: object, properties: [x]}}\n", "field 'a'"),
    ("merge.yaml", "a: &a {k: 1}\nb: &b {<<: [*a, *a]}\nfields:\n  - {name: x}\n", "merge keys (<<)"),
    ("base60.yaml", "fields:\n  - {name: a, description: " + ":".join(["1"] * 30_000) + "}\n", "digits"),
    ("name-yes.yaml", "fields:\n  - {name: yes}\n", "not text"),
    ("latin1.yaml", b"fields:\n  - {name: a, description: caf\xe9}\n", "cannot read"),
]


@pytest.mark.parametrize("name, content, problem", BAD_FORMS, ids=[case[0] for case in BAD_FORMS])
def test_a_hostile_form_is_one_line_from_the_cli(tmp_path, capsys, name, content, problem):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    started = time.monotonic()
    code, err = fill_cli(tmp_path, path, capsys)
    assert time.monotonic() - started < 10
    assert code == 2
    one_line_naming(err, str(path), problem)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["_private", "model_config", "model_dump", "model_extra", "model_validate_this", "json", "schema", "copy"])
def test_a_field_name_the_answer_model_cannot_hold_is_refused_when_read(name):
    """Before: a leading _ or model_dump crashed at the first article, model_config and model_extra were never filled."""
    with pytest.raises(FormError) as raised:
        form_from_schema({"type": "object", "properties": {"a": {"type": "object", "properties": {name: {"type": "string"}}}}}, name="f", source="r.json")
    one_line_naming(str(raised.value), "r.json", f"field 'a.{name}'", "reserved")


def test_yaml_yes_and_no_as_allowed_values_must_be_quoted():
    with pytest.raises(FormError) as raised:
        parse_form("fields:\n  - {name: a, allowed: [yes, no]}\n", source="yn.yaml")
    one_line_naming(str(raised.value), "yn.yaml", "quote it")
    assert parse_form("fields:\n  - {name: a, allowed: ['yes', 'no', 3, 2024-01-01]}\n").fields[0].allowed == ("yes", "no", "3", "2024-01-01")


def test_a_yaml_alias_loop_given_as_text_is_a_form_error():
    with pytest.raises(FormError) as raised:
        parse_form("fields: &f\n  - name: x\n    type: object\n    fields: *f\n", source="form")
    one_line_naming(str(raised.value), "form", "loop")


def test_aliases_that_only_share_a_definition_still_read():
    form = parse_form(
        "unit: &unit\n  - {name: name}\n  - {name: role}\nfields:\n  - {name: chair, type: object, fields: *unit}\n  - {name: deputy, type: object, fields: *unit}\n"
    )
    assert [[g.name for g in f.fields] for f in form.fields] == [["name", "role"], ["name", "role"]]


# --------------------------------------------------------------------------- the whole family: every value swapped for an odd one

ODD_VALUES = [None, True, 0, -1, 10**60, 1.5, float("nan"), "", "abc", "../x", [], [[]], [["a"]], [None], {}, {"a": None}, {"type": "object"}]


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _paths(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _paths(inner, (*path, index))


def _replaced(document, path, new):
    document = copy.deepcopy(document)
    if not path:
        return new
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return document


@pytest.mark.parametrize("form_file", ["ward_party_profile.json", "party_leaders.yaml"])
def test_any_value_of_a_shipped_form_swapped_for_an_odd_one_is_a_form_or_one_line(form_file):
    text = (FORMS / form_file).read_text(encoding="utf-8")
    document = json.loads(text) if form_file.endswith(".json") else yaml.safe_load(text)
    tried = 0
    for path in _paths(document):
        for odd in ODD_VALUES:
            variant = _replaced(document, path, odd)
            spec = variant if form_file.endswith(".json") else yaml.dump(variant, Dumper=DUMPER, allow_unicode=True)  # as the service gets them
            tried += 1
            try:
                form = parse_form(spec, source="variant")
            except FormError as err:
                one_line_naming(str(err), "variant")
                continue
            assert form.fields and form.name
    assert tried > 500


def test_the_readme_states_the_limits_the_code_uses():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = " ".join(readme[readme.index("## Filling your own forms") : readme.index("## The HTTP service")].split())
    for stated in (
        f"more than {MAX_FORM_DEPTH} levels deep",
        f"more than {MAX_FORM_FIELDS} fields",
        f"over {MAX_DESCRIPTION_CHARS:,} characters",
        f"more than {MAX_FORM_DESCRIPTION_CHARS:,} characters to describe",
        f"{MAX_FORM_CHARS:,} characters of text",
        f"{MAX_FORM_VALUES:,} values",
        f"{MAX_FORM_NESTING} levels of nesting",
    ):
        assert stated in section, stated
    assert "candidate id" not in section and "names the candidate" not in section  # the model copies the number
    assert safe_form_name("hồ sơ v2") == "ho_so_v2" and "`ho_so_v2`" in section
