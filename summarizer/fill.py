"""Filling a user-defined form from one article, every field checked against the text; and a batch of them.

    article ──► candidate numbers ──► fill prompt (the form's fields) ──► answer: numbers and text copied from
            the article ──► each field grounded (grounding.py) ──► FilledForm ──► out/<id>.<form>.json

Numbers come from the text: a number the model copies must be one of the article's candidate numbers (as
written, by its digits, or by value), and the program's reading of it is kept, with its clause as evidence.
Text must be found in the article. A field whose evidence does not hold is left empty with the reason,
never guessed; a field the article states with several different values is "conflicting", with them all.
A form with many fields is asked in several calls (each within the model's context), and the answers merged.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel

from . import __version__
from .article import Article
from .cache import AnswerCache
from .candidates import Candidate, fact_candidates
from .chain import ModelChain
from .forms import Form, FormField, answer_model, field_groups, spec_lines
from .grounding import locate_quote, verify_fact
from .numbers import read_vi_number, text_locale, to_json_number
from .pipeline import (
    Outcome, ask_chain, atomic_write, counted_nouns, fact_unit, file_outcome, mislabelled, remove_partial_files, request_keys, run_batch,
)  # fmt: skip
from .prompts import load_prompt
from .schema import ArticleRef, Call, Evidence, FieldResult, FilledForm, FormProvenance, FormRef, PromptRef

FORM_KINDS = ("number", "percent", "fraction_part", "year", "range_part")  # forms also ask for years
_YEAR_WORDS = re.compile(r"\b(năm|year|years)\b", re.IGNORECASE)
_WORDS = re.compile(r"\w+")
_OF_TARGET = re.compile(r"\s*(?:so với\s+)?(?:chỉ tiêu|kế hoạch|dự toán|mục tiêu)", re.IGNORECASE)  # "đạt 120% chỉ tiêu"
_TARGET_WORDS = re.compile(r"chỉ tiêu|kế hoạch|dự toán|mục tiêu|target|plan", re.IGNORECASE)
MAX_FIELDS_PER_CALL = 12
MAX_FIELD_CHARS_PER_CALL = 4000  # descriptions of the fields of one call: ~1,200 tokens beside a ~4,000-token article


@dataclass
class FillCall:
    """One call of a form: some of its fields, the model the LLM fills for them, the messages, the cache keys."""

    fields: tuple[FormField, ...]
    answer_model: type[BaseModel]
    messages: list[dict[str, str]]
    keys: dict[str, str]  # chain name -> cache key


@dataclass
class FillRequest:
    """What is asked of the model for one article: one call per group of fields."""

    article: Article
    candidates: list[Candidate]
    prompt: PromptRef
    calls: list[FillCall]


def fill_request(article: Article, form: Form, chain: ModelChain) -> FillRequest:
    prompt = load_prompt("fill")
    candidates = fact_candidates(article.text, kinds=FORM_KINDS)
    calls = []
    groups = field_groups(form.fields, MAX_FIELDS_PER_CALL, MAX_FIELD_CHARS_PER_CALL)
    for number, fields in enumerate(groups, 1):
        model = answer_model(fields, _model_name(form.name, number if len(groups) > 1 else None))
        messages = prompt.messages(
            form_name=form.name, form_description=form.description, fields=spec_lines(fields),
            article_text=article.text, candidates=candidates, article_language=text_locale(article.text),
        )  # fmt: skip
        calls.append(FillCall(fields, model, messages, request_keys(chain, messages, prompt.ref, model)))
    return FillRequest(article, candidates, prompt.ref, calls)


def _model_name(form_name: str, part: int | None) -> str:
    """A class (and tool) name for the answer model: "ward_party_profile" -> "WardPartyProfile"."""
    name = "".join(word.capitalize() for word in form_name.replace("-", "_").split("_") if word.isidentifier() or word.isalnum())
    name = name if name.isidentifier() else "Form"
    return f"{name}Part{part}" if part else name


async def fill_article(article: Article, form: Form, chain: ModelChain, cache: AnswerCache | None = None) -> FilledForm:
    """The form filled from one article; raises ArticleFailed when a call gets no valid answer from any model."""
    return await answer_form(fill_request(article, form, chain), form, chain, cache, time.monotonic())


async def answer_form(request: FillRequest, form: Form, chain: ModelChain, cache: AnswerCache | None, started: float) -> FilledForm:
    results: dict[str, FieldResult] = {}
    calls: list[Call] = []
    for call in request.calls:
        answered = await ask_chain(chain, cache, call.answer_model, call.messages, call.keys, request.article.id)
        calls.append(
            Call(
                fields=[f.name for f in call.fields], model=answered.model, attempts=answered.attempts, usage=answered.usage,
                cost_usd=answered.cost_usd, reasks=answered.reasks, cache_hit=answered.cache_hit, cache_key=answered.cache_key,
            )  # fmt: skip
        )
        for f in call.fields:
            results[f.name] = ground_field(f, getattr(answered.value, f.name, None), request.article.text, request.candidates, form.fields)
    return FilledForm(
        form=FormRef(name=form.name, sha256=form.sha256, source=form.source),
        article=ArticleRef(
            id=request.article.id, path=request.article.path, content_hash=request.article.content_hash,
            title=request.article.meta.title, published=request.article.meta.published, text=request.article.text,
        ),  # fmt: skip
        values={name: value for name, result in results.items() if (value := plain_value(result)) is not None},
        fields=results,
        missing_required=[f.name for f in form.fields if f.required and results[f.name].status != "filled"],
        provenance=FormProvenance(
            calls=calls, prompts=[request.prompt], wall_seconds=round(time.monotonic() - started, 3), summarizer_version=__version__
        ),
    )


# --------------------------------------------------------------------------- grounding one field


def ground_field(f: FormField, answer, text: str, candidates: list[Candidate], siblings: tuple[FormField, ...] = ()) -> FieldResult:
    """A field of the model's answer checked against the article: filled with its evidence, or empty with the reason.
    `siblings` are the fields beside it in the form: a number whose words speak of one of them is not this field's."""
    if f.type == "list":
        return _ground_list(f, answer or [], text, candidates, siblings)
    if f.type == "object":
        if answer is None:
            return FieldResult(value=None, status="not_in_article")
        fields = {sub.name: ground_field(sub, getattr(answer, sub.name, None), text, candidates, f.fields) for sub in f.fields}
        missing = [sub.name for sub in f.fields if sub.required and fields[sub.name].status != "filled"]
        if missing:
            return FieldResult(value=None, status="unsupported", fields=fields, reason=f"its required field '{missing[0]}' does not hold")
        if not any(result.status == "filled" for result in fields.values()):
            return FieldResult(value=None, status="unsupported", fields=fields, reason="none of its fields holds")
        return FieldResult(value=None, status="filled", fields=fields)
    if f.is_number:
        return _ground_number(f, answer or [], text, candidates, siblings)
    if f.allowed or f.type == "boolean":
        return _ground_choice(f, answer, text)
    return _ground_text(answer, text)


def _ground_list(f: FormField, answers: list, text: str, candidates: list[Candidate], siblings: tuple[FormField, ...]) -> FieldResult:
    if not answers:
        return FieldResult(value=None, status="not_in_article")
    items = [ground_field(f.item, answer, text, candidates, siblings) for answer in answers]
    held = [item for item in items if item.status == "filled"]
    if not held:
        return FieldResult(value=None, status="unsupported", reason=f"none of the {len(items)} items the model gave holds: {items[0].reason}")
    dropped = len(items) - len(held)
    return FieldResult(value=None, status="filled", items=held, reason=f"{dropped} item(s) that do not hold were left out" if dropped else None)


def _ground_number(f: FormField, written: list, text: str, candidates: list[Candidate], siblings: tuple[FormField, ...]) -> FieldResult:
    """Each number the model wrote must be a number of the article: it is matched to the candidates that state it
    (as written, or by value), and the article's own reading of it is kept, with the clause as its evidence."""
    if not written:
        return FieldResult(value=None, status="not_in_article")
    nouns = counted_nouns(candidates)
    evidence: dict[int, Evidence] = {}
    refused = []
    for number in dict.fromkeys(written):
        matches = [c for c in candidates if _states(c, number)]
        if not matches:
            stated = ", ".join(dict.fromkeys(c.mention.text for c in candidates)) or "none"
            refused.append(f"the article states no number {number!r} (its numbers: {stated[:120]})")
            continue
        for candidate in matches:
            if problem := _unfit(f, candidate, text, nouns) or _speaks_of_another(f, candidate, text, siblings, nouns):
                refused.append(problem)
                continue
            value = to_json_number(candidate.mention.value)
            verdict = verify_fact(text, quote=candidate.quote(text), value=value, unit="")
            if verdict.supported:  # a candidate's own clause states it; kept as a guard
                evidence[candidate.id] = Evidence(value=value, quote=text[verdict.start : verdict.end], start=verdict.start, end=verdict.end, alignment=verdict.alignment)
    if not evidence:
        return FieldResult(value=None, status="unsupported", reason=refused[0])
    values = list(dict.fromkeys(e.value for e in evidence.values()))
    if len(values) > 1:
        shown = ", ".join(str(v) for v in values)
        return FieldResult(value=None, status="conflicting", candidates=list(evidence.values()), reason=f"the article states several values ({shown})")
    if f.type == "integer" and not float(values[0]).is_integer():
        return FieldResult(value=None, status="unsupported", reason=f"{values[0]} is not a whole number")
    return FieldResult(**next(iter(evidence.values())).model_dump(), status="filled")


def _states(candidate: Candidate, number) -> bool:
    """Whether the candidate is the number the model wrote: as the article writes it ("1.312", "30 triệu", "1,7%"),
    its digits ("30" for "30 triệu"), or its value (1312, 1.7)."""
    mention = candidate.mention
    if isinstance(number, str):
        wanted = number.strip()
        after = wanted[len(mention.text) :][:1] if wanted.startswith(mention.text) else None
        if after is not None and not (after.isdigit() or after in ".,"):  # "30 triệu đồng/năm" for "30 triệu"
            return True
        if wanted == mention.text.split()[0] or read_vi_number(wanted) == mention.value:
            return True
        try:
            number = float(wanted)  # "1312" or "1.7" written the English way
        except ValueError:
            return False
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        return False
    digits = read_vi_number(mention.text.split()[0].rstrip("%"))
    return Decimal(str(number)) in (mention.value, digits)


def _unfit(f: FormField, candidate: Candidate, text: str, nouns: set[str]) -> str | None:
    """Why a candidate number cannot fill the field: it counts another noun the field does not name, or the
    field asks for a percent and it is not one."""
    unit = fact_unit(text, candidate)
    written = candidate.mention.text
    wants_percent = "%" in f.description
    if wants_percent != (unit == "%"):
        return f"{written} is {'not ' if wants_percent else ''}a percent, and the field asks for {'one' if wants_percent else 'no percent'}"
    if unit == "%" and _OF_TARGET.match(text, candidate.mention.end) and not _TARGET_WORDS.search(f.description):
        return f"{written} is a share of a target or plan ({text[candidate.mention.end:candidate.mention.end + 20].strip()}), and the field does not ask for one"
    if candidate.mention.kind in ("year", "range_part") and not _YEAR_WORDS.search(f.description):
        return f"{written} is a year, and the field does not ask for one"
    named = {noun for noun in nouns if f" {noun.casefold()} " in f" {' '.join(_WORDS.findall(f.description.casefold()))} "}
    if named and unit not in named:
        return f"{written} counts {unit or 'nothing named'!r}, and the field asks for {' or '.join(sorted(named))!r}"
    if problem := mislabelled(f.description, unit, nouns):
        return f"{written}: {problem.replace('the label', 'the field')}"
    return None


def _speaks_of_another(f: FormField, candidate: Candidate, text: str, siblings: tuple[FormField, ...], nouns: set[str]) -> str | None:
    """Whether the words around the number match another number field of the form better than this one: the words
    one field's description has and the other's lacks decide ("kết nạp ... 60 đảng viên" is new members, not all
    members). What numbers count ("đảng viên", "chi bộ") is left to the noun check."""
    clause = _syllables(candidate.quote(text)) - _syllables(" ".join(nouns))
    own = _syllables(f.description)
    for other in siblings:
        if other is f or not other.is_number:
            continue
        theirs = _syllables(other.description)
        for_them, for_us = clause & (theirs - own), clause & (own - theirs)
        if len(for_them) >= 2 and len(for_them) > len(for_us):  # one shared word is too little to go on
            return f"the words around {candidate.mention.text} ({', '.join(sorted(for_them))}) speak of the field '{other.name}'"
    return None


_FUNCTION_WORDS = frozenset(
    "được của các những và có là với cho trong đã đang sẽ số này đó theo từ tại để thì mà như về khi năm tháng ngày "
    "the of a an and or in on for to by with number its their".split()
)  # words every description and clause has: they say nothing of which field a number belongs to


def _syllables(text: str) -> set[str]:
    return set(_WORDS.findall(text.casefold())) - _FUNCTION_WORDS


def _ground_text(value, text: str) -> FieldResult:
    if value is None or not str(value).strip():
        return FieldResult(value=None, status="not_in_article")
    found = locate_quote(str(value).strip(), text)
    if found is None:
        return FieldResult(value=None, status="unsupported", reason=f"{str(value)[:80]!r} is not in the article")
    start, end, alignment = found
    return FieldResult(value=text[start:end], quote=text[start:end], start=start, end=end, alignment=alignment, status="filled")


def _ground_choice(f: FormField, answer, text: str) -> FieldResult:
    value = getattr(answer, "value", None)
    if answer is None or value is None:
        return FieldResult(value=None, status="not_in_article")
    words = (answer.quote or "").strip() or value
    found = locate_quote(words, text)
    if found is None:
        what = "the quote given for it" if (answer.quote or "").strip() else "no quote was given, and the value itself"
        return FieldResult(value=None, status="unsupported", reason=f"{value!r}: {what} is not in the article")
    start, end, alignment = found
    chosen = (value == "yes") if f.type == "boolean" else value
    return FieldResult(value=chosen, quote=text[start:end], start=start, end=end, alignment=alignment, status="filled")


def plain_value(result: FieldResult):
    """The value a filled field contributes to `values` (None when it is empty)."""
    if result.status != "filled":
        return None
    if result.items is not None:
        return [plain_value(item) for item in result.items]
    if result.fields is not None:
        return {name: value for name, sub in result.fields.items() if (value := plain_value(sub)) is not None}
    return result.value


# --------------------------------------------------------------------------- a batch


def output_path(out_dir: Path, article_id: str, form: Form) -> Path:
    return out_dir / f"{article_id}.{form.name}.json"


async def fill_batch(paths, form: Form, chain: ModelChain, out_dir: Path, *, concurrency=4, cache=None, on_done=None, finish=None) -> list[Outcome]:
    """Fill the form from every article: as brief_batch, each written as it is done, current ones kept."""
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_partial_files(out_dir)
    return await run_batch(
        paths, lambda path: fill_file(path, form, chain, out_dir, cache), concurrency=concurrency, on_done=on_done, finish=finish
    )


async def fill_file(path: Path, form: Form, chain: ModelChain, out_dir: Path, cache: AnswerCache | None) -> Outcome:
    """One article of a batch, from its file to its written form (or the current one an earlier run wrote)."""

    async def work(article: Article, started: float) -> tuple[FilledForm, bool]:
        request = fill_request(article, form, chain)
        if (earlier := current_form(out_dir, request, form)) is not None:
            return earlier, True
        filled = await answer_form(request, form, chain, cache, started)
        atomic_write(output_path(out_dir, article.id, form), filled.model_dump_json(indent=2) + "\n", sync=False)  # synced at the batch's end
        return filled, False

    return await file_outcome(path, work)


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
