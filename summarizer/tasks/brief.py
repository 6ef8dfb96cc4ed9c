"""The brief of one article, top to bottom: candidates, the request, the chain's answer, grounding, the written files.

    article ──► candidate numbers (text/candidates.py reads them) ──► brief prompt ──► ArticleDraft
            ──► facts = labelled candidates, each checked against the text (grounding/facts.py)
            ──► prose checked against the article (grounding/fidelity.py) ──► Brief ──► out/<id>.json, .md

A cached answer of any model of the chain is used before any model is called; a model that fails hands the
article to the next (models/chain.py). The brief's provenance lists the models tried before the one that
answered, and why.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from summarizer import __version__
from summarizer.batch.files import atomic_write, written
from summarizer.grounding.align import occurs_in
from summarizer.grounding.facts import ground_facts
from summarizer.grounding.fidelity import check_roles
from summarizer.grounding.prose import check_prose
from summarizer.grounding.quarantine import quarantine_checks, quarantine_facts, quarantined_spans
from summarizer.grounding.termbase import Termbase
from summarizer.models.cache import AnswerCache
from summarizer.models.chain import Answered, ModelChain
from summarizer.models.prompts import load_prompt
from summarizer.review.markdown import brief_markdown
from summarizer.schema import ArticleDraft, ArticleInfo, Brief, Check, Person, PromptRef, Provenance
from summarizer.text.article import Article, cut_warning
from summarizer.text.candidates import Candidate, fact_candidates
from summarizer.text.numbers import text_locale
from summarizer.text.people import find_people

JSONL_FILE = "briefs.jsonl"  # every brief of a batch, one per line, in input order


@dataclass
class BriefRequest:
    """What is asked of the model for one article, and the cache key of the answer for each model of the chain."""

    article: Article
    candidates: list[Candidate]
    messages: list[dict[str, str]]
    prompt: PromptRef
    keys: dict[str, str]  # chain name -> cache key


def brief_request(article: Article, chain: ModelChain) -> BriefRequest:
    prompt = load_prompt("brief")
    candidates = fact_candidates(article.text)
    messages = prompt.messages(article_text=article.text, candidates=candidates, article_language=text_locale(article.text))
    return BriefRequest(article, candidates, messages, prompt.ref, chain.cache_keys(messages, prompt.ref, ArticleDraft))


async def brief_article(article: Article, chain: ModelChain, cache: AnswerCache | None = None) -> Brief:
    """The brief of one article: a cached answer of a chain model if there is one, else the first model that answers validly."""
    return await produce_brief(brief_request(article, chain), chain, cache, time.monotonic())


async def produce_brief(request: BriefRequest, chain: ModelChain, cache: AnswerCache | None, started: float, termbase: Termbase | None = None) -> Brief:
    """The brief for a request, from the cache or from the chain; raises NoValidAnswer when no model answers validly.
    `termbase`: the terms the prose is checked with (default: the packaged termbase)."""
    answered = await chain.answer(ArticleDraft, request.messages, request.keys, cache=cache, article_id=request.article.id, task="brief")
    return assemble_brief(request, answered, started, termbase)


def assemble_brief(request: BriefRequest, answered: Answered, started: float, termbase: Termbase | None = None) -> Brief:
    """The brief from the model's draft: facts grounded in the text, each statement of the prose checked against its
    sources (what fails is left out and listed in the checks), provenance."""
    text, draft = request.article.text, answered.value
    quarantined = quarantined_spans(text)  # sentences addressed to a model: nothing below rests on them
    kept, rejected = quarantine_facts(*ground_facts(text, request.candidates, draft.facts), quarantined)
    prose = check_prose(text, request.article.meta.title, draft, termbase, quarantined)
    return Brief(
        article=article_info(request.article, draft),
        title_vi=prose.title_vi,
        title_en=prose.title_en,
        summary_vi=prose.summary_vi,
        summary_en=prose.summary_en,
        key_points=prose.key_points,
        facts=kept,
        rejected=rejected,
        checks=cleaning_checks(request.article) + quarantine_checks(text, quarantined) + prose.checks + check_roles(text, draft.people),
        statements=prose.statements,
        quarantined=quarantined,
        provenance=Provenance(
            **answered.call.model_dump(),
            prompts=[request.prompt],
            wall_seconds=round(time.monotonic() - started, 3),
            summarizer_version=__version__,
        ),
    )


def article_info(article: Article, draft: ArticleDraft) -> ArticleInfo:
    """Metadata parsed from the text, plus what the model drafted that the text confirms."""
    drafted = {_fold(p.name): p for p in draft.people if occurs_in(p.name, article.text)}
    people = [  # the text's own people and positions first, with the model's English for the position when it has one
        Person(name=p.name, role_vi=p.role_vi, role_en=drafted.pop(_fold(p.name)).role_en if _fold(p.name) in drafted else None)
        for p in find_people(article.text)
    ]
    people += [Person(**p.model_dump()) for p in drafted.values()]
    organization = draft.organization if draft.organization and occurs_in(draft.organization, article.text) else None
    locality = _as_written(draft.locality, article.text)
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
        locality=locality,
        people=people,
    )


def cleaning_checks(article: Article) -> list[Check]:
    """A check when cleaning cut more than a small share of the article's text."""
    warning = cut_warning(article)
    return [Check(field="article", kind="cleaning", text=article.id, reason=warning)] if warning else []


def _as_written(locality: str | None, text: str) -> str | None:
    """The parts of a drafted locality ("Phường 6, TP. Bến Tre") that the article writes; None when none is."""
    parts = [part.strip() for part in (locality or "").split(",") if part.strip()]
    kept = [part for part in parts if occurs_in(part, text)]
    return ", ".join(kept) or None


def _fold(name: str) -> str:
    """A name as compared with another: one space between words, casefolded."""
    return " ".join(name.split()).casefold()


# --------------------------------------------------------------------------- its files


def current_brief(out_dir: Path, request: BriefRequest) -> Brief | None:
    """The brief an earlier run wrote for this article, if it is still what this run would ask for; else None."""
    json_path = out_dir / f"{request.article.id}.json"
    if not (json_path.is_file() and written(json_path.with_suffix(".md"))):
        return None
    try:
        brief = Brief.model_validate_json(json_path.read_bytes())
    except (OSError, ValueError):
        return None  # unreadable, or written by an older schema: do it again
    if brief.article.content_hash != request.article.content_hash or brief.provenance.cache_key not in request.keys.values():
        return None
    return brief


def write_brief(brief: Brief, out_dir: Path, *, sync: bool = True) -> None:
    """Both files of a brief, rendered before either is written; the JSON last, as the mark that the article is done."""
    as_json, as_markdown = brief.model_dump_json(indent=2) + "\n", brief_markdown(brief)
    atomic_write(out_dir / f"{brief.article.id}.md", as_markdown, sync=sync)
    atomic_write(out_dir / f"{brief.article.id}.json", as_json, sync=sync)


class BriefTask:
    """The brief as a task (tasks/base.py): what the batch runner, the service and the API run; `termbase` is what
    its prose is checked with (the packaged termbase, or one extended by the user's glossary files)."""

    name = "brief"

    def __init__(self, termbase: Termbase | None = None):
        self.termbase = termbase

    def request(self, article: Article, chain: ModelChain) -> BriefRequest:
        return brief_request(article, chain)

    def current(self, out_dir: Path, request: BriefRequest) -> Brief | None:
        return current_brief(out_dir, request)

    async def produce(self, request: BriefRequest, chain: ModelChain, cache: AnswerCache | None, started: float) -> Brief:
        return await produce_brief(request, chain, cache, started, self.termbase)

    def write(self, output: Brief, out_dir: Path, *, sync: bool = True) -> None:
        write_brief(output, out_dir, sync=sync)

    def output_file(self, article_id: str) -> str:
        return f"{article_id}.json"

    def finish(self, outputs: list[Brief], out_dir: Path) -> None:
        """`briefs.jsonl`: every finished brief, in input order (rebuilt at the end of every run)."""
        atomic_write(out_dir / JSONL_FILE, "".join(brief.model_dump_json() + "\n" for brief in outputs))
