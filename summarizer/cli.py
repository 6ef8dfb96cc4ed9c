"""The command line: `summarizer brief | verify | eval | schemas`.

Heavy imports (litellm, instructor) happen only inside the commands that call a model, so `--help`
and `verify` start fast. Every expected failure prints one line to stderr and exits non-zero.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path

EXIT_FAILED_ARTICLES = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    print(f"summarizer: {message}", file=sys.stderr)
    return code


# --------------------------------------------------------------------------- brief


def cmd_brief(args: argparse.Namespace) -> int:
    from .article import ArticleError, find_articles
    from .chain import ModelChain
    from .local_model import LocalModelError
    from .pipeline import Outcome, run_batch
    from .settings import ConfigError, load_settings

    try:
        settings = load_settings(model_arg=args.model, config=args.config)
        paths = [path for given in args.paths for path in find_articles(given)]
    except (ConfigError, ArticleError) as err:
        return _fail(str(err))

    def progress(outcome: Outcome) -> None:
        if outcome.error:
            print(f"FAILED {outcome.error}", file=sys.stderr)
        elif not args.quiet:
            prov = outcome.brief.provenance
            print(f"done   {outcome.article_id}: {prov.model}, {len(outcome.brief.facts)} facts, {prov.wall_seconds:.0f} s", file=sys.stderr)

    try:
        with ModelChain(settings) as chain:
            chain.validate()
            outcomes = run_batch(paths, chain, Path(args.out), on_done=progress)
    except (ConfigError, LocalModelError) as err:
        return _fail(str(err))
    except KeyboardInterrupt:
        return _fail("interrupted; finished articles are in the output folder", EXIT_INTERRUPTED)
    print_table(outcomes)
    failed = sum(1 for o in outcomes if o.error)
    if failed:
        return _fail(f"{failed} of {len(outcomes)} articles failed (see the lines above)", EXIT_FAILED_ARTICLES)
    return 0


def print_table(outcomes) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="summarizer brief")
    for column in ("article", "model", "facts kept", "rejected", "tokens", "seconds"):
        table.add_column(column, justify="left" if column in ("article", "model") else "right")
    for o in outcomes:
        if o.brief is None:
            table.add_row(o.article_id or Path(o.path).name, "[red]failed[/red]", "-", "-", "-", "-")
            continue
        prov = o.brief.provenance
        table.add_row(
            o.article_id, prov.model, str(len(o.brief.facts)), str(len(o.brief.rejected)),
            str(prov.usage.total_tokens), f"{prov.wall_seconds:.1f}",
        )  # fmt: skip
    Console().print(table)


# --------------------------------------------------------------------------- verify


def cmd_verify(args: argparse.Namespace) -> int:
    from .article import ArticleError, load_article
    from .grounding import verify_facts

    try:
        article = load_article(args.article)
    except ArticleError as err:
        return _fail(str(err))
    try:
        facts = json.loads(Path(args.facts).read_text(encoding="utf-8"))
    except OSError as err:
        return _fail(f"{args.facts}: cannot read ({err.strerror})")
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        return _fail(f"{args.facts}: not valid JSON ({err})")
    if not isinstance(facts, list) or not all(isinstance(f, dict) for f in facts):
        return _fail(f"{args.facts}: expected a JSON array of fact objects")
    json.dump(verify_facts(article.text, facts), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


# --------------------------------------------------------------------------- eval


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluate import evaluate, totals

    gold, pred = Path(args.gold), Path(args.pred)
    for path, what in ((gold, "--gold"), (pred, "--pred")):
        if not path.is_dir():
            return _fail(f"{what} {path}: not a directory")
    scores = evaluate(gold, pred)
    if not scores:
        return _fail(f"--gold {gold}: no *.json reference files")
    overall = totals(scores)
    if args.json:
        rows = [
            {"article": s.article, "gold": s.gold, "found": s.found, "kept": s.kept, "correct": s.correct,
             "recall": round(s.recall, 4), "precision": round(s.precision, 4), "grounded": round(s.grounded_share, 4),
             "number_problems": s.number_problems, "missing_brief": s.missing_brief, "meta": s.meta_matches}
            for s in [*scores, overall]
        ]  # fmt: skip
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"{'article':<24} {'gold':>5} {'found':>6} {'kept':>5} {'correct':>8} {'recall':>7} {'precision':>9} {'grounded':>9} {'numbers':>8}  meta")
    for s in [*scores, overall]:
        meta = " ".join(f"{k}={'ok' if v else 'no'}" for k, v in s.meta_matches.items())
        note = "  (no brief)" if s.missing_brief else ""
        numbers = "ok" if s.number_problems == 0 else f"{s.number_problems} off"
        print(
            f"{s.article:<24} {s.gold:>5} {s.found:>6} {s.kept:>5} {s.correct:>8} {s.recall:>7.1%} {s.precision:>9.1%} "
            f"{s.grounded_share:>9.1%} {numbers:>8}  {meta}{note}"
        )
    return 0


# --------------------------------------------------------------------------- schemas


def cmd_schemas(args: argparse.Namespace) -> int:
    from .schema import export_schemas

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

    brief = commands.add_parser("brief", help="write a grounded bilingual brief for each article", description=(
        "Brief every .txt/.md/.html article under the given paths. Writes OUT/<id>.json (valid against "
        "schemas/brief.schema.json), OUT/<id>.md and OUT/briefs.jsonl. The model chain comes from --model, "
        "else $SUMMARIZER_MODELS, else the config file, else 'local' (the embedded model)."))  # fmt: skip
    brief.add_argument("paths", nargs="+", help="article files or folders")
    brief.add_argument("--out", required=True, help="output folder")
    brief.add_argument("--model", help="comma-separated model chain, e.g. 'openai/gpt-4o-mini,local' (highest precedence)")
    brief.add_argument("--config", help="config file (TOML); default $SUMMARIZER_CONFIG or ./summarizer.toml")
    brief.add_argument("-q", "--quiet", action="store_true", help="no per-article progress lines")
    brief.set_defaults(func=cmd_brief)

    verify = commands.add_parser("verify", help="check fact records against an article", description=(
        "Clean ARTICLE as the pipeline does and check each fact of FACTS.json (a JSON array of objects with "
        "value, unit, quote). Prints the facts with supported, start, end, alignment and reason added."))  # fmt: skip
    verify.add_argument("article")
    verify.add_argument("facts")
    verify.set_defaults(func=cmd_verify)

    evaluate = commands.add_parser("eval", help="fact recall and precision of briefs against reference facts")
    evaluate.add_argument("--gold", required=True, help="folder of reference JSON files (e.g. ../shared/gold)")
    evaluate.add_argument("--pred", required=True, help="folder of briefs written by 'summarizer brief'")
    evaluate.add_argument("--json", action="store_true", help="print JSON instead of a table")
    evaluate.set_defaults(func=cmd_eval)

    schemas = commands.add_parser("schemas", help="write the JSON Schemas of the output models")
    schemas.add_argument("--dir", default="schemas", help="folder to write *.schema.json into (default: schemas)")
    schemas.set_defaults(func=cmd_schemas)
    return parser


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)  # unwinds like an error, so the local model server is stopped on the way out


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
