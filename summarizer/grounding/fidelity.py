"""Numbers and Vietnamese proper names checked against the whole article, for text that has no sources of its own.

The people's roles are checked so; a brief's statements are checked against their own sources (grounding/prose.py).

Numbers: English text is read the English way ("1,312", "1.7%", "8.86 billion"), Vietnamese text the Vietnamese
way ("1.312", "1,7%", "8,86 tỉ"); both are compared, as exact decimals, with every number the article writes
(counts, percents, years, dates, identifiers).
Names: runs of two or more capitalised words with Vietnamese letters ("Lê Thị Quân", "Bến Tre") must occur in the
article; small models copy names from the prompt's example into the brief.
Whatever matches nothing is flagged in the brief's checks.
"""

from __future__ import annotations

from decimal import Decimal

from summarizer.grounding.align import occurs_in
from summarizer.schema import Check
from summarizer.text.language import VIETNAMESE_LETTERS
from summarizer.text.numbers import english_numbers, find_numbers, mentions_in, to_json_number


def vietnamese_numbers(text: str) -> list[tuple[str, Decimal]]:
    return [(mention.text, mention.value) for mention in find_numbers(text)]


def article_values(article_text: str) -> set[Decimal]:
    return {mention.value for mention in mentions_in(article_text)}


def check_numbers(article_text: str, english: dict[str, str], vietnamese: dict[str, str]) -> list[Check]:
    """Every number of the given fields that the article does not state (empty list: all numbers hold)."""
    known = article_values(article_text)
    problems = []
    for fields, reader, language in ((english, english_numbers, "English"), (vietnamese, vietnamese_numbers, "Vietnamese")):
        for field, text in fields.items():
            for written, value in reader(text):
                if value not in known:
                    reason = f"the {language} text states {written!r}, a number the article does not state"
                    problems.append(Check(field=field, kind="number", text=written, value=to_json_number(value), reason=reason))
    return problems


_PUNCTUATION = ".,;:!?()[]\"'“”‘’…"


def _capitalised_runs(text: str) -> list[list[str]]:
    """Runs of consecutive capitalised words; punctuation after a word ends its run."""
    runs: list[list[str]] = [[]]
    for token in text.split():
        word = token.strip(_PUNCTUATION)
        if word[:1].isupper() and word.isalpha() and not token.startswith(tuple(_PUNCTUATION)):
            runs[-1].append(word)
        elif runs[-1]:
            runs.append([])
        if runs[-1] and token[-1:] in _PUNCTUATION:
            runs.append([])
    return [run for run in runs if run]


def vietnamese_names(text: str) -> list[str]:
    """Vietnamese proper names: in each run of capitalised words, the words from the first to the last one carrying
    a Vietnamese letter, when that is two words or more ("Secretary Lê Thị Quân said" -> "Lê Thị Quân").
    A single word is left out: it is as often a capitalised sentence start ("Nghiên cứu...") as a name."""
    names = []
    for run in _capitalised_runs(text):
        marked = [i for i, word in enumerate(run) if set(word.casefold()) & VIETNAMESE_LETTERS]
        if marked and marked[-1] > marked[0]:
            names.append(" ".join(run[marked[0] : marked[-1] + 1]))
    return names


def check_names(article_text: str, fields: dict[str, str]) -> list[Check]:
    """Every Vietnamese proper name of the given fields that the article does not contain."""
    problems = []
    for field, text in fields.items():
        for name in vietnamese_names(text):
            if not occurs_in(name, article_text):
                reason = f"the name {name!r} does not occur in the article"
                problems.append(Check(field=field, kind="name", text=name, reason=reason))
    return problems


def check_roles(article_text: str, people) -> list[Check]:
    """Every Vietnamese proper name in the roles of the people the model named that the article does not contain."""
    roles = {f"people[{i}].role_{lang}": getattr(p, f"role_{lang}") for i, p in enumerate(people) for lang in ("vi", "en")}
    return check_names(article_text, roles)
