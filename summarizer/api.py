"""The public Python API: `brief`, `fill` and `verify` one article, with the same cleaning, chain, cache and grounding
as the command line, and the async twins `abrief` and `afill`.

    >>> import summarizer
    >>> b = summarizer.brief("seeds/000_25d47c26562bab5c.txt", models=["local"])
    >>> b.title_en, [(f.what_en, f.value) for f in b.facts][:2]

Every failure is a `summarizer.SummarizerError` (see summarizer/errors.py) with a one-line message.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Sequence
from pathlib import Path

from summarizer.config import MAX_ARTICLE_CHARS, cache_path, glossary_paths, load_settings
from summarizer.errors import FormError
from summarizer.forms import Form, load_form, parse_form
from summarizer.grounding.verify import verify_records
from summarizer.models.cache import AnswerCache
from summarizer.models.chain import ModelChain
from summarizer.schema import Brief, FilledForm
from summarizer.tasks.brief import BriefTask
from summarizer.tasks.fill import FillTask
from summarizer.text.article import Article, article_from_text, load_article

ArticleInput = str | os.PathLike
ModelsInput = Sequence[str] | str | None
CacheInput = bool | str | os.PathLike


def brief(article: ArticleInput, *, models: ModelsInput = None, config: str | os.PathLike | None = None, cache: CacheInput = True) -> Brief:
    """The grounded bilingual brief of one article.

    Parameters:
        article: the article's text (plain text or HTML), or the path of its file (`.txt`, `.md`, `.html`).
        models: the model chain, e.g. `["openai/gpt-4o-mini", "local"]` or `"local"`; default as for the
            command line (`$SUMMARIZER_MODELS`, the config file, else the default chain).
        config: a `summarizer.toml` with per-model options and `glossary` files (default `$SUMMARIZER_CONFIG` or
            `./summarizer.toml`).
        cache: `True` for the default answer cache, `False` for none, or the path of a cache file.

    Returns a `summarizer.schema.Brief`: its facts carry offsets into `brief.article.text`.
    Raises `ArticleError` for an article that cannot be used, `ConfigError` for bad settings, and
    `NoValidAnswer` when no model of the chain answers validly.

        >>> b = summarizer.brief("Đảng bộ Phường 6 có 327 đảng viên ...", models="local")
    """
    return asyncio.run(abrief(article, models=models, config=config, cache=cache))


async def abrief(article: ArticleInput, *, models: ModelsInput = None, config: str | os.PathLike | None = None, cache: CacheInput = True) -> Brief:
    """`brief`, awaited: for code that already runs an event loop.

    >>> b = await summarizer.abrief(Path("seeds/000_25d47c26562bab5c.txt"), models=["local"])
    """
    from summarizer.grounding.termbase import load_termbase

    glossaries = glossary_paths(None, os.fspath(config) if config else None)  # `glossary = [...]` of the config file
    return await _run(BriefTask(load_termbase(*glossaries) if glossaries else None), article, models, config, cache)


def fill(
    article: ArticleInput,
    form: str | os.PathLike | dict | Form,
    *,
    models: ModelsInput = None,
    config: str | os.PathLike | None = None,
    cache: CacheInput = True,
) -> FilledForm:
    """A user-defined form filled from one article, every field with its evidence or the reason it is empty.

    Parameters:
        article: the article's text, or the path of its file.
        form: the path of a form file (a JSON Schema `.json`, or a short YAML form `.yaml`), a JSON Schema as a
            dict, the YAML form as text, or a `summarizer.forms.Form`.
        models, config, cache: as for `brief`.

    Returns a `summarizer.schema.FilledForm`: `values` is valid against the form; `fields` holds the evidence.
    Raises `FormError` for a form with a mistake, and otherwise as `brief`.

        >>> f = summarizer.fill("seeds/000_25d47c26562bab5c.txt", "schemas/forms/ward_party_profile.json", models="local")
        >>> f.values.get("party_members")
    """
    return asyncio.run(afill(article, form, models=models, config=config, cache=cache))


async def afill(
    article: ArticleInput,
    form: str | os.PathLike | dict | Form,
    *,
    models: ModelsInput = None,
    config: str | os.PathLike | None = None,
    cache: CacheInput = True,
) -> FilledForm:
    """`fill`, awaited."""
    return await _run(FillTask(_form(form)), article, models, config, cache)


def verify(article: ArticleInput, records: list[dict]) -> list[dict]:
    """Check fact records and statements against an article, as `summarizer verify` does.

    Parameters:
        article: the article's text or the path of its file; it is cleaned as the command line cleans it, so the
            offsets agree with those of a brief.
        records: facts (objects with `value`, `unit` and `quote`) and statements (objects with `text`, a sentence in
            English or Vietnamese, and optionally `source`, a quote of the article; without it, the whole article).

    Returns the records in order: a fact with `supported`, `start`, `end`, `alignment`, `reason` and `hedge` added;
    a statement with `supported`, `start`/`end` of its source and `problems` (each with `kind`, `text`, `reason`).

        >>> summarizer.verify(text, [{"value": 327, "unit": "đảng viên", "quote": "327 đảng viên"}])[0]["supported"]
        True
    """
    return verify_records(_article(article, MAX_ARTICLE_CHARS).text, records)


# --------------------------------------------------------------------------- shared


async def _run(task: BriefTask | FillTask, article: ArticleInput, models: ModelsInput, config, cache: CacheInput):
    names = ",".join(models) if models is not None and not isinstance(models, str) else models
    settings = load_settings(model_arg=names or None, config=os.fspath(config) if config else None)
    loaded = _article(article, settings.max_chars)  # a bad article is refused before any model is started
    answers = _cache(cache)
    try:
        with ModelChain(settings) as chain:
            chain.validate()
            return await task.produce(task.request(loaded, chain), chain, answers, time.monotonic())
    finally:
        if answers:
            answers.close()


def _article(article: ArticleInput, max_chars: int) -> Article:
    """A path (a PathLike, or a one-line string naming a file) is read from disk; any other string is the text."""
    if isinstance(article, os.PathLike) or ("\n" not in article and len(article) < 4096 and Path(article).is_file()):
        return load_article(article, max_chars=max_chars)
    return article_from_text(article, max_chars=max_chars)


def _form(form: str | os.PathLike | dict | Form) -> Form:
    if isinstance(form, Form):
        return form
    if isinstance(form, dict):
        return parse_form(form, source="form", syntax="json")
    if isinstance(form, os.PathLike) or ("\n" not in form and Path(form).suffix in (".json", ".yaml", ".yml")):
        return load_form(Path(form))
    if not form.strip():
        raise FormError("form: empty; pass a form file's path, a JSON Schema or the YAML form")
    return parse_form(form, source="form")


def _cache(cache: CacheInput) -> AnswerCache | None:
    if cache is False:
        return None
    return AnswerCache(cache_path() if cache is True else Path(cache))
