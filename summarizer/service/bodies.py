"""The service's request and response bodies (pydantic), which are also its OpenAPI spec."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from summarizer.config import MAX_ARTICLE_CHARS
from summarizer.schema import Attempt, Brief, FilledForm
from summarizer.service.jobs import ARTICLE_ID

MAX_BATCH_ARTICLES = 1000
TEXT_LIMIT = MAX_ARTICLE_CHARS * 8  # raw text or HTML of one article; what is left after cleaning has its own limit

ArticleText = Field(min_length=1, max_length=TEXT_LIMIT, description="The article: plain text, or HTML (boilerplate is stripped).")
ArticleIdField = Field(
    default=None, pattern=ARTICLE_ID.pattern, description="An id for the article (letters, digits, '.', '_', '-'); default: from its content."
)
ModelField = Field(default=None, max_length=1000, description="Comma-separated model chain, e.g. 'openai/gpt-4o-mini,local'; default: the service's chain.")
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
    article: str = Field(min_length=1, max_length=TEXT_LIMIT, description="The article text; it is cleaned as `summarizer brief` does.")
    facts: list[dict[str, Any]] = Field(
        max_length=1000,
        description="Fact records (objects with value, unit and quote) and statements (objects with text, a sentence in English "
        "or Vietnamese, and optionally source, a quote of the article); one list may mix both.",
    )


class StatementProblem(BaseModel):
    kind: str = Field(description="number, currency, unit, scale, date, name, office or direction.")
    text: str = Field(description="As written in the statement.")
    reason: str


class VerifiedFact(BaseModel):
    """A fact or statement as given, with the verdict added (the same objects `summarizer verify` prints)."""

    model_config = ConfigDict(extra="allow")
    supported: bool
    start: int | None = Field(description="Of the fact's quote, or of the statement's source, in the cleaned article.")
    end: int | None
    alignment: str | None = Field(default=None, description="For a fact: how its quote was found.")
    reason: str | None
    hedge: str | None = Field(default=None, description="For a fact: the hedge on its number.")
    problems: list[StatementProblem] | None = Field(default=None, description="For a statement: what it says that its source does not.")


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
