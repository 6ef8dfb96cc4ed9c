"""An output folder's files: written atomically, temporary files of killed runs removed, done files told from empty ones."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

PARTIAL_SUFFIX = ".partial"  # a file being written; one left behind by a killed run is removed by the next
_partial_numbers = itertools.count()


def atomic_write(path: Path, text: str, *, sync: bool = True) -> None:
    """Write `text` to `path` so that readers see the old file or the whole new one, never a part.

    `sync`: wait until the content is on the disk before the rename. Without it the file is as safe against the
    program being killed (kill -9), but a crash of the machine can leave it empty; a batch writes its articles'
    files so and syncs once at its end."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.{next(_partial_numbers)}{PARTIAL_SUFFIX}")
    try:
        with open(partial, "x", encoding="utf-8") as handle:  # "x": a name of this process alone, never reused
            handle.write(text)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def remove_partial_files(out_dir: Path) -> None:
    """Remove the temporary files a run killed mid-write left in `out_dir`."""
    for partial in out_dir.glob(f".*{PARTIAL_SUFFIX}"):
        partial.unlink(missing_ok=True)


def written(path: Path) -> bool:
    """A file with content: one that a crash of the machine emptied (written, not yet synced) is written again."""
    try:
        return path.stat().st_size > 0
    except OSError:
        return False
