"""Cleaning (issue 17, items 14 and 15): HTML found by content whatever the suffix, a boilerplate marker that cuts
only trailing boilerplate, and everything cleaning removes counted in `Article.dropped`.

The cleaned text of every article a cassette was recorded on is pinned by its sha256: a change to cleaning that
moves one byte of them would silently invalidate the recorded briefs.
"""

from __future__ import annotations

import hashlib

import pytest
from conftest import ROOT, SEEDS
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.text.article import (
    CUT_WARNING_SHARE,
    Dropped,
    article_from_text,
    clean_article_text,
    clean_text,
    cut_warning,
    load_article,
    looks_like_html,
)

# sha256 of load_article(path).text, computed with the cleaning as it was before issue 17 (items 14, 15).
PINNED = {
    "seeds/000_25d47c26562bab5c.txt": "048771662c896ef9a8130f81fbf22cf9406eb32f2fe402506cae983074f2b4b5",
    "seeds/001_ec4d3e1a54c06ea6.txt": "b258a9ead7138e36909647bf742d5b4ca6961f77d99c94401fa7f6f54bd9aaeb",
    "seeds/002_e3ece47872f8ab9d.txt": "d98b57239872767b7202818206960cdb2e58a0378a76687dd1d668c72ec2cdf7",
    "seeds/003_78463087fb1616f8.txt": "15ae74964feee14ca6824cb36463771501722a7d7fc8946017be417977de03ed",
    "seeds/004_274524fc001e6b42.txt": "a16adbf016ba1366400b33c59879b8e70685f61d97a94bdabf8bb8da012ee875",
    "tests/english/ward_5_party_committee.txt": "fc3680ae23f4a57a9d76463b7963494c391b5dd9f88bf4993338cb7da52a7d41",
    "tests/injection/en_fake_turns_and_json.txt": "b15912a27a85441c2cc4ad2f8c875bb401971de4449250aaa6cce6144f70659e",
    "tests/injection/vi_ignore_instructions.txt": "cc265bf35e7a6c3fa73ad58d6474dbbe017eb871fa26abf261160d6932a53853",
}


def test_every_recorded_article_is_pinned():
    on_disk = {str(path.relative_to(ROOT)) for folder in (SEEDS, ROOT / "tests" / "english", ROOT / "tests" / "injection") for path in folder.glob("*.txt")}
    assert on_disk == set(PINNED)


@pytest.mark.parametrize("relative", sorted(PINNED))
def test_cleaned_text_of_recorded_articles_is_unchanged(relative):
    text = load_article(ROOT / relative).text
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == PINNED[relative]


# --------------------------------------------------------------------------- item 14: HTML found by content

SEED_000 = SEEDS / "000_25d47c26562bab5c.txt"


def _seed_paragraphs(path) -> list[str]:
    return load_article(path).text.split("\n\n")


# A scraped article container saved as .txt: no doctype, classes, a figure, entities, share buttons, related links.
FRAGMENT = """<div class="article-header">
  <h1 class="title">Đảng bộ phường Mỏ Chè&nbsp;liên tục hoàn thành xuất sắc nhiệm vụ</h1>
  <div class="meta"><span class="author">Quỳnh Mai</span> <span class="time">10:45, 17/01/2023</span></div>
</div>
<div class="article-body" id="content">
  <p class="sapo"><strong>Nhiều năm qua, Đảng bộ phường Mỏ Chè (TP. Sông Công) liên tục đạt trong sạch, vững mạnh.</strong></p>
  <figure class="image"><img src="/uploads/2023/01/mo-che.jpg" alt="Trung tâm Văn hóa">
    <figcaption>Trung tâm Văn hóa phường Mỏ Chè được đầu tư xây mới với kinh phí gần 9&nbsp;tỷ đồng.</figcaption></figure>
  <p>Đảng bộ phường Mỏ Chè hiện có 528&nbsp;đảng viên, sinh hoạt ở 12 chi bộ. Năm qua, cấp ủy các cấp tập trung
  triển khai nhiệm vụ chính trị, thực hiện tốt công tác tuyên truyền &amp; giáo dục chính trị tư tưởng.</p>
  <p>Trong 6 năm, từ 2017-2022, Đảng bộ phường kết nạp được 91 quần chúng vào Đảng.</p>
  <p style="text-align:right"><strong>Quỳnh Mai</strong></p>
</div>
<div class="share-box">Chia sẻ bài viết <a href="https://facebook.com/sharer">Facebook</a> <a href="#">Zalo</a></div>
<div class="related"><h3>Tin liên quan</h3><ul>
  <li><a href="/xa-hoi/phuong-tan-loc.html">Phường Tân Lộc chú trọng thực hiện khâu then chốt</a></li>
  <li><a href="/xa-hoi/phuong-5.html">Xây dựng Đảng bộ Phường 5 trong sạch, vững mạnh</a></li>
</ul></div>
"""

FRAGMENT_TEXT = (
    "Đảng bộ phường Mỏ Chè liên tục hoàn thành xuất sắc nhiệm vụ\n\n"
    "Quỳnh Mai 10:45, 17/01/2023\n\n"
    "Nhiều năm qua, Đảng bộ phường Mỏ Chè (TP. Sông Công) liên tục đạt trong sạch, vững mạnh.\n\n"
    "Trung tâm Văn hóa phường Mỏ Chè được đầu tư xây mới với kinh phí gần 9 tỷ đồng.\n\n"
    "Đảng bộ phường Mỏ Chè hiện có 528 đảng viên, sinh hoạt ở 12 chi bộ. Năm qua, cấp ủy các cấp tập trung triển khai "
    "nhiệm vụ chính trị, thực hiện tốt công tác tuyên truyền & giáo dục chính trị tư tưởng.\n\n"
    "Trong 6 năm, từ 2017-2022, Đảng bộ phường kết nạp được 91 quần chúng vào Đảng.\n\n"
    "Quỳnh Mai"
)


@pytest.mark.parametrize("suffix", [".txt", ".md", ""])
def test_html_fragment_without_doctype_is_cleaned_as_html_whatever_the_suffix(tmp_path, suffix):
    assert looks_like_html(FRAGMENT, suffix)
    path = tmp_path / f"mo_che{suffix}"
    path.write_text(FRAGMENT, encoding="utf-8")
    article = load_article(path)
    assert article.text == FRAGMENT_TEXT
    assert article.meta.title == "Đảng bộ phường Mỏ Chè liên tục hoàn thành xuất sắc nhiệm vụ"
    assert (article.meta.published, article.meta.published_time, article.meta.author) == ("2023-01-17", "10:45", "Quỳnh Mai")
    for markup in ("<", ">", "&nbsp;", "&amp;", "class=", "Facebook", "Tin liên quan", "Tân Lộc"):
        assert markup not in article.text
    reasons = {d.why: d.chars for d in article.dropped}
    assert reasons["HTML markup"] > 500
    tail = ("Chia sẻ bài viết Facebook Zalo", "Tin liên quan", "Phường Tân Lộc chú trọng thực hiện khâu then chốt")
    tail += ("Xây dựng Đảng bộ Phường 5 trong sạch, vững mạnh",)
    assert reasons["boilerplate after 'Chia sẻ bài viết'"] == sum(map(len, tail))


def test_article_from_text_detects_an_html_fragment():
    assert article_from_text(FRAGMENT).text == FRAGMENT_TEXT


def test_fragment_whose_headline_is_in_its_own_header_keeps_it():
    page = (
        '<header class="article-header"><h1>Phường 6 đạt chuẩn văn minh đô thị</h1><p class="date">26/12/2014 - 07:29</p></header>\n'
        '<section class="body"><p>Đảng bộ Phường 6 hiện có 8 chi bộ với 327 đảng viên.</p>\n<p>Tường Vy</p></section>\n'
        "<footer>Bản quyền thuộc Báo Đồng Khởi</footer>"
    )
    article = article_from_text(page, id="x")
    assert article.text == "Phường 6 đạt chuẩn văn minh đô thị\n\n26/12/2014 - 07:29\n\nĐảng bộ Phường 6 hiện có 8 chi bộ với 327 đảng viên.\n\nTường Vy"
    assert article.meta.title == "Phường 6 đạt chuẩn văn minh đô thị"


def test_seed_written_as_paragraph_tags_cleans_like_the_plain_seed(tmp_path):
    """A long article in bare <p> tags (little markup for its length) is still HTML, and reads like the plain file."""
    paragraphs = _seed_paragraphs(SEED_000)
    page = f"<h1>{paragraphs[0]}</h1>\n" + "\n".join(f"<p>{p}</p>" for p in paragraphs[1:])
    path = tmp_path / "seed.txt"
    path.write_text(page, encoding="utf-8")
    assert load_article(path).text == load_article(SEED_000).text


@pytest.mark.parametrize(
    "plain",
    [
        "Tiêu đề bài\n\nTrong biểu thức a < b và b > c, không có thẻ nào.",
        "Tiêu đề bài\n\nBài báo được bọc trong <article> và kết thúc bằng </article> như một hàng rào.",
        "Tiêu đề bài\n\nDòng một<br>dòng hai, và một chữ <b>đậm</b> trong Markdown.",
        "Tiêu đề bài\n\nHướng dẫn: thẻ <p> mở một đoạn, thẻ <div> mở một khối, thẻ <h1> là tiêu đề.",
        "# Tiêu đề Markdown\n\nĐoạn <em>một</em>.\n\n<!-- ghi chú -->\n\nĐoạn hai <https://baoquangtri.vn>.",
    ],
)
def test_plain_text_that_mentions_tags_stays_plain(plain):
    assert not looks_like_html(plain, ".txt")
    assert not looks_like_html(plain, ".md")
    assert article_from_text(plain).text == plain


def test_entities_in_plain_text_are_decoded_and_counted():
    article = article_from_text("Tiêu đề bài\n\nPhường&nbsp;5 có 1.312&nbsp;đảng viên &amp; 24 chi bộ; AT&T; R&D;")
    assert article.text == "Tiêu đề bài\n\nPhường 5 có 1.312 đảng viên & 24 chi bộ; AT&T; R&D;"
    assert {d.why: d.chars for d in article.dropped}["HTML entities"] == 2 * (len("&nbsp;") - 1) + len("&amp;") - 1


def test_doubly_escaped_entities_decode_once_and_for_all():
    once = clean_text("Tiêu đề bài\n\nMột&amp;nbsp;hai")
    assert once == "Tiêu đề bài\n\nMột hai" and clean_text(once) == once


# --------------------------------------------------------------------------- item 15: a marker cuts only trailing boilerplate

SEED_FILES = sorted(SEEDS.glob("*.txt"))
BODY = (
    "Đảng bộ Phường 6 hiện có 8 chi bộ với 327 đảng viên. Từ năm 2003-2008, Đảng bộ Phường 6 đạt danh hiệu trong sạch "
    "vững mạnh tiêu biểu; năm 2009 đạt trong sạch vững mạnh; từ năm 2011-2013 đạt trong sạch vững mạnh tiêu biểu."
)
LATER = (
    "Thu nhập bình quân đầu người trên địa bàn phường ước đạt khoảng 30 triệu đồng/năm; tỷ lệ hộ nghèo còn khoảng 1,7%. "
    "Phường đã xây dựng thành công một khu phố văn hóa kiểu mẫu và mô hình “Liên gia tự quản”."
)
RELATED = (
    "Phường Tân Lộc chú trọng thực hiện khâu then chốt",
    "Xây dựng Đảng bộ Phường 5, thành phố Đông Hà trong sạch, vững mạnh",
    "Đảng bộ phường 1 (TP. Mỹ Tho): Dấu ấn qua một nhiệm kỳ",
)


def _joined_seeds() -> str:
    return "\n\n".join(f"## {path.stem}\n\n{path.read_text(encoding='utf-8')}" for path in SEED_FILES)


def test_five_seeds_joined_in_one_file_keep_all_five_bodies(tmp_path):
    path = tmp_path / "five.txt"
    path.write_text(_joined_seeds(), encoding="utf-8")
    joined = load_article(path)
    for seed in SEED_FILES:
        for paragraph in _seed_paragraphs(seed):
            assert paragraph in joined.text, f"{seed.stem}: {paragraph[:60]!r} was cut"
    assert len(joined.text) > 0.99 * sum(len(load_article(seed).text) for seed in SEED_FILES)
    assert not any(d.why.startswith("boilerplate after") for d in joined.dropped)
    assert cut_warning(joined) is None


def test_marker_in_the_middle_of_the_body_ends_nothing():
    raw = f"Tiêu đề bài\n\n{BODY}\n\nXem thêm\n\n{LATER}\n\nTường Vy\n\nChia sẻ bài viết\n\nBÌNH LUẬN"
    cleaned = clean_article_text(raw)
    assert cleaned.text == f"Tiêu đề bài\n\n{BODY}\n\nXem thêm\n\n{LATER}\n\nTường Vy"
    assert cleaned.dropped == (Dropped(len("Chia sẻ bài viết") + len("BÌNH LUẬN"), "boilerplate after 'Chia sẻ bài viết'"),)


def test_trailing_related_headlines_and_links_are_cut_and_counted():
    tail = ["Tin liên quan", *RELATED, "https://baoquangtri.vn/xa-hoi/phuong-5.html", "0 người đã tham gia bình chọn"]
    raw = "\n\n".join(["Tiêu đề bài", BODY, LATER, "Tường Vy", *tail])
    cleaned = clean_article_text(raw)
    assert cleaned.text == f"Tiêu đề bài\n\n{BODY}\n\n{LATER}\n\nTường Vy"
    assert cleaned.dropped == (Dropped(sum(map(len, tail)), "boilerplate after 'Tin liên quan'"),)


def test_a_long_paragraph_after_the_marker_keeps_the_marker_and_all_after_it():
    raw = f"Tiêu đề bài\n\n{BODY}\n\nBình luận\n\n{LATER}"
    assert clean_text(raw) == raw
    assert article_from_text(raw).dropped == ()


def test_every_kind_of_removal_is_counted(tmp_path):
    raw = (
        "Trang chủ > Thời sự > Xây dựng Đảng\n\nTiêu đề bài\n\n.\n\n***\n\n"
        f"{BODY}\n\nMột góc phường 6.\nMột góc phường 6.\n\n\ufeff{LATER}\n\nTường Vy\n\nBình luận (0)\n\nĐọc tiếp"
    )
    article = article_from_text(raw)
    assert article.text == f"Tiêu đề bài\n\n{BODY}\n\nMột góc phường 6.\n\n{LATER}\n\nTường Vy"
    assert article.dropped == (
        Dropped(1, "invisible characters (BOM, zero-width space)"),
        Dropped(4, "line without letters or digits"),
        Dropped(len("Bình luận (0)") + len("Đọc tiếp"), "boilerplate after 'Bình luận'"),
        Dropped(len("Trang chủ > Thời sự > Xây dựng Đảng"), "breadcrumb"),
        Dropped(len("Một góc phường 6."), "repeated line"),
    )


def test_seeds_drop_only_their_own_boilerplate_and_warn_of_nothing():
    for seed in SEED_FILES:
        article = load_article(seed)
        assert cut_warning(article) is None
        assert sum(d.chars for d in article.dropped) < 0.03 * len(article.text)


def test_a_cut_of_more_than_a_small_share_is_a_warning():
    long = "\n\n".join(["Tiêu đề bài", BODY, "Tin liên quan", *(RELATED * 4)])
    article = article_from_text(long)
    assert article.text == f"Tiêu đề bài\n\n{BODY}"
    warning = cut_warning(article)
    cut = len("Tin liên quan") + 4 * sum(map(len, RELATED))
    assert warning is not None and "\n" not in warning
    assert f"cleaning cut {cut:,} of {cut + len(article.text):,} characters" in warning
    assert "boilerplate after 'Tin liên quan'" in warning


def test_a_cut_under_the_share_is_not_a_warning():
    article = article_from_text("\n\n".join(["Tiêu đề bài", BODY, LATER, BODY.replace("327", "328"), "Chia sẻ bài viết"]))
    cut = len("Chia sẻ bài viết")
    assert cut <= CUT_WARNING_SHARE * (cut + len(article.text))
    assert cut_warning(article) is None


def test_html_markup_and_page_chrome_are_counted_but_are_not_a_cut_warning():
    page = "<html><head><title>T</title><style>" + "p{}" * 500 + "</style></head><body><nav>" + "Menu " * 200
    page += f"</nav><article><h1>Tiêu đề bài</h1><p>{BODY}</p></article></body></html>"
    article = article_from_text(page)
    assert article.text == f"Tiêu đề bài\n\n{BODY}"
    reasons = {d.why for d in article.dropped}
    assert {"HTML markup", "HTML outside <article>"} <= reasons
    assert cut_warning(article) is None


_PIECES = st.one_of(
    st.sampled_from(["Chia sẻ bài viết", "BÌNH LUẬN", "Xem thêm: Phường 5", "Bình luận (0)", "Tường Vy", ".", "", BODY, LATER, *RELATED]),
    st.sampled_from(["Trang chủ > Tin tức", "https://baoquangtri.vn/a.html", "&nbsp;", "&amp;nbsp;", "\ufeff", "<p>"]),
    st.text(alphabet="aăâeêoôơuưĐđ \t\xa0.&;<>/p12", max_size=200),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=14), st.sampled_from(["\n", "\n\n", "\r\n"]))
def test_cleaning_with_markers_anywhere_is_idempotent_and_keeps_every_body_paragraph(pieces, brk):
    raw = brk.join(pieces)
    cleaned = clean_article_text(raw)
    assert clean_article_text(cleaned.text).text == cleaned.text
    for piece in pieces:
        if piece in (BODY, LATER):
            assert piece in cleaned.text, "a marker before a body paragraph cut it"
