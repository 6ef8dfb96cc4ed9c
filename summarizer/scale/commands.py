"""The scale-out commands: `summarizer worker`, `summarizer job status|cancel|list`, `brief|fill --broker` (enqueue,
and with --wait follow the job and write its run report), and `summarizer cache info|clear` on a Redis cache."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path

EXIT_FAILED_ARTICLES = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
POLL_SECONDS = 0.5  # how often a waiting producer reads the ledger's counts


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    print(f"summarizer: {message}", file=sys.stderr)
    return code


# --------------------------------------------------------------------------- producer


def enqueue_job(url: str, spec: dict, paths: list[str]) -> str:
    """Write the job to the ledger, then one message per article, in input order; returns the job id. Ctrl-C while
    the messages are sent waits for them all: a job is never left half enqueued."""
    from summarizer.scale.broker import make_broker
    from summarizer.scale.ledger import Ledger
    from summarizer.scale.redis_cache import connect

    client = connect(url)
    ledger = Ledger(client)
    broker, actor = make_broker(url)
    interrupted = []
    previous = signal.getsignal(signal.SIGINT) if _main_thread() else None
    if _main_thread():
        signal.signal(signal.SIGINT, lambda *_: interrupted.append(True))
    try:
        job_id = ledger.create(spec, paths)
        for index, path in enumerate(paths):
            actor.send(job_id, index, path)
        ledger.enqueued(job_id)
    finally:
        if _main_thread():
            signal.signal(signal.SIGINT, previous)
        broker.close()
        client.close()
    if interrupted:
        print(f"summarizer: job {job_id} enqueued whole before stopping", file=sys.stderr)
    return job_id


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def enqueue_and_wait(args: argparse.Namespace, task, paths: list[Path] | None = None) -> int:
    """`summarizer brief|fill ... --broker URL [--wait]`: enqueue the job (its id on stdout); with --wait, one
    progress bar for the whole job, then the run report and the local batch's exit codes. Ctrl-C stops waiting,
    never the job."""
    from summarizer.config import glossary_paths, load_settings
    from summarizer.errors import ArticleError, CacheError, ConfigError
    from summarizer.models.chain import ModelChain
    from summarizer.scale.broker import broker_url
    from summarizer.scale.redis_cache import is_redis_url, shown_url
    from summarizer.scale.spec import absolute, job_spec
    from summarizer.text.article import find_articles

    url = broker_url(getattr(args, "broker", None))
    if not url or not is_redis_url(url):
        return _fail(f"--broker {url or ''}: give a redis://HOST:PORT/DB URL")
    try:
        settings = load_settings(model_arg=args.model, config=args.config, max_chars=getattr(args, "max_chars", None))
        ModelChain(settings).validate()
        if paths is None:
            paths = [path for given in args.paths for path in find_articles(given)]
        glossary = glossary_paths(getattr(args, "glossary", None), args.config) if task.name == "brief" else []
    except (ConfigError, ArticleError) as err:
        return _fail(str(err))
    if args.no_cache:
        cache = None
    elif args.cache:
        cache = args.cache if is_redis_url(args.cache) else absolute(args.cache)
    else:
        cache = url  # the fleet's default: the answer cache in the broker's Redis, so no answer is paid twice
    spec = job_spec(
        kind="brief" if task.name == "brief" else "fill",
        out=Path(args.out),
        settings=settings,
        cache=cache,
        form=getattr(args, "form", None) if task.name != "brief" else None,
        table=getattr(args, "format", None) if task.name != "brief" else None,
        glossary=glossary,
    )
    try:
        job_id = enqueue_job(url, spec, [absolute(p) for p in paths])
    except CacheError as err:
        return _fail(str(err))
    print(job_id, flush=True)
    print(f"summarizer: job {job_id}: {len(paths)} articles queued on {shown_url(url)}; `summarizer job status {job_id}` follows it", file=sys.stderr)
    if not getattr(args, "wait", False):
        return 0
    return wait_for_job(url, job_id, quiet=args.quiet)


def wait_for_job(url: str, job_id: str, *, quiet: bool = False, timeout: float | None = None) -> int:
    """Follow a job until it ends (a progress bar on a terminal, else a line when the count moves, at most every
    2 s), then write its run report and print the summary; exit code 0, 1 (some failed) or 130 (Ctrl-C)."""
    from summarizer.cli import print_summary
    from summarizer.scale.ledger import Ledger
    from summarizer.scale.redis_cache import connect, shown_url
    from summarizer.scale.report import write_job_report

    client = connect(url)
    ledger = Ledger(client)
    job = ledger.job(job_id)
    bar = _Bar(job.total, quiet=quiet)
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        with bar:
            while True:
                job = ledger.job(job_id)
                bar.show(job)
                if job.over or (deadline and time.monotonic() > deadline):
                    break
                time.sleep(POLL_SECONDS)
    except KeyboardInterrupt:
        return _fail(f"stopped waiting; job {job_id} goes on (`summarizer job status {job_id}`, `summarizer job cancel {job_id}`)", EXIT_INTERRUPTED)
    report, where = write_job_report(ledger, job, broker=shown_url(url), interrupted=not job.over)
    client.close()
    print_summary(report, f"summarizer {job.spec.get('kind', 'brief')}")
    print(f"run report: {where}", file=sys.stderr)
    if job.status == "cancelled":
        return _fail(f"job {job_id} was cancelled; {report['totals']['failed']} articles not briefed", EXIT_FAILED_ARTICLES)
    if not job.over:
        return _fail(f"job {job_id} has not ended; `summarizer job status {job_id}`", EXIT_INTERRUPTED)
    failed = report["totals"]["failed"]
    if failed:
        for row in report["articles"]:
            if row["status"] == "failed":
                print(f"FAILED {row['error']}", file=sys.stderr)
        return _fail(f"{failed} of {job.total} articles failed (see the lines above)", EXIT_FAILED_ARTICLES)
    return 0


class _Bar:
    """One progress bar for the whole job (rich, on a terminal), else plain lines."""

    def __init__(self, total: int, *, quiet: bool):
        self.total, self.quiet, self._shown, self._when = total, quiet, -1, 0.0
        self._bar = None
        if sys.stderr.isatty() and not quiet:
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as Bar

            self._bar = Bar(TextColumn("job"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.description}"))
            self._task = self._bar.add_task("", total=total)

    def __enter__(self) -> _Bar:
        if self._bar:
            self._bar.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._bar:
            self._bar.stop()

    def show(self, job) -> None:
        failed = job.counts.get("failed", 0)
        text = f"{job.status}, {failed} failed" if failed else job.status
        if self._bar:
            self._bar.update(self._task, completed=job.done, description=text)
        elif not self.quiet and job.done != self._shown and (time.monotonic() - self._when >= 2 or job.over):
            print(f"job {job.id}: {job.done}/{job.total} finished ({text})", file=sys.stderr, flush=True)
            self._shown, self._when = job.done, time.monotonic()


# --------------------------------------------------------------------------- job, worker, cache


def cmd_job(args: argparse.Namespace) -> int:
    """`summarizer job status ID | cancel ID | list`."""
    from summarizer.errors import CacheError
    from summarizer.scale.broker import broker_url
    from summarizer.scale.ledger import Ledger, UnknownJob
    from summarizer.scale.redis_cache import connect

    url = broker_url(args.broker)
    if not url:
        return _fail("--broker redis://HOST:PORT/DB (or $SUMMARIZER_BROKER) is required")
    try:
        ledger = Ledger(connect(url))
    except CacheError as err:
        return _fail(str(err))
    if args.action == "list":
        for job_id in ledger.jobs():
            job = ledger.job(job_id)
            print(f"{job_id}  {job.status:<10} {job.done}/{job.total}  {job.spec['kind']}  {job.spec['out']}")
        return 0
    if not args.id:
        return _fail(f"job {args.action}: give the job id")
    try:
        if args.action == "cancel":
            changed = ledger.cancel(args.id)
            job = ledger.job(args.id)
            print(f"job {args.id}: {'cancelled' if changed else 'already ' + job.status}; {job.done}/{job.total} finished")
            return 0
        job = ledger.job(args.id)
    except UnknownJob:
        return _fail(f"job {args.id}: no such job on this broker")
    status = {
        "id": job.id,
        "status": job.status,
        "total": job.total,
        "finished": job.done,
        **{s: job.counts.get(s, 0) for s in ("done", "cached", "resumed", "failed", "cancelled")},
        "out": job.spec["out"],
    }
    if getattr(args, "json", False):
        print(json.dumps(status))
    else:
        counts = ", ".join(f"{status[s]} {s}" for s in ("done", "cached", "resumed", "failed", "cancelled") if status[s])
        print(f"job {job.id}: {job.status}, {job.done}/{job.total} finished{' (' + counts + ')' if counts else ''}; output in {job.spec['out']}")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from summarizer.scale.broker import broker_url
    from summarizer.scale.workers import run_worker

    url = broker_url(args.broker)
    if not url:
        return _fail("--broker redis://HOST:PORT/DB (or $SUMMARIZER_BROKER) is required")
    return run_worker(url, args.concurrency, heartbeat_timeout=args.heartbeat_timeout, maintenance_chance=args.maintenance_chance)


def cmd_cache_redis(args: argparse.Namespace) -> int:
    """`summarizer cache info|clear --cache redis://...`."""
    from summarizer.errors import CacheError
    from summarizer.scale.redis_cache import cache_clear, cache_info

    try:
        print(cache_clear(args.cache) if args.action == "clear" else cache_info(args.cache))
    except CacheError as err:
        return _fail(str(err))
    return 0
