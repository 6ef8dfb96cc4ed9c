"""Claims on answers being asked: two workers never pay for the same uncached answer at the same moment.

Before a chain asks a model for an answer the cache lacks, it claims the answer's cache key in Redis
(`summarizer:claim:<key>`, SET NX with an expiry, renewed while the call runs). A worker that finds the key claimed
waits for the answer to reach the shared cache, and takes it from there; if the claimant dies, its claim expires
and the next worker asks. A claim is advice: when Redis cannot be reached, the worker asks anyway.
"""

from __future__ import annotations

import uuid

import redis

CLAIM_PREFIX = "summarizer:claim:"
CLAIM_SECONDS = 60  # a claim's life; the claimant renews it every third of that while its call runs

_RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


class RedisClaims:
    """The claim store a ModelChain consults (`ModelChain(settings, claims=RedisClaims(client))`)."""

    seconds = CLAIM_SECONDS

    def __init__(self, client: redis.Redis, seconds: int = CLAIM_SECONDS):
        self.client, self.seconds = client, seconds
        self.owner = uuid.uuid4().hex  # this process's claims, so it never renews or releases another's
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    def claim(self, key: str) -> bool:
        """True when this process may ask for the answer of `key` (it holds the claim, or Redis cannot say)."""
        try:
            return bool(self.client.set(CLAIM_PREFIX + key, self.owner, nx=True, px=self.seconds * 1000))
        except redis.RedisError:
            return True

    def renew(self, key: str) -> None:
        try:
            self._renew(keys=[CLAIM_PREFIX + key], args=[self.owner, self.seconds * 1000])
        except redis.RedisError:
            pass

    def release(self, key: str) -> None:
        try:
            self._release(keys=[CLAIM_PREFIX + key], args=[self.owner])
        except redis.RedisError:
            pass  # it expires
