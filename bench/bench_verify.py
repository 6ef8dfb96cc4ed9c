"""Benchmark: verifying 50 facts against a ~2,000-token article (target: median <= 5 ms).

Run: .venv/bin/python bench/bench_verify.py
Prints a table: cold (article caches cleared before each run, as for a new article) and warm (same article
again), medians of repeated runs, next to a fixed pure-Python workload measured in the same run for scale.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from summarizer.grounding import align as grounding
from summarizer.grounding.verify import verify_facts
from summarizer.text import numbers
from summarizer.text.article import load_article

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "001_ec4d3e1a54c06ea6.txt"
GOLD = ROOT.parent / "shared" / "gold" / "001_ec4d3e1a54c06ea6.json"
REPEATS = 51
TARGET_MS = 5.0


def fifty_facts(text: str) -> list[dict]:
    """The article's 17 reference facts, plus corrupted copies (value x10, English misreading, changed word) to make 50."""
    gold = json.loads(GOLD.read_text(encoding="utf-8"))["facts"] if GOLD.is_file() else []
    facts = [{"value": f["value"], "unit": f["unit"], "quote": f["quote"]} for f in gold]
    corrupted = []
    for fact in facts:
        corrupted.append({**fact, "value": fact["value"] * 10})
        corrupted.append({**fact, "value": fact["value"] / 1000, "quote": fact["quote"]})
        corrupted.append({**fact, "quote": fact["quote"].replace("đảng viên", "cán bộ")})
    return (facts + corrupted)[:50]


def median_ms(run, setup=lambda: None) -> float:
    samples = []
    for _ in range(REPEATS):
        setup()
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def python_baseline() -> None:
    """A fixed pure-Python workload: sort 20,000 pseudo-random ints and join 20,000 short strings."""
    values = [(i * 7919) % 20011 for i in range(20_000)]
    sorted(values)
    "".join(str(v) for v in values)


ARTICLE_CACHES = (grounding._normalised_article, grounding._article_skeleton, numbers.mentions_in)


def clear_caches() -> None:
    """Forget everything computed for the article (its normalised text, its numbers and its skeleton), as for a new
    one. Caches keyed on a character or a number string stay warm, as in any process that has read Vietnamese before."""
    for cache in ARTICLE_CACHES:
        cache.cache_clear()


def main() -> None:
    text = load_article(SEED).text
    facts = fifty_facts(text)
    assert len(facts) == 50, "needs the reference facts in ../shared/gold"
    baseline = median_ms(python_baseline)
    cold = median_ms(lambda: verify_facts(text, facts), clear_caches)
    warm = median_ms(lambda: verify_facts(text, facts))
    supported = sum(f["supported"] for f in verify_facts(text, facts))
    print(f"verify 50 facts ({supported} supported) against {SEED.name}: {len(text)} characters; medians of {REPEATS} runs")
    print(f"| {'run':<26} | {'median ms':>9} | {'x baseline':>10} | {'target':>8} |")
    print(f"|{'-' * 28}|{'-' * 11}|{'-' * 12}|{'-' * 10}|")
    print(f"| {'python baseline workload':<26} | {baseline:>9.2f} | {1:>10.2f} | {'':>8} |")
    for label, value in (("cold (new article)", cold), ("warm (same article)", warm)):
        verdict = "ok" if value <= TARGET_MS else "MISSED"
        print(f"| {label:<26} | {value:>9.2f} | {value / baseline:>10.2f} | {verdict:>8} |")


if __name__ == "__main__":
    main()
