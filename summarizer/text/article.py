"""Loading articles from disk: decoding, cleaning to plain NFC text, and deterministic metadata."""

from __future__ import annotations

import codecs
import datetime
import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser, LexborNode

from summarizer.config import MAX_ARTICLE_CHARS
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
class Article:
    id: str  # file stem
    path: str
    text: str  # cleaned text: NFC, paragraphs separated by one blank line
    meta: ArticleMeta
    content_hash: str  # sha256 hex of text


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
    tree = LexborHTMLParser(html)
    content = _main_content(tree)
    if content is None:
        return ""
    skip = _SKIP_TAGS if content.tag in ("article", "main") else _SKIP_TAGS | _CHROME_TAGS
    parts: list[str] = []
    _collect_text(content, skip, parts)
    lines = [line.strip() for line in "".join(parts).split("\n")]
    lines = [line for line in lines if line]
    # The article's own <h1> is already among the first lines; without one, <title> goes first.
    has_headline = any(_node_text(h1) in lines[:5] for h1 in content.css("h1"))
    title = _node_text(tree.css_first("title"))
    if not has_headline and title and title not in lines[:5]:
        lines.insert(0, title)
    return "\n\n".join(lines)


def _main_content(tree: LexborHTMLParser) -> LexborNode | None:
    """The longest <article>, else the longest <main>, else <body>."""
    for selector in ("article", "main"):
        candidates = tree.css(selector)
        if candidates:
            return max(candidates, key=lambda node: len(node.text()))
    return tree.body or tree.root


def _collect_text(node: LexborNode, skip: frozenset[str], parts: list[str]) -> None:
    child = node.child
    while child is not None:
        if child.is_text_node:
            parts.append(re.sub(r"\s+", " ", child.text_content or ""))
        elif child.is_element_node and child.tag not in skip:
            if child.tag == "br":
                parts.append("\n")
            elif child.tag in _BLOCK_TAGS:
                parts.append("\n")
                _collect_text(child, skip, parts)
                parts.append("\n")
            else:
                if child.tag in _CELL_TAGS:
                    parts.append(" ")
                _collect_text(child, skip, parts)
        # comments and other node kinds carry no article text
        child = child.next


def _node_text(node: LexborNode | None) -> str:
    if node is None:
        return ""
    return " ".join(node.text(deep=True).split())


# --------------------------------------------------------------------------- cleaning

# A line equal to one of these (case-insensitive) starts the site's trailing boilerplate.
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

_INVISIBLE = re.compile("[\ufeff\u200b]")  # BOM / zero-width space anywhere in the text
_NEWLINES = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")

_BREADCRUMB_START = re.compile(r"^(chi tiết tin|trang chủ|trang nhất|home)\s*([-–›»>|/:]|$)", re.IGNORECASE)
_BREADCRUMB_TRAIL = re.compile(r"^[^.!?]{1,60}(\s[›»>]\s[^.!?]{1,60})+$")


def clean_text(raw: str, *, is_html: bool = False) -> str:
    """NFC plain text, one paragraph per line, separated by a blank line; site boilerplate removed."""
    text = html_to_text(raw) if is_html else raw
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = _NEWLINES.sub("\n", text)
    lines = [" ".join(line.split()) for line in text.split("\n")]  # spaces, tabs, nbsp... as one space; none at the ends
    lines = [line for line in lines if not _is_noise(line)]
    lines = _cut_boilerplate(lines)
    lines = _drop_leading_breadcrumbs(lines)
    lines = _drop_repeated_lines(lines)
    return "\n\n".join(lines)


def _is_noise(line: str) -> bool:
    """Blank lines and lines with no letter or digit at all ('.', '...', '***')."""
    return not any(ch.isalnum() for ch in line)


def _is_boilerplate_marker(line: str) -> bool:
    return line.rstrip(" :").casefold() in _MARKER_KEYS


def _cut_boilerplate(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if _is_boilerplate_marker(line):
            return lines[:index]
    return lines


def _is_breadcrumb(line: str) -> bool:
    if len(line) > 150:
        return False
    return bool(_BREADCRUMB_START.match(line) or _BREADCRUMB_TRAIL.match(line))


def _drop_leading_breadcrumbs(lines: list[str]) -> list[str]:
    start = 0
    while start < len(lines) and _is_breadcrumb(lines[start]):
        start += 1
    return lines[start:]


def _drop_repeated_lines(lines: list[str]) -> list[str]:
    """Drop a line equal to the one before it (scraped photo captions come twice)."""
    kept: list[str] = []
    for line in lines:
        if not kept or kept[-1] != line:
            kept.append(line)
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
    """An .html/.htm file with tags in it, or any text that opens like an HTML document."""
    if not re.search(r"<[A-Za-z!/]", raw):
        return False
    if suffix.lower() in (".html", ".htm"):
        return True
    opening = raw.lstrip("\ufeff \t\r\n")[:100].lower()
    return opening.startswith(("<!doctype html", "<html"))


def load_article(path) -> Article:
    """Read, decode, clean and parse one article file; ArticleError when it cannot be used."""
    path = Path(path)
    data = _read_bytes(path)
    if not data:
        raise ArticleError(path, "empty file; put the article text in it or remove it")
    raw = decode(data, path)
    if not raw.strip():
        raise ArticleError(path, "only whitespace, no text; put the article text in it or remove it")
    return _build_article(raw, id=path.stem, path=str(path), is_html=looks_like_html(raw, path.suffix))


def article_from_text(text: str, *, id: str = "article", is_html: bool | None = None) -> Article:
    """The same cleaning and metadata as load_article, for text already in memory."""
    if not text.strip():
        raise ArticleError(id, "empty text; pass the article text")
    if is_html is None:
        is_html = looks_like_html(text, "")
    return _build_article(text, id=id, path="<memory>", is_html=is_html)


def _build_article(raw: str, *, id: str, path: str, is_html: bool) -> Article:
    text = clean_text(raw, is_html=is_html)
    where = path if path != "<memory>" else id
    if not text:
        raise ArticleError(where, "no article text left after cleaning (only boilerplate); check that this is an article")
    if len(text) > MAX_ARTICLE_CHARS:
        raise ArticleError(
            where,
            f"{len(text):,} characters of text after cleaning; the limit is {MAX_ARTICLE_CHARS:,} (what fits the embedded "
            "model's context with the instructions and the answer); split it into articles",
        )
    return Article(
        id=id,
        path=path,
        text=text,
        meta=parse_meta(text),
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise ArticleError(path, "no such file; check the path")
    if path.is_dir():
        raise ArticleError(path, "is a directory, not a file; pass a file (find_articles lists a folder)")
    try:
        return path.read_bytes()
    except PermissionError:
        raise ArticleError(path, "cannot read the file (permission denied); check its permissions") from None
    except OSError as err:
        raise ArticleError(path, f"cannot read the file ({err.strerror or err}); check the path") from None


def find_articles(path) -> list[Path]:
    """A file -> [it]; a directory -> every article file below it (recursive, sorted, hidden ones skipped)."""
    root = Path(path)
    try:
        is_dir = root.is_dir()
        exists = is_dir or root.exists()
    except PermissionError:
        raise ArticleError(root, "cannot read this path (permission denied); check its permissions") from None
    if not exists:
        raise ArticleError(root, "no such file or directory; check the path")
    if not is_dir:
        return [root]
    found = sorted(f for f in _walk_files(root) if f.suffix.lower() in ARTICLE_SUFFIXES)
    if not found:
        raise ArticleError(root, "no .txt/.md/.html articles found; put article files in this folder")
    return found


def _walk_files(root: Path):
    for folder, subfolders, files in os.walk(root, onerror=_raise_unreadable):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in files:
            if not name.startswith("."):
                yield Path(folder, name)


def _raise_unreadable(err: OSError) -> None:
    raise ArticleError(err.filename, f"cannot read this folder ({err.strerror}); check its permissions")
