"""The termbase: the genre's Vietnamese terms and their English renderings, found in articles and checked in English.

The terms ship in summarizer/data/termbase.tsv (its opening comment says the format); a user's files in the same
format extend it, a term listed again replacing the earlier one. A Vietnamese term is found up to case, spacing and
tone placement, never inside a word, and where terms overlap the longest wins: "Phó Bí thư" is found as itself,
not as "Bí thư", and "xã hội" keeps "xã" (commune) from being found in "kinh tế - xã hội".

The check: an English statement may use a rendering of an office, organisation, administrative unit, award or
degree only when its source has a term with that rendering, if the source has any term of that kind. "Secretary"
for a source that says "Phó Bí thư" (Deputy Secretary), "commune" for "phường" (ward), "gold medal" for "Bằng khen"
are caught. A source with no term of that kind (a sentence that leaves its subject, the ward, unsaid) says nothing
against the rendering, and a term the statement leaves out is not a problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

from summarizer.errors import ConfigError
from summarizer.grounding.align import normalise

CATEGORIES = ("office", "organisation", "administrative", "award", "degree", "rating", "people", "place", "document", "general")
CHECKED_CATEGORIES = frozenset({"office", "organisation", "administrative", "award", "degree"})
HEADER = ("vietnamese", "english", "category", "notes")


@dataclass(frozen=True)
class Term:
    """One term: its Vietnamese spellings and English renderings, each list with the main one first."""

    vietnamese: tuple[str, ...]
    english: tuple[str, ...]
    category: str
    notes: str = ""

    @property
    def vi(self) -> str:
        return self.vietnamese[0]

    @property
    def en(self) -> str:
        return self.english[0]


@dataclass(frozen=True)
class TermMatch:
    """Where a term (Vietnamese) or a rendering (English) occurs: text == source[start:end]."""

    start: int
    end: int
    text: str
    terms: tuple[Term, ...]  # a Vietnamese spelling names one term; an English rendering may render several

    @property
    def term(self) -> Term:
        return self.terms[0]


@dataclass(frozen=True)
class Mismatch:
    """A rendering (or a Vietnamese term) in a statement that its source does not support."""

    start: int
    end: int
    text: str
    reason: str


# ---------------------------------------------------------------- reading the files


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split("|"))


def _parse_line(line: str, where: str) -> Term | None:
    """One line of a termbase file as a Term; None for a comment, a blank line or the header."""
    if not line.strip() or line.lstrip().startswith("#"):
        return None
    cells = line.rstrip("\r\n").split("\t")
    if tuple(c.strip().casefold() for c in cells) in (HEADER, HEADER[:3]):
        return None
    if len(cells) not in (3, 4):
        raise ConfigError(f"{where}: {len(cells)} tab-separated columns; a term needs 3 or 4 (vietnamese, english, category, optional notes)")
    vietnamese, english, category = _split(cells[0]), _split(cells[1]), cells[2].strip()
    if not all(vietnamese):
        raise ConfigError(f"{where}: an empty Vietnamese term (column 1, spellings separated by ' | ')")
    if not all(english):
        raise ConfigError(f"{where}: an empty English rendering for {vietnamese[0]!r} (column 2, renderings separated by ' | ')")
    if category not in CATEGORIES:
        raise ConfigError(f"{where}: unknown category {category!r} for {vietnamese[0]!r}; use one of {', '.join(CATEGORIES)}")
    return Term(vietnamese, english, category, cells[3].strip() if len(cells) == 4 else "")


def parse_termbase(content: str, name: str) -> list[Term]:
    """The terms of a termbase file's content; ConfigError naming `name` and the line for a bad line."""
    return [term for n, line in enumerate(content.splitlines(), 1) if (term := _parse_line(line, f"{name}:{n}")) is not None]


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ConfigError(f"{path}: cannot read the termbase ({err.strerror or err})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ConfigError(f"{path}: the termbase is not UTF-8 text (byte {err.start})") from None


@lru_cache(maxsize=1)
def _packaged_terms() -> tuple[Term, ...]:
    content = resources.files("summarizer").joinpath("data", "termbase.tsv").read_text(encoding="utf-8")
    return tuple(parse_termbase(content, "summarizer/data/termbase.tsv"))


def load_termbase(*paths) -> Termbase:
    """The packaged termbase extended by the user's files, in order (a term listed again replaces the earlier one)."""
    terms: dict[str, Term] = {}
    groups: list[Iterable[Term]] = [_packaged_terms()] + [parse_termbase(_read(Path(p)), str(p)) for p in paths]
    for group in groups:
        for term in group:
            key = _norm(term.vi)
            terms.pop(key, None)  # a replaced term goes to the end, with the user's terms
            terms[key] = term
    return Termbase(tuple(terms.values()))


@lru_cache(maxsize=1)
def default_termbase() -> Termbase:
    """The packaged termbase alone."""
    return load_termbase()


# ---------------------------------------------------------------- finding terms


def _norm(s: str) -> str:
    return normalise(s)[0].strip()


def plurals(rendering: str) -> list[str]:
    """The rendering and its plurals, without a leading "the" (so "the party" never hides "party cells")."""
    if rendering.casefold().startswith("the "):
        rendering = rendering[4:]
    forms = [rendering, rendering + "s", rendering + "es"]
    if rendering.endswith("y") and rendering[-2:-1] not in "aeiou":
        forms.append(rendering[:-1] + "ies")
    return forms


def _exact_case(rendering: str) -> bool:
    """Acronyms ("PhD", "MA", "HCMC") are matched with their case: "Ba" is a name, "BA" a degree."""
    return " " not in rendering and sum(c.isupper() for c in rendering) >= 2


def _alternation(forms: Iterable[str]) -> re.Pattern | None:
    ordered = sorted(set(forms), key=len, reverse=True)  # at one position the longest form is tried first
    if not ordered:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(f) for f in ordered) + r")(?!\w)")


def _leftmost_longest(matches: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Non-overlapping matches, each the longest among those starting first."""
    kept: list[tuple[int, int, str]] = []
    for start, end, key in sorted(matches, key=lambda m: (m[0], -(m[1] - m[0]))):
        if not kept or start >= kept[-1][1]:
            kept.append((start, end, key))
    return kept


class Termbase:
    """A list of terms, with the lookups the checks need."""

    def __init__(self, terms: Iterable[Term]):
        self.terms = tuple(terms)

    def __len__(self) -> int:
        return len(self.terms)

    @cached_property
    def _by_spelling(self) -> dict[str, Term]:
        return {_norm(spelling): term for term in self.terms for spelling in term.vietnamese}

    @cached_property
    def _by_rendering(self) -> dict[str, tuple[Term, ...]]:
        """Every rendering (normalised, or as written for an acronym), its plurals too, with the terms it renders."""
        found: dict[str, list[Term]] = {}
        for term in self.terms:
            for rendering in term.english:
                for form in plurals(rendering):
                    key = form if _exact_case(rendering) else _norm(form)
                    if term not in found.setdefault(key, []):
                        found[key].append(term)
        return {key: tuple(terms) for key, terms in found.items()}

    @cached_property
    def _vietnamese_pattern(self) -> re.Pattern | None:
        return _alternation(self._by_spelling)

    @cached_property
    def _english_patterns(self) -> tuple[re.Pattern | None, re.Pattern | None]:
        """(renderings matched after normalisation, acronyms matched as written)."""
        keys = self._by_rendering
        exact = {k for k in keys if k != _norm(k)}
        return _alternation(k for k in keys if k not in exact), _alternation(exact)

    def terms_in(self, text: str) -> list[TermMatch]:
        """The terms occurring in a Vietnamese text, in order, the longest where they overlap."""
        pattern = self._vietnamese_pattern
        if pattern is None or not text:
            return []
        norm, starts, ends = normalise(text)
        found = []
        for m in pattern.finditer(norm):
            start, end = starts[m.start()], ends[m.end() - 1]
            found.append(TermMatch(start, end, text[start:end], (self._by_spelling[m.group()],)))
        return found

    def renderings_in(self, english: str) -> list[TermMatch]:
        """The renderings occurring in an English text, in order, the longest where they overlap."""
        folded, exact = self._english_patterns
        if not english:
            return []
        norm, starts, ends = normalise(english)
        spans = []
        if folded is not None:
            spans += [(starts[m.start()], ends[m.end() - 1], m.group()) for m in folded.finditer(norm)]
        if exact is not None:
            spans += [(m.start(), m.end(), m.group()) for m in exact.finditer(english)]
        return [TermMatch(s, e, english[s:e], self._by_rendering[key]) for s, e, key in _leftmost_longest(spans)]

    def terms_of(self, source: str, language: str = "vi") -> set[Term]:
        """The terms a source states: its Vietnamese terms, or for a source in English the terms its renderings render."""
        if language == "en":
            return {term for match in self.renderings_in(source) for term in match.terms}
        return {match.term for match in self.terms_in(source)}

    def check_english(self, english: str, source: str, source_language: str = "vi") -> list[Mismatch]:
        """Renderings in an English statement of checked terms (offices, organisations, administrative units, awards,
        degrees) that no term of its source renders (a source in English states a term by one of its renderings)."""
        in_source = self.terms_of(source, source_language)
        stated_kinds = {t.category for t in in_source}
        problems = []
        for match in self.renderings_in(english):
            if not all(t.category in CHECKED_CATEGORIES for t in match.terms) or in_source.intersection(match.terms):
                continue
            if stated_kinds.intersection(t.category for t in match.terms if t.category in CHECKED_CATEGORIES):  # a kind its source states
                problems.append(Mismatch(match.start, match.end, match.text, _reason(match, in_source)))
        return problems

    def check_vietnamese(self, statement: str, source: str, source_language: str = "vi") -> list[Mismatch]:
        """Checked terms of a Vietnamese statement that its source has neither as written nor by one of their renderings."""
        in_source = self.terms_of(source, source_language)
        source_renderings = {_norm(r) for t in in_source for r in t.english}
        problems = []
        for match in self.terms_in(statement):
            term = match.term
            if term.category not in CHECKED_CATEGORIES or term in in_source or source_renderings.intersection(_norm(r) for r in term.english):
                continue
            if term.category not in {t.category for t in in_source}:
                continue  # the source says nothing of that kind
            reason = f"'{match.text}' ({term.en}) is not in its source"
            problems.append(Mismatch(match.start, match.end, match.text, reason + _what_source_says(term.category, in_source) + "."))
        return problems


_CATEGORY_ORDER = ("office", "administrative", "award", "degree", "organisation")


def _main_category(terms) -> str:
    """The category a rendering is read in: the most common among its terms, offices and units first."""
    categories = [t.category for t in terms]
    return max(categories, key=lambda c: (categories.count(c), -_CATEGORY_ORDER.index(c) if c in _CATEGORY_ORDER else -99))


def _what_source_says(category: str, in_source: set[Term]) -> str:
    """What the source has instead, in the same category (at most three terms)."""
    said = sorted({f"{t.vi} ({t.en})" for t in in_source if t.category == category})
    if not said:
        return ""
    return f"; its source says {', '.join(said[:3])}" + (" and more" if len(said) > 3 else "")


def _reason(match: TermMatch, in_source: set[Term]) -> str:
    category = _main_category(match.terms)
    renders = " or ".join(sorted({t.vi for t in match.terms if t.category == category}))
    return f"'{match.text}' renders {renders} ({category}), which its source does not say" + _what_source_says(category, in_source) + "."


# ---------------------------------------------------------------- module-level shortcuts


def terms_in(text: str, termbase: Termbase | None = None) -> list[TermMatch]:
    """The terms of the termbase (the packaged one by default) occurring in a Vietnamese text."""
    return (termbase or default_termbase()).terms_in(text)


def check_renderings(english: str, source: str, termbase: Termbase | None = None) -> list[Mismatch]:
    """Renderings in an English statement that its Vietnamese source does not support (see Termbase.check_english)."""
    return (termbase or default_termbase()).check_english(english, source)
