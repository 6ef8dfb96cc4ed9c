"""The HTTP service (`summarizer serve`): briefs, forms, verification and batch jobs over HTTP, and the review page.

    POST /v1/briefs        article (text or HTML), optional model chain, optional form -> the brief (and the filled form)
    POST /v1/forms/fill    article and form -> the filled form
    POST /v1/verify        {"article": "<text>", "facts": [...]} -> the facts with the verdicts `summarizer verify` adds
    POST /v1/batches       articles -> a job id (202); GET /v1/batches/{id} -> its status and results
    GET  /review/{id}      a batch's or an article's review page (HTML)
    GET  /healthz          open; everything under /v1/ and /review/ needs `Authorization: Bearer <token>`

Briefs and forms go through the same tasks as the CLI (tasks/brief.py, tasks/fill.py), with the same model chain, answer
cache and grounding. What is refused: no or wrong token 401; a body over the size limit 413 (the limit stated);
more requests in flight from one client than allowed 429 with Retry-After; a request that does not fit the
schema, an article that cannot be used or a bad form 422 naming the field; no model answering validly 502 with
what was tried. No error response carries a stack trace, and the token is never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse

from summarizer import __version__
from summarizer.batch.runner import Outcome, run_task
from summarizer.config import CLIENT_CONCURRENCY, DEFAULT_CONCURRENCY, MAX_BODY_BYTES, Settings, split_chain
from summarizer.errors import ArticleError, ConfigError, FormError, NoValidAnswer
from summarizer.forms import Form, parse_form
from summarizer.grounding.verify import verify_records
from summarizer.models.cache import AnswerCache
from summarizer.models.chain import ModelChain
from summarizer.review.page import entries_from_folder, review_page
from summarizer.schema import Brief, FilledForm
from summarizer.service.bodies import (
    ERRORS,
    MODEL_ERRORS,
    BatchArticleOut,
    BatchIn,
    BatchOut,
    BriefIn,
    BriefOut,
    FillIn,
    ModelFailure,
    Problem,
    Unprocessable,
    VerifiedFact,
    VerifyIn,
)
from summarizer.service.checks import MAX_FACT_NESTING, is_unicode, nesting
from summarizer.service.guard import Guard
from summarizer.service.handoff import hand_to_workers
from summarizer.service.jobs import ARTICLE_ID, Job, JobStore
from summarizer.service.protocol import timed_h11
from summarizer.tasks.brief import BriefTask
from summarizer.tasks.fill import FillTask
from summarizer.text.article import Article, article_from_text

log = logging.getLogger("summarizer.service")


@dataclass(frozen=True)
class ServiceConfig:
    settings: Settings
    token: str
    data_dir: Path
    cache_path: Path | None  # None: no answer cache
    max_body: int = MAX_BODY_BYTES
    client_concurrency: int = CLIENT_CONCURRENCY
    concurrency: int = DEFAULT_CONCURRENCY  # articles of a batch job in flight at once
    broker: str | None = None  # redis://...: batch jobs go to `summarizer worker` processes instead of this process


# --------------------------------------------------------------------------- the app


class Service:
    """The state the routes share: the model chain, the answer cache, the job store and the job runner."""

    def __init__(self, config: ServiceConfig):
        self.config = config
        self.chain = ModelChain(config.settings)
        self.chain.validate()  # a model name litellm cannot route stops the start, in one line
        self.cache = AnswerCache(config.cache_path) if config.cache_path else None
        self.jobs = JobStore(config.data_dir)
        self.articles_dir = config.data_dir / "articles"
        self.articles_dir.mkdir(parents=True, exist_ok=True)
        self._wake = asyncio.Event()
        self._runner: asyncio.Task | None = None

    def chain_for(self, model: str | None) -> ModelChain:
        """The service's chain, or the one a request names (comma-separated); 422 on `model` when it cannot be used.

        A request may name only the chain's own models and those the operator lists in `[service] allowed_models`:
        any other name could reach any litellm endpoint with the server's own keys."""
        if not model:
            return self.chain
        names = split_chain(model)
        if not names:
            raise Unprocessable("model", "the model chain is empty")
        allowed = self.allowed_models()
        refused = [name for name in names if name not in allowed]
        if refused:
            listed = ", ".join(refused)
            raise Unprocessable(
                "model",
                f"{listed}: not a model this service allows; it allows {', '.join(allowed)} "
                "(the operator adds more with [service] allowed_models in the config file)",
            )
        chain = self.chain.with_models(names)
        try:
            chain.validate()
        except ConfigError as err:
            raise Unprocessable("model", str(err)) from None
        return chain

    def allowed_models(self) -> tuple[str, ...]:
        """The models a request may name: the service's chain, then `[service] allowed_models`."""
        settings = self.config.settings
        return tuple(dict.fromkeys((*settings.chain, *settings.service.allowed_models)))

    async def start(self) -> None:
        self._runner = asyncio.create_task(self._run_jobs())

    async def stop(self) -> None:
        if self._runner:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        self.chain.close()
        self.jobs.close()
        if self.cache:
            self.cache.close()

    def job_queued(self) -> None:
        """Wake the job runner: a job was queued."""
        self._wake.set()

    async def _run_jobs(self) -> None:
        """Run queued jobs one after another, oldest first (a restart picks up what was queued or running)."""
        while True:
            self._wake.clear()
            for job_id in self.jobs.unfinished():
                await self.run_job(job_id)
            await self._wake.wait()

    async def run_job(self, job_id: str) -> None:
        job = self.jobs.get(job_id)
        self.jobs.set_status(job_id, "running")
        try:
            chain = self.chain_for(",".join(job.models) if job.models else None)
            form = job.parsed_form()
            task = FillTask(form) if form else BriefTask()
            if self.config.broker:
                await hand_to_workers(self.config.broker, job, chain.settings, task, self.jobs)
                return
            on_done = lambda outcome: self._record(job, task, outcome)  # noqa: E731
            await run_task(task, job.paths, chain, job.out_dir, concurrency=self.config.concurrency, cache=self.cache, on_done=on_done)
        except asyncio.CancelledError:
            raise  # the service is stopping: the job stays running and is picked up at the next start
        except Exception as err:  # e.g. a form or chain that no longer validates; the job says why
            self.jobs.set_status(job_id, "failed", f"{type(err).__name__}: {err}")
            log.error("batch %s failed: %s", job_id, err)
            return
        self.jobs.set_status(job_id, "done")

    def _record(self, job: Job, task: BriefTask | FillTask, outcome: Outcome) -> None:
        article_id = outcome.article_id or Path(outcome.path).stem
        if outcome.error:
            self.jobs.record(job.id, article_id, "failed", outcome.error, None)
            return
        status = "resumed" if outcome.resumed else "cached" if outcome.result.provenance.cache_hit else "done"
        self.jobs.record(job.id, article_id, status, None, task.output_file(article_id))


def create_app(config: ServiceConfig) -> FastAPI:
    service = Service(config)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        await service.start()
        try:
            yield
        finally:
            await service.stop()

    app = FastAPI(
        title="summarizer",
        version=__version__,
        description="Source-grounded bilingual briefs, verified facts and filled forms from news articles.",
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.uvicorn_options = uvicorn_options(config)
    app.add_middleware(
        Guard,
        token=config.token,
        max_body=config.max_body,
        per_client=config.client_concurrency,
        body_timeout=config.settings.service.body_timeout,
    )

    @app.exception_handler(Unprocessable)
    async def unprocessable(request: Request, err: Unprocessable):
        return JSONResponse(status_code=422, content={"detail": [{"loc": ["body", err.field], "msg": err.message, "type": "value_error"}]})

    @app.exception_handler(NoValidAnswer)
    async def model_failed(request: Request, err: NoValidAnswer):
        return JSONResponse(status_code=502, content=ModelFailure(detail=str(err), attempts=err.attempts).model_dump())

    @app.exception_handler(Exception)
    async def internal(request: Request, err: Exception):  # a bug: logged here, never a stack trace to the client
        log.error("internal error on %s %s: %s: %s", request.method, request.url.path, type(err).__name__, err)
        return JSONResponse(status_code=500, content={"detail": "internal error; it is logged on the server"})

    @app.get("/healthz", tags=["service"])
    async def healthz() -> dict[str, Any]:
        """Open to all: the service is up, its version and its model chain."""
        return {"status": "ok", "version": __version__, "models": list(config.settings.chain)}

    @app.post("/v1/verify", tags=["facts"], responses={**ERRORS}, response_model_exclude_unset=True)
    async def verify(body: VerifyIn) -> list[VerifiedFact]:
        """Check fact records against an article: the same contract as `summarizer verify`."""
        article = _article(body.article, "verify", None)
        for n, fact in enumerate(body.facts):  # each record is echoed back as given: deeper, it could not be written
            if nesting(fact) > MAX_FACT_NESTING:
                raise Unprocessable(f"facts.{n}", f"nested deeper than {MAX_FACT_NESTING} levels of lists and objects")
        return verify_records(article.text, body.facts)

    @app.post("/v1/briefs", tags=["briefs"], responses=MODEL_ERRORS)
    async def briefs(body: BriefIn) -> BriefOut:
        """The grounded bilingual brief of one article; with `form`, that form filled from it too."""
        started = time.monotonic()
        article = _article(body.article, body.id, body.html)
        form = _form(body.form) if body.form is not None else None
        chain = service.chain_for(body.model)
        brief = await _run(BriefTask(), article, chain, started)
        filled = await _run(FillTask(form), article, chain, time.monotonic()) if form else None
        return BriefOut(brief=brief, filled_form=filled, review=f"/review/{article.id}")

    @app.post("/v1/forms/fill", tags=["forms"], responses=MODEL_ERRORS)
    async def forms_fill(body: FillIn) -> FilledForm:
        """A form filled from one article; every field with its evidence, or why it is empty."""
        article = _article(body.article, body.id, body.html)
        form = _form(body.form)
        return await _run(FillTask(form), article, service.chain_for(body.model), time.monotonic())

    @app.post("/v1/batches", tags=["batches"], status_code=202, responses=ERRORS)
    async def batches(body: BatchIn) -> BatchOut:
        """Queue articles for briefs (or a form); processed in the background, kept across restarts."""
        if body.kind == "fill" and body.form is None:
            raise Unprocessable("form", "a fill batch needs a form")
        form = _form(body.form) if body.kind == "fill" else None
        service.chain_for(body.model)  # an unknown model is refused now, not when the job runs
        articles, seen = [], set()
        for n, item in enumerate(body.articles):
            article_id = item.id or _content_id(item.text)
            if article_id in seen:
                raise Unprocessable(f"articles.{n}.id", f"article id {article_id!r} is given twice")
            seen.add(article_id)
            _article(item.text, article_id, item.html, field=f"articles.{n}.text")  # refused now, with its place in the list
            articles.append((article_id, item.text, item.html if item.html is not None else False))
        job = service.jobs.create(body.kind, articles, models=split_chain(body.model) if body.model else None, form=form.schema if form else None)
        service.job_queued()
        return _batch_out(job)

    @app.get("/v1/batches/{job_id}", tags=["batches"], responses={**ERRORS, 404: {"model": Problem}})
    async def batch(job_id: str) -> BatchOut:
        """A batch's status, and the result of every article finished so far."""
        job = service.jobs.get(job_id)
        if job is None:
            return JSONResponse(status_code=404, content={"detail": f"no batch {job_id!r}"})
        return _batch_out(job)

    @app.get(
        "/review/{item_id}",
        tags=["review"],
        response_class=HTMLResponse,
        responses={**ERRORS, 404: {"description": "No such batch or article (an HTML page saying so).", "content": {"text/html": {}}}},
    )
    async def review(item_id: str) -> HTMLResponse:
        """The review page of a batch (by its id) or of an article briefed through /v1/briefs (by its id)."""
        job = service.jobs.get(item_id)
        if job is not None:
            return HTMLResponse(review_page(entries_from_folder(job.out_dir), title=f"Batch {job.id} ({job.status})"))
        entries = [e for e in entries_from_folder(service.articles_dir, item_id) if e.id == item_id] if ARTICLE_ID.match(item_id) else []
        if not entries:
            return HTMLResponse(_not_found_page(item_id), status_code=404)
        return HTMLResponse(review_page(entries, title=f"Article {item_id}"))

    def _article(text: str, article_id: str | None, is_html: bool | None, field: str = "article") -> Article:
        if not is_unicode(text):
            raise Unprocessable(field, "the text holds a lone surrogate (\\ud800-\\udfff), which is not Unicode text")
        try:
            return article_from_text(text, id=article_id or _content_id(text), is_html=is_html, max_chars=service.config.settings.max_chars)
        except ArticleError as err:
            raise Unprocessable(field, err.problem) from None

    def _form(spec: dict | str) -> Form:
        try:
            return parse_form(spec, source="form")
        except FormError as err:
            raise Unprocessable("form", str(err)) from None

    async def _run(task: BriefTask | FillTask, article: Article, chain: ModelChain, started: float) -> Brief | FilledForm:
        """One article through `task`, its files written where the review page finds them."""
        output = await task.produce(task.request(article, chain), chain, service.cache, started)
        task.write(output, service.articles_dir)
        return output

    def _batch_out(job: Job) -> BatchOut:
        states = service.jobs.articles(job)
        out = []
        for state in states:
            result = None
            if state.output and (path := job.out_dir / state.output).is_file():
                model = FilledForm if job.kind == "fill" else Brief
                result = model.model_validate_json(path.read_bytes())
            out.append(BatchArticleOut(id=state.id, status=state.status, error=state.error, result=result))
        return BatchOut(
            id=job.id,
            kind=job.kind,
            status=job.status,
            error=job.error,
            created=job.created,
            finished=job.finished,
            counts=dict(Counter(state.status for state in states)),
            articles=out,
            review=f"/review/{job.id}",
        )

    return app


KEEP_ALIVE_SECONDS = 5  # an idle connection between requests is closed after this (uvicorn's default, stated)
MAX_HEADER_BYTES = 16 * 1024  # h11's buffer for a request's start line and headers; more is 400


def uvicorn_options(config: ServiceConfig) -> dict[str, Any]:
    """uvicorn.run's time and size limits for connections: the headers of a request within `[service] header_timeout`
    (protocol.py), an idle keep-alive connection closed, the headers' size bounded. The body's limits are the guard's."""
    return {
        "http": timed_h11(config.settings.service.header_timeout),
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
    }


def _not_found_page(item_id: str) -> str:
    from html import escape

    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Not found</title></head><body>'
        f"<p>No batch or article {escape(item_id)!r} on this service.</p></body></html>"
    )


def _content_id(text: str) -> str:
    return "article-" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
