"""Fact candidates: every statistic-like number in an article, with the clause that states it.

The program, not the model, finds the numbers: `find_numbers` reads each one the Vietnamese way and
classes it (count, percent, fraction part, date, ordinal...). Counts, percents and fraction parts become
numbered candidates; the model only says which candidates are facts and what each one measures.
So a small model that mislabels numbers can produce a wrong label, never a wrong number.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from summarizer.text.numbers import NumberMention, mentions_in

FACT_KINDS = ("number", "percent", "fraction_part")
MAX_WORDS_BEFORE = 8
MAX_WORDS_AFTER = 10

# Where a clause ends: sentence punctuation or a comma followed by a space (not "1,7"), brackets, quotes, newlines.
_BOUNDARY = re.compile(r"[.;:!?…](?=\s|$)|,(?=\s)|[()\[\]“”\"\n]")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Candidate:
    id: int  # 1-based, as shown to the model: [1], [2], ...
    mention: NumberMention
    start: int  # the clause around the number, as offsets into the article text
    end: int

    def quote(self, text: str) -> str:
        return text[self.start : self.end]


def clause_limits(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the clause containing text[start:end] begins and ends: the punctuation either side (or the text's ends)."""
    ends = _boundary_ends(text)
    k = bisect_left(ends, start)  # boundaries (one character each) that end before `start`: ends[:k]
    left_limit = ends[k - 1] if k else 0
    if _BOUNDARY.fullmatch(text, start - 1, start) if start else False:
        left_limit = start  # a "." right before the number ends the clause, whatever follows it
    k = bisect_left(ends, end + 1)  # the first boundary at or after `end`
    right_limit = ends[k] - 1 if k < len(ends) else len(text)
    return left_limit, right_limit


def clause_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause containing text[start:end], cut at punctuation and at most a few words either side."""
    left_limit, right_limit = clause_limits(text, start, end)
    before = list(_WORD.finditer(text, left_limit, start))[-MAX_WORDS_BEFORE:]
    after = list(_WORD.finditer(text, end, right_limit))[:MAX_WORDS_AFTER]
    clause_start = before[0].start() if before else start
    clause_end = after[-1].end() if after else end
    return clause_start, clause_end


@lru_cache(maxsize=64)
def _boundary_ends(text: str) -> list[int]:
    """Where each clause boundary of the text ends (each is one character), in order."""
    return [m.end() for m in _BOUNDARY.finditer(text)]


def fact_candidates(text: str, kinds: tuple[str, ...] = FACT_KINDS) -> list[Candidate]:
    """Numbered candidates, in reading order, for every number of the given kinds (counts, percents, fraction parts)."""
    candidates: list[Candidate] = []
    for mention in mentions_in(text):
        if mention.kind not in kinds:
            continue
        start, end = clause_around(text, mention.start, mention.end)
        previous = candidates[-1] if candidates else None
        if previous and previous.mention.value == mention.value and (previous.start, previous.end) == (start, end):
            continue  # "19/19 cán bộ": one statement, one candidate
        candidates.append(Candidate(id=len(candidates) + 1, mention=mention, start=start, end=end))
    return candidates
