"""The review page: briefs and filled forms shown as one self-contained HTML page, every fact marked in its article.

The page works offline and without JavaScript: highlights are <mark> elements in the HTML at the facts'
offsets, each with a title (value, unit, period, status) for hover, and every table row links to its
highlight. A few lines of inline script add what needs it: clicking a highlight shows its details, and
clicking a form field scrolls to its evidence and marks it. The template is `templates/review.html.j2`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jinja2

from summarizer.grounding.statements import CHECKED_FOR
from summarizer.schema import Brief, FieldResult, FilledForm


@dataclass
class ReviewEntry:
    """One article with what was produced for it: its brief, its filled forms, or both."""

    id: str
    text: str
    brief: Brief | None = None
    forms: list[FilledForm] = field(default_factory=list)


@dataclass(frozen=True)
class Span:
    """A highlighted stretch of the article: a kept fact, a form field's evidence, or the source of a statement."""

    key: str  # unique on the page, e.g. "a0-fact-2", "a0-form0-party_cells"
    start: int
    end: int
    kind: str  # "fact", "field" or "source"
    label: str  # what it is: "party members" / "ward_party_profile.party_cells"
    details: dict[str, str]  # shown on hover and click: value, unit, period, status...

    @property
    def title(self) -> str:
        return f"{self.label}: " + "; ".join(f"{k} {v}" for k, v in self.details.items() if v)


@dataclass(frozen=True)
class Segment:
    """A piece of the article text and the spans that cover it (none for plain text)."""

    text: str
    spans: tuple[Span, ...]
    opens: tuple[Span, ...]  # spans that start here (their anchors go before the segment)


def fact_spans(brief: Brief, prefix: str) -> list[Span]:
    return [
        Span(
            key=f"{prefix}-fact-{i}",
            start=fact.start,
            end=fact.end,
            kind="fact",
            label=fact.what_en,
            details={
                "value": str(fact.value),
                "unit": fact.unit,
                "period": fact.period or "",
                "status": "kept",
                "alignment": fact.alignment,
                "hedge": fact.hedge or "",
                "as written": fact.number_text,
                "Vietnamese": fact.what_vi,
            },
        )
        for i, fact in enumerate(brief.facts)
    ]


def statement_key(prefix: str, index: int) -> str:
    return f"{prefix}-stmt-{index}"


def source_spans(brief: Brief, prefix: str) -> list[Span]:
    """The article sentences each statement of the brief's prose rests on (all its sources share one key)."""
    spans = []
    for i, statement in enumerate(brief.statements):
        details = {"status": "kept" if statement.kept else "left out", "statement": statement.text}
        spans += [Span(statement_key(prefix, i), s.start, s.end, "source", f"source of {statement.field}", details) for s in statement.sources]
    return spans


def quarantine_spans(output: Brief | FilledForm, prefix: str) -> list[Span]:
    """The article's sentences addressed to a model: nothing was taken from them."""
    return [
        Span(f"{prefix}-quarantine-{i}", q.start, q.end, "quarantine", "addressed to a model", {"status": "quarantined", "why": q.why})
        for i, q in enumerate(output.quarantined)
    ]


def statement_rows(brief: Brief, prefix: str) -> list[dict]:
    """Each statement beside the words of its sources, with the problems the checks found in it."""
    text = brief.article.text
    rows = []
    for i, statement in enumerate(brief.statements):
        problems = [c for c in brief.checks if c.field == statement.field and c.statement == statement.text]
        sources = " … ".join(text[s.start : s.end] for s in statement.sources)
        rows.append({"statement": statement, "key": statement_key(prefix, i), "sources": sources, "problems": problems})
    return rows


def point_links(brief: Brief, prefix: str) -> dict[str, str]:
    """A key point's text (either language) -> the key of its statement, so a click on it highlights its sources."""
    return {s.text: statement_key(prefix, i) for i, s in enumerate(brief.statements) if s.kept and s.sources and s.field.startswith("key_points[")}


def field_rows(result: FieldResult, path: str) -> list[tuple[str, FieldResult]]:
    """A field and, for lists and objects, every item and sub-field, flattened to (path, result)."""
    rows = [(path, result)]
    for i, item in enumerate(result.items or []):
        rows += field_rows(item, f"{path}[{i}]")
    for name, sub in (result.fields or {}).items():
        rows += field_rows(sub, f"{path}.{name}")
    return rows


def field_key(prefix: str, form_index: int, path: str) -> str:
    return f"{prefix}-form{form_index}-" + "".join(c if c.isalnum() or c in "_-" else "_" for c in path)


def form_spans(filled: FilledForm, form_index: int, prefix: str) -> list[Span]:
    spans = []
    for path, result in (row for name, top in filled.fields.items() for row in field_rows(top, name)):
        evidence = result.candidates if result.status == "conflicting" else [result]
        for piece in evidence:
            if piece.start is None or piece.end is None or piece.end <= piece.start:
                continue
            details = {"value": _shown(piece.value), "status": result.status, "alignment": piece.alignment or "", "reason": result.reason or ""}
            spans.append(Span(field_key(prefix, form_index, path), piece.start, piece.end, "field", f"{filled.form.name}.{path}", details))
    return spans


def segments(text: str, spans: list[Span]) -> list[Segment]:
    """The text cut at every span boundary; each piece knows which spans cover it (they may overlap)."""
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    pieces, opened = [], set()
    for a, b in zip(cuts, cuts[1:]):
        covering = tuple(s for s in spans if s.start <= a and b <= s.end)
        opens = tuple(s for s in covering if s.key not in opened)
        opened.update(s.key for s in opens)
        pieces.append(Segment(text[a:b], covering, opens))
    return pieces


def _shown(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def review_page(entries: list[ReviewEntry], *, title: str) -> str:
    """The whole page, as one HTML string with its styles and script inline."""
    articles = []
    for n, entry in enumerate(entries):
        prefix = f"a{n}"
        spans = fact_spans(entry.brief, prefix) if entry.brief else []
        forms = []
        for i, filled in enumerate(entry.forms):
            fspans = form_spans(filled, i, prefix)
            spans += fspans
            linked = {s.key for s in fspans}
            rows = [
                {
                    "path": path,
                    "result": result,
                    "key": key,
                    "linked": key in linked,
                    "value": _shown(result.value) if result.items is None and result.fields is None else "",
                }
                for name, top in filled.fields.items()
                for path, result in field_rows(top, name)
                for key in [field_key(prefix, i, path)]
            ]
            forms.append({"filled": filled, "rows": rows})
        spans += source_spans(entry.brief, prefix) if entry.brief else []  # last: a click on a mark tells of its fact or field first
        first = entry.brief or (entry.forms[0] if entry.forms else None)
        quarantined = quarantine_spans(first, prefix) if first else []
        spans += quarantined
        articles.append(
            {
                "entry": entry,
                "prefix": prefix,
                "segments": segments(entry.text, spans),
                "facts": [s for s in spans if s.kind == "fact"],
                "statements": statement_rows(entry.brief, prefix) if entry.brief else [],
                "point_links": point_links(entry.brief, prefix) if entry.brief else {},
                "quarantined": quarantined,
                "forms": forms,
            }
        )
    return _template().render(title=title, articles=articles, checked_for=CHECKED_FOR)


@cache
def _template() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template("review.html.j2")


# --------------------------------------------------------------------------- reading an output folder


def entries_from_folder(out_dir: Path, article_id: str | None = None) -> list[ReviewEntry]:
    """Every brief (`<id>.json`) and filled form (`<id>.<form>.json`) in a folder, or only those of `article_id`,
    grouped by article (offsets point into one cleaned text, so a form filled from another version of the article is
    its own entry), sorted by id."""
    entries: dict[tuple[str, str], ReviewEntry] = {}
    folder = Path(out_dir)
    paths = folder.glob("*.json") if article_id is None else [*folder.glob(f"{article_id}.json"), *folder.glob(f"{article_id}.*.json")]
    for path in sorted(paths):
        output = _read_output(path)  # an id may hold dots, so the file name does not tell a brief from a form
        if output is None:
            continue  # run-report.json, or a file this version cannot read
        info = output.article
        entry = entries.setdefault((info.id, info.content_hash), ReviewEntry(info.id, info.text))
        if isinstance(output, Brief):
            entry.brief = output
        else:
            entry.forms.append(output)
    return [entries[key] for key in sorted(entries)]


def _read_output(path: Path) -> Brief | FilledForm | None:
    raw = path.read_bytes()
    for model in (Brief, FilledForm):
        try:
            return model.model_validate_json(raw)
        except ValueError:
            continue
    return None
