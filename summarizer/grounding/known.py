"""What the program knows for a form field without the model: the people it finds, and the numbers that fit a field.

A small model leaves fields empty that the text answers plainly (the secretary a position names, the one count of
party members). A field the model left empty, or whose answer did not hold, is answered from what the program
found, marked `filled_by: program`, and only when that is unambiguous:

  a person's name    a text field whose description asks for a name ("Họ tên", "name") and a position the people
                     finder knows ("Bí thư Đảng ủy", "Chủ tịch"): the person the article writes with that position
                     over that body (a "Bí thư Chi bộ" is no "Bí thư Đảng ủy"); two such people: conflicting
  a list of people   a list whose items have a name field and a position field: everyone the finder found
  a place            a text field asking for a ward or commune ("Phường, xã hoặc thị trấn"): the one the article
                     names most often (text/places.py); several as often: conflicting
  a number           every candidate number (years aside) whose clause shares a word with the field's description,
                     offered as the model's answer would be and judged by the same rules (grounding/fields.py: the
                     counted noun, percent or not, the words that speak of a sibling field), and by the field's own
                     qualifier ("kết nạp" for new members admitted): one value left is the field's; several are
                     decided by the words around each (the most shared with the description), else `conflicting`
"""

from __future__ import annotations

import re

from summarizer.forms import FormField
from summarizer.grounding.facts import counted_nouns
from summarizer.grounding.fields import ground_number, syllables
from summarizer.schema import Evidence, FieldResult
from summarizer.text.candidates import Candidate
from summarizer.text.people import POSITIONS, NamedPerson
from summarizer.text.places import UNIT_WORDS, main_places

_NAME_WORDS = re.compile(r"\b(?:họ tên|họ và tên|tên|name)\b", re.IGNORECASE)
_POSITION_WORDS = re.compile(r"\b(?:chức vụ|chức danh|position|role|title)\b", re.IGNORECASE)
YEARS = ("year", "range_part")  # never offered by the program: a year is rarely a count a field asks for
PLAIN_WORDS = frozenset("tổng số hiện toàn bộ cả total number all".split())  # what any count says of itself
_BODY = re.compile(r"\s*((?:Đảng|Chi|Ban|Ủy|UBND|HĐND|Hội|MTTQ|Mặt)\S*(?:\s+\S+)?)")  # the body a position heads


def known_field(
    f: FormField, result: FieldResult, text: str, candidates: list[Candidate], people: list[NamedPerson], siblings: tuple[FormField, ...]
) -> FieldResult:
    """The field's result, or, when it is empty, what the program knows for it (marked `filled_by: program`)."""
    if result.status == "filled":
        return result
    known = None
    if f.type == "string" and not f.allowed and (position := asked_position(f.description)):
        known = _person(position, f.description, people)
    elif f.type == "string" and not f.allowed and asks_for_a_place(f.description):
        known = _place(text)
    elif f.type == "list" and f.item is not None and f.item.type == "object":
        known = _people_list(f.item, people, text)
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
    """What the program finds that could answer a field, as written: the numbers whose words speak of it (before the
    rules that judge them), the people with the position it asks for, the places it names (for `fill --explain`)."""
    if f.is_number:
        return [c.mention.text for c in candidates if c.mention.kind not in YEARS and syllables(c.quote(text)) & (syllables(f.description) - PLAIN_WORDS)]
    if f.type == "string" and (position := asked_position(f.description)):
        return [p.name for p in people if _holds(p.role_vi, position, f.description)]
    if f.type == "string" and asks_for_a_place(f.description):
        return list(dict.fromkeys(p.text for p in main_places(text)))
    if f.type == "list" and f.item is not None and f.item.type == "object":
        return [f"{p.name} ({p.role_vi})" for p in people]
    return []


def asks_for_a_place(description: str) -> bool:
    """Whether a field asks for a ward or commune: its description names two kinds of unit or more ("Phường, xã hoặc
    thị trấn", "ward or commune"); an example ("ví dụ Đảng bộ Phường 6") names one."""
    return len({word for word in (*UNIT_WORDS, "ward", "commune", "town") if re.search(rf"(?<!\w){word}(?!\w)", description, re.IGNORECASE)}) >= 2


def _place(text: str) -> FieldResult | None:
    """The ward, commune or town the article names most often; several as often: conflicting."""
    evidence = [Evidence(value=p.text, quote=p.text, start=p.start, end=p.end, alignment="exact") for p in main_places(text)]
    if len(evidence) == 1:
        return FieldResult(**evidence[0].model_dump(), status="filled", reason="the place the article names most often")
    if evidence:
        return FieldResult(value=None, status="conflicting", candidates=evidence, reason="the article names these places equally often")
    return None


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


def _people_list(item: FormField, people: list[NamedPerson], text: str) -> FieldResult | None:
    """Everyone the finder found, as items of a list whose items have a name field and a position field."""
    name = next(
        (sub for sub in item.fields if sub.type == "string" and _NAME_WORDS.search(sub.description) and not _POSITION_WORDS.search(sub.description)), None
    )
    position = next((sub for sub in item.fields if sub.type == "string" and _POSITION_WORDS.search(sub.description)), None)
    if name is None or position is None or not people:
        return None
    items = []
    for p in people:
        fields = {sub.name: FieldResult(value=None, status="not_in_article") for sub in item.fields}
        fields[name.name] = FieldResult(value=p.name, quote=p.name, start=p.start, end=p.end, alignment="exact", status="filled")
        role = text.find(p.role_vi, max(0, p.start - len(p.role_vi) - 5))  # written beside the name, before or after it
        fields[position.name] = FieldResult(value=p.role_vi, quote=p.role_vi, start=role, end=role + len(p.role_vi), alignment="exact", status="filled")
        items.append(FieldResult(value=None, status="filled", fields=fields))
    return FieldResult(value=None, status="filled", items=items)


def _why(result: FieldResult) -> str | None:
    """What became of the model's answer, kept beside the program's."""
    if result.status == "unsupported" and result.reason:
        return f"the model's answer did not hold ({result.reason})"
    return "the model gave no answer" if result.status == "not_in_article" else result.reason
