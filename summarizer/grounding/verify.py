"""Checking records against the article: facts (the quote located, stating the value) and statements (the source located, the statement checked)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from summarizer.grounding.align import Alignment, locate_quote, normalise
from summarizer.grounding.statements import check_statement
from summarizer.text.numbers import NumberMention, english_misreading, mentions_in, text_locale, to_json_number

FLOAT_TOLERANCE = Decimal("1e-9")  # relative, for float values only

# Date parts and ordinals are not quantities: they support a value only under these units
# (or none), so "Phường 6" never supports 6 people and "ngày 6/7/2022" supports the year 2022.
UNITS_FOR_KIND = {
    "date": {"", "year", "years", "date", "day", "month", "period", "năm", "ngày", "tháng"},
    "ordinal": {"", "ordinal"},
}


@dataclass(frozen=True)
class Verdict:
    """Whether a fact is grounded in the article, and where."""

    supported: bool
    start: int | None  # span of the quote in the article text, computed here
    end: int | None
    alignment: Alignment
    reason: str | None  # short English sentence when not supported
    hedge: str | None  # hedge on the matched number, if any
    matched_text: str | None  # the number as written in the quote that supports the value


# ---------------------------------------------------------------- values

_NUMERIC_STRING = re.compile(r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def _as_value(value) -> Decimal | str | None:
    """A fact value as a Decimal, or a non-numeric string ("2003-2008"); None when unusable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if value == value and abs(value) != float("inf") else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, str) and value.strip():
        text = value.strip()
        if _NUMERIC_STRING.fullmatch(text):
            try:
                return Decimal(text)
            except InvalidOperation:
                return None
        return text
    return None


def _show(value: Decimal) -> str:
    """A number as a reader of the reason expects it: 1312, 1.312, 8860000000."""
    return str(to_json_number(value)) if value == value.to_integral_value() else format(value.normalize(), "f")


def _same(stated: Decimal, wanted: Decimal, tolerant: bool) -> bool:
    if stated == wanted:
        return True
    return tolerant and abs(stated - wanted) <= FLOAT_TOLERANCE * max(abs(stated), abs(wanted))


def _unit_problem(mention: NumberMention, unit: str) -> str | None:
    """Why the mention can't carry this unit: "%" needs a percent, "VND" needs "đồng", a percent needs "%"."""
    is_percent = mention.kind == "percent" or mention.unit == "%"
    shown = _show(mention.value)
    if unit.startswith("%"):
        return None if is_percent else f"unit '{unit}' but the quote's number {shown} is not a percentage"
    if unit.upper().startswith(("VND", "VNĐ")):
        if mention.unit != "VND":
            return f"unit '{unit}' but the quote's number {shown} is not followed by 'đồng'"
        return None
    if is_percent and unit:
        return f"the quote's number {shown} is a percentage but the unit is '{unit}'"
    return None


def _fits_kind(mention: NumberMention, unit: str) -> bool:
    """Whether a mention of this kind may carry the unit (see UNITS_FOR_KIND)."""
    allowed = UNITS_FOR_KIND.get(mention.kind)
    return allowed is None or unit.strip().casefold() in allowed


def _unsupported(reason: str, span: tuple[int, int, Alignment] | None = None) -> Verdict:
    start, end, alignment = span if span else (None, None, "none")
    return Verdict(False, start, end, alignment, reason, None, None)


def _verify_number(text: str, span: tuple[int, int, Alignment], wanted: Decimal, unit: str, tolerant: bool) -> Verdict:
    """Is `wanted` one of the numbers written in the located quote, with a fitting unit?"""
    start, end, alignment = span
    mentions = [m for m in mentions_in(text) if start <= m.start and m.end <= end]
    equal = [m for m in mentions if _same(m.value, wanted, tolerant)]
    usable = [m for m in equal if _fits_kind(m, unit)]
    for m in usable:
        if _unit_problem(m, unit) is None:
            return Verdict(True, start, end, alignment, None, m.hedge, m.text)
    shown = _show(wanted)
    if usable:
        return _unsupported(_unit_problem(usable[0], unit), span)
    if equal:
        what = "a date" if equal[0].kind == "date" else "an identifier or ordinal"
        return _unsupported(f"value {shown} appears in the quote only as part of {what} ('{equal[0].text}'), not as a quantity", span)
    for m in mentions:
        misread = english_misreading(m.text)
        if misread is not None and _same(misread, wanted, tolerant):
            return _unsupported(
                f"value {shown} needs the quote read with English separators; written '{m.text}' means {_show(m.value)} in Vietnamese",
                span,
            )
    stated = ", ".join(_show(m.value) for m in mentions if _fits_kind(m, unit)) or "no number"
    return _unsupported(f"value {shown} is not a number stated in the quote (it states {stated})", span)


def _flexible_pattern(norm_value: str) -> re.Pattern:
    """A regex for a normalised string value, loose about spaces around "-", "," and "/" ("2020 - 2025")."""
    pieces: list[str] = []
    for token in re.findall(r"[-,/]|[^\s,/-]+", norm_value):
        if token in "-,/":
            pieces.append(rf"\s*{re.escape(token)}\s*")
        else:
            if pieces and not pieces[-1].endswith(r"\s*"):
                pieces.append(r"\s+")
            pieces.append(re.escape(token))
    return re.compile(r"(?<![\w.,])" + "".join(pieces) + r"(?![.,]?\d)(?!\w)")


def _verify_string(text: str, span: tuple[int, int, Alignment], wanted: str) -> Verdict:
    """Is the string value ("2003-2008", "2020, 2021, 2022") written in the located quote?"""
    start, end, alignment = span
    norm_span, starts, ends = normalise(text[start:end])
    norm_value = normalise(wanted)[0].strip()
    m = _flexible_pattern(norm_value).search(norm_span) if norm_value else None
    if m is None:
        return _unsupported(f"value '{wanted}' is not written in the quote", span)
    found_start, found_end = start + starts[m.start()], start + ends[m.end() - 1]
    inside = [n for n in mentions_in(text) if found_start <= n.start and n.end <= found_end]
    hedge = next((n.hedge for n in inside if n.hedge), None)
    return Verdict(True, start, end, alignment, None, hedge, text[found_start:found_end])


def verify_fact(text: str, *, quote: str, value, unit: str = "", at: int | None = None) -> Verdict:
    """Supported iff the quote is in the article and states the value (read the Vietnamese way) with a fitting unit.
    `at`: where the quote stands when the caller knows (a candidate's own clause): a sentence the article repeats is
    then checked at that place, not at its first."""
    if not isinstance(text, str):
        return _unsupported("the article text is not a string")
    if not isinstance(quote, str) or not quote.strip():
        return _unsupported("the quote is missing or empty")
    if unit is None:
        unit = ""
    if not isinstance(unit, str):
        return _unsupported("the unit is not a string")
    span = (at, at + len(quote), "exact") if at is not None and text.startswith(quote, at) else locate_quote(quote, text)
    if span is None:
        return _unsupported("quote not found in the article")
    wanted = _as_value(value)
    if wanted is None:
        return _unsupported("the value is missing or not a number or string", span)
    if isinstance(wanted, str):
        return _verify_string(text, span, wanted)
    return _verify_number(text, span, wanted, unit.strip(), tolerant=isinstance(value, float))


def _verdict_fields(verdict: Verdict) -> dict:
    return {
        "supported": verdict.supported,
        "start": verdict.start,
        "end": verdict.end,
        "alignment": verdict.alignment,
        "reason": verdict.reason,
        "hedge": verdict.hedge,
    }


def _fact_problem(fact) -> str | None:
    """Why a fact record can't be checked at all, or None."""
    if not isinstance(fact, dict):
        return "the fact is not an object"
    for field in ("quote", "value", "unit"):
        if fact.get(field) is None:
            return f"the fact has no {field}"
    if not isinstance(fact["quote"], str):
        return "the fact's quote is not a string"
    if not isinstance(fact["unit"], str):
        return "the fact's unit is not a string"
    if _as_value(fact["value"]) is None:
        return "the fact's value is not a number or a string"
    return None


def verify_facts(text: str, facts: list[dict]) -> list[dict]:
    """Each fact copied with supported, start, end, alignment, reason and hedge added, in order; never raises."""
    results = []
    for fact in facts if isinstance(facts, list) else []:
        problem = _fact_problem(fact)
        if problem is None:
            verdict = verify_fact(text, quote=fact["quote"], value=fact["value"], unit=fact["unit"])
        else:
            verdict = _unsupported(problem)
        results.append({**(fact if isinstance(fact, dict) else {}), **_verdict_fields(verdict)})
    return results


# ---------------------------------------------------------------- facts and statements together

FACT_FIELDS = ("quote", "value", "unit")
LANGUAGES = ("en", "vi")


def _is_fact(item) -> bool:
    return isinstance(item, dict) and any(field in item for field in FACT_FIELDS)


def _statement_problem(text, item: dict) -> str | None:
    """Why a statement item can't be checked at all, or None."""
    if not isinstance(text, str):
        return "the article text is not a string"
    if not isinstance(item["text"], str) or not item["text"].strip():
        return "the statement's text is not a non-empty string"
    source = item.get("source")
    if source is not None and (not isinstance(source, str) or not source.strip()):
        return "the statement's source is not a non-empty string (leave it out to check the statement against the whole article)"
    if item.get("language") not in (None, *LANGUAGES):
        return "the statement's language must be 'en' or 'vi' (or left out)"
    return None


def _unchecked(item, reason: str) -> dict:
    fields = item if isinstance(item, dict) else {}
    return {**fields, "supported": False, "start": None, "end": None, "problems": [], "reason": reason}


def verify_statement(text: str, item: dict) -> dict:
    """A statement item copied with supported, start, end (of its source), problems and reason added; never raises."""
    why = _statement_problem(text, item)
    if why is not None:
        return _unchecked(item, why)
    source = item.get("source")
    if source is None:
        start, end = 0, len(text)
    else:
        span = locate_quote(source, text)
        if span is None:
            problem = {"kind": "source", "text": source, "reason": "the source is not found in the article."}
            return {**item, "supported": False, "start": None, "end": None, "problems": [problem], "reason": None}
        start, end, _ = span
    problems = check_statement(item["text"], text[start:end], language=item.get("language"), source_language=text_locale(text))
    found = [{"kind": p.kind, "text": p.text, "reason": p.reason} for p in problems]
    return {**item, "supported": not found, "start": start, "end": end, "problems": found, "reason": None}


def verify_records(text: str, records: list) -> list[dict]:
    """Facts and statements checked against the article, in order; one list may mix both; never raises.

    A fact (an object with any of "quote", "value", "unit") comes back as verify_facts returns it. A statement (an
    object with "text" and none of those; optional "source", a quote of the article, and "language") comes back with
    supported, start, end, problems and reason added; anything else comes back unsupported with a one-line reason."""
    results = []
    for item in records if isinstance(records, list) else []:
        if _is_fact(item):
            results += verify_facts(text, [item])
        elif isinstance(item, dict) and "text" in item:
            results.append(verify_statement(text, item))
        else:
            results.append(_unchecked(item, 'an item is a fact ("quote", "value", "unit") or a statement ("text", optional "source")'))
    return results
