"""The abbreviations a text defines, as Vietnamese reports do: "đảng viên (ĐV)", "cán bộ (CB)", "Ủy ban nhân dân (UBND)".

An abbreviation is two to six capital letters in brackets right after the words whose first letters it spells, with
nothing but spaces between them (diacritics aside: "Ủy" starts with U; Đ is its own letter). What it stands for is
those words, as written.
"""

from __future__ import annotations

import re
import unicodedata

_BRACKETED = re.compile(r"\(\s*([A-ZĐ]{2,6})\s*\)")
_WORD = re.compile(r"[^\W\d_]+")
_WORDS_ONLY = re.compile(r"[^\W\d_]+(?:[ \t]+[^\W\d_]+)*[ \t]*")  # words and the spaces between them, nothing else


def _initial(word: str) -> str:
    """A word's first letter, without its diacritics, in upper case ("ủy" -> "U", "đảng" -> "Đ")."""
    return unicodedata.normalize("NFD", word[0])[0].upper()


def defined(text: str) -> dict[str, str]:
    """Each abbreviation the text defines, and the words it stands for as first written ("ĐV" -> "đảng viên")."""
    found: dict[str, str] = {}
    for match in _BRACKETED.finditer(text):
        letters = match.group(1)
        words = list(_WORD.finditer(text, max(0, match.start() - 80), match.start()))[-len(letters) :]
        if (
            len(words) == len(letters)
            and _WORDS_ONLY.fullmatch(text, words[0].start(), match.start())
            and "".join(_initial(w.group()) for w in words) == letters
        ):
            found.setdefault(letters, text[words[0].start() : words[-1].end()])
    return found
