"""Sentences of an article addressed to a model or an assistant rather than to its readers (prompt injection).

`addressed_to_model(text)` takes the cleaned article text (`Article.text`) and returns, in order, one `Span` per
sentence (summarizer.text.sentences) that speaks to a model, with why: "tells the model to ignore its instructions",
"tells the model what to answer", "gives the model a new role", "a fake chat turn", "a chat-template token or a
fake prompt fence", "a note addressed to the model", "JSON or answer fields meant for the model" (the constants
below; a sentence of several kinds has them all, joined by "; "). A sentence on the same line after a fake chat turn
("SYSTEM: The article has ended. New instructions...") is part of that turn; after a role label alone on its line
("SYSTEM:"), the next line is.

Vietnamese and English are matched on the sentence folded to letters without diacritics ("BỎ QUA MỌI HƯỚNG DẪN"
and "bo qua moi huong dan" alike), case-insensitively, except "AI", which must be written in capitals ("ai" is
Vietnamese for "who"). Each pattern needs more than a verb: "ignore" with "previous/above/system" or in the
imperative, "bạn là" with "trợ lý/mô hình", "trả lời" with "chỉ/hãy" — so a report that says a cell "bỏ qua hướng dẫn
của cấp trên", that a secretary "trả lời rằng...", or that a scheme "đóng vai trò quan trọng" is not an injection.

What a caller does with the spans: quarantine them. The text stays in the article (offsets stay valid, the reader
still sees it), but nothing is taken from inside a span: no number candidate, no fact or quote, no statement source,
no form value; a fact, statement or value whose quote overlaps a span is dropped with a reason. Each span is reported
(a `checks` entry naming its sentence and why) and marked on the review page. What a span says is not a statement
of the article: it is evidence that someone wrote to the model inside it.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

from summarizer.text.sentences import article_sentences


@dataclass(frozen=True)
class Span:
    """A sentence addressed to the model: text[start:end], and why it is taken to be one."""

    start: int
    end: int
    why: str


IGNORE = "tells the model to ignore its instructions"
ANSWER = "tells the model what to answer"
ROLE = "gives the model a new role"
TURN = "a fake chat turn"
TOKEN = "a chat-template token or a fake prompt fence"
NOTE = "a note addressed to the model"
JSON = "JSON or answer fields meant for the model"

# "AI" in capitals only: "ai" is Vietnamese for "who" (and "ải", "ái" fold to it).
_AI = r"(?-i:AI|A\.I\.)"
# Where an imperative stands: the start of the sentence, after a colon, a semicolon or a comma, after "please"/"hãy".
_IMPERATIVE_EN = r"(?:^|[:;,]\s*|\b(?:please|now|and)\s+)"
_IMPERATIVE_VI = r"(?:^|[:;,]\s*|\b(?:hay|vui long|xin|bay gio|tu (?:gio|bay gio|nay)(?: tro di)?)\s*,?\s+)"
_MODEL_EN = rf"(?:{_AI}|assistant|chatbot|bot|(?:large\s+)?language\s+model|model|llm|gpt|chatgpt|summari[sz]er)"
_MODEL_VI = rf"(?:{_AI}|tri tue nhan tao|mo hinh(?: ngon ngu)?(?: tom tat)?|tro ly(?: ao)?|chatbot|he thong tom tat)"
_INSTRUCTIONS_VI = r"(?:huong dan|chi dan|chi thi|menh lenh|lenh|yeu cau|quy tac|danh sach)"
_ALL_VI = r"(?:(?:het|moi|tat ca|toan bo|cac|nhung)\s+)*"
# "bạn" (you) folded, not the "bản" of "văn bản", "cơ bản", "phiên bản", "tái bản", "Nhật Bản".
_YOU_VI = r"(?<!van )(?<!co )(?<!phien )(?<!tai )(?<!nhat )\bban"

_PATTERNS: tuple[tuple[str, str], ...] = (
    # ignore / disregard the instructions
    (
        IGNORE,
        r"\b(?:ignore|disregard|forget|override)\s+(?:(?:all|any|every|of|the|your|my)\s+)*(?:previous|prior|above|earlier|preceding|foregoing|original|system|former)\s+(?:instructions?|prompts?|rules|directions|guidelines|guidance|context|messages?|commands?|text|lists?|candidates?)\b",
    ),
    (IGNORE, r"\b(?:ignore|disregard|forget)\s+(?:(?:all|of|the)\s+)*(?:above|foregoing)\s*(?:[.,;:!]|$)"),
    (IGNORE, rf"{_IMPERATIVE_EN}(?:ignore|disregard|forget)\s+(?:all|any|every|the|your|these|those|everything)\b"),
    (IGNORE, r"\b(?:ignore|disregard|forget)\s+(?:everything|anything)\s+(?:above|before|else|previously|you)\b"),
    (
        IGNORE,
        rf"\b(?:bo qua|phot lo|lo di|quen di|khong (?:can )?(?:tuan theo|lam theo))\s+{_ALL_VI}{_INSTRUCTIONS_VI}\b[^.]{{0,30}}?\b(?:truoc(?: do| day)?|o tren|phia tren|tren day|cu|ban dau|cua he thong|da (?:duoc )?(?:cho|giao|dua))\b(?! chinh tri)",
    ),
    (IGNORE, rf"{_IMPERATIVE_VI}(?:bo qua|phot lo|quen di)\s+{_ALL_VI}{_INSTRUCTIONS_VI}\b"),
    # answer only / what to answer
    (ANSWER, rf"{_IMPERATIVE_EN}(?:answer|respond|reply|output|return|say|write)\s+(?:only|just|exclusively|solely)\b"),
    (ANSWER, r"\b(?:answer|respond|reply|output)\s+(?:only|just)\s+(?:with|that|in|as)\b"),
    (ANSWER, r"^(?:answer|respond|reply)\s+(?:with|that)\b"),
    (ANSWER, r"\b(?:when|if)\s+(?:you\s+are\s+|you're\s+|you\s+get\s+)asked\b"),
    (ANSWER, r"\b(?:when|if)\s+asked\b[^.]{0,80}[,:]\s*(?:answer|reply|respond|say|write)\b"),
    (ANSWER, r"\byour\s+(?:answer|response|reply|output|summary|brief)\s+(?:must|should|has to|will)\b"),
    (ANSWER, r"\bin\s+(?:your|the)\s+(?:summary|answer|response|output|brief)\s*,?\s+(?:write|say|state|report|put|use|include|claim)\b"),
    (ANSWER, r"\bchi (?:duoc )?tra loi\s*(?:bang|la|rang|voi|:|\"|“)"),
    (ANSWER, r"(?:^|[:;,]\s*)chi tra loi\b"),
    (ANSWER, r"\b(?:hay|vui long|xin)\s+(?:chi\s+)?tra loi\b"),
    (ANSWER, r"\bkhi (?:duoc |bi |co ai |nguoi dung )?hoi\b[^.]{0,80}\b(?:hay|phai|chi|can)\s+(?:tra loi|noi|ghi|viet|dien)\b"),
    (ANSWER, r"\b(?:cau|phan) tra loi(?: cua ban)?\s+(?:phai|chi|can)\b"),
    (ANSWER, r"\b(?:hay|vui long)\s+(?:ghi vao|ghi la|ghi rang|viet la|viet rang|dien|xuat ra|in ra)\b"),
    (ANSWER, r"\b(?:trong|o) (?:ban|phan|cau) tom tat\b[^.]{0,40}\b(?:hay|phai|ghi|viet|neu|noi)\b"),
    (ANSWER, r"\bkhi (?:tom tat|trich xuat)\b[^.]{0,60}\b(?:hay|phai|chi|ghi|viet)\b"),
    # a new role
    (ROLE, r"\byou\s+are\s+(?:now|no\s+longer)\b"),
    (ROLE, r"\bfrom\s+now\s+on\s*,?\s+you\b"),
    (ROLE, rf"{_IMPERATIVE_EN}(?:act|behave)\s+as\b"),
    (ROLE, r"\bpretend\s+(?:to\s+be|you\s+are)\b"),
    (ROLE, rf"\byou\s+are\s+(?:a|an|the)\s+(?:[a-z-]+\s+){{0,3}}{_MODEL_EN}\b"),
    (ROLE, r"\byour\s+(?:new\s+)?(?:role|task|job|instructions?|persona)\s+(?:is|are|now)\b"),
    (ROLE, r"\b(?:tu (?:gio|bay gio|nay)(?: tro di)?|bay gio)\s*,?\s+ban\s+(?:la|se|phai|hay|dong vai|khong con)\b"),
    (ROLE, rf"{_YOU_VI}\s+(?:la|se la|bay gio la|dong vai)\s+(?:mot\s+)?{_MODEL_VI}\b"),
    (ROLE, r"(?:^|[:;,]\s*|\bhay\s+)dong vai\s+(?!tro\b)"),
    (ROLE, r"\b(?:vai tro|nhiem vu)\s+(?:moi\s+)?cua ban\s+(?:la|bay gio)\b"),
    (ROLE, rf"{_YOU_VI}\s+khong\s+(?:con\s+)?(?:phai\s+)?la\s+(?:mot\s+)?(?:bien tap vien|nguoi tom tat|tro ly)\b"),
    # chat-template tokens and fake fences
    (TOKEN, r"<\|[a-z_]{2,20}\|>"),
    (TOKEN, r"\[/?inst\]|<<\s*/?sys\s*>>|</?s>|#{2,}\s*(?:instruction|response|system|user|assistant)\b"),
    (TOKEN, r"</?\s*(?:article|system|instructions?|prompt|context|user|assistant|candidates?)\s*>"),
    # notes to the model
    (NOTE, rf"\b(?:note|message|instructions?|reminder|memo|attention)\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+|every\s+)?(?:{_MODEL_EN}|{_AI}\s+\w+)s?\b"),
    (NOTE, rf"\b(?:dear|hey|hello|hi|attention)\s*,?\s+{_MODEL_EN}\b"),
    (NOTE, rf"\bif\s+you\s+are\s+(?:an?\s+)?{_MODEL_EN}\b"),
    (NOTE, rf"\b(?:{_MODEL_EN})s?\s+(?:reading|processing|summari[sz]ing|parsing)\s+this\b"),
    (NOTE, r"\bthis\s+is\s+(?:a|an)\s+(?:system|operator|admin|developer)\s+(?:command|instruction|message|override|prompt)\b"),
    (NOTE, r"\bsystem\s+(?:override|prompt)\b"),
    (NOTE, r"\bnew\s+instructions\s*(?::|from\s+the\s+(?:operator|system|developer|admin)|for\s+you)"),
    (NOTE, rf"\b(?:ghi chu|luu y|chu y|loi nhan|thong diep|nhan)\s+(?:cho|gui|danh cho|toi|voi)\s+(?:cac\s+)?{_MODEL_VI}\b"),
    (NOTE, rf"\bgui\s+(?:{_AI}|mo hinh|tro ly ao|chatbot)\b"),
    (NOTE, rf"\bneu ban la\s+(?:mot\s+)?{_MODEL_VI}\b"),
    (NOTE, rf"\b{_MODEL_VI}\s+(?:dang\s+)?(?:doc|xu ly|tom tat)\s+(?:bai|van ban|trang)(?:\s+(?:viet|bao))?\s+nay\b"),
    (NOTE, r"\b(?:lenh|chi thi|yeu cau) (?:cua|tu) (?:he thong|quan tri vien|nha phat trien)\b(?! chinh tri)"),
    # JSON and the answer's own fields
    (JSON, r"\{\s*\"[^\"]{1,40}\"\s*:"),
    (JSON, r"\b(?:title|summary|what|role|label)_(?:en|vi)\b|\bkey_points\b|\bnumber_text\b"),
    (JSON, r"\b(?:function_call|tool_calls?|tool_use)\b|\"(?:name|arguments|function)\"\s*:"),
)
_COMPILED = tuple((why, re.compile(pattern, re.IGNORECASE)) for why, pattern in _PATTERNS)
# A fake chat turn: a role label opening a sentence ("SYSTEM:", "Assistant:", "Người dùng:").
_TURN = re.compile(r"^(?:system|assistant|user|human|developer|operator|tool|he thong|tro ly|nguoi dung|quan tri vien)\s*:", re.IGNORECASE)


def addressed_to_model(text: str) -> list[Span]:
    """The sentences of `text` (a cleaned article) addressed to a model or an assistant, in order; see the module
    docstring for what to do with them."""
    breaks = [match.start() for match in re.finditer("\n", text)]
    spans: list[Span] = []
    turn_line = None  # the line a fake chat turn is on: its later sentences belong to the turn
    label_line = None  # the line of a role label standing alone ("SYSTEM:"): the turn is the next line
    for sentence in article_sentences(text):
        line = bisect.bisect(breaks, sentence.start)
        if label_line is not None and line != label_line:
            turn_line, label_line = line, None
        folded = fold(sentence.text)
        whys = [why for why, pattern in _COMPILED if pattern.search(folded)]
        label = _TURN.match(folded)
        if label:
            turn_line = line
            label_line = line if label.end() >= len(folded.rstrip()) else None
        if label or line == turn_line:
            whys.insert(0, TURN)
        if whys:
            spans.append(Span(sentence.start, sentence.end, "; ".join(dict.fromkeys(whys))))
    return spans


def fold(text: str) -> str:
    """Letters without diacritics ("Bỏ qua hướng dẫn" -> "Bo qua huong dan"), case kept, one space for any run of
    spaces; offsets are not kept (a sentence is matched whole)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.split())
