"""A brief's prose as statements: sources found by words, twins on the same sources, what fails left out and listed."""

from __future__ import annotations

import pytest

from summarizer.cli import main
from summarizer.grounding.prose import check_prose
from summarizer.grounding.termbase import load_termbase
from summarizer.schema import ArticleDraft

ARTICLE = (
    "Đảng bộ Phường 6 luôn đoàn kết\n\n"
    "Trong nhiệm kỳ, Đảng bộ Phường 6 đã lãnh đạo thực hiện tốt các nhiệm vụ phát triển kinh tế - xã hội.\n\n"
    "Đảng bộ Phường 6 hiện có 8 chi bộ với 327 đảng viên.\n\n"
    "Trung tâm văn hóa phường được đầu tư xây mới với kinh phí gần 9 tỷ đồng.\n\n"
    "Phường có 12 khu phố."
)


def draft(**changes) -> ArticleDraft:
    fields = {
        "organization": "Đảng bộ Phường 6",
        "locality": "Phường 6",
        "people": [],
        "title_vi": "Đảng bộ Phường 6 luôn đoàn kết",
        "title_en": "The Party Committee of Phường 6 stays united",
        "summary_vi": "Đảng bộ Phường 6 hiện có 8 chi bộ với 327 đảng viên. Trung tâm văn hóa phường được đầu tư xây mới với kinh phí gần 9 tỷ đồng.",
        "summary_en": "The Party Committee of Phường 6 has 8 party cells with 327 party members. The ward's cultural centre was newly built for nearly 9 billion VND.",
        "key_points_vi": ["Đảng bộ Phường 6 hiện có 8 chi bộ với 327 đảng viên."],
        "key_points_en": ["The Party Committee of Phường 6 has 8 party cells with 327 party members."],
        "facts": [],
    }
    return ArticleDraft.model_construct(**{**fields, **changes})


def test_a_faithful_brief_is_kept_whole_with_the_sentences_it_rests_on():
    prose = check_prose(ARTICLE, "Đảng bộ Phường 6 luôn đoàn kết", draft())
    assert prose.checks == [] and all(s.kept for s in prose.statements)
    assert prose.summary_en == draft().summary_en and len(prose.key_points) == 1
    point = next(s for s in prose.statements if s.field == "key_points[0].vi")
    assert [ARTICLE[s.start : s.end] for s in point.sources] == ["Đảng bộ Phường 6 hiện có 8 chi bộ với 327 đảng viên."]


@pytest.mark.parametrize(
    ("english", "kind"),
    [
        ("The ward's cultural centre was newly built for nearly 9 billion yuan.", "currency"),
        ("The ward's cultural centre was newly built for nearly 7 billion VND.", "number"),
        ("The cultural centre of Xiangtan county was newly built for nearly 9 billion VND.", "name"),
        ("The commune's cultural centre was newly built for nearly 9 billion VND.", "office"),
    ],
)
def test_an_unfaithful_summary_sentence_is_left_out_and_listed_with_its_reason(english, kind):
    faithful = "The Party Committee of Phường 6 has 8 party cells with 327 party members."
    prose = check_prose(ARTICLE, None, draft(summary_en=f"{faithful} {english}"))
    assert prose.summary_en == faithful  # the faithful sentence stays; the other is gone from the prose
    left_out = [s for s in prose.statements if not s.kept]
    assert [s.text for s in left_out] == [english]
    assert kind in {c.kind for c in prose.checks if c.statement == english}


def test_a_key_point_whose_sides_do_not_say_the_same_is_not_shown():
    prose = check_prose(ARTICLE, None, draft(key_points_en=["The ward's cultural centre was newly built for nearly 9 billion VND."]))
    assert prose.key_points == []
    assert {c.field for c in prose.checks} == {"key_points[0].en", "key_points[0].vi"}  # the English fails; its twin goes with it


def test_statements_no_sentence_of_the_article_carries_and_fragments_are_left_out():
    prose = check_prose(ARTICLE, None, draft(key_points_vi=["Hợp tác quốc tế với các nước châu Âu."], key_points_en=["growth rate"]))
    kinds = {c.field: c.kind for c in prose.checks}
    assert kinds == {"key_points[0].vi": "source", "key_points[0].en": "truncated"}


def test_a_sentence_cut_off_mid_way_is_truncated():
    prose = check_prose(ARTICLE, None, draft(summary_en="The Party Committee of Phường 6 has 8 party cells and a"))
    assert [c.kind for c in prose.checks] == ["truncated"] and prose.summary_en == ""


def test_an_english_summary_sentence_may_rest_on_the_sentence_that_states_its_numbers():
    """The model translated one summary and condensed another: the English sentence rests on the article sentence
    that states its numbers, and is kept when that sentence supports it."""
    prose = check_prose(ARTICLE, None, draft(summary_vi="Đảng bộ Phường 6 hiện có 8 chi bộ với 327 đảng viên."))
    centre = next(s for s in prose.statements if s.field == "summary_en" and "centre" in s.text)
    assert centre.kept and [ARTICLE[s.start : s.end] for s in centre.sources] == ["Trung tâm văn hóa phường được đầu tư xây mới với kinh phí gần 9 tỷ đồng."]


def test_a_users_glossary_term_is_checked_too(tmp_path):
    english = "The ward has 12 self-managed groups."
    article_draft = draft(summary_vi="Phường có 12 khu phố.", summary_en=english)
    assert check_prose(ARTICLE, None, article_draft).summary_en == english  # an unknown phrase is not a term
    glossary = tmp_path / "terms.tsv"
    glossary.write_text("vietnamese\tenglish\tcategory\tnotes\ntổ tự quản\tself-managed group\tadministrative\t\n", encoding="utf-8")
    checked = check_prose(ARTICLE, None, article_draft, load_termbase(glossary))
    assert checked.summary_en == "" and [c.kind for c in checked.checks] == ["office"]


def test_a_bad_glossary_file_is_one_line_before_any_article_is_read(tmp_path, capsys):
    glossary = tmp_path / "terms.tsv"
    glossary.write_text("tổ tự quản\tself-managed group\n", encoding="utf-8")
    assert main(["brief", str(tmp_path / "missing-folder"), "--out", str(tmp_path / "out"), "--glossary", str(glossary)]) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and str(glossary) in error and "columns" in error
