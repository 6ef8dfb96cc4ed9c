"""Prompt templates: Jinja2 files in `prompts/`, rendered into chat messages, identified by a content hash.

Each task `NAME` has two files: `NAME.system.j2` (fixed instructions, the same for every article, so a
server can reuse the cached prefix) and `NAME.user.j2` (ends with the article, fenced as data).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import jinja2

from .schema import PromptRef


def prompts_dir() -> Path:
    return Path(os.environ.get("SUMMARIZER_PROMPTS_DIR") or Path(__file__).resolve().parent.parent / "prompts")


@cache
def _environment(directory: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        autoescape=False,
    )


@dataclass(frozen=True)
class Prompt:
    """One task's pair of templates."""

    name: str
    directory: Path

    def _source(self, part: str) -> str:
        return (self.directory / f"{self.name}.{part}.j2").read_text(encoding="utf-8")

    @property
    def ref(self) -> PromptRef:
        """The templates' name and the sha256 of their content (read again only when a file changes)."""
        versions = tuple((self.directory / f"{self.name}.{part}.j2").stat().st_mtime_ns for part in ("system", "user"))
        return _ref(self, versions)

    def messages(self, **variables) -> list[dict[str, str]]:
        environment = _environment(self.directory)
        return [
            {"role": role, "content": environment.get_template(f"{self.name}.{role}.j2").render(**variables).strip()}
            for role in ("system", "user")
        ]


@lru_cache(maxsize=64)
def _ref(prompt: Prompt, _versions: tuple[int, ...]) -> PromptRef:
    digest = hashlib.sha256()
    for part in ("system", "user"):
        digest.update(prompt._source(part).encode("utf-8"))
    return PromptRef(name=prompt.name, sha256=digest.hexdigest())


def load_prompt(name: str) -> Prompt:
    directory = prompts_dir()
    for part in ("system", "user"):
        if not (directory / f"{name}.{part}.j2").is_file():
            raise FileNotFoundError(f"{directory / f'{name}.{part}.j2'}: prompt template missing")
    return Prompt(name=name, directory=directory)
