"""Long documents for the tests and bench/bench_local.py, made from the seeds: the five joined under headings, and one
with a repeated passage."""

from __future__ import annotations

from pathlib import Path

from summarizer.text.article import Article, article_from_text, load_article

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

SEED_TEXTS = [load_article(path).text for path in sorted(SEEDS.glob("*.txt"))]  # each seed's cleaned text


def long_document() -> Article:
    """The five seeds as one report: a heading, then each seed under its own (about 24,000 characters)."""
    body = "\n\n".join(f"PHẦN {i}\n\n{text}" for i, text in enumerate(SEED_TEXTS, 1))
    article = article_from_text("BÁO CÁO TỔNG HỢP CÁC ĐẢNG BỘ PHƯỜNG, XÃ\n\n" + body, id="long_document")
    assert all(text in article.text for text in SEED_TEXTS)  # cleaning the whole keeps every seed as it was
    return article


def repeated_document() -> tuple[Article, str]:
    """Three seeds joined, the first's sentence with the most figures repeated in a paragraph of the last part:
    the same values stated at two places. Returns the document and the repeated sentence."""
    from summarizer.text.candidates import fact_candidates
    from summarizer.text.sentences import split_sentences

    first = SEED_TEXTS[0]
    figures = fact_candidates(first)
    sentence = max(split_sentences(first), key=lambda s: sum(s.start <= c.mention.start < s.end for c in figures)).text
    body = "\n\n".join(SEED_TEXTS[:3]) + f"\n\nNhắc lại kết quả nổi bật: {sentence}"
    return article_from_text(body, id="repeated_document"), sentence
