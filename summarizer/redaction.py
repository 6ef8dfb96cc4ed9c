"""Keeping secrets out of text: API keys and tokens removed from any message, log line or model answer before it is shown or written."""

from __future__ import annotations

import os
import re
from functools import lru_cache

KEY_PATTERN = re.compile(r"\b(sk|pk|rk|key|gsk|xai)-[A-Za-z0-9_\-]{8,}")
BEARER_PATTERN = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=\-]{8,}")
# a query parameter that carries a credential: ?token=..., &api_key=..., ?access_token=..., &x-api-key=...
QUERY_PATTERN = re.compile(r"(?i)([?&;](?:[a-z0-9.]*[_.\-])?(?:token|key|apikey|secret|password|signature|sig|auth)=)[^&#\s\"'<>]*")
MIN_SECRET_CHARS = 8  # a shorter value is too common a string to be told from ordinary text; also the shortest fragment removed
SECRET_SUFFIXES = ("_KEY", "_TOKEN", "_SECRET", "_PASSWORD")
# what a provider may put inside a key it echoes: a line break or spaces where it wraps, an escaped newline in JSON
SPLIT = r"(?:\s|\\[nrt])*"
REDACTED = "[redacted]"

_registered: set[str] = set()  # secrets that are not in the environment (e.g. the service's token from the config file)


def register_secret(value: str | None) -> None:
    """Treat `value` as a secret from now on, like a *_KEY / *_TOKEN environment variable."""
    if value and len(value) >= MIN_SECRET_CHARS:
        _registered.add(value)


def secret_values() -> list[str]:
    """The values of every *_KEY / *_TOKEN / *_SECRET / *_PASSWORD environment variable long enough to be a secret,
    and every registered secret."""
    from_env = [value for name, value in os.environ.items() if value and len(value) >= MIN_SECRET_CHARS and name.upper().endswith(SECRET_SUFFIXES)]
    return sorted({*from_env, *_registered}, key=lambda value: (-len(value), value))


@lru_cache(maxsize=16)
def _patterns(values: tuple[str, ...]) -> tuple[re.Pattern, re.Pattern | None]:
    """(the whole value of each secret, whitespace or escaped newlines allowed between its characters;
    any run of MIN_SECRET_CHARS characters of one: the first step of finding a prefix, a half or a middle of it)."""
    whole = re.compile("|".join(SPLIT.join(re.escape(char) for char in value) for value in values))
    grams = sorted({value[i : i + MIN_SECRET_CHARS] for value in values for i in range(len(value) - MIN_SECRET_CHARS + 1)})
    return whole, re.compile("|".join(map(re.escape, grams))) if grams else None


def _without_fragments(text: str, values: tuple[str, ...], grams: re.Pattern) -> str:
    """`text` with every run of at least MIN_SECRET_CHARS characters that is a piece of a secret (its first half,
    its second half, the prefix a provider shows before '****') replaced, each run as long as it goes."""
    out, pos = [], 0
    while match := grams.search(text, pos):
        start, end = match.start(), match.end()
        while end < len(text) and any(text[start : end + 1] in value for value in values):
            end += 1
        out.append(text[pos:start] + REDACTED)
        pos = end
    return "".join(out) + text[pos:] if out else text


def redact_secrets(text: str) -> str:
    """`text` without any secret value: whole, split by whitespace or an escaped newline, or any piece of it of at least
    MIN_SECRET_CHARS characters. Only the values themselves: for model answers, where a key-shaped word may be real text."""
    values = tuple(secret_values())
    if not values or not text:
        return text
    whole, grams = _patterns(values)
    text = whole.sub(REDACTED, text)
    return _without_fragments(text, values, grams) if grams else text


def redact(text: str) -> str:
    """`text` without API keys: every secret value (see redact_secrets), key-shaped strings, bearer tokens and
    credentials in URL query strings. For messages and log lines."""
    text = redact_secrets(text)
    text = KEY_PATTERN.sub(REDACTED, text)
    text = BEARER_PATTERN.sub(lambda m: m.group(1) + REDACTED, text)
    return QUERY_PATTERN.sub(lambda m: m.group(1) + REDACTED, text)


def redact_answer(value):
    """A model's answer (a pydantic model, or the lists, dicts and strings in one) with secret values removed from
    every string in it, so that no output, cache entry or response repeats a key the provider put in the answer.
    The same object when nothing in it holds a secret."""
    if isinstance(value, str):
        return redact_secrets(value)
    if isinstance(value, list | tuple):
        items = [redact_answer(item) for item in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else type(value)(items)
    if isinstance(value, dict):
        items = {key: redact_answer(item) for key, item in value.items()}
        return value if all(items[key] is item for key, item in value.items()) else items
    fields = getattr(type(value), "model_fields", None)
    if fields is not None:  # a pydantic model: only its changed fields are replaced
        changed = {name: new for name in fields if (new := redact_answer(old := getattr(value, name, None))) is not old}
        return value.model_copy(update=changed) if changed else value
    return value


def one_line(text: str, limit: int = 500) -> str:
    """`text` redacted, on one line, at most `limit` characters: what an error message may show."""
    return " ".join(redact(text).split())[:limit]
