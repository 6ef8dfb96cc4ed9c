"""Grounding a filled form field against the article: its value with the words that state it, or empty with the reason.

Numbers come from the text: each number field is offered only the candidate numbers that fit it (its choices), the
model answers with their ids, and the program's reading of the chosen candidate is kept, with its clause as
evidence. A number written out (by another model, or the program's own guess in grounding/known.py) must be one of
the article's candidates (as written, by its digits, or by value) and is judged by the same rules.
Text must be found in the article; a date is read into ISO 8601 from the words that state it (kept as its quote).
A field whose evidence does not hold is left empty with the reason,
never guessed; a field the article states with several different values is "conflicting", with them all.
"""

from __future__ import annotations

import re
from decimal import Decimal

from summarizer.forms import FormField
from summarizer.grounding.align import locate_quote
from summarizer.grounding.facts import counted_nouns, fact_unit, mislabelled
from summarizer.grounding.labels import fraction_role
from summarizer.grounding.verify import verify_fact
from summarizer.schema import Evidence, FieldResult, Period
from summarizer.text.candidates import Candidate
from summarizer.text.dates import iso_date, period_years, term_period
from summarizer.text.language import FUNCTION_WORDS
from summarizer.text.numbers import TWO_WORD_UNITS, read_vi_number, to_json_number

# What the genre's numbers count ("chi bộ", "đảng viên"...), named by a field even where no number of the article counts it
COUNT_NOUNS = frozenset(TWO_WORD_UNITS)
# A count with these words counts only some of them (a field must ask for those): the ones admitted or new, and
# the ones something was done to (inspected, disciplined, rewarded, expelled, rated) - except the whole of a fraction
SUBSET_WORDS = ("kết nạp", "mới", "admitted", "new")
ACTED_ON_WORDS = (
    *("kiểm tra", "giám sát", "kỷ luật", "khen thưởng", "vi phạm", "ra khỏi", "không còn đủ tư cách", "đánh giá", "xếp loại", "hoàn thành", "xuất sắc"),
    *("inspected", "disciplined", "rewarded", "expelled", "evaluated", "rated"),
)
PLAIN_WORDS = frozenset("tổng số hiện toàn bộ cả total number all".split())  # what any count says of itself
PERCENT_WORDS = frozenset("tỷ tỉ lệ phần trăm rate share percent percentage".split())  # any share says them of itself
_OF_A_CELL = re.compile(r"(?<!\w)Chi bộ\s+(?:[A-ZĐ]\w*|\d)")  # "Chi bộ Khu phố 7 có 47 đảng viên": one cell's own count
_OF_THE_COMMITTEE = re.compile(r"(?<!\w)(?:đảng bộ|đảng ủy|committee)(?!\w)", re.IGNORECASE)
_YEAR_WORDS = re.compile(r"\b(năm|year|years)\b", re.IGNORECASE)
_WORDS = re.compile(r"\w+")
_OF_TARGET = re.compile(r"\s*(?:so với\s+)?(?:chỉ tiêu|kế hoạch|dự toán|mục tiêu)", re.IGNORECASE)  # "đạt 120% chỉ tiêu"
# A field about a sum of money: its unit ("đồng/năm", "VND"), or what is measured in money (income, funds)
_MONEY_WORDS = re.compile(r"(?<!\w)(?:(?:VND|VNĐ|(?:nghìn|triệu|tỷ|tỉ) đồng|số tiền|thu nhập|kinh phí|income|money|funds)(?!\w)|đồng/)", re.IGNORECASE)
_JOINED_PARTY = re.compile(r"kết nạp.*\bvào Đảng\b", re.IGNORECASE)
_TARGET_WORDS = re.compile(r"chỉ tiêu|kế hoạch|dự toán|mục tiêu|target|plan", re.IGNORECASE)


def ground_field(f: FormField, answer, text: str, candidates: list[Candidate], siblings: tuple[FormField, ...] = ()) -> FieldResult:
    """A field of the model's answer checked against the article: filled with its evidence, or empty with the reason.
    `siblings` are the fields beside it in the form: a number whose words speak of one of them is not this field's."""
    if f.type == "list":
        return _ground_list(f, answer or [], text, candidates, siblings)
    if f.type == "object":
        if answer is None:
            return FieldResult(value=None, status="not_in_article")
        fields = {sub.name: ground_field(sub, getattr(answer, sub.name, None), text, candidates, f.fields) for sub in f.fields}
        missing = [sub.name for sub in f.fields if sub.required and fields[sub.name].status != "filled"]
        if missing:
            return FieldResult(value=None, status="unsupported", fields=fields, reason=f"its required field '{missing[0]}' does not hold")
        if not any(result.status == "filled" for result in fields.values()):
            return FieldResult(value=None, status="unsupported", fields=fields, reason="none of its fields holds")
        return FieldResult(value=None, status="filled", fields=fields)
    if f.is_number:
        return ground_chosen(f, answer or [], text, candidates, siblings)
    if f.allowed or f.type == "boolean":
        return _ground_choice(f, answer, text)
    if f.type == "date":
        return _ground_date(answer, text)
    return _ground_text(answer, text)


def _ground_list(f: FormField, answers: list, text: str, candidates: list[Candidate], siblings: tuple[FormField, ...]) -> FieldResult:
    if not answers:
        return FieldResult(value=None, status="not_in_article")
    items = [ground_field(f.item, answer, text, candidates, siblings) for answer in answers]
    held = [item for item in items if item.status == "filled"]
    if not held:
        return FieldResult(value=None, status="unsupported", reason=f"none of the {len(items)} items the model gave holds: {items[0].reason}")
    dropped = len(items) - len(held)
    return FieldResult(value=None, status="filled", items=held, reason=f"{dropped} item(s) that do not hold were left out" if dropped else None)


def field_choices(fields: tuple[FormField, ...], candidates: list[Candidate], text: str, siblings: tuple[FormField, ...]) -> dict[FormField, tuple[int, ...]]:
    """Per number field among `fields` (nested ones included, each beside the siblings `ground_field` judges it
    with), the ids of the candidate numbers it may take (`number_choices`)."""
    nouns = counted_nouns(candidates)
    choices: dict[FormField, tuple[int, ...]] = {}

    def walk(fields: tuple[FormField, ...], siblings: tuple[FormField, ...]) -> None:
        for f in fields:
            if f.is_number:
                choices[f] = tuple(c.id for c in number_choices(f, candidates, text, siblings, nouns))
            elif f.type == "object":
                walk(f.fields, f.fields)
            elif f.type == "list" and f.item is not None:
                walk((f.item,), siblings)

    walk(fields, siblings)
    return choices


def number_choices(f: FormField, candidates: list[Candidate], text: str, siblings: tuple[FormField, ...], nouns: set[str]) -> list[Candidate]:
    """The candidate numbers a number field may take: of the kind it asks for (a percent or not, a sum of money, a
    year), counting what it counts, and whose words speak of no other number field of the form."""
    return [c for c in candidates if not (_unfit(f, c, text, nouns) or _speaks_of_another(f, c, text, siblings, nouns))]


def ground_chosen(f: FormField, ids: list, text: str, candidates: list[Candidate], siblings: tuple[FormField, ...]) -> FieldResult:
    """A number field answered by the ids of candidate numbers: each must be a candidate of the article, and is then
    judged as a number written out would be (`ground_number`), with its own clause as evidence."""
    by_id = {c.id: c for c in candidates}
    chosen = [by_id[i] for i in dict.fromkeys(ids) if i in by_id]
    if not chosen:
        unknown = next(iter(ids), None)
        return (
            FieldResult(value=None, status="unsupported", reason=f"the article has no candidate number [{unknown}]")
            if ids
            else FieldResult(value=None, status="not_in_article")
        )
    return ground_number(f, [c.mention.text for c in chosen], text, chosen, siblings, counted_nouns(candidates))


def ground_number(
    f: FormField, written: list, text: str, candidates: list[Candidate], siblings: tuple[FormField, ...], nouns: set[str] | None = None
) -> FieldResult:
    """Each number the model wrote must be a number of the article: it is matched to the candidates that state it
    (as written, or by value), and the article's own reading of it is kept, with the clause as its evidence.
    `nouns`: what the article's numbers count (by default, read from `candidates`)."""
    if not written:
        return FieldResult(value=None, status="not_in_article")
    nouns = counted_nouns(candidates) if nouns is None else nouns
    evidence: dict[int, Evidence] = {}
    refused = []
    for number in dict.fromkeys(written):
        matches = [c for c in candidates if _states(c, number)]
        if not matches:
            stated = ", ".join(dict.fromkeys(c.mention.text for c in candidates)) or "none"
            refused.append(f"the article states no number {number!r} (its numbers: {stated[:120]})")
            continue
        for candidate in matches:
            if problem := _unfit(f, candidate, text, nouns) or _speaks_of_another(f, candidate, text, siblings, nouns):
                refused.append(problem)
                continue
            value = to_json_number(candidate.mention.value)
            verdict = verify_fact(text, quote=candidate.quote(text), value=value, unit="", at=candidate.start)
            if verdict.supported:  # a candidate's own clause states it; kept as a guard
                evidence[candidate.id] = Evidence(
                    value=value, quote=text[verdict.start : verdict.end], start=verdict.start, end=verdict.end, alignment=verdict.alignment
                )
    if not evidence:
        return FieldResult(value=None, status="unsupported", reason=refused[0])
    values = list(dict.fromkeys(e.value for e in evidence.values()))
    if len(values) > 1:
        shown = ", ".join(str(v) for v in values)
        return FieldResult(value=None, status="conflicting", candidates=list(evidence.values()), reason=f"the article states several values ({shown})")
    if f.type == "integer" and not float(values[0]).is_integer():
        return FieldResult(value=None, status="unsupported", reason=f"{values[0]} is not a whole number")
    return FieldResult(**next(iter(evidence.values())).model_dump(), status="filled")


def _states(candidate: Candidate, number) -> bool:
    """Whether the candidate is the number the model wrote: as the article writes it ("1.312", "30 triệu", "1,7%"),
    its digits ("30" for "30 triệu"), or its value (1312, 1.7)."""
    mention = candidate.mention
    if isinstance(number, str):
        wanted = number.strip()
        after = wanted[len(mention.text) :][:1] if wanted.startswith(mention.text) else None
        if after is not None and not (after.isdigit() or after in ".,"):  # "30 triệu đồng/năm" for "30 triệu"
            return True
        if wanted == mention.text or read_vi_number(wanted) == mention.value:
            return True
        if any(c.isdigit() for c in mention.text) and wanted == mention.text.split()[0]:  # "30" for "30 triệu"; "ba" is not "ba trăm"
            return True
        try:
            number = float(wanted)  # "1312" or "1.7" written the English way
        except ValueError:
            return False
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        return False
    digits = read_vi_number(mention.text.split()[0].rstrip("%"))
    return Decimal(str(number)) in (mention.value, digits)


def _unfit(f: FormField, candidate: Candidate, text: str, nouns: set[str]) -> str | None:
    """Why a candidate number cannot fill the field: a percent for a field that asks for none (or the reverse), no
    money for a field about money, a share of a target, a year, a count of another noun than the field names, the
    part of a fraction, a count of only those admitted for a field about all (or the reverse)."""
    unit = fact_unit(text, candidate)
    if unit == "quần chúng" and _JOINED_PARTY.search(candidate.quote(text)):
        unit = "đảng viên"  # "kết nạp được 91 quần chúng vào Đảng": 91 people admitted, now party members
    written = candidate.mention.text
    wants_percent = "%" in f.description
    if wants_percent != (unit == "%"):
        return f"{written} is {'not ' if wants_percent else ''}a percent, and the field asks for {'one' if wants_percent else 'no percent'}"
    if _MONEY_WORDS.search(f.description) and not unit.startswith("VND"):
        return f"{written} is no sum of money, and the field asks for one"
    if unit == "%" and _OF_TARGET.match(text, candidate.mention.end) and not _TARGET_WORDS.search(f.description):
        return (
            f"{written} is a share of a target or plan ({text[candidate.mention.end : candidate.mention.end + 20].strip()}), and the field does not ask for one"
        )
    if candidate.mention.kind in ("year", "range_part") and not _YEAR_WORDS.search(f.description):
        return f"{written} is a year, and the field does not ask for one"
    described = f" {' '.join(_WORDS.findall(f.description.casefold()))} "
    named = {noun for noun in nouns | COUNT_NOUNS if f" {noun.casefold()} " in described}  # what the field counts, if it says
    if named and unit != "%" and unit not in named:  # a percent is a share of what it names ("tỷ lệ hộ nghèo 2,3%")
        return f"{written} counts {unit or 'nothing named'!r}, and the field asks for {' or '.join(sorted(named))!r}"
    if fraction_role(text, candidate) == "part" and not (syllables(candidate.quote(text)) - syllables(" ".join(nouns))) & syllables(f.description):
        return f"{written} is the part of a fraction ({candidate.quote(text)[:60]!r}): it counts only some of them, and the field does not ask for those"
    quote = candidate.quote(text)
    if unit == "%" and (wanted := syllables(f.description) - PLAIN_WORDS - PERCENT_WORDS) and not syllables(_lead(text, candidate)) & wanted:
        return f"{written} is a share of something else ({quote[:60]!r}): its words name nothing the field asks a share of"
    marked = _subsets(quote, whole=fraction_role(text, candidate) == "total")
    asked = _subsets(f.description)
    if set(marked) - set(asked):
        return f"{written} counts only those {' or '.join(marked.values())} ({quote[:60]!r}), and the field does not ask for them"
    if unit != "%" and set(asked) - set(marked):
        return f"{written} is no count of those {' or '.join(asked.values())} (its words: {quote[:60]!r}), and the field asks for them"
    if unit != "%" and (cell := _OF_A_CELL.search(quote, 0, candidate.mention.start - candidate.start)) and _OF_THE_COMMITTEE.search(f.description):
        return f"{written} counts those of one party cell ({quote[cell.start() : cell.end() + 12].strip()!r}), and the field asks for the committee's"
    if problem := mislabelled(f.description, unit, nouns):
        return f"{written}: {problem.replace('the label', 'the field')}"
    return None


def _subsets(text: str, whole: bool = False) -> dict[str, str]:
    """Which parts of the whole a count's words make it ("kết nạp 61 đảng viên mới": those admitted; "kiểm tra 1 chi
    bộ": those acted on), each with the first of its words found; `whole`: the count is the whole of a fraction
    ("kiểm tra 5/10 chi bộ"), so no action makes it a part."""
    groups = {"admitted": SUBSET_WORDS} if whole else {"admitted": SUBSET_WORDS, "acted on": ACTED_ON_WORDS}
    found = {}
    for group, words in groups.items():
        if word := next((w for w in words if re.search(rf"(?<!\w){w}(?!\w)", text, re.IGNORECASE)), None):
            found[group] = word
    return found


def _lead(text: str, candidate: Candidate) -> str:
    """A number's clause and the words before it in its sentence (up to 120 characters): what a share is a share of
    ("Tỷ lệ hộ nghèo giảm đáng kể (..., hiện còn 0,78%)")."""
    start = candidate.mention.start
    begin = max(0, start - 120, *(text.rfind(mark, 0, start) + 1 for mark in (". ", "\n", "! ", "? ")))
    return text[min(begin, candidate.start) : candidate.end]


def _speaks_of_another(f: FormField, candidate: Candidate, text: str, siblings: tuple[FormField, ...], nouns: set[str]) -> str | None:
    """Whether the words around the number match another number field of the form better than this one: the words
    one field's description has and the other's lacks decide ("kết nạp ... 60 đảng viên" is new members, not all
    members). What numbers count ("đảng viên", "chi bộ") is left to the noun check."""
    clause = syllables(candidate.quote(text)) - syllables(" ".join(nouns))
    own = syllables(f.description)
    for other in siblings:
        if other is f or not other.is_number:
            continue
        theirs = syllables(other.description)
        for_them, for_us = clause & (theirs - own), clause & (own - theirs)
        if len(for_them) >= 2 and len(for_them) > len(for_us):  # one shared word is too little to go on
            return f"the words around {candidate.mention.text} ({', '.join(sorted(for_them))}) speak of the field '{other.name}'"
    return None


def syllables(text: str) -> set[str]:
    return set(_WORDS.findall(text.casefold())) - FUNCTION_WORDS  # they say nothing of which field a number belongs to


def _ground_text(value, text: str) -> FieldResult:
    if value is None or not str(value).strip():
        return FieldResult(value=None, status="not_in_article")
    found = locate_quote(str(value).strip(), text)
    if found is None:
        return FieldResult(value=None, status="unsupported", reason=f"{str(value)[:80]!r} is not in the article")
    start, end, alignment = found
    return FieldResult(value=text[start:end], quote=text[start:end], start=start, end=end, alignment=alignment, status="filled")


def _ground_date(value, text: str) -> FieldResult:
    """A date field: the words the model copied, found in the article, read into ISO 8601 (text/dates.py); the words
    as written stay its quote."""
    result = _ground_text(value, text)
    if result.status != "filled":
        return result
    iso, reason = iso_date(result.quote), None
    if iso is None and (term := term_period(result.quote, text)):
        iso, reason = term[0], f"the years of the term are those the article gives in {term[1]!r}"
    if iso is None:
        return FieldResult(value=None, status="unsupported", reason=f"{result.quote[:80]!r} states no date this program can read")
    years = period_years(iso)
    period = Period(start=years[0], end=years[1]) if years else None
    return result.model_copy(update={"value": iso, "period": period, "reason": reason})


def _ground_choice(f: FormField, answer, text: str) -> FieldResult:
    value = getattr(answer, "value", None)
    if answer is None or value is None:
        return FieldResult(value=None, status="not_in_article")
    words = (answer.quote or "").strip() or value
    found = locate_quote(words, text)
    if found is None:
        what = "the quote given for it" if (answer.quote or "").strip() else "no quote was given, and the value itself"
        return FieldResult(value=None, status="unsupported", reason=f"{value!r}: {what} is not in the article")
    start, end, alignment = found
    chosen = (value == "yes") if f.type == "boolean" else value
    return FieldResult(value=chosen, quote=text[start:end], start=start, end=end, alignment=alignment, status="filled")


def plain_value(result: FieldResult):
    """The value a filled field contributes to `values` (None when it is empty)."""
    if result.status != "filled":
        return None
    if result.items is not None:
        return [plain_value(item) for item in result.items]
    if result.fields is not None:
        return {name: value for name, sub in result.fields.items() if (value := plain_value(sub)) is not None}
    return result.value


def merged(results: list[FieldResult]) -> FieldResult:
    """One field answered from each part of a long document, as one result: the parts that agree give one value;
    parts that state different values make it `conflicting`, with the evidence of each; a list takes every item
    once, in document order; an object merges field by field. With no part filled, the first part's reason stands
    (conflicting before unsupported before not_in_article)."""
    if len(results) == 1:
        return results[0]
    filled = [r for r in results if r.status == "filled"]
    conflicting = [r for r in results if r.status == "conflicting"]
    if filled and filled[0].items is not None:
        items = {repr(plain_value(item)): item for r in filled for item in r.items or []}
        return FieldResult(value=None, status="filled", items=sorted(items.values(), key=_place))
    if filled and filled[0].fields is not None:
        names = filled[0].fields.keys()
        fields = {name: merged([r.fields[name] for r in filled if r.fields and name in r.fields]) for name in names}
        return FieldResult(value=None, status="filled", fields=fields)
    stated = {repr(r.value): Evidence(**r.model_dump(include=set(Evidence.model_fields))) for r in filled}
    stated |= {repr(e.value): e for r in conflicting for e in r.candidates if repr(e.value) not in stated}
    if len(stated) == 1 and filled:
        return filled[0]
    if len(stated) > 1:
        shown = ", ".join(str(e.value) for e in stated.values())
        return FieldResult(
            value=None, status="conflicting", candidates=sorted(stated.values(), key=_place), reason=f"the document states several values ({shown})"
        )
    for status in ("conflicting", "unsupported"):
        if found := next((r for r in results if r.status == status), None):
            return found
    return results[0]


def _place(evidence: Evidence) -> int:
    """Where evidence stands in the document (the start of its quote; without one, after every quote)."""
    return evidence.start if evidence.start is not None else 1 << 62
