"""`summarizer fill --explain`: per field of a filled form, what the program found that could answer it and what
was chosen, so a user sees why a field is empty."""

from __future__ import annotations

from summarizer.forms import Form
from summarizer.grounding.known import offered
from summarizer.grounding.quarantine import outside
from summarizer.schema import FieldResult, FilledForm
from summarizer.text.candidates import fact_candidates
from summarizer.text.people import find_people


def explain_form(filled: FilledForm, form: Form, form_kinds: tuple[str, ...]) -> list[tuple[str, str, str, str, str]]:
    """One row per field: name, status (and who filled it), the value, the choices the article offered, the reason."""
    text = filled.article.text
    candidates = outside(fact_candidates(text, kinds=form_kinds), filled.quarantined)
    people = find_people(text)  # the candidates as the form's call saw them: none from a sentence addressed to a model
    rows = []
    for f in form.fields:
        result = filled.fields[f.name]
        choices = offered(f, text, candidates, people, form.fields)
        status = result.status + (" (program)" if result.filled_by == "program" and result.status != "not_in_article" else "")
        rows.append((f.name, status, _shown(result), ", ".join(choices) or "-", result.reason or ""))
    return rows


def _shown(result: FieldResult) -> str:
    if result.status == "conflicting":
        return " | ".join(str(c.value) for c in result.candidates)
    if result.items is not None:
        return "; ".join(", ".join(f"{k}={v.value}" for k, v in (item.fields or {}).items() if v.value is not None) or str(item.value) for item in result.items)
    if result.fields is not None:
        return ", ".join(f"{k}={v.value}" for k, v in result.fields.items() if v.value is not None)
    return "" if result.value is None else str(result.value)
