"""Cleaning (issue 17, items 14 and 15): HTML found by content whatever the suffix, a boilerplate marker that cuts
only trailing boilerplate, and everything cleaning removes counted in `Article.dropped`.

The cleaned text of every article a cassette was recorded on is pinned by its sha256: a change to cleaning that
moves one byte of them would silently invalidate the recorded briefs.
"""

from __future__ import annotations

import hashlib

import pytest
from conftest import ROOT, SEEDS

from summarizer.text.article import load_article

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
    on_disk = {
        str(path.relative_to(ROOT))
        for folder in (SEEDS, ROOT / "tests" / "english", ROOT / "tests" / "injection")
        for path in folder.glob("*.txt")
    }
    assert on_disk == set(PINNED)


@pytest.mark.parametrize("relative", sorted(PINNED))
def test_cleaned_text_of_recorded_articles_is_unchanged(relative):
    text = load_article(ROOT / relative).text
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == PINNED[relative]
