"""The flow of one article, top to bottom, and of a batch: load, ask the chain, ground every fact, write.

    article ──► brief prompt ──► BriefDraft ─┐
            └─► facts prompt ──► FactDrafts ─┴─► ground facts in the text ──► Brief ──► out/<id>.json, .md

A model that fails (call error, invalid output after re-asks) hands the article to the next model of
the chain; the brief's provenance lists the models tried before the one that answered, and why.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .article import Article, ArticleError, load_article
from .chain import ModelChain
from .grounding import verify_fact
from .llm import Endpoint, ModelCallError, complete_structured
from .numbers import find_numbers, read_vi_number, to_json_number
from .prompts import load_prompt
from .render import brief_markdown
from .schema import (
    ArticleInfo,
    Attempt,
    Brief,
    BriefDraft,
    Fact,
    FactDraft,
    FactDrafts,
    Person,
    Provenance,
    RejectedFact,
    Usage,
)

MAX_REASKS = 2
BRIEF_MAX_TOKENS = 1400
FACTS_MAX_TOKENS = 2000


class ArticleFailed(Exception):
    """No model of the chain produced a valid brief for this article."""

    def __init__(self, article_id: str, attempts: list[Attempt]):
        self.attempts = attempts
        tried = "; ".join(f"{a.model}: {a.error}" for a in attempts) or "the chain is empty"
        super().__init__(f"{article_id}: no model produced a valid brief ({tried})")


# --------------------------------------------------------------------------- one article


def brief_article(article: Article, chain: ModelChain) -> Brief:
    """The brief of one article: the first model of the chain that answers both prompts validly wins."""
    started = time.monotonic()
    brief_prompt, facts_prompt = load_prompt("brief"), load_prompt("facts")
    attempts: list[Attempt] = []
    spent = Usage()  # tokens spent on models that then failed count too
    for endpoint in chain.endpoints(attempts):
        try:
            draft = complete_structured(
                endpoint, brief_prompt.messages(article_text=article.text), BriefDraft,
                max_reasks=MAX_REASKS, max_tokens=BRIEF_MAX_TOKENS,
            )  # fmt: skip
            facts = complete_structured(
                endpoint, facts_prompt.messages(article_text=article.text), FactDrafts,
                max_reasks=MAX_REASKS, max_tokens=FACTS_MAX_TOKENS,
            )  # fmt: skip
        except ModelCallError as err:
            attempts.append(Attempt(model=endpoint.name, error=str(err)))
            spent = spent + err.usage
            continue
        kept, rejected = ground_facts(article.text, facts.value.facts)
        return Brief(
            article=article_info(article, draft.value),
            title_vi=draft.value.title_vi,
            title_en=draft.value.title_en,
            summary_vi=draft.value.summary_vi,
            summary_en=draft.value.summary_en,
            key_points=draft.value.key_points,
            facts=kept,
            rejected=rejected,
            provenance=Provenance(
                model=endpoint.name,
                attempts=attempts,
                prompts=[brief_prompt.ref, facts_prompt.ref],
                usage=spent + draft.usage + facts.usage,
                reasks=draft.reasks + facts.reasks,
                wall_seconds=round(time.monotonic() - started, 3),
                summarizer_version=__version__,
            ),
        )
    raise ArticleFailed(article.id, attempts)


def article_info(article: Article, draft: BriefDraft) -> ArticleInfo:
    """Metadata parsed from the text, plus what the model drafted that the text confirms."""
    folded = _fold(article.text)
    people = [Person(**p.model_dump()) for p in draft.people if p.name.strip() and _fold(p.name) in folded]
    organization = draft.organization if draft.organization and _fold(draft.organization) in folded else None
    return ArticleInfo(
        id=article.id,
        path=article.path,
        content_hash=article.content_hash,
        text=article.text,
        title=article.meta.title,
        published=article.meta.published,
        author=article.meta.author,
        source=article.meta.source,
        organization=organization,
        locality=draft.locality,
        people=_unique_people(people),
    )


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _unique_people(people: list[Person]) -> list[Person]:
    seen, unique = set(), []
    for person in people:
        if _fold(person.name) not in seen:
            seen.add(_fold(person.name))
            unique.append(person)
    return unique


# --------------------------------------------------------------------------- grounding the model's facts


def ground_facts(text: str, drafts: list[FactDraft]) -> tuple[list[Fact], list[RejectedFact]]:
    """Keep the drafts whose quote is in `text` and states their number; reject the rest with the reason.

    The value is read by the program from the number as written ("1.312" -> 1312, "8,86 tỉ" -> 8860000000),
    never taken from the model, and must be a number the located quote states.
    """
    kept: list[Fact] = []
    rejected: list[RejectedFact] = []
    for draft in drafts:
        fact, reason = ground_fact(text, draft)
        if fact is None:
            rejected.append(RejectedFact(draft=draft, reason=reason))
        elif any(_same_fact(fact, other) for other in kept):
            continue
        else:
            kept.append(fact)
    return kept, rejected


def ground_fact(text: str, draft: FactDraft) -> tuple[Fact | None, str]:
    value = fact_value(draft.number)
    if value is None:
        return None, f"the number {draft.number!r} is not a number written the Vietnamese way"
    verdict = verify_fact(text, quote=draft.quote, value=value, unit=_unit_hint(draft))
    if not verdict.supported:
        return None, verdict.reason or "not supported by the article"
    quote = text[verdict.start : verdict.end]
    unit, problem = fact_unit(quote, verdict.matched_text, draft.unit)
    if problem:
        return None, problem
    return Fact(
        what_en=draft.what_en.strip(),
        what_vi=draft.what_vi.strip(),
        value=value,
        unit=unit,
        period=(draft.period or None),
        quote=quote,
        start=verdict.start,
        end=verdict.end,
        number_text=verdict.matched_text or draft.number,
        hedge=verdict.hedge,
        alignment=verdict.alignment,
    ), ""


def fact_value(number: str) -> int | float | str | None:
    """The value of a number as written: a number in base units, or the text itself for a year range."""
    written = number.strip()
    if _is_year_range(written):
        return "-".join(part.strip() for part in written.replace("–", "-").split("-"))
    value = read_vi_number(written)
    return None if value is None else to_json_number(value)


def _is_year_range(written: str) -> bool:
    parts = [part.strip() for part in written.replace("–", "-").split("-")]
    return len(parts) == 2 and all(part.isdigit() and len(part) == 4 for part in parts)


def _unit_hint(draft: FactDraft) -> str:
    """'%' or 'VND' when the draft says so, for the verifier's unit check; other units are checked here."""
    unit = draft.unit.strip().casefold()
    if "%" in unit or "%" in draft.number:
        return "%"
    if unit in {"đồng", "vnd", "vnđ"} or unit.startswith("đồng") or unit.startswith("vnd"):
        return "VND"
    return ""


def fact_unit(quote: str, number_text: str | None, model_unit: str) -> tuple[str, str | None]:
    """The fact's unit, read from the text after the number; a model unit that belongs to another number is an error.

    Small models swap labels ("8 chi bộ với 327 đảng viên" -> 327 chi bộ). When the model's unit is written
    in the quote right after a *different* number, the fact is rejected rather than mislabelled.
    """
    mentions = find_numbers(quote)
    mine = next((m for m in mentions if m.text == number_text), None)
    if mine is None and number_text:
        mine = next((m for m in mentions if number_text in m.text or m.text in number_text), None)
    model_unit = model_unit.strip()
    if mine is not None and mine.kind == "percent":
        return "%", None
    if mine is not None and mine.unit == "VND":
        return ("VND/year" if "/năm" in quote[mine.end : mine.end + 12] else "VND"), None
    folded = model_unit.casefold()
    if mine is not None and mine.unit and folded and folded not in mine.unit.casefold() and mine.unit.casefold() not in folded:
        for other in mentions:
            if other is not mine and other.unit and other.unit.casefold() == folded:
                return "", f"unit {model_unit!r} belongs to {other.text!r} in the quote, not to {mine.text!r}"
    if mine is not None and mine.unit:
        return mine.unit, None
    return model_unit, None


def _same_fact(a: Fact, b: Fact) -> bool:
    return a.value == b.value and a.start < b.end and b.start < a.end


# --------------------------------------------------------------------------- a batch


@dataclass
class Outcome:
    """What happened to one article of a batch."""

    path: str
    article_id: str | None = None
    brief: Brief | None = None
    error: str | None = None


def run_batch(
    paths: list[Path], chain: ModelChain, out_dir: Path, *, on_done: Callable[[Outcome], None] | None = None
) -> list[Outcome]:
    """Brief every article; one bad article never stops the others. Writes each output atomically as it finishes."""
    out_dir.mkdir(parents=True, exist_ok=True)
    outcomes = []
    for path in paths:
        outcome = Outcome(path=str(path))
        try:
            article = load_article(path)
            outcome.article_id = article.id
            outcome.brief = brief_article(article, chain)
            write_brief(outcome.brief, out_dir)
        except (ArticleError, ArticleFailed) as err:
            outcome.error = str(err)
        outcomes.append(outcome)
        if on_done:
            on_done(outcome)
    write_jsonl([o.brief for o in outcomes if o.brief], out_dir / "briefs.jsonl")
    return outcomes


def write_brief(brief: Brief, out_dir: Path) -> None:
    atomic_write(out_dir / f"{brief.article.id}.json", brief.model_dump_json(indent=2) + "\n")
    atomic_write(out_dir / f"{brief.article.id}.md", brief_markdown(brief))


def write_jsonl(briefs: list[Brief], path: Path) -> None:
    atomic_write(path, "".join(json.dumps(b.model_dump(mode="json"), ensure_ascii=False) + "\n" for b in briefs))


def atomic_write(path: Path, text: str) -> None:
    """Write `text` to `path` so that readers see the old file or the whole new one, never a part."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False) as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(handle.name, path)
