"""A newsroom's own form tested offline: each test replays its model calls from its own cassette (summarizer's
pytest plugin, fixture `summarizer_cassette`), cassettes/test_party_leaders/<test name>.json beside this file.

    pytest                                   # replay (offline, no model started)
    pytest --summarizer-record-mode all      # record them again from the model chain
"""

from pathlib import Path

import pytest

import summarizer
from summarizer.pytest_plugin import assert_field

HERE = Path(__file__).parent
FORM = HERE / "party_leaders.yaml"
ORGANISATION = {  # what each article is about, as it writes it
    "000_25d47c26562bab5c": "Đảng bộ Phường 6",
    "003_78463087fb1616f8": "Đảng bộ phường Tân Lộc",
}
SECRETARY = {  # the secretary of the party committee each article names
    "000_25d47c26562bab5c": "Lê Thị Quân",
    "003_78463087fb1616f8": "Nguyễn Thị Thu Bạch",
}


@pytest.mark.parametrize("article", sorted(ORGANISATION))
def test_the_leaders_form_is_filled_from_the_article(article, summarizer_cassette):
    filled = summarizer.fill(HERE / "articles" / f"{article}.txt", FORM, models="local")

    assert_field(filled, "organisation", ORGANISATION[article])
    leaders = filled.values["leaders"]
    assert any(leader["name"] == SECRETARY[article] and leader["position"].startswith("Bí thư") for leader in leaders), leaders
    for item in filled.fields["leaders"].items:  # every leader kept is the article's own words, at their offsets
        for field in item.fields.values():
            assert field.status == "filled" and filled.article.text[field.start : field.end] == field.quote
    assert summarizer_cassette.cassette.all_played  # the form asked exactly what was recorded
