"""People named in an article: Vietnamese personal names found by their surname, with the position written beside them.

A name is a run of 2-4 capitalised words starting with a common Vietnamese surname ("Lê Thị Quân",
"Nguyễn Thị Thu Bạch"), after an honorific if any ("Bà", "Đồng chí"). It counts as a person only when a
position is written right before it in the same clause ("Bí thư Chi bộ Khu phố 3 Phan Văn Thạnh") or right
after it ("Lê Thị Quân - Bí thư Đảng ủy Phường 6"): that leaves out street names ("phố Lê Lợi") and
historical figures ("tư tưởng Hồ Chí Minh").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SURNAMES = frozenset(
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trương Mai Lương Đoàn Cao "
    "Lâm Tô Trịnh Hà Tạ Châu Quách Thái Triệu Kiều Đào Văn Lưu Tăng Mạc Chu La Đàm Nghiêm Thân Khúc Hứa".split()
)
POSITIONS = (
    "Phó Bí thư",
    "Bí thư",
    "Phó Chủ tịch",
    "Chủ tịch",
    "Khu vực trưởng",
    "Trưởng ban",
    "Trưởng khu phố",
    "Trưởng",
    "Phó Giám đốc",
    "Giám đốc",
    "Tổ trưởng",
    "Ủy viên",
    "Tác giả",
)
_POSITION = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in POSITIONS) + r")\b")
_CLAUSE_END = re.compile(r"[.;:!?()\[\]“”\"\n]|\s-\s|,\s(?=[a-zà-ỹđ])| cho biết| cho hay| chia sẻ| khẳng định| nói")
_WORD = re.compile(r"[^\W\d_]+")
_NEXT_WORD = re.compile(r" ([^\W\d_]+)(?![^\W\d_])")  # the word after one space
_SURNAME = re.compile(  # a whole word; the lookahead on first letters, said first, lets the scan skip the rest quickly
    "(?=[" + "".join(sorted({name[0] for name in SURNAMES})) + r"])(?<![^\W\d_])(?:" + "|".join(sorted(SURNAMES, key=len, reverse=True)) + r")(?![^\W\d_])"
)


@dataclass(frozen=True)
class NamedPerson:
    name: str
    role_vi: str
    start: int  # offsets of the name in the text
    end: int


def _names(text: str):
    """(name, start, end) for each surname-led run of 2-4 capitalised words, each a single space apart."""
    taken = 0  # text before this offset belongs to a name already found (or to a lone surname passed over)
    for surname in _SURNAME.finditer(text):
        if surname.start() < taken:
            continue
        end, words = surname.end(), 1
        while words < 4 and (following := _NEXT_WORD.match(text, end)) and following.group(1)[0].isupper():
            end, words = following.end(), words + 1
        if words >= 2:
            yield text[surname.start() : end], surname.start(), end
        taken = end


def is_personal_name(text: str) -> bool:
    """Whether `text` is one person's name as the finder reads names: a surname and one to three more capitalised
    words, and nothing else ("Lê Thị Quân"; not "Bí thư Đảng ủy phường")."""
    text = text.strip()
    found = list(_names(text))
    return len(found) == 1 and found[0][1:] == (0, len(text))


def _role_after(text: str, end: int) -> str | None:
    """ "Lê Thị Quân - Bí thư Đảng ủy Phường 6 cho biết" -> "Bí thư Đảng ủy Phường 6"."""
    rest = text[end : end + 120]
    lead = re.match(r"\s*(?:-|–|,)\s*", rest)
    if not lead:
        return None
    rest = rest[lead.end() :]
    if not _POSITION.match(rest):
        return None
    stop = _CLAUSE_END.search(rest)
    role = rest[: stop.start()] if stop else rest
    return role.strip(" ,") or None


def _role_before(text: str, start: int) -> str | None:
    """ "Bí thư Chi bộ Khu phố 3 Phan Văn Thạnh" -> "Bí thư Chi bộ Khu phố 3"."""
    before = text[max(0, start - 120) : start]
    clause_start = max((m.end() for m in re.finditer(r"[.;:!?()\[\]“”\"\n]|\s-\s", before)), default=0)
    clause = before[clause_start:]
    first = _POSITION.search(clause)
    if first is None:
        return None
    role = clause[first.start() :].strip(" ,")
    return role if role and len(role.split()) <= 14 else None


def find_people(text: str) -> list[NamedPerson]:
    """People named in `text` with their position, in order of first mention, each name once."""
    found: dict[str, NamedPerson] = {}
    for name, start, end in _names(text):
        role = _role_after(text, end) or _role_before(text, start)
        if role and name not in found:
            found[name] = NamedPerson(name=name, role_vi=role, start=start, end=end)
    return list(found.values())
