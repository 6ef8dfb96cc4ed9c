"""Cutting a long document into parts that each fit one call: whole sentences, a small overlap, offsets into the whole.

    sentences (start, end, cost) ──► parts: each owns a run of sentences whose cost fits the budget, and carries
    up to OVERLAP sentences of its neighbours either side as context

Every sentence is owned by exactly one part, so what is found in a sentence (a candidate number, a fact, an answer's
evidence) is taken from its owner only and never twice; the overlap is read, never answered from. A part prefers to
end before a heading (a sentence that `breaks` names) near its even share of the document, so the parts of a
report follow its sections. A sentence costing more than the budget is a part of its own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

OVERLAP = 2  # sentences of each neighbour a part carries as context
OVERLAP_SHARE = 0.15  # of the budget kept free for that context


@dataclass(frozen=True)
class Unit:
    """A sentence as the cutter sees it: its span in the whole text and what it costs in a call (its characters and
    whatever is listed beside it, e.g. the candidate numbers it states)."""

    start: int
    end: int
    cost: int


@dataclass(frozen=True)
class Part:
    """One part of a document: `first`..`last` (indexes of the units it owns), `start`..`end` (offsets of the text it
    carries, overlap included), `own_start`..`own_end` (offsets of the text it owns)."""

    index: int  # 1-based
    total: int
    first: int
    last: int
    carried_first: int
    carried_last: int
    start: int
    end: int
    own_start: int
    own_end: int

    def owns(self, offset: int) -> bool:
        return self.own_start <= offset < self.own_end

    def carries(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end


LISTED_CHARS = 24  # what listing one candidate number adds beside its quote ("[12] 327 đảng viên: ")


def unit(start: int, end: int, candidates, text: str) -> Unit:
    """A sentence text[start:end] as the cutter sees it: its characters, and each candidate number it states as a
    call lists it (its quote and its line's label)."""
    listed = sum(len(c.quote(text)) + LISTED_CHARS for c in candidates if start <= c.mention.start < end)
    return Unit(start, end, end - start + listed)


def split_parts(units: Sequence[Unit], budget: int, *, breaks: frozenset[int] = frozenset(), overlap: int = OVERLAP) -> list[Part]:
    """The parts of a document of `units` (its sentences, in order) for calls that may carry `budget` of cost each.
    One part when everything fits (an empty one when there are no units); `breaks`: indexes of units a part would
    rather start at (headings)."""
    if not units:  # nothing to show (every sentence quarantined): one empty part, still asked as one
        return [Part(index=1, total=1, first=0, last=-1, carried_first=0, carried_last=-1, start=0, end=0, own_start=0, own_end=1 << 62)]
    if sum(u.cost for u in units) <= budget:
        runs = [(0, len(units) - 1)]
    else:
        runs = _runs(units, max(1, int(budget * (1 - OVERLAP_SHARE))), budget, breaks)
    parts = []
    for index, (first, last) in enumerate(runs, 1):
        before, after = _context(units, first, last, budget, overlap)
        own_start = 0 if index == 1 else units[first].start
        own_end = runs[index][0] if index < len(runs) else None
        parts.append(
            Part(
                index=index,
                total=len(runs),
                first=first,
                last=last,
                carried_first=before,
                carried_last=after,
                start=units[before].start,
                end=units[after].end,
                own_start=own_start,
                own_end=units[own_end].start if own_end is not None else max(u.end for u in units) + 1,
            )
        )
    return parts


def _runs(units: Sequence[Unit], room: int, budget: int, breaks: frozenset[int]) -> list[tuple[int, int]]:
    """Consecutive runs of units, each costing at most `room` (a unit costing more is a run of its own) and about the
    same (the document's cost shared evenly among as few runs as fit), each ending before the heading nearest that
    share when one falls between half of it and `room`. The rest of the document is one run when it fits `budget`
    (its context is then what is left of the budget): no tail of a few sentences."""
    target = sum(u.cost for u in units) / math.ceil(sum(u.cost for u in units) / room)
    runs, first = [], 0
    while first < len(units):
        ends, spent = [], 0  # (last unit, cost of the run to it) for every run from `first` that fits
        for last in range(first, len(units)):
            spent += units[last].cost
            if spent > budget and ends:
                break
            ends.append((last, spent))
        if ends[-1][0] + 1 == len(units) and ends[-1][1] <= budget:
            runs.append((first, len(units) - 1))  # the rest of the document fits
            break
        ends = [end for end in ends if end[1] <= room] or ends[:1]
        natural = max((end for end in ends if end[1] <= target), default=ends[0])
        headed = [end for end in ends if end[0] + 1 in breaks and target / 2 <= end[1]]
        last = min(headed, key=lambda end: abs(end[1] - target))[0] if headed else natural[0]
        runs.append((first, last))
        first = last + 1
    return runs


def _context(units: Sequence[Unit], first: int, last: int, budget: int, overlap: int) -> tuple[int, int]:
    """The units a run carries: up to `overlap` of each neighbour, while the whole still fits `budget`."""
    spent = sum(u.cost for u in units[first : last + 1])
    before, after = first, last
    for _ in range(overlap):
        if after + 1 < len(units) and spent + units[after + 1].cost <= budget:
            after += 1
            spent += units[after].cost
        if before > 0 and spent + units[before - 1].cost <= budget:
            before -= 1
            spent += units[before].cost
    return before, after
