"""The flow of one article, top to bottom, and of a batch: load, find candidates, ask the chain, ground, write.

    article ──► candidate numbers (numbers.py reads them) ──► brief prompt ──► ArticleDraft
            ──► facts = labelled candidates, each checked against the text (grounding.py) ──► Brief ──► out/<id>.json, .md

A model that fails (call error, invalid output after re-asks) hands the article to the next model of
the chain; the brief's provenance lists the models tried before the one that answered, and why.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .article import Article, ArticleError, load_article
from .candidates import Candidate, fact_candidates
from .chain import ModelChain
from .fidelity import check_draft
from .grounding import verify_fact
from .language import is_english
from .llm import ModelCallError, complete_structured
from .numbers import to_json_number
from .people import find_people
from .prompts import load_prompt
from .render import brief_markdown
from .schema import (
    ArticleDraft,
    ArticleInfo,
    Attempt,
    Brief,
    Fact,
    FactLabel,
    Person,
    Provenance,
    RejectedFact,
    Usage,
)

MAX_REASKS = 1  # re-asks resend the whole conversation: ~4 min each on the embedded model, and rarely better


class ArticleFailed(Exception):
    """No model of the chain produced a valid brief for this article."""

    def __init__(self, article_id: str, attempts: list[Attempt]):
        self.attempts = attempts
        tried = "; ".join(f"{a.model}: {a.error}" for a in attempts) or "the chain is empty"
        super().__init__(f"{article_id}: no model produced a valid brief ({tried})")


# --------------------------------------------------------------------------- one article


def brief_article(article: Article, chain: ModelChain) -> Brief:
    """The brief of one article: the first model of the chain that answers validly wins."""
    started = time.monotonic()
    prompt = load_prompt("brief")
    candidates = fact_candidates(article.text)
    messages = prompt.messages(article_text=article.text, candidates=candidates)
    attempts: list[Attempt] = []
    spent = Usage()  # tokens spent on models that then failed count too
    for endpoint in chain.endpoints(attempts):
        try:
            result = complete_structured(endpoint, messages, ArticleDraft, max_reasks=MAX_REASKS)
        except ModelCallError as err:
            attempts.append(Attempt(model=endpoint.name, error=str(err)))
            spent = spent + err.usage
            continue
        draft = result.value
        kept, rejected = ground_facts(article.text, candidates, draft.facts)
        return Brief(
            article=article_info(article, draft),
            title_vi=draft.title_vi,
            title_en=draft.title_en,
            summary_vi=draft.summary_vi,
            summary_en=draft.summary_en,
            key_points=draft.key_points(),
            facts=kept,
            rejected=rejected,
            checks=check_draft(article.text, draft),
            provenance=Provenance(
                model=endpoint.name,
                attempts=attempts,
                prompts=[prompt.ref],
                usage=spent + result.usage,
                reasks=result.reasks,
                wall_seconds=round(time.monotonic() - started, 3),
                summarizer_version=__version__,
            ),
        )
    raise ArticleFailed(article.id, attempts)


def article_info(article: Article, draft: ArticleDraft) -> ArticleInfo:
    """Metadata parsed from the text, plus what the model drafted that the text confirms."""
    folded = _fold(article.text)
    drafted = {_fold(p.name): p for p in draft.people if p.name.strip() and _fold(p.name) in folded}
    people = [  # the text's own people and positions first, with the model's English for the position when it has one
        Person(name=p.name, role_vi=p.role_vi, role_en=drafted.pop(_fold(p.name)).role_en if _fold(p.name) in drafted else None)
        for p in find_people(article.text)
    ]
    people += [Person(**p.model_dump()) for p in drafted.values()]
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
        people=people,
    )


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


# --------------------------------------------------------------------------- grounding the labelled candidates


def ground_facts(text: str, candidates: list[Candidate], labels: list[FactLabel]) -> tuple[list[Fact], list[RejectedFact]]:
    """Facts from the candidates the model labelled, each verified against the text; the rest rejected with the reason.

    The number, its unit and the quote come from the text (the candidate); the model contributes only what the
    number measures and its period. A label for a candidate that does not exist, or a second label for the same
    candidate, is rejected.
    """
    by_id = {candidate.id: candidate for candidate in candidates}
    nouns = {c.mention.unit for c in candidates if c.mention.unit and c.mention.kind != "percent" and c.mention.unit != "VND"}
    kept: list[Fact] = []
    rejected: list[RejectedFact] = []
    labelled: set[int] = set()
    for label in labels:
        candidate = by_id.get(label.id)
        if candidate is None:
            rejected.append(RejectedFact(candidate=label.id, what_en=label.what_en, reason=f"there is no candidate [{label.id}]"))
            continue
        if label.id in labelled:
            continue
        labelled.add(label.id)
        fact, reason = ground_candidate(text, candidate, label, nouns)
        if fact is None:
            rejected.append(
                RejectedFact(candidate=label.id, quote=candidate.quote(text), number_text=candidate.mention.text, what_en=label.what_en, reason=reason)
            )
        else:
            kept.append(fact)
    kept.sort(key=lambda fact: (fact.start, fact.end))
    return kept, rejected


def ground_candidate(text: str, candidate: Candidate, label: FactLabel, nouns: set[str] = frozenset()) -> tuple[Fact | None, str]:
    mention = candidate.mention
    value = to_json_number(mention.value)
    unit = fact_unit(text, candidate)
    verdict = verify_fact(text, quote=candidate.quote(text), value=value, unit=unit)
    if not verdict.supported:
        return None, verdict.reason or "not supported by the article"
    if not label.what_en.strip() or not label.what_vi.strip():
        return None, "the model did not say what the number measures"
    if not is_english(label.what_en):
        return None, f"what the number measures was not given in English ({label.what_en[:60]!r})"
    if problem := mislabelled(label.what_vi, unit, nouns):
        return None, problem
    return Fact(
        what_en=label.what_en.strip(),
        what_vi=label.what_vi.strip(),
        value=value,
        unit=unit,
        period=checked_period(text, label.period),
        quote=text[verdict.start : verdict.end],
        start=verdict.start,
        end=verdict.end,
        number_text=mention.text,
        hedge=verdict.hedge or mention.hedge,
        alignment=verdict.alignment,
    ), ""


def mislabelled(what_vi: str, unit: str, nouns: set[str]) -> str | None:
    """A label that names another counted noun of the article and not this number's own ("số đảng viên" for "25 chi bộ")."""
    if unit not in nouns:
        return None
    words = " " + " ".join(_WORDS.findall(what_vi.casefold())) + " "
    if f" {unit.casefold()} " in words:
        return None
    for other in sorted(nouns - {unit}):
        if f" {other.casefold()} " in words:
            return f"the label speaks of {other!r} but the number counts {unit!r} ({what_vi[:60]!r})"
    return None


def fact_unit(text: str, candidate: Candidate) -> str:
    """'%', 'VND' (or 'VND/year'), or the noun written after the number."""
    mention = candidate.mention
    if mention.kind == "percent":
        return "%"
    if mention.unit == "VND":
        return "VND/year" if "/năm" in text[mention.end : mention.end + 12] else "VND"
    return mention.unit or ""


_WORDS = re.compile(r"\w+")
_YEAR = re.compile(r"\b(19|20)\d\d\b")


def checked_period(text: str, period: str | None) -> str | None:
    """The model's period, kept only when every year in it is written in the article."""
    if not period or not period.strip():
        return None
    years = [match.group(0) for match in _YEAR.finditer(period)]
    if not years or any(year not in text for year in years):
        return None
    return period.strip()


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
        except Exception as err:  # a bug must cost one article, not the batch; it is reported and the exit code says so
            outcome.error = f"{path}: internal error, please report it ({type(err).__name__}: {err})"
        outcomes.append(outcome)
        if on_done:
            on_done(outcome)
    write_jsonl([o.brief for o in outcomes if o.brief], out_dir / "briefs.jsonl")
    return outcomes


def write_brief(brief: Brief, out_dir: Path) -> None:
    """Both files of a brief, rendered before either is written, so a failure leaves neither."""
    as_json, as_markdown = brief.model_dump_json(indent=2) + "\n", brief_markdown(brief)
    atomic_write(out_dir / f"{brief.article.id}.json", as_json)
    atomic_write(out_dir / f"{brief.article.id}.md", as_markdown)


def write_jsonl(briefs: list[Brief], path: Path) -> None:
    atomic_write(path, "".join(json.dumps(b.model_dump(mode="json"), ensure_ascii=False) + "\n" for b in briefs))


def atomic_write(path: Path, text: str) -> None:
    """Write `text` to `path` so that readers see the old file or the whole new one, never a part."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False) as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(handle.name, path)
