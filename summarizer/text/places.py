"""The wards, communes and towns an article names ("Phường 6", "phường Mỏ Chè", "xã Hòa Thuận", "thị trấn Cái Nhum"),
and the party organisations it names by them ("Đảng bộ Phường 6").

A unit word (phường, xã, thị trấn) followed by a number or by up to three capitalised words, stopping before a
person's name ("Phường 5 Lê Quang Việt Sơn" is Phường 5). Spelled as the article writes it, with its offsets.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from summarizer.text.people import SURNAMES

UNIT_WORDS = ("phường", "xã", "thị trấn")
_UNIT = re.compile(r"(?<![^\W\d_])(?i:phường|xã|thị trấn)\s+(?:\d+[A-Z]?(?![\w/.,]\d)|[A-ZĐ][^\W\d_]*(?:\s+[A-ZĐ][^\W\d_]*){0,2})")
_WORD = re.compile(r"[^\W\d_]+")
_BODY_BEFORE = re.compile(r"(?<![^\W\d_])(?i:đảng bộ)\s+$")  # "Đảng bộ " right before a place


@dataclass(frozen=True)
class Place:
    text: str
    start: int
    end: int


def places(text: str) -> list[Place]:
    """Every ward, commune or town the text names, in order, each mention once."""
    found = []
    for match in _UNIT.finditer(text):
        words = match.group().split()
        unit = 2 if words[0].casefold() == "thị" else 1
        kept = words[:unit]
        for i, word in enumerate(words[unit:], unit):
            if word in SURNAMES and i > unit:  # a person's name follows the unit's own name
                break
            kept.append(word)
        written = " ".join(kept)
        found.append(Place(written, match.start(), match.start() + len(written)))
    return found


def bodies(text: str) -> list[Place]:
    """Every party organisation the text names by its place ("Đảng bộ Phường 5", "Đảng bộ phường Mỏ Chè"), in order."""
    found = []
    for place in places(text):
        before = _BODY_BEFORE.search(text, max(0, place.start - 12), place.start)
        if before is not None:
            found.append(Place(text[before.start() : place.end], before.start(), place.end))
    return found


def main_places(text: str) -> list[Place]:
    """The places the text names most often (one, or several tied), each at its first mention."""
    return _most_named(places(text))


def main_bodies(text: str) -> list[Place]:
    """The party organisations the text names most often by their place (one, or several tied), each at its first
    mention."""
    return _most_named(bodies(text))


def _most_named(found: list[Place]) -> list[Place]:
    counted = Counter(place.text.casefold() for place in found)
    if not counted:
        return []
    top = max(counted.values())
    first: dict[str, Place] = {}
    for place in found:
        first.setdefault(place.text.casefold(), place)
    return [first[name] for name, n in counted.items() if n == top]
