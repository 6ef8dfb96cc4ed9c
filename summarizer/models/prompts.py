"""Prompt templates: Jinja2 files in the package's `prompts/`, rendered into chat messages, identified by a content hash.

Each task `NAME` has two files: `NAME.system.j2` (fixed instructions, the same for every article, so a
server can reuse the cached prefix) and `NAME.user.j2` (ends with the article, fenced as data). Files named
`_*.j2` are parts the templates include (the article and its candidates); they count in every prompt's hash.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import jinja2

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

    @property
    def ref(self) -> PromptRef:
        """The templates' name and the sha256 of their content (read again only when a file changes)."""
        versions = tuple(path.stat().st_mtime_ns for path in self._files())
        return _ref(self, versions)

    def _files(self) -> list[Path]:
        """Its two templates, and the shared parts (`_*.j2`) they may include."""
        parts = [self.directory / f"{self.name}.{part}.j2" for part in ("system", "user")]
        return parts + sorted(self.directory.glob("_*.j2"))

    def messages(self, **variables) -> list[dict[str, str]]:
        environment = _environment(self.directory)
        return [{"role": role, "content": environment.get_template(f"{self.name}.{role}.j2").render(**variables).strip()} for role in ("system", "user")]


@lru_cache(maxsize=64)
def _ref(prompt: Prompt, _versions: tuple[int, ...]) -> PromptRef:
    digest = hashlib.sha256()
    for path in prompt._files():
        digest.update(path.read_bytes())
    return PromptRef(name=prompt.name, sha256=digest.hexdigest())


def load_prompt(name: str) -> Prompt:
    directory = prompts_dir()
    for part in ("system", "user"):
        if not (directory / f"{name}.{part}.j2").is_file():
            raise FileNotFoundError(f"{directory / f'{name}.{part}.j2'}: prompt template missing")
    return Prompt(name=name, directory=directory)
