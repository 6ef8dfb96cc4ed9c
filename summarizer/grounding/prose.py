"""A brief's prose: the article's own sentences chosen by number, their translations checked against them, kept or left out.

    the article's sentences, numbered (quarantined ones left out) ──► the model picks summary and key points by number
    ──► plan_brief: the title (the headline, else the lead), the summary, the key points, each an article sentence
    ──► the model translates them ──► translation_problems: each against its own sentence (grounding/statements.py)
    ──► re-asked once with the problems ──► checked_prose: a pair whose translation still fails is left out

A statement in the article's language is the article's sentence itself, so it is grounded by construction; its twin
in the other language is the translation of that sentence and is checked against it, not against the whole article.
Whatever is left out is listed in the checks with the reason and the text the model wrote, so a brief never shows an
unchecked statement as if it were checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from summarizer.grounding.align import normalise
from summarizer.grounding.quarantine import inside
from summarizer.grounding.statements import Problem, check_statement
from summarizer.grounding.termbase import Termbase, default_termbase
from summarizer.schema import Check, KeyPoint, Quarantined, Selection, Source, Statement
from summarizer.text.language import is_english, is_vietnamese
from summarizer.text.sentences import article_sentences

MIN_WORDS = 5  # words (with a letter) of an article sentence shorter than this: a date line, a byline, a fragment
LEAD_WORDS = 8  # the lead, the title's source when the article's headline is not in its text, has at least this many
MAX_SUMMARY = 3
MAX_KEY_POINTS = 4
MIN_KEY_POINTS = 3
LONG_SUMMARY = 8  # summary sentences of a long document, one from each part while there are fewer parts
LONG_KEY_POINTS = 12  # key points of a long document, shared among its parts
_WORD = re.compile(r"\w+")
_ENDS_CUT = re.compile(r"(?:\b(?:and|or|of|the|a|an|to|with|for|in|on|by|as|at|from|và|của|các|những|với|cho|trong|là)|[,;:(“\"-])\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class NumberedSentence:
    """A sentence of the article as the model sees it: its place among the sentences shown (`key`), the number the model
    chooses it by (None for the headline, a date line, a byline: never a statement of the brief), its span, its words."""

    key: int
    number: int | None
    start: int
    end: int
    text: str

    @property
    def source(self) -> Source:
        return Source(start=self.start, end=self.end)

    @property
    def label(self) -> str:
        """Its label in a list of items to translate: its number, or T for the headline."""
        return str(self.number) if self.number is not None else "T"


def numbered_sentences(text: str, headline: str | None = None, quarantined: list[Quarantined] = ()) -> list[NumberedSentence]:
    """The article's sentences as the model sees them, without those addressed to a model (it never sees them): the
    statements numbered from 1; the headline, date lines and bylines shown without a number."""
    shown = [s for s in article_sentences(text) if inside(s.start, s.end, quarantined) is None]
    wanted, numbered, count = _words(headline or ""), [], 0
    for key, s in enumerate(shown, 1):
        statement = _word_count(s.text) >= MIN_WORDS and not (wanted and _words(s.text) == wanted)
        count += statement
        numbered.append(NumberedSentence(key, count if statement else None, s.start, s.end, s.text))
    return numbered


@dataclass
class Plan:
    """The sentences a brief is made of (their keys): the title's, the summary's and the key points', in article order;
    and the checks for the choices of the model that were refused or made up for."""

    title: int | None
    summary: list[int]
    key_points: list[int]
    checks: list[Check] = field(default_factory=list)

    def keys(self) -> list[int]:
        """Every sentence to translate, once each, in the order the brief shows them."""
        chosen = ([self.title] if self.title is not None else []) + self.summary + self.key_points
        return list(dict.fromkeys(chosen))


def plan_brief(
    sentences: list[NumberedSentence],
    headline: str | None,
    selection: Selection,
    figures: dict[int, int] | None = None,
    *,
    limits: Limits | None = None,
    taken: frozenset[int] = frozenset(),
) -> Plan:
    """The title's sentence (the article's headline when its text has it, else the lead) and the sentences the model
    chose by number, the key points other than the summary's. Made up for by the program: no usable summary sentence
    gives the lead; fewer than MIN_KEY_POINTS key points are topped up with the sentences that state the most of the
    article's figures (`figures`: sentence key -> how many candidate numbers it states).

    For a part of a long document, `sentences` are the part's, `limits` its share of the brief (no title but in the
    first part) and `taken` the sentences earlier parts chose."""
    limits = limits or Limits()
    by_number = {s.number: s for s in sentences if s.number is not None}
    statements = [s.key for s in sentences if s.number is not None and s.key not in taken]
    title = _title_sentence(sentences, headline) if limits.titled else None
    checks: list[Check] = []

    def chosen(where: str, numbers: list[int], limit: int, taken: set[int]) -> list[int]:
        kept = []
        for number in dict.fromkeys(numbers):
            sentence = by_number.get(number)
            if sentence is None:
                checks.append(Check(field=where, kind="source", text=str(number), reason="the model chose a sentence number the article does not have"))
            elif sentence.key not in taken and sentence.key not in before and sentence.key != title and len(kept) < limit:
                kept.append(sentence.key)
        return sorted(kept)

    before = taken
    summary = chosen("summary", selection.summary, limits.summary, set())
    if not summary and (lead := next((key for key in statements if key != title), None)) is not None:
        summary = [lead]
        checks.append(
            Check(
                field="summary", kind="source", text=str(selection.summary)[:80], reason="the model chose no usable sentence: the lead stands for the summary"
            )
        )
    key_points = chosen("key_points", selection.key_points, limits.key_points, set(summary))
    if len(key_points) < min(MIN_KEY_POINTS, limits.key_points) and figures:
        used = {title, *summary, *key_points}
        stating = sorted((key for key in statements if figures.get(key) and key not in used), key=lambda key: (-figures[key], key))
        key_points = sorted(key_points + stating[: limits.key_points - len(key_points)])
    return Plan(title=title, summary=summary, key_points=key_points, checks=checks)


@dataclass(frozen=True)
class Limits:
    """How much of a brief one part of a document may give: its summary and key point sentences, and the title."""

    summary: int = MAX_SUMMARY
    key_points: int = MAX_KEY_POINTS
    titled: bool = True


def part_limits(statements: list[int]) -> list[Limits]:
    """Each part's share of the brief (`statements`: how many statements each part owns): one part gives the whole
    brief; the parts of a long document give a summary sentence each and key points by their share of the document,
    within LONG_SUMMARY and LONG_KEY_POINTS in all, so the brief covers the document and not its first part."""
    if len(statements) <= 1:
        return [Limits()]
    summary = _shares(min(max(MAX_SUMMARY, len(statements)), LONG_SUMMARY), statements)
    key_points = _shares(min(max(MAX_KEY_POINTS, 2 * len(statements)), LONG_KEY_POINTS), statements)
    return [Limits(summary=s, key_points=k, titled=i == 0) for i, (s, k) in enumerate(zip(summary, key_points))]


def _shares(total: int, weights: list[int]) -> list[int]:
    """`total` shared out by `weights` (largest remainders), at least one each while there are enough; when there are
    fewer than parts, one each to parts spread evenly over the document."""
    n = len(weights)
    if total < n:
        chosen = {round(i * (n - 1) / max(1, total - 1)) for i in range(total)}
        return [int(i in chosen) for i in range(n)]
    weights = weights if sum(weights) else [1] * n
    exact = [1 + (total - n) * w / sum(weights) for w in weights]
    shares = [int(x) for x in exact]
    for i in sorted(range(n), key=lambda i: (shares[i] - exact[i], i))[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _title_sentence(sentences: list[NumberedSentence], headline: str | None) -> int | None:
    wanted = _words(headline or "")
    for sentence in sentences:
        if wanted and _words(sentence.text) == wanted:
            return sentence.key
    return next((s.key for s in sentences if _word_count(s.text) >= LEAD_WORDS), None)


def _word_count(text: str) -> int:
    """Words with a letter in them: a date line ("26/12/2014 - 07:29") has none."""
    return sum(1 for word in _WORD.findall(text) if not word.isdigit())


def translation_problems(source: str, translation: str | None, *, target: str, source_language: str, termbase: Termbase | None = None) -> list[Problem]:
    """What a translation into `target` ("en" or "vi") of the article's `source` sentence says that the sentence does
    not (the statement checker), and whether it is a whole sentence in the target language at all."""
    if not translation or not translation.strip():
        return [Problem("source", "", "the model gave no translation")]
    problems = check_statement(translation, [source], language=target, termbase=termbase or default_termbase(), source_language=source_language)
    in_language = is_english(translation) if target == "en" else is_vietnamese(translation)
    if not in_language:
        problems.append(Problem("language", translation[:80], f"it is not written in {'English' if target == 'en' else 'Vietnamese'}"))
    if _ENDS_CUT.search(translation.strip()) and not _ENDS_CUT.search(source.strip()):
        problems.append(Problem("truncated", translation.strip()[-40:], "the translation ends mid-sentence"))
    return problems


def reasons(problems: list[Problem]) -> str:
    """Problems as the model is told them: 'yuan: the source names no yuan; ...'."""
    return "; ".join(f"{p.text!r}: {p.reason}" if p.text else p.reason for p in problems)


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


def checked_prose(
    sentences: list[NumberedSentence],
    plan: Plan,
    translations: dict[int, str],
    problems: dict[int, list[Problem]],
    *,
    own: str,
    reasked: set[int] = frozenset(),
) -> CheckedProse:
    """The brief's prose from the planned sentences (in the article's language, `own`) and their checked translations
    (both by sentence key): a sentence is shown with its translation when the translation has no problem, and neither
    is shown otherwise."""
    other = "en" if own == "vi" else "vi"
    by_key = {s.key: s for s in sentences}
    statements: list[Statement] = []
    checks = list(plan.checks)

    def pair(where_own: str, where_other: str, key: int) -> tuple[str, str] | None:
        sentence, translation = by_key[key], translations.get(key) or ""
        found = problems.get(key, [])
        sources, again = [sentence.source], key in reasked
        statements.append(Statement(field=where_own, text=sentence.text, sources=sources, kept=not found, reasked=again))
        statements.append(Statement(field=where_other, text=translation, sources=sources, kept=not found, reasked=again))
        if found:
            checks.extend(Check(field=where_other, kind=p.kind, text=p.text, reason=p.reason, statement=translation) for p in found)
            checks.append(
                Check(field=where_own, kind="source", text=sentence.text[:80], reason="left out with its other-language twin", statement=sentence.text)
            )
            return None
        return (sentence.text, translation) if own == "vi" else (translation, sentence.text)

    title = pair(f"title_{own}", f"title_{other}", plan.title) if plan.title is not None else None
    summary = [shown for key in plan.summary if (shown := pair(f"summary_{own}", f"summary_{other}", key))]
    points = []
    for i, key in enumerate(plan.key_points):
        if shown := pair(f"key_points[{i}].{own}", f"key_points[{i}].{other}", key):
            points.append(KeyPoint(vi=shown[0], en=shown[1]))
    return CheckedProse(
        title_vi=title[0] if title else "",
        title_en=title[1] if title else "",
        summary_vi=" ".join(vi for vi, _ in summary),
        summary_en=" ".join(en for _, en in summary),
        key_points=points,
        statements=statements,
        checks=checks,
    )


def _words(text: str) -> str:
    """A sentence as compared: normalised (case, tone placement, quotes), its words only."""
    return " ".join(_WORD.findall(normalise(text)[0]))
