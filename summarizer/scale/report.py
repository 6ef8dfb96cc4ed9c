"""The run report of a job, from its rows in the ledger: the local batch's report (batch/report.py), plus job and broker.

Written by the worker that finishes a job's last article, and again by a producer that waited (`--wait`), into the
job's output folder as `run-report.json`. An article not run because the job was cancelled is `failed` there, with
that reason, so the totals keep the local batch's meaning.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from summarizer import __version__
from summarizer.batch.report import totals, write_report
from summarizer.scale.ledger import JobState, Ledger

NOT_RUN = "not run: the job was cancelled"


def report_rows(rows: list[dict | None], paths: list[str]) -> list[dict]:
    """Rows in input order, each in the local batch's statuses (a cancelled or missing article is failed)."""
    shown = []
    for index, row in enumerate(rows):
        if row is None or row["status"] == "cancelled":
            path = paths[index] if index < len(paths) else (row or {}).get("path", "")
            shown.append({"path": path, "article": Path(path).stem if path else None, "seconds": 0.0, "status": "failed", "error": NOT_RUN})
        else:
            shown.append(row)
    return shown


def job_report(ledger: Ledger, job: JobState, *, broker: str, interrupted: bool = False) -> dict:
    rows = report_rows(ledger.rows(job.id), ledger.paths(job.id))
    ended = job.finished or datetime.now(UTC).timestamp()
    spec = job.spec
    return {
        "summarizer_version": __version__,
        "started": datetime.fromtimestamp(job.created, UTC).isoformat(timespec="seconds"),
        "finished": datetime.fromtimestamp(ended, UTC).isoformat(timespec="seconds"),
        "wall_seconds": round(ended - job.created, 3),
        "interrupted": interrupted,
        "settings": {"chain": spec["chain"], "concurrency": None, "cache": spec["cache"], "job": job.id, "broker": broker, "status": job.status},
        "totals": totals(rows),
        "articles": rows,
    }


def write_job_report(ledger: Ledger, job: JobState, *, broker: str, interrupted: bool = False) -> tuple[dict, Path]:
    report = job_report(ledger, job, broker=broker, interrupted=interrupted)
    return report, write_report(report, Path(job.spec["out"]))
