"""Keeping secrets out of text: API keys and tokens removed from any message before it is shown or written."""

from __future__ import annotations

import os
import re

KEY_PATTERN = re.compile(r"\b(sk|pk|rk|key|gsk|xai)-[A-Za-z0-9_\-]{8,}")
MIN_SECRET_CHARS = 8  # a shorter environment value is too common a string to be told from ordinary text


def secret_values() -> list[str]:
    """The values of every *_KEY / *_TOKEN environment variable long enough to be a secret."""
    return [value for name, value in os.environ.items() if value and len(value) >= MIN_SECRET_CHARS and (name.endswith("_KEY") or name.endswith("_TOKEN"))]


def redact(text: str) -> str:
    """`text` without API keys: every value of a *_KEY/*_TOKEN environment variable, and key-shaped strings."""
    for value in secret_values():
        if value in text:
            text = text.replace(value, "[redacted]")
    return KEY_PATTERN.sub("[redacted]", text)


def one_line(text: str, limit: int = 500) -> str:
    """`text` redacted, on one line, at most `limit` characters: what an error message may show."""
    return " ".join(redact(text).split())[:limit]
