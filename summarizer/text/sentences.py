"""Splitting a cleaned article into sentences that keep their offsets, knowing Vietnamese abbreviations and numbers.

A sentence ends at a line break (a paragraph break, a heading, a caption: a line without final punctuation is a
sentence of its own) or at final punctuation (".", "!", "?", "…", "...", with the closing quotes and brackets after
it) followed by a space and something that can open a sentence: a capital letter, a digit or an opening quote or
bracket. A full stop never ends a sentence after an abbreviation of ABBREVIATIONS ("TP. Bến Tre", "PGS. TS. Lê B",
"Mr. Smith"), after a single capital initial ("Q. 1", "P. 3", "Nguyễn V. A"), or after a list number opening a line
("1. Nội dung"). Numbers ("1.312", "1,7%", "6/7/2022") have no space inside, so they are never split; neither are
"UBND" or "HĐND", which have no full stop. "v.v." and "etc." end a sentence like any full stop: when a capital follows.

Why not sentencex (evaluated, the version in the locks): its offsets are exact character offsets, but it has no Vietnamese
abbreviations and takes no list of them, so it splits "TP. Bến Tre", "ThS. Nguyễn", "PGS. TS." and even "TP.HCM";
it does not split inside a closed quotation, so a speaker's quoted paragraph of several sentences comes out as one
sentence; and it splits after "..." but not after "…". Fixing that would mean merging its splits and splitting its
sentences again, which is more code than this splitter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Words written with a full stop that never end a sentence: titles and place kinds written before a name.
ABBREVIATIONS = (
    # Vietnamese: place kinds
    "TP.",
    "Tp.",
    "tp.",
    "TX.",
    "Tx.",
    "TT.",
    "Q.",
    "P.",
    "X.",
    "H.",
    # Vietnamese: degrees and titles
    "ThS.",
    "Ths.",
    "Th.S.",
    "TS.",
    "PGS.",
    "GS.",
    "BS.",
    "KS.",
    "CN.",
    "LS.",
    "NXB.",
    "Đ/c.",
    "đ/c.",
    # English
    "Mr.",
    "Mrs.",
    "Ms.",
    "Dr.",
    "Prof.",
    "St.",
    "Mt.",
    "No.",
    "Nos.",
    "Gen.",
    "Col.",
    "Lt.",
    "Capt.",
    "Maj.",
    "Sgt.",
    "Rev.",
    "Hon.",
    "Jr.",
    "Sr.",
    "vs.",
    "cf.",
    "e.g.",
    "i.e.",
    "approx.",
    "Fig.",
    "Vol.",
    "Jan.",
    "Feb.",
    "Mar.",
    "Apr.",
    "Aug.",
    "Sep.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
)
_ABBREVIATIONS = frozenset(ABBREVIATIONS)

OPENERS = "“\"'‘«([{"  # may open a sentence, and may stand before an abbreviation: "(TP. Bến Tre)"
_LINE = re.compile(r"[^\n\r\u2028\u2029\x0b\x0c\x85]+")  # a line: sentences never cross a line break
_END = re.compile(r"(?:[.!?…]+)[\"'”’»)\]}]*(?=\s)")  # final punctuation, its closing quotes and brackets, a space
_TOKEN_BEFORE = re.compile(r"\S+\Z")
_PARTS = re.compile(r"[^.]+\.")
_LIST_NUMBER = re.compile(r"\s*(?:\d{1,3}|[IVXLC]{1,6}|[a-zđ])\.\Z")  # "1." "IV." "a." opening a line


@dataclass(frozen=True)
class Sentence:
    """One sentence: text == article[start:end], without spaces at either end."""

    start: int
    end: int
    text: str


def _is_abbreviation(token: str) -> bool:
    """Whether a word ending in "." is an abbreviation, an initial, or abbreviations written together ("PGS.TS.")."""
    token = token.lstrip(OPENERS)
    if token in _ABBREVIATIONS:
        return True
    parts = _PARTS.findall(token)
    if not parts or "".join(parts) != token:
        return False
    return all(part in _ABBREVIATIONS or (len(part) == 2 and part[0].isupper()) for part in parts)


def _opens_sentence(ch: str) -> bool:
    return ch.isupper() or ch.isdigit() or ch in OPENERS


def _ends_here(text: str, line_start: int, match: re.Match) -> bool:
    """Whether the punctuation run `match` ends a sentence."""
    after = match.end()
    while after < len(text) and text[after] in " \t\u00a0\u2009\u202f\u3000":
        after += 1
    if after >= len(text) or not _opens_sentence(text[after]):
        return False
    if match.group().rstrip("\"'”’»)]}") != ".":
        return True  # "!", "?", "…", "..." end a sentence whatever stands before them
    before = text[line_start : match.start() + 1]
    if _LIST_NUMBER.fullmatch(before):
        return False
    token = _TOKEN_BEFORE.search(before)
    return not (token and _is_abbreviation(token.group()))


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of `text`, in order; each is text[start:end], stripped and not empty, and only spaces and line
    breaks lie between them."""
    sentences: list[Sentence] = []

    def add(start: int, end: int) -> None:
        start, end = _stripped(text, start, end)
        if start < end:
            sentences.append(Sentence(start, end, text[start:end]))

    for line in _LINE.finditer(text):
        start = line.start()
        for match in _END.finditer(text, line.start(), line.end()):
            if _ends_here(text, line.start(), match):
                add(start, match.end())
                start = match.end()
        add(start, line.end())
    return sentences


@lru_cache(maxsize=64)
def article_sentences(text: str) -> tuple[Sentence, ...]:
    """split_sentences of an article, kept for its next readers (the prose checks, the injection finder)."""
    return tuple(split_sentences(text))
