"""`summarizer diff`: what changed between two output folders of the same articles (briefs and filled forms)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pydantic import ValidationError

from summarizer.errors import ArticleError
from summarizer.schema import Brief, Check, Fact, FilledForm, Statement

Output = Brief | FilledForm


@dataclass(frozen=True)
class OutputRef:
    """An output file found in one folder only (or as another kind of output in the other)."""

    name: str
    article: str
    kind: str  # "brief" or "form"


@dataclass(frozen=True)
class FactRef:
    """A fact gained or lost: where its words are, its value and what it counts."""

    start: int
    end: int
    value: int | float | str
    unit: str
    what_en: str
    quote: str


@dataclass(frozen=True)
class Relabel:
    """A fact on the same span with the same value that now counts something else."""

    start: int
    end: int
    value: int | float | str
    quote: str
    old_what_en: str
    new_what_en: str


@dataclass(frozen=True)
class StatementChange:
    """A statement of the prose that was added, removed, reworded, left out or kept again; `sentence` counts from 1
    among the statements of its field."""

    field: str
    sentence: int
    change: str  # "added", "removed", or some of "text changed", "now left out", "now kept", joined by ", "
    old_text: str | None
    new_text: str | None
    old_kept: bool | None
    new_kept: bool | None


@dataclass(frozen=True)
class CheckRef:
    """A check added or removed."""

    field: str
    kind: str
    text: str
    reason: str


@dataclass(frozen=True)
class FieldChange:
    """A form field whose status, value or filler (the model or the program) changed; a side without the field has
    status None."""

    field: str
    old_status: str | None
    new_status: str | None
    old_value: object
    new_value: object
    old_by: str | None = "model"
    new_by: str | None = "model"


@dataclass
class OutputDiff:
    """What changed in one output file between the two folders."""

    name: str
    article: str
    kind: str
    text_changed: bool = False  # the cleaned article text differs: offsets point into different texts
    facts_gained: list[FactRef] = field(default_factory=list)
    facts_lost: list[FactRef] = field(default_factory=list)
    facts_relabelled: list[Relabel] = field(default_factory=list)
    statements: list[StatementChange] = field(default_factory=list)
    checks_added: list[CheckRef] = field(default_factory=list)
    checks_removed: list[CheckRef] = field(default_factory=list)
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        changes = (self.facts_gained, self.facts_lost, self.facts_relabelled, self.statements, self.checks_added, self.checks_removed, self.fields)
        return self.text_changed or any(changes)


@dataclass
class FolderDiff:
    """What changed between two output folders: outputs in one only, and the outputs in both that changed."""

    old: str
    new: str
    compared: int  # outputs found in both folders
    only_in_old: list[OutputRef] = field(default_factory=list)
    only_in_new: list[OutputRef] = field(default_factory=list)
    outputs: list[OutputDiff] = field(default_factory=list)  # only those that changed

    @property
    def changed(self) -> bool:
        return bool(self.only_in_old or self.only_in_new or self.outputs)

    def to_json(self) -> dict:
        return {"changed": self.changed, **asdict(self)}


# --------------------------------------------------------------------------- reading a folder


def read_outputs(folder: Path) -> dict[str, Output]:
    """Every brief and filled form in a folder, by file name. Other JSON files (the run report) are left alone; a file
    that cannot be read, is not JSON, or is an output this version cannot read raises ArticleError naming it."""
    try:
        paths = sorted(Path(folder).glob("*.json"))
    except OSError as err:
        raise ArticleError(folder, f"cannot read the folder ({err.strerror or err})") from None
    outputs = {}
    for path in paths:
        output = read_output(path)
        if output is not None:
            outputs[path.name] = output
    return outputs


def read_output(path: Path) -> Output | None:
    """A brief or a filled form; None for a JSON file that is neither (no `article`, or neither `form` nor `facts`)."""
    try:
        data = json.loads(path.read_bytes())
    except OSError as err:
        raise ArticleError(path, f"cannot read ({err.strerror or err})") from None
    except RecursionError:
        raise ArticleError(path, "not usable JSON (nested too deep)") from None
    except ValueError as err:  # json.JSONDecodeError, UnicodeDecodeError
        raise ArticleError(path, f"not valid JSON ({str(err).splitlines()[0][:200]})") from None
    if not isinstance(data, dict) or "article" not in data:
        return None
    model = FilledForm if "form" in data else Brief if "facts" in data else None
    if model is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the top level"
        what = "a filled form" if model is FilledForm else "a brief"
        raise ArticleError(path, f"not {what} this version can read ({where}: {first['msg']})") from None


def diff_folders(old: Path, new: Path) -> FolderDiff:
    """What changed between the outputs of two folders (ArticleError for a file that cannot be read)."""
    return diff_outputs(read_outputs(old), read_outputs(new), old_name=str(old), new_name=str(new))


# --------------------------------------------------------------------------- comparing (pure)


def diff_outputs(old: dict[str, Output], new: dict[str, Output], *, old_name: str = "OLD", new_name: str = "NEW") -> FolderDiff:
    """Outputs matched by file name (a brief on one side and a form on the other counts as one in each side only)."""
    both = [name for name in sorted(old.keys() & new.keys()) if kind_of(old[name]) == kind_of(new[name])]
    result = FolderDiff(old=old_name, new=new_name, compared=len(both))
    result.only_in_old = [output_ref(name, old[name]) for name in sorted(old.keys() - set(both))]
    result.only_in_new = [output_ref(name, new[name]) for name in sorted(new.keys() - set(both))]
    for name in both:
        changes = diff_briefs(name, old[name], new[name]) if kind_of(old[name]) == "brief" else diff_forms(name, old[name], new[name])
        if changes.changed:
            result.outputs.append(changes)
    return result


def kind_of(output: Output) -> str:
    return "brief" if isinstance(output, Brief) else "form"


def output_ref(name: str, output: Output) -> OutputRef:
    return OutputRef(name=name, article=output.article.id, kind=kind_of(output))


def diff_briefs(name: str, old: Brief, new: Brief) -> OutputDiff:
    """Facts gained, lost and relabelled, statements changed, checks added and removed.

    A fact is known by its span and value (`start`, `end`, `value`): the same one with another `what_en` is
    relabelled. A statement is known by its field and its place among the statements of that field (a summary has
    several sentences); a check by its field, kind and text."""
    old_facts, new_facts = facts_by_span(old.facts), facts_by_span(new.facts)
    old_checks, new_checks = Counter(map(check_key, old.checks)), Counter(map(check_key, new.checks))
    return OutputDiff(
        name=name,
        article=new.article.id,
        kind="brief",
        text_changed=old.article.content_hash != new.article.content_hash,
        facts_gained=[fact_ref(fact) for key, fact in new_facts.items() if key not in old_facts],
        facts_lost=[fact_ref(fact) for key, fact in old_facts.items() if key not in new_facts],
        facts_relabelled=[relabel(old_facts[key], fact) for key, fact in new_facts.items() if key in old_facts and old_facts[key].what_en != fact.what_en],
        statements=statement_changes(old.statements, new.statements),
        checks_added=[check_ref(check) for check in new.checks if _take(old_checks, check_key(check))],
        checks_removed=[check_ref(check) for check in old.checks if _take(new_checks, check_key(check))],
    )


def _take(counts: Counter, key: tuple) -> bool:
    """True when `key` is not (or no more) among `counts`, else uses one of them: a check repeated is counted as often."""
    if counts[key] > 0:
        counts[key] -= 1
        return False
    return True


def facts_by_span(facts: list[Fact]) -> dict[tuple, Fact]:
    return {(fact.start, fact.end, fact.value): fact for fact in facts}


def fact_ref(fact: Fact) -> FactRef:
    return FactRef(start=fact.start, end=fact.end, value=fact.value, unit=fact.unit, what_en=fact.what_en, quote=fact.quote)


def relabel(old: Fact, new: Fact) -> Relabel:
    return Relabel(start=new.start, end=new.end, value=new.value, quote=new.quote, old_what_en=old.what_en, new_what_en=new.what_en)


def check_key(check: Check) -> tuple[str, str, str]:
    return (check.field, check.kind, check.text)


def check_ref(check: Check) -> CheckRef:
    return CheckRef(field=check.field, kind=check.kind, text=check.text, reason=check.reason)


def statements_by_place(statements: list[Statement]) -> dict[tuple[str, int], Statement]:
    """Statements by field and their place (from 1) among the statements of that field."""
    seen: Counter = Counter()
    places = {}
    for statement in statements:
        seen[statement.field] += 1
        places[(statement.field, seen[statement.field])] = statement
    return places


def statement_changes(old: list[Statement], new: list[Statement]) -> list[StatementChange]:
    """Every statement added, removed, reworded, left out or kept again, in the order of the new brief, then the removed."""
    before, after = statements_by_place(old), statements_by_place(new)
    changes = []
    for place in [*after, *(place for place in before if place not in after)]:
        was, now = before.get(place), after.get(place)
        change = statement_change(was, now)
        if change:
            changes.append(
                StatementChange(
                    field=place[0],
                    sentence=place[1],
                    change=change,
                    old_text=was.text if was else None,
                    new_text=now.text if now else None,
                    old_kept=was.kept if was else None,
                    new_kept=now.kept if now else None,
                )
            )
    return changes


def statement_change(was: Statement | None, now: Statement | None) -> str:
    """What changed in one statement, in words; empty when nothing did."""
    if was is None or now is None:
        return "added" if was is None else "removed"
    parts = ["text changed"] if was.text != now.text else []
    if was.kept != now.kept:
        parts.append("now kept" if now.kept else "now left out")
    return ", ".join(parts)


def diff_forms(name: str, old: FilledForm, new: FilledForm) -> OutputDiff:
    """The form's fields whose status (`fields[name].status`), value (`values[name]`, nested ones whole) or filler
    (`filled_by`: a prompt edit after which the program, not the model, answers a field) changed."""
    changes = []
    for field_name in [*new.fields, *(n for n in old.fields if n not in new.fields)]:
        was, now = old.fields.get(field_name), new.fields.get(field_name)
        old_status, new_status = (was.status if was else None), (now.status if now else None)
        old_value, new_value = old.values.get(field_name), new.values.get(field_name)
        old_by, new_by = (was.filled_by if was else None), (now.filled_by if now else None)
        if (old_status, old_value, old_by) != (new_status, new_value, new_by):
            changes.append(FieldChange(field_name, old_status, new_status, old_value, new_value, old_by, new_by))
    return OutputDiff(name=name, article=new.article.id, kind="form", text_changed=old.article.content_hash != new.article.content_hash, fields=changes)


# --------------------------------------------------------------------------- showing it


def rows(diff: FolderDiff) -> list[tuple[str, str, str, str, str]]:
    """The table: one row per change, (output, change, where, was, now); the output named on its first row only."""
    table = []
    for ref in diff.only_in_old:
        table.append((ref.name, f"only in {diff.old}", ref.kind, ref.article, "-"))
    for ref in diff.only_in_new:
        table.append((ref.name, f"only in {diff.new}", ref.kind, "-", ref.article))
    for output in diff.outputs:
        changes = output_rows(output)
        table += [(output.name if n == 0 else "", *row) for n, row in enumerate(changes)]
    return table


def output_rows(output: OutputDiff) -> list[tuple[str, str, str, str]]:
    """One output's changes as (change, where, was, now)."""
    found = [("article text changed", "article.text", "", "offsets point into another text")] if output.text_changed else []
    found += [("fact lost", span(f), fact_text(f), "-") for f in output.facts_lost]
    found += [("fact gained", span(f), "-", fact_text(f)) for f in output.facts_gained]
    found += [("fact relabelled", f"{span(f)} {shown(f.value)}", f.old_what_en, f.new_what_en) for f in output.facts_relabelled]
    for s in output.statements:
        where = s.field if s.sentence == 1 else f"{s.field} (sentence {s.sentence})"
        found.append((f"statement {s.change}", where, statement_text(s.old_text, s.old_kept), statement_text(s.new_text, s.new_kept)))
    found += [("check removed", c.field, f"{c.kind}: {short(c.text)}", "-") for c in output.checks_removed]
    found += [("check added", c.field, "-", f"{c.kind}: {short(c.text)}") for c in output.checks_added]
    found += [("field", f.field, field_text(f.old_status, f.old_value, f.old_by), field_text(f.new_status, f.new_value, f.new_by)) for f in output.fields]
    return found


def summary(diff: FolderDiff) -> str:
    """One line: how many outputs were compared and what changed."""
    compared = f"{diff.compared} output{'' if diff.compared == 1 else 's'}"
    if not diff.changed:
        return f"no change: {compared} compared"
    return f"{len(diff.outputs)} of {compared} changed, {len(diff.only_in_old)} only in {diff.old}, {len(diff.only_in_new)} only in {diff.new}"


def span(fact: FactRef | Relabel) -> str:
    return f"[{fact.start}:{fact.end}]"


def fact_text(fact: FactRef) -> str:
    return f"{shown(fact.value)} {fact.unit}, {fact.what_en}: “{short(fact.quote)}”"


def statement_text(text: str | None, kept: bool | None) -> str:
    if text is None:
        return "-"
    return f"{'kept' if kept else 'left out'}: {short(text)}"


def field_text(status: str | None, value: object, by: str | None = "model") -> str:
    if status is None:
        return "-"
    status += " by the program" if by == "program" else ""
    return status if value is None else f"{status}: {short(shown(value))}"


def shown(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
