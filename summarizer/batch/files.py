"""An output folder's files: written atomically, one batch at a time, temporary files of killed runs removed,
done files told from empty ones, room kept for the run report.

    lock_output_folder(out)   the folder usable (created if missing, writable, some room on its disk) and locked:
                              a second batch on it refuses, naming the process that holds it
    remove_partial_files(out) the temporary files of writers that are gone (never those of a live process)
    atomic_write(path, text)  readers see the old file or the whole new one, never a part
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import time
from collections.abc import Iterator
from pathlib import Path

from summarizer.errors import ConfigError

REPORT_FILE = "run-report.json"  # the run report of a batch (batch/report.py)
PARTIAL_SUFFIX = ".partial"  # a file being written; one left behind by a killed run is removed by the next
LOCK_FILE = ".summarizer.lock"  # held (flock) by the batch writing in a folder; holds its PID; removed at its end
STALE_PARTIAL_SECONDS = 3600.0  # no write takes this long: an older temporary file is removed even if its PID is alive (reused)
_partial_numbers = itertools.count()

# Errors of writing one file that are about its name, not the folder: that article fails, the batch goes on.
NAME_ERRORS = frozenset({errno.ENAMETOOLONG, errno.EILSEQ, errno.EINVAL})


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
    """Remove the temporary files a killed run left in `out_dir`: those whose writer (the PID in the name) is gone,
    or that are older than any write takes. Another process's file being written is never removed."""
    for partial in out_dir.glob(f".*{PARTIAL_SUFFIX}"):
        if not _writer_alive(partial):
            partial.unlink(missing_ok=True)


def _writer_alive(partial: Path) -> bool:
    parts = partial.name.rsplit(".", 3)  # ".<name>", "<pid>", "<n>", "partial"
    try:
        pid = int(parts[1])
        age = time.time() - partial.stat().st_mtime
    except (IndexError, ValueError, OSError):
        return False
    return age < STALE_PARTIAL_SECONDS and (pid == os.getpid() or _pid_alive(pid))


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, another user's
    return True


def written(path: Path) -> bool:
    """A file with content: one that a crash of the machine emptied (written, not yet synced) is written again."""
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


# --------------------------------------------------------------------------- one batch per folder


class _Held:
    """A lock this process holds on a folder: the open lock file, how many users, the room kept."""

    def __init__(self, fd: int, path: Path, head: int):
        self.fd, self.path, self.head, self.users = fd, path, head, 1


_held: dict[tuple[int, int], _Held] = {}  # (device, inode) of the folder -> its lock, while held by this process


@contextlib.contextmanager
def lock_output_folder(out_dir: Path, *, reserve: int = 0) -> Iterator[None]:
    """Make `out_dir` ready for a batch and hold it: created if missing, writable, and `reserve` bytes on its disk
    kept for the run report (`release_reserve`), all checked before any model is called. A ConfigError in one line
    when it cannot be used, or when another process holds it. Re-entrant within a process (the CLI and run_task)."""
    prepare_output_folder(out_dir)
    info = os.stat(out_dir)
    key = (info.st_dev, info.st_ino)
    if key in _held:
        _held[key].users += 1
        try:
            yield
        finally:
            _held[key].users -= 1
        return
    held = _acquire(out_dir, reserve)
    _held[key] = held
    try:
        yield
    finally:
        held.users -= 1
        del _held[key]
        _release(held)


def prepare_output_folder(out_dir: Path) -> None:
    """`out_dir` as a folder that exists, or a ConfigError in one line saying why it cannot be."""
    try:
        if out_dir.exists() and not out_dir.is_dir():
            raise ConfigError(f"--out {out_dir}: is a file, not a folder; pass a folder (it is created if missing)")
    except OSError as err:
        raise ConfigError(f"--out {out_dir}: cannot use this path ({_reason(err)})") from None
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ConfigError(f"--out {out_dir}: a file is in the way of this folder; pass another folder") from None
    except OSError as err:
        raise ConfigError(f"--out {out_dir}: cannot create this folder ({_reason(err)})") from None


def _acquire(out_dir: Path, reserve: int) -> _Held:
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock; temporary files of live writers are still never removed
        fcntl = None
    path = out_dir / LOCK_FILE
    for _ in range(10):  # the file we opened may be removed by the run that held it just before we lock it: again
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        except OSError as err:
            raise ConfigError(f"--out {out_dir}: cannot write in this folder ({_reason(err)})") from None
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise ConfigError(
                f"--out {out_dir}: another summarizer run ({holder}) is writing in this folder; wait for it to finish or pass another --out"
            ) from None
        except OSError as err:
            os.close(fd)
            raise ConfigError(f"--out {out_dir}: cannot lock this folder ({_reason(err)})") from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    else:
        raise ConfigError(f"--out {out_dir}: cannot lock this folder (its lock file keeps changing)")
    head = f"{os.getpid()}\n".encode()
    try:
        os.ftruncate(fd, 0)
        os.write(fd, head)
        if reserve > 0:
            _reserve(fd, len(head), reserve)
    except OSError as err:
        _release(_Held(fd, path, len(head)))
        if err.errno in (errno.ENOSPC, errno.EDQUOT):
            raise ConfigError(f"--out {out_dir}: no space left on its disk (the run needs at least {reserve // 1024 + 1} KiB free)") from None
        raise ConfigError(f"--out {out_dir}: cannot write in this folder ({_reason(err)})") from None
    return _Held(fd, path, len(head))


def _reserve(fd: int, offset: int, size: int) -> None:
    try:
        os.posix_fallocate(fd, offset, size)
    except (OSError, AttributeError) as err:  # AttributeError: no posix_fallocate (macOS)
        if isinstance(err, OSError) and err.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
            raise
        os.pwrite(fd, b"\0" * size, offset)  # a filesystem without fallocate: the same room, written


def _holder(fd: int) -> str:
    """Who holds a folder, from its lock file: 'PID 1234', or 'PID unknown' when it has not written it yet."""
    try:
        first = os.pread(fd, 32, 0).split(b"\n")[0]
        return f"PID {int(first)}"
    except (OSError, ValueError):
        return "PID unknown"


def release_reserve(out_dir: Path) -> bool:
    """Give back the room kept for the run report (when its disk is full); True if there was some."""
    try:
        info = os.stat(out_dir)
    except OSError:
        return False
    held = _held.get((info.st_dev, info.st_ino))
    if held is None:
        return False
    try:
        size = os.fstat(held.fd).st_size
        os.ftruncate(held.fd, held.head)
    except OSError:
        return False
    return size > held.head


def _release(held: _Held) -> None:
    with contextlib.suppress(OSError):
        if os.fstat(held.fd).st_ino == os.stat(held.path).st_ino:
            os.unlink(held.path)  # while still locked: a run waiting on this file tries again with a new one
    os.close(held.fd)


def _reason(err: OSError) -> str:
    return (err.strerror or str(err)).replace("Permission denied", "permission denied")
