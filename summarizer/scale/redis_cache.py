"""The answer cache in Redis: the SQLite cache's keys and interface (models/cache.py), shared by every worker.

Selected by URL: `open_cache("redis://host:6379/0")` is this cache, any other value the SQLite file it names.
Each answer is one hash, `summarizer:answer:<sha256 key>` (model, answer, prompt_tokens, completion_tokens,
created), the key being exactly the SQLite cache's (models/cache.py `cache_key`). One key per answer, not one big
hash, so a Redis with `maxmemory-policy allkeys-lru` forgets the oldest answers one by one instead of refusing writes,
and a Redis Cluster spreads them over its nodes. `count` and `clear` walk the keys with SCAN (never KEYS), so they
take a while on millions of answers but never block Redis.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import redis

from summarizer.errors import CacheError
from summarizer.models.cache import AnswerCache, CachedAnswer
from summarizer.schema import Usage

ANSWER_PREFIX = "summarizer:answer:"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
SCAN_BATCH = 1000


def is_redis_url(value) -> bool:
    return isinstance(value, str) and value.startswith(REDIS_SCHEMES)


def shown_url(url: str) -> str:
    """The URL without its password, for messages and the run report."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username + ':' if parts.username else ':'}***@{host}{':' + str(parts.port) if parts.port else ''}"
    return urlunsplit(parts._replace(netloc=netloc))


def connect(url: str) -> redis.Redis:
    """A client for `url`, checked with a PING; CacheError (one line) when Redis cannot be reached."""
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5, health_check_interval=30)
        client.ping()
    except (redis.RedisError, ValueError) as err:
        raise CacheError(f"{shown_url(url)}: cannot reach Redis ({err})") from None
    return client


class RedisAnswerCache:
    """Model answers in Redis; the same methods as AnswerCache. Safe to share between threads (redis-py's pool)."""

    def __init__(self, url: str, client: redis.Redis | None = None):
        self.url = url
        self.path = shown_url(url)  # what the run report and messages show as "the cache"
        self.client = client or connect(url)

    def get(self, key: str) -> CachedAnswer | None:
        row = self.client.hmget(ANSWER_PREFIX + key, "model", "answer", "prompt_tokens", "completion_tokens")
        if row[0] is None or row[1] is None:
            return None
        return CachedAnswer(model=row[0].decode(), value_json=row[1].decode(), usage=Usage(prompt_tokens=int(row[2] or 0), completion_tokens=int(row[3] or 0)))

    def put(self, key: str, model: str, answer: str, usage: Usage) -> None:
        mapping = {"model": model, "answer": answer, "prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens, "created": time.time()}
        self.client.hset(ANSWER_PREFIX + key, mapping=mapping)

    def _keys(self):
        yield from self.client.scan_iter(match=ANSWER_PREFIX + "*", count=SCAN_BATCH)

    def count(self) -> int:
        return sum(1 for _ in self._keys())

    def clear(self) -> int:
        """Forget every answer; returns how many there were."""
        removed, batch = 0, []
        for key in self._keys():
            batch.append(key)
            if len(batch) >= SCAN_BATCH:
                removed += self.client.unlink(*batch)
                batch = []
        if batch:
            removed += self.client.unlink(*batch)
        return removed

    def memory_bytes(self) -> int | None:
        """The memory the whole Redis server uses (INFO memory; the answers are most of it on a cache-only Redis)."""
        try:
            return int(self.client.info("memory")["used_memory"])
        except (redis.ResponseError, KeyError, ValueError):
            return None

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> RedisAnswerCache:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_cache(where: str | Path) -> AnswerCache | RedisAnswerCache:
    """The cache `where` names: a redis:// (rediss://, unix://) URL is the Redis cache, anything else a SQLite file."""
    return RedisAnswerCache(where) if is_redis_url(where) else AnswerCache(Path(where))


def cache_info(url: str) -> str:
    """`summarizer cache info` for a Redis cache: one line."""
    with RedisAnswerCache(url) as cache:
        used = cache.memory_bytes()
        size = "" if used is None else f" (the Redis server uses {used / 1e6:.1f} MB)"
        return f"{cache.path}: {cache.count()} answers{size}"


def cache_clear(url: str) -> str:
    """`summarizer cache clear` for a Redis cache: one line."""
    with RedisAnswerCache(url) as cache:
        return f"{cache.path}: cleared {cache.clear()} answers"
