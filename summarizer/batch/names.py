"""The names of a batch: which files are its articles, which files it writes, and file names shown safely.

Every article's outputs are named after its id (the file name without its suffix), so before any model is
called a batch refuses, in one line naming both files, two articles with one id (`a/same.txt`, `b/same.txt`),
an article whose output would overwrite a file of the batch itself (`run-report.txt` -> run-report.json) or an
input (`notes/x.md` briefed into `notes/`), and an output folder that is an input folder. When an input folder
holds the output folder, the output folder is not walked: its files are outputs, not articles.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from summarizer.batch.files import LOCK_FILE, REPORT_FILE
from summarizer.errors import ArticleError, ConfigError
from summarizer.text.article import find_articles


def find_inputs(given: list[str | Path], out_dir: Path) -> list[Path]:
    """The article files under the given paths, in order, each once, the output folder left out."""
    out_id = _identity(out_dir)
    paths: list[Path] = []
    seen: set[str] = set()
    for name in given:
        root = Path(name)
        if out_id is not None and root.is_dir() and _identity(root) == out_id:
            raise ConfigError(f"--out {out_dir}: is also an input folder ({root}); the next run would read its outputs as articles; pass another --out")
        for path in find_articles(root, skip=out_dir):
            key = os.path.abspath(path)
            if key not in seen:  # the same file named twice (a folder and a file in it, or a repeated argument)
                seen.add(key)
                paths.append(path)
    return paths


def batch_files(task) -> dict[str, str]:
    """The files a batch of `task` writes for the whole batch, by name: what an article's output must not be named."""
    files = {REPORT_FILE: "run report", LOCK_FILE: "lock file"}
    if getattr(task, "name", None) == "brief":
        from summarizer.tasks.brief import JSONL_FILE

        files[JSONL_FILE] = "JSONL of every brief"
    form, table = getattr(task, "form", None), getattr(task, "table", None)
    if form is not None and table:
        files[f"{form.name}.{table}"] = f"table of every filled form ({table})"
    return files


def output_names(task, article_id: str) -> list[str]:
    """The files `task` writes for one article: its output and, beside it, the Markdown of a brief."""
    if (files := getattr(task, "output_files", None)) is not None:  # a task that writes several outputs names them
        return files(article_id)
    main = task.output_file(article_id)
    return [main, str(Path(main).with_suffix(".md"))] if getattr(task, "name", None) == "brief" else [main]


def check_output_names(task, paths: list[Path], out_dir: Path) -> None:
    """An ArticleError (one line naming the files) when two articles would write one file, when an article's output
    would overwrite a file of the batch, or when it would overwrite one of the inputs."""
    reserved = batch_files(task)
    inputs = {_resolved(path): path for path in paths}
    writers: dict[str, Path] = {}
    for path in paths:
        if _undecodable(str(path)):
            raise ArticleError(path, "its name is not valid UTF-8 (an undecodable byte): its outputs could not record it; rename the file or folder")
        for name in output_names(task, path.stem):
            target = out_dir / name
            if name in reserved:
                raise ArticleError(path, f"its output {name} would overwrite the batch's {reserved[name]} ({target}); rename the file")
            if name in writers and writers[name] != path:
                raise ArticleError(path, f"has the same article id {path.stem!r} as {writers[name]}: both would be written to {target}; rename one of them")
            writers[name] = path
            if (overwritten := inputs.get(_resolved(target))) is not None:
                raise ArticleError(overwritten, f"would be overwritten by the output of {path} ({target}); pass another --out")


def _undecodable(text: str) -> bool:
    """A name holding bytes that are not UTF-8 (Python gives them as lone surrogates)."""
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def _identity(path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


# --------------------------------------------------------------------------- names on the terminal

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """`text` safe to print: control and format characters, line and paragraph separators and undecodable bytes
    (lone surrogates) as escapes, as repr() writes them ('\\x1b', '\\n', '\\u202e', '\\udcff'); letters, marks and
    spaces of any script as they are."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or unicodedata.category(ch) == "Zs" else _escape(ch) for ch in text)


def _escape(ch: str) -> str:
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
