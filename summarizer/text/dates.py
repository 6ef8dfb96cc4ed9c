"""Dates and periods as an article writes them, read into ISO 8601: a day, a month, a year, or a period of years.

    "ngày 22/9/2023", "22 tháng 9 năm 2023", "September 22, 2023"   ──► "2023-09-22"
    "tháng 9/2023", "tháng 9 năm 2023", "September 2023"            ──► "2023-09"
    "năm 2023", "2023"                                               ──► "2023"
    "nhiệm kỳ 2020-2025", "giai đoạn 2015 - 2020", "2020–2025"       ──► "2020/2025"   (an ISO 8601 interval)
    "từ năm 2020 đến nay", "since 2020", "từ đầu nhiệm kỳ 2020-2025" ──► "2020/.." or "2020/2025" (".." : open end)

The first date or period the words state is read; an impossible date ("31/2/2023") is none. A term named without its
years ("từ đầu nhiệm kỳ") takes the years of the term the article names elsewhere (`term_period`).
"""

from __future__ import annotations

import datetime
import re

YEARS = (1900, 2099)  # the years a date may hold: written 19xx or 20xx
_MONTHS_EN = {m: i for i, m in enumerate("january february march april may june july august september october november december".split(), 1)}
_MONTH_EN = "|".join(_MONTHS_EN)
_Y = r"((?:19|20)\d\d)"
_PATTERNS = [  # (pattern, what its groups are), the more precise first
    (re.compile(rf"\b{_Y}\s*(?:-|–|—|đến|tới|to)\s*(?:năm\s+)?{_Y}\b", re.IGNORECASE), "years"),
    (re.compile(rf"\b(?:từ|since|from)\s+(?:năm\s+)?{_Y}\b(?!\s*(?:-|–|—|đến|tới|to)\s*(?:năm\s+)?(?:19|20)\d\d)", re.IGNORECASE), "since"),
    (re.compile(rf"\b{_Y}-(\d{{1,2}})-(\d{{1,2}})\b"), "ymd"),
    (re.compile(r"\b(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*" + _Y + r"\b"), "dmy"),
    (re.compile(r"\b(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+" + _Y + r"\b", re.IGNORECASE), "dmy"),
    (re.compile(rf"\b({_MONTH_EN})\s+(\d{{1,2}}),?\s+{_Y}\b", re.IGNORECASE), "mdy_en"),
    (re.compile(rf"\b(\d{{1,2}})\s+({_MONTH_EN})\s+{_Y}\b", re.IGNORECASE), "dmy_en"),
    (re.compile(r"\btháng\s+(\d{1,2})\s*(?:/|năm)\s*" + _Y + r"\b", re.IGNORECASE), "my"),
    (re.compile(r"(?<![\d/.])(\d{1,2})/" + _Y + r"\b"), "my"),
    (re.compile(rf"\b({_MONTH_EN})\s+{_Y}\b", re.IGNORECASE), "my_en"),
    (re.compile(rf"(?<![\d/.,-]){_Y}(?![\d/.,]\d)"), "y"),
]


def iso_date(words: str) -> str | None:
    """The first date or period `words` state, in ISO 8601 (see the module's table); None when they state none."""
    found = []
    for pattern, kind in _PATTERNS:
        for match in pattern.finditer(words):
            value = _read(kind, match.groups())
            if value is not None:
                found.append((match.start(), -len(match.group()), value))
                break
    return min(found)[2] if found else None


def period_years(iso: str) -> tuple[int | None, int | None] | None:
    """The first and last years of an ISO 8601 period of years ("2020/2025" -> (2020, 2025), "2020/.." -> (2020,
    None)); None for a single date."""
    if "/" not in iso:
        return None
    first, last = iso.split("/", 1)
    return int(first), None if last == ".." else int(last)


_TERM_WITH_YEARS = re.compile(rf"\bnhiệm\s+kỳ\s+(?:\w+\s+)?{_Y}\s*(?:-|–|—|đến)\s*{_Y}\b", re.IGNORECASE)
_TERM = re.compile(r"\bnhiệm\s+kỳ\b", re.IGNORECASE)
_FROM_ITS_START = re.compile(r"\b(?:từ\s+)?đầu\s+nhiệm\s+kỳ\b", re.IGNORECASE)


def term_period(words: str, text: str) -> tuple[str, str] | None:
    """A term the words name without its years ("từ đầu nhiệm kỳ đến nay", "cả nhiệm kỳ"), read with the years of the
    term the article names elsewhere ("nhiệm kỳ 2020 - 2025"): (ISO period, the words that give the years). From
    its start it runs to now ("2020/.."), else it is the whole term ("2020/2025"); None when the words name no term or
    the article gives no term's years."""
    if not _TERM.search(words) or (stated := _TERM_WITH_YEARS.search(text)) is None:
        return None
    first, last = int(stated.group(1)), int(stated.group(2))
    if not (_year_ok(first) and _year_ok(last) and first <= last):
        return None
    return (f"{first}/.." if _FROM_ITS_START.search(words) else f"{first}/{last}"), stated.group()


_TERM_WORDS = re.compile(r"\b(?:(?:trong|cả|suốt|từ\s+đầu|đầu|cuối|nửa(?:\s+đầu)?)\s+)?nhiệm\s+kỳ(?:\s+(?:này|qua))?(?:\s+đến\s+nay)?\b", re.IGNORECASE)
_LEAD = re.compile(r"(?:\b(?:trong|từ|qua|suốt|giai\s+đoạn|nhiệm\s+kỳ|năm|in|since|from|during)\s+)+$", re.IGNORECASE)
_TO_NOW = re.compile(r"\s+(?:đến\s+nay|đến\s+hiện\s+nay|to\s+date)\b", re.IGNORECASE)


def date_words(text: str, start: int, end: int, near: int) -> tuple[int, int] | None:
    """Where text[start:end] (a sentence) writes a date or a period: the one nearest before `near` (a number the
    sentence states), else the nearest after it, with the words that lead it in and close it ("từ 2017-2022",
    "Trong nhiệm kỳ", "từ năm 2020 đến nay"); None when the sentence writes none."""
    spans = []
    for pattern, kind in _PATTERNS:
        spans += [(m.start(), m.end()) for m in pattern.finditer(text, start, end) if _read(kind, m.groups()) is not None]
    spans += [(m.start(), m.end()) for m in _TERM_WORDS.finditer(text, start, end)]
    spans = [span for span in spans if not any(o != span and o[0] <= span[0] and span[1] <= o[1] for o in spans)]  # the widest
    if not spans:
        return None
    before = [span for span in spans if span[1] <= near]
    first, last = max(before, key=lambda s: s[1]) if before else min(spans)
    while (joined := next((s for s in spans if s[1] < first and not text[s[1] : first].strip()), None)) is not None:
        first = joined[0]  # "Từ đầu nhiệm kỳ" + "2020 - 2025": one period
    if lead := _LEAD.search(text, start, first):
        first = lead.start()
    if to_now := _TO_NOW.match(text, last, end):
        last = to_now.end()
    return first, last


def _read(kind: str, groups: tuple[str, ...]) -> str | None:
    if kind == "years":
        first, last = int(groups[0]), int(groups[1])
        return f"{first}/{last}" if first <= last and _year_ok(first) and _year_ok(last) else None
    if kind == "since":
        return f"{groups[0]}/.." if _year_ok(int(groups[0])) else None
    if kind == "y":
        return groups[0] if _year_ok(int(groups[0])) else None
    if kind in ("my", "my_en"):
        month, year = (groups[0], groups[1])
        month_number = _MONTHS_EN[month.casefold()] if kind == "my_en" else int(month)
        return f"{int(year):04d}-{month_number:02d}" if 1 <= month_number <= 12 and _year_ok(int(year)) else None
    if kind == "ymd":
        return _day(int(groups[0]), int(groups[1]), int(groups[2]))
    if kind == "dmy":
        return _day(int(groups[2]), int(groups[1]), int(groups[0]))
    if kind == "mdy_en":
        return _day(int(groups[2]), _MONTHS_EN[groups[0].casefold()], int(groups[1]))
    if kind == "dmy_en":
        return _day(int(groups[2]), _MONTHS_EN[groups[1].casefold()], int(groups[0]))
    return None


def _year_ok(year: int) -> bool:
    return YEARS[0] <= year <= YEARS[1]


def _day(year: int, month: int, day: int) -> str | None:
    if not _year_ok(year):
        return None
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None
