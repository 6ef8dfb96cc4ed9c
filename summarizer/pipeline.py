"""The flow of one article, top to bottom, and of a batch: load, find candidates, ask the chain, ground, write.

    article ──► candidate numbers (numbers.py reads them) ──► brief prompt ──► ArticleDraft
            ──► facts = labelled candidates, each checked against the text (grounding.py) ──► Brief ──► out/<id>.json, .md

A cached answer (cache.py) of any model of the chain is used before any model is called. A model that
fails (call error, invalid output after re-asks) hands the article to the next model of the chain; the
brief's provenance lists the models tried before the one that answered, and why.

A batch runs articles concurrently on one event loop, writes each brief as soon as it is done, and skips
articles whose brief from an earlier run is still current, so an interrupted batch resumes.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from . import __version__
from .article import Article, ArticleError, load_article
from .candidates import Candidate, fact_candidates
from .cache import AnswerCache, cache_key
from .chain import ModelChain
from .fidelity import check_draft
from .grounding import verify_fact
from .language import is_english
from .llm import GENERATION, ModelCallError
from .llm import cost_usd as llm_cost
from .numbers import text_locale, to_json_number
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
    FilledForm,
    PromptRef,
    Provenance,
    RejectedFact,
    Usage,
)
from .settings import LOCAL

MAX_REASKS = 1  # re-asks resend the whole conversation: ~4 min each on the embedded model, and rarely better


class ArticleFailed(Exception):
    """No model of the chain produced a valid brief for this article."""

    def __init__(self, article_id: str, attempts: list[Attempt]):
        self.attempts = attempts
        tried = "; ".join(f"{a.model}: {a.error}" for a in attempts) or "the chain is empty"
        super().__init__(f"{article_id}: no model produced a valid brief ({tried})")


# --------------------------------------------------------------------------- one article


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
    ref = prompt.ref
    return BriefRequest(article, candidates, messages, ref, request_keys(chain, messages, ref, ArticleDraft))


def request_keys(chain: ModelChain, messages: list[dict[str, str]], prompt: PromptRef, answer_model: type[BaseModel]) -> dict[str, str]:
    """The cache key of a request's answer for each model of the chain."""
    return {
        name: cache_key(
            messages=messages,
            prompt=prompt,
            answer_model=answer_model,
            model=chain.identity(name),
            generation={**chain.call_settings(name), "max_reasks": MAX_REASKS, **GENERATION},
        )
        for name in chain.settings.chain
    }


async def brief_article(article: Article, chain: ModelChain, cache: AnswerCache | None = None) -> Brief:
    """The brief of one article: a cached answer of a chain model if there is one, else the first model that answers validly."""
    return await answer(brief_request(article, chain), chain, cache, time.monotonic())


async def answer(request: BriefRequest, chain: ModelChain, cache: AnswerCache | None, started: float) -> Brief:
    """The brief for a request, from the cache or from the chain; raises ArticleFailed when no model answers validly."""
    answered = await ask_chain(chain, cache, ArticleDraft, request.messages, request.keys, request.article.id)
    return assemble_brief(request, answered, started)


@dataclass
class Answered:
    """A valid answer, from the cache or from the first model of the chain that gave one."""

    value: BaseModel
    model: str  # the chain name of the model that answered
    usage: Usage  # tokens it cost (failed models' included; for a cached answer, what it cost when asked)
    reasks: int
    attempts: list[Attempt]  # models that failed before it, and why
    cache_hit: bool
    cache_key: str

    @property
    def cost_usd(self) -> float | None:
        return 0.0 if self.cache_hit else cost_of(self.model, self.usage)


async def ask_chain(
    chain: ModelChain, cache: AnswerCache | None, answer_model: type[BaseModel], messages: list[dict[str, str]],
    keys: dict[str, str], article_id: str,
) -> Answered:  # fmt: skip
    """A cached answer of any model of the chain, else the first valid answer of the chain, which is then cached."""
    for name in chain.settings.chain if cache else ():
        if hit := cache.get(keys[name]):
            try:
                value = answer_model.model_validate_json(hit.answer)
            except ValueError:
                continue  # an answer the current validators refuse is asked again
            return Answered(value, name, hit.usage, 0, [], cache_hit=True, cache_key=keys[name])
    attempts: list[Attempt] = []
    spent = Usage()  # tokens spent on models that then failed count too
    async for endpoint in chain.endpoints(attempts):
        try:
            result = await chain.ask(endpoint, messages, answer_model, max_reasks=MAX_REASKS)
        except ModelCallError as err:
            attempts.append(Attempt(model=endpoint.name, error=str(err)))
            spent = spent + err.usage
            continue
        if cache:
            cache.put(keys[endpoint.name], endpoint.name, result.value.model_dump_json(), result.usage)
        return Answered(result.value, endpoint.name, spent + result.usage, result.reasks, attempts, cache_hit=False, cache_key=keys[endpoint.name])
    raise ArticleFailed(article_id, attempts)


def assemble_brief(request: BriefRequest, answered: Answered, started: float) -> Brief:
    """The brief from the model's draft: facts grounded in the text, prose checked against it, provenance."""
    text, draft = request.article.text, answered.value
    kept, rejected = ground_facts(text, request.candidates, draft.facts)
    return Brief(
        article=article_info(request.article, draft),
        title_vi=draft.title_vi,
        title_en=draft.title_en,
        summary_vi=draft.summary_vi,
        summary_en=draft.summary_en,
        key_points=draft.key_points(),
        facts=kept,
        rejected=rejected,
        checks=check_draft(text, draft),
        provenance=Provenance(
            model=answered.model,
            attempts=answered.attempts,
            prompts=[request.prompt],
            usage=answered.usage,
            cost_usd=answered.cost_usd,
            reasks=answered.reasks,
            cache_hit=answered.cache_hit,
            cache_key=answered.cache_key,
            wall_seconds=round(time.monotonic() - started, 3),
            summarizer_version=__version__,
        ),
    )


def cost_of(model: str, usage: Usage) -> float | None:
    """Dollars by litellm's offline price list; 0 for the local model; None when the provider has no price."""
    if model == LOCAL or usage.total_tokens == 0:
        return 0.0
    return llm_cost(model, usage)


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
    nouns = counted_nouns(candidates)
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


def counted_nouns(candidates: list[Candidate]) -> set[str]:
    """What the article's numbers count ("đảng viên", "chi bộ", "hộ"...): not percents or money."""
    return {c.mention.unit for c in candidates if c.mention.unit and c.mention.kind != "percent" and c.mention.unit != "VND"}


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
    result: Brief | FilledForm | None = None  # what was written for it
    error: str | None = None
    resumed: bool = False  # its output from an earlier run was current and was kept: nothing was redone
    seconds: float = 0.0  # wall time spent on it in this run


async def run_batch(
    paths: list[Path],
    process: Callable[[Path], Awaitable[Outcome]],
    *,
    concurrency: int = 4,
    on_done: Callable[[Outcome], None] | None = None,
    finish: Callable[[list[Outcome]], None] | None = None,
) -> list[Outcome]:
    """`process` every article, up to `concurrency` at a time, on one event loop; `finish` gets the finished ones,
    in input order, at the end or when the batch is interrupted."""
    limit = asyncio.Semaphore(max(1, concurrency))
    outcomes: dict[int, Outcome] = {}

    async def one(index: int, path: Path) -> None:
        async with limit:
            outcomes[index] = await process(path)
        if on_done:
            on_done(outcomes[index])

    try:
        await asyncio.gather(*(one(i, path) for i, path in enumerate(paths)))
    finally:
        finished = [outcomes[i] for i in sorted(outcomes)]
        if finish:
            finish(finished)
        os.sync()  # the articles' files were written without waiting for the disk: now they are all on it
    return finished


async def brief_batch(
    paths: list[Path],
    chain: ModelChain,
    out_dir: Path,
    *,
    concurrency: int = 4,
    cache: AnswerCache | None = None,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Brief every article; one bad article never stops the others.

    Each article's files are written atomically as soon as it is done, and an article whose files from an
    earlier run are still current is not redone, so a killed batch run again finishes only the rest.
    `briefs.jsonl` is rebuilt from every finished article, in input order, at the end (or on interruption).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_partial_files(out_dir)  # what a run killed mid-write left

    def finish(finished: list[Outcome]) -> None:
        write_jsonl([o.result for o in finished if o.result], out_dir / "briefs.jsonl")

    return await run_batch(
        paths, lambda path: brief_file(path, chain, out_dir, cache), concurrency=concurrency, on_done=on_done, finish=finish
    )


async def brief_file(path: Path, chain: ModelChain, out_dir: Path, cache: AnswerCache | None) -> Outcome:
    """One article of a batch, from its file to its written brief (or the current one an earlier run wrote)."""

    async def work(article: Article, started: float) -> tuple[Brief, bool]:
        request = brief_request(article, chain)
        if (earlier := current_brief(out_dir, request)) is not None:
            return earlier, True
        brief = await answer(request, chain, cache, started)
        write_brief(brief, out_dir, sync=False)  # the batch syncs once at its end
        return brief, False

    return await file_outcome(path, work)


async def file_outcome(path: Path, work: Callable[[Article, float], Awaitable[tuple[Brief | FilledForm, bool]]]) -> Outcome:
    """Load one article and `work` on it (what it returns is written, or was current); every failure is caught and
    reported in one line, so one article never stops a batch."""
    started = time.monotonic()
    outcome = Outcome(path=str(path))
    try:
        article = load_article(path)
        outcome.article_id = article.id
        outcome.result, outcome.resumed = await work(article, started)  # set only once written: unwritten is failed
    except (ArticleError, ArticleFailed) as err:
        outcome.error = str(err)
    except Exception as err:  # a bug must cost one article, not the batch; it is reported and the exit code says so
        outcome.error = f"{path}: internal error, please report it ({type(err).__name__}: {err})"
    outcome.seconds = round(time.monotonic() - started, 3)
    return outcome


def current_brief(out_dir: Path, request: BriefRequest) -> Brief | None:
    """The brief an earlier run wrote for this article, if it is still what this run would ask for; else None."""
    json_path = out_dir / f"{request.article.id}.json"
    if not (json_path.is_file() and _written(json_path.with_suffix(".md"))):
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


def _written(path: Path) -> bool:
    """A file with content: one that a crash of the machine emptied (written, not yet synced) is written again."""
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def write_jsonl(briefs: list[Brief], path: Path) -> None:
    atomic_write(path, "".join(b.model_dump_json() + "\n" for b in briefs))


PARTIAL_SUFFIX = ".partial"  # a file being written; one left behind by a killed run is removed by the next


def remove_partial_files(out_dir: Path) -> None:
    for partial in out_dir.glob(f".*{PARTIAL_SUFFIX}"):
        partial.unlink(missing_ok=True)


def atomic_write(path: Path, text: str, *, sync: bool = True) -> None:
    """Write `text` to `path` so that readers see the old file or the whole new one, never a part.

    `sync`: wait until the content is on the disk before the rename (~0.25 ms here, more on a busy disk). Without it the
    file is as safe against the program being killed (kill -9), but a crash of the machine can leave it empty; a
    batch writes its articles' files so and syncs once at its end."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.{next(_partial_numbers)}{PARTIAL_SUFFIX}")
    try:
        with open(partial, "x", encoding="utf-8") as handle:  # "x": a name of this process alone, never reused
            handle.write(text)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


_partial_numbers = itertools.count()
