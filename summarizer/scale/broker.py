"""The Dramatiq broker on Redis, from a redis:// URL, and the actor that runs one article of a job.

A message is one article: (job id, its index in the job's input order, the article file's absolute path). The text
does not travel in the message; it sits on the storage every worker reads (where the output folder already has to
be). A message stays ~300 bytes whatever the article, so a queue of a million articles costs Redis ~0.3 GB instead of
the ~25 GB their texts would, and the article a worker briefs is the file as it is when its turn comes, checked by
the same "current output" rule as a local batch (a redelivered message reads it again and finds its output current).

Unfinished messages are redelivered: a worker acknowledges a message only after the article's row is in the ledger;
when a worker dies, the messages it held go back on the queue once its heartbeat is `heartbeat_timeout` seconds old
(Dramatiq's Redis broker: every broker call has a `maintenance_chance` of moving a dead worker's messages back).

When Redis goes away under a live worker (a restart), Dramatiq loses track of the messages that worker held: its
consumer starts afresh, and a retry it could not enqueue is acknowledged later. So a worker that loses its connection
takes a new identity (`new_identity`): the old one stops sending heartbeats, is found dead `heartbeat_timeout` later,
and everything it held goes back on the queue; an acknowledgement under the new identity deletes nothing it did not
fetch. The cost is a second delivery of the articles it held, which find their output current (or their row in the
ledger already written) and write nothing.
"""

from __future__ import annotations

import os
import uuid

import dramatiq
from dramatiq.brokers.redis import MAINTENANCE_SCALE, RedisBroker, _RedisConsumer
from dramatiq.errors import ConnectionClosed
from dramatiq.middleware import AsyncIO

BROKER_ENV = "SUMMARIZER_BROKER"  # the broker URL when --broker is not given
QUEUE = "summarizer"
ACTOR = "summarizer_article"
HEARTBEAT_TIMEOUT = 60.0  # seconds without a heartbeat before a worker's messages are delivered to others
MAINTENANCE_CHANCE = 0.01  # share of broker calls that look for dead workers (Dramatiq's default is 0.001)
TIME_LIMIT = 4 * 3600  # seconds for one article (the embedded model takes up to 30 min a call, with re-asks)
MAX_RETRIES = 20  # a message whose run raised (Redis unreachable), asked again with backoff
MIN_BACKOFF, MAX_BACKOFF = 1.0, 60.0  # seconds between such retries


def broker_url(given: str | None) -> str | None:
    return given or os.environ.get(BROKER_ENV) or None


class Broker(RedisBroker):
    """Dramatiq's Redis broker, with a new identity after a lost connection (see the module's docstring)."""

    def new_identity(self) -> None:
        self.broker_id = str(uuid.uuid4())

    @property
    def consumer_class(self):
        return _Consumer


class _Consumer(_RedisConsumer):
    def __next__(self):
        try:
            return super().__next__()
        except ConnectionClosed:
            self.broker.new_identity()
            raise


def make_broker(url: str, *, heartbeat_timeout: float = HEARTBEAT_TIMEOUT, maintenance_chance: float = MAINTENANCE_CHANCE):
    """The broker for `url` and the article actor declared on it: (broker, actor). The actor's body runs only in a
    worker (scale/workers.py sets `handler`); a producer uses `actor.send` alone."""
    broker = Broker(url=url, heartbeat_timeout=int(heartbeat_timeout * 1000), maintenance_chance=max(1, int(maintenance_chance * MAINTENANCE_SCALE)))
    broker.add_middleware(AsyncIO())
    actor = dramatiq.actor(
        run_article_message,
        broker=broker,
        actor_name=ACTOR,
        queue_name=QUEUE,
        time_limit=TIME_LIMIT * 1000,
        max_retries=MAX_RETRIES,
        min_backoff=int(MIN_BACKOFF * 1000),
        max_backoff=int(MAX_BACKOFF * 1000),
    )
    return broker, actor


handler = None  # the worker's WorkerJobs (scale/work.py), set by run_worker


async def run_article_message(job_id: str, index: int, path: str) -> None:
    """The actor: one article of a job, with the local batch's task code (scale/work.py)."""
    if handler is None:
        raise RuntimeError("no worker handler: run articles with `summarizer worker`")
    await handler.run(job_id, index, path)
