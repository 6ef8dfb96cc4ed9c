"""Batch jobs of the HTTP service: kept in SQLite with their articles on disk, run with the CLI's batch code.

A job is written whole before its id is returned: its articles as files under `<data>/jobs/<id>/articles/`
and one row in `<data>/jobs.sqlite`. It then runs in the background through the batch runner (batch/runner.py), so
it has the CLI's cache, concurrency and resume rules: outputs are written atomically under
`<data>/jobs/<id>/out/` as each article finishes, and a job that was queued or running when the service
stopped is run again at the next start, redoing only the articles that had not finished.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from summarizer.errors import ConfigError
from summarizer.forms import Form, parse_form

ARTICLE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")  # an article id is a file name: no path, no hidden file
STATUSES = ("queued", "running", "done", "failed")


@dataclass(frozen=True)
class Job:
    id: str
    kind: str  # "brief" or "fill"
    status: str  # one of STATUSES
    models: tuple[str, ...] | None  # the request's chain, None for the service's own
    form: dict | None  # the form's JSON Schema, for a fill job
    article_ids: tuple[str, ...]  # in the order given
    created: float
    finished: float | None
    error: str | None
    folder: Path

    @property
    def out_dir(self) -> Path:
        return self.folder / "out"

    @property
    def paths(self) -> list[Path]:
        """The article files, in the order given: `<id>.html` for an article sent as HTML, else `<id>.txt`."""
        folder = self.folder / "articles"
        return [html if (html := folder / f"{i}.html").is_file() else folder / f"{i}.txt" for i in self.article_ids]

    def parsed_form(self) -> Form | None:
        return None if self.form is None else parse_form(self.form, name=self.form.get("title") or "form", source="job form")


@dataclass(frozen=True)
class ArticleState:
    id: str
    status: str  # pending, done, cached, resumed, failed
    error: str | None
    output: str | None  # file name in the job's out folder


class JobStore:
    """Jobs and the state of each of their articles, in one SQLite file; safe to use from several threads."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        (self.data_dir / "jobs").mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        path = self.data_dir / "jobs.sqlite"
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as err:
            raise ConfigError(f"{path}: cannot open the jobs database ({err})") from None
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(
                """
                CREATE TABLE IF NOT EXISTS jobs (
                    id TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, models TEXT, form TEXT,
                    article_ids TEXT NOT NULL, created REAL NOT NULL, finished REAL, error TEXT);
                CREATE TABLE IF NOT EXISTS articles (
                    job TEXT NOT NULL, id TEXT NOT NULL, status TEXT NOT NULL, error TEXT, output TEXT,
                    PRIMARY KEY (job, id));
                """
            )
            # the columns the queries below read, and a whole file: a damaged one is refused now, not by a 500 later
            self._db.execute("SELECT id, kind, status, models, form, article_ids, created, finished, error FROM jobs LIMIT 0")
            self._db.execute("SELECT job, id, status, error, output FROM articles LIMIT 0")
            (verdict,) = self._db.execute("PRAGMA quick_check(1)").fetchone()
            if verdict != "ok":
                raise sqlite3.DatabaseError(verdict)
        except sqlite3.Error as err:
            self._db.close()
            err = " ".join(str(err).split())[:300]
            raise ConfigError(f"{path}: not a usable jobs database ({err}); move it away to start with no jobs, or give another --data folder") from None

    def create(self, kind: str, articles: list[tuple[str, str, bool]], *, models: tuple[str, ...] | None, form: dict | None) -> Job:
        """A new queued job for `articles` (id, text, is_html); its files are on disk before its row exists."""
        job_id = uuid.uuid4().hex[:16]
        folder = self.data_dir / "jobs" / job_id
        (folder / "articles").mkdir(parents=True)
        for article_id, text, is_html in articles:
            (folder / "articles" / f"{article_id}.{'html' if is_html else 'txt'}").write_text(text, encoding="utf-8")
        ids = [article_id for article_id, _, _ in articles]
        with self._lock:
            self._db.execute("BEGIN")
            self._db.execute(
                "INSERT INTO jobs (id, kind, status, models, form, article_ids, created) VALUES (?, ?, 'queued', ?, ?, ?, ?)",
                (job_id, kind, json.dumps(models) if models else None, json.dumps(form) if form else None, json.dumps(ids), time.time()),
            )
            self._db.executemany("INSERT INTO articles (job, id, status) VALUES (?, ?, 'pending')", [(job_id, i) for i in ids])
            self._db.execute("COMMIT")
        return self.get(job_id)

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            row = self._db.execute("SELECT id, kind, status, models, form, article_ids, created, finished, error FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            return None
        models = tuple(json.loads(row[3])) if row[3] else None
        form = json.loads(row[4]) if row[4] else None
        return Job(row[0], row[1], row[2], models, form, tuple(json.loads(row[5])), row[6], row[7], row[8], self.data_dir / "jobs" / row[0])

    def unfinished(self) -> list[str]:
        """Jobs queued or running (when the service last stopped), oldest first."""
        with self._lock:
            rows = self._db.execute("SELECT id FROM jobs WHERE status IN ('queued', 'running') ORDER BY created").fetchall()
        return [row[0] for row in rows]

    def set_status(self, job_id: str, status: str, error: str | None = None) -> None:
        finished = time.time() if status in ("done", "failed") else None
        with self._lock:
            self._db.execute("UPDATE jobs SET status = ?, error = ?, finished = ? WHERE id = ?", (status, error, finished, job_id))

    def record(self, job_id: str, article_id: str, status: str, error: str | None, output: str | None) -> None:
        with self._lock:
            self._db.execute("UPDATE articles SET status = ?, error = ?, output = ? WHERE job = ? AND id = ?", (status, error, output, job_id, article_id))

    def articles(self, job: Job) -> list[ArticleState]:
        """The job's articles in the order given."""
        with self._lock:
            rows = {r[0]: r for r in self._db.execute("SELECT id, status, error, output FROM articles WHERE job = ?", (job.id,))}
        return [ArticleState(*rows[i]) for i in job.article_ids if i in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()
