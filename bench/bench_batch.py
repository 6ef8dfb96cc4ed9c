"""Benchmarks of what the program adds around model calls (issue 5), against the stub server harness.

Run: .venv/bin/python bench/bench_batch.py [--quick]

1. Overhead: the full pipeline on one seed vs a raw litellm call with the same request, stub delay 1 s.
2. Concurrency: 200 articles (the seeds repeated, each copy a distinct text) at 100 ms stub latency,
   concurrency 16, vs the ideal 200 x 0.1 s / 16. The same requests sent with no pipeline around them are the
   floors: through litellm (what the pipeline calls), the openai SDK (what litellm sends with), plain httpx, and
   aiohttp (the leanest client at hand: the floor of the harness itself on this machine).
3. Cache: the same 200 articles again with a warm cache, as a whole command: model calls and wall time.
4. Start-up: `summarizer --help` vs `python -c "import litellm"`.
Each figure is the median of repeated runs; ratios are against baselines measured in the same run.
The stub (bench/stub_server.py) replays answers the real local model gave; it is a harness, not a model.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
SUMMARIZER = [PYTHON, "-m", "summarizer"]
STUB_MODEL = "openai/stub"


class Stub:
    """The stub server in its own process (so it does not share our interpreter's lock)."""

    def __init__(self, delay: float):
        self.process = subprocess.Popen([PYTHON, str(ROOT / "bench" / "stub_server.py"), "--delay", str(delay)], stdout=subprocess.PIPE, text=True)
        self.port = int(self.process.stdout.readline().split()[-1])
        self.api_base = f"http://127.0.0.1:{self.port}/v1"

    def requests(self) -> int:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/stats") as answer:
            return json.load(answer)["requests"]

    def __enter__(self) -> Stub:
        return self

    def __exit__(self, *exc) -> None:
        self.process.kill()
        self.process.wait()


def config_file(folder: Path, api_base: str) -> Path:
    path = folder / "summarizer.toml"
    path.write_text(f'models = ["{STUB_MODEL}"]\n[model."{STUB_MODEL}"]\napi_base = "{api_base}"\n', encoding="utf-8")
    return path


def distinct_copies(folder: Path, count: int) -> list[Path]:
    """The seeds over and over, each copy made a distinct text by a sentence naming it (in letters, not digits),
    put before its first paragraph of body text (a line at the end would fall in the boilerplate cut after it)."""
    from summarizer.text.article import load_article

    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        seed = seeds[i % len(seeds)]
        name = "".join(chr(ord("a") + int(d)) for d in f"{i:04d}")
        lines = seed.read_text(encoding="utf-8").splitlines()
        body = next(n for n, line in enumerate(lines) if len(line) > 200)
        lines.insert(body, f"Bản sao {name}.\n")
        paths.append(folder / f"{i:04d}_{seed.name}")
        paths[-1].write_text("\n".join(lines) + "\n", encoding="utf-8")
    texts = {load_article(path).content_hash for path in paths}
    assert len(texts) == count, f"only {len(texts)} distinct texts after cleaning"
    return paths


def median(values: list[float]) -> float:
    return statistics.median(values)


def row(name: str, measured: str, baseline: str, ratio: str, target: str, verdict: str) -> str:
    return f"| {name:<34} | {measured:>14} | {baseline:>22} | {ratio:>7} | {target:>10} | {verdict:>6} |"


# --------------------------------------------------------------------------- 1. overhead


async def overhead(stub: Stub, repeats: int) -> tuple[float, float]:
    import litellm

    from summarizer.config import ModelOptions, Settings
    from summarizer.models.chain import ModelChain
    from summarizer.tasks.brief import brief_article
    from summarizer.text.article import load_article

    litellm.disable_aiohttp_transport = True
    settings = Settings(chain=(STUB_MODEL,), options={STUB_MODEL: ModelOptions(api_base=stub.api_base)}, source="bench")
    article = load_article(ROOT / "seeds" / "001_ec4d3e1a54c06ea6.txt")
    with ModelChain(settings) as chain:
        await brief_article(article, chain)  # warms the pipeline up, and shows the stub the request it sends
        with urllib.request.urlopen(f"http://127.0.0.1:{stub.port}/last") as answer:
            sent = json.load(answer)
        raw_kwargs = {  # the very request the pipeline sent (messages, the ArticleDraft tool, parameters)
            **{k: v for k, v in sent.items() if k not in ("model", "stream")},
            "model": STUB_MODEL,
            "api_base": stub.api_base,
            "api_key": "sk-no-key-required",
            "num_retries": 0,
        }
        pipeline_times, raw_times = [], []
        await litellm.acompletion(**raw_kwargs)
        for _ in range(repeats):
            started = time.perf_counter()
            await brief_article(article, chain)
            pipeline_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            await litellm.acompletion(**raw_kwargs)
            raw_times.append(time.perf_counter() - started)
    return median(pipeline_times), median(raw_times)


# --------------------------------------------------------------------------- 2. concurrency


async def concurrent_batch(stub: Stub, paths: list[Path], out: Path, cache_path: Path, concurrency: int) -> float:
    from summarizer.config import ModelOptions, Settings
    from summarizer.models.cache import AnswerCache
    from summarizer.models.chain import ModelChain
    from summarizer.tasks.brief import brief_batch

    settings = Settings(chain=(STUB_MODEL,), options={STUB_MODEL: ModelOptions(api_base=stub.api_base)}, source="bench")
    with ModelChain(settings) as chain, AnswerCache(cache_path) as cache:
        started = time.perf_counter()
        outcomes = await brief_batch(paths, chain, out, concurrency=concurrency, cache=cache)
        elapsed = time.perf_counter() - started
    failed = [o.error for o in outcomes if o.error]
    assert not failed, failed[:3]
    return elapsed


async def raw_batch(stub: Stub, paths: list[Path], concurrency: int, client: str) -> float:
    """Floors for benchmark 2: the same requests with no pipeline around them, through `client`: "litellm" (what the
    pipeline calls), "openai" (the SDK litellm sends them with), "httpx" (plain HTTP, what the SDK sends them with)
    or "aiohttp" (the leanest HTTP client at hand: what the harness itself allows on this machine)."""
    import aiohttp
    import httpx
    import litellm
    from openai import AsyncOpenAI

    from summarizer.config import ModelOptions, Settings
    from summarizer.models.chain import ModelChain
    from summarizer.tasks.brief import brief_request
    from summarizer.text.article import load_article

    litellm.disable_aiohttp_transport = True
    settings = Settings(chain=(STUB_MODEL,), options={STUB_MODEL: ModelOptions(api_base=stub.api_base)}, source="bench")
    with ModelChain(settings) as chain:
        requests = [brief_request(load_article(path), chain).parts[0].messages for path in paths]
    limit = asyncio.Semaphore(concurrency)
    generation = {"max_tokens": 3000, "temperature": 0.0, "seed": 0}
    sdk = AsyncOpenAI(base_url=stub.api_base, api_key="sk-no-key-required", max_retries=0)
    http = httpx.AsyncClient(base_url=stub.api_base, timeout=60)
    lean = aiohttp.ClientSession()

    async def one(messages) -> None:
        async with limit:
            if client == "litellm":
                await litellm.acompletion(
                    model=STUB_MODEL, messages=messages, api_base=stub.api_base, api_key="sk-no-key-required", num_retries=0, **generation
                )
            elif client == "openai":
                await sdk.chat.completions.create(model="stub", messages=messages, **generation)
            elif client == "httpx":
                (await http.post("/chat/completions", json={"model": "stub", "messages": messages, **generation})).json()
            else:
                body = {"model": "stub", "messages": messages, **generation}
                async with lean.post(f"{stub.api_base}/chat/completions", json=body) as answer:
                    await answer.json()

    try:
        started = time.perf_counter()
        await asyncio.gather(*(one(messages) for messages in requests))
        return time.perf_counter() - started
    finally:
        await sdk.close()
        await http.aclose()
        await lean.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    work = Path(tempfile.mkdtemp(prefix="summarizer-bench-"))
    rows = []
    try:
        # 1. overhead
        with Stub(delay=1.0) as stub:
            pipeline_s, raw_s = asyncio.run(overhead(stub, repeats))
        ratio = pipeline_s / raw_s
        rows.append(
            row(
                "1. pipeline, one seed (stub 1 s)",
                f"{pipeline_s:.3f} s",
                f"raw litellm {raw_s:.3f} s",
                f"{ratio:.3f}",
                "<= 1.05",
                "ok" if ratio <= 1.05 else "MISSED",
            )
        )

        # 2. concurrency, and 3. the warm cache
        articles = work / "articles"
        paths = distinct_copies(articles, 200)
        ideal = 200 * 0.1 / 16
        with Stub(delay=0.1) as stub:
            batch_times, warm_times, warm_calls, import_times = [], [], [], []
            floors: dict[str, list[float]] = {"litellm": [], "openai": [], "httpx": [], "aiohttp": []}
            for attempt in range(3 if args.quick else 5):
                cache_path = work / f"cache-{attempt}.sqlite"
                batch_times.append(asyncio.run(concurrent_batch(stub, paths, work / f"out-{attempt}", cache_path, 16)))
                for client, times in floors.items():
                    times.append(asyncio.run(raw_batch(stub, paths, 16, client)))
                started = time.perf_counter()
                subprocess.run([PYTHON, "-c", "import summarizer.tasks.brief"], check=True)
                import_times.append(time.perf_counter() - started)
                config = config_file(work, stub.api_base)
                before = stub.requests()
                started = time.perf_counter()
                result = subprocess.run(
                    [
                        *SUMMARIZER,
                        "brief",
                        str(articles),
                        "--out",
                        str(work / f"warm-{attempt}"),
                        "--config",
                        str(config),
                        "--cache",
                        str(cache_path),
                        "--concurrency",
                        "16",
                        "--quiet",
                    ],
                    capture_output=True,
                    text=True,
                )
                warm_times.append(time.perf_counter() - started)
                assert result.returncode == 0, result.stderr[-1000:]
                warm_calls.append(stub.requests() - before)
        batch = median(batch_times)
        raw = {client: median(times) for client, times in floors.items()}
        rows.append(
            row(
                "2. 200 articles, concurrency 16",
                f"{batch:.3f} s",
                f"ideal {ideal:.3f} s",
                f"{batch / ideal:.2f}",
                "<= 1.10",
                "ok" if batch <= 1.1 * ideal else "MISSED",
            )
        )
        for client, label in (("litellm", "raw litellm"), ("openai", "raw openai SDK"), ("httpx", "raw httpx"), ("aiohttp", "raw aiohttp")):
            rows.append(row(f"   {label}, same requests", f"{raw[client]:.3f} s", f"ideal {ideal:.3f} s", f"{raw[client] / ideal:.2f}", "", ""))
        rows.append(row("   pipeline vs raw litellm", f"{batch:.3f} s", f"raw litellm {raw['litellm']:.3f} s", f"{batch / raw['litellm']:.2f}", "", ""))
        warm, startup = median(warm_times), median(import_times)
        rows.append(
            row(
                "3. same 200, warm cache (command)",
                f"{warm:.3f} s",
                f"{max(warm_calls)} model calls",
                "",
                "<= 2 s",
                "ok" if warm <= 2 and max(warm_calls) == 0 else "MISSED",
            )
        )
        rows.append(row("   of which start-up (imports)", f"{startup:.3f} s", f"{(warm - startup) / 200 * 1000:.1f} ms/article rest", "", "", ""))

        # 4. start-up
        help_times, litellm_times = [], []
        for _ in range(repeats):
            started = time.perf_counter()
            subprocess.run([*SUMMARIZER, "--help"], capture_output=True, check=True)
            help_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            subprocess.run([PYTHON, "-c", "import litellm"], capture_output=True, check=True)
            litellm_times.append(time.perf_counter() - started)
        help_s, litellm_s = median(help_times), median(litellm_times)
        ratio = help_s / litellm_s
        rows.append(
            row("4. summarizer --help", f"{help_s:.3f} s", f"import litellm {litellm_s:.3f} s", f"{ratio:.3f}", "<= 0.10", "ok" if ratio <= 0.1 else "MISSED")
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"medians of {repeats} runs (2. and 3.: {3 if args.quick else 5}); {os.cpu_count()} cores")
    print(row("benchmark", "measured", "baseline (same run)", "ratio", "target", ""))
    print(f"|{'-' * 36}|{'-' * 16}|{'-' * 24}|{'-' * 9}|{'-' * 12}|{'-' * 8}|")
    for line in rows:
        print(line)


if __name__ == "__main__":
    main()
