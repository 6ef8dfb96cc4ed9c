"""The job ledger in Redis: a job's spec, its articles in input order, each article's status once final, the counts.

    summarizer:job:<id>          hash: spec (JSON, scale/spec.py), status, total, created, finished
    summarizer:job:<id>:paths    list: the articles' paths, in input order
    summarizer:job:<id>:rows     hash: input index -> the article's run-report row (batch/report.py), set once
    summarizer:job:<id>:counts   hash: done / cached / resumed / failed / cancelled -> n, and finished -> n
    summarizer:jobs              sorted set: job ids by creation time

A job's status: enqueuing (its messages are being sent) -> queued -> running -> done, or cancelled (the workers
skip what is left). An article's row is written once, by the first delivery that finishes it (HSETNX in a Lua
script that also counts it), so a message delivered twice never counts an article twice, and the delivery that
makes `finished` equal `total` knows the job is complete. With Redis persistence (appendonly yes) the ledger and
the queued messages survive a restart of Redis.

A job that ended (done or cancelled) is kept RETENTION seconds, then Redis drops its keys and the job list forgets
it: a fleet that runs jobs for years does not fill its Redis with their rows. The outputs stay in the output folder.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field

import redis

JOB_PREFIX = "summarizer:job:"
JOBS = "summarizer:jobs"
STATUSES = ("enqueuing", "queued", "running", "done", "cancelled")
ROW_STATUSES = ("done", "cached", "resumed", "failed", "cancelled")
PATH_BATCH = 5000  # paths written per round trip when a job is created
RETENTION = 30 * 24 * 3600  # seconds a job that ended stays in the ledger

# KEYS: rows, counts, job; ARGV: index, row (JSON), its status. Returns {finished, total}.
_RECORD = """
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
    redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
    redis.call('HINCRBY', KEYS[2], 'finished', 1)
    local status = redis.call('HGET', KEYS[3], 'status')
    if status == 'queued' or status == 'enqueuing' then
        redis.call('HSET', KEYS[3], 'status', 'running')
    end
end
return {tonumber(redis.call('HGET', KEYS[2], 'finished') or '0'), tonumber(redis.call('HGET', KEYS[3], 'total') or '0')}
"""

# KEYS: job. ARGV: from-statuses (comma-separated), to-status. Returns 1 when it changed.
_MOVE = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return -1 end
for s in string.gmatch(ARGV[1], '[^,]+') do
    if s == status then
        redis.call('HSET', KEYS[1], 'status', ARGV[2])
        return 1
    end
end
return 0
"""


class UnknownJob(LookupError):
    """No job of that id in the ledger."""


@dataclass
class JobState:
    id: str
    status: str
    total: int
    spec: dict
    created: float
    finished: float | None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def done(self) -> int:
        """Articles with a final status (any of ROW_STATUSES)."""
        return self.counts.get("finished", 0)

    @property
    def over(self) -> bool:
        """Nothing more will be done: every article finished, or the job cancelled."""
        return self.status in ("done", "cancelled")


class Ledger:
    def __init__(self, client: redis.Redis, *, retention: int = RETENTION):
        self.client, self.retention = client, retention
        self._record = client.register_script(_RECORD)
        self._move = client.register_script(_MOVE)

    @staticmethod
    def _key(job_id: str, part: str = "") -> str:
        return f"{JOB_PREFIX}{job_id}{':' + part if part else ''}"

    def create(self, spec: dict, paths: list[str]) -> str:
        """A new job, status `enqueuing`, with its articles in input order; returns its id."""
        job_id = uuid.uuid4().hex[:16]
        now = time.time()
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(self._key(job_id), mapping={"spec": json.dumps(spec), "status": "enqueuing", "total": len(paths), "created": now})
            pipe.zadd(JOBS, {job_id: now})
            pipe.execute()
        for start in range(0, len(paths), PATH_BATCH):
            self.client.rpush(self._key(job_id, "paths"), *paths[start : start + PATH_BATCH])
        return job_id

    def enqueued(self, job_id: str) -> None:
        """Every message of the job is on the queue."""
        self._move(keys=[self._key(job_id)], args=["enqueuing", "queued"])

    def job(self, job_id: str) -> JobState:
        with self.client.pipeline(transaction=False) as pipe:
            pipe.hgetall(self._key(job_id))
            pipe.hgetall(self._key(job_id, "counts"))
            fields, counts = pipe.execute()
        if not fields:
            raise UnknownJob(job_id)
        text = {k.decode(): v.decode() for k, v in fields.items()}
        return JobState(
            id=job_id,
            status=text["status"],
            total=int(text["total"]),
            spec=json.loads(text["spec"]),
            created=float(text["created"]),
            finished=float(text["finished"]) if "finished" in text else None,
            counts={k.decode(): int(v) for k, v in counts.items()},
        )

    def status(self, job_id: str) -> str | None:
        value = self.client.hget(self._key(job_id), "status")
        return value.decode() if value is not None else None

    def record(self, job_id: str, index: int, row: dict) -> tuple[int, int]:
        """The article at `index` is finished with `row` (kept only if it is the first); returns (finished, total)."""
        finished, total = self._record(
            keys=[self._key(job_id, "rows"), self._key(job_id, "counts"), self._key(job_id)], args=[index, json.dumps(row), row["status"]]
        )
        return int(finished), int(total)

    def rows(self, job_id: str) -> list[dict | None]:
        """Every article's row in input order; None for one not finished yet."""
        total = int(self.client.hget(self._key(job_id), "total") or 0)
        stored = self.client.hgetall(self._key(job_id, "rows"))
        rows: list[dict | None] = [None] * total
        for index, row in stored.items():
            rows[int(index)] = json.loads(row)
        return rows

    def paths(self, job_id: str) -> list[str]:
        return [p.decode() for p in self.client.lrange(self._key(job_id, "paths"), 0, -1)]

    def complete(self, job_id: str) -> None:
        """Every article is finished: the job is done (a cancelled job stays cancelled), with the time it ended."""
        self._move(keys=[self._key(job_id)], args=["enqueuing,queued,running", "done"])
        self.client.hsetnx(self._key(job_id), "finished", time.time())
        self._expire(job_id)

    def cancel(self, job_id: str) -> bool:
        """Cancel a job that has not ended: workers skip its articles not yet started. False if it had ended."""
        moved = self._move(keys=[self._key(job_id)], args=["enqueuing,queued,running", "cancelled"])
        if moved == -1:
            raise UnknownJob(job_id)
        if moved == 1:
            self._expire(job_id)
        return moved == 1

    def _expire(self, job_id: str) -> None:
        """The ended job's keys go after `retention` seconds (the job list forgets it when it reads past them)."""
        with self.client.pipeline(transaction=False) as pipe:
            for part in ("", "paths", "rows", "counts"):
                pipe.expire(self._key(job_id, part), self.retention)
            pipe.execute()

    def jobs(self, limit: int = 20) -> list[str]:
        """The newest job ids, newest first; a job whose keys Redis dropped (past its retention) is forgotten."""
        ids = [j.decode() for j in self.client.zrevrange(JOBS, 0, limit - 1)]
        with self.client.pipeline(transaction=False) as pipe:
            for job_id in ids:
                pipe.exists(self._key(job_id))
            kept = pipe.execute()
        gone = [job_id for job_id, there in zip(ids, kept) if not there]
        if gone:
            self.client.zrem(JOBS, *gone)
        return [job_id for job_id, there in zip(ids, kept) if there]
