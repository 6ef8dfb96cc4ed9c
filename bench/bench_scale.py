"""Benchmark of the scale-out (issue 18): one local batch process vs 1, 2 and 4 workers, against the stub server.

Run: .venv/bin/python bench/bench_scale.py [--articles 2000] [--repeats 3] [--concurrency 16] [--quick]

Every run briefs the same distinct articles (the seeds, each copy made a distinct text: bench_batch.distinct_copies)
against bench/stub_server.py answering after 200 ms, with a cold answer cache (a fresh SQLite file for the local
batch; the Redis cache, flushed, for the workers). Ideal wall time = articles x latency / (processes x concurrency).
A worker run is timed from the first message enqueued to the job `done` in the ledger (workers are started and
warm before); the local batch from its process start (its imports are ~1-2 s of it). Messages per second: articles
over the worker run's wall time. Then the round trips a worker adds per article, timed alone, each the median of
many: enqueue (producer), the ledger's status read and row write, the cache's get (a miss) and put of a real answer,
the shared-pause check, the claim on an answer being asked and its release. Redis is the bench's own redis-server on a free loopback port in a temp folder.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
PYTHON = sys.executable
LATENCY = 0.2

from bench_batch import STUB_MODEL, Stub, config_file, distinct_copies  # noqa: E402


class Redis:
    """The bench's own redis-server (never 6379), stopped at the end."""

    def __init__(self, folder: Path):
        import redis

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(folder), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.client = redis.Redis(port=self.port)
        for _ in range(200):
            try:
                self.client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)

    def __enter__(self) -> Redis:
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait()


def run_local(articles: Path, work: Path, config: Path, concurrency: int, run: int) -> float:
    out = work / f"local-out-{run}"
    started = time.monotonic()
    command = [PYTHON, "-m", "summarizer", "brief", str(articles), "--out", str(out), "--config", str(config)]
    command += ["--concurrency", str(concurrency), "--cache", str(work / f"local-{run}.sqlite"), "-q"]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "SUMMARIZER_CACHE_DIR": str(work / "cache-dir")})
    wall = time.monotonic() - started
    assert done.returncode == 0, done.stderr[-2000:]
    shutil.rmtree(out)
    return wall


def start_workers(count: int, url: str, concurrency: int, work: Path) -> list[subprocess.Popen]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SUMMARIZER_CACHE_DIR": str(work / "cache-dir")}
    workers = []
    for i in range(count):
        log = work / f"worker-{i}.log"
        command = [PYTHON, "-m", "summarizer.scale.workers", "--broker", url, "--concurrency", str(concurrency)]
        workers.append(subprocess.Popen(command, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT))  # noqa: SIM115
    for i, worker in enumerate(workers):
        while b"ready" not in (work / f"worker-{i}.log").read_bytes():
            assert worker.poll() is None, (work / f"worker-{i}.log").read_text()
            time.sleep(0.05)
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(60)


def run_workers(count: int, redis: Redis, paths: list[Path], work: Path, config: Path, concurrency: int, run: int) -> float:
    from summarizer.config import load_settings
    from summarizer.scale.commands import enqueue_job
    from summarizer.scale.ledger import Ledger
    from summarizer.scale.spec import job_spec

    redis.client.flushdb()
    out = work / f"workers-out-{run}"
    spec = job_spec(kind="brief", out=out, settings=load_settings(config=str(config)), cache=redis.url)
    workers = start_workers(count, redis.url, concurrency, work)
    try:
        ledger = Ledger(redis.client)
        started = time.monotonic()
        job_id = enqueue_job(redis.url, spec, [str(p) for p in paths])
        while ledger.status(job_id) != "done":
            time.sleep(0.05)
        wall = time.monotonic() - started
        for row in ledger.rows(job_id):
            if row["status"] == "failed":
                print(f"{count} workers, run {run + 1}: FAILED {row['error']}", file=sys.stderr)
    finally:
        stop_workers(workers)
    shutil.rmtree(out)
    return wall


def round_trips(redis: Redis, work: Path, repeats: int = 2000) -> dict[str, float]:
    """Milliseconds per call of each Redis round trip a job adds to an article (median of `repeats`)."""
    from summarizer.scale.broker import make_broker
    from summarizer.scale.claims import RedisClaims
    from summarizer.scale.ledger import Ledger
    from summarizer.scale.pauses import RedisPauses
    from summarizer.scale.redis_cache import RedisAnswerCache
    from summarizer.schema import Usage

    cassette = json.loads(next((ROOT / "cassettes").glob("local_*.json")).read_text(encoding="utf-8"))
    answer = cassette["interactions"][-1]["response"]["body"]["string"]  # a real answer's size (the cache stores the parsed draft; similar)
    redis.client.flushdb()
    broker, actor = make_broker(redis.url)
    ledger = Ledger(redis.client)
    cache = RedisAnswerCache(redis.url)
    pauses = RedisPauses(redis.client)
    claims = RedisClaims(redis.client)
    job_id = ledger.create(
        {"kind": "brief", "out": str(work), "chain": [], "options": {}, "source": "bench", "cache": None}, [f"/a/{i}.txt" for i in range(repeats)]
    )
    path = str(work / "articles" / "0000_000_25d47c26562bab5c.txt")

    def timed(call) -> float:
        times = []
        for i in range(repeats):
            started = time.perf_counter()
            call(i)
            times.append(time.perf_counter() - started)
        return statistics.median(times) * 1000

    row = {"path": path, "article": "x", "seconds": 1.0, "status": "done", "model": STUB_MODEL, "cache_hit": False, "attempts": [], "prompt_tokens": 5000}
    figures = {
        "enqueue one message (producer)": timed(lambda i: actor.send(job_id, i, path)),
        "ledger: job status read": timed(lambda i: ledger.status(job_id)),
        "ledger: article row written": timed(lambda i: ledger.record(job_id, i, row)),
        "cache get (a miss)": timed(lambda i: cache.get(f"miss-{i}")),
        f"cache put ({len(answer) // 1000} kB answer)": timed(lambda i: cache.put(f"key-{i}", STUB_MODEL, answer, Usage(prompt_tokens=1, completion_tokens=1))),
        "cache get (a hit)": timed(lambda i: cache.get(f"key-{i}")),
        "shared pause check": timed(lambda i: pauses.remaining(STUB_MODEL)),
        "claim an answer, then release it": timed(lambda i: (claims.claim(f"key-{i}"), claims.release(f"key-{i}"))),
    }
    broker.close()
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16, help="articles in flight per process (default 16)")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--quick", action="store_true", help="400 articles, 1 run each")
    args = parser.parse_args(argv)
    if args.quick:
        args.articles, args.repeats = 400, 1
    counts = [int(n) for n in args.workers.split(",")]
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    try:
        paths = distinct_copies(work / "articles", args.articles)
        with Stub(LATENCY) as stub, Redis(work) as redis:
            config = config_file(work, stub.api_base)
            results: dict[str, list[float]] = {"local batch (1 process)": []}
            for n in counts:
                results[f"{n} worker{'s' if n > 1 else ''}"] = []
            for run in range(args.repeats):
                results["local batch (1 process)"].append(run_local(work / "articles", work, config, args.concurrency, run))
                for n in counts:
                    results[f"{n} worker{'s' if n > 1 else ''}"].append(run_workers(n, redis, paths, work, config, args.concurrency, run))
                print(f"run {run + 1}/{args.repeats}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in results.items()), file=sys.stderr, flush=True)
            trips = round_trips(redis, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"{args.articles} articles, stub latency {LATENCY * 1000:.0f} ms, concurrency {args.concurrency} per process, medians of {args.repeats} runs, {os.cpu_count()} cores"
    )
    print(f"| {'run':<24} | {'wall s':>7} | {'ideal s':>7} | {'x ideal':>7} | {'articles/s':>10} |")
    print(f"|{'-' * 26}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 12}|")
    for name, walls in results.items():
        processes = 1 if name.startswith("local") else int(name.split()[0])
        ideal = args.articles * LATENCY / (processes * args.concurrency)
        wall = statistics.median(walls)
        print(f"| {name:<24} | {wall:>7.1f} | {ideal:>7.1f} | {wall / ideal:>7.2f} | {args.articles / wall:>10.1f} |")
    print()
    print("| Redis round trip, per article          |      ms |")
    print(f"|{'-' * 40}|{'-' * 9}|")
    for name, ms in trips.items():
        print(f"| {name:<38} | {ms:>7.3f} |")
    per_article = sum(ms for name, ms in trips.items() if not name.startswith(("enqueue", "cache get (a hit)")))
    print(f"| {'a worker, per article (status, row, get miss, put, pause)':<38} | {per_article:>7.3f} |")


if __name__ == "__main__":
    main()
