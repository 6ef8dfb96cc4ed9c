"""Turning the model's labels of candidate numbers into facts: each checked against the text, or rejected with the reason.

The number, its unit and the quote come from the text (the candidate); the model contributes only what the
number measures and its period.
"""

from __future__ import annotations

import re

from summarizer.grounding.verify import verify_fact
from summarizer.schema import Fact, FactLabel, RejectedFact
from summarizer.text.candidates import Candidate
from summarizer.text.language import is_english
from summarizer.text.numbers import to_json_number


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
