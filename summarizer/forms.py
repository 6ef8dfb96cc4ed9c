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
The model answers numbers by candidate id (the program reads the number, as for briefs) and text by copying it
from the article, so every filled value can be traced to the words it came from.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, create_model

from summarizer.errors import FormError

SCALAR_TYPES = ("string", "date", "integer", "number", "boolean")
TYPES = (*SCALAR_TYPES, "list", "object")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


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
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise FormError(f"{path}: cannot read the form ({getattr(err, 'strerror', None) or err})") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        return parse_form(text, name=path.stem, source=str(path), syntax="yaml")
    return parse_form(text, name=path.stem.split(".")[0], source=str(path), syntax="json")


def parse_form(form: str | dict, *, name: str = "form", source: str = "<form>", syntax: str = "yaml") -> Form:
    """A form given as a JSON Schema object, or as text (the short YAML form, or a JSON Schema when `syntax` is json).
    YAML is a superset of JSON, so JSON Schema text given as YAML reads the same. Raises FormError."""
    if isinstance(form, dict):
        return form_from_schema(form, name=name, source=source)
    if syntax == "json":
        try:
            schema = json.loads(form)
        except json.JSONDecodeError as err:
            raise FormError(f"{source}: not valid JSON ({err})") from None
        return form_from_schema(schema, name=name, source=source)
    import yaml

    try:
        document = yaml.safe_load(form)
    except yaml.YAMLError as err:
        raise FormError(f"{source}: not valid YAML ({' '.join(str(err).split())[:200]})") from None
    if isinstance(document, dict) and document.get("type") == "object":
        return form_from_schema(document, name=name, source=source)
    return form_from_schema(_yaml_to_schema(document, source, name), name=name, source=source)


def form_from_schema(schema: dict, *, name: str, source: str = "<form>") -> Form:
    """A Form from a JSON Schema of an object; raises FormError naming the field at fault."""
    if not isinstance(schema, dict) or schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        raise FormError(f'{source}: a form is a JSON Schema with "type": "object" and "properties"')
    fields = _fields_of(schema, source, prefix="")
    if not fields:
        raise FormError(f"{source}: the form has no fields")
    return Form(name=schema.get("title") or name, description=schema.get("description", ""), fields=fields, schema=schema, source=source)


def _fields_of(schema: dict, source: str, prefix: str) -> tuple[FormField, ...]:
    required = schema.get("required", [])
    if not isinstance(required, list):
        raise FormError(f"{source}: {_where(prefix)}'required' must be a list of field names")
    properties = schema.get("properties") or {}
    for missing in set(required) - set(properties):
        raise FormError(f"{source}: {_where(prefix)}'required' names {missing!r}, which is not a field")
    return tuple(_field(name, spec, name in required, source, f"{prefix}{name}") for name, spec in properties.items())


def _where(prefix: str) -> str:
    return f"field '{prefix.rstrip('.')}': " if prefix else ""


def _field(name: str, spec, required: bool, source: str, path: str) -> FormField:
    where = f"{source}: field '{path}'"
    if not _NAME.match(str(name)):
        raise FormError(f"{where}: a field name is letters, digits and _ (up to 64), not starting with a digit")
    if not isinstance(spec, dict):
        raise FormError(f"{where}: expected an object describing the field")
    kind = _kind(spec, where)
    description = spec.get("description", "")
    if not isinstance(description, str):
        raise FormError(f"{where}: 'description' must be text")
    allowed = spec.get("enum", ())
    if allowed and (kind != "string" or not all(isinstance(v, str) and v.strip() for v in allowed)):
        raise FormError(f"{where}: allowed values are for string fields, and each is non-empty text")
    if kind == "list":
        items = spec.get("items")
        if not isinstance(items, dict):
            raise FormError(f"{where}: a list needs 'items' (the type of one item, or its fields)")
        item = _field(name, items, False, source, f"{path}[]")
        if item.type == "list":
            raise FormError(f"{where}: lists of lists are not supported; use a list of objects")
        return FormField(name, kind, description, required, item=item)
    if kind == "object":
        fields = _fields_of(spec, source, prefix=f"{path}.")
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
    if kind not in ("string", "integer", "number", "boolean", "object"):
        raise FormError(f"{where}: unknown type {spec.get('type')!r} (use {', '.join(TYPES)})")
    return kind


def _yaml_to_schema(document, source: str, name: str) -> dict:
    """The short YAML form as the JSON Schema it stands for."""
    if not isinstance(document, dict) or "fields" not in document:
        raise FormError(f"{source}: a YAML form needs 'fields' (a list of fields with name and type)")
    schema = _yaml_fields(document["fields"], source, prefix="")
    schema["title"] = str(document.get("form") or document.get("name") or name)
    if document.get("description"):
        schema["description"] = str(document["description"])
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
        name = str(spec["name"])
        if name in properties:
            raise FormError(f"{path}: field '{prefix}{name}': defined twice")
        properties[name] = _yaml_field(spec, path, f"{prefix}{name}")
        if spec.get("required"):
            required.append(name)
    return {"type": "object", "properties": properties, **({"required": required} if required else {})}


def _yaml_field(spec: dict, path: Path, where: str) -> dict:
    kind = spec.get("type", "string")
    unknown = set(spec) - {"name", "type", "description", "required", "allowed", "fields", "items"}
    if unknown:
        raise FormError(f"{path}: field '{where}': unknown key {sorted(unknown)[0]!r} (use type, description, required, allowed, fields, items)")
    out: dict = {"description": str(spec["description"])} if spec.get("description") else {}
    if kind == "list":
        if "fields" in spec:
            item = {"type": "object", **_yaml_fields(spec["fields"], path, f"{where}[].")}
        else:
            item = _yaml_field({"type": spec.get("items", "string")}, path, f"{where}[]")
        return {**out, "type": "array", "items": item}
    if kind == "object":
        return {**out, **_yaml_fields(spec.get("fields"), path, f"{where}.")}
    if kind == "date":
        return {**out, "type": "string", "format": "date"}
    if kind not in SCALAR_TYPES:
        raise FormError(f"{path}: field '{where}': unknown type {kind!r} (use {', '.join(TYPES)})")
    if spec.get("allowed"):
        if not isinstance(spec["allowed"], list):
            raise FormError(f"{path}: field '{where}': 'allowed' must be a list of values")
        out["enum"] = [str(v) for v in spec["allowed"]]
    return {**out, "type": kind}


# --------------------------------------------------------------------------- what the model fills in

NUMBER_HINT = 'The number exactly as the article writes it, e.g. "1.312", "1,7%" or "30 triệu"; [] when the article does not say.'
TEXT_HINT = "Copied exactly from the article, with its diacritics; null when the article does not say."


class EnumAnswer(BaseModel):
    value: Optional[str] = Field(default=None, description="One of the allowed values; null when the article does not say.")
    quote: Optional[str] = Field(default=None, description="The words of the article that say it, copied exactly.")


def answer_model(fields: tuple[FormField, ...], name: str = "FormAnswer") -> type[BaseModel]:
    """The pydantic model the LLM fills for these fields; each field's description is its instruction."""
    definitions = {f.name: _answer_type(f, f"{name}_{f.name}") for f in fields}
    return create_model(name, __config__=ConfigDict(extra="ignore"), **definitions)


def _answer_type(f: FormField, name: str):
    instruction = " ".join(part for part in (f.description.strip(), _hint(f)) if part)
    if f.type == "list":
        item_type = _answer_type(f.item, f"{name}_item")[0]
        return list[item_type], Field(default_factory=list, description=f"{f.description.strip()} One entry per item the article states; [] when none.".strip())
    if f.type == "object":
        return Optional[answer_model(f.fields, name)], Field(default=None, description=instruction)
    if f.is_number:
        return list[Union[str, int, float]], Field(default_factory=list, description=instruction)
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
    return json.dumps([f.name, f.type, f.description, f.allowed, [_describe(x) for x in f.fields], f.item and _describe(f.item)], ensure_ascii=False)


def spec_lines(fields: tuple[FormField, ...], indent: str = "") -> list[str]:
    """The fields as the prompt lists them: name, type, description, allowed values, nested fields."""
    lines = []
    for f in fields:
        kind = f"list of {f.item.type if f.item.type != 'object' else 'objects'}" if f.type == "list" else f.type
        allowed = f" (one of: {', '.join(f.allowed)})" if f.allowed else ""
        lines.append(f"{indent}- {f.name} [{kind}]{allowed}: {f.description.strip() or f.name}")
        nested = f.fields or (f.item.fields if f.item else ())
        lines += spec_lines(nested, indent + "    ")
    return lines
