"""What the program knows for a form field without the model: the people it finds, and the numbers that fit a field.

A small model leaves fields empty that the text answers plainly (the secretary a position names, the one count of
party members). A field the model left empty, or whose answer did not hold, is answered from what the program
found, marked `filled_by: program`, and only when that is unambiguous:

  a person's name    a text field whose description asks for a name ("Họ tên", "name") and a position the people
                     finder knows ("Bí thư Đảng ủy", "Chủ tịch"): the person the article writes with that position
                     over that body (a "Bí thư Chi bộ" is no "Bí thư Đảng ủy"); two such people: conflicting
  a list of people   a list whose items have a name field and a position field: everyone the finder found, even
                     when the model answered (then its items that name someone else by a person's name follow;
                     an item "named" by a position is left out)
  an organisation    a text field asking for the party organisation ("Tên tổ chức đảng", "party organisation"), left
                     empty or answered with a place, not a body ("Phường 5, TP. Đông Hà"): the party organisation
                     the article names most often by its place ("Đảng bộ Phường 5"); several as often: conflicting;
                     never in place of the model's own conflicting answers (the parts of a long document)
  a place            a text field asking for a ward or commune ("Phường, xã hoặc thị trấn"): the one the article
                     names most often (text/places.py); several as often: conflicting
  a list of counts   a list whose items have one number field ("admissions": count, period), when none of the
                     model's items holds a count: one item per candidate number the count is offered and the list's
                     own words qualify ("kết nạp"), with the date or period its sentence writes ("từ 2017-2022",
                     "Trong nhiệm kỳ") in the item's date or period field
  a number           every candidate number (years aside) whose clause shares a word with the field's description,
                     offered as the model's answer would be and judged by the same rules (grounding/fields.py: the
                     counted noun, percent or not, the words that speak of a sibling field), and by the field's own
                     qualifier ("kết nạp" for new members admitted): one value left is the field's; several are
                     decided by the words around each (the most shared with the description), else `conflicting`
"""

from __future__ import annotations

import re
from dataclasses import replace

from summarizer.forms import FormField
from summarizer.grounding.facts import counted_nouns
from summarizer.grounding.fields import PLAIN_WORDS, ground_field, ground_number, number_choices, syllables
from summarizer.grounding.labels import key
from summarizer.schema import Evidence, FieldResult
from summarizer.text.candidates import Candidate
from summarizer.text.dates import date_words
from summarizer.text.people import POSITIONS, NamedPerson, is_personal_name
from summarizer.text.places import UNIT_WORDS, Place, main_bodies, main_places
from summarizer.text.sentences import article_sentences

_NAME_WORDS = re.compile(r"\b(?:họ tên|họ và tên|tên|name)\b", re.IGNORECASE)
_POSITION_WORDS = re.compile(r"\b(?:chức vụ|chức danh|position|role|title)\b", re.IGNORECASE)
YEARS = ("year", "range_part")  # never offered by the program: a year is rarely a count a field asks for
_ORGANISATION_WORDS = re.compile(r"(?<!\w)(?:tên (?:tổ chức đảng|đảng bộ)|party organi[sz]ation)(?!\w)", re.IGNORECASE)
_BODY_WORDS = re.compile(r"(?<!\w)(?:đảng bộ|chi bộ|đảng ủy|đảng uỷ|ban chấp hành)(?!\w)", re.IGNORECASE)
_WHEN_WORDS = re.compile(r"(?<!\w)(?:thời gian|thời điểm|giai đoạn|năm|ngày|period|date|when|year)(?!\w)", re.IGNORECASE)
_BODY = re.compile(r"\s*((?:Đảng|Chi|Ban|Ủy|UBND|HĐND|Hội|MTTQ|Mặt)\S*(?:\s+\S+)?)")  # the body a position heads


def known_field(
    f: FormField, result: FieldResult, text: str, candidates: list[Candidate], people: list[NamedPerson], siblings: tuple[FormField, ...]
) -> FieldResult:
    """The field's result, or, when it is empty, what the program knows for it (marked `filled_by: program`). A list
    of people is the people the program finds whatever the model answered (`_with_people`)."""
    if f.type == "list" and f.item is not None and f.item.type == "object" and (found := _people_list(f.item, people, text)) is not None:
        return _with_people(result, found, f.item)
    if f.type == "list" and f.item is not None and f.item.type == "object" and (counts := _counts_list(f, result, text, candidates)) is not None:
        return counts
    if result.status == "filled" and f.type == "string" and not f.allowed and (position := asked_position(f.description)):
        return _name_only(result, position, f.description, people)
    if result.status == "filled" and f.type == "string" and not f.allowed and asks_for_an_organisation(f.description):
        return _body_not_place(result, text)
    if result.status == "filled":
        return result
    known = None
    if f.type == "string" and not f.allowed and (position := asked_position(f.description)):
        known = _person(position, f.description, people)
    elif f.type == "string" and not f.allowed and asks_for_a_place(f.description):
        known = _most_named(main_places(text), "place")
    elif f.type == "string" and not f.allowed and asks_for_an_organisation(f.description) and result.status != "conflicting":
        known = _most_named(main_bodies(text), "party organisation")
    elif f.is_number:
        spoken_of = [c for c in candidates if c.mention.kind not in YEARS and syllables(c.quote(text)) & (syllables(f.description) - PLAIN_WORDS)]
        fitting = qualified(f, spoken_of, text, siblings)
        nouns = counted_nouns(candidates)
        offered = decided(f, ground_number(f, [c.mention.text for c in fitting], text, fitting, siblings, nouns), nouns)
        known = offered if offered.status in ("filled", "conflicting") else None
    if known is None:
        return result
    return known.model_copy(update={"filled_by": "program", "reason": known.reason or _why(result)})


def qualified(f: FormField, candidates: list[Candidate], text: str, siblings: tuple[FormField, ...]) -> list[Candidate]:
    """The candidates whose words carry the field's own qualifier: the words of its description that no sibling number
    field has and that the article writes somewhere ("kết nạp", "mới" for new members admitted; never "tổng số",
    which any count is, nor a word of the description's English). A field with such words takes no number without
    them: "327 đảng viên" is no count of new members."""
    nouns = syllables(" ".join(counted_nouns(candidates)))
    theirs = set().union(*(syllables(s.description) for s in siblings if s is not f and s.is_number))
    required = (syllables(f.description) - theirs - nouns - PLAIN_WORDS) & syllables(text)
    return [c for c in candidates if syllables(c.quote(text)) & required] if required else candidates


def decided(f: FormField, result: FieldResult, nouns: set[str]) -> FieldResult:
    """A conflicting number decided by the words around each value: the one whose clause shares the most words with
    the field's description, the counted nouns aside ("nâng tổng số ĐV hiện nay lên 357 ĐV" for "Tổng số đảng
    viên"), when no other shares as many; the other values stay beside it as its candidates."""
    if result.status != "conflicting":
        return result
    wanted = syllables(f.description) - syllables(" ".join(nouns))
    scored = sorted(((len(syllables(e.quote or "") & wanted), i) for i, e in enumerate(result.candidates)), reverse=True)
    if len(scored) < 2 or scored[0][0] == scored[1][0] or scored[0][0] == 0:
        return result
    best = result.candidates[scored[0][1]]
    others = ", ".join(str(e.value) for e in result.candidates if e is not best)
    return FieldResult(
        **best.model_dump(), status="filled", candidates=result.candidates, reason=f"the words around {best.value} match the field best (also stated: {others})"
    )


def offered(f: FormField, text: str, candidates: list[Candidate], people: list[NamedPerson], siblings: tuple[FormField, ...]) -> list[str]:
    """What the program finds that could answer a field, as written: the numbers the model was offered as its choices
    (grounding/fields.py number_choices), the people with the position it asks for, the places it names (for
    `fill --explain`)."""
    if f.is_number:
        return [c.mention.text for c in number_choices(f, candidates, text, siblings, counted_nouns(candidates))]
    if f.type == "string" and (position := asked_position(f.description)):
        return [p.name for p in people if _holds(p.role_vi, position, f.description)]
    if f.type == "string" and asks_for_a_place(f.description):
        return list(dict.fromkeys(p.text for p in main_places(text)))
    if f.type == "string" and asks_for_an_organisation(f.description):
        return list(dict.fromkeys(p.text for p in main_bodies(text)))
    if f.type == "list" and f.item is not None and f.item.type == "object" and (pair := _count_fields(f.item)) is not None:
        return [c.mention.text for c in _listed_counts(f, pair[0], candidates, text)]
    if f.type == "list" and f.item is not None and f.item.type == "object":
        return [f"{p.name} ({p.role_vi})" for p in people]
    return []


def asks_for_a_place(description: str) -> bool:
    """Whether a field asks for a ward or commune: its description names two kinds of unit or more ("Phường, xã hoặc
    thị trấn", "ward or commune"); an example ("ví dụ Đảng bộ Phường 6") names one."""
    return len({word for word in (*UNIT_WORDS, "ward", "commune", "town") if re.search(rf"(?<!\w){word}(?!\w)", description, re.IGNORECASE)}) >= 2


def asks_for_an_organisation(description: str) -> bool:
    """Whether a field asks for the party organisation itself ("Tên tổ chức đảng", "The party organisation the
    article is about"), not for its place."""
    return bool(_ORGANISATION_WORDS.search(description)) and not asks_for_a_place(description)


def _most_named(found: list[Place], what: str) -> FieldResult | None:
    """The one place or party organisation the article names most often; several as often: conflicting."""
    evidence = [Evidence(value=p.text, quote=p.text, start=p.start, end=p.end, alignment="exact") for p in found]
    if len(evidence) == 1:
        return FieldResult(**evidence[0].model_dump(), status="filled", reason=f"the {what} the article names most often")
    if evidence:
        return FieldResult(value=None, status="conflicting", candidates=evidence, reason=f"the article names these {what}s equally often")
    return None


def _body_not_place(result: FieldResult, text: str) -> FieldResult:
    """The model's answer to an organisation field, when it names no body ("Phường 5, TP. Đông Hà" is a place): the
    party organisation the article names most often by its place instead, when there is one."""
    if _BODY_WORDS.search(str(result.value)) or (known := _most_named(main_bodies(text), "party organisation")) is None or known.status != "filled":
        return result
    return known.model_copy(update={"filled_by": "program", "reason": f"the model's answer {str(result.value)[:80]!r} names no party organisation"})


def asked_position(description: str) -> str | None:
    """The position a field asks the holder's name of ("Bí thư" in "Họ tên Bí thư Đảng ủy"), the longest written first."""
    if not _NAME_WORDS.search(description):
        return None
    return next((p for p in POSITIONS if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", description)), None)


def _holds(role: str, position: str, description: str) -> bool:
    """Whether a position as the article writes it ("Bí thư Đảng ủy Phường 6") is the one the field asks for: the same
    position (never its deputy), over the same body when the role names one."""
    if not role.startswith(position) or role.startswith("Phó") != position.startswith("Phó"):
        return False
    body = _BODY.match(role, len(position))
    return (
        body is None
        or f"{position} {body.group(1)}".casefold() in description.casefold()
        or f"{position} {body.group(1).split()[0]}".casefold() in description.casefold()
    )


def _person(position: str, description: str, people: list[NamedPerson]) -> FieldResult | None:
    holders = [p for p in people if _holds(p.role_vi, position, description)]
    evidence = [Evidence(value=p.name, quote=p.name, start=p.start, end=p.end, alignment="exact") for p in holders]
    if len(evidence) == 1:
        return FieldResult(**evidence[0].model_dump(), status="filled")
    if evidence:
        return FieldResult(
            value=None, status="conflicting", candidates=evidence, reason=f"the article names {len(evidence)} people with the position {position!r}"
        )
    return None


def _person_fields(item: FormField) -> tuple[FormField, FormField] | None:
    """The name field and the position field of a list's items, when they have both."""
    name = next(
        (sub for sub in item.fields if sub.type == "string" and _NAME_WORDS.search(sub.description) and not _POSITION_WORDS.search(sub.description)), None
    )
    position = next((sub for sub in item.fields if sub.type == "string" and _POSITION_WORDS.search(sub.description)), None)
    return (name, position) if name is not None and position is not None else None


def _name_only(result: FieldResult, position: str, description: str, people: list[NamedPerson]) -> FieldResult:
    """The model's answer to a name field, cut to the name when it holds the name of the person with that position
    and more ("Bí thư Đảng ủy phường 1 Nguyễn Thanh Khiết" -> "Nguyễn Thanh Khiết")."""
    holder = next((p for p in people if _holds(p.role_vi, position, description) and p.name in str(result.value)), None)
    if holder is None or str(result.value).strip() == holder.name:
        return result
    return FieldResult(
        value=holder.name, quote=holder.name, start=holder.start, end=holder.end, alignment="exact", status="filled", filled_by="program",
        reason=f"the model's answer {str(result.value)[:80]!r} held more than the name",
    )  # fmt: skip


def _people_list(item: FormField, people: list[NamedPerson], text: str) -> FieldResult | None:
    """Everyone the finder found, as items of a list whose items have a name field and a position field."""
    if (pair := _person_fields(item)) is None or not people:
        return None
    name, position = pair
    items = []
    for p in people:
        fields = {sub.name: FieldResult(value=None, status="not_in_article") for sub in item.fields}
        fields[name.name] = FieldResult(value=p.name, quote=p.name, start=p.start, end=p.end, alignment="exact", status="filled")
        role = text.find(p.role_vi, max(0, p.start - len(p.role_vi) - 5))  # written beside the name, before or after it
        fields[position.name] = FieldResult(value=p.role_vi, quote=p.role_vi, start=role, end=role + len(p.role_vi), alignment="exact", status="filled")
        items.append(FieldResult(value=None, status="filled", fields=fields))
    return FieldResult(value=None, status="filled", items=items)


def _with_people(result: FieldResult, found: FieldResult, item: FormField) -> FieldResult:
    """A list of people: the people the program finds (name and position as the article writes them), then those of
    the model's items that name someone else, by a person's name ("Bí thư Đảng ủy phường" is a position, not a
    name); the model's other items are left out, and the reason says how many."""
    name = _person_fields(item)[0].name
    known = {key(str(i.fields[name].value)) for i in found.items}
    given = [i for i in (result.items or []) if i.fields and i.fields[name].status == "filled"]
    others = [i for i in given if is_personal_name(i.fields[name].value) and key(str(i.fields[name].value)) not in known]
    names_no_one = sum(1 for i in given if not is_personal_name(i.fields[name].value))
    reason = f"{names_no_one} of the model's items name no person (a position or a body) and were left out" if names_no_one else None
    items = [i.model_copy(update={"filled_by": "program"}) for i in found.items] + others
    return found.model_copy(update={"items": items, "filled_by": "program", "reason": reason})


def _count_fields(item: FormField) -> tuple[FormField, FormField | None] | None:
    """The one number field of a list's items, and the field that holds when (a date field, or a text field asking
    for a period or a time), when the items have exactly one number field."""
    numbers = [sub for sub in item.fields if sub.is_number]
    if len(numbers) != 1:
        return None
    when = next((sub for sub in item.fields if sub.type == "date" or (sub.type == "string" and not sub.allowed and _WHEN_WORDS.search(sub.description))), None)
    return numbers[0], when


def _listed_counts(f: FormField, count: FormField, candidates: list[Candidate], text: str) -> list[Candidate]:
    """The candidates the list's count is offered (as the model's choices are), which the list's own words qualify."""
    asked = replace(count, description=f"{f.description} {count.description}")
    offered = number_choices(count, candidates, text, f.item.fields, counted_nouns(candidates))
    return qualified(asked, [c for c in offered if c.mention.kind not in YEARS], text, f.item.fields)


def _counts_list(f: FormField, result: FieldResult, text: str, candidates: list[Candidate]) -> FieldResult | None:
    """A list of counts, when none of the model's items holds a count: an item per count the article states of it."""
    if (pair := _count_fields(f.item)) is None:
        return None
    count, when = pair
    if any(item.fields and item.fields[count.name].status == "filled" for item in result.items or []):
        return _with_periods(result, count, when, text, candidates, f.item.fields)  # the model's counts hold: its list stands
    listed = _listed_counts(f, count, candidates, text)
    if not listed:
        return None
    items = []
    for c in listed:
        fields = {sub.name: FieldResult(value=None, status="not_in_article") for sub in f.item.fields}
        fields[count.name] = ground_number(count, [c.mention.text], text, [c], f.item.fields, counted_nouns(candidates))
        if when is not None and (period := _period_of(when, c.mention.start, text, candidates, f.item.fields)) is not None:
            fields[when.name] = period
        if fields[count.name].status == "filled":
            items.append(FieldResult(value=None, status="filled", fields=fields, filled_by="program"))
    if not items:
        return None
    given = len(result.items or [])
    reason = f"the counts the article states of it; the model's {given} item(s) gave no count that holds" if given else "the counts the article states of it"
    return FieldResult(value=None, status="filled", items=items, filled_by="program", reason=reason)


def _period_of(when: FormField, at: int, text: str, candidates: list[Candidate], siblings: tuple[FormField, ...]) -> FieldResult | None:
    """The date or period the sentence of the number at `at` writes, grounded as the `when` field."""
    sentence = next((s for s in article_sentences(text) if s.start <= at < s.end), None)
    if sentence is None or (words := date_words(text, sentence.start, sentence.end, at)) is None:
        return None
    period = ground_field(when, text[words[0] : words[1]], text, candidates, siblings)
    return period if period.status == "filled" else None


def _with_periods(result: FieldResult, count: FormField, when: FormField | None, text: str, candidates: list[Candidate], siblings) -> FieldResult | None:
    """The model's list of counts, each item whose date or period field is empty given the one its count's sentence
    writes (that field `filled_by: program`); None when no item needs one (the list stands as it is)."""
    if when is None:
        return None
    items, added = [], 0
    for item in result.items or []:
        held = item.fields[count.name]
        if held.status == "filled" and item.fields[when.name].status != "filled" and held.start is not None:
            at = next((c.mention.start for c in candidates if (c.start, c.end) == (held.start, held.end)), held.start)
            if (period := _period_of(when, at, text, candidates, siblings)) is not None:
                item = item.model_copy(update={"fields": {**item.fields, when.name: period.model_copy(update={"filled_by": "program"})}})
                added += 1
        items.append(item)
    return result.model_copy(update={"items": items}) if added else None


def _why(result: FieldResult) -> str | None:
    """What became of the model's answer, kept beside the program's."""
    if result.status == "unsupported" and result.reason:
        return f"the model's answer did not hold ({result.reason})"
    return "the model gave no answer" if result.status == "not_in_article" else result.reason
