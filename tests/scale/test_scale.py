"""The batch on many workers (issue 18): real redis-server (the test's own, on a free loopback port), real worker
processes (`python -m summarizer.scale.workers`), model answers replayed by tests/replay_server.py.

Faults are real where they can be: a worker killed with SIGKILL mid-article, Redis stopped and started again with
its append-only file. The 429 of the shared-pause test is simulated by the replay server, and says so in its name.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import time
from pathlib import Path

import pytest
from conftest import CASSETTES, SEEDS, calls_for, calls_per_brief, copies
from replay_server import ReplayServer
from scale_helpers import REDIS_SERVER, RedisServer, Workers

from summarizer.config import ModelOptions, Settings
from summarizer.models.cache import AnswerCache
from summarizer.models.chain import ModelChain
from summarizer.scale.claims import RedisClaims
from summarizer.scale.commands import enqueue_and_wait, wait_for_job
from summarizer.scale.ledger import Ledger
from summarizer.scale.pauses import RedisPauses
from summarizer.scale.redis_cache import RedisAnswerCache, cache_clear, cache_info, open_cache
from summarizer.schema import Usage
from summarizer.tasks.brief import BriefTask, brief_article
from summarizer.text.article import load_article

# CI installs redis-server (scripts/install --redis), so there a missing server fails instead of skipping
pytestmark = pytest.mark.skipif(
    REDIS_SERVER is None and os.environ.get("CI") != "true", reason="Debian's redis-server is not installed: scripts/install --redis"
)

SEED_PATHS = sorted(SEEDS.glob("*.txt"))
ALL_CASSETTES = sorted(CASSETTES.glob("local_*.json"))
JOB_TIMEOUT = 120  # seconds any job of these tests may take


def batch_args(
    tmp_path: Path, articles: Path, out: Path, api_base: str, broker: str, *, cache: str | None = None, no_cache: bool = False
) -> argparse.Namespace:
    """What `summarizer brief ARTICLES --out OUT --config ... --broker URL` parses to."""
    config = tmp_path / "summarizer.toml"
    config.write_text(f'models = ["local"]\n[model.local]\napi_base = "{api_base}"\n', encoding="utf-8")
    return argparse.Namespace(
        command="brief",
        paths=[str(articles)],
        out=str(out),
        model=None,
        config=str(config),
        concurrency=4,
        cache=cache,
        no_cache=no_cache,
        quiet=True,
        broker=broker,
        wait=False,
        glossary=None,
    )


def enqueue(args: argparse.Namespace, capsys) -> str:
    assert enqueue_and_wait(args, BriefTask()) == 0
    return capsys.readouterr().out.split()[-1]


def wait_done(ledger: Ledger, job_id: str, timeout: float = JOB_TIMEOUT, workers: Workers | None = None):
    deadline = time.monotonic() + timeout
    while (job := ledger.job(job_id)).status != "done":
        if time.monotonic() > deadline:
            pytest.fail(f"job {job_id} not done after {timeout} s: {job.status}, {job.counts}\n{workers.logs() if workers else ''}")
        time.sleep(0.2)
    return job


def calls_of(paths: list[Path]) -> list[int]:
    """The model calls the brief of each article makes: those of the seed it is a copy of (conftest.copies names a
    copy `NNNN_<seed>.txt`)."""
    return [calls_for(path) for path in paths]


def most_calls(paths: list[Path], articles: int) -> int:
    """The calls of the `articles` articles among `paths` whose briefs make the most: what asking that many articles
    again costs at most."""
    return sum(sorted(calls_of(paths), reverse=True)[:articles])


def briefs_in_order(out: Path) -> list[str]:
    return [json.loads(line)["article"]["id"] for line in (out / "briefs.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def redis_server(tmp_path):
    with RedisServer(tmp_path / "redis") as server:
        yield server


# --------------------------------------------------------------------------- workers, kill, redelivery


@pytest.mark.timeout(240)
def test_a_worker_killed_with_sigkill_mid_article_loses_nothing_and_writes_nothing_twice(tmp_path, redis_server, capsys):
    """Three real workers; one is killed (SIGKILL) while it has articles in flight. Its articles are delivered to
    the others: every article ends with one brief, only the in-flight ones were asked twice, briefs.jsonl is whole."""
    articles, out = tmp_path / "articles", tmp_path / "out"
    paths = copies(articles, 30)
    ledger = Ledger(redis_server.client())
    concurrency = 2
    with ReplayServer(ALL_CASSETTES, delay=0.4) as replay, Workers(redis_server.url, tmp_path) as workers:
        victim, *_ = workers.start(3, concurrency)
        job_id = enqueue(batch_args(tmp_path, articles, out, replay.api_base, redis_server.url, no_cache=True), capsys)
        deadline = time.monotonic() + 60
        victim_name = f":{victim.pid}"
        while time.monotonic() < deadline:  # kill it once it has finished an article: it holds the next ones in flight
            rows = [r for r in ledger.rows(job_id) if r]
            if any(r.get("worker", "").endswith(victim_name) for r in rows) and replay.in_flight > 0:
                break
            time.sleep(0.02)
        finished_before = ledger.job(job_id).done
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        assert finished_before < len(paths) - 6, "the job was nearly over before the kill"
        job = wait_done(ledger, job_id, workers=workers)

    rows = ledger.rows(job_id)
    assert job.counts["finished"] == len(paths) and all(r and r["status"] in ("done", "resumed") for r in rows), job.counts
    asked_twice = replay.requests - sum(calls_of(paths))  # the calls made again: only the killed worker's articles in flight
    assert 0 <= asked_twice <= most_calls(paths, concurrency), f"{replay.requests} requests for {len(paths)} articles, {sum(calls_of(paths))} calls"
    for path in paths:  # one whole brief per article
        assert json.loads((out / f"{path.stem}.json").read_text(encoding="utf-8"))["article"]["id"] == path.stem
        assert (out / f"{path.stem}.md").stat().st_size > 0
    assert briefs_in_order(out) == [p.stem for p in paths]
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")], "partial files left behind"
    report = json.loads((out / "run-report.json").read_text(encoding="utf-8"))
    assert report["totals"]["articles"] == len(paths) and report["totals"]["failed"] == 0 and report["settings"]["job"] == job_id


@pytest.mark.timeout(180)
def test_the_redis_cache_is_shared_by_every_worker_and_a_second_job_calls_no_model(tmp_path, redis_server, capsys):
    articles = tmp_path / "articles"
    paths = copies(articles, 10)  # two copies of each seed: 5 distinct briefs
    distinct = sum(calls_per_brief(seed.stem) for seed in SEED_PATHS)  # their distinct answers, one per call
    ledger = Ledger(redis_server.client())
    with ReplayServer(ALL_CASSETTES, delay=0.1) as replay, Workers(redis_server.url, tmp_path) as workers:
        workers.start(2, 2)
        first = enqueue(batch_args(tmp_path, articles, tmp_path / "out1", replay.api_base, redis_server.url), capsys)
        wait_done(ledger, first, workers=workers)
        asked = replay.requests
        second = enqueue(batch_args(tmp_path, articles, tmp_path / "out2", replay.api_base, redis_server.url), capsys)
        wait_done(ledger, second, workers=workers)
    assert distinct <= asked <= sum(calls_of(paths))
    assert replay.requests == asked, "the second job asked a model"
    assert [r["status"] for r in ledger.rows(second)] == ["cached"] * len(paths)
    workers_used = {r["worker"] for r in ledger.rows(first) + ledger.rows(second)}
    assert len(workers_used) == 2, "both workers ran articles"
    assert briefs_in_order(tmp_path / "out2") == [p.stem for p in paths]
    assert cache_info(redis_server.url).startswith(f"{redis_server.url}: {distinct} answers")
    assert cache_clear(redis_server.url) == f"{redis_server.url}: cleared {distinct} answers"
    assert RedisAnswerCache(redis_server.url).count() == 0


@pytest.mark.timeout(180)
def test_a_redis_restart_with_persistence_on_does_not_lose_the_job(tmp_path, capsys):
    """Redis (appendonly yes) is stopped and started again twice: after the job is enqueued, before any worker
    runs, and again while the workers are running it. The job, its queue and its ledger come back."""
    articles, out = tmp_path / "articles", tmp_path / "out"
    paths = copies(articles, 16)
    worker_count, concurrency = 2, 2
    server = RedisServer(tmp_path / "redis", appendonly=True).start()
    try:
        with ReplayServer(ALL_CASSETTES, delay=0.3) as replay:
            job_id = enqueue(batch_args(tmp_path, articles, out, replay.api_base, server.url, no_cache=True), capsys)
            server.stop()
            server.start()
            assert Ledger(server.client()).job(job_id).status == "queued"
            with Workers(server.url, tmp_path) as workers:
                workers.start(worker_count, concurrency)
                ledger = Ledger(server.client())
                deadline = time.monotonic() + 60
                while ledger.job(job_id).done < 4 and time.monotonic() < deadline:
                    time.sleep(0.05)
                server.stop()  # mid-job
                time.sleep(1.0)
                server.start()
                ledger = Ledger(server.client())
                job = wait_done(ledger, job_id, workers=workers)
    finally:
        server.stop()
    assert job.counts["finished"] == len(paths) and job.counts.get("failed", 0) == 0, job.counts
    assert briefs_in_order(out) == [p.stem for p in paths]
    in_flight = worker_count * concurrency  # at most the articles in flight at the restart were asked again, every call
    assert replay.requests <= sum(calls_of(paths)) + most_calls(paths, in_flight), replay.requests


# --------------------------------------------------------------------------- the producer: --wait, status, cancel


@pytest.mark.timeout(120)
def test_wait_follows_the_job_and_writes_the_run_report(tmp_path, redis_server, capsys):
    articles, out = tmp_path / "articles", tmp_path / "out"
    paths = copies(articles, 5)
    with ReplayServer(ALL_CASSETTES) as replay, Workers(redis_server.url, tmp_path) as workers:
        workers.start(1, 2)
        args = batch_args(tmp_path, articles, out, replay.api_base, redis_server.url)
        args.wait = True
        assert enqueue_and_wait(args, BriefTask()) == 0, workers.logs()
    report = json.loads((out / "run-report.json").read_text(encoding="utf-8"))
    assert [r["article"] for r in report["articles"]] == [p.stem for p in paths]
    assert report["totals"]["done"] == 5 and report["interrupted"] is False


@pytest.mark.timeout(120)
def test_a_cancelled_job_is_skipped_by_the_workers(tmp_path, redis_server, capsys):
    from summarizer.scale.commands import cmd_job

    articles, out = tmp_path / "articles", tmp_path / "out"
    copies(articles, 12)
    with ReplayServer(ALL_CASSETTES, delay=0.3) as replay:
        job_id = enqueue(batch_args(tmp_path, articles, out, replay.api_base, redis_server.url, no_cache=True), capsys)
        jobs = argparse.Namespace(action="cancel", id=job_id, broker=redis_server.url, json=False)
        assert cmd_job(jobs) == 0 and "cancelled" in capsys.readouterr().out
        with Workers(redis_server.url, tmp_path) as workers:
            workers.start(1, 2)
            ledger = Ledger(redis_server.client())
            deadline = time.monotonic() + 60
            while ledger.job(job_id).done < 12 and time.monotonic() < deadline:
                time.sleep(0.1)
    assert replay.requests == 0
    assert ledger.job(job_id).counts == {"cancelled": 12, "finished": 12}
    assert wait_for_job(redis_server.url, job_id, quiet=True) == 1
    jobs.action = "status"
    assert cmd_job(jobs) == 0 and f"job {job_id}: cancelled, 12/12 finished" in capsys.readouterr().out


# --------------------------------------------------------------------------- the parts


def test_the_redis_cache_has_the_sqlite_caches_interface(tmp_path, redis_server):
    sqlite, shared = open_cache(tmp_path / "answers.sqlite"), open_cache(redis_server.url)
    assert isinstance(sqlite, AnswerCache) and isinstance(shared, RedisAnswerCache)
    for cache in (sqlite, shared):
        assert cache.get("k1") is None and cache.count() == 0
        cache.put("k1", "local", '{"a": 1}', Usage(prompt_tokens=3, completion_tokens=4))
        cache.put("k2", "local", '{"a": 2}', Usage(prompt_tokens=1, completion_tokens=1))
        hit = cache.get("k1")
        assert (hit.model, hit.value_json, hit.usage.prompt_tokens, hit.usage.completion_tokens) == ("local", '{"a": 1}', 3, 4)
        assert cache.count() == 2 and cache.clear() == 2 and cache.count() == 0
        cache.close()


def test_an_article_delivered_twice_is_counted_once_in_the_ledger(redis_server):
    ledger = Ledger(redis_server.client())
    job_id = ledger.create({"kind": "brief", "out": "/tmp/x", "chain": [], "options": {}, "source": "t", "cache": None}, ["/a.txt", "/b.txt"])
    ledger.enqueued(job_id)
    assert ledger.record(job_id, 0, {"status": "done", "path": "/a.txt"}) == (1, 2)
    assert ledger.record(job_id, 0, {"status": "resumed", "path": "/a.txt"}) == (1, 2)  # the redelivery
    assert ledger.job(job_id).status == "running" and ledger.rows(job_id)[0]["status"] == "done"
    assert ledger.record(job_id, 1, {"status": "failed", "path": "/b.txt"}) == (2, 2)
    assert ledger.job(job_id).counts == {"done": 1, "failed": 1, "finished": 2}
    assert ledger.paths(job_id) == ["/a.txt", "/b.txt"]


def test_an_ended_job_is_kept_for_its_retention_then_forgotten(redis_server):
    client = redis_server.client()
    ledger = Ledger(client, retention=1)
    spec = {"kind": "brief", "out": "/tmp/x", "chain": [], "options": {}, "source": "t", "cache": None}
    done, cancelled, running = (ledger.create(spec, ["/a.txt"]) for _ in range(3))
    ledger.record(done, 0, {"status": "done", "path": "/a.txt"})
    ledger.complete(done)
    ledger.cancel(cancelled)
    ledger.record(running, 0, {"status": "done", "path": "/a.txt"})  # finished, but not marked complete: never expires
    keys = [key for key in client.keys("summarizer:job:*") if key.decode().split(":")[2] in (done, cancelled)]
    assert len(keys) >= 6 and all(0 < client.ttl(key) <= 1 for key in keys)
    assert set(ledger.jobs()) == {done, cancelled, running}
    time.sleep(1.5)
    assert ledger.jobs() == [running] and client.zcard("summarizer:jobs") == 1
    assert ledger.job(running).done == 1 and client.ttl(f"summarizer:job:{running}") == -1


@pytest.mark.timeout(120)
def test_two_workers_asking_the_same_uncached_answers_at_once_pay_for_them_once(redis_server):
    """Two chains with their own state (two workers) share only Redis: the answer cache and the claims. They brief
    the same article at the same moment; every answer is asked by one of them, and the other takes it from the
    cache. Without the claims (the baseline, measured the same way) both pay."""
    article = load_article(SEED_PATHS[0])
    calls = calls_per_brief(SEED_PATHS[0].stem)

    async def two_workers(api_base: str, claims: bool):
        settings = Settings(chain=("local",), options={"local": ModelOptions(api_base=api_base)}, source="tests")
        client = redis_server.client()
        client.flushdb()
        chains = [ModelChain(settings, claims=RedisClaims(client) if claims else None) for _ in range(2)]
        caches = [RedisAnswerCache(redis_server.url) for _ in range(2)]
        briefs = await asyncio.gather(*(brief_article(article, chain, cache) for chain, cache in zip(chains, caches)))
        for cache in caches:
            cache.close()
        return briefs

    with ReplayServer(ALL_CASSETTES[:1], delay=0.3) as replay:
        first, second = asyncio.run(two_workers(replay.api_base, claims=True))
        claimed = replay.answered
        asyncio.run(two_workers(replay.api_base, claims=False))
        unclaimed = replay.answered - claimed
    assert claimed == calls and unclaimed == 2 * calls
    assert first.model_dump(exclude={"provenance"}) == second.model_dump(exclude={"provenance"})
    waited = [call.cache_hit for brief in (first, second) for call in brief.provenance.calls]
    assert waited.count(True) == calls and not redis_server.client().keys("summarizer:claim:*")  # every claim released


@pytest.mark.timeout(60)
def test_a_429_seen_by_one_worker_pauses_the_model_for_every_worker_simulated(redis_server):
    """Simulated fault: the first request gets 429 with Retry-After: 2. Two chains with their own state (two workers)
    share only Redis; the second, starting after the 429, waits the pause out before it asks."""
    settings = Settings(chain=("local",), options={"local": ModelOptions(api_base="")}, source="tests")
    article = load_article(SEED_PATHS[0])

    async def two_workers(api_base: str, replay: ReplayServer):
        settings_here = Settings(chain=settings.chain, options={"local": ModelOptions(api_base=api_base)}, source="tests")
        first = ModelChain(settings_here, pauses=RedisPauses(redis_server.client()))
        second = ModelChain(settings_here, pauses=RedisPauses(redis_server.client()))
        asking = asyncio.ensure_future(brief_article(article, first))
        while replay.faulted == 0:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)
        paused_at = time.monotonic()
        await brief_article(article, second)
        await asking
        return paused_at

    with ReplayServer(ALL_CASSETTES[:1], faults=["429"], retry_after=2) as replay:
        paused_at = asyncio.run(two_workers(replay.api_base, replay))
    calls = calls_per_brief(SEED_PATHS[0].stem)
    assert ALL_CASSETTES[0].stem == f"local_{SEED_PATHS[0].stem}"
    assert replay.requests == 1 + 2 * calls, f"{replay.requests} requests: the 429, then {calls} calls for each worker's brief"
    first_429, *later = replay.request_times
    assert all(t - first_429 >= 1.9 for t in later), [round(t - first_429, 2) for t in later]
    assert min(later) > paused_at + 1.0, "the second worker asked during the first one's pause"
