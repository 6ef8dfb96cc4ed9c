"""The one runner of any task over many articles: concurrency on one event loop, resume, one failure costs one article.

    paths ──► (up to `concurrency` at a time) load ──► task.request ──► current output kept, or task.produce
          ──► task.write, as soon as it is done ──► at the end (or on interruption) task.finish, and one sync

An article whose output from an earlier run is still current is not redone, so a killed batch run again
finishes only the rest; the temporary files a killed run left are removed first.

One batch at a time writes in a folder (batch/files.py locks it), and its articles' names are checked first
(batch/names.py). When the folder stops taking files (a full disk), the articles in flight finish, no other is
started, and BatchStopped says why once the finished ones are accounted for.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from summarizer.batch.files import NAME_ERRORS, lock_output_folder, remove_partial_files
from summarizer.batch.names import check_output_names
from summarizer.config import DEFAULT_CONCURRENCY, MAX_ARTICLE_CHARS
from summarizer.errors import ArticleError, BatchStopped, NoValidAnswer, OutputWriteError
from summarizer.models.cache import AnswerCache
from summarizer.models.chain import ModelChain
from summarizer.schema import Brief, FilledForm
from summarizer.tasks import base
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
    stops_batch: bool = False  # it failed because the output folder takes no more files: no other article is started


async def run_task(
    task: Task,
    paths: list[Path],
    chain: ModelChain,
    out_dir: Path,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    cache: AnswerCache | None = None,
    on_done: Callable[[Outcome], None] | None = None,
    on_part: Callable[[str, int, int], None] | None = None,
) -> list[Outcome]:
    """Run `task` on every article; one bad article never stops the others. Outcomes come back in input order.
    `on_part` hears each part of a long document as it is answered: (article id, part, parts).
    A ConfigError or ArticleError before any model is called when the folder or the names cannot be used;
    BatchStopped, after the finished articles are accounted for, when the folder stops taking files."""
    check_output_names(task, paths, out_dir)
    base.on_part.set(on_part)  # the articles' asyncio tasks, made below, inherit it
    with lock_output_folder(out_dir):
        remove_partial_files(out_dir)
        stopped: list[str] = []

        async def work(article: Article, started: float):
            request = task.request(article, chain)
            if (earlier := task.current(out_dir, request)) is not None:
                return earlier, True
            output = await task.produce(request, chain, cache, started)
            try:
                task.write(output, out_dir, sync=False)  # the batch syncs once at its end
            except OSError as err:
                raise _write_error(err, out_dir, f"the output of {article.id}", article.path) from None
            return output, False

        def finish(finished: list[Outcome]) -> None:
            stopped.extend(o.error for o in finished if o.stops_batch)
            try:
                task.finish([o.result for o in finished if o.result], out_dir)
            except OSError as err:
                stopped.append(str(_write_error(err, out_dir, "the batch's table of every article", out_dir)))

        def process(path: Path) -> Awaitable[Outcome]:
            return file_outcome(path, work, max_chars=chain.settings.max_chars)

        outcomes = await run_concurrently(paths, process, concurrency=concurrency, on_done=on_done, finish=finish)
    if stopped:
        raise BatchStopped(stopped[0])
    return outcomes


def _write_error(err: OSError, out_dir: Path, what: str, path) -> Exception:
    """An OSError of writing in the output folder: the folder's (full disk, read-only...) stops the batch; one about
    a file's name fails that article (`path`) only."""
    reason = err.strerror or str(err)
    if err.errno in NAME_ERRORS:
        return ArticleError(path, f"cannot write {what} in {out_dir} ({reason}); rename the file")
    return OutputWriteError(f"{out_dir}: cannot write {what} ({reason}); nothing more is written there")


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
    stopping: list[Outcome] = []  # an outcome that stops the batch: no article is started after it

    async def one(index: int, path: Path) -> None:
        async with limit:
            if stopping:
                return
            outcomes[index] = await process(path)
            if outcomes[index].stops_batch:
                stopping.append(outcomes[index])
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


async def file_outcome(
    path: Path, work: Callable[[Article, float], Awaitable[tuple[Brief | FilledForm, bool]]], *, max_chars: int = MAX_ARTICLE_CHARS
) -> Outcome:
    """Load one article and `work` on it (what it returns is written, or was current); every failure is caught and
    reported in one line, so one article never stops a batch."""
    started = time.monotonic()
    outcome = Outcome(path=str(path))
    try:
        article = load_article(path, max_chars=max_chars)
        outcome.article_id = article.id
        outcome.result, outcome.resumed = await work(article, started)  # set only once written: unwritten is failed
    except (ArticleError, NoValidAnswer) as err:
        outcome.error = str(err)
    except OutputWriteError as err:
        outcome.error, outcome.stops_batch = str(err), True
    except Exception as err:  # a bug must cost one article, not the batch; it is reported and the exit code says so
        outcome.error = f"{path}: internal error, please report it ({type(err).__name__}: {err})"
    outcome.seconds = round(time.monotonic() - started, 3)
    return outcome
