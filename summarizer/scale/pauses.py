"""Retry-After pauses shared by every worker: a key in Redis per model, expiring when the pause ends.

A 429 with Retry-After seen by one worker sets `summarizer:pause:<model>` with that expiry (never shortening a
longer pause another worker set), and every worker's chain (models/chain.py, its `pauses`) waits out the key's
time to live before asking that model. A pause is advice: when Redis cannot be reached, the worker keeps its own.
"""

from __future__ import annotations

import redis

PAUSE_PREFIX = "summarizer:pause:"

# set the pause unless the key already outlives it; returns the pause's milliseconds left
_PAUSE = """
local left = redis.call('PTTL', KEYS[1])
local wanted = tonumber(ARGV[1])
if left < wanted then
    redis.call('SET', KEYS[1], '1', 'PX', wanted)
    return wanted
end
return left
"""


class RedisPauses:
    """The pause store a ModelChain consults (`ModelChain(settings, pauses=RedisPauses(client))`)."""

    def __init__(self, client: redis.Redis):
        self.client = client
        self._pause = client.register_script(_PAUSE)

    def pause(self, model: str, seconds: float) -> None:
        try:
            self._pause(keys=[PAUSE_PREFIX + model], args=[max(1, int(seconds * 1000))])
        except redis.RedisError:
            pass  # this worker still pauses on its own

    def remaining(self, model: str) -> float:
        """Seconds before `model` may be asked again (0 when it is not paused)."""
        try:
            left = self.client.pttl(PAUSE_PREFIX + model)
        except redis.RedisError:
            return 0.0
        return left / 1000 if left > 0 else 0.0
