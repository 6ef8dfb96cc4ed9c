"""Benchmark 5: throughput of the pipeline on the embedded model, against a raw request of the same prompt.

Run: .venv/bin/python bench/bench_local.py [--seed 001_ec4d3e1a54c06ea6] [--other 004_274524fc001e6b42]
Needs the embedded model ([local] extra). Takes ~15 minutes on 2 cores: each full answer is minutes.

1. The pipeline briefs one seed on the real llama.cpp server (the request is captured as it is sent).
2. The very same request body is sent again raw (httpx, no litellm, no instructor), after a request that
   clears the server's prompt cache, so both evaluate the whole prompt.
3. Prefix cache: the prompt of another seed (same fixed instructions) evaluated alone (max_tokens 1),
   once right after the first seed's prompt (the instructions are reused) and once after a cleared cache.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import vcr  # noqa: E402

from summarizer.config import ModelOptions, Settings  # noqa: E402
from summarizer.models.chain import ModelChain  # noqa: E402
from summarizer.models.local_server import LocalServer, model_path  # noqa: E402
from summarizer.tasks.brief import brief_article, brief_request  # noqa: E402
from summarizer.text.article import load_article  # noqa: E402

CLEAR = {"messages": [{"role": "user", "content": "Xin chào"}], "max_tokens": 1, "temperature": 0}  # another first token


def post(api_base: str, body: dict) -> tuple[float, dict]:
    started = time.perf_counter()
    answer = httpx.post(f"{api_base}/chat/completions", json=body, timeout=3600, headers={"Authorization": "Bearer sk-no-key-required"})
    answer.raise_for_status()
    return time.perf_counter() - started, answer.json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", default="001_ec4d3e1a54c06ea6")
    parser.add_argument("--other", default="004_274524fc001e6b42")
    args = parser.parse_args()
    article = load_article(ROOT / "seeds" / f"{args.seed}.txt")
    other = load_article(ROOT / "seeds" / f"{args.other}.txt")
    rows = []
    with LocalServer(model_path()) as server, tempfile.TemporaryDirectory() as work:
        settings = Settings(chain=("local",), options={"local": ModelOptions(api_base=server.api_base)}, source="bench")
        post(server.api_base, CLEAR)  # warm the server up
        with ModelChain(settings) as chain:
            captured = Path(work) / "request.json"
            started = time.perf_counter()
            with vcr.use_cassette(str(captured), record_mode="all", serializer="json"):
                brief = asyncio.run(brief_article(article, chain))
            pipeline_s = time.perf_counter() - started
            sent = json.loads(json.loads(captured.read_text())["interactions"][-1]["request"]["body"])
            other_body = {**sent, "messages": brief_request(other, chain).messages, "max_tokens": 1}
        usage = brief.provenance.usage
        rows.append(("pipeline (litellm + instructor)", pipeline_s, usage.prompt_tokens, usage.completion_tokens))

        post(server.api_base, CLEAR)
        raw_s, raw = post(server.api_base, sent)
        rows.append(("raw request, same body", raw_s, raw["usage"]["prompt_tokens"], raw["usage"]["completion_tokens"]))

        prompt_only = {**sent, "max_tokens": 1}
        post(server.api_base, CLEAR)
        first_s, first = post(server.api_base, prompt_only)
        shared_s, shared = post(server.api_base, other_body)  # right after: the fixed instructions are in the cache
        post(server.api_base, CLEAR)
        cold_s, cold = post(server.api_base, other_body)

    print(f"embedded model {model_path().name}, {os.cpu_count()} cores; seed {args.seed}")
    print(f"| {'run':<34} | {'seconds':>8} | {'prompt tok':>10} | {'output tok':>10} | {'output tok/s':>12} | {'all tok/s':>9} |")
    print(f"|{'-' * 36}|{'-' * 10}|{'-' * 12}|{'-' * 12}|{'-' * 14}|{'-' * 11}|")
    for name, seconds, prompt_tokens, completion_tokens in rows:
        print(
            f"| {name:<34} | {seconds:>8.1f} | {prompt_tokens:>10} | {completion_tokens:>10} | {completion_tokens / seconds:>12.2f} | {(prompt_tokens + completion_tokens) / seconds:>9.2f} |"
        )
    print(f"pipeline / raw wall time: {rows[0][1] / rows[1][1]:.3f}")
    print()
    print("prefix cache: prompt evaluation only (max_tokens 1)")
    print(f"| {'prompt':<46} | {'seconds':>8} | {'prompt tok':>10} | {'prompt tok/s':>12} |")
    print(f"|{'-' * 48}|{'-' * 10}|{'-' * 12}|{'-' * 14}|")
    for name, seconds, answer in (
        (f"{args.seed}, cache cleared", first_s, first),
        (f"{args.other}, right after {args.seed[:3]} (shared prefix)", shared_s, shared),
        (f"{args.other}, cache cleared", cold_s, cold),
    ):
        tokens = answer["usage"]["prompt_tokens"]
        print(f"| {name:<46} | {seconds:>8.1f} | {tokens:>10} | {tokens / seconds:>12.2f} |")
    print(f"shared-prefix speed-up on {args.other}: {cold_s / shared_s:.2f}x")


if __name__ == "__main__":
    main()
