"""Number fidelity of a brief: every number its titles, summaries and key points state must be one the article states.

English text is read the English way ("1,312", "1.7%", "8.86 billion"), Vietnamese text the Vietnamese way
("1.312", "1,7%", "8,86 tỉ"); both are compared, as exact decimals, with every number the article writes
(counts, percents, years, dates, identifiers). A number that matches none is flagged in the brief's checks.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .numbers import find_numbers, to_json_number
from .schema import NumberCheck

ENGLISH_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_ENGLISH_NUMBER = re.compile(
    r"(?<![\w.,])(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d,]\d)"
    r"(?:\s*(?P<percent>%|percent\b))?"
    r"(?:\s+(?P<scale>thousand|million|billion|trillion)\b)?",
    re.IGNORECASE,
)


def english_numbers(text: str) -> list[tuple[str, Decimal]]:
    """Numbers written the English way in `text`, as (as written, value in base units)."""
    found = []
    for match in _ENGLISH_NUMBER.finditer(text):
        try:
            value = Decimal(match.group("digits").replace(",", ""))
        except InvalidOperation:
            continue
        if match.group("scale"):
            value *= ENGLISH_SCALES[match.group("scale").lower()]
        found.append((match.group(0).strip(), value))
    return found


def vietnamese_numbers(text: str) -> list[tuple[str, Decimal]]:
    return [(mention.text, mention.value) for mention in find_numbers(text)]


def article_values(article_text: str) -> set[Decimal]:
    return {mention.value for mention in find_numbers(article_text)}


def check_numbers(article_text: str, english: dict[str, str], vietnamese: dict[str, str]) -> list[NumberCheck]:
    """Every number of the given fields that the article does not state, as a NumberCheck (empty list: all numbers hold)."""
    known = article_values(article_text)
    problems = []
    for fields, reader, language in ((english, english_numbers, "English"), (vietnamese, vietnamese_numbers, "Vietnamese")):
        for field, text in fields.items():
            for written, value in reader(text):
                if value not in known:
                    problems.append(
                        NumberCheck(
                            field=field,
                            number_text=written,
                            value=to_json_number(value),
                            reason=f"the {language} text states {written!r}, a number the article does not state",
                        )
                    )
    return problems
