"""A newsroom's own form and glossary tested offline: each test replays its model calls from its own cassette
(summarizer's pytest plugin, fixture `summarizer_cassette`), cassettes/test_snapshot/<test name>.json beside this file.

    pytest                                   # replay (offline, no model started)
    pytest --summarizer-record-mode all      # record them again from the model chain
"""

import json
from pathlib import Path

import pytest

import summarizer
from summarizer.pytest_plugin import assert_facts_verify, assert_field

HERE = Path(__file__).parent
FORM = HERE / "commune_snapshot.yaml"
CONFIG = HERE / "summarizer.toml"  # the embedded model, and our glossary
ORGANISATION = {  # what each article is about, as it writes it
    "dong_ha_ward_5": "Đảng bộ Phường 5",
    "mo_che": "Đảng bộ phường Mỏ Chè",
    "my_tho_ward_1": "Đảng bộ phường 1",
}
SECRETARY = {  # the secretary of the party committee each article names
    "dong_ha_ward_5": "Lê Quang Việt Sơn",
    "mo_che": "Nguyễn Thái Hà",
    "my_tho_ward_1": "Nguyễn Thanh Khiết",
}


@pytest.mark.parametrize("article", sorted(ORGANISATION))
def test_the_snapshot_is_filled_from_the_article(article, summarizer_cassette):
    filled = summarizer.fill(HERE / "articles" / f"{article}.txt", FORM, models="local", config=CONFIG)

    assert filled.values["organisation"].startswith(ORGANISATION[article])
    assert_field(filled, "secretary", SECRETARY[article])
    for name, field in filled.fields.items():  # every value kept is the article's own words, at their offsets
        if field.status == "filled" and field.quote is not None:
            assert filled.article.text[field.start : field.end] == field.quote, name
    assert summarizer_cassette.model_calls_played  # the form asked exactly what was recorded


def test_the_members_and_cells_of_mo_che(summarizer_cassette):
    filled = summarizer.fill(HERE / "articles" / "mo_che.txt", FORM, models="local", config=CONFIG)
    assert_field(filled, "party_members", 528)
    assert_field(filled, "party_cells", 12)


def test_the_brief_is_given_our_glossary_and_its_facts_verify(summarizer_cassette):
    brief = summarizer.brief(HERE / "articles" / "mo_che.txt", models="local", config=CONFIG)

    assert_facts_verify(brief)
    asked = [json.loads(r.body)["messages"][-1]["content"] for r in summarizer_cassette.cassette.requests if r.method == "POST"]
    assert any("pure and strong" in message for message in asked)  # our rendering of "trong sạch, vững mạnh" reached the model
    english = [s for s in brief.statements if s.kept and s.field.endswith("en")]
    assert english, "no English statement passed the checks"
    assert brief.summary_vi and brief.summary_en
