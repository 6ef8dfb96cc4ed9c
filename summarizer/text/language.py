"""Telling Vietnamese from English text, for checking that each side of a bilingual brief is in its language."""

from __future__ import annotations

import re
import unicodedata

_TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")  # none, huyền, hỏi, ngã, sắc, nặng


def _vietnamese_letters() -> frozenset[str]:
    """Every lower-case Vietnamese vowel with a diacritic (NFC), and đ: the letters English text does not use."""
    letters = {"đ"}
    for vowel in "aăâeêioôơuưy":
        for tone in _TONES:
            letter = unicodedata.normalize("NFC", vowel + tone)
            if not letter.isascii():
                letters.add(letter)
    return frozenset(letters)


VIETNAMESE_LETTERS = _vietnamese_letters()


# Every character whose case folding holds a Vietnamese-only letter: the letters and their capitals ("Đ", "Ấ").
# (A test checks, over all of Unicode, that no other character folds to one.)
FOLDING_TO_VIETNAMESE = frozenset(c for letter in VIETNAMESE_LETTERS for c in (letter, letter.upper(), letter.title()))

# From a word's first such character to the word's end: one match per word that has one. A scan in C over the
# whole text, much faster than the word-by-word count (an article's language is read for every article).
_VIETNAMESE_WORD = re.compile(f"[{''.join(sorted(FOLDING_TO_VIETNAMESE))}]\\S*")
_LETTERED_WORD = re.compile(r"[^\W\d_]\S*")
_STRIP = ".,;:!?()[]\"'“”‘’…-–—/%"


_LETTER = re.compile(r"[^\W\d_]")


def _words(text: str) -> list[str]:
    """The words of `text` that hold a letter, without the punctuation around them."""
    words = (w.strip(_STRIP) for w in unicodedata.normalize("NFC", text).split())
    return [w for w in words if _LETTER.search(w)]


def vietnamese_share(text: str) -> float:
    """Share of words (runs of non-space holding a letter) carrying a Vietnamese-only letter, in either case.
    Vietnamese prose scores well above English, which scores about 0."""
    text = unicodedata.normalize("NFC", text)
    return vietnamese_words(text) / max(1, len(_LETTERED_WORD.findall(text)))


def vietnamese_words(text: str) -> int:
    """How many words (runs of non-space) of an NFC text carry a Vietnamese-only letter, in either case."""
    return len(_VIETNAMESE_WORD.findall(text))


def untranslated_share(english: str) -> float:
    """Share of lower-case words carrying a Vietnamese-only letter: Vietnamese left in an English text.

    Capitalised words are names ("Lê Thị Quân", "Phường 6") and may keep their diacritics.
    """
    words = _words(english)
    return sum(1 for w in words if w[0].islower() and not VIETNAMESE_LETTERS.isdisjoint(w)) / max(1, len(words))


def is_vietnamese(text: str) -> bool:
    return vietnamese_share(text) >= 0.3


def is_english(text: str) -> bool:
    return untranslated_share(text) < 0.15


FUNCTION_WORDS = frozenset(
    "được của các những và có là với cho trong đã đang sẽ số này đó theo từ tại để thì mà như về khi năm tháng ngày "
    "the of a an and or in on for to by with number its their".split()
)  # words (syllables) almost every sentence has, in either language: they say nothing of what a sentence is about
