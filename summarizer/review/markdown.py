"""Rendering a brief as Markdown: Vietnamese and English side by side, facts with their quotes."""

from __future__ import annotations

from html import escape

from summarizer.grounding.statements import CHECKED_FOR
from summarizer.schema import Brief


def _text(text: str | None) -> str:
    """Text from the model or the article on one line, with HTML escaped: a Markdown viewer renders raw HTML."""
    return escape(text or "", quote=False).replace("\n", " ").strip()


def _cell(text: str | None) -> str:
    return _text(text).replace("|", "\\|")


def _value(value) -> str:
    if isinstance(value, float):
        return f"{value:,.6g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def brief_markdown(brief: Brief) -> str:
    info, prov = brief.article, brief.provenance
    title_en = brief.title_en or "(the English title was left out: see the checks)"
    lines = [f"# {_text(title_en)}", "", f"*{_text(brief.title_vi)}*" if brief.title_vi else "", ""]
    meta = [
        ("Article", info.title),
        ("Published", info.published),
        ("Author", info.author),
        ("Source", info.source),
        ("Organisation", info.organization),
        ("Locality", info.locality),
    ]
    lines += [f"- **{label}:** {_text(value)}" for label, value in meta if value]
    for person in info.people:
        english = f" ({_text(person.role_en)})" if person.role_en else ""
        lines.append(f"- **Person:** {_text(person.name)} — {_text(person.role_vi)}{english}")
    lines += ["", "## Summary", "", "| Tiếng Việt | English |", "|---|---|", f"| {_cell(brief.summary_vi)} | {_cell(brief.summary_en)} |"]
    lines += ["", "## Key points", "", "| Tiếng Việt | English |", "|---|---|"]
    lines += [f"| {_cell(p.vi)} | {_cell(p.en)} |" for p in brief.key_points]
    lines += ["", f"## Facts ({len(brief.facts)} grounded)", ""]
    if any(fact.label_source == "program" for fact in brief.facts):
        lines += ["*What* marked † is the program's label (the counted noun written after the number), not the model's.", ""]
    if brief.facts:
        lines += ["| What | Value | Unit | Period | Quote (offsets) |", "|---|---|---|---|---|"]
        for fact in brief.facts:
            hedge = f" ({fact.hedge.replace('_', ' ')})" if fact.hedge else ""
            lines.append(
                f"| {_cell(fact.what_en)} / {_cell(fact.what_vi)}{' †' if fact.label_source == 'program' else ''} | {_cell(_value(fact.value))}{hedge} | {_cell(fact.unit)} | "
                f"{_cell(fact.period)} | “{_cell(fact.quote)}” ({fact.start}–{fact.end}) |"
            )
    if brief.rejected:
        lines += ["", f"## Rejected ({len(brief.rejected)})", ""]
        for r in brief.rejected:
            where = f"[{r.candidate}] " if r.candidate is not None else ""
            quote = f"“{_cell(r.quote)}” → {_cell(r.number_text)}" if r.quote else _cell(r.what_en)
            lines.append(f"- {where}{quote}: {_cell(r.reason)}")
    if brief.statements:
        kept = sum(s.kept for s in brief.statements)
        lines += ["", f"## Statements and their sources ({kept} kept, {len(brief.statements) - kept} left out)", "", f"*{CHECKED_FOR}*", ""]
        lines += ["| Where | Statement | Source in the article | Status |", "|---|---|---|---|"]
        for s in brief.statements:
            source = " … ".join(brief.article.text[src.start : src.end] for src in s.sources) or "(none found)"
            lines.append(f"| {s.field} | {_cell(s.text)} | {_cell(source)} | {'kept' if s.kept else 'left out'} |")
    if brief.checks:
        lines += ["", f"## Checks: {len(brief.checks)} problem(s) in the prose, against its sources", ""]
        for c in brief.checks:
            left_out = f" (left out: “{_cell(c.statement)}”)" if c.statement else ""
            lines.append(f"- {c.field} ({c.kind}): “{_cell(c.text)}” — {_cell(c.reason)}{left_out}")
    tried = "; ".join(f"{a.model} ({a.error})" for a in prov.attempts)
    lines += [
        "",
        "## Provenance",
        "",
        f"- Model: {prov.model}" + (f" after {tried}" if tried else ""),
        "- Prompts: " + ", ".join(f"{p.name} `{p.sha256[:12]}`" for p in prov.prompts),
        f"- Tokens: {prov.usage.prompt_tokens} prompt + {prov.usage.completion_tokens} completion; re-asks: {prov.reasks}",
        f"- Time: {prov.wall_seconds:.1f} s; schema {prov.schema_version}; summarizer {prov.summarizer_version}",
    ]
    return "\n".join(lines) + "\n"
