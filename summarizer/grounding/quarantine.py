"""Quarantine: nothing a brief or a form keeps may rest on a sentence of the article addressed to a model.

The sentences `summarizer.text.injection.addressed_to_model` finds stay in the article (offsets stay valid and the
reader sees them), but a fact whose quote overlaps one is rejected, no statement rests on one, a form field whose
evidence overlaps one is left empty, and each is listed in the checks with why it is taken to be one.
"""

from __future__ import annotations

from functools import lru_cache

from summarizer.schema import Check, Fact, FieldResult, Quarantined, RejectedFact
from summarizer.text.candidates import Candidate
from summarizer.text.injection import Span, addressed_to_model


def quarantined_spans(text: str) -> list[Quarantined]:
    """The article's sentences addressed to a model, as the output models record them."""
    return [Quarantined(start=s.start, end=s.end, why=s.why) for s in _addressed(text)]


@lru_cache(maxsize=64)
def _addressed(text: str) -> tuple[Span, ...]:
    """addressed_to_model of an article, kept for its next task (a brief and a form of one article)."""
    return tuple(addressed_to_model(text))


def inside(start: int | None, end: int | None, spans: list[Quarantined] | list[Span]) -> Quarantined | Span | None:
    """The quarantined sentence that text[start:end] overlaps, if any."""
    if start is None or end is None:
        return None
    return next((s for s in spans if start < s.end and s.start < end), None)


def outside(candidates: list[Candidate], spans: list[Quarantined]) -> list[Candidate]:
    """The candidate numbers not written in a quarantined sentence: no model sees them, nothing rests on them."""
    return [c for c in candidates if inside(c.mention.start, c.mention.end, spans) is None]


def quarantine_facts(kept: list[Fact], rejected: list[RejectedFact], spans: list[Quarantined]) -> tuple[list[Fact], list[RejectedFact]]:
    """The facts that do not rest on a quarantined sentence; the others rejected with the reason."""
    if not spans:
        return kept, rejected
    still: list[Fact] = []
    for fact in kept:
        if (span := inside(fact.start, fact.end, spans)) is None:
            still.append(fact)
        else:
            reason = f"its quote is in a sentence addressed to a model, not to readers ({span.why})"
            rejected = [*rejected, RejectedFact(quote=fact.quote, number_text=fact.number_text, what_en=fact.what_en, reason=reason)]
    return still, rejected


def quarantine_field(result: FieldResult, spans: list[Quarantined]) -> FieldResult:
    """A form field (its items and sub-fields too) with any value resting on a quarantined sentence left empty."""
    if not spans:
        return result
    if result.items is not None or result.fields is not None:
        items = [quarantine_field(item, spans) for item in result.items] if result.items is not None else None
        fields = {name: quarantine_field(sub, spans) for name, sub in result.fields.items()} if result.fields is not None else None
        return result.model_copy(update={"items": items, "fields": fields})
    candidates = [c for c in result.candidates if inside(c.start, c.end, spans) is None]
    if result.status == "filled" and (span := inside(result.start, result.end, spans)) is not None:
        reason = f"its evidence is in a sentence addressed to a model, not to readers ({span.why})"
        return FieldResult(value=None, status="unsupported", reason=reason)
    return result.model_copy(update={"candidates": candidates}) if len(candidates) != len(result.candidates) else result


def quarantine_checks(text: str, spans: list[Quarantined]) -> list[Check]:
    """One check per quarantined sentence, naming it and why."""
    return [
        Check(
            field="article",
            kind="instruction",
            text=text[s.start : s.end][:200],
            reason=f"a sentence addressed to a model ({s.why}): nothing was taken from it",
        )
        for s in spans
    ]
