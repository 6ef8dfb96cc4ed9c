"""The one runner of any task over many articles: concurrency on one event loop, resume, one failure costs one article.

    paths ──► (up to `concurrency` at a time) load ──► task.request ──► current output kept, or task.produce
          ──► task.write, as soon as it is done ──► at the end (or on interruption) task.finish, and one sync

An article whose output from an earlier run is still current is not redone, so a killed batch run again
finishes only the rest; the temporary files a killed run left are removed first.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from summarizer.batch.files import remove_partial_files
from summarizer.config import DEFAULT_CONCURRENCY
from summarizer.errors import ArticleError, NoValidAnswer
from summarizer.models.cache import AnswerCache
from summarizer.models.chain import ModelChain
from summarizer.schema import Brief, FilledForm
from summarizer.tasks.base import Task
from summarizer.text.article import Article, load_article


@dataclass
class Outcome:
    """What happened to one article of a batch."""

    path: str
    article_id: str | None = None
    result: Brief | FilledForm | None = None  # what was written for it
    error: str | None = None
    resumed: bool = False  # its output from an earlier run was current and was kept: nothing was redone
    seconds: float = 0.0  # wall time spent on it in this run


async def run_task(
    task: Task,
    paths: list[Path],
    chain: ModelChain,
    out_dir: Path,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    cache: AnswerCache | None = None,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Run `task` on every article; one bad article never stops the others. Outcomes come back in input order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_partial_files(out_dir)

    async def work(article: Article, started: float):
        request = task.request(article, chain)
        if (earlier := task.current(out_dir, request)) is not None:
            return earlier, True
        output = await task.produce(request, chain, cache, started)
        task.write(output, out_dir, sync=False)  # the batch syncs once at its end
        return output, False

    def finish(finished: list[Outcome]) -> None:
        task.finish([o.result for o in finished if o.result], out_dir)

    return await run_concurrently(paths, lambda path: file_outcome(path, work), concurrency=concurrency, on_done=on_done, finish=finish)


async def run_concurrently(
    paths: list[Path],
    process: Callable[[Path], Awaitable[Outcome]],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_done: Callable[[Outcome], None] | None = None,
    finish: Callable[[list[Outcome]], None] | None = None,
) -> list[Outcome]:
    """`process` every article, up to `concurrency` at a time, on one event loop; `finish` gets the finished ones,
    in input order, at the end or when the batch is interrupted."""
    limit = asyncio.Semaphore(max(1, concurrency))
    outcomes: dict[int, Outcome] = {}

    async def one(index: int, path: Path) -> None:
        async with limit:
            outcomes[index] = await process(path)
        if on_done:
            on_done(outcomes[index])

    try:
        await asyncio.gather(*(one(i, path) for i, path in enumerate(paths)))
    finally:
        finished = [outcomes[i] for i in sorted(outcomes)]
        if finish:
            finish(finished)
        os.sync()  # the articles' files were written without waiting for the disk: now they are all on it
    return finished


async def file_outcome(path: Path, work: Callable[[Article, float], Awaitable[tuple[Brief | FilledForm, bool]]]) -> Outcome:
    """Load one article and `work` on it (what it returns is written, or was current); every failure is caught and
    reported in one line, so one article never stops a batch."""
    started = time.monotonic()
    outcome = Outcome(path=str(path))
    try:
        article = load_article(path)
        outcome.article_id = article.id
        outcome.result, outcome.resumed = await work(article, started)  # set only once written: unwritten is failed
    except (ArticleError, NoValidAnswer) as err:
        outcome.error = str(err)
    except Exception as err:  # a bug must cost one article, not the batch; it is reported and the exit code says so
        outcome.error = f"{path}: internal error, please report it ({type(err).__name__}: {err})"
    outcome.seconds = round(time.monotonic() - started, 3)
    return outcome
