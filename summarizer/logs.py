"""Where log records go and that none holds a secret: our own lines on stderr, libraries' lines in the debug log, all redacted.

`setup()` (called by `summarizer.cli.main`, and again by `serve`) makes it so:

* stderr gets only the records of our own loggers (`summarizer.*`, and uvicorn's for `serve`), one line each;
* every other record (litellm, instructor, httpx, openai, asyncio, Python warnings...) goes to the debug log,
  `$SUMMARIZER_CACHE_DIR/logs/summarizer.log` (see `debug_log_path`), with its traceback if it has one;
* no record reaches any handler with a secret in it: each record is redacted when it is made (a log record factory)
  and again by a filter on every handler (root's, libraries' own, uvicorn's), and uncaught tracebacks are redacted too.

litellm gives its loggers ("LiteLLM", ...) a stream handler of its own when it is imported, which is after `setup()`:
a filter on those loggers hands their records to the debug log and stops them, so that handler never writes.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Mapping
from numbers import Number
from pathlib import Path

from summarizer.redaction import redact

OWN_LOGGERS = ("summarizer",)  # on stderr
SERVE_LOGGERS = ("summarizer", "uvicorn")  # on stderr for `summarizer serve`: its log is its stderr
SELF_HANDLED = ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy")  # libraries that attach a stream handler of their own on import
LOG_FILE = "summarizer.log"
MAX_LOG_BYTES = 10 * 2**20  # at start-up a bigger debug log becomes summarizer.log.1 (replacing the one before)
LIBRARY_LEVEL = logging.INFO  # what libraries' loggers record: their info lines (httpx's requests, litellm's calls) and up
FILE_FORMAT = "%(asctime)s pid %(process)d %(levelname)s %(name)s: %(message)s"
SERVE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_REDACTED = "_summarizer_redacted"


def debug_log_path() -> Path:
    """The debug log: one file for every command (a batch, `serve`, the rest), in the cache folder, not in `--out`,
    so that an output folder holds only what the run made and provider messages never travel with it."""
    from summarizer.config import cache_dir

    return cache_dir() / "logs" / LOG_FILE


# --------------------------------------------------------------------------- redaction


def _redacted_arg(arg):
    if isinstance(arg, str):
        return redact(arg)
    if isinstance(arg, Number) or arg is None:
        return arg  # kept as it is, so that %d and %f still format it
    text = str(arg)
    clean = redact(text)
    return arg if clean == text else clean  # an object (an exception...) whose text holds a secret: its text, redacted


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Remove secrets from a record in place: its message and arguments, its traceback and stack text. Done once."""
    if getattr(record, _REDACTED, False):
        return record
    try:
        record.msg = redact(record.msg) if isinstance(record.msg, str) else _redacted_arg(record.msg)
        if isinstance(record.args, Mapping):
            record.args = {key: _redacted_arg(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_redacted_arg(arg) for arg in record.args)  # kept as arguments: uvicorn's access formatter reads them
        if record.args:
            try:
                message = record.getMessage()
            except Exception:
                message = None
            if message is not None and redact(message) != message:  # a secret made by putting arguments together
                record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
    except Exception:  # never let redaction break logging, and never let an unredacted record through
        record.msg, record.args, record.exc_info, record.exc_text, record.stack_info = "[a log record that could not be redacted]", (), None, None, None
    setattr(record, _REDACTED, True)
    return record


class RedactFilter(logging.Filter):
    """On a handler or a logger: the record, redacted (see `redact_record`). Lets every record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


REDACT = RedactFilter()


def _redacting_factory(base):
    def factory(*args, **kwargs) -> logging.LogRecord:
        return redact_record(base(*args, **kwargs))

    factory.redacts = True
    return factory


# --------------------------------------------------------------------------- handlers


class _OwnLines(logging.Filter):
    def __init__(self, names: tuple[str, ...]):
        super().__init__()
        self.names = names

    def filter(self, record: logging.LogRecord) -> bool:
        return any(record.name == name or record.name.startswith(name + ".") for name in self.names)


class _OneLine(logging.Formatter):
    """A record on one line: newlines folded, no traceback (that is in the debug log)."""

    def __init__(self, fmt: str, where: Path):
        super().__init__(fmt)
        self.where = where

    def format(self, record: logging.LogRecord) -> str:
        record.message = " ".join(record.getMessage().split())
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        line = self.formatMessage(record)
        if record.exc_info or record.exc_text:
            line += f" (traceback in {self.where})"
        return line


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when the record comes (pytest swaps it per test)."""

    def __init__(self):
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


class DebugLogHandler(logging.FileHandler):
    """The debug log, opened at its first record; a folder that cannot be written loses those lines, quietly."""

    def __init__(self, path: Path):
        super().__init__(path, mode="a", encoding="utf-8", delay=True)

    def _open(self):
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()

    def handleError(self, record: logging.LogRecord) -> None:
        pass  # not a line on stderr: the debug log is for looking into things later, not a reason to fail


class _ToDebugLog(logging.Filter):
    """On a library logger with a handler of its own: its records go to the debug log, and no further."""

    def __init__(self, handler: logging.Handler):
        super().__init__()
        self.handler = handler

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        if record.levelno >= self.handler.level:
            self.handler.handle(record)
        return False


def _rotate(path: Path) -> None:
    try:
        if path.stat().st_size > MAX_LOG_BYTES:
            path.replace(path.with_name(path.name + ".1"))
    except OSError:
        pass


# --------------------------------------------------------------------------- setup


def setup(*, serve: bool = False) -> Path:
    """Route and redact every log record of this process (see the module's docstring); returns the debug log's path.
    Safe to call again: the handlers it installed before are replaced, other handlers are kept and get the filter."""
    path = debug_log_path()
    _rotate(path)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, StderrHandler | DebugLogHandler):
            root.removeHandler(handler)
            handler.close()

    debug_log = DebugLogHandler(path)
    debug_log.setLevel(logging.DEBUG)
    debug_log.setFormatter(logging.Formatter(FILE_FORMAT))
    debug_log.addFilter(REDACT)  # every record, ours included (for context); libraries' only here
    stderr = StderrHandler()
    stderr.setLevel(logging.INFO if serve else logging.WARNING)
    stderr.setFormatter(_OneLine(SERVE_FORMAT if serve else "summarizer: %(message)s", path))
    stderr.addFilter(REDACT)
    stderr.addFilter(_OwnLines(SERVE_LOGGERS if serve else OWN_LOGGERS))
    root.addHandler(stderr)
    root.addHandler(debug_log)
    if root.level == logging.NOTSET or root.level > LIBRARY_LEVEL:
        root.setLevel(LIBRARY_LEVEL)
    logging.getLogger("summarizer").setLevel(logging.INFO)

    for name in SELF_HANDLED:  # before or after litellm is imported: its records go to the debug log only
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, _ToDebugLog)]:
            logger.removeFilter(old)
        logger.addFilter(_ToDebugLog(debug_log))
    for logger in [root, *(obj for obj in logging.Logger.manager.loggerDict.values() if isinstance(obj, logging.Logger))]:
        for handler in logger.handlers:
            if REDACT not in handler.filters:
                handler.addFilter(REDACT)
    if logging.lastResort is not None and REDACT not in logging.lastResort.filters:
        logging.lastResort.addFilter(REDACT)
    if not getattr(logging.getLogRecordFactory(), "redacts", False):
        logging.setLogRecordFactory(_redacting_factory(logging.getLogRecordFactory()))
    logging.captureWarnings(True)  # a library's warnings go to the debug log, not stderr
    _redact_uncaught()
    return path


def _redact_uncaught() -> None:
    """An uncaught exception's traceback, on stderr as Python prints it, with secrets removed."""

    def excepthook(exc_type, exc, tb) -> None:
        sys.stderr.write(redact("".join(traceback.format_exception(exc_type, exc, tb))))

    def thread_excepthook(args) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread else "a thread"
        sys.stderr.write(f"Exception in {name}:\n" + redact("".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))))

    if sys.excepthook is sys.__excepthook__:
        sys.excepthook = excepthook
    if threading.excepthook is threading.__excepthook__:
        threading.excepthook = thread_excepthook
