"""Filling a user-defined form from one article, every field checked against the text.

    article ──► numbered sentences and candidate numbers ──► per number field, the candidates that fit it (its
            choices) ──► form prompt: the article as a brief shows it, then the fields ──► answer: ids among each
            number field's choices, text copied from the article ──► each field grounded (grounding/fields.py) ──►
            a field left empty answered from what the program knows, when unambiguous (grounding/known.py) ──►
            FilledForm ──► out/<id>.<form>.json

The form's call opens with the same instructions and article as a brief's calls (prompts/article.*.j2), so that
after a brief of the same article the local server evaluates only the form's own part.

A form with many fields is asked in several calls (each within the model's context), and the answers merged. A
document longer than one call carries is asked part by part (text/parts.py): each field is answered from every
part, agreeing answers merge and differing ones become `conflicting` with every quote (grounding/fields.py merged).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from summarizer import __version__
from summarizer.batch.files import atomic_write
from summarizer.forms import Form, FormField, answer_model, field_groups, spec_lines
from summarizer.grounding.fields import field_choices, ground_field, merged, plain_value
from summarizer.grounding.known import known_field
from summarizer.grounding.prose import numbered_sentences
from summarizer.grounding.quarantine import outside, quarantine_field, quarantined_spans
from summarizer.models.cache import AnswerCache
from summarizer.models.chain import ModelChain
from summarizer.models.prompts import load_prompt
from summarizer.schema import ArticleRef, Call, FieldResult, FilledForm, FormProvenance, FormRef, PromptRef
from summarizer.tasks.base import part_done
from summarizer.tasks.export import to_csv, to_jsonl
from summarizer.text.article import Article
from summarizer.text.candidates import Candidate, fact_candidates
from summarizer.text.parts import Part, split_parts, unit
from summarizer.text.people import find_people

FORM_KINDS = ("number", "percent", "fraction_part", "year", "range_part")  # forms also ask for years
MAX_FIELDS_PER_CALL = 12
MAX_FIELD_CHARS_PER_CALL = 4000  # descriptions of the fields of one call, beside the article in the model's context


@dataclass
class FillCall:
    """One call of a form: some of its fields, from one part of the article (the whole article unless it is longer
    than one call carries), the model the LLM fills for them, the messages, the cache keys."""

    fields: tuple[FormField, ...]
    answer_model: type[BaseModel]
    messages: list[dict[str, str]]
    keys: dict[str, str]  # chain name -> cache key
    part: Part
    candidates: list[Candidate]  # those the part owns: what its answers are grounded in

    @property
    def number(self) -> int | None:
        return self.part.index if self.part.total > 1 else None


@dataclass
class FillRequest:
    """What is asked of the model for one article: one call per group of fields and part of the article."""

    article: Article
    candidates: list[Candidate]
    prompt: PromptRef
    calls: list[FillCall]


def fill_request(article: Article, form: Form, chain: ModelChain) -> FillRequest:
    prompt = load_prompt("article", "form")
    text = article.text
    quarantined = quarantined_spans(text)  # sentences addressed to a model: the model never sees them, nothing rests on them
    sentences = numbered_sentences(text, article.meta.title, quarantined)  # as a brief shows them: one evaluated prefix for both
    candidates = outside(fact_candidates(text, kinds=FORM_KINDS), quarantined)
    groups = field_groups(form.fields, MAX_FIELDS_PER_CALL, MAX_FIELD_CHARS_PER_CALL)
    parts = split_parts(
        [unit(s.start, s.end, candidates, text) for s in sentences],
        chain.part_budget() - MAX_FIELD_CHARS_PER_CALL,
        breaks=frozenset(i for i, s in enumerate(sentences) if s.number is None),
    )
    calls = []
    for part in parts:
        owned = [c for c in candidates if part.owns(c.mention.start)]
        for number, fields in enumerate(groups, 1):
            choices = field_choices(fields, owned, text, form.fields)  # per number field, the candidates it may take
            offered = set().union(*choices.values())
            model = answer_model(fields, _model_name(form.name, number if len(groups) > 1 else None), choices)
            messages = prompt.messages(
                sentences=sentences[part.carried_first : part.carried_last + 1],
                part=part if part.total > 1 else None,
                form_name=form.name,
                form_description=form.description,
                fields=spec_lines(fields, choices),
                candidates=[c for c in owned if c.id in offered],
                article_text=text,
            )
            keys = chain.cache_keys(messages, prompt.ref, model, shared_prefix=True)
            calls.append(FillCall(fields, model, messages, keys, part, owned))
    return FillRequest(article, candidates, prompt.ref, calls)


def _model_name(form_name: str, part: int | None) -> str:
    """A class (and tool) name for the answer model: "ward_party_profile" -> "WardPartyProfile"."""
    name = "".join(word.capitalize() for word in form_name.replace("-", "_").split("_") if word.isidentifier() or word.isalnum())
    name = name if name.isidentifier() else "Form"
    return f"{name}Part{part}" if part else name


async def fill_article(article: Article, form: Form, chain: ModelChain, cache: AnswerCache | None = None) -> FilledForm:
    """The form filled from one article; raises NoValidAnswer when a call gets no valid answer from any model."""
    return await produce_form(fill_request(article, form, chain), form, chain, cache, time.monotonic())


async def produce_form(request: FillRequest, form: Form, chain: ModelChain, cache: AnswerCache | None, started: float) -> FilledForm:
    results: dict[str, FieldResult] = {}
    calls: list[Call] = []
    text = request.article.text
    quarantined = quarantined_spans(text)  # sentences addressed to a model: no value rests on them
    people = find_people(text)
    answers: dict[str, list[FieldResult]] = {f.name: [] for f in form.fields}  # each field as each part answers it
    for n, call in enumerate(request.calls, 1):
        answered = await chain.answer(call.answer_model, call.messages, call.keys, cache=cache, article_id=request.article.id, task="form", shared_prefix=True)
        calls.append(Call(fields=[f.name for f in call.fields], part=call.number, **answered.call.model_dump()))
        for f in call.fields:
            answers[f.name].append(ground_field(f, getattr(answered.value, f.name, None), text, call.candidates, form.fields))
        if n == len(request.calls) or request.calls[n].part is not call.part:  # the part's last call
            part_done(request.article.id, call.part.index, call.part.total)
    for f in form.fields:
        # what the program knows, where the model gave nothing that holds
        known = known_field(f, merged(answers[f.name]), text, request.candidates, people, form.fields)
        results[f.name] = quarantine_field(known, quarantined)
    return FilledForm(
        form=FormRef(name=form.name, sha256=form.sha256, source=form.source),
        article=ArticleRef(
            id=request.article.id,
            path=request.article.path,
            content_hash=request.article.content_hash,
            title=request.article.meta.title,
            published=request.article.meta.published,
            text=request.article.text,
        ),
        values={name: value for name, result in results.items() if (value := plain_value(result)) is not None},
        fields=results,
        missing_required=[f.name for f in form.fields if f.required and results[f.name].status != "filled"],
        quarantined=quarantined,
        provenance=FormProvenance(calls=calls, prompts=[request.prompt], wall_seconds=round(time.monotonic() - started, 3), summarizer_version=__version__),
    )


# --------------------------------------------------------------------------- its files


def output_path(out_dir: Path, article_id: str, form: Form) -> Path:
    return out_dir / f"{article_id}.{form.name}.json"


def current_form(out_dir: Path, request: FillRequest, form: Form) -> FilledForm | None:
    """The filled form an earlier run wrote for this article, if every call of it is what this run would ask."""
    path = output_path(out_dir, request.article.id, form)
    if not path.is_file():
        return None
    try:
        filled = FilledForm.model_validate_json(path.read_bytes())
    except (OSError, ValueError):
        return None
    calls = filled.provenance.calls
    if filled.article.content_hash != request.article.content_hash or len(calls) != len(request.calls):
        return None
    if any(done.cache_key != asked.keys.get(done.model) for done, asked in zip(calls, request.calls)):
        return None
    return filled


def write_form(filled: FilledForm, form: Form, out_dir: Path, *, sync: bool = True) -> None:
    atomic_write(output_path(out_dir, filled.article.id, form), filled.model_dump_json(indent=2) + "\n", sync=sync)


TABLES = {"jsonl": to_jsonl, "csv": to_csv}  # the batch's table of every filled form, by format


class FillTask:
    """Filling `form` as a task (tasks/base.py); `table` ("jsonl" or "csv") also writes the batch's table."""

    name = "form"

    def __init__(self, form: Form, table: str | None = None):
        self.form = form
        self.table = table

    def request(self, article: Article, chain: ModelChain) -> FillRequest:
        return fill_request(article, self.form, chain)

    def current(self, out_dir: Path, request: FillRequest) -> FilledForm | None:
        return current_form(out_dir, request, self.form)

    async def produce(self, request: FillRequest, chain: ModelChain, cache: AnswerCache | None, started: float) -> FilledForm:
        return await produce_form(request, self.form, chain, cache, started)

    def write(self, output: FilledForm, out_dir: Path, *, sync: bool = True) -> None:
        write_form(output, self.form, out_dir, sync=sync)

    def output_file(self, article_id: str) -> str:
        return output_path(Path(), article_id, self.form).name

    def finish(self, outputs: list[FilledForm], out_dir: Path) -> None:
        """`<form>.jsonl` or `.csv`: one row per article, one column per field, evidence beside it."""
        if self.table:
            atomic_write(out_dir / f"{self.form.name}.{self.table}", TABLES[self.table](outputs, self.form))
