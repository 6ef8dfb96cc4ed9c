"""A job's spec: everything a worker needs to run its articles exactly as the producer's local batch would.

The spec is JSON in the ledger (scale/ledger.py), written once by the producer: the task (brief, or fill with the
form file and table format), the glossary files, the longest document taken, the resolved model chain and its per-model options (so every
worker asks the same models with the same settings, whatever its own environment or config file says), the output
folder, and the answer cache (a redis:// URL, a SQLite file, or none). Paths are absolute: the article files, the
form, the glossaries and the output folder must be on storage every worker reads at the same path.
"""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path

from summarizer.config import MAX_ARTICLE_CHARS, ModelOptions, Settings

KINDS = ("brief", "fill")


def absolute(path) -> str:
    return os.path.abspath(os.fspath(path))


def job_spec(
    *, kind: str, out: Path, settings: Settings, cache: str | None, form: str | None = None, table: str | None = None, glossary: list[Path] = ()
) -> dict:
    if kind not in KINDS:
        raise ValueError(f"unknown task kind {kind!r}")
    return {
        "kind": kind,
        "out": absolute(out),
        "chain": list(settings.chain),
        "options": {name: asdict(options) for name, options in settings.options.items()},
        "source": settings.source,
        "max_chars": settings.max_chars,
        "cache": cache,
        "form": absolute(form) if form else None,
        "table": table,
        "glossary": [absolute(p) for p in glossary],
    }


def spec_settings(spec: dict) -> Settings:
    options = {name: ModelOptions(**values) for name, values in spec["options"].items()}
    return Settings(chain=tuple(spec["chain"]), options=options, source=spec["source"], max_chars=spec.get("max_chars", MAX_ARTICLE_CHARS))


def spec_task(spec: dict):
    """The task the spec names, built as the CLI builds it (a bad form or glossary raises its one-line error)."""
    if spec["kind"] == "brief":
        from summarizer.grounding.termbase import load_termbase
        from summarizer.tasks.brief import BriefTask

        return BriefTask(load_termbase(*spec["glossary"]))
    from summarizer.forms import load_form
    from summarizer.tasks.fill import FillTask

    return FillTask(load_form(Path(spec["form"])), table=spec["table"])
