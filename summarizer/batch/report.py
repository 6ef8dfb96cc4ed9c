"""Accounting of a batch: per article and in total, tokens, cost, time, models and cache hits; the JSON run report."""

from __future__ import annotations

import errno
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from summarizer import __version__
from summarizer.batch.files import REPORT_FILE, atomic_write, release_reserve
from summarizer.batch.runner import Outcome
from summarizer.schema import total_cost


@dataclass(frozen=True)
class RunSettings:
    """What a batch ran with, as the run report records it."""

    chain: list[str]
    concurrency: int
    cache: str | None  # the answer cache's file; None when the run used none


def article_row(outcome: Outcome) -> dict:
    """One article's line of the report. Tokens and cost are what this run spent: 0 for cached or resumed articles."""
    row = {"path": outcome.path, "article": outcome.article_id, "seconds": outcome.seconds}
    if outcome.result is None:
        return {**row, "status": "failed", "error": outcome.error}
    prov = outcome.result.provenance
    spent = not (outcome.resumed or prov.cache_hit)
    return {
        **row,
        "status": "resumed" if outcome.resumed else "cached" if prov.cache_hit else "done",
        "model": prov.model,
        "cache_hit": prov.cache_hit,
        "attempts": [f"{a.model}: {a.error}" for a in prov.attempts] if spent else [],
        "prompt_tokens": prov.usage.prompt_tokens if spent else 0,
        "completion_tokens": prov.usage.completion_tokens if spent else 0,
        "cost_usd": prov.cost_usd if spent else 0.0,
        "counts": outcome.result.counts(),  # facts kept and rejected for a brief; fields by status for a form
        **_parts(prov.calls),
    }


def _parts(calls) -> dict:
    """For a document asked in parts: how many, and how many of them came from the cache whole (a run that was
    stopped mid-document and run again asks only the parts it had not finished)."""
    parts = sorted({call.part for call in calls if call.part is not None})
    if not parts:
        return {}
    cached = sum(all(call.cache_hit for call in calls if call.part == part) for part in parts)
    return {"parts": len(parts), "parts_from_cache": cached}


def totals(rows: list[dict]) -> dict:
    """The batch in numbers. `cost_usd` is null when some model that was called has no price."""
    costs = [r["cost_usd"] for r in rows if r["status"] != "failed"]
    by_status = {status: sum(1 for r in rows if r["status"] == status) for status in ("done", "cached", "resumed", "failed")}
    models: dict[str, int] = {}
    for r in rows:
        if r["status"] != "failed":
            models[r["model"]] = models.get(r["model"], 0) + 1
    return {
        "articles": len(rows),
        **by_status,
        "prompt_tokens": sum(r.get("prompt_tokens", 0) for r in rows),
        "completion_tokens": sum(r.get("completion_tokens", 0) for r in rows),
        "cost_usd": total_cost(costs, digits=6),
        "answered_by": models,
    }


def run_report(
    outcomes: list[Outcome], *, started: datetime, wall_seconds: float, ran_with: RunSettings, interrupted: bool = False, stopped: str | None = None
) -> dict:
    """The run report. `stopped`: why the batch ended before starting every article (the output folder took no
    more files); the articles it lists are those that finished."""
    rows = [article_row(o) for o in outcomes]
    return {
        "summarizer_version": __version__,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_seconds": round(wall_seconds, 3),
        "interrupted": interrupted,
        "stopped": stopped,
        "settings": asdict(ran_with),
        "totals": totals(rows),
        "articles": rows,
    }


REPORT_ROOM = 16 * 1024  # bytes kept on the output folder's disk for the run report, plus per article:
REPORT_ROOM_PER_ARTICLE = 2 * 1024  # a row with a long failure (every model tried and why) takes ~1 KB


def report_room(articles: int) -> int:
    """The room to keep for the run report of a batch of `articles` (batch/files.py lock_output_folder)."""
    return REPORT_ROOM + REPORT_ROOM_PER_ARTICLE * articles


def write_report(report: dict, out_dir: Path) -> Path:
    """Write the run report; when the disk is full, again in the room kept for it. OSError when it cannot be written."""
    path = out_dir / REPORT_FILE
    # a lone surrogate (an undecodable byte of a file name) as its JSON escape, which is what backslashreplace writes
    text = (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8", "backslashreplace").decode("utf-8")
    try:
        atomic_write(path, text)
    except OSError as err:
        if err.errno not in (errno.ENOSPC, errno.EDQUOT) or not release_reserve(out_dir):
            raise
        atomic_write(path, text)
    return path
