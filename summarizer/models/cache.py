"""The cache of model answers: content-addressed, in one SQLite file, keyed on everything that changes the answer.

The key is the sha256 of: the messages sent (they hold the cleaned article text and the rendered prompt),
the prompt templates' own hash, the JSON Schema of the answer's model, the model's identity and the
generation parameters. Change any of them and the key changes, so exactly the answers it affects are
asked again; everything else is answered from here without calling a model.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pydantic import BaseModel

from summarizer.errors import CacheError
from summarizer.schema import PromptRef, Usage

KEY_FORMAT = 1  # bump when what goes into a key changes


@cache
def schema_sha256(model: type[BaseModel]) -> str:
    """The hash of a pydantic model's JSON Schema (field descriptions included: they instruct the model)."""
    return hashlib.sha256(json.dumps(model.model_json_schema(), sort_keys=True).encode()).hexdigest()


def cache_key(*, messages: list[dict[str, str]], prompt: PromptRef, answer_model: type[BaseModel], model: str, generation: dict) -> str:
    """The key of one model request: the sha256 of everything that changes the answer."""
    material = {
        "format": KEY_FORMAT,
        "messages": messages,
        "prompt": [prompt.name, prompt.sha256],
        "schema": [answer_model.__name__, schema_sha256(answer_model)],
        "model": model,
        "generation": generation,
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class CachedAnswer:
    model: str  # the chain name of the model that answered
    value_json: str  # the validated answer, as JSON text
    usage: Usage  # what producing it cost when it was asked


class AnswerCache:
    """Model answers on disk. Safe to share between threads of one process and between processes (SQLite WAL)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a crash loses at most the last answers, never the file
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, model TEXT NOT NULL, answer TEXT NOT NULL,"
                " prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL, created REAL NOT NULL)"
            )
        except (sqlite3.Error, OSError) as err:
            raise CacheError(f"{self.path}: cannot use the cache ({err})") from None
        self._lock = threading.Lock()

    def get(self, key: str) -> CachedAnswer | None:
        with self._lock:
            row = self._db.execute("SELECT model, answer, prompt_tokens, completion_tokens FROM answers WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        return CachedAnswer(model=row[0], value_json=row[1], usage=Usage(prompt_tokens=row[2], completion_tokens=row[3]))

    def put(self, key: str, model: str, answer: str, usage: Usage) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?)",
                (key, model, answer, usage.prompt_tokens, usage.completion_tokens, time.time()),
            )

    def count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM answers").fetchone()[0]

    def clear(self) -> int:
        """Forget every answer; returns how many there were."""
        with self._lock:
            removed = self._db.execute("DELETE FROM answers").rowcount
            self._db.execute("VACUUM")
        return removed

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> AnswerCache:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
