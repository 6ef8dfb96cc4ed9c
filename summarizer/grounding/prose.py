"""A brief's prose as statements: each traced to the article sentences it rests on, checked against them, kept or left out.

    title, summary sentences, key points in the article's language ──► the article sentences each rests on (by words)
    their twins in the other language ──► the same sources ──► statement checker (grounding/statements.py) ──► kept | left out

A statement in the article's language is a source sentence or a condensation of it, so its sources are the article
sentences it shares most words with. Its twin is its translation and rests on the same sources. A sentence of the
other-language summary that its twin summary's sources do not support may rest on the sentences that state its
numbers instead (small models translate one summary and condense another); a key point is a pair, and a pair whose
sides do not rest on the same sources is not shown. A statement whose words no sentence of the article carries has
no sources and is left out. Whatever is left out is listed in the checks with the reason and the text the model
wrote, so a brief never shows an unchecked statement as if it were checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from summarizer.grounding.align import normalise
from summarizer.grounding.quarantine import inside
from summarizer.grounding.statements import check_statement, quantities
from summarizer.grounding.termbase import Termbase, default_termbase
from summarizer.schema import ArticleDraft, Check, KeyPoint, Quarantined, Source, Statement
from summarizer.text.language import FUNCTION_WORDS
from summarizer.text.numbers import text_locale
from summarizer.text.sentences import article_sentences, split_sentences

MIN_CARRIED = 0.6  # share of a statement's words its sources must carry for it to rest on them
MIN_GAIN = 2  # words of the statement a further source sentence must add (a condensation of several sentences)
MAX_SOURCES = 3  # article sentences one statement may rest on
MIN_WORDS = {"en": 5, "vi": 5}  # a summary sentence or key point shorter than this is a fragment ("growth rate")
_WORD = re.compile(r"\w+")
_ENDS_CUT = re.compile(r"(?:\b(?:and|or|of|the|a|an|to|with|for|in|on|by|as|at|from|và|của|các|những|với|cho|trong|là)|[,;:(“\"-])\s*$", re.IGNORECASE)


@dataclass
class CheckedProse:
    """The prose of a brief after the checks: what may be shown, every statement with its sources, and the checks."""

    title_vi: str
    title_en: str
    summary_vi: str
    summary_en: str
    key_points: list[KeyPoint]
    statements: list[Statement] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)


def check_prose(text: str, headline: str | None, draft: ArticleDraft, termbase: Termbase | None = None, quarantined: list[Quarantined] = ()) -> CheckedProse:
    """Every statement of the draft's prose, traced to its sources in the article `text` (whose own `headline` the
    titles may rest on) and checked against them, offices and units through `termbase` (default: the packaged one).
    No statement rests on a `quarantined` sentence (one addressed to a model)."""
    sentences = [(s.start, s.end) for s in article_sentences(text) if inside(s.start, s.end, quarantined) is None]
    checker = _Checker(text, sentences, termbase or default_termbase())
    own, other = ("en", "vi") if text_locale(text) == "en" else ("vi", "en")  # the article's language, and the twins'
    drafted = {"vi": (draft.title_vi, draft.summary_vi), "en": (draft.title_en, draft.summary_en)}
    pairs = [{"vi": p.vi, "en": p.en} for p in draft.key_points()]

    title, summary = {}, {}
    title_sources = checker.title_sources(headline, drafted[own][0])
    for language in (own, other):
        title[language] = checker.statement(f"title_{language}", drafted[language][0], language, title_sources)
    summary[own] = [checker.statement(f"summary_{own}", s, own, checker.sources_of(s)) for s in _sentences(drafted[own][1])]
    summary_sources = _union([s.sources for s in summary[own]])
    summary[other] = [checker.twin(f"summary_{other}", s, other, summary_sources) for s in _sentences(drafted[other][1])]

    points = []
    for i, pair in enumerate(pairs):
        first = checker.statement(f"key_points[{i}].{own}", pair[own], own, checker.sources_of(pair[own]))
        second = checker.statement(f"key_points[{i}].{other}", pair[other], other, first.sources)
        if first.kept and second.kept:
            points.append(KeyPoint(vi=pair["vi"], en=pair["en"]))
        else:  # a key point is a pair: when one side fails, neither is shown
            checker.leave_out(first, second)

    return CheckedProse(
        title_vi=title["vi"].text if title["vi"].kept else "",
        title_en=title["en"].text if title["en"].kept else "",
        summary_vi=" ".join(s.text for s in summary["vi"] if s.kept),
        summary_en=" ".join(s.text for s in summary["en"] if s.kept),
        key_points=points,
        statements=checker.statements,
        checks=checker.checks,
    )


class _Checker:
    """The article's sentences, and the statements checked against them so far with the checks they raised."""

    def __init__(self, text: str, sentences: list[tuple[int, int]], termbase: Termbase):
        self.text, self.sentences, self.termbase = text, sentences, termbase
        self.keys = [_words(text[start:end]) for start, end in sentences]
        self.words = [set(key.split()) for key in self.keys]
        self.locale = text_locale(text)
        self._values: list[set] | None = None  # the numbers each sentence states, read when first needed
        self.statements: list[Statement] = []
        self.checks: list[Check] = []

    def sources_of(self, statement: str) -> list[Source]:
        """The article sentences a statement in the article's language rests on: the fewest that together carry most of
        its words (the one carrying most first, then each that adds words), or none when they carry too few."""
        wanted = set(_words(statement).split()) - FUNCTION_WORDS
        if not wanted:
            return []
        chosen: list[int] = []
        carried: set[str] = set()
        for _ in range(MAX_SOURCES):
            gain, best = max(((len((wanted & words) - carried), i) for i, words in enumerate(self.words) if i not in chosen), default=(0, -1))
            if gain == 0 or (chosen and gain < MIN_GAIN):
                break
            chosen.append(best)
            carried |= wanted & self.words[best]
        return self._sources(chosen) if len(carried) >= MIN_CARRIED * len(wanted) else []

    def title_sources(self, headline: str | None, drafted: str) -> list[Source]:
        """The article's own headline, its first sentence after it (the lead), and the sentences the drafted title
        shares most words with (a small model often titles a brief with a sentence of the body)."""
        found = [i for i, key in enumerate(self.keys) if headline and key == _words(headline)][:1]
        lead = next((i for i in range((found[0] + 1) if found else 0, len(self.sentences)) if len(self.keys[i].split()) >= 8), None)
        found += [lead] if lead is not None else []
        spans = {(s.start, s.end): s for s in [*self._sources(found), *self.sources_of(drafted)]}
        return [spans[key] for key in sorted(spans)]

    def _sources(self, indices) -> list[Source]:
        return [Source(start=self.sentences[i][0], end=self.sentences[i][1]) for i in sorted(set(indices))]

    def sentences_stating(self, statement: str, language: str) -> list[Source]:
        """The article sentences that state the most of a statement's numbers (at most MAX_SOURCES, best first)."""
        wanted = {q.value for q in quantities(statement, language)}
        if not wanted:
            return []
        if self._values is None:
            source_language = "en" if self.locale == "en" else "vi"
            self._values = [{q.value for q in quantities(self.text[a:b], source_language, self.locale)} for a, b in self.sentences]
        scored = sorted(((len(wanted & values), i) for i, values in enumerate(self._values) if wanted & values), reverse=True)
        return self._sources(i for _, i in scored[:MAX_SOURCES])

    def twin(self, where: str, text: str, language: str, sources: list[Source]) -> Statement:
        """A sentence of the other-language summary: on its twin summary's sources, else on the sentences that state
        its numbers, if they support it."""
        problems = self._problems(where, text, language, sources)
        if problems and (stating := self.sentences_stating(text, language)) and stating != sources:
            if not self._problems(where, text, language, stating):
                sources, problems = stating, []
        return self._record(where, text, sources, problems)

    def statement(self, where: str, text: str, language: str, sources: list[Source]) -> Statement:
        return self._record(where, text, sources, self._problems(where, text, language, sources))

    def _problems(self, where: str, text: str, language: str, sources: list[Source]) -> list[tuple[str, str, str]]:
        problems = []
        if not sources:
            problems.append(("source", text[:80], "no sentence of the article says this"))
        else:
            quoted = [self.text[s.start : s.end] for s in sources]
            problems += [
                (p.kind, p.text, p.reason) for p in check_statement(text, quoted, language=language, termbase=self.termbase, source_language=self.locale)
            ]
        if _ENDS_CUT.search(text.strip()) and not text.strip().endswith(("…", "...")):
            problems.append(("truncated", text.strip()[-40:], "the statement ends mid-sentence"))
        elif not where.startswith("title") and len(_WORD.findall(text)) < MIN_WORDS[language]:
            problems.append(("truncated", text.strip(), "a fragment, not a statement"))
        return problems

    def _record(self, where: str, text: str, sources: list[Source], problems: list[tuple[str, str, str]]) -> Statement:
        statement = Statement(field=where, text=text, sources=sources, kept=not problems)
        self.statements.append(statement)
        self.checks += [Check(field=where, kind=kind, text=said, reason=reason, statement=text) for kind, said, reason in problems]
        return statement

    def leave_out(self, *statements: Statement) -> None:
        """Statements that pass their own checks but are left out with their twin."""
        for statement in statements:
            if statement.kept:
                statement.kept = False
                self.checks.append(
                    Check(
                        field=statement.field, kind="source", text=statement.text[:80], reason="left out with its other-language twin", statement=statement.text
                    )
                )


def _words(text: str) -> str:
    """A sentence as compared: normalised (case, tone placement, quotes), its words only."""
    return " ".join(_WORD.findall(normalise(text)[0]))


def _sentences(text: str) -> list[str]:
    return [s.text for s in split_sentences(text or "")]


def _union(groups: list[list[Source]]) -> list[Source]:
    seen = {(s.start, s.end): s for group in groups for s in group}
    return [seen[key] for key in sorted(seen)]
