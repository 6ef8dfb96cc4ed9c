"""Turning candidate numbers into facts: each checked against the text, labelled, or rejected with the reason.

The number, its unit and the quote come from the text (the candidate); the model contributes what the number
measures and its period, and the program checks that label (grounding/labels.py). A small model skips candidates,
so every candidate that is a statistic becomes a fact, labelled by the program when the model did not label it,
unless the model says it is not one or a rule below does (a duration, an age, a schedule, "1 trong số 3").
"""

from __future__ import annotations

import re

from summarizer.grounding.labels import Label, checked_label, declines, misaligned, program_label, verb_before
from summarizer.grounding.verify import verify_fact
from summarizer.schema import Fact, FactLabel, RejectedFact
from summarizer.text.candidates import Candidate, clause_limits
from summarizer.text.numbers import NumberMention, mentions_in, text_locale, to_json_number

# Time units: a count of them is a duration ("Trong 6 năm", "4 năm qua"), the period other figures cover, unless
# the article counts consecutive periods of a record ("tiêu biểu 5 năm liền").
DURATION_UNITS = frozenset({"năm", "tháng", "ngày", "tuần", "quý", "giờ"})
CONSECUTIVE = (("liền",), ("liên", "tục"), ("liên", "tiếp"))
AGE_UNITS = frozenset({"tuổi"})
SCHEDULE_UNITS = frozenset({"buổi", "lần", "ca", "tiết"})  # "2 buổi/ngày": how often, not how many
QUOTE_EXTRA_WORDS = 12  # a fact's quote is widened to its clause's edges when they are at most this many words away
# Words that open a phrase and are never the second half of a compound: a quote cut short of its clause starts at
# one of them and ends before one. ("được", "với", "trong" are left out: "đạt được", "so với", "bên trong".)
PHRASE_OPENERS = frozenset("và của các những hoặc nhưng".split())
NO_ENGLISH = "the program has no English"  # neither the model nor the termbase says in English what is counted
# The program's labels are Vietnamese counted nouns through the termbase: in an article written in English a candidate
# the model did not label is left out (and not listed).
ENGLISH_ARTICLE = "an English article: the program labels only what Vietnamese text counts"

_SYLLABLE = re.compile(r"[^\W\d_]+")
_TOKEN = re.compile(r"\S+")
_SENTENCE_END = re.compile(r"[.!?…](?=\s)|\n")


def ground_facts(text: str, candidates: list[Candidate], labels: list[FactLabel]) -> tuple[list[Fact], list[RejectedFact]]:
    """Facts from the candidates that are statistics, each verified against the text; the rest rejected with the reason.

    The number, its unit and the quote come from the text (the candidate). A candidate the model labelled keeps the
    model's label where it holds (grounding/labels.py) and gets the program's where it does not; a candidate the model
    did not label gets the program's. Not facts: candidates a rule says are not statistics and those the model says
    are not. A label for a candidate that does not exist is rejected; a second label for the same candidate is ignored;
    no two facts keep one model label.
    """
    by_id = {candidate.id: candidate for candidate in candidates}
    nouns = counted_nouns(candidates)
    rejected: list[RejectedFact] = []
    labelled: dict[int, FactLabel] = {}
    for label in labels:
        if label.id not in by_id:
            rejected.append(RejectedFact(candidate=label.id, what_en=label.what_en, reason=f"there is no candidate [{label.id}]"))
        else:
            labelled.setdefault(label.id, label)

    kept: list[tuple[Candidate, Fact]] = []
    for candidate in candidates:
        label = labelled.get(candidate.id)
        fact, reason = ground_candidate(text, candidate, label, nouns)
        if fact is not None:
            kept.append((candidate, fact))
        elif label is not None or reason.startswith(NO_ENGLISH):  # a candidate the model skipped is listed only for this
            rejected.append(_rejected(text, candidate, label, reason))
    facts = distinct_labels(text, kept)
    facts.sort(key=lambda fact: (fact.start, fact.end))
    return facts, rejected


def _rejected(text: str, candidate: Candidate, label: FactLabel | None, reason: str) -> RejectedFact:
    return RejectedFact(
        candidate=candidate.id,
        quote=candidate.quote(text),
        number_text=candidate.mention.text,
        what_en=label.what_en if label else None,
        reason=reason,
    )


def ground_candidate(text: str, candidate: Candidate, label: FactLabel | None, nouns: set[str] = frozenset()) -> tuple[Fact | None, str]:
    """The fact a candidate states, with the model's label where it holds and the program's otherwise; or None and why."""
    mention = candidate.mention
    if reason := not_a_statistic(text, mention):
        return None, reason
    if label is not None and declines(label.what_en, label.what_vi):
        return None, "the model says it is not a statistic"
    value = to_json_number(mention.value)
    unit = fact_unit(text, candidate)
    start, end = word_bounded(text, candidate.start, candidate.end)
    verdict = verify_fact(text, quote=text[start:end], value=value, unit=unit, at=start)
    if not verdict.supported:
        return None, verdict.reason or "not supported by the article"
    if label is None:
        if text_locale(text) == "en":
            return None, ENGLISH_ARTICLE
        named, why = program_label(text, candidate), None
        period = None
    else:
        named, why = checked_label(text, candidate, label.what_en, label.what_vi, label.period, nouns)
        period = None if misaligned(text, candidate, label.what_en, label.what_vi) else checked_period(text, label.period)
    if named is None:
        no_label = f"{NO_ENGLISH} and Vietnamese for what the number counts ({mention.unit or 'nothing written after it'!r})"
        return None, f"{why}; {no_label}" if why else no_label
    return Fact(
        what_en=named.what_en,
        what_vi=named.what_vi,
        label_source=named.source,
        label_note=named.note,
        value=value,
        unit=unit,
        period=_period(period, sentence_period(text, mention)),
        quote=text[verdict.start : verdict.end],
        start=verdict.start,
        end=verdict.end,
        number_text=mention.text,
        hedge=verdict.hedge or mention.hedge,
        alignment=verdict.alignment,
    ), ""


# --------------------------------------------------------------------------- what is not a statistic


def not_a_statistic(text: str, mention: NumberMention) -> str | None:
    """Why a candidate number is not a statistic, or None: a duration, an age, a schedule, or "1 trong số 3"."""
    unit = mention.unit or ""
    after = _syllables_after(text, mention.end, 6)
    unit_size = len(unit.split()) if after[: len(unit.split())] == unit.split() else 0
    rest = after[unit_size:]
    if unit in DURATION_UNITS and not any(tuple(rest[: len(c)]) == c for c in CONSECUTIVE):
        return f"a duration ({mention.text} {unit}): the period other figures cover, not a statistic"
    if unit in AGE_UNITS:
        return f"an age ({mention.text} {unit}), not a count"
    if unit in SCHEDULE_UNITS and text[_unit_end(text, mention) :].startswith("/"):
        return f"how often ({mention.text} {unit}/...), not how many"
    if mention.value == 1 and (after[:2] == ["trong", "số"] or (after[:1] == ["trong"] and _number_follows(text, mention.end))):
        return f"'{mention.text} trong số ...': the subject is one of a group, not a count"
    return None


def _syllables_after(text: str, pos: int, n: int) -> list[str]:
    """The next n words after pos, up to the clause's end, casefolded."""
    _, limit = clause_limits(text, pos, pos)
    return [m.group().casefold() for m in _SYLLABLE.finditer(text, pos, limit)][:n]


def _unit_end(text: str, mention: NumberMention) -> int:
    """Where the unit written after the number ends."""
    pos = mention.end
    for _ in (mention.unit or "").split():
        m = _SYLLABLE.search(text, pos)
        if m is None:
            break
        pos = m.end()
    return pos


def _number_follows(text: str, pos: int) -> bool:
    """ "1 trong 3 ...": a number written within a few words after pos."""
    return any(pos < m.start() <= pos + 12 for m in re.finditer(r"\d", text[pos : pos + 13]))


# --------------------------------------------------------------------------- labels: one per fact


def distinct_labels(text: str, kept: list[tuple[Candidate, Fact]]) -> list[Fact]:
    """No two facts with one label (and period): a later one with the model's label gets the program's; a later one
    with the program's label gets the verb written before its number ("sửa chữa 19 căn": houses repaired)."""
    seen: dict[tuple[str, str | None], int] = {}
    out: list[Fact] = []
    for candidate, fact in kept:
        label_key = (fact.what_en.casefold(), fact.period)
        if label_key in seen and fact.label_source == "program" and (qualifier := _qualifier(text, candidate)):
            qualified = f"{fact.what_en} {qualifier}"  # "houses" twice: "houses repaired"; "party members of Chi bộ Khu phố 7"
            fact = fact.model_copy(update={"what_en": qualified, "label_note": _join(fact.label_note, "another number has the same label")})
        elif label_key in seen and fact.label_source == "model":
            first = seen[label_key]
            note = f"the model gave the same label to candidate [{first}]"
            named = program_label(text, candidate, note=note) or Label(fact.what_en, fact.what_vi, "model", note)
            if named.source == "program":
                fact = fact.model_copy(
                    update={"what_en": named.what_en, "what_vi": named.what_vi, "label_source": "program", "label_note": _join(fact.label_note, note)}
                )
        seen.setdefault((fact.what_en.casefold(), fact.period), candidate.id)
        out.append(fact)
    return out


_LINKS = frozenset("có với là được đạt gồm còn hiện nay".split())  # words between a subject and its number


def _qualifier(text: str, candidate: Candidate) -> str | None:
    """What tells a number from another with the same label: the verb written before it ("sửa chữa 19 căn": repaired),
    else the name its clause opens with ("Chi bộ Khu phố 7 có 47 đảng viên": of Chi bộ Khu phố 7)."""
    if verb := verb_before(text, candidate.mention.start):
        return verb[0]
    start, _ = clause_limits(text, candidate.mention.start, candidate.mention.end)
    words = text[start : candidate.mention.start].split()
    while words and words[-1].casefold() in _LINKS:
        words.pop()
    return f"of {' '.join(words)}" if words and words[0][:1].isupper() and len(words) <= 5 else None


def _join(*notes: str | None) -> str | None:
    return "; ".join(note for note in notes if note) or None


# --------------------------------------------------------------------------- quotes, periods, units


def word_bounded(text: str, start: int, end: int) -> tuple[int, int]:
    """A candidate's clause widened so the quote starts and ends on word boundaries: to the clause's own edges when
    they are at most QUOTE_EXTRA_WORDS words away ("Thu nhập bình quân đầu người ...", not "người ..." or "quân đầu
    người ..."), else to the nearest word that opens a phrase."""
    left_limit, right_limit = clause_limits(text, start, end)
    before = list(_TOKEN.finditer(text, left_limit, start))
    if len(before) <= QUOTE_EXTRA_WORDS:
        start = before[0].start() if before else start
    else:
        near = before[-QUOTE_EXTRA_WORDS:]
        opener = next((m for m in reversed(near) if m.group().casefold() in PHRASE_OPENERS), None)
        start = (opener or before[0]).start()
    after = list(_TOKEN.finditer(text, end, right_limit))
    if len(after) <= QUOTE_EXTRA_WORDS:
        end = after[-1].end() if after else end
    else:
        near = after[:QUOTE_EXTRA_WORDS]
        k = next((i for i, m in enumerate(near) if i and m.group().casefold() in PHRASE_OPENERS), None)
        end = near[k - 1].end() if k else after[-1].end()
    return start, end


def counted_nouns(candidates: list[Candidate]) -> set[str]:
    """What the article's numbers count ("đảng viên", "chi bộ", "hộ"...): not percents or money."""
    return {c.mention.unit for c in candidates if c.mention.unit and c.mention.kind != "percent" and c.mention.unit != "VND"}


def mislabelled(what_vi: str, unit: str, nouns: set[str]) -> str | None:
    """A label that names another counted noun of the article and not this number's own ("số đảng viên" for "25 chi bộ")."""
    if unit not in nouns:
        return None
    words = " " + " ".join(_WORDS.findall(what_vi.casefold())) + " "
    if f" {unit.casefold()} " in words:
        return None
    for other in sorted(nouns - {unit}):
        if f" {other.casefold()} " in words:
            return f"the label speaks of {other!r} but the number counts {unit!r} ({what_vi[:60]!r})"
    return None


def fact_unit(text: str, candidate: Candidate) -> str:
    """'%', 'VND' (or 'VND/year'), or the noun written after the number."""
    mention = candidate.mention
    if mention.kind == "percent":
        return "%"
    if mention.unit == "VND":
        return "VND/year" if "/năm" in text[mention.end : mention.end + 12] else "VND"
    return mention.unit or ""


_WORDS = re.compile(r"\w+")
_YEAR = re.compile(r"\b(19|20)\d\d\b")


def checked_period(text: str, period: str | None) -> str | None:
    """The model's period, kept only when every year in it is written in the article."""
    if not period or not period.strip():
        return None
    years = [match.group(0) for match in _YEAR.finditer(period)]
    if not years or any(year not in text for year in years):
        return None
    return period.strip()


def _period(model: str | None, own: str | None) -> str | None:
    """The fact's period: its own sentence's when that names one and the model's names another year ("Năm 2021 có
    22/24 chi bộ" is 2021 whatever the model says), else the model's, else none."""
    if own and model and not _years(model) & _years(own):
        return own
    return model or own


def _years(period: str) -> set[str]:
    return {m.group(0) for m in _YEAR.finditer(period)}


def sentence_period(text: str, mention: NumberMention) -> str | None:
    """The one year or period written earlier in the number's sentence ("Năm 2021 có 22/24 chi bộ ...": 2021;
    "Từ năm 2020 đến nay, ... 8,86 tỉ đồng": since 2020), or None when there is none or more than one."""
    sentence_start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, mention.start)), default=0)
    years = [m for m in mentions_in(text) if sentence_start <= m.start and m.end <= mention.start and _is_year(m)]
    periods: list[str] = []
    i = 0
    while i < len(years):
        m = years[i]
        if m.kind == "range_part" and i + 1 < len(years) and years[i + 1].kind == "range_part":
            periods.append(f"{m.text}-{years[i + 1].text}")
            i += 2
            continue
        since = re.search(r"(?:từ|kể từ)\s+(?:năm\s+)?$", text[max(0, m.start - 12) : m.start], re.IGNORECASE)
        now = re.match(r"\s+(?:đến|tới)\s+nay", text[m.end : m.end + 12], re.IGNORECASE)
        periods.append(f"since {m.text}" if since and now else m.text)
        i += 1
    distinct = list(dict.fromkeys(periods))
    return distinct[0] if len(distinct) == 1 else None


def _is_year(mention: NumberMention) -> bool:
    return mention.kind in ("year", "range_part") and mention.text.isdigit() and len(mention.text) == 4 and 1900 <= int(mention.text) <= 2100
