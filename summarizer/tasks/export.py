"""A batch of filled forms as one table: JSONL or CSV, one row per article, one column per field, evidence beside it.

For each top-level field F the row has F (the value; lists and objects as JSON text) and F.status,
F.quote, F.start, F.end, F.reason. For a list or an object the quote joins its items' quotes with " | ".
"""

from __future__ import annotations

import csv
import io
import json

from summarizer.forms import Form
from summarizer.schema import FieldResult, FilledForm

EVIDENCE = ("status", "quote", "start", "end", "reason")


def columns(form: Form) -> list[str]:
    names = ["article", "path"]
    for f in form.fields:
        names += [f.name, *(f"{f.name}.{part}" for part in EVIDENCE)]
    return names


def row(filled: FilledForm, form: Form) -> dict:
    out = {"article": filled.article.id, "path": filled.article.path}
    for f in form.fields:
        result = filled.fields.get(f.name) or FieldResult(value=None, status="not_in_article")
        out[f.name] = filled.values.get(f.name)
        out[f"{f.name}.status"] = result.status
        out[f"{f.name}.quote"] = _quotes(result)
        out[f"{f.name}.start"] = result.start
        out[f"{f.name}.end"] = result.end
        out[f"{f.name}.reason"] = result.reason
    return out


def _quotes(result: FieldResult) -> str | None:
    parts = [result.quote] if result.quote else []
    for sub in [*(result.items or []), *(result.fields or {}).values()]:
        if quote := _quotes(sub):
            parts.append(quote)
    return " | ".join(parts) or None


def to_jsonl(forms: list[FilledForm], form: Form) -> str:
    return "".join(json.dumps(row(filled, form), ensure_ascii=False) + "\n" for filled in forms)


def to_csv(forms: list[FilledForm], form: Form) -> str:
    """CSV (RFC 4180, UTF-8): lists and objects in a cell as JSON text; empty cells for empty fields."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns(form), lineterminator="\n")
    writer.writeheader()
    for filled in forms:
        writer.writerow({k: _cell(v) for k, v in row(filled, form).items()})
    return buffer.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
