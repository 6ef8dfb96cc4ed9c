"""One article of a job, run in a worker with the local batch's task code; its row in the ledger; the job's end.

    message (job id, index, path) ──► job cancelled? row `cancelled`
        ──► load ──► task.request ──► current output kept (resumed), or task.produce ──► task.write (atomic, synced)
        ──► its row in the ledger, once ──► the last article's delivery: briefs.jsonl (or the form's table) in input
            order from the written outputs, partial files removed, the run report, the job `done`

The outputs are written before the message is acknowledged, so a message delivered again (its worker died) finds
the output current and writes nothing: an article is written once. Each file is synced before the rename (the
local batch syncs once at its end; a worker has no end, and the message is acknowledged right after).
A Redis error is not the article's failure: it is raised, so Dramatiq retries the message later.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from pathlib import Path

import redis

from summarizer.batch.files import remove_partial_files
from summarizer.batch.report import article_row
from summarizer.batch.runner import file_outcome
from summarizer.errors import CacheError, SummarizerError
from summarizer.models.chain import ModelChain
from summarizer.scale.claims import RedisClaims
from summarizer.scale.ledger import Ledger
from summarizer.scale.pauses import RedisPauses
from summarizer.scale.redis_cache import open_cache, shown_url
from summarizer.scale.report import write_job_report
from summarizer.scale.spec import spec_settings, spec_task

log = logging.getLogger("summarizer.worker")
WORKER_NAME = f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class JobContext:
    """What a worker builds once per job: the task, the chain (with the shared pauses), the cache, the folder."""

    task: object
    chain: ModelChain
    cache: object | None
    out_dir: Path
    kind: str
    error: str | None = None  # the task could not be built here (a form or glossary this machine cannot read)

    def output(self, article_id: str):
        from summarizer.schema import Brief, FilledForm

        model = Brief if self.kind == "brief" else FilledForm
        try:
            return model.model_validate_json((self.out_dir / self.task.output_file(article_id)).read_bytes())
        except (OSError, ValueError):
            return None


class WorkerJobs:
    """The jobs one worker process has seen, and the article runner its actor calls."""

    def __init__(self, client: redis.Redis, broker_url: str, broker=None):
        self.broker = broker  # scale/broker.py Broker: a new identity after a lost connection
        self.ledger = Ledger(client)
        self.pauses = RedisPauses(client)
        self.claims = RedisClaims(client)
        self.broker_url = broker_url
        self._contexts: dict[str, JobContext] = {}
        self._caches: dict[str, object] = {}

    def context(self, job_id: str) -> JobContext:
        if job_id in self._contexts:
            return self._contexts[job_id]
        spec = self.ledger.job(job_id).spec
        chain = ModelChain(spec_settings(spec), pauses=self.pauses, claims=self.claims)
        try:
            task, error = spec_task(spec), None
        except SummarizerError as err:
            task, error = None, str(err)
        where = spec["cache"]
        if where and where not in self._caches:
            self._caches[where] = open_cache(where)
        out_dir = Path(spec["out"])
        out_dir.mkdir(parents=True, exist_ok=True)
        context = JobContext(task, chain, self._caches.get(where) if where else None, out_dir, spec["kind"], error)
        self._contexts[job_id] = context
        return context

    async def run(self, job_id: str, index: int, path: str) -> None:
        try:
            await self._run(job_id, index, path)
        except (redis.ConnectionError, redis.TimeoutError):
            if self.broker is not None:
                self.broker.new_identity()  # what this worker holds goes back on the queue (scale/broker.py)
            raise

    async def _run(self, job_id: str, index: int, path: str) -> None:
        status = self.ledger.status(job_id)
        if status is None:
            log.warning("job %s: not in the ledger (deleted?); message dropped", job_id)
            return
        if status == "cancelled":
            row = {"path": path, "article": Path(path).stem, "seconds": 0.0, "status": "cancelled", "error": "the job was cancelled"}
            self._recorded(job_id, self.ledger.record(job_id, index, row))
            return
        context = self.context(job_id)
        if context.error:
            row = {"path": path, "article": Path(path).stem, "seconds": 0.0, "status": "failed", "error": f"{WORKER_NAME}: {context.error}"}
            self._recorded(job_id, self.ledger.record(job_id, index, row))
            return
        infrastructure: list[Exception] = []

        async def work(article, started):
            task = context.task
            try:
                request = task.request(article, context.chain)
                if (earlier := task.current(context.out_dir, request)) is not None:
                    return earlier, True
                output = await task.produce(request, context.chain, context.cache, started)
                task.write(output, context.out_dir, sync=True)
                return output, False
            except (redis.RedisError, CacheError) as err:
                infrastructure.append(err)
                raise

        outcome = await file_outcome(Path(path), work, max_chars=context.chain.settings.max_chars)
        if infrastructure:
            raise infrastructure[0]  # Dramatiq retries the message; the article has not failed
        row = {**article_row(outcome), "worker": WORKER_NAME}
        self._recorded(job_id, self.ledger.record(job_id, index, row))

    def _recorded(self, job_id: str, counts: tuple[int, int]) -> None:
        finished, total = counts
        if finished >= total:
            self.finish(job_id)

    def finish(self, job_id: str) -> None:
        """Every article of the job is finished: the batch's files in input order, then the job is done. Any delivery
        that sees the job complete does it again (same content, atomic writes), so a worker dying here loses nothing."""
        context = self.context(job_id)
        if context.task is not None:
            outputs = []
            for row in self.ledger.rows(job_id):
                if row and row["status"] in ("done", "cached", "resumed") and row.get("article"):
                    if (output := context.output(row["article"])) is not None:
                        outputs.append(output)
            context.task.finish(outputs, context.out_dir)
        remove_partial_files(context.out_dir)
        self.ledger.complete(job_id)
        write_job_report(self.ledger, self.ledger.job(job_id), broker=shown_url(self.broker_url))
        log.info("job %s: done", job_id)

    def close(self) -> None:
        for context in self._contexts.values():
            context.chain.close()
        for cache in self._caches.values():
            cache.close()
