"""Locating a quote in an article: normalisation that keeps offsets, then exact, normalised or fuzzy alignment."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz

from summarizer.schema import AlignmentStatus

Alignment = AlignmentStatus | Literal["none"]  # "none": the quote is not in the article

FUZZY_MIN_LENGTH = 20  # characters of normalised quote before a fuzzy match is tried
FUZZY_MIN_SCORE = 95  # rapidfuzz ratio between the quote and the span it matched

# ---------------------------------------------------------------- normalisation

_CHAR_MAP = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "«": '"',
        "»": '"',
        "″": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "–": "-",
        "—": "-",
        "‒": "-",
        "−": "-",
        "‐": "-",
        "‑": "-",
        "―": "-",
        "Ð": "Đ",
        "ð": "đ",  # Icelandic eth, a common stand-in for Đ
    }
)
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}
_TONE_MARKS = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}
_OLD_STYLE_GLIDES = {"o": "ae", "u": "y"}
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")  # "hoà", "hoè", "thuỷ": the tone sits on the second vowel


def _clusters(s: str):
    """(start, end) of each base character with the combining marks that follow it."""
    i = 0
    while i < len(s):
        j = i + 1
        while j < len(s) and unicodedata.combining(s[j]):
            j += 1
        yield i, j
        i = j


def _new_style_tones(chars: list[str]) -> list[str]:
    """Move a tone from the second to the first vowel of an open "oa", "oe", "uy": "hoà" -> "hòa"."""
    out = list(chars)
    for k in range(1, len(out)):
        glide = out[k - 1]
        if glide not in "oOuU":
            continue
        bases = _OLD_STYLE_GLIDES[glide.lower()]
        vowel = unicodedata.normalize("NFD", out[k])
        if len(vowel) != 2 or vowel[0].lower() not in bases or vowel[1] not in _TONE_MARKS:
            continue
        if k + 1 < len(out) and out[k + 1].isalpha():
            continue  # a final consonant follows ("hoàn"): the tone is where it belongs
        if glide.lower() == "u" and k >= 2 and out[k - 2].lower() == "q":
            continue  # "quý": the u belongs to the consonant
        out[k - 1] = unicodedata.normalize("NFC", glide + vowel[1])
        out[k] = vowel[0]
    return out


@lru_cache(maxsize=4096)
def _folded(ch: str) -> str:
    """One NFC character as it is compared: "" (invisible), " " (any space), or mapped and casefolded."""
    if ch in _INVISIBLE:
        return ""
    if ch.isspace():
        return " "
    return ch.translate(_CHAR_MAP).casefold()


def _nfc_chars(s: str) -> tuple[list[str], list[int], list[int]]:
    """The NFC characters of `s`, each with the (start, end) of the original cluster it came from."""
    if unicodedata.is_normalized("NFC", s) and not _COMBINING.search(s):
        return list(s), list(range(len(s))), list(range(1, len(s) + 1))  # the usual case: cleaned article text
    chars, starts, ends = [], [], []
    for i, j in _clusters(s):
        for ch in unicodedata.normalize("NFC", s[i:j]):
            chars.append(ch)
            starts.append(i)
            ends.append(j)
    return chars, starts, ends


def normalise(s: str) -> tuple[str, Sequence[int], Sequence[int]]:
    """normalise_for_match, also giving the original end offset of each character."""
    fast = _normalise_nfc(s)
    return fast if fast is not None else _normalise_by_char(s)


def _normalise_by_char(s: str) -> tuple[str, list[int], list[int]]:
    """normalise one character at a time: for any text, and the reference the faster way is tested against."""
    chars, starts, ends = _nfc_chars(s)
    chars = _new_style_tones(chars)
    out, out_starts, out_ends = [], [], []
    for ch, i, j in zip(chars, starts, ends):
        folded = _folded(ch)
        if folded == " " and out and out[-1] == " ":
            continue
        for c in folded:
            out.append(c)
            out_starts.append(i)
            out_ends.append(j)
    return "".join(out), out_starts, out_ends


_OLD_STYLE_TONE = re.compile("[uU][ỳýỷỹỵỲÝỶỸỴ]|[oO][àáảãạèéẻẽẹÀÁẢÃẠÈÉẺẼẸ]")  # where _new_style_tones may act
_MAPPED = re.compile("[" + "".join(map(chr, _CHAR_MAP)) + "]")
_INVISIBLES = "".join(sorted(_INVISIBLE))
# What is not kept as it is: invisible characters, runs of spaces, and a lone space that is not " ".
_IRREGULAR_SPACE = re.compile(rf"[{_INVISIBLES}]+|\s[\s{_INVISIBLES}]+|[^\S ]")
_IRREGULAR_VISIBLE_SPACE = re.compile(r"\s{2,}|[^\S ]")  # the same, in text without invisible characters


def _new_style_tones_at(s: str, glide: int) -> str:
    """The glide at `glide` and the vowel after it, as _new_style_tones leaves them (it needs the letters around)."""
    first = max(0, glide - 2)
    window = _new_style_tones(list(s[first : glide + 3]))
    return "".join(window[glide - first : glide - first + 2])


class _Shifted(Sequence[int]):
    """Offsets into a text that differs from this one only by dropped or squeezed runs: one shift per stretch."""

    def __init__(self, firsts: list[int], shifts: list[int], length: int) -> None:
        self._firsts, self._shifts, self._length = firsts, shifts, length  # stretch k starts at firsts[k]

    def __len__(self) -> int:
        return self._length

    def __iter__(self):
        bounds = self._firsts[1:] + [self._length]
        for first, end, shift in zip(self._firsts, bounds, self._shifts):
            yield from range(first + shift, end + shift)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._length))]
        if i < 0:
            i += self._length
        if not 0 <= i < self._length:
            raise IndexError(i)
        return i + self._shifts[bisect_right(self._firsts, i) - 1]


def _squeeze(s: str, runs) -> tuple[str, _Shifted, _Shifted]:
    """`s` with each (start, end, replacement) run replaced by "" or " ", and each kept character's (start, end) in `s`."""
    pieces: list[str] = []
    firsts: list[int] = []
    shifts: list[int] = []
    kept = length = 0  # s[kept:] is not yet copied; `length` characters are
    for start, end, replacement in runs:
        firsts.append(length)
        shifts.append(kept - length)
        pieces += (s[kept:start], replacement)
        length += start - kept + len(replacement)
        kept = end
    firsts.append(length)
    shifts.append(kept - length)
    pieces.append(s[kept:])
    length += len(s) - kept
    return "".join(pieces), _Shifted(firsts, shifts, length), _Shifted(firsts, [k + 1 for k in shifts], length)


def _normalise_nfc(s: str) -> tuple[str, Sequence[int], Sequence[int]] | None:
    """normalise for the usual text (NFC, no combining marks, casefolding one to one), by whole-string operations.

    None for any other text, which takes the character-by-character way.
    """
    if not unicodedata.is_normalized("NFC", s) or _COMBINING.search(s):
        return None
    if _OLD_STYLE_TONE.search(s):
        s = _OLD_STYLE_TONE.sub(lambda m: _new_style_tones_at(s, m.start()), s)
    s = _MAPPED.sub(lambda m: _CHAR_MAP[ord(m.group())], s)  # a few characters: cheaper than str.translate
    folded = s.casefold()
    if len(folded) != len(s):
        return None  # a character casefolds to several ("ß" -> "ss")
    irregular = _IRREGULAR_SPACE if any(c in folded for c in _INVISIBLE) else _IRREGULAR_VISIBLE_SPACE
    runs = ((m.start(), m.end(), "" if folded[m.start()] in _INVISIBLE else " ") for m in irregular.finditer(folded))
    return _squeeze(folded, runs)


def normalise_for_match(s: str) -> tuple[str, list[int]]:
    """NFC, new-style tones ("hoà" -> "hòa"), straight quotes, plain dashes, single spaces, casefolded.

    Also returns, for each character of the result, its index in `s`.
    """
    norm, starts, _ = normalise(s)
    return norm, list(starts)


@lru_cache(maxsize=64)
def _normalised_article(text: str) -> tuple[str, Sequence[int], Sequence[int]]:
    """normalise of an article, kept for its next facts (callers must not change the lists)."""
    return normalise(text)


def normalised_text(text: str) -> str:
    """normalise_for_match of an article, without the offsets, kept for the article's next uses."""
    return _normalised_article(text)[0]


def occurs_in(words: str, text: str) -> bool:
    """Whether `words` (a name, an organisation) occur in the article, as written or up to case, spacing, quotes,
    dashes and the placement of tone marks. The one rule for "the article says this name"."""
    words = " ".join(words.split())
    if not words:
        return False
    return words in text or normalise(words)[0].strip() in normalised_text(text)  # as written: no need to normalise


# ---------------------------------------------------------------- locating the quote

_NUMBER_TOKEN = re.compile(r"\d+(?:[.,]\d+)*")


def _is_word_char(c: str) -> bool:
    return c.isalnum() or bool(unicodedata.combining(c))


def _find_whole(haystack: str, needle: str) -> tuple[int, int] | None:
    """First occurrence of needle that neither starts nor ends inside a word or number."""
    i = haystack.find(needle)
    while i != -1:
        j = i + len(needle)
        starts_clean = i == 0 or not (_is_word_char(haystack[i - 1]) and _is_word_char(needle[0]))
        ends_clean = j == len(haystack) or not (_is_word_char(haystack[j]) and _is_word_char(needle[-1]))
        if starts_clean and ends_clean:
            return i, j
        i = haystack.find(needle, i + 1)
    return None


@lru_cache(maxsize=4096)
def _bare(ch: str) -> str:
    """A character without its diacritics ("ệ" -> "e", "đ" -> "d")."""
    return "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)).replace("đ", "d")


class _SkeletonChars(dict):
    """str.translate table, filled as characters are met: each character's letters without diacritics, or " "."""

    def __init__(self) -> None:
        super().__init__()
        self.not_one_to_one: set[str] = set()  # characters that become none or several ("가")

    def __missing__(self, code: int) -> str:
        bare = "".join(c if c.isalnum() else " " for c in _bare(chr(code)))
        if len(bare) != 1:
            self.not_one_to_one.add(chr(code))
        self[code] = bare
        return bare


_SKELETON_CHARS = _SkeletonChars()
_COMMON_SIGNS = "…•·°×"  # not letters or digits, so spaces in a skeleton, and not ASCII
_ASCII_SKELETON = bytes(c if chr(c).isalnum() else ord(" ") for c in range(256))  # for bytes.translate
_IRREGULAR_SKELETON_SPACE = re.compile("^ +|  +| +$")  # what is not one space between words


def _skeleton(norm: str) -> tuple[str, Sequence[int], Sequence[int]]:
    """Letters and digits only, without diacritics, words split by one space; with (start, end) in `norm`."""
    plain = norm.replace("đ", "d")
    for sign in _COMMON_SIGNS:
        plain = plain.replace(sign, " ")
    ascii_bare = unicodedata.normalize("NFD", plain).encode("ascii", "ignore")
    if len(ascii_bare) == len(norm):  # the usual case: each character is one ASCII character with its marks
        bare = ascii_bare.translate(_ASCII_SKELETON).decode("ascii")
    else:
        bare = norm.translate(_SKELETON_CHARS)
        if not _SKELETON_CHARS.not_one_to_one.isdisjoint(norm):
            return _skeleton_by_char(norm)  # a character without diacritics is none or several
    runs = (
        (m.start(), m.end(), " " if 0 < m.start() and m.end() < len(bare) else "")  # none at either end
        for m in _IRREGULAR_SKELETON_SPACE.finditer(bare)
    )
    return _squeeze(bare, runs)


def _skeleton_by_char(norm: str) -> tuple[str, list[int], list[int]]:
    """_skeleton one character at a time: for text where a character may stand for several letters, and the reference
    the faster way is tested against."""
    out, starts, ends = [], [], []
    for k, ch in enumerate(norm):
        for c in _bare(ch):
            c = c if c.isalnum() else " "
            if c == " " and (not out or out[-1] == " "):
                continue
            out.append(c)
            starts.append(k)
            ends.append(k + 1)
    while out and out[-1] == " ":
        out.pop(), starts.pop(), ends.pop()
    return "".join(out), starts, ends


@lru_cache(maxsize=64)
def _article_skeleton(norm_text: str) -> tuple[str, Sequence[int], Sequence[int]]:
    """_skeleton of a normalised article, kept for its next facts (callers must not change the lists)."""
    return _skeleton(norm_text)


def _fuzzy_span(norm_quote: str, norm_text: str) -> tuple[int, int] | None:
    """Span of norm_text that differs from the quote only in punctuation and diacritics, with the same numbers."""
    quote_skeleton = _skeleton(norm_quote)[0]
    text_skeleton, starts, ends = _article_skeleton(norm_text)
    found = _find_whole(text_skeleton, quote_skeleton) if quote_skeleton else None
    if found is None:
        return None
    span = starts[found[0]], ends[found[1] - 1]
    candidate = norm_text[span[0] : span[1]]
    if _NUMBER_TOKEN.findall(candidate) != _NUMBER_TOKEN.findall(norm_quote):
        return None
    if fuzz.ratio(norm_quote, candidate) < FUZZY_MIN_SCORE:
        return None
    return span


def locate_quote(quote: str, text: str) -> tuple[int, int, Alignment] | None:
    """Where the quote is in the text: exactly, after normalisation, or (long quotes) up to punctuation/diacritics."""
    if not quote or not quote.strip():
        return None
    found = _find_whole(text, quote)
    if found:
        return found[0], found[1], "exact"
    norm_quote = normalise(quote)[0].strip()
    if not norm_quote:
        return None
    norm_text, starts, ends = _normalised_article(text)
    found = _find_whole(norm_text, norm_quote)
    alignment: Alignment = "normalised"
    if found is None and len(norm_quote) >= FUZZY_MIN_LENGTH:
        found, alignment = _fuzzy_span(norm_quote, norm_text), "fuzzy"
    if found is None:
        return None
    return starts[found[0]], ends[found[1] - 1], alignment
