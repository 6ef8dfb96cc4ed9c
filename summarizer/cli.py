"""The command line: `summarizer brief | fill | verify | report | serve | eval | cache | schemas`.

Heavy imports (litellm, instructor) happen only inside the commands that call a model, so `--help`
and `verify` start fast. Every expected failure prints one line to stderr and exits non-zero.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from datetime import UTC
from pathlib import Path

from summarizer.config import CLIENT_CONCURRENCY, DEFAULT_CONCURRENCY, MAX_BODY_BYTES

EXIT_FAILED_ARTICLES = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    print(f"summarizer: {message}", file=sys.stderr)
    return code


# --------------------------------------------------------------------------- brief


def cmd_brief(args: argparse.Namespace) -> int:
    from summarizer.config import glossary_paths
    from summarizer.errors import ConfigError
    from summarizer.grounding.termbase import load_termbase
    from summarizer.tasks.brief import BriefTask

    try:  # a bad glossary file is reported before any article is read or model called
        termbase = load_termbase(*glossary_paths(args.glossary, args.config))
    except ConfigError as err:
        return _fail(str(err))
    if args.form is None:
        return run_batch_command(args, BriefTask(termbase))
    from summarizer.errors import FormError
    from summarizer.forms import load_form
    from summarizer.tasks.fill import FillTask
    from summarizer.tasks.together import BriefAndFormTask

    if args.broker:
        return _fail("--form: not with --broker (a worker runs one task per article); run `summarizer fill --broker` for the form")
    try:
        form = load_form(Path(args.form))  # a bad form is reported before any article is read or model called
    except FormError as err:
        return _fail(str(err))
    return run_batch_command(args, BriefAndFormTask(BriefTask(termbase), FillTask(form, table="jsonl")))


def cmd_fill(args: argparse.Namespace) -> int:
    from summarizer.errors import FormError
    from summarizer.forms import load_form
    from summarizer.tasks.fill import FillTask

    try:
        form = load_form(Path(args.form))  # a bad form is reported before any article is read or model called
    except FormError as err:
        return _fail(str(err))
    code = run_batch_command(args, FillTask(form, table=args.format))
    if args.explain and not args.broker:
        explain_folder(Path(args.out), form)
    return code


def explain_folder(out_dir: Path, form) -> None:
    """`fill --explain`: per article written, per field, what the article offered and what was chosen."""
    from rich.console import Console
    from rich.table import Table

    from summarizer.review.explain import explain_form
    from summarizer.schema import FilledForm
    from summarizer.tasks.fill import FORM_KINDS

    console = Console(width=None if sys.stdout.isatty() else 200)  # a pipe or file gets whole rows, not 80 columns
    for path in sorted(out_dir.glob(f"*.{form.name}.json")):
        try:
            filled = FilledForm.model_validate_json(path.read_bytes())
        except (OSError, ValueError):
            continue
        table = Table(title=f"{filled.article.id}: {form.name}", show_lines=False)
        for column in ("field", "status", "value", "the article offered", "why"):
            table.add_column(column, overflow="fold")
        for row in explain_form(filled, form, FORM_KINDS):
            table.add_row(*row)
        console.print(table)


def run_batch_command(args: argparse.Namespace, task) -> int:
    """What `brief` and `fill` share: settings, articles, cache, progress, the run report, exit codes.

    Refused in one line, exit 2, before any model is called: settings, article paths and names that cannot be
    used (two articles with one id...), and an output folder that cannot be (a file, read-only, full, or in use
    by another run). A folder that stops taking files mid-run ends the batch with the run report of what was
    done and why. Names are printed escaped (batch/names.py printable)."""
    if args.record_mode and not args.cassette:
        return _fail(f"--record-mode {args.record_mode}: needs --cassette PATH (the cassette to record into or replay from)")
    if args.broker and args.cassette:  # vcrpy sees the model calls of this process only
        return _fail("--cassette: not with --broker (the workers are other processes, whose model calls no cassette sees); run without --broker")
    if args.broker:  # the same task on many workers (summarizer/scale/)
        from summarizer.scale.commands import enqueue_and_wait

        return enqueue_and_wait(args, task)
    import asyncio
    import contextlib
    import time
    from datetime import datetime

    from summarizer.batch.files import lock_output_folder
    from summarizer.batch.names import check_output_names, find_inputs, printable
    from summarizer.batch.report import REPORT_FILE, RunSettings, report_room, run_report, write_report
    from summarizer.batch.runner import run_task
    from summarizer.config import cache_path, load_settings
    from summarizer.errors import ArticleError, BatchStopped, CacheError, ConfigError, LocalModelError
    from summarizer.models.cassettes import check_cassette, use_cassette
    from summarizer.models.chain import ModelChain
    from summarizer.scale.redis_cache import open_cache

    if args.concurrency < 1:
        return _fail(f"--concurrency {args.concurrency}: must be at least 1")
    out_dir = Path(args.out)
    try:
        settings = load_settings(model_arg=args.model, config=args.config, max_chars=args.max_chars)
        paths = find_inputs(args.paths, out_dir)
        check_output_names(task, paths, out_dir)
        if args.cassette:
            check_cassette(args.cassette, _record_mode(args))
        cache = None if _without_cache(args) else open_cache(args.cache or cache_path())
    except (ConfigError, ArticleError, CacheError) as err:
        return _fail(printable(str(err)))

    started, clock = datetime.now(UTC), time.monotonic()
    ran_with = RunSettings(chain=list(settings.chain), concurrency=args.concurrency, cache=None if cache is None else str(cache.path))
    progress = Progress(len(paths), quiet=args.quiet)
    locked, stopped = False, None

    def report(interrupted: bool) -> dict | None:
        """The run report, written; None (and one line saying why) when it cannot be written."""
        order = {str(path): i for i, path in enumerate(paths)}
        outcomes = sorted(progress.outcomes, key=lambda o: order.get(o.path, 0))
        result = run_report(outcomes, started=started, wall_seconds=time.monotonic() - clock, ran_with=ran_with, interrupted=interrupted, stopped=stopped)
        try:
            write_report(result, out_dir)
        except OSError as err:
            _fail(printable(f"{out_dir / REPORT_FILE}: cannot write the run report ({err.strerror or err})"))
            return None
        return result

    with contextlib.ExitStack() as stack:
        try:
            if args.cassette:  # before the chain: in mode none, `local` is not started (the cassette answers)
                stack.enter_context(use_cassette(args.cassette, _record_mode(args)))
            chain = stack.enter_context(ModelChain(settings))
            chain.validate()
            stack.enter_context(lock_output_folder(out_dir, reserve=report_room(len(paths))))
            locked = True
            with progress:
                asyncio.run(run_task(task, paths, chain, out_dir, concurrency=args.concurrency, cache=cache, on_done=progress.done, on_part=progress.part))
        except (ConfigError, LocalModelError, ArticleError) as err:
            return _fail(printable(str(err)))
        except BatchStopped as stop:  # the output folder took no more files: what was done, and why
            stopped = str(stop)
        except (KeyboardInterrupt, SystemExit) as stop:  # Ctrl-C, or SIGTERM (see main): account for what is done, then stop
            if locked:
                report(interrupted=True)
            if isinstance(stop, SystemExit):
                raise
            return _fail("interrupted; finished articles are in the output folder, and the same command finishes the rest", EXIT_INTERRUPTED)
        finally:
            if cache:
                cache.close()
        result = report(interrupted=False)
    if result is None:
        return EXIT_FAILED_ARTICLES
    print_summary(result, f"summarizer {args.command}")
    print(f"run report: {printable(str(out_dir / REPORT_FILE))}", file=sys.stderr)
    if stopped:
        done = len(result["articles"]) - result["totals"]["failed"]
        why = f"stopped with {done} of {len(paths)} articles done: {stopped}; once it takes files again, the same command finishes the rest"
        return _fail(printable(why), EXIT_FAILED_ARTICLES)
    failed = result["totals"]["failed"]
    if failed:
        return _fail(f"{failed} of {len(paths)} articles failed (see the lines above)", EXIT_FAILED_ARTICLES)
    return 0


def _record_mode(args: argparse.Namespace) -> str:
    """--record-mode, else none (replay only) with --cassette."""
    return args.record_mode or "none"


def _without_cache(args: argparse.Namespace) -> bool:
    """--no-cache; and with --cassette, unless --cache names one: replay never writes the answer cache, and a cached
    answer never hides a request the cassette lacks."""
    return bool(args.no_cache or (args.cassette and not args.cache))


def counts_text(counts: dict[str, int]) -> str:
    """{"facts": 5, "not_in_article": 2} -> "5 facts, 2 not in article"."""
    return ", ".join(f"{count} {what.replace('_', ' ')}" for what, count in counts.items())


class Progress:
    """A progress bar (rich) when stderr is a terminal, else one plain line per article. Names and errors are
    printed escaped: a file name's control characters (escape sequences, newlines) never reach the terminal."""

    def __init__(self, total: int, *, quiet: bool):
        self.total, self.quiet, self.outcomes = total, quiet, []
        self._bar = None
        if sys.stderr.isatty() and not quiet:
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as Bar

            self._bar = Bar(TextColumn("briefs"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.description}"), transient=False)
            self._task = self._bar.add_task("", total=total)

    def __enter__(self) -> Progress:
        if self._bar:
            self._bar.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._bar:
            self._bar.stop()

    def done(self, outcome) -> None:
        from summarizer.batch.names import printable

        self.outcomes.append(outcome)
        line = printable(self._line(outcome))
        if self._bar:
            from rich.markup import escape

            if outcome.error:
                self._bar.console.print(line, markup=False, emoji=False, highlight=False)
            self._bar.update(self._task, advance=1, description=escape(printable(outcome.article_id or "")))
        elif outcome.error or not self.quiet:
            print(line, file=sys.stderr, flush=True)

    def part(self, article_id: str, part: int, total: int) -> None:
        """A part of a long document answered: the bar says which; plain output gets a line for it."""
        from summarizer.batch.names import printable

        shown = printable(f"{article_id}: part {part}/{total}")
        if self._bar:
            from rich.markup import escape

            self._bar.update(self._task, description=escape(shown))
        elif not self.quiet:
            print(f"       {shown} answered", file=sys.stderr, flush=True)

    def _line(self, outcome) -> str:
        if outcome.error:
            return f"FAILED {outcome.error}"
        prov = outcome.result.provenance
        how = "resumed (earlier output kept)" if outcome.resumed else "cache" if prov.cache_hit else f"{prov.usage.total_tokens} tokens"
        parts = len({call.part for call in prov.calls if call.part is not None})
        in_parts = f", {parts} parts" if parts else ""
        return f"done   {outcome.article_id}: {prov.model}, {counts_text(outcome.result.counts())}{in_parts}, {how}, {outcome.seconds:.1f} s"


TABLE_ROWS = 40  # a longer batch gets only its totals on screen; every article is in the run report


def print_summary(report: dict, title: str = "summarizer brief") -> None:
    """The batch's table (up to TABLE_ROWS articles) and totals on stdout, under `title` (the command that ran);
    every name as plain text, escaped."""
    rows, totals = report["articles"], report["totals"]
    if len(rows) <= TABLE_ROWS:  # rich (~50 ms to import) only for a table
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        from summarizer.batch.names import printable

        def cell(value: str, style: str = "") -> Text:  # never read as rich markup: a file may be named "[red]x"
            return Text(printable(value), style=style)

        console = Console() if sys.stdout.isatty() else Console(width=160)  # a log file gets whole ids
        table = Table(title=title)
        for column in ("article", "model", "how", "result", "tokens", "seconds"):
            table.add_column(column, justify="left" if column in ("article", "model", "how", "result") else "right")
        for r in rows:
            if r["status"] == "failed":
                table.add_row(cell(r["article"] or Path(r["path"]).name), "-", cell("failed", "red"), "-", "-", f"{r['seconds']:.1f}")
                continue
            tokens = str(r["prompt_tokens"] + r["completion_tokens"])
            table.add_row(cell(r["article"]), cell(r["model"]), r["status"], counts_text(r["counts"]), tokens, f"{r['seconds']:.1f}")
        console.print(table)
    cost = "unknown" if totals["cost_usd"] is None else f"${totals['cost_usd']:.4f}"
    print(
        f"{totals['articles']} articles: {totals['done']} asked a model, {totals['cached']} from the cache, "
        f"{totals['resumed']} already done, {totals['failed']} failed; tokens {totals['prompt_tokens']} in + "
        f"{totals['completion_tokens']} out, cost {cost}, {report['wall_seconds']:.1f} s"
    )


# --------------------------------------------------------------------------- verify


def cmd_verify(args: argparse.Namespace) -> int:
    from summarizer.errors import ArticleError
    from summarizer.grounding.verify import verify_records
    from summarizer.text.article import load_article

    try:
        article = load_article(args.article)
    except ArticleError as err:
        return _fail(str(err))
    from summarizer.service.checks import MAX_FACT_NESTING, JSONProblem, loads, nesting

    try:  # a lone surrogate, NaN or Infinity, nesting too deep or a 5,000-digit number: one line naming the place
        facts = loads(Path(args.facts).read_text(encoding="utf-8"))
    except OSError as err:
        return _fail(f"{args.facts}: cannot read ({err.strerror})")
    except JSONProblem as err:
        return _fail(f"{args.facts}: {err.dotted()}: {err.problem}")
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        return _fail(f"{args.facts}: not valid JSON ({err})")
    if not isinstance(facts, list) or not all(isinstance(f, dict) for f in facts):
        return _fail(f"{args.facts}: expected a JSON array of fact objects (value, unit, quote) or statements (text, source)")
    deep = next((n for n, fact in enumerate(facts) if nesting(fact) > MAX_FACT_NESTING), None)
    if deep is not None:  # each record is printed back as given: deeper, it could not be written
        return _fail(f"{args.facts}: [{deep}]: nested deeper than {MAX_FACT_NESTING} levels of lists and objects")
    json.dump(verify_records(article.text, facts), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


# --------------------------------------------------------------------------- report and serve


def cmd_report(args: argparse.Namespace) -> int:
    from summarizer.batch.files import atomic_write
    from summarizer.review.page import entries_from_folder, review_page

    folder, target = Path(args.folder), Path(args.html)
    if not folder.is_dir():
        return _fail(f"{folder}: not a directory; pass the output folder of 'summarizer brief' or 'fill'")
    if target.is_dir():
        return _fail(f"--html {target}: is a directory; give the page's file name, e.g. {target / 'review.html'}")
    if not target.parent.is_dir():
        return _fail(f"--html {target}: the folder {target.parent} does not exist")
    try:
        entries = entries_from_folder(folder)
    except OSError as err:
        return _fail(f"{err.filename or folder}: cannot read ({err.strerror or err})")
    if not entries:
        return _fail(f"{folder}: no briefs or filled forms in it")
    try:
        atomic_write(target, review_page(entries, title=args.title or f"Review: {folder.resolve().name}"))
    except OSError as err:
        return _fail(f"--html {target}: cannot write the page ({err.strerror or err})")
    print(f"{target}: {len(entries)} articles, {sum(len(e.brief.facts) for e in entries if e.brief)} facts highlighted", file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import contextlib

    import uvicorn

    from summarizer import logs
    from summarizer.config import cache_path, data_dir, load_settings, service_token
    from summarizer.errors import CacheError, ConfigError
    from summarizer.models.cassettes import check_cassette, use_cassette
    from summarizer.redaction import register_secret
    from summarizer.service.app import ServiceConfig, create_app

    debug_log = logs.setup(serve=True)  # the service's log (stderr): its own and uvicorn's lines; libraries' in the debug log
    if args.record_mode and not args.cassette:
        return _fail(f"--record-mode {args.record_mode}: needs --cassette PATH (the cassette to record into or replay from)")
    if args.broker:
        from summarizer.scale.redis_cache import is_redis_url

        if not is_redis_url(args.broker):
            return _fail(f"--broker {args.broker}: give a redis://HOST:PORT/DB URL")
        if args.cassette:
            return _fail("--cassette: not with --broker (the workers make the batch's model calls, not this process)")
    try:
        settings = load_settings(model_arg=args.model, config=args.config, max_chars=args.max_chars)
        token = service_token(args.config)
        register_secret(token)  # also when it comes from the config file, not the environment
        config = ServiceConfig(
            settings=settings,
            token=token,
            data_dir=Path(args.data) if args.data else data_dir(),
            cache_path=None if _without_cache(args) else Path(args.cache) if args.cache else cache_path(),
            max_body=args.max_body,
            client_concurrency=args.client_concurrency,
            concurrency=args.concurrency,
            broker=args.broker,
        )
        if args.cassette:
            check_cassette(args.cassette, _record_mode(args))
    except (ConfigError, CacheError) as err:
        return _fail(str(err))
    with contextlib.ExitStack() as stack:
        if args.cassette:  # the whole server run: every model call of every request and batch job replays or records
            stack.enter_context(use_cassette(args.cassette, _record_mode(args)))
        try:
            app = create_app(config)
        except (ConfigError, CacheError) as err:
            return _fail(str(err))
        except OSError as err:
            return _fail(f"--data {args.data or data_dir()}: cannot use it ({err.strerror or err})")
        cassette = f"; cassette {args.cassette} (record mode {_record_mode(args)})" if args.cassette else ""
        where = f"models {', '.join(settings.chain)}; data {config.data_dir}; library logs {debug_log}{cassette}"
        print(f"summarizer serve: http://{args.host}:{args.port} ({where})", file=sys.stderr, flush=True)
        # log_config=None: uvicorn adds no handlers of its own, so its lines (the access log too) go through ours, redacted
        uvicorn.run(app, host=args.host, port=args.port, log_level="info", access_log=not args.quiet, log_config=None, **app.state.uvicorn_options)
    return 0


# --------------------------------------------------------------------------- eval


def cmd_eval(args: argparse.Namespace) -> int:
    from summarizer.evaluate import EvalInputError, evaluate, totals

    gold, pred = Path(args.gold), Path(args.pred)
    for path, what in ((gold, "--gold"), (pred, "--pred")):
        if not path.is_dir():
            return _fail(f"{what} {path}: not a directory")
    try:
        scores = evaluate(gold, pred)
    except EvalInputError as err:
        return _fail(str(err))
    if not scores:
        return _fail(f"--gold {gold}: no *.json reference files")
    overall = totals(scores)
    if args.json:
        rows = [
            {
                "article": s.article,
                "gold": s.gold,
                "found": s.found,
                "kept": s.kept,
                "correct": s.correct,
                "recall": round(s.recall, 4),
                "precision": round(s.precision, 4),
                "grounded": round(s.grounded_share, 4),
                "number_problems": s.number_problems,
                "checks": s.checks,
                "missing_brief": s.missing_brief,
                "meta": s.meta_matches,
            }
            for s in [*scores, overall]
        ]
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(
        f"{'article':<24} {'gold':>5} {'found':>6} {'kept':>5} {'correct':>8} {'recall':>7} {'precision':>9} {'grounded':>9} {'numbers flagged':>15} {'checks':>6}  meta"
    )
    for s in [*scores, overall]:
        meta = " ".join(f"{k}={'ok' if v else 'no'}" for k, v in s.meta_matches.items())
        note = "  (no brief)" if s.missing_brief else ""
        print(
            f"{s.article:<24} {s.gold:>5} {s.found:>6} {s.kept:>5} {s.correct:>8} {s.recall:>7.1%} {s.precision:>9.1%} "
            f"{s.grounded_share:>9.1%} {s.number_problems:>15} {s.checks:>6}  {meta}{note}"
        )
    return 0


# --------------------------------------------------------------------------- diff


def cmd_diff(args: argparse.Namespace) -> int:
    """Exit 0 when the two folders hold the same outputs, 1 when anything changed (for CI), 2 for bad input."""
    from summarizer.batch.names import printable
    from summarizer.errors import ArticleError
    from summarizer.review.diff import diff_folders, rows, summary

    old, new = Path(args.old), Path(args.new)
    for path, what in ((old, "OLD_OUT"), (new, "NEW_OUT")):
        if not path.is_dir():
            return _fail(printable(f"{what} {path}: not a directory; pass an output folder of 'summarizer brief' or 'fill'"))
    try:
        diff = diff_folders(old, new)
    except ArticleError as err:
        return _fail(printable(str(err)))
    if diff.compared == 0 and not diff.changed:
        return _fail(printable(f"{old}, {new}: no briefs or filled forms in either"))
    if args.json:
        json.dump(diff.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif diff.changed:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        console = Console() if sys.stdout.isatty() else Console(width=200)  # a CI log gets whole rows
        table = Table(title=f"summarizer diff {printable(str(old))} {printable(str(new))}", title_justify="left")
        for column in ("output", "change", "where", "was", "now"):
            table.add_column(column, overflow="fold")
        for row in rows(diff):
            table.add_row(*(Text(printable(cell)) for cell in row))  # never read as rich markup
        console.print(table)
    if not args.json:
        print(printable(summary(diff)))
    return 1 if diff.changed else 0


# --------------------------------------------------------------------------- cache


def cmd_cache(args: argparse.Namespace) -> int:
    if args.cache and args.cache.startswith(("redis://", "rediss://", "unix://")):
        from summarizer.scale.commands import cmd_cache_redis

        return cmd_cache_redis(args)
    from summarizer.config import cache_path
    from summarizer.errors import CacheError
    from summarizer.models.cache import AnswerCache

    path = Path(args.cache) if args.cache else cache_path()
    if args.action == "info" and not path.is_file():
        print(f"{path}: no cache yet")
        return 0
    try:
        with AnswerCache(path) as cache:
            if args.action == "clear":
                print(f"{path}: cleared {cache.clear()} answers")
            else:
                print(f"{path}: {cache.count()} answers, {path.stat().st_size / 1e6:.1f} MB")
    except CacheError as err:
        return _fail(str(err))
    return 0


# --------------------------------------------------------------------------- schemas


def cmd_worker(args: argparse.Namespace) -> int:
    from summarizer.scale.commands import cmd_worker as run

    return run(args)


def cmd_job(args: argparse.Namespace) -> int:
    from summarizer.scale.commands import cmd_job as run

    return run(args)


def cmd_schemas(args: argparse.Namespace) -> int:
    from summarizer.schema import export_schemas

    for path in export_schemas(Path(args.dir)):
        print(path)
    return 0


# --------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="summarizer",
        description="Source-grounded bilingual (Vietnamese/English) briefs and fact records from news articles.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    brief = commands.add_parser(
        "brief",
        help="write a grounded bilingual brief for each article",
        description=(
            "Brief every .txt/.md/.html article under the given paths. Writes OUT/<id>.json (valid against "
            "schemas/brief.schema.json) and OUT/<id>.md as each article finishes, then OUT/briefs.jsonl and "
            "OUT/run-report.json (tokens, cost, time, model and cache hits per article). Model answers are cached: "
            "a re-run calls no model for unchanged articles, and an interrupted batch run again finishes the rest. "
            "The model chain comes from --model, else $SUMMARIZER_MODELS, else the config file, else 'local' "
            "(the embedded model)."
        ),
    )
    brief.add_argument(
        "--glossary",
        action="append",
        metavar="FILE",
        help="your own terms (TSV: vietnamese, english, category, notes; see summarizer/data/termbase.tsv) added to the "
        "termbase the prose is checked with; may be given several times, after the config file's `glossary`",
    )
    brief.add_argument(
        "--form",
        metavar="FORM",
        help="also fill this form (JSON Schema or YAML) from each article, right after its brief: OUT/<id>.<form>.json "
        "and OUT/<form>.jsonl, as `summarizer fill` writes them; the form's call reuses the article the brief's calls "
        "evaluated on the local server",
    )
    _batch_options(brief)
    brief.set_defaults(func=cmd_brief)

    fill = commands.add_parser(
        "fill",
        help="fill a form (JSON Schema or YAML) from each article, every field with its evidence",
        description=(
            "Fill the form FORM from every article under the given paths. Writes OUT/<id>.<form>.json (values valid "
            "against the form; per field: value, quote, start, end, status filled / not_in_article / unsupported / "
            "conflicting, and the reason when empty), then OUT/<form>.jsonl or OUT/<form>.csv (one row per article, "
            "evidence in companion columns) and OUT/run-report.json. Numbers are the article's, read by the program; "
            "text must be found in the article. Cached and resumable like 'brief'."
        ),
    )
    fill.add_argument("--form", required=True, help="the form: a JSON Schema (.json) or a short YAML form (.yaml); see schemas/forms/")
    fill.add_argument("--format", choices=("jsonl", "csv"), default="jsonl", help="the batch table (default jsonl)")
    fill.add_argument(
        "--explain",
        action="store_true",
        help="after the run, print per article and field what the article offered (the numbers whose words speak of "
        "the field, the people with the position it asks for, the places) and what was chosen, or why it is empty",
    )
    _batch_options(fill)
    fill.set_defaults(func=cmd_fill)

    cache = commands.add_parser("cache", help="show or clear the cache of model answers")
    cache.add_argument("action", choices=("info", "clear"), help="info: where it is and how many answers it holds; clear: forget them all")
    cache.add_argument("--cache", metavar="FILE|URL", help="the cache file, or a redis:// URL, if not the default")
    cache.set_defaults(func=cmd_cache)

    verify = commands.add_parser(
        "verify",
        help="check fact records against an article",
        description=(
            "Clean ARTICLE as 'brief' does and check each fact of FACTS.json (a JSON array of objects with "
            "value, unit, quote). Prints the facts with supported, start, end, alignment and reason added."
        ),
    )
    verify.add_argument("article")
    verify.add_argument("facts")
    verify.set_defaults(func=cmd_verify)

    report = commands.add_parser(
        "report",
        help="a review page (HTML) of an output folder: every fact highlighted in its article",
        description=(
            "Write one self-contained HTML page for the briefs and filled forms in FOLDER: each cleaned article with "
            "every kept fact and form field's evidence highlighted at its offsets, rejected facts with reasons, the "
            "Vietnamese and English briefs side by side, and the provenance. Works offline and without JavaScript."
        ),
    )
    report.add_argument("folder", help="output folder of 'summarizer brief' or 'summarizer fill'")
    report.add_argument("--html", required=True, metavar="FILE", help="the page to write")
    report.add_argument("--title", help="the page's title (default: from the folder's name)")
    report.set_defaults(func=cmd_report)

    serve = commands.add_parser(
        "serve",
        help="the HTTP API (briefs, forms, verify, batches) and review pages",
        description=(
            "Serve POST /v1/briefs, /v1/forms/fill, /v1/verify, /v1/batches, GET /v1/batches/{id}, /review/{id}, "
            "/healthz and /openapi.json. Every /v1/ and /review/ route needs 'Authorization: Bearer TOKEN', the token "
            "from $SUMMARIZER_API_TOKEN or [service] api_token in the config file. Batch jobs are kept in "
            "DATA/jobs.sqlite and resume after a restart."
        ),
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--data", metavar="DIR", help="jobs and results; default $SUMMARIZER_DATA, else the user data folder")
    serve.add_argument("--model", help="comma-separated model chain (default as for 'brief'); a request may name its own")
    serve.add_argument("--config", help="config file (TOML); default $SUMMARIZER_CONFIG or ./summarizer.toml")
    serve.add_argument("--cache", metavar="FILE", help="answer cache (SQLite file); default as for 'brief'")
    serve.add_argument("--no-cache", action="store_true", help="neither read nor write cached model answers")
    serve.add_argument(
        "--concurrency", type=int, default=DEFAULT_CONCURRENCY, help=f"articles of a batch job in flight at once (default {DEFAULT_CONCURRENCY})"
    )
    serve.add_argument("--max-body", type=int, default=MAX_BODY_BYTES, metavar="BYTES", help=f"request size limit (default {MAX_BODY_BYTES // 2**20} MiB)")
    serve.add_argument(
        "--client-concurrency", type=int, default=CLIENT_CONCURRENCY, metavar="N", help=f"requests in flight per client address (default {CLIENT_CONCURRENCY})"
    )
    serve.add_argument(
        "--broker",
        metavar="URL",
        help="hand /v1/batches jobs to `summarizer worker` processes on this broker (redis://HOST:PORT/DB) instead of "
        "running them here; the --data folder must be storage every worker reads and writes at the same path",
    )
    _max_chars_option(serve)
    _cassette_options(serve, "every model call the service makes", fails="the HTTP request that needed it (502)", until="it stops")
    serve.add_argument("-q", "--quiet", action="store_true", help="no access log")
    serve.set_defaults(func=cmd_serve)

    evaluate = commands.add_parser("eval", help="fact recall and precision of briefs against reference facts")
    evaluate.add_argument("--gold", required=True, help="folder of reference JSON files (e.g. ../shared/gold)")
    evaluate.add_argument("--pred", required=True, help="folder of briefs written by 'summarizer brief'")
    evaluate.add_argument("--json", action="store_true", help="print JSON instead of a table")
    evaluate.set_defaults(func=cmd_eval)

    diff = commands.add_parser(
        "diff",
        help="what changed between two output folders of the same articles (exit 1 when anything did)",
        description=(
            "Compare the briefs (<id>.json) and filled forms (<id>.<form>.json) of OLD_OUT and NEW_OUT, matched by file "
            "name: outputs in one folder only; per brief, facts gained, lost and relabelled, statements whose text or "
            "kept flag changed, checks added and removed; per form, fields whose status or value changed. Exit 0 when "
            "nothing changed, 1 when something did, 2 when a folder or file cannot be read."
        ),
    )
    diff.add_argument("old", metavar="OLD_OUT", help="the output folder of the earlier run")
    diff.add_argument("new", metavar="NEW_OUT", help="the output folder of the later run")
    diff.add_argument("--json", action="store_true", help="print JSON instead of a table")
    diff.set_defaults(func=cmd_diff)

    worker = commands.add_parser("worker", help="run the articles of jobs from a broker (scale-out)")
    worker.add_argument("--broker", help="redis://HOST:PORT/DB (default $SUMMARIZER_BROKER)")
    worker.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY, help=f"articles in flight at once (default {DEFAULT_CONCURRENCY})")
    worker.add_argument(
        "--heartbeat-timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="a worker silent this long is dead and its articles go to others (the same on every worker)",
    )
    worker.add_argument("--maintenance-chance", type=float, default=0.01, metavar="SHARE", help="share of broker calls that look for dead workers' articles")
    worker.set_defaults(func=cmd_worker)

    job = commands.add_parser("job", help="the status of a job on a broker, or cancel it")
    job.add_argument("action", choices=("status", "cancel", "list"))
    job.add_argument("id", nargs="?", help="the job id `brief|fill --broker` printed")
    job.add_argument("--broker", help="redis://HOST:PORT/DB (default $SUMMARIZER_BROKER)")
    job.add_argument("--json", action="store_true", help="status as JSON")
    job.set_defaults(func=cmd_job)

    schemas = commands.add_parser("schemas", help="write the JSON Schemas of the output models")
    schemas.add_argument("--dir", default="schemas", help="folder to write *.schema.json into (default: schemas)")
    schemas.set_defaults(func=cmd_schemas)
    return parser


def _batch_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("paths", nargs="+", help="article files or folders")
    command.add_argument("--out", required=True, help="output folder")
    command.add_argument("--model", help="comma-separated model chain, e.g. 'openai/gpt-4o-mini,local' (highest precedence)")
    command.add_argument("--config", help="config file (TOML); default $SUMMARIZER_CONFIG or ./summarizer.toml")
    command.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        help=f"articles in flight at once (default {DEFAULT_CONCURRENCY}; the local model answers one at a time)",
    )
    command.add_argument(
        "--cache",
        metavar="FILE|URL",
        help="answer cache: a SQLite file or a redis:// URL; default $SUMMARIZER_CACHE, else answers.sqlite in the user cache folder",
    )
    command.add_argument("--no-cache", action="store_true", help="neither read nor write cached model answers")
    _max_chars_option(command)
    command.add_argument(
        "--broker",
        metavar="URL",
        help="enqueue the articles as one job on this broker (redis://HOST:PORT/DB) and print its id; `summarizer worker` processes run it",
    )
    command.add_argument("--wait", action="store_true", help="with --broker: follow the job with one progress bar, then write its run report")
    _cassette_options(command, "the model calls of the run", fails="its article", until="the run ends")
    command.add_argument("-q", "--quiet", action="store_true", help="no per-article progress lines")


def _max_chars_option(command: argparse.ArgumentParser) -> None:
    from summarizer.config import MAX_ARTICLE_CHARS

    command.add_argument(
        "--max-chars",
        type=_whole_number,
        metavar="N",
        help=f"the longest document taken, in characters after cleaning (default max_chars of the config file, else {MAX_ARTICLE_CHARS:,}); "
        "a document longer than one model call carries is asked in parts",
    )


def _whole_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def _cassette_options(command: argparse.ArgumentParser, what: str, *, fails: str, until: str) -> None:
    from summarizer.models.cassettes import RECORD_MODES

    command.add_argument(
        "--cassette",
        metavar="PATH",
        help=f"replay {what} from this cassette (a JSON file of recorded requests and answers, matched on the request "
        f"body), or record them into it (--record-mode; written when {until}); no model is asked unless the mode records, "
        "and the answer cache is neither read nor written unless --cache is given",
    )
    command.add_argument(
        "--record-mode",
        choices=RECORD_MODES,
        help=f"with --cassette: none (default) replays only, and a request not in the cassette fails {fails}; once "
        "records a cassette that does not exist yet; new_episodes records what the cassette lacks; all records it afresh",
    )


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)  # unwinds like an error, so the local model server is stopped on the way out


def main(argv: list[str] | None = None) -> int:
    from summarizer import logs

    logs.setup()  # our lines on stderr, libraries' in the debug log, secrets out of both
    args = build_parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
