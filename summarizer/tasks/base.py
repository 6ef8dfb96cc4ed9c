"""The protocol every task implements, so that one batch runner, the service and the API can run any of them.

A task turns an article into an output (a brief, a filled form) in four steps:

    request = task.request(article, chain)          what to ask, and the cache key of each model's answer
    task.current(out_dir, request)                  the output an earlier run wrote, if it is still current
    output = await task.produce(request, chain, cache, started)
    task.write(output, out_dir)                     its files, written atomically

and `task.finish(outputs, out_dir)` writes what belongs to the whole batch (briefs.jsonl, a form's table).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Protocol, TypeVar

from summarizer.models.cache import AnswerCache
from summarizer.models.chain import ModelChain
from summarizer.schema import Brief, FilledForm
from summarizer.text.article import Article

Output = TypeVar("Output", Brief, FilledForm)

# Who hears that a part of a long document is done (the batch's progress bar): (article id, part, parts).
# A context variable, so that the batch sets it once and every article's task, on its own asyncio task, sees it.
on_part: ContextVar[Callable[[str, int, int], None] | None] = ContextVar("on_part", default=None)


def part_done(article_id: str, part: int, total: int) -> None:
    """Tell whoever follows the batch that `part` of `total` of an article is answered (nothing for one part)."""
    if total > 1 and (hear := on_part.get()) is not None:
        hear(article_id, part, total)


class Task(Protocol[Output]):
    name: str  # what it makes, for messages: "brief", "form"

    def request(self, article: Article, chain: ModelChain): ...

    def current(self, out_dir: Path, request) -> Output | None: ...

    async def produce(self, request, chain: ModelChain, cache: AnswerCache | None, started: float) -> Output: ...

    def write(self, output: Output, out_dir: Path, *, sync: bool = True) -> None: ...

    def output_file(self, article_id: str) -> str: ...

    def finish(self, outputs: list[Output], out_dir: Path) -> None: ...
