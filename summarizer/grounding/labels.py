"""What a fact's number counts, in a few words: the model's label checked and cut to a noun phrase, or the program's own.

Small models label candidates in free text: they write whole clauses ("the party committee of Phường 6 has 8 branches
with 327 members"), give one label to several numbers, name the wrong noun ("lecturers" for "đảng viên") or label one
candidate with the words of another. A label here is a noun phrase naming what the number counts ("party cells"), of at
most MAX_WORDS words:

* the model's English label is kept when it is one; when it states the number itself, the noun phrase it writes after
  the number is kept ("... has 8 branches with ..." -> "branches" for 8); when it states another number, is a clause,
  is longer than MAX_WORDS words, is not English, or its head noun is not what the number counts, it is replaced;
* the model's Vietnamese label is kept when it names the candidate's counted noun and does not quote the clause;
  otherwise it is replaced;
* the replacement is the program's label: the counted noun written after the number, in Vietnamese as written (with
  the qualifier written after it when its English is known: "đảng viên hoàn thành tốt nhiệm vụ") and in English
  through the termbase; for a percent, the share of that noun, the share of a target or the growth it states; for
  money, what the clause says it is (funding, income...).

The English of counted nouns comes from the termbase (summarizer/grounding/termbase.py: the packaged one, or the one a
brief is made with, extended by the user's glossary: `termbase_used`) first; the
tables below are the program's own, for what the termbase does not (yet) hold: counted nouns it lacks, the head
nouns a label may use, qualifiers as they follow a noun, verbs and money words.
"""

from __future__ import annotations

import re
import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from summarizer.text.candidates import Candidate, clause_limits
from summarizer.text.language import is_english, is_vietnamese
from summarizer.text.numbers import english_numbers, mentions_in

MAX_WORDS = 8  # an English label longer than this is a clause, not a name for what is counted
MAX_SYLLABLES_VI = 10  # the same for a Vietnamese label (Vietnamese words are written syllable by syllable)

LabelSource = Literal["model", "program"]

# What the article's numbers count: Vietnamese -> English, and the head nouns an English label may use for it.
COUNTED_NOUNS: dict[str, tuple[str, frozenset[str]]] = {
    vi: (en, frozenset(heads.split()))
    for vi, en, heads in [
        ("đảng viên", "party members", "member members"),
        ("chi bộ", "party cells", "cell cells branch branches chapter chapters"),
        ("hộ", "households", "household households family families home homes"),
        ("hộ nghèo", "poor households", "household households family families"),
        ("hộ cận nghèo", "near-poor households", "household households family families"),
        ("nhân khẩu", "residents", "resident residents people person persons inhabitants population"),
        ("thành viên", "members", "member members"),
        ("thành viên cấp ủy", "party committee members", "member members"),
        ("nhà", "houses", "house houses home homes dwelling dwellings"),
        ("thủ tục", "procedures", "procedure procedures"),
        ("thủ tục hành chính", "administrative procedures", "procedure procedures"),
        ("khu vực", "areas", "area areas zone zones region regions"),
        ("cơ sở", "establishments", "establishment establishments business businesses facility facilities outlet outlets shop shops"),
        ("cơ sở kinh doanh", "businesses", "establishment establishments business businesses outlet outlets shop shops"),
        ("tổ chức", "organisations", "organisation organisations organization organizations"),
        ("tổ chức đảng", "party organisations", "organisation organisations organization organizations"),
        ("tổ chức cơ sở đảng", "grassroots party organisations", "organisation organisations organization organizations"),
        ("cán bộ", "officials", "official officials cadre cadres officer officers staff"),
        ("công chức", "civil servants", "servant servants official officials employee employees"),
        ("đồng chí", "comrades", "comrade comrades official officials cadre cadres people person persons member members"),
        ("quần chúng", "people", "people person persons masses member members candidates individuals"),
        ("người", "people", "people person persons individuals residents"),
        ("năm", "years", "year years"),
        ("tháng", "months", "month months"),
        ("giáo viên", "teachers", "teacher teachers"),
        ("học sinh", "pupils", "pupil pupils student students children"),
        ("trẻ", "children", "child children kids"),
        ("doanh nghiệp", "businesses", "business businesses enterprise enterprises company companies firm firms"),
        ("gia đình", "families", "family families household households"),
        ("lao động", "workers", "worker workers labourer labourers employee employees jobs people"),
        ("công trình", "works", "work works project projects structure structures building buildings"),
        ("tuyến đường", "roads", "road roads street streets route routes"),
        ("đoàn viên", "youth union members", "member members"),
        ("hội viên", "association members", "member members"),
        ("lực lượng", "forces", "force forces personnel troops militia"),
        ("ha", "hectares", "hectare hectares ha"),
        ("km", "kilometres", "kilometre kilometres kilometer kilometers km"),
        ("m2", "square metres", "metre metres meter meters m2"),
        ("tấn", "tonnes", "tonne tonnes ton tons"),
        ("vụ", "cases", "case cases incident incidents"),
    ]
}
# Measure words: what they count is the noun written after them ("192 căn nhà", "106 lượt chi bộ"); "{}" is that
# noun's English, "{verb}" the English of the verb written before the number.
MEASURE_WORDS: dict[str, str] = {"căn": "{}", "chiếc": "{}", "cái": "{}", "con": "{}", "suất": "{}", "lượt": "{verb} of {}"}
_MEASURED_BY_DEFAULT = {"căn": "houses", "lượt": "times"}  # "192 căn" alone: houses
# Verbs written right before a number, and what they make of the counted noun ("kết nạp 24 đảng viên": admitted).
VERBS_BEFORE: dict[str, tuple[str, str]] = {  # Vietnamese -> (English participle after the noun, English action noun)
    "kết nạp": ("admitted", "admissions"),
    "kiểm tra": ("inspected", "inspections"),
    "giám sát": ("supervised", "supervisions"),
    "sửa chữa": ("repaired", "repairs"),
    "xây mới": ("newly built", "new builds"),
    "xây dựng": ("built", "builds"),
    "hỗ trợ": ("supported", "support"),
    "thăm": ("visited", "visits"),
}
# Words written after a counted noun that say which of them are counted, and their English ("{}" is the noun).
QUALIFIERS: dict[str, str] = {
    "được đánh giá": "{} evaluated",
    "được xếp loại hoàn thành tốt nhiệm vụ": "{} rated as fulfilling their tasks well",
    "được xếp loại hoàn thành xuất sắc nhiệm vụ": "{} rated as fulfilling their tasks excellently",
    "hoàn thành tốt nhiệm vụ": "{} fulfilling their tasks well",
    "hoàn thành xuất sắc nhiệm vụ": "{} fulfilling their tasks excellently",
    "hoàn thành nhiệm vụ": "{} fulfilling their tasks",
    "có dấu hiệu vi phạm": "{} showing signs of violations",
    "có trình độ đại học": "{} with a university degree",
    "có trình độ thạc sĩ": "{} with a master's degree",
    "có trình độ tiến sĩ": "{} with a doctorate",
    "có trình độ trung cấp lý luận chính trị": "{} with intermediate political theory training",
    "có trình độ cao cấp lý luận chính trị": "{} with advanced political theory training",
    "đạt chuẩn": "{} meeting the standard",
    "đương chức": "{} in office",
    "mới": "new {}",
}
# What an amount of money is, by the word written before it in its clause (the nearest wins): (Vietnamese, English).
MONEY_WORDS: dict[str, tuple[str, str]] = {
    "kinh phí": ("kinh phí", "funding"),
    "thu nhập": ("thu nhập", "income"),
    "ngân sách": ("ngân sách", "budget"),
    "doanh thu": ("doanh thu", "revenue"),
    "vốn": ("vốn", "capital"),
    "quỹ": ("quỹ", "fund"),
    "giá trị": ("giá trị", "value"),
    "huy động": ("số tiền huy động", "funds raised"),
    "ủng hộ": ("số tiền ủng hộ", "donations"),
    "hỗ trợ": ("số tiền hỗ trợ", "support"),
    "đóng góp": ("số tiền đóng góp", "contributions"),
}
# Words that show an English label names a rate, as a percent's label must.
RATE_WORDS = frozenset(
    "percentage percent share rate ratio proportion growth increase decrease reduction rise fall coverage target targets completion portion level".split()
)
_SHARE_WORDS = frozenset("percentage percent share ratio proportion".split())  # what a count is never
_EMPTY_LABELS = frozenset("number numbers count amount total value figure quantity the a of".split())
_RATE_WORDS_VI = ("tỷ lệ", "tỉ lệ", "phần trăm", "mức", "tăng trưởng", "tốc độ", "chỉ tiêu", "kế hoạch", "tăng", "giảm", "vượt")
_TOTAL_WORDS_VI = ("tổng", "tổng số", "toàn bộ", "tất cả", "toàn")
_PREPOSITIONS = frozenset("of in at on for with from by to under over per since during across among as into".split())
_RELATIVES = frozenset("who that which whose where".split())
_CONJUNCTIONS = frozenset("and or but".split())
_LINKING_VERBS = frozenset(
    "is are was were be been has have had remains remain remained reached reaches stands stood totals totalled totaled amounts amounted".split()
)
_PASSIVE = frozenset("is are was were".split())
_DETERMINERS = ("the ", "a ", "an ")
_COUNT_PREFIXES = ("the total number of ", "total number of ", "the number of ", "number of ", "count of ")
_CLAUSE_STARTS = frozenset("there it they we he she this these".split())
_VERB_STARTS = frozenset("publicly operates operate achieved achieves built spent won purchased checked removed repaired".split())
_PERIOD_TAIL = re.compile(
    r"[\s,]*(?:\(\s*\d{4}(?:\s*[-–]\s*\d{4})?\s*\)|(?:in|during|for|since|from|over|of)\s+(?:the\s+)?(?:year\s+|years\s+|term\s+|period\s+)?\d{4}(?:\s*(?:[-–]|to)\s*\d{4})?)\s*$",
    re.IGNORECASE,
)
_TOTAL_WORDS = re.compile(r"\b(?:total|all|overall|in all|altogether)\b", re.IGNORECASE)
_NOT_A_STATISTIC = re.compile(r"^(?:not a statistic|no statistic|none|n/?a|-|không phải (?:là )?số liệu)$", re.IGNORECASE)
_DIGITS = re.compile(r"\d")
_LETTERS = re.compile(r"[^\W\d_]+")
_NEXT_WORD = re.compile(r"[^\S\n]*([^\W\d_]+)")
_BOUNDARY = re.compile(r"[.;:!?…,()\[\]“”\"\n]")


@dataclass(frozen=True)
class Label:
    """What one candidate number counts, in English and in Vietnamese, and who named it."""

    what_en: str
    what_vi: str
    source: LabelSource  # where what_en comes from: the model (possibly cut to its noun phrase), or the program
    note: str | None = None  # why the model's label was changed or not used


def key(text: str) -> str:
    """A phrase as compared: NFC, casefolded, one space between words."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


# --------------------------------------------------------------------------- the termbase


def term_english(vietnamese: str, plural: bool = True) -> str | None:
    """The English of a Vietnamese term, the termbase's first ("chi bộ" -> party cells), else the program's own table."""
    if term := termbase_term(vietnamese):
        return plural_of(term.en) if plural else term.en.removeprefix("the ")
    entry = COUNTED_NOUNS.get(key(vietnamese))
    if entry is None:
        return None
    return entry[0] if plural else singular_of(entry[0])


def head_nouns(vietnamese: str) -> frozenset[str]:
    """The head nouns an English label may use for a counted noun: the program's list and the last word of each of
    the termbase's renderings, singular and plural."""
    heads = set(COUNTED_NOUNS[vietnamese][1]) if vietnamese in COUNTED_NOUNS else set()
    if term := termbase_term(vietnamese):
        for rendering in term.english:
            last = rendering.split()[-1].casefold()
            heads |= {last, plural_of(last)}
    return frozenset(heads)


def termbase_term(vietnamese: str):
    """The termbase's term spelled exactly `vietnamese` (up to case, spacing and tone placement), or None."""
    return _term_of(_termbase(), vietnamese)


@lru_cache(maxsize=4096)
def _term_of(termbase, vietnamese: str):
    if termbase is None or not vietnamese.strip():
        return None
    try:
        matches = termbase.terms_in(vietnamese.strip())
    except Exception:  # a termbase that cannot answer is no termbase: the program's own table answers
        return None
    if len(matches) == 1 and matches[0].start == 0 and matches[0].end == len(vietnamese.strip()):
        return matches[0].term
    return None


# The termbase of the brief being made (the packaged one extended by the user's glossary), while it is made
_brief_termbase: ContextVar = ContextVar("labels_termbase", default=None)


@contextmanager
def termbase_used(termbase):
    """Within the block, and the asyncio tasks it starts, labels name counted nouns with `termbase`'s renderings
    (a user's glossary saying "chi bộ" is "party branches" names 8 chi bộ "party branches")."""
    token = _brief_termbase.set(termbase)
    try:
        yield
    finally:
        _brief_termbase.reset(token)


def _termbase():
    given = _brief_termbase.get()
    return given if given is not None else _packaged_termbase()


@lru_cache(maxsize=1)
def _packaged_termbase():
    try:
        from summarizer.grounding.termbase import default_termbase

        return default_termbase()
    except Exception:  # no termbase installed, or one that does not load: the program's own tables answer
        return None


_UNCOUNTED = frozenset("people staff militia militiamen personnel police masses residents inhabitants".split())


def singular_of(english: str) -> str:
    """ "party members" -> "party member", "people" -> "person": for a count of one."""
    words = english.split()
    if not words:
        return english
    last = words[-1]
    if last.casefold() == "people":
        last = "person"
    elif last.casefold() in _UNCOUNTED:
        return english
    elif last.endswith("ies"):
        last = last[:-3] + "y"
    elif re.search(r"(?:ss|x|z|ch|sh)es$", last):
        last = last[:-2]
    elif last.endswith("s") and not last.endswith("ss"):
        last = last[:-1]
    return " ".join(words[:-1] + [last])


def plural_of(english: str) -> str:
    """ "party member" -> "party members", "party branch" -> "party branches", "people" stays."""
    english = english.removeprefix("the ").strip()
    words = english.split()
    if not words:
        return english
    last = words[-1]
    if last.casefold() in _UNCOUNTED or (last.endswith("s") and not last.endswith("ss")) or "'" in last:
        return english
    if re.search(r"[^aeiou]y$", last):
        last = last[:-1] + "ies"
    elif re.search(r"(?:s|x|z|ch|sh)$", last):
        last += "es"
    else:
        last += "s"
    return " ".join(words[:-1] + [last])


# --------------------------------------------------------------------------- reading the text around a number


def _words_from(text: str, pos: int, n: int) -> list[tuple[str, int, int]]:
    """Up to n words from pos within one phrase (only spaces between them): (word as compared, start, end)."""
    words = []
    while len(words) < n and (m := _NEXT_WORD.match(text, pos)):
        words.append((key(m.group(1)), m.start(1), m.end(1)))
        pos = m.end()
    return words


def _words_before(text: str, pos: int, n: int) -> list[str]:
    """Up to n words right before pos within one phrase, in reading order."""
    left = max(0, pos - 60)
    cut = max((m.end() for m in _BOUNDARY.finditer(text, left, pos)), default=left)
    if _DIGITS.search(text, cut, pos):
        cut = max(m.end() for m in _DIGITS.finditer(text, cut, pos))
    return [key(m.group()) for m in _LETTERS.finditer(text, cut, pos)][-n:]


def fraction_role(text: str, candidate: Candidate) -> Literal["part", "total"] | None:
    """ "part" for 15 of "15/16 chi bộ", "total" for its 16, None for any other number."""
    mention = candidate.mention
    if mention.kind != "fraction_part":
        return None
    return "total" if text[mention.start - 1 : mention.start] == "/" else "part"


def counted_noun_end(text: str, candidate: Candidate) -> int:
    """Where the counted noun written after the number ends (after the total of a fraction: "22/24 chi bộ")."""
    mention = candidate.mention
    pos = mention.end
    if fraction_role(text, candidate) == "part":
        total = next((m for m in mentions_in(text) if m.start == mention.end + 1 and m.kind == "fraction_part"), None)
        pos = total.end if total else pos
    if not mention.unit or mention.kind == "percent" or mention.unit == "VND":
        return pos
    size = len(mention.unit.split())
    words = _words_from(text, pos, size)
    if [w for w, _, _ in words] == mention.unit.split():
        return words[-1][2]
    return words[0][2] if words else pos  # an abbreviation ("60 ĐV")


def longest_term(text: str, pos: int, first: str | None = None, size: int = 4, plural: bool = True) -> tuple[str, str, int] | None:
    """The longest known term written at pos (or `first` and the words after pos): (Vietnamese, English, its end)."""
    words = _words_from(text, pos, size)
    lead = [first] if first else []
    for n in range(len(words), -1, -1):
        phrase = " ".join(lead + [w for w, _, _ in words[:n]])
        if phrase and (english := term_english(phrase, plural)):
            return phrase, english, words[n - 1][2] if n else pos
    return None


def qualifier_after(text: str, pos: int) -> tuple[str, str] | None:
    """The qualifier written at pos whose English is known ("hoàn thành tốt nhiệm vụ"): (as compared, English template)."""
    words = _words_from(text, pos, 10)
    for n in range(len(words), 0, -1):
        phrase = " ".join(w for w, _, _ in words[:n])
        if phrase in QUALIFIERS:
            return phrase, QUALIFIERS[phrase]
    return None


def verb_before(text: str, pos: int) -> tuple[str, str] | None:
    """The verb written right before a number ("kết nạp được 60 ĐV"): (English participle, English action noun)."""
    words = [w for w in _words_before(text, pos, 3) if w != "được"]
    for n in (2, 1):
        if len(words) >= n and (found := VERBS_BEFORE.get(" ".join(words[-n:]))):
            return found
    return None


# --------------------------------------------------------------------------- the program's label


def program_label(text: str, candidate: Candidate, note: str | None = None) -> Label | None:
    """The program's label for a candidate: its counted noun (or what its percent or money is) in both languages;
    None when the English of its counted noun is unknown."""
    mention = candidate.mention
    if mention.kind == "percent":
        return _percent_label(text, candidate, note)
    if mention.unit == "VND":
        return _money_label(text, candidate, note)
    unit = mention.unit
    if not unit:
        return None
    end = counted_noun_end(text, candidate)
    total = fraction_role(text, candidate) == "total"
    term = None
    plural = mention.value != 1
    if unit in MEASURE_WORDS:
        vi, en = _measured(text, candidate, unit, end)
    elif (term := longest_term(text, end, unit, plural=plural)) is None:
        return None
    else:
        vi, en, end = term
        if unit in ("năm", "tháng") and [w for w, _, _ in _words_from(text, end, 1)] == ["liền"]:
            vi, en = f"{vi} liền", f"consecutive {en}"
        elif not total and (qualifier := qualifier_after(text, end)):
            vi, en = f"{vi} {qualifier[0]}", qualifier[1].format(en)
        elif not total and (verb := verb_before(text, mention.start)):
            en = f"{en} {verb[0]}"
    if total:
        vi, en = f"tổng số {vi}", f"{en} in total"
    if len(en.split()) > MAX_WORDS and term:
        vi, en = term[0], term[1]
    return Label(what_en=en, what_vi=vi, source="program", note=note)


def _measured(text: str, candidate: Candidate, unit: str, end: int) -> tuple[str, str]:
    """A measure word's label by the noun written after it: "19 căn nhà" -> houses; "106 lượt chi bộ" -> supervisions of party cells."""
    term = longest_term(text, end, plural=candidate.mention.value != 1)
    noun = term[1] if term else _MEASURED_BY_DEFAULT.get(unit, "items")
    vi = f"{unit} {term[0]}" if term else unit
    template = MEASURE_WORDS[unit]
    if "{verb}" in template:
        verb = verb_before(text, candidate.mention.start)
        return vi, template.format(noun, verb=verb[1]) if verb else f"{noun} (times)"
    return vi, template.format(noun)


def _percent_label(text: str, candidate: Candidate, note: str | None) -> Label:
    """ "100% giáo viên" -> share of teachers; "đạt 120% chỉ tiêu" -> share of the target achieved; "tăng 5,9%" -> growth."""
    mention = candidate.mention
    pos = mention.end
    if [w for w, _, _ in _words_from(text, pos, 2)] in (["trở", "lên"], ["trở", "xuống"]):
        pos = _words_from(text, pos, 2)[-1][2]
    after = [w for w, _, _ in _words_from(text, pos, 2)]
    verb = next((w for w in reversed(_words_before(text, mention.start, 3)) if w in _PERCENT_VERBS), None)
    if after in (["chỉ", "tiêu"], ["kế", "hoạch"]):
        en, vi = ("excess over the target", "mức vượt chỉ tiêu") if verb in ("tăng", "vượt") else ("share of the target achieved", "tỷ lệ đạt chỉ tiêu")
        if subject := _sentence_subject(text, mention.start):
            target = f"{'excess over' if verb in ('tăng', 'vượt') else 'share of'} the target for {subject[1]}"
            if len(target.split()) <= MAX_WORDS:
                en, vi = target, f"{vi} về {subject[0]}"
        return Label(en, vi, "program", note)
    if term := longest_term(text, pos):
        vi, en, end = term
        qualifier = qualifier_after(text, end)
        if qualifier and len(qualifier[1].format(f"share of {en}").split()) <= MAX_WORDS:
            vi, en = f"{vi} {qualifier[0]}", qualifier[1].format(en)
        return Label(f"share of {en}", f"tỷ lệ {vi}", "program", note)
    if (qualifier := qualifier_after(text, pos)) and qualifier[1].startswith("{}"):
        return Label(qualifier[1].format("share"), f"tỷ lệ {qualifier[0]}", "program", note)
    if rate_of := _rate_subject(text, mention.start):
        return Label(f"share of {rate_of[1]}", f"tỷ lệ {rate_of[0]}", "program", note)
    en, vi = _PERCENT_VERBS.get(verb, ("percentage", "tỷ lệ"))
    if verb and (subject := _term_before(text, mention.start, verb)):
        en, vi = f"{en} of {subject[1]}", f"{vi} {subject[0]}"
    if text[mention.end : mention.end + 4] == "/năm":
        en, vi = f"{en} per year", f"{vi} mỗi năm"
    return Label(en, vi, "program", note)


_TIME_WORDS = frozenset({"năm", "tháng", "ngày", "tuần", "quý"})
_PERCENT_VERBS = {
    "tăng": ("growth", "mức tăng"),
    "giảm": ("decrease", "mức giảm"),
    "vượt": ("excess", "mức vượt"),
    "còn": ("remaining share", "tỷ lệ còn lại"),
    "đạt": ("percentage", "tỷ lệ"),
}


def _term_before(text: str, pos: int, verb: str) -> tuple[str, str] | None:
    """The known term written right before the verb before a percent ("thu ngân sách" of "thu ngân sách ... vượt 14,2%")."""
    clause_start, _ = clause_limits(text, pos, pos)
    words = [key(m.group()) for m in _LETTERS.finditer(text, clause_start, pos)]
    if verb not in words:
        return None
    words = words[: len(words) - 1 - words[::-1].index(verb)]
    for n in range(min(5, len(words)), 0, -1):
        phrase = " ".join(words[-n:])
        if phrase not in _TIME_WORDS and (english := term_english(phrase, plural=False)):
            return phrase, english
    return None


def _sentence_subject(text: str, pos: int) -> tuple[str, str] | None:
    """What a share of a target is about when its clause has no subject of its own ("..., đạt 152,5% chỉ tiêu"): the
    noun after "tỷ lệ" in the clause before ("tỷ lệ hộ nghèo giảm (đạt 120% chỉ tiêu)"), or the counted noun of the
    number it states ("kết nạp 61 đảng viên mới, đạt 152,5% chỉ tiêu")."""
    clause_start, _ = clause_limits(text, pos, pos)
    own = [key(m.group()) for m in _LETTERS.finditer(text, clause_start, pos)]
    if not own or own[0] not in _PERCENT_VERBS or clause_start < 2:
        return None
    previous_start, _ = clause_limits(text, clause_start - 1, clause_start - 1)
    rates = list(re.finditer(r"t[ỷỉ] l[ệê]\s+", text[previous_start:clause_start], re.IGNORECASE))
    if rates and (term := longest_term(text, previous_start + rates[-1].end())):
        return term[0], term[1]
    counts = [
        m for m in mentions_in(text) if previous_start <= m.start < clause_start and m.kind in ("number", "fraction_part") and m.unit and term_english(m.unit)
    ]
    if not counts:
        return None
    m = counts[-1]
    english = term_english(m.unit)
    verb = verb_before(text, m.start)
    return m.unit, f"{english} {verb[0]}" if verb else english


def _rate_subject(text: str, start: int) -> tuple[str, str] | None:
    """ "tỷ lệ hộ nghèo còn khoảng 1,7%": the noun after "tỷ lệ" in the clause before the number, with its English."""
    clause_start, _ = clause_limits(text, start, start)
    m = re.search(r"t[ỷỉ] l[ệê]\s+", text[clause_start:start], re.IGNORECASE)
    if not m:
        return None
    term = longest_term(text, clause_start + m.end())
    return (term[0], term[1]) if term else None


def _money_label(text: str, candidate: Candidate, note: str | None) -> Label:
    """What an amount of money is, by the nearest money word before it in its clause ("kinh phí gần 9 tỷ đồng")."""
    clause_start, _ = clause_limits(text, candidate.mention.start, candidate.mention.end)
    clause = f" {key(text[clause_start : candidate.mention.start])} "
    found = [(clause.rfind(f" {word} "), word) for word in MONEY_WORDS if f" {word} " in clause]
    per_year = "/năm" in text[candidate.mention.end : candidate.mention.end + 12]
    vi, en = MONEY_WORDS[max(found)[1]] if found else ("số tiền", "amount")
    return Label(f"{en} per year" if per_year else en, vi, "program", note)


# --------------------------------------------------------------------------- the model's label, checked


def declines(what_en: str, what_vi: str) -> bool:
    """The model said the candidate is not a statistic ("not a statistic", "none", "không phải số liệu")."""
    return any(_NOT_A_STATISTIC.match(key(side).strip(" .")) for side in (what_en, what_vi) if side.strip())


@lru_cache(maxsize=64)
def _name_numbers(text: str) -> frozenset[str]:
    """ "phường 6", "phố 3": a word and the number after it that the article writes as part of a name."""
    return frozenset(
        f"{words[-1]} {m.text}"
        for m in mentions_in(text)
        if m.kind == "ordinal" and (words := [key(w.group()) for w in _LETTERS.finditer(text, max(0, m.start - 20), m.start)])
    )


def _is_name_number(text: str, previous: str, token: str) -> bool:
    return token.strip(",;.()").isdigit() and f"{key(previous.strip(',;.()'))} {token.strip(',;.()')}" in _name_numbers(text)


def without_names(label: str, text: str) -> str:
    """The label without the article's names it quotes ("households in Khu phố 3" -> "households in"): a name keeps its
    Vietnamese spelling in English, and its number ("Phường 6") is not a number the label states."""
    tokens = label.split()
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i][:1].isupper():
            j = i + 1
            while j < len(tokens):
                if tokens[j][:1].isupper():
                    j += 1
                elif _is_name_number(text, tokens[j - 1], tokens[j]):
                    j += 1
                    break
                elif tokens[j][:1].islower() and j + 1 < len(tokens) and (tokens[j + 1][:1].isupper() or _is_name_number(text, tokens[j], tokens[j + 1])):
                    j += 1
                else:
                    break
            name = " ".join(tokens[i:j]).strip(",;.()'\"")
            vietnamese = not is_english(name) or _DIGITS.search(name) or j - i > 1
            if vietnamese and name and name.casefold() in text.casefold():
                i = j
                continue
        out.append(tokens[i])
        i += 1
    return " ".join(out)


def english_label(text: str, candidate: Candidate, what_en: str, period: str | None) -> tuple[str | None, str | None]:
    """The model's English label as a noun phrase, or None and why it cannot be one."""
    label = " ".join(what_en.split()).strip(" .;:,'\"")
    if not label:
        return None, "the model gave no English label"
    bare = without_names(label, text)
    if not is_english(bare):
        return None, f"the label is not in English ({label[:60]!r})"
    stated = _numbers_in(bare, period)
    if stated:
        own = [(start, end) for start, end, number in stated if number == candidate.mention.value]
        if not own:
            quoted = {m.value for m in mentions_in(candidate.quote(text))}
            if not all(number in quoted for _, _, number in stated):
                return None, f"the label speaks of another number ({label[:60]!r})"
        else:
            label = _phrase_around_number(bare, own[0], candidate)
            if not label:
                return None, f"the label is a clause around the number, not a name for what it counts ({what_en[:60]!r})"
    phrase = _noun_phrase(label)
    if not phrase:
        return None, f"the label is a clause, not a name for what the number counts ({what_en[:60]!r})"
    if len(phrase.split()) > MAX_WORDS:
        return None, f"the label is longer than {MAX_WORDS} words ({what_en[:60]!r})"
    return phrase, None


def _numbers_in(label: str, period: str | None) -> list[tuple[int, int, Decimal]]:
    """Numbers an English label states, with their spans; years are not counted (they name the period)."""
    found, pos = [], 0
    for written, number in english_numbers(label):
        start = label.find(written, pos)
        pos = start + len(written)
        if re.fullmatch(r"(19|20)\d\d", written):
            continue
        found.append((start, start + len(written), number))
    return found


def _phrase_around_number(label: str, span: tuple[int, int], candidate: Candidate) -> str | None:
    """The noun phrase a label writes after the candidate's own number ("8 branches with 327 members" -> "branches",
    "removed 22 party members who ..." -> "party members removed"), or for a percent or an amount, the phrase before
    it and its linking verb ("the percentage of poor households remains around 1.7%")."""
    mention = candidate.mention
    if mention.kind != "percent" and mention.unit != "VND":
        words = label[span[1] :].split()
        phrase: list[str] = []
        participle = None
        for i, word in enumerate(words):
            bare = word.strip(",;.()").casefold()
            if bare in _PASSIVE and i + 1 < len(words) and words[i + 1].casefold().endswith("ed"):
                participle = words[i + 1].strip(",;.()")
                break
            if bare in _LINKING_VERBS | _RELATIVES | _PREPOSITIONS | _CONJUNCTIONS or _DIGITS.search(bare) or word.startswith("("):
                break
            phrase.append(word.strip(",;.()"))
            if word.endswith((",", ";", ".")):
                break
        before = label[: span[0]].split()
        if participle is None and before and before[-1].casefold().endswith("ed") and before[-1].casefold() not in _LINKING_VERBS:
            participle = before[-1]
        if not phrase:
            return None
        return " ".join(phrase + ([participle.casefold()] if participle else []))
    words = label[: span[0]].split()
    for i, word in enumerate(words):
        if word.casefold() in _LINKING_VERBS:
            return " ".join(words[:i]) or None
    return None


def _noun_phrase(label: str) -> str | None:
    """A label cut to its noun phrase: without "the"/"number of", a trailing period ("in 2021"), or its main linking verb
    and what follows; None when it is a clause that starts with a verb ("checked the party committee of the ward")."""
    phrase = label.strip(" .;:,")
    for prefix in _COUNT_PREFIXES + _DETERMINERS:
        if phrase.casefold().startswith(prefix):
            phrase = phrase[len(prefix) :]
    phrase = _PERIOD_TAIL.sub("", phrase).strip(" .;:,")
    words = phrase.split()
    for i, word in enumerate(words):
        if word.casefold().strip(",") in _LINKING_VERBS and not (i and words[i - 1].casefold() in _RELATIVES):
            words = words[:i]
            break
    while words and words[-1].casefold() in _RELATIVES | _PREPOSITIONS | _CONJUNCTIONS:
        words = words[:-1]
    if not words:
        return None
    first = words[0].casefold()
    if first in _LINKING_VERBS or first in _CLAUSE_STARTS or first in _VERB_STARTS:
        return None
    if first.endswith("ed") and len(words) > 1 and (words[1].casefold() in ("the", "a", "an") or _DIGITS.search(words[1])):
        return None  # "purchased 8.86 billion VND ...", "checked the party committee ..."
    return " ".join(words).strip(" ,;")


_PER_TEXT = re.compile(r"\s*(?:đồng\s*)?(?:/\s*|\s(?:mỗi|một|trên)\s+)(năm|tháng|ngày)\b")
_PER_LABEL = {"năm": ("annual", "yearly", "per year", "a year"), "tháng": ("monthly", "per month", "a month"), "ngày": ("daily", "per day", "a day")}


def per_problem(label: str, text: str, candidate: Candidate) -> str | None:
    """Why a label's rate of time ("monthly income") is not the article's ("30 triệu đồng/năm"): it names another."""
    per = _PER_TEXT.match(text, candidate.mention.end)
    if per is None:
        return None
    said = [unit for unit, words in _PER_LABEL.items() if any(re.search(rf"\b{w}\b", label, re.IGNORECASE) for w in words)]
    if said and per.group(1) not in said:
        return f"the label says {_PER_LABEL[said[0]][0]}, and the article gives the number per {dict(năm='year', tháng='month', ngày='day')[per.group(1)]} ({label[:60]!r})"
    return None


def head_problem(label: str, candidate: Candidate, text: str, nouns: set[str]) -> str | None:
    """Why an English label does not name what the number counts: for a count, its head names another noun or none we
    know for this one; for a percent, it names no share or rate; for either, a rate of time the article does not give."""
    if problem := per_problem(label, text, candidate):
        return problem
    mention = candidate.mention
    words = [w.strip(",;.()'’").casefold() for w in label.split()]
    if set(words) <= _EMPTY_LABELS:
        return f"the label names nothing the number counts ({label[:60]!r})"
    if mention.kind == "percent":
        return None if set(words) & RATE_WORDS else f"a percent, and the label names no share or rate ({label[:60]!r})"
    if set(words) & _SHARE_WORDS:
        return f"a count, and the label names a share or rate ({label[:60]!r})"
    unit = mention.unit
    if unit in MEASURE_WORDS:
        term = longest_term(text, counted_noun_end(text, candidate))
        unit = term[0] if term else None
    heads = head_nouns(unit) if unit else frozenset()
    if not heads:
        return None
    english = term_english(unit)
    head_words = set()
    for word in words:  # the words of the noun phrase up to its first preposition or relative pronoun
        if word in _PREPOSITIONS | _RELATIVES:
            break
        head_words.add(word.removesuffix("'s").removesuffix("'"))
    if head_words & heads:
        return None
    others = [term_english(o) for o in sorted(nouns) if o != unit and head_words & (head_nouns(o) - heads)]
    if others:
        return f"the label speaks of {others[0]!r} but the number counts {unit!r} ({label[:60]!r})"
    return f"the label does not name what the number counts ({unit!r}: {english}) ({label[:60]!r})"


def vietnamese_label(text: str, candidate: Candidate, what_vi: str, nouns: set[str]) -> tuple[str | None, str | None]:
    """The model's Vietnamese label when it names the candidate's counted noun in a few words; else None and why."""
    label = " ".join(what_vi.split()).strip(" .;:,'\"")
    unit = candidate.mention.unit
    if not label:
        return None, "the model gave no Vietnamese label"
    if _DIGITS.search(without_names(label, text)) or len(label.split()) > MAX_SYLLABLES_VI:
        return None, f"the Vietnamese label quotes the clause ({label[:60]!r})"
    if not is_vietnamese(label):
        return None, f"the Vietnamese label is not Vietnamese ({label[:60]!r})"
    words = f" {key(label)} "
    if candidate.mention.kind == "percent":
        if any(f" {w} " in words for w in _RATE_WORDS_VI):
            return label, None
        return None, f"a percent, and the Vietnamese label names no share or rate ({label[:60]!r})"
    others = sorted(other for other in nouns if other != unit and f" {other} " in words)
    if unit == "VND":
        if others and not any(f" {w} " in words for w in (*MONEY_WORDS, "tiền", "đồng")):
            return None, f"the Vietnamese label speaks of {others[0]!r} but the number is an amount of money ({label[:60]!r})"
        return label, None
    if unit is None or unit in MEASURE_WORDS:
        return label, None
    if f" {unit} " not in words:
        if others:
            return None, f"the Vietnamese label speaks of {others[0]!r} but the number counts {unit!r} ({label[:60]!r})"
        return None, f"the Vietnamese label does not name {unit!r} ({label[:60]!r})"
    if fraction_role(text, candidate) == "total" and not any(f" {w} " in words for w in _TOTAL_WORDS_VI):
        return None, f"the total of a fraction, labelled like its part ({label[:60]!r})"
    return label, None


def misaligned(text: str, candidate: Candidate, what_en: str, what_vi: str) -> bool:
    """The model's label states numbers, none of them this candidate's: it was written for another candidate (and
    its period with it)."""
    stated = [m.value for m in mentions_in(what_vi) if m.kind in ("number", "percent", "fraction_part")]
    stated += [number for _, _, number in _numbers_in(without_names(what_en, text), None)]
    return bool(stated) and candidate.mention.value not in stated


def vietnamese_for(english: str) -> str | None:
    """The Vietnamese of the longest termbase rendering in an English label ("new party members admitted" -> đảng
    viên mới): the Vietnamese side of a label for an article written in English."""
    termbase = _termbase()
    if termbase is None:
        return None
    try:
        found = termbase.renderings_in(english)
    except Exception:  # a termbase that cannot answer gives no Vietnamese
        return None
    return max(found, key=lambda m: m.end - m.start).term.vi if found else None


def checked_label(text: str, candidate: Candidate, what_en: str, what_vi: str, period: str | None, nouns: set[str]) -> tuple[Label | None, str | None]:
    """The model's label where it holds and the program's where it does not, each language on its own, and why the
    model's was changed; no label when neither the model nor the program can say in both languages what is counted."""
    english, why_en = english_label(text, candidate, what_en, period)
    if english is not None:
        why_en = head_problem(english, candidate, text, nouns)
        if why_en is None and fraction_role(text, candidate) == "total" and not _TOTAL_WORDS.search(english):
            why_en = f"the total of a fraction, labelled like its part ({english[:60]!r})"
        if why_en:
            english = None
    vietnamese, why_vi = vietnamese_label(text, candidate, what_vi, nouns)
    note = "; ".join(why for why in (why_en, why_vi) if why) or None
    program = program_label(text, candidate) if english is None or vietnamese is None else None
    if english is None and program is None:
        return None, note
    if vietnamese is None and program is None and (vietnamese := vietnamese_for(english)) is None:
        return None, note
    label = Label(
        what_en=english if english is not None else program.what_en,
        what_vi=vietnamese if vietnamese is not None else program.what_vi,
        source="model" if english is not None else "program",
        note=note,
    )
    return label, note
