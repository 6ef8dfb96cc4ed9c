"""Scoring briefs and forms against hand-checked reference facts: fact recall and precision, form fields right.

Also re-runs the verifier on every kept fact (the grounded share must be 100%) and counts what each brief flags:
the numbers the model wrote in its prose that their sources do not state, and all its checks.

A gold fact is found when a kept fact has the same value and its span overlaps the gold quote's span
(the gold quote is re-located in the brief's cleaned text, since cleaning shifts offsets). A kept fact is
correct when it finds some gold fact.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from summarizer.grounding.labels import key as folded
from summarizer.grounding.verify import locate_quote, verify_fact
from summarizer.schema import Brief, FilledForm

NUMBER_KINDS = frozenset({"number", "currency", "unit", "scale"})  # the checks that speak of a number


@dataclass
class ArticleScore:
    article: str
    gold: int = 0
    found: int = 0
    kept: int = 0
    correct: int = 0
    grounded: int = 0  # kept facts that pass the verifier again, re-run here on the brief's own text
    number_problems: int = 0  # numbers the model wrote in the prose that its sources do not state (flagged in checks)
    checks: int = 0  # everything the brief flags: its checks
    missing_brief: bool = False
    meta_matches: dict[str, bool] = field(default_factory=dict)

    @property
    def grounded_share(self) -> float:
        return self.grounded / self.kept if self.kept else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.kept if self.kept else 1.0


def same_value(a, b) -> bool:
    """Numbers compare numerically (1312 == 1312.0), anything else as normalised text ("2003 - 2008" == "2003-2008")."""
    try:
        x, y = float(a), float(b)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an integer too large for a float
        return "".join(str(a).split()).casefold() == "".join(str(b).split()).casefold()
    return abs(x - y) <= 1e-9 * max(1.0, abs(x), abs(y))


def score_article(gold: dict, brief: Brief | None, name: str) -> ArticleScore:
    score = ArticleScore(article=name, gold=len(gold["facts"]))
    if brief is None:
        score.missing_brief = True
        return score
    text = brief.article.text
    gold_spans = []
    for fact in gold["facts"]:
        located = locate_quote(fact["quote"], text)
        gold_spans.append((located[0], located[1]) if located else None)
    facts = brief.facts
    score.kept = len(facts)

    def matches(gold_fact, span, fact) -> bool:
        return span is not None and same_value(gold_fact["value"], fact.value) and fact.start < span[1] and span[0] < fact.end

    score.found = sum(any(matches(g, s, f) for f in facts) for g, s in zip(gold["facts"], gold_spans))
    score.correct = sum(any(matches(g, s, f) for g, s in zip(gold["facts"], gold_spans)) for f in facts)
    score.grounded = sum(verify_fact(text, quote=f.quote, value=f.value, unit=f.unit).supported and text[f.start : f.end] == f.quote for f in facts)
    score.number_problems = sum(c.kind in NUMBER_KINDS for c in brief.checks)
    score.checks = len(brief.checks)
    meta = gold.get("meta", {})
    info = brief.article
    names = {p.name.casefold() for p in info.people}
    checks = {"title": info.title, "published": info.published, "author": info.author, "organization": info.organization, "locality": info.locality}
    for key, value in checks.items():
        if meta.get(key):
            score.meta_matches[key] = (value or "").casefold() == meta[key].casefold()
    if meta.get("secretary"):
        score.meta_matches["secretary"] = meta["secretary"].casefold() in names
    return score


class EvalInputError(ValueError):
    """A gold or brief file that cannot be scored; the message is one line naming the file and what is wrong."""


GOLD_SHAPE = 'a JSON object {"facts": [{"value", "quote", ...}], "meta"?: {...}, "article"?: "<file name>"}'


def read_json(path: Path) -> object:
    """A JSON file, or EvalInputError in one line (unreadable, not UTF-8, not JSON, nested too deep, a number too long)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise EvalInputError(f"{path}: cannot read ({err.strerror or err})") from None
    except UnicodeDecodeError:
        raise EvalInputError(f"{path}: not UTF-8 text") from None
    except RecursionError:
        raise EvalInputError(f"{path}: not usable JSON (nested too deep)") from None
    except ValueError as err:  # json.JSONDecodeError, or an integer over Python's digit limit
        raise EvalInputError(f"{path}: not valid JSON ({str(err).splitlines()[0][:200]})") from None


def check_gold(gold: object, path: Path) -> dict:
    """A gold file's content as score_article reads it, or EvalInputError naming the file and the key."""
    if not isinstance(gold, dict):
        raise EvalInputError(f"{path}: expected {GOLD_SHAPE}, not a JSON {type(gold).__name__}")
    facts = gold.get("facts")
    if not isinstance(facts, list):
        raise EvalInputError(f"{path}: `facts` must be a list of reference facts ({GOLD_SHAPE})")
    for n, fact in enumerate(facts):
        if not isinstance(fact, dict) or "value" not in fact or not isinstance(fact.get("quote"), str):
            raise EvalInputError(f"{path}: facts[{n}] must be an object with `value` and `quote` (text)")
        if not isinstance(fact["value"], str | int | float) or isinstance(fact["value"], bool):
            raise EvalInputError(f"{path}: facts[{n}].value must be a number or text")
    meta = gold.get("meta", {})
    if not isinstance(meta, dict) or not all(isinstance(v, str | None) for v in meta.values()):
        raise EvalInputError(f"{path}: `meta` must be an object of text values (title, published, author, organization, locality, secretary)")
    if not isinstance(gold.get("article", ""), str):
        raise EvalInputError(f"{path}: `article` must be the article's file name")
    return gold


def read_brief(path: Path) -> Brief:
    try:
        return Brief.model_validate_json(path.read_bytes())
    except OSError as err:
        raise EvalInputError(f"{path}: cannot read ({err.strerror or err})") from None
    except ValidationError as err:  # not JSON, or not a brief
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the file"
        more = f" (and {err.error_count() - 1} more)" if err.error_count() > 1 else ""
        raise EvalInputError(f"{path}: not a brief written by 'summarizer brief' ({where}: {first['msg']}{more})") from None


def evaluate(gold_dir: Path, pred_dir: Path) -> list[ArticleScore]:
    """Score every brief of `pred_dir` against `gold_dir`'s reference files; EvalInputError (one line) on a file that cannot be used."""
    scores = []
    for gold_path in sorted(gold_dir.glob("*.json")):
        gold = check_gold(read_json(gold_path), gold_path)
        stem = Path(gold.get("article") or gold_path.stem).stem
        pred_path = pred_dir / f"{stem}.json"
        brief = read_brief(pred_path) if pred_path.is_file() else None
        scores.append(score_article(gold, brief, stem))
    return scores


def totals(scores: list[ArticleScore]) -> ArticleScore:
    total = ArticleScore(article="overall")
    for s in scores:
        total.gold += s.gold
        total.found += s.found
        total.kept += s.kept
        total.correct += s.correct
        total.grounded += s.grounded
        total.number_problems += s.number_problems
        total.checks += s.checks
    return total


# --------------------------------------------------------------------------- the profile form

# Which reference facts speak of which field of schemas/forms/ward_party_profile.json (by the reference's own
# description of the fact), and which of its metadata each text field is.
PROFILE_FACTS = {
    "party_members": lambda what: what in ("party members", "party members now"),
    "party_cells": lambda what: what in ("party cells", "party cells (chi bộ) in the ward committee") or what.startswith("party cells in total"),
    "new_members_admitted": lambda what: what.startswith("new party members admitted"),
    "poverty_rate": lambda what: what in ("poor household rate", "remaining poor household rate"),
    "income_per_person": lambda what: what == "average income per person",
}
PROFILE_META = {"organisation": "organization", "locality": "locality", "secretary": "secretary"}


def profile_verdicts(gold: dict, filled: FilledForm) -> dict[str, str]:
    """Per field of the profile form the reference speaks of: correct (holds a reference value), empty (left empty,
    with a reason), or wrong."""
    out = {}
    for name, speaks_of in PROFILE_FACTS.items():
        values = {fact["value"] for fact in gold["facts"] if speaks_of(fact["what"])}
        if values:
            out[name] = _verdict(filled.fields[name], lambda v, values=values: v in values)
    for name, meta in PROFILE_META.items():
        if gold.get("meta", {}).get(meta):
            out[name] = _meta_verdict(filled.fields[name], gold["meta"][meta])
    return out


def _meta_verdict(result, written: str) -> str:
    """A text field against the reference's metadata: right when either holds the other (folded)."""
    expected = folded(written)
    return _verdict(result, lambda v: folded(v) in expected or expected in folded(v))


def _verdict(result, holds) -> str:
    if result.status != "filled":
        return "empty"
    return "correct" if holds(result.value) else "wrong"


# --------------------------------------------------------------------------- a hand check of statements

HAND_VERDICTS = ("supported", "figure", "meaning")  # figure: a number, name, place, office or year its source lacks


def read_hand_check(path: Path) -> dict[tuple[str, str], str]:
    """A hand check of statements (tests/tasks/hand_check.tsv: seed, verdict, statement, note, tab-separated; `#`
    lines are comments) as (seed, statement) -> verdict; EvalInputError (one line) on a line that is not so."""
    verdicts = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 4 or cells[1] not in HAND_VERDICTS:
            raise EvalInputError(f"{path}:{n}: expected seed, verdict ({' | '.join(HAND_VERDICTS)}), statement and note, tab-separated")
        verdicts[(cells[0], cells[2])] = cells[1]
    return verdicts


# --------------------------------------------------------------------------- the leaders form (YAML)

LEADERS_ADMITTED = PROFILE_FACTS["new_members_admitted"]


def leaders_verdicts(gold: dict, filled: FilledForm) -> dict[str, str]:
    """Per field of schemas/forms/party_leaders.yaml the reference speaks of: correct, empty or wrong.

    organisation: as in the profile form. secretary: the leaders listed as the committee's secretary (a position with
    "Bí thư" that is not a deputy's nor a party cell's): correct when the reference's secretary is among them, wrong
    when others are and not they. admissions: correct when an item counts what the reference says was admitted,
    wrong when items are listed and none does."""
    out = {}
    if gold.get("meta", {}).get("organization"):
        out["organisation"] = _meta_verdict(filled.fields["organisation"], gold["meta"]["organization"])
    leaders = filled.fields["leaders"].items or []
    if gold.get("meta", {}).get("secretary"):
        named = [_sub(item, "name") for item in leaders if _is_secretary(_sub(item, "position"))]
        expected = folded(gold["meta"]["secretary"])
        out["secretary"] = "empty" if not named else "correct" if any(folded(n or "") == expected for n in named) else "wrong"
    admitted = {fact["value"] for fact in gold["facts"] if LEADERS_ADMITTED(fact["what"])}
    if admitted:
        counts = [_sub(item, "count") for item in filled.fields["admissions"].items or []]
        counts = [c for c in counts if c is not None]
        out["admissions"] = "empty" if not counts else "correct" if admitted & set(counts) else "wrong"
    return out


def _sub(item, name: str):
    result = (item.fields or {}).get(name)
    return result.value if result is not None and result.status == "filled" else None


def _is_secretary(position: str | None) -> bool:
    words = folded(position or "")
    return "bí thư" in words and "phó bí thư" not in words and "chi bộ" not in words
