"""The wards, communes and towns an article names: "Phường 6", "phường Mỏ Chè", "xã Hòa Thuận", "thị trấn Cái Nhum".

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


def main_places(text: str) -> list[Place]:
    """The places the text names most often (one, or several tied), each at its first mention."""
    counted = Counter(place.text.casefold() for place in places(text))
    if not counted:
        return []
    top = max(counted.values())
    first: dict[str, Place] = {}
    for place in places(text):
        first.setdefault(place.text.casefold(), place)
    return [first[name] for name, n in counted.items() if n == top]
