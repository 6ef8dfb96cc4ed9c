"""`summarizer serve --broker`: a batch job handed to `summarizer worker` processes, its status read from the ledger.

    POST /v1/batches ──► the job's articles on disk (the service's data folder) ──► one message per article on the
    broker (scale/commands.py enqueue_job) ──► workers brief them into the job's out folder ──► the service copies
    each finished article's row from the ledger (scale/ledger.py) into its job store, so GET /v1/batches/{id} and
    the review page read as for a job the service runs itself

The data folder must be storage every worker reads and writes at the same path (as for `brief --broker`). The
ledger's job id is kept in the job's folder (`broker-job`), so a restarted service follows the job it handed over
instead of handing it over twice.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from summarizer.config import Settings
from summarizer.service.jobs import Job, JobStore

POLL_SECONDS = 0.5  # how often the ledger is read while a handed-over job runs
LEDGER_FILE = "broker-job"


async def hand_to_workers(url: str, job: Job, settings: Settings, task, jobs: JobStore) -> None:
    """Enqueue `job` on the broker at `url` (once), then follow it until it ends, recording each finished article."""
    ledger_file = job.folder / LEDGER_FILE
    if ledger_file.is_file():
        ledger_id = ledger_file.read_text(encoding="utf-8").strip()
    else:
        ledger_id = await asyncio.to_thread(_enqueue, url, job, settings)
        ledger_file.write_text(ledger_id + "\n", encoding="utf-8")
    status = await follow(url, ledger_id, job, task, jobs)
    if status == "cancelled":
        jobs.set_status(job.id, "failed", f"cancelled on the broker (`summarizer job cancel {ledger_id}`)")
    else:
        jobs.set_status(job.id, "done")


def _enqueue(url: str, job: Job, settings: Settings) -> str:
    from summarizer.scale.commands import enqueue_job
    from summarizer.scale.spec import job_spec

    form = None
    if job.form is not None:
        form = job.folder / "form.json"  # what the workers read the form from
        form.write_text(json.dumps(job.form, ensure_ascii=False), encoding="utf-8")
    spec = job_spec(kind=job.kind, out=job.out_dir, settings=settings, cache=url, form=str(form) if form else None)
    return enqueue_job(url, spec, [str(path.resolve()) for path in job.paths])


async def follow(url: str, ledger_id: str, job: Job, task, jobs: JobStore) -> str:
    """Copy each article's row from the ledger as it finishes; returns the job's final status there."""
    from summarizer.scale.ledger import Ledger
    from summarizer.scale.redis_cache import connect

    client = connect(url)
    ledger, recorded = Ledger(client), set()
    try:
        while True:
            state = await asyncio.to_thread(ledger.job, ledger_id)
            rows = await asyncio.to_thread(ledger.rows, ledger_id)
            for index, row in enumerate(rows):
                if row is not None and index not in recorded:
                    recorded.add(index)
                    article_id = row.get("article") or Path(row["path"]).stem
                    if row["status"] in ("failed", "cancelled"):
                        jobs.record(job.id, article_id, "failed", row.get("error") or "cancelled before it was started", None)
                    else:
                        jobs.record(job.id, article_id, row["status"], None, task.output_file(article_id))
            if state.over:
                return state.status
            await asyncio.sleep(POLL_SECONDS)
    finally:
        client.close()
