"""Loading articles from disk: decoding, cleaning to plain NFC text, and deterministic metadata."""

from __future__ import annotations

import codecs
import datetime
import hashlib
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from html import unescape as html_unescape
from html.entities import html5 as html5_entities
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser, LexborNode

from summarizer.config import MAX_ARTICLE_BYTES, MAX_ARTICLE_CHARS
from summarizer.errors import ArticleError

ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm")


# --------------------------------------------------------------------------- errors and records


@dataclass(frozen=True)
class ArticleMeta:
    title: str | None
    published: str | None  # ISO date 'YYYY-MM-DD'
    published_time: str | None  # 'HH:MM' when stated
    author: str | None  # a person's name, title-cased when the byline is ALL CAPS
    source: str | None  # the outlet, when stated ("Nguồn: Báo Quảng Trị")


@dataclass(frozen=True)
class Dropped:
    """Text that cleaning removed: how many characters, and why ("boilerplate after 'Chia sẻ bài viết'",
    "breadcrumb", "repeated line", "HTML markup"...)."""

    chars: int
    why: str


@dataclass(frozen=True)
class Article:
    id: str  # file stem
    path: str
    text: str  # cleaned text: NFC, paragraphs separated by one blank line
    meta: ArticleMeta
    content_hash: str  # sha256 hex of text
    dropped: tuple[Dropped, ...] = ()  # what cleaning removed from the file, in the order it was removed


def _one_line(message: str) -> str:
    return re.sub(r"[\r\n]+", " ", message)


# --------------------------------------------------------------------------- decoding

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode(data: bytes, path) -> str:
    """Strict UTF-8 (a leading UTF-8 BOM is dropped), or UTF-16 with its BOM; anything else is an ArticleError naming the file."""
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16")  # the BOM says which byte order: unambiguous
        except UnicodeDecodeError:
            raise ArticleError(path, "starts like UTF-16 text but does not decode as UTF-16; re-save it as UTF-8") from None
    if b"\x00" in data:
        raise ArticleError(path, "binary file, not an article (it contains NUL bytes)")
    skipped = 0
    if data.startswith(codecs.BOM_UTF8):
        skipped = len(codecs.BOM_UTF8)
        data = data[skipped:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        byte = data[err.start]
        offset = err.start + skipped
        raise ArticleError(path, f"not UTF-8 text (byte 0x{byte:02X} at offset {offset}); re-save it as UTF-8") from None


# --------------------------------------------------------------------------- HTML

# Elements whose whole content is dropped.
_SKIP_TAGS = frozenset({"script", "style", "noscript", "nav", "aside", "form", "iframe", "svg", "template", "button", "select", "textarea", "head", "title"})
# Page chrome: dropped when we read the whole <body>, kept inside <article>/<main>
# (an article's own <header> usually holds its headline, date and byline).
_CHROME_TAGS = frozenset({"header", "footer"})
# Elements that start and end a paragraph.
_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "table",
        "caption",
        "article",
        "section",
        "main",
        "header",
        "footer",
        "blockquote",
        "pre",
        "figure",
        "figcaption",
        "hr",
        "address",
        "details",
        "summary",
        "body",
    }
)
_CELL_TAGS = frozenset({"td", "th"})


def html_to_text(html: str) -> str:
    """Plain text of an HTML page: one paragraph per block element, the headline first."""
    return _html_to_text(html)[0]


def _html_to_text(html: str) -> tuple[str, dict[str, int]]:
    """html_to_text, and the characters of the source it left out, by reason."""
    tree = LexborHTMLParser(html)
    content = _main_content(tree)
    if content is None:
        return "", {"HTML markup": len(html)}
    title = _node_text(tree.css_first("title"))
    skip = _SKIP_TAGS
    if content.tag not in ("article", "main"):
        # A page's <header> and <footer> are chrome; a fragment with no <title> whose only <h1> is in a <header>
        # ("<header class='article-header'><h1>...") has its headline there.
        skip = _SKIP_TAGS | ({"footer"} if not title and _headline_only_in_header(content) else _CHROME_TAGS)
    parts: list[str] = []
    skipped: dict[str, int] = {}
    _collect_text(content, skip, parts, skipped)
    lines = [line.strip() for line in "".join(parts).split("\n")]
    lines = [line for line in lines if line]
    # The article's own <h1> is already among the first lines; without one, <title> goes first.
    has_headline = any(_node_text(h1) in lines[:5] for h1 in content.css("h1"))
    if not has_headline and title and title not in lines[:5]:
        lines.insert(0, title)
    all_text = len(tree.root.text(deep=True)) if tree.root is not None else 0
    left_out = {"HTML markup": len(html) - all_text, f"HTML outside <{content.tag}>": all_text - len(content.text(deep=True))}
    left_out.update((f"HTML <{tag}> element", chars) for tag, chars in skipped.items())
    return "\n\n".join(lines), {why: chars for why, chars in left_out.items() if chars > 0}


def _headline_only_in_header(content: LexborNode) -> bool:
    headlines = content.css("h1")
    return bool(headlines) and all(_inside(h1, "header", content) for h1 in headlines)


def _inside(node: LexborNode, tag: str, top: LexborNode) -> bool:
    parent = node.parent
    while parent is not None and parent != top:
        if parent.tag == tag:
            return True
        parent = parent.parent
    return False


def _main_content(tree: LexborHTMLParser) -> LexborNode | None:
    """The longest <article>, else the longest <main>, else <body>."""
    for selector in ("article", "main"):
        candidates = tree.css(selector)
        if candidates:
            return max(candidates, key=lambda node: len(node.text()))
    return tree.body or tree.root


def _collect_text(node: LexborNode, skip: frozenset[str], parts: list[str], skipped: dict[str, int]) -> None:
    # A stack, not recursion: HTML nested thousands deep (15,000 <div>) must not exhaust Python's stack.
    # Each entry: the next sibling to visit at one level, and what to append when that level ends.
    stack: list[tuple[LexborNode | None, str]] = [(node.child, "")]
    while stack:
        child, closing = stack.pop()
        if child is None:
            parts.append(closing)
            continue
        stack.append((child.next, closing))
        if child.is_text_node:
            parts.append(re.sub(r"\s+", " ", child.text_content or ""))
        elif child.is_element_node and child.tag in skip:
            chars = len(child.text(deep=True))
            if chars:
                skipped[child.tag] = skipped.get(child.tag, 0) + chars
        elif child.is_element_node:
            if child.tag == "br":
                parts.append("\n")
            elif child.tag in _BLOCK_TAGS:
                parts.append("\n")
                stack.append((child.child, "\n"))
            else:
                if child.tag in _CELL_TAGS:
                    parts.append(" ")
                stack.append((child.child, ""))
        # comments and other node kinds carry no article text


def _node_text(node: LexborNode | None) -> str:
    if node is None:
        return ""
    return " ".join(node.text(deep=True).split())


# --------------------------------------------------------------------------- cleaning

# A line equal to one of these (case-insensitive), or one of them and a few words of buttons, starts the site's trailing
# boilerplate when only boilerplate-like lines (short lines, links, other markers) follow it to the end; a marker in the
# middle of the body cuts nothing.
BOILERPLATE_MARKERS = (
    "Chia sẻ bài viết",
    "BÌNH LUẬN",
    "Các tin khác",
    "VĂN BẢN MỚI",
    "THĂM DÒ Ý KIẾN",
    "Tin liên quan",
    "Bình luận",
    "Đọc tiếp",
    "Xem thêm",
    "Tin cùng chuyên mục",
    "Bài viết liên quan",
    "Tin bài liên quan",
    "Ý kiến bạn đọc",
)
_MARKER_KEYS = frozenset(marker.casefold() for marker in BOILERPLATE_MARKERS)
# After a marker, a line this long or longer is body text (a paragraph), not a related headline, a share button or a
# poll: the marker then ends nothing. Vietnamese headlines of related articles stay well under it.
TAIL_LINE_CHARS = 160
MARKER_TRAILING_WORDS = 4  # words a marker line may carry after the marker: buttons, counts ("Facebook Zalo", "(0)")
# A cut (trailing boilerplate, breadcrumbs, repeated lines) of more than this share of the text is a warning.
CUT_WARNING_SHARE = 0.10
_CUT_REASONS = ("boilerplate after ", "breadcrumb", "repeated line")

_INVISIBLE = re.compile("[\ufeff\u200b]")  # BOM / zero-width space anywhere in the text
_NEWLINES = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_LINK = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)

_BREADCRUMB_START = re.compile(r"^(chi tiết tin|trang chủ|trang nhất|home)\s*([-–›»>|/:]|$)", re.IGNORECASE)
_BREADCRUMB_TRAIL = re.compile(r"^[^.!?]{1,60}(\s[›»>]\s[^.!?]{1,60})+$")


@dataclass(frozen=True)
class Cleaned:
    text: str
    dropped: tuple[Dropped, ...]


def clean_text(raw: str, *, is_html: bool = False) -> str:
    """NFC plain text, one paragraph per line, separated by a blank line; site boilerplate removed."""
    return clean_article_text(raw, is_html=is_html).text


def clean_article_text(raw: str, *, is_html: bool = False) -> Cleaned:
    """clean_text, and what it removed: characters by reason, in the order they were removed. Whitespace that is
    collapsed (runs of spaces, blank lines) is layout, not text, and is not counted."""
    dropped: dict[str, int] = {}
    if is_html:
        text, left_out = _html_to_text(raw)
        for why, chars in left_out.items():
            _count(dropped, why, chars)
    else:
        text = raw
    text = _decode_entities(_remove_invisible(text, dropped), dropped)
    text = _remove_invisible(text, dropped)  # an entity can be one (&#8203;)
    text = unicodedata.normalize("NFC", text)
    text = _NEWLINES.sub("\n", text)
    lines = [" ".join(line.split()) for line in text.split("\n")]  # spaces, tabs, nbsp... as one space; none at the ends
    noise = [line for line in lines if _is_noise(line)]
    _count(dropped, "line without letters or digits", sum(map(len, noise)))
    lines = [line for line in lines if not _is_noise(line)]
    lines = _cut_boilerplate(lines, dropped)
    lines = _drop_leading_breadcrumbs(lines, dropped)
    lines = _drop_repeated_lines(lines, dropped)
    return Cleaned("\n\n".join(lines), tuple(Dropped(chars, why) for why, chars in dropped.items()))


def cut_warning(article: Article) -> str | None:
    """One line when cleaning cut more than CUT_WARNING_SHARE of the article's text (trailing boilerplate, breadcrumbs,
    repeated lines; not HTML markup or page chrome), else None."""
    cuts = [d for d in article.dropped if d.why.startswith(_CUT_REASONS)]
    cut = sum(d.chars for d in cuts)
    whole = len(article.text) + cut
    if not cut or cut <= CUT_WARNING_SHARE * whole:
        return None
    reasons = "; ".join(f"{d.chars:,} {d.why}" for d in cuts)
    return f"cleaning cut {cut:,} of {whole:,} characters ({cut / whole:.0%}) of the text ({reasons}); check that nothing of the article was lost"


def _count(dropped: dict[str, int], why: str, chars: int) -> None:
    if chars > 0:
        dropped[why] = dropped.get(why, 0) + chars


def _remove_invisible(text: str, dropped: dict[str, int]) -> str:
    kept = _INVISIBLE.sub("", text)
    _count(dropped, "invisible characters (BOM, zero-width space)", len(text) - len(kept))
    return kept


def _decode_entities(text: str, dropped: dict[str, int]) -> str:
    """HTML entities left in the text ("&nbsp;", "&amp;", "&#7843;"), decoded until none is left ("&amp;nbsp;")."""
    before = len(text)
    while True:
        decoded = _ENTITY.sub(_entity, text)
        if decoded == text:
            break
        text = decoded
    _count(dropped, "HTML entities", before - len(text))
    return text


def _entity(match: re.Match) -> str:
    entity = match.group()
    if entity[1] != "#" and entity[1:] not in html5_entities:
        return entity  # "&ABC;" is not an entity: kept as written
    return html_unescape(entity)


def _is_noise(line: str) -> bool:
    """Blank lines and lines with no letter or digit at all ('.', '...', '***')."""
    return not any(ch.isalnum() for ch in line)


def _is_boilerplate_marker(line: str) -> bool:
    return _marker_of(line) is not None


def _marker_of(line: str) -> str | None:
    """The marker a line is ("Bình luận:") or opens with a few words of buttons or counts after it ("Chia sẻ bài viết
    Facebook Zalo", "Bình luận (0)"), as the line writes it; None for any other line."""
    key = line.rstrip(" :").casefold()
    if key in _MARKER_KEYS:
        return line.rstrip(" :")
    for marker in _MARKER_KEYS:
        if (
            key.startswith(marker)
            and key[len(marker) : len(marker) + 1] in (" ", ":", "|", "-", "(")
            and len(key[len(marker) :].split()) <= MARKER_TRAILING_WORDS
        ):
            return line[: len(marker)]
    return None


def _looks_like_tail(line: str) -> bool:
    """What follows the site's boilerplate marker: short lines (related headlines, buttons, polls) and links."""
    return len(line) < TAIL_LINE_CHARS or bool(_LINK.fullmatch(line))


def _cut_boilerplate(lines: list[str], dropped: dict[str, int]) -> list[str]:
    """Cut at the first marker line after which every line looks like boilerplate to the end."""
    cut = None
    for index in range(len(lines) - 1, -1, -1):
        if _is_boilerplate_marker(lines[index]):
            cut = index
        elif not _looks_like_tail(lines[index]):
            break
    if cut is None:
        return lines
    _count(dropped, f"boilerplate after '{_marker_of(lines[cut])}'", sum(map(len, lines[cut:])))
    return lines[:cut]


def _is_breadcrumb(line: str) -> bool:
    if len(line) > 150:
        return False
    return bool(_BREADCRUMB_START.match(line) or _BREADCRUMB_TRAIL.match(line))


def _drop_leading_breadcrumbs(lines: list[str], dropped: dict[str, int]) -> list[str]:
    start = 0
    while start < len(lines) and _is_breadcrumb(lines[start]):
        start += 1
    _count(dropped, "breadcrumb", sum(map(len, lines[:start])))
    return lines[start:]


def _drop_repeated_lines(lines: list[str], dropped: dict[str, int]) -> list[str]:
    """Drop a line equal to the one before it (scraped photo captions come twice)."""
    kept: list[str] = []
    for line in lines:
        if not kept or kept[-1] != line:
            kept.append(line)
        else:
            _count(dropped, "repeated line", len(line))
    return kept


# --------------------------------------------------------------------------- metadata

_HEAD_LINES = 6  # the title and dateline are looked for among the first lines only
_BYLINE_LINES = 3  # the byline is looked for among the last lines only
_MAX_BYLINE_CHARS = 100

_DATE_DMY = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")  # 26/12/2014, 23-11-2023
_DATE_YMD = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")  # 2023-11-23
_TIME = re.compile(r"\b(\d{1,2})[:h](\d{2})\b")  # 07:29, 10h45
_WEEKDAY = re.compile(r"\b(thứ\s+(hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s+nhật)\b", re.IGNORECASE)
_TIMEZONE = re.compile(r"\(?\s*GMT\s*[+-]\s*\d{1,2}\s*\)?", re.IGNORECASE)
_DATE_LABEL = re.compile(r"\b(cập nhật|ngày đăng|đăng lúc|đăng ngày|ngày|lúc|giờ)\b\s*:?", re.IGNORECASE)

_AUTHOR_LABELS = ("Bài và ảnh", "Bài, ảnh", "Bài/ảnh", "Tin và ảnh", "Tin, ảnh", "Tin/ảnh", "Tác giả", "Phóng viên", "Bài", "Tin", "Ảnh")
_SOURCE_LABELS = ("Nguồn", "Theo")
_AUTHOR_LABEL = re.compile(r"^(" + "|".join(map(re.escape, _AUTHOR_LABELS)) + r")\s*:\s*", re.IGNORECASE)
_SOURCE_LABEL = re.compile(r"^(" + "|".join(map(re.escape, _SOURCE_LABELS)) + r")\s*:\s*", re.IGNORECASE)
_BYLINE_SEPARATOR = re.compile(r";|\s[-–|]\s")


@dataclass(frozen=True)
class _Dateline:
    published: str
    published_time: str | None
    name: str | None  # "Quỳnh Mai" in "Quỳnh Mai 10:45, 17/01/2023"


def parse_meta(text: str) -> ArticleMeta:
    """Title, dateline and byline read from cleaned article text."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    head = lines[:_HEAD_LINES]

    dateline_index, dateline = _find_dateline(head)
    title_index, title = _find_title(head)
    header_end = max(i for i in (dateline_index, title_index, -1) if i is not None)
    author, source = _find_byline(lines[header_end + 1 :])
    if author is None and dateline is not None:
        author = dateline.name

    return ArticleMeta(
        title=title,
        published=dateline.published if dateline else None,
        published_time=dateline.published_time if dateline else None,
        author=author,
        source=source,
    )


def _find_dateline(head: list[str]) -> tuple[int | None, _Dateline | None]:
    for index, line in enumerate(head):
        dateline = _parse_dateline(line)
        if dateline is not None:
            return index, dateline
    return None, None


def _parse_dateline(line: str) -> _Dateline | None:
    """A short line that is a date (and maybe a time, weekday or the author's name) and nothing else."""
    if len(line) > 100:
        return None
    published, date_match = _first_valid_date(line)
    if published is None:
        return None
    rest = line[: date_match.start()] + " " + line[date_match.end() :]
    time_match = _TIME.search(rest)
    published_time = _valid_time(time_match)  # an impossible time ("25:61") is dropped, the date kept
    if time_match is not None:
        rest = rest[: time_match.start()] + " " + rest[time_match.end() :]
    for pattern in (_TIMEZONE, _WEEKDAY, _DATE_LABEL):
        rest = pattern.sub(" ", rest)
    rest = " ".join(rest.split()).strip(" ,-–|:()")
    if rest and not _looks_like_name(rest):
        return None  # more than a date on this line: a sentence, not a dateline
    return _Dateline(published, published_time, _tidy_name(rest) if rest else None)


def _first_valid_date(line: str) -> tuple[str | None, re.Match | None]:
    candidates = [(m, m.group(3), m.group(2), m.group(1)) for m in _DATE_DMY.finditer(line)]
    candidates += [(m, m.group(1), m.group(2), m.group(3)) for m in _DATE_YMD.finditer(line)]
    candidates.sort(key=lambda candidate: candidate[0].start())
    for match, year, month, day in candidates:
        iso = _valid_date(int(year), int(month), int(day))
        if iso is not None:
            return iso, match
    return None, None


def _valid_date(year: int, month: int, day: int) -> str | None:
    if not 1900 <= year <= 2100:
        return None
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


def _valid_time(match: re.Match | None) -> str | None:
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def _find_title(head: list[str]) -> tuple[int | None, str | None]:
    """The first headline-like line; stops at the first body paragraph."""
    for index, line in enumerate(head):
        if _is_breadcrumb(line) or _parse_dateline(line) or _is_labelled_byline(line):
            continue
        candidate = line.lstrip("#").strip()  # a Markdown heading
        if _looks_like_headline(candidate):
            return index, candidate
        return None, None  # body text reached before any headline
    return None, None


def _is_labelled_byline(line: str) -> bool:
    return bool(_AUTHOR_LABEL.match(line) or _SOURCE_LABEL.match(line))


def _looks_like_headline(line: str) -> bool:
    return len(line.split()) >= 2 and len(line) < 250 and not line.endswith(".") and any(ch.isalpha() for ch in line)


def _find_byline(body: list[str]) -> tuple[str | None, str | None]:
    """Author and source from the last short lines of the article ("Tường Vy", "Nguồn: X; Tác giả: Y")."""
    author = source = None
    for line in reversed(body[-_BYLINE_LINES:]):
        if len(line) > _MAX_BYLINE_CHARS or line.endswith("."):
            break  # reached the body text
        line_author, line_source = _parse_byline(line)
        author = author or line_author
        source = source or line_source
    return author, source


def _parse_byline(line: str) -> tuple[str | None, str | None]:
    """(author, source) from one byline line; (None, None) when it is not a byline."""
    if len(line) > _MAX_BYLINE_CHARS or line.endswith("."):
        return None, None
    author = source = None
    for part in _BYLINE_SEPARATOR.split(line):
        part = part.strip()
        source_label = _SOURCE_LABEL.match(part)
        if source_label:
            source = source or (part[source_label.end() :].strip() or None)
            continue
        author_label = _AUTHOR_LABEL.match(part)
        name = part[author_label.end() :].strip() if author_label else part
        if author is None and _looks_like_name(name):
            author = _tidy_name(name)
    return author, source


def _looks_like_name(text: str) -> bool:
    """2-5 capitalised (or ALL CAPS) words of letters only: 'Tường Vy', 'LÊ HỒNG LÂM'."""
    words = text.split()
    if not 2 <= len(words) <= 5:
        return False
    return all(word[0].isupper() and word.replace("-", "").isalpha() for word in words)


def _tidy_name(name: str) -> str:
    """Collapse spaces; an ALL-CAPS name becomes 'Lê Hồng Lâm'."""
    words = name.split()
    if name.isupper():
        words = [word.capitalize() for word in words]
    return unicodedata.normalize("NFC", " ".join(words))


# --------------------------------------------------------------------------- loading


def looks_like_html(raw: str, suffix: str) -> bool:
    """An .html/.htm file with tags in it, any text that opens like an HTML document, or, whatever the suffix, a text
    whose content is HTML (a scraped fragment: "<div class=...><h1>...</h1>..."); see _html_by_content."""
    if not re.search(r"<[A-Za-z!/]", raw):
        return False
    if suffix.lower() in (".html", ".htm"):
        return True
    opening = raw.lstrip("\ufeff \t\r\n")[:100].lower()
    return opening.startswith(("<!doctype html", "<html")) or _html_by_content(raw)


# Elements of HTML a text is recognised by: the block and cell elements, the skipped ones and the common inline ones.
_HTML_ELEMENTS = (
    _BLOCK_TAGS
    | _CELL_TAGS
    | _SKIP_TAGS
    | frozenset({"a", "abbr", "b", "br", "cite", "em", "font", "i", "img", "html", "link", "meta", "picture", "small"})
    | frozenset({"source", "span", "strong", "sub", "sup", "tbody", "thead", "time", "u", "video"})
)
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]{0,15})(?:\s[^<>]{0,2000})?/?>")
HTML_MIN_BLOCK_TAGS = 3  # block or cell tags, opening or closing
HTML_MIN_MARKUP_SHARE = 0.01  # of the text's characters in tags and entities


def _html_by_content(raw: str) -> bool:
    """Whether a text is HTML by what is in it: at least HTML_MIN_BLOCK_TAGS tags of block elements (<p>, <div>,
    <h1>, </li>...) of at least two kinds (or twice as many of one kind), two of them closing tags (or more than three
    times as many block tags), and at least HTML_MIN_MARKUP_SHARE of its characters in tags and entities. A plain text
    that mentions "<article>", names a few tags ("thẻ <p> mở một đoạn"), writes "a < b" or one "<br>" is plain."""
    tags = [m for m in _TAG.finditer(raw) if m.group(2).lower() in _HTML_ELEMENTS]
    blocks = [m for m in tags if m.group(2).lower() in _BLOCK_TAGS | _CELL_TAGS]
    if len(blocks) < HTML_MIN_BLOCK_TAGS:
        return False
    if len({m.group(2).lower() for m in tags}) < 2 and len(blocks) < 2 * HTML_MIN_BLOCK_TAGS:
        return False
    if sum(1 for m in blocks if m.group(1)) < 2 and len(blocks) <= 3 * HTML_MIN_BLOCK_TAGS:
        return False
    markup = sum(len(m.group()) for m in tags) + sum(len(m.group()) for m in _ENTITY.finditer(raw))
    return markup >= HTML_MIN_MARKUP_SHARE * len(raw.strip())


def load_article(path, *, max_chars: int = MAX_ARTICLE_CHARS) -> Article:
    """Read, decode, clean and parse one article file; ArticleError when it cannot be used (or when its text after
    cleaning is longer than `max_chars`)."""
    path = Path(path)
    data = _read_bytes(path)
    if not data:
        raise ArticleError(path, "empty file; put the article text in it or remove it")
    raw = decode(data, path)
    if not raw.strip():
        raise ArticleError(path, "only whitespace, no text; put the article text in it or remove it")
    return _build_article(raw, id=path.stem, path=str(path), is_html=looks_like_html(raw, path.suffix), max_chars=max_chars)


def article_from_text(text: str, *, id: str = "article", is_html: bool | None = None, max_chars: int = MAX_ARTICLE_CHARS) -> Article:
    """The same cleaning and metadata as load_article, for text already in memory."""
    if not text.strip():
        raise ArticleError(id, "empty text; pass the article text")
    if is_html is None:
        is_html = looks_like_html(text, "")
    return _build_article(text, id=id, path="<memory>", is_html=is_html, max_chars=max_chars)


def _build_article(raw: str, *, id: str, path: str, is_html: bool, max_chars: int) -> Article:
    cleaned = clean_article_text(raw, is_html=is_html)
    text = cleaned.text
    where = path if path != "<memory>" else id
    if not text:
        raise ArticleError(where, "no article text left after cleaning (only boilerplate); check that this is an article")
    if len(text) > max_chars:
        raise ArticleError(
            where,
            f"{len(text):,} characters of text after cleaning; the limit is {max_chars:,} (raise it with --max-chars "
            "or max_chars in the config file, or split the document)",
        )
    return Article(
        id=id,
        path=path,
        text=text,
        meta=parse_meta(text),
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        dropped=cleaned.dropped,
    )


def _read_bytes(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_ARTICLE_BYTES; a FIFO, a device or a socket is refused unread
    (reading one could wait forever, or never end)."""
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise ArticleError(path, "no such file; check the path") from None
    except PermissionError:
        raise ArticleError(path, "cannot read the file (permission denied); check its permissions") from None
    except OSError as err:
        raise ArticleError(path, f"cannot read the file ({err.strerror or err}); check the path") from None
    if stat.S_ISDIR(info.st_mode):
        raise ArticleError(path, "is a directory, not a file; pass a file (find_articles lists a folder)")
    _check_regular(path, info)
    try:
        handle = open(os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)), "rb")  # a FIFO put there since: no wait
    except PermissionError:
        raise ArticleError(path, "cannot read the file (permission denied); check its permissions") from None
    except OSError as err:
        raise ArticleError(path, f"cannot read the file ({err.strerror or err}); check the path") from None
    with handle:
        try:
            _check_regular(path, os.fstat(handle.fileno()))  # what was opened, whatever the name points to now
            data = handle.read(MAX_ARTICLE_BYTES + 1)
        except OSError as err:
            raise ArticleError(path, f"cannot read the file ({err.strerror or err}); check the path") from None
    if len(data) > MAX_ARTICLE_BYTES:
        _refuse_size(path, len(data))
    return data


_SPECIAL_FILES = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


def _check_regular(path: Path, info: os.stat_result) -> None:
    """An ArticleError unless `info` is a regular file of at most MAX_ARTICLE_BYTES."""
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _SPECIAL_FILES if test(info.st_mode)), "a special file")
        raise ArticleError(path, f"is {kind}, not a regular file; pass article files (it is not read)")
    if info.st_size > MAX_ARTICLE_BYTES:
        _refuse_size(path, info.st_size)


def _refuse_size(path: Path, size: int) -> None:
    raise ArticleError(
        path, f"{size:,} bytes or more; an article file may have at most {MAX_ARTICLE_BYTES:,} ({MAX_ARTICLE_BYTES // 2**20} MiB); split it into articles"
    )


def find_articles(path, *, skip=None) -> list[Path]:
    """A file -> [it]; a directory -> every article file below it (recursive, sorted, hidden ones skipped).
    `skip`: a folder not to walk into, e.g. the output folder (what is in it are outputs, not articles)."""
    root = Path(path)
    try:
        is_dir = root.is_dir()
        exists = is_dir or root.exists()
    except PermissionError:
        raise ArticleError(root, "cannot read this path (permission denied); check its permissions") from None
    if not exists:
        raise ArticleError(root, "no such file or directory; check the path")
    if not is_dir:
        try:
            _check_regular(root, root.stat())
        except OSError as err:
            raise ArticleError(root, f"cannot read this path ({err.strerror or err}); check it") from None
        return [root]
    found = sorted(f for f in _walk_files(root, _identity(skip)) if f.suffix.lower() in ARTICLE_SUFFIXES)
    if not found:
        raise ArticleError(root, "no .txt/.md/.html articles found; put article files in this folder")
    return found


def _identity(folder) -> tuple[int, int] | None:
    """(device, inode) of an existing folder, whatever path names it; None for none."""
    try:
        info = os.stat(folder) if folder is not None else None
    except OSError:
        return None
    return (info.st_dev, info.st_ino) if info is not None else None


def _walk_files(root: Path, skip: tuple[int, int] | None = None):
    for folder, subfolders, files in os.walk(root, onerror=_raise_unreadable):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith(".") and (skip is None or _identity(Path(folder, name)) != skip))
        for name in files:
            if not name.startswith("."):
                yield Path(folder, name)


def _raise_unreadable(err: OSError) -> None:
    raise ArticleError(err.filename, f"cannot read this folder ({err.strerror}); check its permissions")
