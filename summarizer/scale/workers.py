"""`summarizer worker`: a process that runs articles of any job from the broker, `concurrency` at a time.

Run many, on many machines: `python -m summarizer.scale.workers --broker redis://HOST:6379/0 --concurrency 8`
(or `summarizer worker ...`). Each article runs on the worker's one event loop (Dramatiq's AsyncIO middleware) with
the local batch's task code; Dramatiq's worker threads (one per unit of concurrency) hand it messages. SIGTERM or
Ctrl-C stops taking messages, lets the articles in flight finish and gives the prefetched ones back to the queue; a
second Ctrl-C (or SIGKILL) stops at once, and the articles it held are redelivered to other workers.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

import dramatiq

from summarizer.scale import broker as broker_module
from summarizer.scale.broker import HEARTBEAT_TIMEOUT, MAINTENANCE_CHANCE, make_broker
from summarizer.scale.redis_cache import connect, shown_url
from summarizer.scale.work import WORKER_NAME, WorkerJobs

WORKER_TIMEOUT_MS = 100  # how long an idle consumer sleeps between looks at the queue (Dramatiq's default is 1000)


def run_worker(
    broker_url: str,
    concurrency: int,
    *,
    heartbeat_timeout: float = HEARTBEAT_TIMEOUT,
    maintenance_chance: float = MAINTENANCE_CHANCE,
    stop: threading.Event | None = None,
) -> int:
    """Run articles until `stop` is set (or SIGTERM / SIGINT in the main thread); returns the exit code."""
    from summarizer.errors import CacheError

    if concurrency < 1:
        print(f"summarizer worker: --concurrency {concurrency}: must be at least 1", file=sys.stderr)
        return 2
    try:
        client = connect(broker_url)
    except CacheError as err:
        print(f"summarizer worker: {err}", file=sys.stderr)
        return 2
    warm_up()
    broker, _ = make_broker(broker_url, heartbeat_timeout=heartbeat_timeout, maintenance_chance=maintenance_chance)
    jobs = WorkerJobs(client, broker_url, broker)
    broker_module.handler = jobs
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():

        def on_signal(signum, frame):
            if stop.is_set():
                raise SystemExit(128 + signum)
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
    worker = dramatiq.Worker(broker, worker_threads=concurrency, worker_timeout=WORKER_TIMEOUT_MS)
    worker.start()
    print(f"summarizer worker {WORKER_NAME}: {shown_url(broker_url)}, {concurrency} articles at a time, ready", file=sys.stderr, flush=True)
    try:
        while not stop.wait(0.5):
            pass
        print(f"summarizer worker {WORKER_NAME}: stopping after the articles in flight", file=sys.stderr, flush=True)
    finally:
        worker.stop(timeout=int(broker_module.TIME_LIMIT * 1000))
        jobs.close()
        broker.close()
    return 0


def warm_up() -> None:
    """Import what the first article would (litellm and instructor take seconds), so "ready" means ready."""
    import instructor  # noqa: F401

    from summarizer.grounding.termbase import default_termbase
    from summarizer.models.call import _litellm

    _litellm()
    default_termbase()


def main(argv: list[str] | None = None) -> int:
    from summarizer import logs
    from summarizer.scale.broker import broker_url

    logs.setup()
    parser = argparse.ArgumentParser(prog="summarizer worker", description=__doc__.splitlines()[0])
    add_worker_arguments(parser)
    args = parser.parse_args(argv)
    url = broker_url(args.broker)
    if not url:
        parser.error("--broker redis://HOST:PORT/DB (or $SUMMARIZER_BROKER) is required")
    return run_worker(url, args.concurrency, heartbeat_timeout=args.heartbeat_timeout, maintenance_chance=args.maintenance_chance)


def add_worker_arguments(parser: argparse.ArgumentParser) -> None:
    from summarizer.config import DEFAULT_CONCURRENCY

    parser.add_argument("--broker", help="the broker, redis://HOST:PORT/DB (default $SUMMARIZER_BROKER)")
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY, help=f"articles in flight at once (default {DEFAULT_CONCURRENCY})")
    parser.add_argument(
        "--heartbeat-timeout",
        type=float,
        default=HEARTBEAT_TIMEOUT,
        metavar="SECONDS",
        help=f"a worker silent this long is dead and its articles go to others (default {HEARTBEAT_TIMEOUT:g}; the same on every worker)",
    )
    parser.add_argument(
        "--maintenance-chance",
        type=float,
        default=MAINTENANCE_CHANCE,
        metavar="SHARE",
        help=f"share of broker calls that look for dead workers' articles (default {MAINTENANCE_CHANCE:g})",
    )


if __name__ == "__main__":
    sys.exit(main())
