"""The exceptions summarizer raises: one root, and a branch per kind of failure.

    SummarizerError                 catch this to catch every expected failure
    ├── ArticleError                an article that cannot be used (empty, binary, too long, unreadable...)
    ├── FormError                   a form file or form spec with a mistake
    ├── ConfigError                 a setting that cannot be used
    ├── CacheError                  the answer cache cannot be opened or used
    ├── OutputWriteError            the output folder stopped taking files (full disk, read-only, removed...)
    ├── BatchStopped                a batch ended early because of that, once its finished articles were accounted for
    └── ModelError                  something went wrong asking models
        ├── ModelCallError          one call to one model failed; `kind` says how (auth, timeout, invalid_output...)
        ├── LocalModelError         the embedded model is not installed, or its server does not start
        └── NoValidAnswer           no model of the chain gave a valid answer for an article (a brief or a form)

Every message is one line, names what it is about (a file, a setting, an article) and holds no secret.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from summarizer.redaction import one_line

if TYPE_CHECKING:
    from summarizer.schema import Attempt, Usage


class SummarizerError(Exception):
    """The root of every error summarizer raises on purpose."""


class ArticleError(SummarizerError):
    """A file that cannot be used as an article. str(err) is ONE line: '<path>: <problem and what to do>'."""

    def __init__(self, path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(self.path, problem)  # args kept so the error pickles across processes

    def __str__(self) -> str:
        return re.sub(r"[\r\n]+", " ", f"{self.path}: {self.problem}")


class FormError(SummarizerError):
    """A form file that cannot be used; one line naming the file, the field and the problem."""


class ConfigError(SummarizerError):
    """A setting that cannot be used. The message is one line naming the setting."""


class CacheError(SummarizerError):
    """The cache file cannot be opened or used (one line, naming the file)."""


class OutputWriteError(SummarizerError):
    """The output folder stopped taking files (full disk, read-only, removed...): one line naming it and why."""


class BatchStopped(SummarizerError):
    """The output folder stopped taking files; the batch ended early. str(err): why, in one line."""


class ModelError(SummarizerError):
    """Asking the models failed."""


class ModelCallError(ModelError):
    """A model call that failed. `kind` is one of: auth, rate_limit, timeout, connection, server,
    bad_request, not_found, invalid_output, truncated, not_recorded, unknown. The message is one line, without secrets.
    `dropped`: a connection error where the connection was made and then lost before the whole answer came (the
    server closed it, or it was reset), as when a server closes an idle kept-alive connection just as a request is
    sent on it."""

    def __init__(self, kind: str, message: str, usage: Usage | None = None, retry_after: float | None = None, dropped: bool = False):
        from summarizer.schema import Usage

        self.kind = kind
        self.usage = usage or Usage()
        self.retry_after = retry_after  # seconds the provider asked us to wait (Retry-After), if it did
        self.dropped = dropped
        super().__init__(f"{kind}: {one_line(message)}")


class LocalModelError(ModelError):
    """The local model cannot be assembled or served. The message is one line saying what to do."""


class NoValidAnswer(ModelError):
    """No model of the chain gave a valid answer for this article; `attempts` says what each model did."""

    def __init__(self, article_id: str, attempts: list[Attempt], task: str = "answer"):
        self.attempts = attempts
        tried = "; ".join(f"{a.model}: {a.error}" for a in attempts) or "the chain is empty"
        super().__init__(f"{article_id}: no model produced a valid {task} ({tried})")
