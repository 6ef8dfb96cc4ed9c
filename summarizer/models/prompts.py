"""Prompt templates: Jinja2 files in the package's `prompts/`, rendered into chat messages, identified by a content hash.

Each task `NAME` has a `NAME.system.j2` (fixed instructions, the same for every article) and a user part:
`NAME.user.j2`, or, for a task made of several calls about one article, one `NAME.STEP.j2` per call. The
steps of a task share the system part and open their user part with the same article, so a server reuses the
evaluated prefix from one call to the next. Files named `_*.j2` are parts the templates include (the article,
its sentences and candidates, the re-ask); they count in every prompt's hash.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import jinja2
from pydantic import BaseModel

from summarizer.config import prompts_dir
from summarizer.schema import PromptRef

_FENCE = re.compile(r"<(\s*/?\s*article\s*)>", re.IGNORECASE)


def fenced(text: str) -> str:
    """Article text that cannot close (or reopen) the <article> fence around it: "</article>" -> "‹/article›"."""
    return _FENCE.sub(lambda m: f"‹{m.group(1)}›", text)


@cache
def _environment(directory: Path) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        autoescape=False,
    )
    environment.filters["fenced"] = fenced
    return environment


@dataclass(frozen=True)
class Prompt:
    """One task's pair of templates."""

    name: str
    directory: Path
    step: str = "user"  # the user part: NAME.user.j2, or NAME.STEP.j2 for one call of a task made of several

    @property
    def ref(self) -> PromptRef:
        """The templates' name and the sha256 of their content (read again only when a file changes)."""
        versions = tuple(path.stat().st_mtime_ns for path in self._files())
        return _ref(self, versions)

    def _files(self) -> list[Path]:
        """Its two templates, and the shared parts (`_*.j2`) they may include."""
        parts = [self.directory / f"{self.name}.{part}.j2" for part in ("system", self.step)]
        return parts + sorted(self.directory.glob("_*.j2"))

    def messages(self, **variables) -> list[dict[str, str]]:
        environment = _environment(self.directory)
        return [
            {"role": role, "content": environment.get_template(f"{self.name}.{part}.j2").render(**variables).strip()}
            for role, part in (("system", "system"), ("user", self.step))
        ]


def answer_fields(answer_model: type[BaseModel]) -> list[tuple[str, str]]:
    """The keys of an answer and what each holds (its fields' descriptions): what a prompt lists as the answer's form."""
    return [(name, field.description or "") for name, field in answer_model.model_fields.items()]


@lru_cache(maxsize=64)
def _ref(prompt: Prompt, _versions: tuple[int, ...]) -> PromptRef:
    digest = hashlib.sha256()
    for path in prompt._files():
        digest.update(path.read_bytes())
    return PromptRef(name=prompt.name if prompt.step == "user" else f"{prompt.name}.{prompt.step}", sha256=digest.hexdigest())


def load_prompt(name: str, step: str = "user") -> Prompt:
    directory = prompts_dir()
    for part in ("system", step):
        if not (directory / f"{name}.{part}.j2").is_file():
            raise FileNotFoundError(f"{directory / f'{name}.{part}.j2'}: prompt template missing")
    return Prompt(name=name, directory=directory, step=step)


def render_reask(problem: str) -> str:
    """What a model is told when its answer failed validation (`_reask.j2`), `problem` being the first error (the
    JSON-object path of models/call.py; instructor words its own re-asks)."""
    return _environment(prompts_dir()).get_template("_reask.j2").render(problem=problem).strip()
