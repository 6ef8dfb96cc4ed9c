"""User-defined forms: reading a form file (JSON Schema, or a short YAML form), checking it, and the answer model built from it.

A form is a list of fields, each with a name, a type, a description (in any language: it is the model's
instruction), whether it is required, and for text fields the allowed values if any. Types:

    string, date, integer, number, boolean, list (of a type, or of fields), object (of fields)

The short YAML form:

    form: ward_party_profile
    description: ...
    fields:
      - {name: party_members, type: integer, description: "Số đảng viên / number of party members"}
      - name: leaders
        type: list
        fields:
          - {name: name, type: string, required: true}
          - {name: role, type: string}

Every form becomes a JSON Schema (what `values` of a filled form is valid against) and `FormField`s.
The model copies numbers as the article writes them ("1.312", "1,7%", "30 triệu"; the prompt lists the article's
candidate numbers) and text from the article. A number is kept only when it is one of the article's candidates (as
written, by its digits or by its value), and the value kept is the program's reading of the article's words, never
the model's (grounding/fields.py); text must be found in the article. So every filled value can be traced to the
words it came from.

A form is checked when it is read, and refused in one line naming the file, the field and the limit: nesting of
its document (MAX_FORM_NESTING) and of its fields (MAX_FORM_DEPTH), number of fields (MAX_FORM_FIELDS), length of a
description (MAX_DESCRIPTION_CHARS) and of all fields as described to the model (MAX_FORM_DESCRIPTION_CHARS), size
of its text and number of its values (MAX_FORM_CHARS, MAX_FORM_VALUES; a YAML alias counts at each use, an alias
inside what it names is refused, merge keys `<<` are not read). The form's name (`form:` or `title`) is part of
file names, so it is letters, digits, _ and - like a field name; a name taken from the file's name is made so.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, create_model

from summarizer.errors import FormError

SCALAR_TYPES = ("string", "date", "integer", "number", "boolean")
ISO_DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?(/(\d{4}|\.\.))?$"  # 2023-09-22, 2023-09, 2023, 2020/2025, 2020/..
TYPES = (*SCALAR_TYPES, "list", "object")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_RESERVED_PREFIXES = ("_", "model_dump", "model_validate")  # pydantic refuses or warns on these as field names
_FORM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")  # a form's name is part of file names: <id>.<form>.json

# What a form may hold; each is checked when the form is read, and refused in one line naming the limit.
MAX_FORM_CHARS = 100_000  # the text of a form (file or request), and all its text values together (YAML aliases counted each use)
MAX_FORM_NESTING = 64  # levels of nested lists and mappings in the form's document
MAX_FORM_VALUES = 10_000  # values in the form's document (YAML aliases counted each time they are used)
MAX_FORM_DEPTH = 6  # levels of nested fields: "leaders[].name" is 2
MAX_FORM_FIELDS = 200  # fields in all, nested ones included
MAX_DESCRIPTION_CHARS = 2_000  # one description: a field's or the form's
MAX_FORM_DESCRIPTION_CHARS = 20_000  # the fields as described to the model (names, types, descriptions, allowed values)
_MAX_DIGITS = 100  # an integer in a form is a small thing; thousands of digits cannot even be printed (str() refuses)


@dataclass(frozen=True)
class FormField:
    name: str
    type: str  # one of TYPES
    description: str = ""
    required: bool = False
    allowed: tuple[str, ...] = ()  # for string fields: the only values it may take
    item: FormField | None = None  # for lists: the type of one item
    fields: tuple[FormField, ...] = ()  # for objects: their fields

    @property
    def is_number(self) -> bool:
        return self.type in ("integer", "number")


@dataclass(frozen=True)
class Form:
    name: str
    description: str
    fields: tuple[FormField, ...]
    schema: dict = field(compare=False)  # JSON Schema of a filled form's values
    source: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(json.dumps(self.schema, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# --------------------------------------------------------------------------- reading a form file


def load_form(path: Path) -> Form:
    """Read and check a form file (.json: JSON Schema; .yaml/.yml: the short form). Raises FormError."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            raw = file.read(4 * MAX_FORM_CHARS + 1)  # UTF-8 is at most 4 bytes a character: more is over the limit
        if len(raw) > 4 * MAX_FORM_CHARS:
            raise FormError(_too_long(str(path)))
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise FormError(f"{path}: cannot read the form ({getattr(err, 'strerror', None) or err})") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        return parse_form(text, name=safe_form_name(path.stem), source=str(path), syntax="yaml")
    return parse_form(text, name=safe_form_name(path.stem.split(".")[0]), source=str(path), syntax="json")


def parse_form(form: str | dict, *, name: str = "form", source: str = "<form>", syntax: str = "yaml") -> Form:
    """A form given as a JSON Schema object, or as text (the short YAML form, or a JSON Schema when `syntax` is json).
    YAML is a superset of JSON, so JSON Schema text given as YAML reads the same. Raises FormError."""
    if isinstance(form, dict):
        return form_from_schema(form, name=name, source=source)
    if not isinstance(form, str):
        raise FormError(f"{source}: a form is a JSON Schema object or the text of a form")
    if len(form) > MAX_FORM_CHARS:
        raise FormError(_too_long(source))
    if syntax == "json":
        try:
            schema = json.loads(form)
        except RecursionError:
            raise FormError(_too_deep(source)) from None
        except ValueError as err:  # JSONDecodeError, or an integer of more digits than Python converts
            raise FormError(f"{source}: not valid JSON ({_shown(err, 200)})") from None
        return form_from_schema(schema, name=name, source=source)
    document = _load_yaml(form, source)
    _check_document(document, source)
    if isinstance(document, dict) and document.get("type") == "object":
        return form_from_schema(document, name=name, source=source)
    return form_from_schema(_yaml_to_schema(document, source, name), name=name, source=source)


def form_from_schema(schema: dict, *, name: str, source: str = "<form>") -> Form:
    """A Form from a JSON Schema of an object; raises FormError naming the field at fault."""
    _check_document(schema, source)
    if not isinstance(schema, dict) or schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        raise FormError(f'{source}: a form is a JSON Schema with "type": "object" and "properties"')
    title = schema.get("title")
    form_name = _form_name(title, source, 'its "title"') if title not in (None, "") else safe_form_name(name)
    description = _description(schema.get("description", ""), f"{source}: the form's description")
    counted = [0]  # fields read so far, nested ones included
    fields = _fields_of(schema, source, prefix="", depth=1, counted=counted)
    if not fields:
        raise FormError(f"{source}: the form has no fields")
    described = sum(len(_describe(f)) for f in fields)
    if described > MAX_FORM_DESCRIPTION_CHARS:
        raise FormError(
            f"{source}: its fields take {described:,} characters to describe to the model, over the limit of "
            f"{MAX_FORM_DESCRIPTION_CHARS:,} characters; shorten the descriptions or allowed values, or split the form"
        )
    return Form(name=form_name, description=description, fields=fields, schema=schema, source=source)


def safe_form_name(name: str) -> str:
    """A name usable as a form's name (and in file names), made from a file's name: "hồ sơ v2" -> "ho_so_v2"."""
    if _FORM_NAME.match(name):
        return name
    folded = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    plain = re.sub(r"[^A-Za-z0-9_-]+", "_", "".join(c for c in folded if not unicodedata.combining(c))).strip("_-")
    if not plain:
        return "form"
    return (plain if _FORM_NAME.match(plain) else f"form_{plain}")[:64]


def _form_name(name, source: str, where: str) -> str:
    if not isinstance(name, str) or not _FORM_NAME.match(name):
        raise FormError(
            f"{source}: the form's name {_shown(name)} ({where}) is used in file names: it is letters, digits, _ and - (up to 64), starting with a letter or _"
        )
    return name


def _load_yaml(text: str, source: str):
    import yaml

    class Loader(yaml.SafeLoader):
        """The safe loader, refusing nesting deeper than MAX_FORM_NESTING (before Python's recursion limit is
        reached) and merge keys (`<<: *a`, which copy mappings at each use: a "billion laughs" before any check)."""

        depth = 0

        def compose_node(self, parent, index):
            self.depth += 1
            try:
                if self.depth > MAX_FORM_NESTING:
                    raise _Refused(_too_deep(source))
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

        def flatten_mapping(self, node):
            if any(key.tag == "tag:yaml.org,2002:merge" for key, _ in node.value):
                raise _Refused(f"{source}: YAML merge keys (<<) are not supported in a form; repeat the fields, or use an alias (*name)")
            super().flatten_mapping(node)

        def construct_yaml_int(self, node):  # "1:2:3..." (base 60) of 100,000 characters takes seconds to convert
            if len(node.value) > 2 * _MAX_DIGITS:
                raise _Refused(_too_many_digits(source))
            return super().construct_yaml_int(node)

    Loader.add_constructor("tag:yaml.org,2002:int", Loader.construct_yaml_int)

    try:
        return yaml.load(text, Loader=Loader)  # a SafeLoader: plain data only
    except _Refused as err:
        raise FormError(str(err)) from None
    except RecursionError:
        raise FormError(_too_deep(source)) from None
    except (yaml.YAMLError, ValueError) as err:  # ValueError: e.g. an integer of more digits than Python converts
        raise FormError(f"{source}: not valid YAML ({_shown(err, 200)})") from None


class _Refused(Exception):
    """A form the YAML loader stops reading; the message is the FormError's."""


def _check_document(document, source: str) -> None:
    """The form's document within the limits, walked without recursion: nesting, number of values, characters of
    text (each use of a YAML alias counted, so a "billion laughs" stops at the limit), and no alias that holds itself."""
    values = chars = 0
    stack = [(document, 0, frozenset())]
    while stack:
        value, depth, above = stack.pop()
        values += 1
        if values > MAX_FORM_VALUES:
            raise FormError(f"{source}: the form holds more than {MAX_FORM_VALUES:,} values, the limit (each use of a YAML alias counts)")
        if isinstance(value, str):
            chars += len(value)
            if chars > MAX_FORM_CHARS:
                raise FormError(_too_long(source, " (each use of a YAML alias counts)"))
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**_MAX_DIGITS:
            raise FormError(_too_many_digits(source))
        elif isinstance(value, (dict, list, tuple, set, frozenset)):
            if id(value) in above:
                raise FormError(f"{source}: the form holds itself (a YAML alias used inside what it names: a loop)")
            if depth >= MAX_FORM_NESTING:
                raise FormError(_too_deep(source))
            inner = above | {id(value)}
            items = [*value.keys(), *value.values()] if isinstance(value, dict) else list(value)
            stack.extend((item, depth + 1, inner) for item in items)


def _too_long(source: str, why: str = "") -> str:
    return f"{source}: the form is over the limit of {MAX_FORM_CHARS:,} characters{why}"


def _too_many_digits(source: str) -> str:
    return f"{source}: the form holds a number of more than {_MAX_DIGITS} digits"


def _too_deep(source: str) -> str:
    return f"{source}: the form nests lists and mappings more than {MAX_FORM_NESTING} levels deep, the limit"


def _shown(value, limit: int = 80) -> str:
    """A value or error for a one-line message: its repr, on one line, cut to `limit` characters."""
    try:
        text = repr(value) if not isinstance(value, BaseException) else str(value)
    except ValueError:  # an integer too long to print
        text = f"<{type(value).__name__}>"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _description(value, where: str) -> str:
    if not isinstance(value, str):
        raise FormError(f"{where}: 'description' must be text")
    if len(value) > MAX_DESCRIPTION_CHARS:
        raise FormError(f"{where}: the description has {len(value):,} characters, over the limit of {MAX_DESCRIPTION_CHARS:,} characters")
    return value


def _fields_of(schema: dict, source: str, prefix: str, depth: int, counted: list[int]) -> tuple[FormField, ...]:
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(isinstance(name, str) for name in required):
        raise FormError(f"{source}: {_where(prefix)}'required' must be a list of field names")
    properties = schema.get("properties") or {}
    if not isinstance(properties, dict):
        raise FormError(f"{source}: {_where(prefix)}'properties' must be an object: field names and what each is")
    for missing in sorted(set(required) - set(properties)):
        raise FormError(f"{source}: {_where(prefix)}'required' names {_shown(missing)}, which is not a field")
    return tuple(_field(name, spec, name in required, source, f"{prefix}{name}", depth, counted) for name, spec in properties.items())


def _where(prefix: str) -> str:
    return f"field '{_path(prefix.rstrip('.'))}': " if prefix else ""


def _path(path: str) -> str:
    """A field's path for a message, cut in the middle when it is long."""
    return path if len(path) <= 120 else f"{path[:60]}...{path[-57:]}"


def _field(name, spec, required: bool, source: str, path: str, depth: int, counted: list[int]) -> FormField:
    where = f"{source}: field '{_path(path)}'"
    if not isinstance(name, str) or not _NAME.match(name):
        raise FormError(f"{where}: a field name is letters, digits and _ (up to 64), not starting with a digit")
    if name.startswith(_RESERVED_PREFIXES) or hasattr(BaseModel, name):  # the answer model could not hold it
        raise FormError(f"{where}: the name is reserved (it starts with _, or is a name of the answer model such as json, copy or model_...); rename it")
    if depth > MAX_FORM_DEPTH:
        raise FormError(f"{where}: fields nest more than {MAX_FORM_DEPTH} levels deep, the limit")
    if not path.endswith("[]"):  # a list's item is the list itself, not another field
        counted[0] += 1
        if counted[0] > MAX_FORM_FIELDS:
            raise FormError(f"{where}: the form has more than {MAX_FORM_FIELDS} fields (nested ones included), the limit")
    if not isinstance(spec, dict):
        raise FormError(f"{where}: expected an object describing the field")
    kind = _kind(spec, where)
    description = _description(spec.get("description", ""), where)
    allowed = spec.get("enum", ())
    if not isinstance(allowed, (list, tuple)):
        raise FormError(f"{where}: 'enum' must be a list of the allowed values, not {_shown(allowed, 40)}")
    if allowed and (kind != "string" or not all(isinstance(v, str) and v.strip() for v in allowed)):
        raise FormError(f"{where}: allowed values are for string fields, and each is non-empty text")
    if kind == "list":
        items = spec.get("items")
        if not isinstance(items, dict):
            raise FormError(f"{where}: a list needs 'items' (the type of one item, or its fields)")
        item = _field(name, items, False, source, f"{path}[]", depth, counted)
        if item.type == "list":
            raise FormError(f"{where}: lists of lists are not supported; use a list of objects")
        return FormField(name, kind, description, required, item=item)
    if kind == "object":
        fields = _fields_of(spec, source, prefix=f"{path}.", depth=depth + 1, counted=counted)
        if not fields:
            raise FormError(f"{where}: an object needs 'properties' (its fields)")
        return FormField(name, kind, description, required, fields=fields)
    return FormField(name, kind, description, required, allowed=tuple(allowed))


def _kind(spec: dict, where: str) -> str:
    kind = spec.get("type")
    if isinstance(kind, list):  # ["integer", "null"]
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    if kind == "array":
        return "list"
    if kind == "string" and spec.get("format") == "date":
        return "date"
    if not isinstance(kind, str) or kind not in ("string", "integer", "number", "boolean", "object"):
        raise FormError(f"{where}: unknown type {_shown(spec.get('type'))} (use {', '.join(TYPES)})")
    return kind


def _yaml_to_schema(document, source: str, name: str) -> dict:
    """The short YAML form as the JSON Schema it stands for."""
    if not isinstance(document, dict) or "fields" not in document:
        raise FormError(f"{source}: a YAML form needs 'fields' (a list of fields with name and type)")
    schema = _yaml_fields(document["fields"], source, prefix="")
    key = next((key for key in ("form", "name") if document.get(key) not in (None, "")), None)
    schema["title"] = safe_form_name(name) if key is None else _form_name(document[key], source, f"its '{key}'")
    if document.get("description"):
        schema["description"] = _description(document["description"], f"{source}: the form's description")
    return schema


def _yaml_fields(fields, path: Path, prefix: str) -> dict:
    if isinstance(fields, dict):  # the mapping style: {name: {type: ...}}
        fields = [{"name": name, **(spec or {})} if isinstance(spec, dict) else {"name": name, "type": spec} for name, spec in fields.items()]
    if not isinstance(fields, list) or not fields:
        raise FormError(f"{path}: {_where(prefix)}'fields' must be a non-empty list of fields")
    properties, required = {}, []
    for number, spec in enumerate(fields, 1):
        if not isinstance(spec, dict) or not spec.get("name"):
            raise FormError(f"{path}: {_where(prefix)}field number {number} needs a 'name'")
        name = spec["name"]
        if not isinstance(name, str):  # `name: yes` or `name: 2024` is read by YAML as true or a number
            raise FormError(f"{path}: {_where(prefix)}field number {number}: its name {_shown(name)} is not text (quote it)")
        if name in properties:
            raise FormError(f"{path}: field '{_path(prefix + name)}': defined twice")
        properties[name] = _yaml_field(spec, path, f"{prefix}{name}")
        if spec.get("required"):
            required.append(name)
    return {"type": "object", "properties": properties, **({"required": required} if required else {})}


def _yaml_field(spec: dict, path: Path, where: str) -> dict:
    kind = spec.get("type", "string")
    unknown = [key for key in spec if key not in ("name", "type", "description", "required", "allowed", "fields", "items")]
    if unknown:
        raise FormError(
            f"{path}: field '{_path(where)}': unknown key {_shown(min(unknown, key=str))} (use type, description, required, allowed, fields, items)"
        )
    description = spec.get("description")
    if description and isinstance(description, (dict, list, tuple, set)):
        raise FormError(f"{path}: field '{_path(where)}': 'description' must be text")
    out: dict = {"description": str(description)} if description else {}
    if kind == "list":
        if "fields" in spec:
            item = {"type": "object", **_yaml_fields(spec["fields"], path, f"{where}[].")}
        else:
            item = _yaml_field({"type": spec.get("items", "string")}, path, f"{where}[]")
        return {**out, "type": "array", "items": item}
    if kind == "object":
        return {**out, **_yaml_fields(spec.get("fields"), path, f"{where}.")}
    if kind == "date":  # a day, a month, a year or a period of years, in ISO 8601 (text/dates.py)
        return {**out, "type": "string", "pattern": ISO_DATE_PATTERN}
    if not isinstance(kind, str) or kind not in SCALAR_TYPES:
        raise FormError(f"{path}: field '{_path(where)}': unknown type {_shown(kind)} (use {', '.join(TYPES)})")
    if spec.get("allowed"):
        if not isinstance(spec["allowed"], list):
            raise FormError(f"{path}: field '{_path(where)}': 'allowed' must be a list of values")
        for value in spec["allowed"]:
            if isinstance(value, bool) or value is None:  # yes, no, on, off, ~ unquoted
                raise FormError(f"{path}: field '{_path(where)}': the allowed value {value!r} is read by YAML as {value!r}; quote it")
            if isinstance(value, (dict, list, tuple, set)):
                raise FormError(f"{path}: field '{_path(where)}': each allowed value is a word or number, not a list or mapping")
        out["enum"] = [str(v) for v in spec["allowed"]]
    return {**out, "type": kind}


# --------------------------------------------------------------------------- what the model fills in

NUMBER_HINT = "The ids of the candidate numbers, among its choices, that state it, e.g. [4]; [] when none does."
TEXT_HINT = "Copied exactly from the article, with its diacritics; null when the article does not say."

Choices = Mapping["FormField", tuple[int, ...]]  # per number field: the ids of the candidate numbers it may take


class EnumAnswer(BaseModel):
    value: Optional[str] = Field(default=None, description="One of the allowed values; null when the article does not say.")
    quote: Optional[str] = Field(default=None, description="The words of the article that say it, copied exactly.")


def answer_model(fields: tuple[FormField, ...], name: str = "FormAnswer", choices: Choices | None = None) -> type[BaseModel]:
    """The pydantic model the LLM fills for these fields; each field's description is its instruction. A number
    field is answered with ids of the candidate numbers `choices` offers it (an enum, so a grammar allows no other);
    one with no choices is not asked."""
    choices = choices or {}
    definitions = {f.name: _answer_type(f, f"{name}_{f.name}", choices) for f in fields if asked(f, choices)}
    return create_model(name, __config__=ConfigDict(extra="ignore"), **definitions)


def asked(f: FormField, choices: Choices) -> bool:
    """Whether the model is asked for the field: a number (or a list of numbers) only when it has choices."""
    number = _number(f)
    return number is None or bool(choices.get(number))


def _number(f: FormField) -> FormField | None:
    """The number field a field is, or holds a list of; None for any other."""
    if f.type == "list" and f.item is not None:
        f = f.item
    return f if f.is_number else None


def _answer_type(f: FormField, name: str, choices: Choices):
    instruction = " ".join(part for part in (f.description.strip(), _hint(f)) if part)
    if f.type == "list":
        item_type = _answer_type(f.item, f"{name}_item", choices)[0]
        return list[item_type], Field(default_factory=list, description=f"{f.description.strip()} One entry per item the article states; [] when none.".strip())
    if f.type == "object":
        return Optional[answer_model(f.fields, name, choices)], Field(default=None, description=instruction)
    if f.is_number:
        return list[Literal[choices[f]]], Field(default_factory=list, description=instruction)
    if f.allowed or f.type == "boolean":
        allowed = f.allowed or ("yes", "no")
        enum = create_model(
            name,
            __base__=EnumAnswer,
            value=(Optional[Literal[allowed]], Field(default=None, description=f"One of: {', '.join(allowed)}; null when the article does not say.")),
        )
        return Optional[enum], Field(default=None, description=instruction)
    return Optional[str], Field(default=None, description=instruction)


def _hint(f: FormField) -> str:
    if f.is_number:
        return NUMBER_HINT
    if f.allowed or f.type == "boolean":
        return "Choose the value the article supports and quote its words."
    if f.type == "date":
        return "The date as written in the article. " + TEXT_HINT
    return TEXT_HINT


def field_groups(fields: tuple[FormField, ...], max_fields: int, max_chars: int) -> list[tuple[FormField, ...]]:
    """The fields split into calls: at most `max_fields` fields and `max_chars` of descriptions in one call."""
    groups: list[list[FormField]] = [[]]
    size = 0
    for f in fields:
        cost = len(_describe(f))
        if groups[-1] and (len(groups[-1]) >= max_fields or size + cost > max_chars):
            groups.append([])
            size = 0
        groups[-1].append(f)
        size += cost
    return [tuple(group) for group in groups]


def _describe(f: FormField) -> str:
    """The field, its nested fields included, as one JSON text: what it costs to describe it to the model."""
    return json.dumps(_structure(f), ensure_ascii=False)


def _structure(f: FormField) -> list:
    """The field as one structure (nested fields inside it), serialised once by `_describe`, never escaped again."""
    return [f.name, f.type, f.description, list(f.allowed), [_structure(x) for x in f.fields], f.item and _structure(f.item)]


def spec_lines(fields: tuple[FormField, ...], choices: Choices | None = None, indent: str = "") -> list[str]:
    """The fields as the prompt lists them: name, type, description, allowed values, a number field's choices (one
    with none is not asked), nested fields."""
    choices = choices or {}
    lines = []
    for f in fields:
        if not asked(f, choices):
            continue
        kind = f"list of {f.item.type if f.item.type != 'object' else 'objects'}" if f.type == "list" else f.type
        allowed = f" (one of: {', '.join(f.allowed)})" if f.allowed else ""
        offered = f" (choices: {', '.join(str(i) for i in choices[number])})" if (number := _number(f)) else ""
        lines.append(f"{indent}- {f.name} [{kind}]{allowed}{offered}: {f.description.strip() or f.name}")
        nested = f.fields or (f.item.fields if f.item else ())
        lines += spec_lines(nested, choices, indent + "    ")
    return lines
