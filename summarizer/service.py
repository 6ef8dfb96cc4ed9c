"""The HTTP service (`summarizer serve`): briefs, forms, verification and batch jobs over HTTP, and the review page.

    POST /v1/briefs        article (text or HTML), optional model chain, optional form -> the brief (and the filled form)
    POST /v1/forms/fill    article and form -> the filled form
    POST /v1/verify        {"article": "<text>", "facts": [...]} -> the facts with the verdicts `summarizer verify` adds
    POST /v1/batches       articles -> a job id (202); GET /v1/batches/{id} -> its status and results
    GET  /review/{id}      a batch's or an article's review page (HTML)
    GET  /healthz          open; everything under /v1/ and /review/ needs `Authorization: Bearer <token>`

Briefs and forms go through the same code as the CLI (pipeline.py, fill.py), with the same model chain, answer
cache and grounding. What is refused: no or wrong token 401; a body over the size limit 413 (the limit stated);
more requests in flight from one client than allowed 429 with Retry-After; a request that does not fit the
schema, an article that cannot be used or a bad form 422 naming the field; no model answering validly 502 with
what was tried. No error response carries a stack trace, and the token is never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from . import __version__
from .article import MAX_ARTICLE_CHARS, Article, ArticleError, article_from_text
from .cache import AnswerCache
from .chain import ModelChain
from .fill import answer_form, fill_batch, fill_request, output_path
from .forms import Form, FormError, parse_form
from .grounding import verify_facts
from .jobs import ARTICLE_ID, Job, JobStore
from .pipeline import ArticleFailed, Outcome, answer, atomic_write, brief_batch, brief_request, write_brief
from .review import entries_from_folder, review_page
from .schema import Attempt, Brief, FilledForm
from .settings import ConfigError, Settings, split_chain

log = logging.getLogger("summarizer.service")

MAX_BODY_BYTES = 4 * 1024 * 1024  # a batch of ~200 articles of ~5,000 characters
CLIENT_CONCURRENCY = 4  # requests in flight at once from one client address
RETRY_AFTER_SECONDS = 5
MAX_BATCH_ARTICLES = 1000
TEXT_LIMIT = MAX_ARTICLE_CHARS * 8  # raw text or HTML of one article; what is left after cleaning has its own limit


@dataclass(frozen=True)
class ServiceConfig:
    settings: Settings
    token: str
    data_dir: Path
    cache_path: Path | None  # None: no answer cache
    max_body: int = MAX_BODY_BYTES
    client_concurrency: int = CLIENT_CONCURRENCY
    concurrency: int = 4  # articles of a batch job in flight at once


# --------------------------------------------------------------------------- request and response bodies

ArticleText = Field(min_length=1, max_length=TEXT_LIMIT, description="The article: plain text, or HTML (boilerplate is stripped).")
ArticleIdField = Field(
    default=None, pattern=ARTICLE_ID.pattern, description="An id for the article (letters, digits, '.', '_', '-'); default: from its content."
)
ModelField = Field(
    default=None, max_length=1000, description="Comma-separated model chain, e.g. 'openai/gpt-4o-mini,local'; default: the service's chain."
)
FormSpec = Field(description="A form: a JSON Schema of an object, or the short YAML form as text (see schemas/forms/).")


class BriefIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    article: str = ArticleText
    id: str | None = ArticleIdField
    html: bool | None = Field(default=None, description="Whether `article` is HTML; default: guessed from the text.")
    model: str | None = ModelField
    form: dict[str, Any] | str | None = Field(default=None, description="A form to fill from the same article (optional).")


class FillIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    article: str = ArticleText
    id: str | None = ArticleIdField
    html: bool | None = None
    model: str | None = ModelField
    form: dict[str, Any] | str = FormSpec


class VerifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    article: str = Field(min_length=1, max_length=TEXT_LIMIT, description="The article text; it is cleaned as the pipeline does.")
    facts: list[dict[str, Any]] = Field(max_length=1000, description="Fact records: objects with value, unit and quote.")


class VerifiedFact(BaseModel):
    """A fact as given, with the verdict added (the same objects `summarizer verify` prints)."""

    model_config = ConfigDict(extra="allow")
    supported: bool
    start: int | None
    end: int | None
    alignment: str | None
    reason: str | None
    hedge: str | None


class BatchArticleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = ArticleText
    id: str | None = ArticleIdField
    html: bool | None = None


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["brief", "fill"] = Field(default="brief", description="brief: a brief of each article; fill: the form filled from each.")
    articles: list[BatchArticleIn] = Field(min_length=1, max_length=MAX_BATCH_ARTICLES)
    model: str | None = ModelField
    form: dict[str, Any] | str | None = Field(default=None, description="The form, for kind 'fill'.")


class BriefOut(BaseModel):
    brief: Brief
    filled_form: FilledForm | None = None
    review: str = Field(description="Path of the article's review page on this service.")


class BatchArticleOut(BaseModel):
    id: str
    status: Literal["pending", "done", "cached", "resumed", "failed"]
    error: str | None = None
    result: Brief | FilledForm | None = None


class BatchOut(BaseModel):
    id: str
    kind: Literal["brief", "fill"]
    status: Literal["queued", "running", "done", "failed"]
    error: str | None = None
    created: float
    finished: float | None = None
    counts: dict[str, int] = Field(description="Articles by status.")
    articles: list[BatchArticleOut]
    review: str


class Problem(BaseModel):
    detail: str


class ModelFailure(BaseModel):
    detail: str
    attempts: list[Attempt] = Field(description="Each model of the chain that was tried, and why it failed.")


ERRORS = {
    401: {"model": Problem, "description": "No or wrong bearer token."},
    413: {"model": Problem, "description": "The request body is over the size limit (stated)."},
    429: {"model": Problem, "description": "Too many requests in flight from this client; see Retry-After."},
}
MODEL_ERRORS = {**ERRORS, 502: {"model": ModelFailure, "description": "No model of the chain answered validly."}}


class Unprocessable(Exception):
    """A request that fits the schema but cannot be used; becomes 422 naming the field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


# --------------------------------------------------------------------------- the guard: token, size, per-client limit


class Guard:
    """ASGI middleware in front of /v1/ and /review/: bearer token (401), body size (413), requests in flight per client (429)."""

    def __init__(self, app, *, token: str, max_body: int, per_client: int):
        self.app, self.token, self.max_body, self.per_client = app, token.encode(), max_body, per_client
        self.in_flight: Counter[str] = Counter()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(("/v1/", "/review/")):
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        if not self._authorised(headers.get(b"authorization", b"")):
            return await _reply(send, 401, {"detail": "missing or wrong bearer token (Authorization: Bearer <token>)"}, {"www-authenticate": "Bearer"})
        too_big = {"detail": f"the request body is over the limit of {self.max_body:,} bytes; send fewer or shorter articles"}
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            return await _reply(send, 413, too_big)
        client = (scope.get("client") or ("unknown", 0))[0]
        if self.in_flight[client] >= self.per_client:
            return await _reply(
                send, 429, {"detail": f"{self.per_client} requests of this client are in flight; wait for one to finish"},
                {"retry-after": str(RETRY_AFTER_SECONDS)},
            )  # fmt: skip
        self.in_flight[client] += 1
        try:
            body = await self._read_body(receive)  # bounded even when no length is declared (chunked)
            if body is None:
                return await _reply(send, 413, too_big)
            await self.app(scope, _replay(body, receive), send)
        finally:
            self.in_flight[client] -= 1
            if not self.in_flight[client]:
                del self.in_flight[client]

    def _authorised(self, header: bytes) -> bool:
        scheme, _, given = header.partition(b" ")
        return scheme.lower() == b"bearer" and hmac.compare_digest(given.strip(), self.token)

    async def _read_body(self, receive) -> bytes | None:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_body:
                return None
            if not message.get("more_body"):
                break
        return b"".join(chunks)


def _replay(body: bytes, receive):
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _reply(send, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
    payload = json.dumps(body).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})


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
        """The service's chain, or the one a request names (comma-separated); 422 on `model` when it cannot be used."""
        if not model:
            return self.chain
        names = split_chain(model)
        if not names:
            raise Unprocessable("model", "the model chain is empty")
        chain = self.chain.with_models(names)
        try:
            chain.validate()
        except ConfigError as err:
            raise Unprocessable("model", str(err)) from None
        return chain

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

    def submitted(self) -> None:
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
            on_done = lambda outcome: self._record(job, form, outcome)  # noqa: E731
            if form:
                await fill_batch(job.paths, form, chain, job.out_dir, concurrency=self.config.concurrency, cache=self.cache, on_done=on_done)
            else:
                await brief_batch(job.paths, chain, job.out_dir, concurrency=self.config.concurrency, cache=self.cache, on_done=on_done)
        except asyncio.CancelledError:
            raise  # the service is stopping: the job stays running and is picked up at the next start
        except Exception as err:  # e.g. a form or chain that no longer validates; the job says why
            self.jobs.set_status(job_id, "failed", f"{type(err).__name__}: {err}")
            log.error("batch %s failed: %s", job_id, err)
            return
        self.jobs.set_status(job_id, "done")

    def _record(self, job: Job, form: Form | None, outcome: Outcome) -> None:
        article_id = outcome.article_id or Path(outcome.path).stem
        if outcome.error:
            self.jobs.record(job.id, article_id, "failed", outcome.error, None)
            return
        status = "resumed" if outcome.resumed else "cached" if outcome.result.provenance.cache_hit else "done"
        output = output_path(job.out_dir, article_id, form).name if form else f"{article_id}.json"
        self.jobs.record(job.id, article_id, status, None, output)


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
    app.add_middleware(Guard, token=config.token, max_body=config.max_body, per_client=config.client_concurrency)

    @app.exception_handler(Unprocessable)
    async def unprocessable(request: Request, err: Unprocessable):
        return JSONResponse(status_code=422, content={"detail": [{"loc": ["body", err.field], "msg": err.message, "type": "value_error"}]})

    @app.exception_handler(ArticleFailed)
    async def model_failed(request: Request, err: ArticleFailed):
        return JSONResponse(status_code=502, content=ModelFailure(detail=str(err), attempts=err.attempts).model_dump())

    @app.exception_handler(Exception)
    async def internal(request: Request, err: Exception):  # a bug: logged here, never a stack trace to the client
        log.error("internal error on %s %s: %s: %s", request.method, request.url.path, type(err).__name__, err)
        return JSONResponse(status_code=500, content={"detail": "internal error; it is logged on the server"})

    @app.get("/healthz", tags=["service"])
    async def healthz() -> dict[str, Any]:
        """Open to all: the service is up, its version and its model chain."""
        return {"status": "ok", "version": __version__, "models": list(config.settings.chain)}

    @app.post("/v1/verify", tags=["facts"], responses={**ERRORS})
    async def verify(body: VerifyIn) -> list[VerifiedFact]:
        """Check fact records against an article: the same contract as `summarizer verify`."""
        article = _article(body.article, "verify", None)
        return verify_facts(article.text, body.facts)

    @app.post("/v1/briefs", tags=["briefs"], responses=MODEL_ERRORS)
    async def briefs(body: BriefIn) -> BriefOut:
        """The grounded bilingual brief of one article; with `form`, that form filled from it too."""
        started = time.monotonic()
        article = _article(body.article, body.id, body.html)
        form = _form(body.form) if body.form is not None else None
        chain = service.chain_for(body.model)
        brief = await answer(brief_request(article, chain), chain, service.cache, started)
        write_brief(brief, service.articles_dir)
        filled = await _fill(article, form, chain) if form else None
        return BriefOut(brief=brief, filled_form=filled, review=f"/review/{article.id}")

    @app.post("/v1/forms/fill", tags=["forms"], responses=MODEL_ERRORS)
    async def forms_fill(body: FillIn) -> FilledForm:
        """A form filled from one article; every field with its evidence, or why it is empty."""
        article = _article(body.article, body.id, body.html)
        form = _form(body.form)
        return await _fill(article, form, service.chain_for(body.model))

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
        service.submitted()
        return _batch_out(job)

    @app.get("/v1/batches/{job_id}", tags=["batches"], responses={**ERRORS, 404: {"model": Problem}})
    async def batch(job_id: str) -> BatchOut:
        """A batch's status, and the result of every article finished so far."""
        job = service.jobs.get(job_id)
        if job is None:
            return JSONResponse(status_code=404, content={"detail": f"no batch {job_id!r}"})
        return _batch_out(job)

    @app.get("/review/{item_id}", tags=["review"], response_class=HTMLResponse, responses={**ERRORS, 404: {"description": "No such batch or article (an HTML page saying so).", "content": {"text/html": {}}}})
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
        if not _is_unicode(text):
            raise Unprocessable(field, "the text holds a lone surrogate (\\ud800-\\udfff), which is not Unicode text")
        try:
            return article_from_text(text, id=article_id or _content_id(text), is_html=is_html)
        except ArticleError as err:
            raise Unprocessable(field, err.problem) from None

    def _form(spec: dict | str) -> Form:
        try:
            return parse_form(spec, source="form")
        except FormError as err:
            raise Unprocessable("form", str(err)) from None

    async def _fill(article: Article, form: Form, chain: ModelChain) -> FilledForm:
        filled = await answer_form(fill_request(article, form, chain), form, chain, service.cache, time.monotonic())
        atomic_write(output_path(service.articles_dir, article.id, form), filled.model_dump_json(indent=2) + "\n")
        return filled

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
            id=job.id, kind=job.kind, status=job.status, error=job.error, created=job.created, finished=job.finished,
            counts=dict(Counter(state.status for state in states)), articles=out, review=f"/review/{job.id}",
        )  # fmt: skip

    return app


def _not_found_page(item_id: str) -> str:
    from html import escape

    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Not found</title></head><body>'
            f"<p>No batch or article {escape(item_id)!r} on this service.</p></body></html>")  # fmt: skip


def _content_id(text: str) -> str:
    return "article-" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
