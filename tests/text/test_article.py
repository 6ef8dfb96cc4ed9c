"""Tests for summarizer.text.article: decoding, cleaning, metadata and file discovery."""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import pickle
import unicodedata
from pathlib import Path

import pytest
from conftest import GOLD, SEEDS
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.text.article import (
    ARTICLE_SUFFIXES,
    MAX_ARTICLE_CHARS,
    Article,
    ArticleError,
    ArticleMeta,
    article_from_text,
    clean_text,
    decode,
    find_articles,
    html_to_text,
    load_article,
    looks_like_html,
    parse_meta,
)

SEED_FILES = sorted(SEEDS.glob("*.txt"))
SEED_IDS = [path.stem for path in SEED_FILES]

needs_gold = pytest.mark.skipif(not GOLD.is_dir(), reason=f"gold folder {GOLD} is absent")

MARKERS = ("Chia sẻ bài viết", "BÌNH LUẬN", "Các tin khác", "VĂN BẢN MỚI", "THĂM DÒ Ý KIẾN", "Tin liên quan", "Bình luận", "Đọc tiếp", "Xem thêm")


def _gold(seed_id: str) -> dict:
    return json.loads((GOLD / f"{seed_id}.json").read_text(encoding="utf-8"))


def test_there_are_five_seeds():
    assert len(SEED_FILES) == 5


# --------------------------------------------------------------------------- seeds against gold


@needs_gold
@pytest.mark.parametrize("seed_id", SEED_IDS)
def test_seed_meta_matches_gold(seed_id):
    meta = load_article(SEEDS / f"{seed_id}.txt").meta
    gold = _gold(seed_id)["meta"]
    assert meta.title == gold["title"]
    assert meta.published == gold["published"]
    assert meta.author == gold["author"]
    assert meta.source == gold.get("source")


@needs_gold
@pytest.mark.parametrize("seed_id", SEED_IDS)
def test_every_gold_quote_survives_cleaning(seed_id):
    text = load_article(SEEDS / f"{seed_id}.txt").text
    quotes = [fact["quote"] for fact in _gold(seed_id)["facts"]]
    assert quotes
    missing = [quote for quote in quotes if quote not in text]
    assert missing == []


@pytest.mark.parametrize(
    "seed_id, time",
    [
        ("000_25d47c26562bab5c", "07:29"),
        ("001_ec4d3e1a54c06ea6", "17:15"),
        ("002_e3ece47872f8ab9d", "10:45"),
        ("003_78463087fb1616f8", "14:32"),
        ("004_274524fc001e6b42", "07:20"),
    ],
)
def test_seed_published_time(seed_id, time):
    assert load_article(SEEDS / f"{seed_id}.txt").meta.published_time == time


@pytest.mark.parametrize("path", SEED_FILES, ids=SEED_IDS)
def test_seed_boilerplate_is_gone(path):
    text = load_article(path).text
    lines = text.split("\n\n")
    keys = {marker.casefold() for marker in MARKERS}
    assert [line for line in lines if line.casefold() in keys] == []
    for junk in ("Chia sẻ bài viết", "BÌNH LUẬN", "Các tin khác", "VĂN BẢN MỚI", "THĂM DÒ Ý KIẾN", "người đã tham gia bình chọn", "Chi tiết tin"):
        assert junk not in text
    assert "." not in lines


@pytest.mark.parametrize("path", SEED_FILES, ids=SEED_IDS)
def test_seed_text_shape(path):
    article = load_article(path)
    text = article.text
    assert article.id == path.stem
    assert article.path == str(path)
    assert article.content_hash == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert unicodedata.is_normalized("NFC", text)
    assert "\n\n\n" not in text and not text.startswith("\n") and not text.endswith("\n")
    for paragraph in text.split("\n\n"):
        assert paragraph == paragraph.strip()
        assert "\n" not in paragraph and "  " not in paragraph and "\xa0" not in paragraph
        assert paragraph  # no empty paragraph


def test_seed_bylines_and_titles_stay_in_text():
    text = load_article(SEEDS / "003_78463087fb1616f8.txt").text
    assert text.startswith("16/06/2024 - 14:32\n\nPhường Tân Lộc chú trọng thực hiện khâu then chốt\n\n")
    assert text.endswith("\n\nBài, ảnh: ANH DŨNG")
    text = load_article(SEEDS / "001_ec4d3e1a54c06ea6.txt").text
    assert text.startswith("Xây dựng Đảng bộ Phường 5, thành phố Đông Hà trong sạch, vững mạnh\n\n")
    assert text.endswith("\n\nNguồn: Báo Quảng Trị; Tác giả: Vũ Hoàng")


@pytest.mark.parametrize(
    "seed_id, caption",
    [
        ("002_e3ece47872f8ab9d", "Trung tâm Văn hóa phường Mỏ Chè được đầu tư xây mới với kinh phí gần 9 tỷ đồng."),
        ("004_274524fc001e6b42", "Một góc phường 1 bên bờ sông Tiền."),
    ],
)
def test_repeated_photo_caption_kept_once(seed_id, caption):
    raw = (SEEDS / f"{seed_id}.txt").read_text(encoding="utf-8")
    assert raw.count(caption) == 2
    assert load_article(SEEDS / f"{seed_id}.txt").text.count(caption) == 1


@pytest.mark.parametrize("path", SEED_FILES, ids=SEED_IDS)
def test_seed_cleaning_is_idempotent_and_nfd_safe(path):
    raw = path.read_text(encoding="utf-8")
    cleaned = clean_text(raw)
    assert clean_text(cleaned) == cleaned
    assert clean_text(unicodedata.normalize("NFD", raw)) == cleaned
    assert parse_meta(cleaned) == load_article(path).meta


def test_article_from_text_matches_load_article():
    path = SEED_FILES[0]
    loaded = load_article(path)
    given_text = article_from_text(path.read_text(encoding="utf-8"), id="x")
    assert given_text.text == loaded.text
    assert given_text.meta == loaded.meta
    assert given_text.content_hash == loaded.content_hash
    assert given_text.id == "x"


# --------------------------------------------------------------------------- cleaning properties

_LINE_PIECES = st.one_of(
    st.sampled_from(MARKERS + (".", "", " ", "\t", "\xa0", "Chi tiết tin - Phường 5 - Đông Hà", "Trang chủ > Tin tức", "Tường Vy", "A", "A")),
    st.text(alphabet="aăâeêoôơuưyĐđ \t\xa0.\u0301\u0300\u0323\u0309\u0303\ufeff\u200b12:/-", max_size=30),
)
_LINE_BREAKS = st.sampled_from(["\n", "\n\n", "\r\n", "\r", "\n \n", "\u2028"])


@st.composite
def article_like_text(draw) -> str:
    lines = draw(st.lists(_LINE_PIECES, max_size=12))
    breaks = [draw(_LINE_BREAKS) for _ in lines]
    return "".join(line + brk for line, brk in zip(lines, breaks))


@settings(max_examples=300, deadline=None)
@given(article_like_text())
def test_clean_text_is_idempotent_on_article_like_text(raw):
    once = clean_text(raw)
    assert clean_text(once) == once


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_clean_text_is_idempotent_on_any_text(raw):
    once = clean_text(raw)
    assert clean_text(once) == once
    assert unicodedata.is_normalized("NFC", once)


@settings(max_examples=200, deadline=None)
@given(article_like_text())
def test_nfd_input_cleans_like_nfc_input(raw):
    nfc = unicodedata.normalize("NFC", raw)
    nfd = unicodedata.normalize("NFD", raw)
    assert clean_text(nfd) == clean_text(nfc)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="<>/p &;nbsp<br>divh1 ab\n"))
def test_html_cleaning_never_crashes_and_is_stable(raw):
    once = clean_text(raw, is_html=True)
    assert clean_text(once) == once


def test_clean_text_basics():
    raw = "Tiêu đề\r\n\r\n  Một   đoạn\t văn\xa0bản.  \n.\n\nĐoạn hai.\nĐoạn hai.\n\nXem thêm\nTin khác"
    assert clean_text(raw) == "Tiêu đề\n\nMột đoạn văn bản.\n\nĐoạn hai."


def test_marker_matches_whole_line_only_case_insensitively():
    raw = "Tiêu đề bài\n\nBình luận của bạn đọc về vấn đề này rất sôi nổi.\n\nbình luận\n\nrác"
    assert clean_text(raw) == "Tiêu đề bài\n\nBình luận của bạn đọc về vấn đề này rất sôi nổi."


def test_leading_breadcrumbs_are_dropped_but_not_later_lines():
    raw = "Trang chủ > Thời sự > Xây dựng Đảng\n\nTiêu đề bài\n\nChi tiết tin - không phải đầu bài"
    assert clean_text(raw) == "Tiêu đề bài\n\nChi tiết tin - không phải đầu bài"


# --------------------------------------------------------------------------- HTML

PAGE = """<!DOCTYPE html>
<html><head><title>Tiêu đề - Báo Tỉnh</title>
<style>p { color: red }</style>
<script>var tracking = "Đừng lấy dòng này";</script></head>
<body>
<header><a href="/">Trang chủ</a></header>
<nav><ul><li>Thời sự</li><li>Kinh tế</li></ul></nav>
<!-- quảng cáo ở đây -->
<article>
  <h1>Đảng bộ phường 7 vững mạnh</h1>
  <p>Đoạn&nbsp;một   có <b>chữ đậm</b>
     và xuống dòng.</p>
  <script>alert("không")</script>
  <p>Đoạn hai.<br>Dòng sau br.</p>
</article>
<aside>Tin đọc nhiều</aside>
<footer>Bản quyền</footer>
</body></html>"""


def test_html_page_yields_only_article_paragraphs():
    assert html_to_text(PAGE) == ("Đảng bộ phường 7 vững mạnh\n\nĐoạn một có chữ đậm và xuống dòng.\n\nĐoạn hai.\n\nDòng sau br.")


def test_html_file_is_loaded_through_the_parser(tmp_path):
    path = tmp_path / "trang.html"
    path.write_text(PAGE, encoding="utf-8")
    article = load_article(path)
    assert article.text == ("Đảng bộ phường 7 vững mạnh\n\nĐoạn một có chữ đậm và xuống dòng.\n\nĐoạn hai.\n\nDòng sau br.")
    assert article.meta.title == "Đảng bộ phường 7 vững mạnh"
    for junk in ("tracking", "Thời sự", "quảng cáo", "alert", "Tin đọc nhiều", "Bản quyền", "Trang chủ", "<"):
        assert junk not in article.text


def test_html_without_article_uses_body_minus_chrome_and_title_first():
    page = (
        "<html><head><title>Tin phường 9</title></head><body><header>Logo</header>"
        "<div><p>Nội dung &amp; chi tiết.</p></div><table><tr><td>a</td><td>b</td></tr></table>"
        "<footer>Liên hệ</footer></body></html>"
    )
    assert html_to_text(page) == "Tin phường 9\n\nNội dung & chi tiết.\n\na b"


def test_html_site_logo_h1_in_page_header_is_not_the_headline():
    page = "<html><head><title>Tin phường 9</title></head><body><header><h1>Báo Tỉnh</h1></header><div><p>Nội dung chính.</p></div></body></html>"
    assert html_to_text(page) == "Tin phường 9\n\nNội dung chính."


def test_html_entities_for_decomposed_letters_are_normalised():
    page = "<html><body><p>Đa\u0309ng bo\u0323\u0302</p><p>x&#769;</p></body></html>"
    cleaned = clean_text(page, is_html=True)
    assert cleaned == "Đảng bộ\n\nx\u0301"  # no precomposed x-acute exists, so the mark stays separate
    assert unicodedata.is_normalized("NFC", cleaned)


@pytest.mark.parametrize(
    "raw, suffix, expected",
    [
        ("<p>x</p>", ".html", True),
        ("<p>x</p>", ".htm", True),
        ("plain text", ".html", False),
        ("<!DOCTYPE html><p>x</p>", ".txt", True),
        ("  <html><body>x", "", True),
        ("a < b and <br> in markdown", ".md", False),
        ("plain", ".txt", False),
    ],
)
def test_looks_like_html(raw, suffix, expected):
    assert looks_like_html(raw, suffix) is expected


# --------------------------------------------------------------------------- metadata


@pytest.mark.parametrize(
    "dateline, date, time, author",
    [
        ("26/12/2014 - 07:29", "2014-12-26", "07:29", None),
        ("17:15, Thứ Năm, 23-11-2023", "2023-11-23", "17:15", None),
        ("Quỳnh Mai 10:45, 17/01/2023", "2023-01-17", "10:45", "Quỳnh Mai"),
        ("16/06/2024 - 14:32", "2024-06-16", "14:32", None),
        ("Thứ Năm, 14/05/2020, 07:20 (GMT+7)", "2020-05-14", "07:20", None),
        ("Cập nhật: 2021-03-09", "2021-03-09", None, None),
    ],
)
def test_dateline_layouts(dateline, date, time, author):
    meta = parse_meta(f"Tiêu đề bài báo\n\n{dateline}\n\nThân bài có một câu dài kết thúc bằng dấu chấm.")
    assert (meta.title, meta.published, meta.published_time, meta.author) == ("Tiêu đề bài báo", date, time, author)


def test_date_in_body_is_not_a_dateline():
    meta = parse_meta("Tiêu đề bài báo\n\nThực hiện Quy định số 69 ngày 6/7/2022 của Bộ Chính trị.\n\nTường Vy")
    assert meta.published is None
    assert meta.author == "Tường Vy"


@pytest.mark.parametrize("impossible", ["31/02/2023 - 07:29", "00/12/2014", "12/13/2020", "29/02/2023"])
def test_impossible_dates_are_rejected(impossible):
    assert parse_meta(f"Tiêu đề bài báo\n\n{impossible}\n\nThân bài.").published is None


def test_leap_day_and_bad_time():
    meta = parse_meta("Tiêu đề bài báo\n\n29/02/2024 - 25:61\n\nThân bài.")
    assert (meta.published, meta.published_time) == ("2024-02-29", None)


def test_title_after_date_and_dot_line():
    raw = "Thứ Năm, 14/05/2020, 07:20 (GMT+7)\n.\n\nĐảng bộ phường 1 (TP. Mỹ Tho): Dấu ấn\n\nThân bài."
    assert parse_meta(clean_text(raw)).title == "Đảng bộ phường 1 (TP. Mỹ Tho): Dấu ấn"


def test_no_title_when_text_starts_with_body():
    meta = parse_meta("Thân bài bắt đầu ngay với một câu hoàn chỉnh.\n\nCâu ngắn không chấm")
    assert meta.title is None


@pytest.mark.parametrize(
    "last_line, author, source",
    [
        ("Tường Vy", "Tường Vy", None),
        ("Bài, ảnh: ANH DŨNG", "Anh Dũng", None),
        ("Bài và ảnh: Nguyễn Văn An", "Nguyễn Văn An", None),
        ("Tác giả: Vũ Hoàng", "Vũ Hoàng", None),
        ("Ảnh: TRẦN THỊ MAI", "Trần Thị Mai", None),
        ("LÊ HỒNG LÂM", "Lê Hồng Lâm", None),
        ("Nguồn: Báo Quảng Trị; Tác giả: Vũ Hoàng", "Vũ Hoàng", "Báo Quảng Trị"),
        ("Nguồn: Báo Cần Thơ", None, "Báo Cần Thơ"),
        ("Xem chi tiết tại đây", None, None),  # lower-case words: not a name
        ("Năm 2024 Tăng Trưởng", None, None),  # digits: not a name
        ("Đảng Bộ Phường Sáu Vững Mạnh", None, None),  # six words: too long for a name
        ("Kết thúc bằng Dấu Chấm.", None, None),
    ],
)
def test_byline_forms(last_line, author, source):
    meta = parse_meta(f"Tiêu đề bài báo\n\n26/12/2014 - 07:29\n\nThân bài có câu dài.\n\n{last_line}")
    assert (meta.author, meta.source) == (author, source)


def test_parse_meta_of_empty_text():
    assert parse_meta("") == ArticleMeta(None, None, None, None, None)


# --------------------------------------------------------------------------- bad input


def _assert_one_line_naming(err: ArticleError, name: str) -> str:
    message = str(err)
    assert "\n" not in message and "\r" not in message
    assert name in message
    assert message.startswith(err.path + ": ")
    assert message == f"{err.path}: {err.problem}"
    return message


CP1258_BYTES = b"\xd0a\xd2ng b\xf4\xf2 ph\xfd\xf5\xccng"  # "Đảng bộ phường" saved as Windows-1258


def test_cp1258_sample_really_is_vietnamese():
    assert unicodedata.normalize("NFC", CP1258_BYTES.decode("cp1258")) == "Đảng bộ phường"


@pytest.mark.parametrize(
    "name, data, problem",
    [
        ("rong.txt", b"", "empty file"),
        ("trang.txt", b"  \n\t\r\n \xc2\xa0 \n", "only whitespace"),
        ("anh.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file, not an article"),
        ("latin1.txt", "Tiêu: café déjà vu".encode("latin-1"), "not UTF-8 text (byte 0xEA at offset 2)"),
        ("cp1258.txt", CP1258_BYTES, "not UTF-8 text (byte 0xD0 at offset 0); re-save it as UTF-8"),
        ("utf16.txt", "Đảng bộ".encode("utf-16") + b"\x00", "UTF-16"),  # an odd byte: not whole UTF-16
        ("chi-boilerplate.txt", "Chia sẻ bài viết\n\nBÌNH LUẬN\n\nXem thêm\n".encode(), "only boilerplate"),
        ("dots.txt", b".\n.\n.\n", "only boilerplate"),
    ],
)
def test_bad_files_raise_one_line_article_error(tmp_path, name, data, problem):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ArticleError) as caught:
        load_article(path)
    message = _assert_one_line_naming(caught.value, name)
    assert problem in message
    assert caught.value.path == str(path)


def test_missing_path(tmp_path):
    missing = tmp_path / "khong-co.txt"
    with pytest.raises(ArticleError) as caught:
        load_article(missing)
    assert "no such file" in _assert_one_line_naming(caught.value, "khong-co.txt")
    with pytest.raises(ArticleError) as caught:
        find_articles(missing)
    assert "no such file" in _assert_one_line_naming(caught.value, "khong-co.txt")


def test_directory_is_not_an_article(tmp_path):
    folder = tmp_path / "thu-muc"
    folder.mkdir()
    with pytest.raises(ArticleError) as caught:
        load_article(folder)
    assert "directory" in _assert_one_line_naming(caught.value, "thu-muc")


def test_directory_without_articles(tmp_path):
    folder = tmp_path / "kho"
    (folder / "con").mkdir(parents=True)
    (folder / "anh.png").write_bytes(b"\x89PNG")
    (folder / "con" / "ghi-chu.json").write_text("{}")
    (folder / ".an.txt").write_text("ẩn")
    with pytest.raises(ArticleError) as caught:
        find_articles(folder)
    assert "no .txt/.md/.html articles found" in _assert_one_line_naming(caught.value, "kho")


def test_unreadable_file_simulated(tmp_path, monkeypatch):
    """Simulated fault: opening this one file is denied (as root, a mode of 000 would not stop the read)."""
    path = tmp_path / "khoa.txt"
    path.write_text("Tiêu đề\n\nThân bài.", encoding="utf-8")
    real_open = os.open

    def denied(file, *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(ArticleError) as caught:
        load_article(path)
    assert "permission denied" in _assert_one_line_naming(caught.value, "khoa.txt")


def test_unreadable_folder(tmp_path, monkeypatch):
    folder = tmp_path / "khoa"
    folder.mkdir()
    (folder / "a.txt").write_text("x")

    def denied(path):
        raise PermissionError(13, "Permission denied", os.fspath(path))

    monkeypatch.setattr(os, "scandir", denied)
    with pytest.raises(ArticleError) as caught:
        find_articles(folder)
    assert "Permission denied" in _assert_one_line_naming(caught.value, "khoa")


def test_decode_accepts_utf8_bom_and_reports_offset_after_it():
    assert decode("\ufeffĐảng bộ".encode("utf-8"), "x.txt") == "Đảng bộ"
    with pytest.raises(ArticleError) as caught:
        decode(b"\xef\xbb\xbfabc\xff", "x.txt")
    assert str(caught.value) == "x.txt: not UTF-8 text (byte 0xFF at offset 6); re-save it as UTF-8"


def test_article_error_keeps_fields_pickles_and_stays_one_line():
    err = ArticleError(Path("a/b.txt"), "line one\nline two")
    assert (err.path, err.problem) == (str(Path("a/b.txt")), "line one\nline two")
    assert str(err) == f"{Path('a/b.txt')}: line one line two"
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err)


def test_article_from_text_errors():
    with pytest.raises(ArticleError) as caught:
        article_from_text("   \n ", id="rong")
    _assert_one_line_naming(caught.value, "rong")
    with pytest.raises(ArticleError) as caught:
        article_from_text("Chia sẻ bài viết\nBình luận", id="rac")
    assert "only boilerplate" in _assert_one_line_naming(caught.value, "rac")


def test_good_file_with_bom_and_crlf(tmp_path):
    path = tmp_path / "bai.md"
    path.write_bytes("\ufeffTiêu đề bài\r\n\r\n10/03/2021\r\nThân bài.\r\n".encode("utf-8"))
    article = load_article(path)
    assert isinstance(article, Article)
    assert article.text == "Tiêu đề bài\n\n10/03/2021\n\nThân bài."
    assert (article.id, article.meta.title, article.meta.published) == ("bai", "Tiêu đề bài", "2021-03-10")


# --------------------------------------------------------------------------- finding files


def test_find_articles_recursive_sorted_and_filtered(tmp_path):
    for relative in ("b.txt", "a.md", "sub/c.html", "sub/deeper/d.HTM", "sub/e.json", "notes.pdf", ".hidden/f.txt", "sub/.g.txt"):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    found = find_articles(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.md", "b.txt", "sub/c.html", "sub/deeper/d.HTM"]
    assert all(p.suffix.lower() in ARTICLE_SUFFIXES for p in found)


def test_find_articles_on_a_file_returns_it(tmp_path):
    path = tmp_path / "mot.txt"
    path.write_text("x")
    assert find_articles(path) == [path]
    assert find_articles(str(path)) == [path]


def test_find_articles_on_the_seeds():
    assert find_articles(SEEDS) == SEED_FILES


def test_utf16_with_bom_is_read(tmp_path):
    seed = SEEDS / "000_25d47c26562bab5c.txt"
    for encoding in ("utf-16", "utf-16-be"):
        path = tmp_path / f"{encoding}.txt"
        data = seed.read_text(encoding="utf-8").encode(encoding)
        path.write_bytes(data if encoding == "utf-16" else codecs.BOM_UTF16_BE + data)
        assert load_article(path).text == load_article(seed).text


@pytest.mark.parametrize("shape", ["paragraphs", "one line"])
def test_a_document_over_the_ceiling_is_refused_naming_the_setting(tmp_path, shape):
    sentence = "Đảng bộ phường có 327 đảng viên và 8 chi bộ. "
    paragraphs = "".join(f"Đoạn {i}. " + sentence * 25 + "\n\n" for i in range(1000))  # distinct: repeats are dropped
    body = paragraphs if shape == "paragraphs" else sentence * 9500  # ~1.1 MB, or one line of ~430,000 characters
    path = tmp_path / "long.txt"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ArticleError) as raised:
        load_article(path)
    message = str(raised.value)
    assert "long.txt" in message and f"{MAX_ARTICLE_CHARS:,}" in message and "--max-chars" in message and "\n" not in message


def test_max_chars_sets_the_ceiling(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text("Đảng bộ phường có 327 đảng viên và 8 chi bộ. " * 100, encoding="utf-8")
    assert len(load_article(path).text) > 4000
    with pytest.raises(ArticleError, match="the limit is 4,000"):
        load_article(path, max_chars=4000)
