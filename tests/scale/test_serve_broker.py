"""`summarizer serve --broker`: the service hands /v1/batches jobs to real worker processes through a real Redis, and
reads their progress from the ledger. The model answers are the recorded ones (tests/replay_server.py)."""

from __future__ import annotations

import os
import time

import pytest
from conftest import SEEDS, calls_for
from scale_helpers import REDIS_SERVER, RedisServer, Workers
from served import served, wait_for_batch

from summarizer.cli import main
from summarizer.scale.ledger import Ledger

pytestmark = pytest.mark.skipif(
    REDIS_SERVER is None and os.environ.get("CI") != "true", reason="Debian's redis-server is not installed: scripts/install --redis"
)


def test_a_batch_posted_to_the_service_is_briefed_by_the_workers(tmp_path):
    seeds = sorted(SEEDS.glob("*.txt"))[:3]
    articles = [{"id": f"w-{path.stem}", "text": path.read_text(encoding="utf-8")} for path in seeds]
    with RedisServer(tmp_path / "redis") as redis_server, Workers(redis_server.url, tmp_path) as workers:
        (tmp_path / "service").mkdir()
        with served(tmp_path / "service", extra=("--broker", redis_server.url)) as (service, replay):
            with service.client() as client:
                accepted = client.post("/v1/batches", json={"articles": articles})
                assert accepted.status_code == 202, accepted.text
                time.sleep(1.0)
                assert replay.answered == 0  # the service itself briefs nothing: it waits for a worker
                workers.start(1, concurrency=4)
                done = wait_for_batch(client, accepted.json()["id"])
                review = client.get(done["review"])
            assert done["status"] == "done", done
            assert [a["id"] for a in done["articles"]] == [a["id"] for a in articles]
            assert all(a["status"] == "done" and a["result"]["article"]["id"] == a["id"] for a in done["articles"]), done  # read from the workers' files
            assert all(a["result"]["facts"] for a in done["articles"])
            assert replay.answered == calls_for(*(a["id"] for a in articles))
            assert review.status_code == 200 and all(a["id"] in review.text for a in articles)
        ledger = Ledger(redis_server.client())
        [ledger_id] = ledger.jobs()
        rows = ledger.rows(ledger_id)
        assert [row["article"] for row in rows] == [a["id"] for a in articles]
        assert {row["worker"].rsplit(":", 1)[1] for row in rows} == {str(workers.processes[0].pid)}  # a worker did them


def test_serve_refuses_a_broker_that_is_not_redis_in_one_line(capsys, monkeypatch):
    monkeypatch.setenv("SUMMARIZER_API_TOKEN", "test-token-FAKE-0123456789abcdef")
    assert main(["serve", "--broker", "http://127.0.0.1:6379"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--broker http://127.0.0.1:6379: give a redis://HOST:PORT/DB URL" in err
