"""The brief of one article, top to bottom: its sentences, the model's three small tasks, the checks, the written files.

    article ──► numbered sentences, candidate numbers (none from a sentence addressed to a model)
            ──► parts: one, or several for a document longer than one call carries (text/parts.py); for each part:
                ──► select: the model picks the summary's and the key points' sentences by number   ┐ one prefix (the
                ──► labels: the model says what each candidate number counts                        │ part), evaluated
                ──► its share of the brief planned; translate: the chosen sentences, terms given    ┘ once by llama.cpp
                ──► each translation checked against its own sentence ──► failing ones re-asked once with the problems
            ──► the parts' shares joined ──► facts = labelled candidates checked against the text (grounding/facts.py)
            ──► Brief ──► out/<id>.json, .md

A small model fails at eight jobs in one call; each call here asks one thing, and the program does what it
knows (sentences, numbers, people, offsets). The calls about one article open with the same instructions and the
same numbered article, so llama.cpp evaluates that prefix once. A cached answer of any model of the chain is used
before any model is called; a model that fails hands the call to the next (models/chain.py).
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from pathlib import Path

from summarizer import __version__
from summarizer.batch.files import atomic_write, written
from summarizer.grounding.about import organisation_and_locality
from summarizer.grounding.facts import ground_facts
from summarizer.grounding.labels import termbase_used
from summarizer.grounding.prose import (
    Limits,
    NumberedSentence,
    Plan,
    checked_prose,
    numbered_sentences,
    part_limits,
    plan_brief,
    reasons,
    translation_problems,
)
from summarizer.grounding.quarantine import outside, quarantine_checks, quarantine_facts, quarantined_spans
from summarizer.grounding.statements import Problem
from summarizer.grounding.termbase import Termbase, default_termbase
from summarizer.models.cache import AnswerCache
from summarizer.models.chain import ModelChain
from summarizer.models.prompts import answer_fields, load_prompt
from summarizer.review.markdown import brief_markdown
from summarizer.schema import (
    ArticleInfo,
    Brief,
    Call,
    Check,
    FactLabel,
    FactLabels,
    Person,
    PromptRef,
    Provenance,
    Quarantined,
    Selection,
    Translation,
    Translations,
    Usage,
    total_cost,
)
from summarizer.tasks.base import part_done
from summarizer.text.article import Article, cut_warning
from summarizer.text.candidates import Candidate, fact_candidates
from summarizer.text.numbers import text_locale
from summarizer.text.parts import Part, split_parts, unit
from summarizer.text.people import NamedPerson, find_people

JSONL_FILE = "briefs.jsonl"  # every brief of a batch, one per line, in input order
STEPS = ("select", "labels", "translate", "retranslate")  # the prompts of a brief: article.STEP.j2


@dataclass
class BriefPart:
    """One part of the article as the model is asked about it: the sentences it carries (`sentences`, its overlap
    with its neighbours included), the candidates it owns, its share of the brief, and its two first calls: the
    selection (`messages`, `keys`: the cache key for each model of the chain) and the labels. An article that fits
    one call is one part; a long document is several (text/parts.py)."""

    part: Part
    sentences: list[NumberedSentence]
    candidates: list[Candidate]
    limits: Limits
    messages: list[dict[str, str]]
    keys: dict[str, str]
    label_messages: list[dict[str, str]]
    label_keys: dict[str, str]

    @property
    def number(self) -> int | None:
        """The part's number in provenance: None for an article asked in one part."""
        return self.part.index if self.part.total > 1 else None


@dataclass
class BriefRequest:
    """What is asked of the model for one article before any answer: for each of its parts, the selection and the
    labels; the translations follow from the selections' answers."""

    article: Article
    sentences: list[NumberedSentence]
    quarantined: list[Quarantined]
    candidates: list[Candidate]
    people: list[NamedPerson]
    parts: list[BriefPart]
    prompts: list[PromptRef]


def brief_request(article: Article, chain: ModelChain) -> BriefRequest:
    text = article.text
    quarantined = quarantined_spans(text)  # sentences addressed to a model: the model never sees them, nothing rests on them
    sentences = numbered_sentences(text, article.meta.title, quarantined)
    candidates = outside(fact_candidates(text), quarantined)
    parts = split_parts(
        [unit(s.start, s.end, candidates, text) for s in sentences],
        chain.part_budget(),
        breaks=frozenset(i for i, s in enumerate(sentences) if s.number is None),
    )
    limits = part_limits([sum(1 for s in sentences[p.first : p.last + 1] if s.number is not None) for p in parts])
    select, labels = load_prompt("article", "select"), load_prompt("article", "labels")
    asked = []
    for part, share in zip(parts, limits):
        carried = sentences[part.carried_first : part.carried_last + 1]
        owned = [c for c in candidates if part.owns(c.mention.start)]
        shared = {"sentences": carried, "article_text": text, "part": part if part.total > 1 else None}
        messages = select.messages(**shared, fields=answer_fields(Selection))
        label_messages = labels.messages(**shared, candidates=owned, fields=answer_fields(FactLabel))
        asked.append(
            BriefPart(
                part=part,
                sentences=carried,
                candidates=owned,
                limits=share,
                messages=messages,
                keys=chain.cache_keys(messages, select.ref, Selection, shared_prefix=True),
                label_messages=label_messages,
                label_keys=chain.cache_keys(label_messages, labels.ref, FactLabels, shared_prefix=True),
            )
        )
    return BriefRequest(
        article=article,
        sentences=sentences,
        quarantined=quarantined,
        candidates=candidates,
        people=find_people(text),
        parts=asked,
        prompts=[load_prompt("article", step).ref for step in STEPS],
    )


async def brief_article(article: Article, chain: ModelChain, cache: AnswerCache | None = None) -> Brief:
    """The brief of one article: cached answers of a chain model where there are some, else the first model that answers validly."""
    return await produce_brief(brief_request(article, chain), chain, cache, time.monotonic())


async def produce_brief(request: BriefRequest, chain: ModelChain, cache: AnswerCache | None, started: float, termbase: Termbase | None = None) -> Brief:
    """The brief for a request, each step from the cache or from the chain; raises NoValidAnswer when no model answers
    one of them validly. `termbase`: the terms given to the model and the prose is checked with (default: packaged).

    Part by part (one, for an article that fits a call): the selection, the labels, the part's share of the brief
    planned, and its sentences translated while the part is the model's prefix; then the parts' shares together."""
    termbase = termbase or default_termbase()
    article, text = request.article, request.article.text
    own = "en" if text_locale(text) == "en" else "vi"
    other = "vi" if own == "en" else "en"

    async def ask(part: BriefPart, model, messages, keys, step):
        nonlocal asking
        answered = await asking.answer(model, messages, keys, cache=cache, article_id=article.id, task="brief", shared_prefix=True)
        calls.append(Call(**answered.call.model_dump(), fields=[step], part=part.number))
        names = asking.settings.chain
        asking = asking.with_models(names[names.index(answered.call.model) :])  # the next steps start from the model that answered
        return answered.value

    calls: list[Call] = []
    asking = chain
    figures = {s.key: sum(1 for c in request.candidates if s.start <= c.mention.start < s.end) for s in request.sentences}
    by_key = {s.key: s for s in request.sentences}
    selections: list[Selection] = []
    labelled: list[FactLabel] = []
    plans: list[Plan] = []
    translated: dict[str, str] = {}
    problems: dict[str, list[Problem]] = {}
    reasked: set[str] = set()
    for part in request.parts:
        selections.append(await ask(part, Selection, part.messages, part.keys, "select"))
        labels: FactLabels = await ask(part, FactLabels, part.label_messages, part.label_keys, "labels")
        owned = {c.id for c in part.candidates}
        labelled += [label for label in labels.facts if label.id in owned]  # a candidate is labelled by the part that owns it
        taken = frozenset(key for plan in plans for key in plan.keys())
        plans.append(plan_brief(part.sentences, article.meta.title, selections[-1], figures, limits=part.limits, taken=taken))
        sources = {by_key[key].label: by_key[key].text for key in plans[-1].keys()}  # what each item to translate says
        if part is request.parts[0]:
            sources |= {f"R{i}": person.role_vi for i, person in enumerate(request.people, 1) if person.role_vi}
        done = await translate(sources, request, part, chain, termbase, other, functools.partial(ask, part))
        translated |= done[0]
        problems |= done[1]
        reasked |= done[2]
        part_done(article.id, part.part.index, part.part.total)
    plan = joined(plans)

    prose = checked_prose(
        request.sentences,
        plan,
        {key: translated.get(by_key[key].label, "") for key in plan.keys()},
        {key: problems[by_key[key].label] for key in plan.keys()},
        own=own,
        reasked={key for key in plan.keys() if by_key[key].label in reasked},
    )
    people = [
        Person(name=p.name, role_vi=p.role_vi, role_en=None if problems.get(f"R{i}", True) else translated[f"R{i}"]) for i, p in enumerate(request.people, 1)
    ]
    role_checks = [
        Check(field=f"people[{i - 1}].role_{other}", kind=p.kind, text=p.text, reason=p.reason, statement=translated.get(f"R{i}"))
        for i in range(1, len(request.people) + 1)
        for p in problems.get(f"R{i}", [])
    ]

    with termbase_used(termbase):  # a candidate the model did not label is named with the user's glossary too
        kept, rejected = quarantine_facts(*ground_facts(text, request.candidates, labelled), request.quarantined)
    return Brief(
        article=article_info(article, about(selections), people),
        title_vi=prose.title_vi,
        title_en=prose.title_en,
        summary_vi=prose.summary_vi,
        summary_en=prose.summary_en,
        key_points=prose.key_points,
        facts=kept,
        rejected=rejected,
        checks=cleaning_checks(article) + quarantine_checks(text, request.quarantined) + prose.checks + role_checks,
        statements=prose.statements,
        quarantined=request.quarantined,
        provenance=provenance(calls, request.prompts, started),
    )


def joined(plans: list[Plan]) -> Plan:
    """The parts' shares of a brief as one plan: the first part's title, then every part's summary and key points."""
    return Plan(
        title=plans[0].title,
        summary=[key for plan in plans for key in plan.summary],
        key_points=[key for plan in plans for key in plan.key_points],
        checks=[check for plan in plans for check in plan.checks],
    )


def about(selections: list[Selection]) -> Selection:
    """The first part's selection, with the organisation and locality of the first part that names them."""
    first = selections[0]
    organization = next((s.organization for s in selections if s.organization), None)
    locality = next((s.locality for s in selections if s.locality), None)
    return first.model_copy(update={"organization": organization, "locality": locality})


async def translate(
    sources: dict[str, str], request: BriefRequest, part: BriefPart, chain: ModelChain, termbase: Termbase, target: str, ask
) -> tuple[dict[str, str], dict[str, list[Problem]], set[str]]:
    """The items (label -> text in the article's language) translated into `target` with the termbase's renderings of
    their terms, each checked against its own item; those that fail asked once more with their problems. Returns the
    translations, the problems that remain (label -> problems), and the labels asked again. The calls open with the
    part of the article they come from."""
    if not sources:
        return {}, {}, set()
    own = "vi" if target == "en" else "en"
    prompt = load_prompt("article", "translate")
    shared = {
        "sentences": part.sentences,
        "article_text": request.article.text,
        "part": part.part if part.part.total > 1 else None,
        "terms": sorted(termbase.terms_of("\n".join(sources.values()), own), key=lambda t: t.vi),
        "target": "English" if target == "en" else "Vietnamese",
        "fields": answer_fields(Translation),
    }
    messages = prompt.messages(**shared, items=[{"id": label, "text": text} for label, text in sources.items()])
    answer: Translations = await ask(Translations, messages, chain.cache_keys(messages, prompt.ref, Translations, shared_prefix=True), "translate")
    translated = {_label(t.id): t.text.strip() for t in answer.translations}

    def problems_of(label: str) -> list[Problem]:
        return translation_problems(sources[label], translated.get(label), target=target, source_language=own, termbase=termbase)

    problems = {label: problems_of(label) for label in sources}
    failing = [label for label, found in problems.items() if found]
    if failing:  # once more, with the exact problems (a fresh call: a small model shown its own answer repeats it)
        again = load_prompt("article", "retranslate")
        items = [{"id": label, "text": sources[label], "reasons": reasons(problems[label])} for label in failing]
        retry = again.messages(**shared, items=items)
        retried: Translations = await ask(Translations, retry, chain.cache_keys(retry, again.ref, Translations, shared_prefix=True), "retranslate")
        for t in retried.translations:
            if (label := _label(t.id)) in failing:
                translated[label] = t.text.strip()
                problems[label] = problems_of(label)
    return translated, problems, set(failing)


def _label(item_id: str) -> str:
    """An item's label as the model wrote it, without spaces or brackets: "[4]" -> "4"."""
    return item_id.strip().strip("[]").strip()


def provenance(calls: list[Call], prompts: list[PromptRef], started: float) -> Provenance:
    """The brief's provenance: its calls, and their sum in the fields it shares with one call."""
    return Provenance(
        model=", ".join(dict.fromkeys(call.model for call in calls)),
        attempts=[attempt for call in calls for attempt in call.attempts],
        usage=sum((call.usage for call in calls), Usage()),
        cost_usd=total_cost([call.cost_usd for call in calls]),
        reasks=sum(call.reasks for call in calls),
        cache_hit=all(call.cache_hit for call in calls),
        cache_key=calls[0].cache_key,
        calls=calls,
        prompts=prompts,
        wall_seconds=round(time.monotonic() - started, 3),
        summarizer_version=__version__,
    )


def article_info(article: Article, selection: Selection, people: list[Person]) -> ArticleInfo:
    """Metadata parsed from the text, the people the program found in it, and what the model chose that the text confirms."""
    organization, locality = organisation_and_locality(selection.organization, selection.locality, article.text)
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
    asked = [(part.keys, part.label_keys) for part in request.parts]
    answered = [[call.cache_key for call in brief.provenance.calls if call.fields == [step]] for step in ("select", "labels")]
    if (
        brief.article.content_hash != request.article.content_hash
        or len(answered[0]) != len(asked)
        or len(answered[1]) != len(asked)
        or any(select not in keys.values() or labels not in label_keys.values() for (keys, label_keys), select, labels in zip(asked, *answered))
        or brief.provenance.prompts != request.prompts
    ):
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
