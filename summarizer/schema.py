"""The output contract: pydantic models for what the model drafts and for the brief we ship, and their JSON Schema export.

Two kinds of models live here:

* the *drafts* (`Selection`, `Translations`, `FactLabels`) are what a language model fills in, one call each.
  Their `Field(description=...)` texts are the model's instructions (the prompts list them; the schema also
  constrains the answer), and their validators are re-asked on.
* the *brief* (`Brief` and its parts) is what the program writes, after grounding every fact in the article.
  Offsets, values and provenance are computed by the program, never copied from a model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from summarizer.text.numbers import Hedge

SCHEMA_VERSION = "1.0"

# --------------------------------------------------------------------------- the draft (filled by the model)


# The longest prose the model may write in each field of a draft, in characters: far above any real answer (the
# recorded ones stay under a quarter of these), far below what a runaway or hostile provider can send. A longer
# value fails validation like any invalid output (re-asked, then `invalid_output` for that model). Checked by
# validators, never by the fields' JSON Schema: the schema is part of every cache key and recorded cassette.
PROSE_LIMITS = {
    "name": 200,
    "role": 500,
    "title": 500,
    "summary": 5000,
    "key_point": 1500,
    "label": 500,  # what a fact counts, the organisation, the locality
    "period": 200,
}


def _within_limit(value, limit: int):
    """A validator body ('before' the field's own): a text, or each text of a list, of at most `limit` characters."""
    for text in value if isinstance(value, list) else [value]:
        if isinstance(text, str) and len(text) > limit:
            raise ValueError(f"is {len(text):,} characters long; at most {limit:,} are allowed here: write it shorter")
    return value


class KeyPoint(BaseModel):
    """One key point of the article, in Vietnamese and in English."""

    vi: str
    en: str


class Selection(BaseModel):
    """The article's own sentences that brief it, chosen by their numbers, and what it is about as the article writes it."""

    organization: str | None = Field(
        description="The party organisation the article is about, copied as the article writes it, e.g. 'Đảng bộ Phường 6'; null if none."
    )
    locality: str | None = Field(
        description="The ward or commune and the city or district it belongs to, copied as written, e.g. 'Phường 6, TP. Bến Tre'; null if not stated."
    )
    summary: list[int] = Field(
        description="The numbers of the 2 or 3 sentences that together best summarise the article: who it is about and its main results.",
        min_length=1,
        max_length=3,
    )
    key_points: list[int] = Field(
        description="The numbers of 3 or 4 other sentences, each stating one key result of the article with its figures "
        "(members, party cells, money, rates, awards).",
        min_length=1,
        max_length=4,
    )

    @field_validator("organization", "locality", mode="before")
    @classmethod
    def _label_length(cls, value):
        return _within_limit(value, PROSE_LIMITS["label"])


class Translation(BaseModel):
    """One numbered item translated."""

    id: str = Field(description="The item's label, e.g. '4' for the line starting [4], 'R1' for the line starting [R1].")
    text: str = Field(description="The whole item translated into the language asked for, as one complete sentence or phrase.")

    @field_validator("id", mode="before")
    @classmethod
    def _id_length(cls, value):
        return _within_limit(value, PROSE_LIMITS["name"])

    @field_validator("text", mode="before")
    @classmethod
    def _text_length(cls, value):
        return _within_limit(value, PROSE_LIMITS["key_point"])


class Translations(BaseModel):
    """The numbered items translated, one each, in the order given."""

    translations: list[Translation] = Field(description="One translation for each item, in the order of the items.", max_length=40)


class FactLabel(BaseModel):
    """What one numbered candidate number of the article measures."""

    id: int = Field(description="The candidate's number, e.g. 4 for the line starting [4].")
    what_vi: str = Field(description="What the number counts or measures, in Vietnamese, e.g. 'đảng viên được đánh giá'.")
    what_en: str = Field(description="The same translated into English words, e.g. 'party members evaluated'.")
    period: str | None = Field(description="The year or period the number refers to when the article says so, e.g. '2021' or '2020-2025'; otherwise null.")

    @field_validator("what_vi", "what_en", mode="before")
    @classmethod
    def _label_length(cls, value):
        return _within_limit(value, PROSE_LIMITS["label"])

    @field_validator("period", mode="before")
    @classmethod
    def _period_length(cls, value):
        return _within_limit(value, PROSE_LIMITS["period"])


class FactLabels(BaseModel):
    """Labels for the article's candidate numbers."""

    facts: list[FactLabel] = Field(
        description="One label for each candidate number that is a statistic about the organisation or its area "
        "(members, cells, households, money, percentages, results), saying what that number counts in this article. "
        "Leave out candidates that are not statistics.",
        max_length=60,
    )


DRAFTS = (Selection, Translations, FactLabels)  # what the model fills for a brief, one call each


# --------------------------------------------------------------------------- the brief (written by the program)

AlignmentStatus = Literal["exact", "normalised", "fuzzy"]


class Person(BaseModel):
    """A person the article names: the name and position as written, and the position in English when known."""

    name: str
    role_vi: str
    role_en: str | None = Field(default=None, description="The model's English rendering of the position; null when no model gave one.")


class ArticleRef(BaseModel):
    """The article an output is about: its id, where it was read, and the cleaned text every offset points into."""

    id: str = Field(description="The article's id: its file name without the suffix.")
    path: str | None = Field(default=None, description="Where the article was read from.")
    content_hash: str = Field(description="sha256 of the cleaned article text.")
    text: str = Field(description="The cleaned article text that every start/end offset points into.")
    title: str | None = Field(default=None, description="The headline, as printed.")
    published: str | None = Field(default=None, description="Publication date, ISO 8601 (YYYY-MM-DD).")


class ArticleInfo(ArticleRef):
    """What we know of the article itself: parsed from its text, or drafted by the model and checked against it."""

    author: str | None = None
    source: str | None = Field(default=None, description="The outlet, when the article names it.")
    organization: str | None = Field(default=None, description="The party organisation the article is about, e.g. 'Đảng bộ Phường 6'.")
    locality: str | None = None
    people: list[Person] = Field(
        default_factory=list,
        description="People named in the article: found in the text with the position written beside them, and those the model named whose names occur in the text.",
    )


class Fact(BaseModel):
    """A number stated in the article, grounded in the exact words that state it."""

    what_en: str = Field(description="What the number counts, a noun phrase of a few words, e.g. 'party cells'.")
    what_vi: str = Field(description="The same in Vietnamese, e.g. 'chi bộ'.")
    label_source: Literal["model", "program"] = Field(
        default="model",
        description="Who named what the number counts (what_en): 'model', its label checked (and cut to its noun phrase); "
        "'program', the counted noun written after the number, through the termbase, when the model gave no usable label.",
    )
    label_note: str | None = Field(default=None, description="Why the model's label was changed or not used, when it was.")
    value: int | float | str = Field(description="In base units (8,86 tỉ đồng is 8860000000); a string for years and ranges.")
    unit: str = Field(description="'%', 'VND', or what is counted, e.g. 'đảng viên'.")
    period: str | None = Field(
        default=None,
        description="The year or period the number refers to: the model's, when the article writes its years; else the one "
        "year or period written earlier in the number's sentence.",
    )
    quote: str = Field(description="The article's own words, exactly as in the cleaned text between start and end; it starts and ends on word boundaries.")
    start: int = Field(description="Character offset of the quote in the cleaned article text.")
    end: int = Field(description="End offset (exclusive) of the quote in the cleaned article text.")
    number_text: str = Field(description="The number as written in the quote.")
    hedge: Hedge | None = Field(
        default=None, description="A hedge word on the number: 'gần', 'khoảng' (approximate), 'hơn', 'trên' (lower bound), 'dưới' (upper bound)."
    )
    alignment: AlignmentStatus = Field(description="How the quote was found in the article.")


class RejectedFact(BaseModel):
    """A candidate number that did not become a fact, and why: the model labelled it but it did not survive grounding
    (or a rule says it is not a statistic), or the program could not label it."""

    candidate: int | None = Field(default=None, description="The candidate number.")
    quote: str | None = None
    number_text: str | None = None
    what_en: str | None = None
    reason: str


ProblemKind = Literal[
    "number", "currency", "unit", "scale", "date", "name", "office", "direction", "truncated", "language", "source", "instruction", "cleaning"
]


class Check(BaseModel):
    """Something the brief's prose states that its sources do not: a number, a currency, a name, an office..."""

    field: str = Field(description="Where it was found, e.g. 'summary_en' or 'key_points[2].vi'.")
    kind: ProblemKind
    text: str = Field(description="As written in the brief.")
    value: int | float | None = Field(default=None, description="For a number: its value in base units.")
    reason: str
    statement: str | None = Field(
        default=None, description="The whole statement the model wrote, when it was left out of the brief's prose because of this problem."
    )


class Source(BaseModel):
    """A sentence of the article that a statement rests on: text[start:end] of the cleaned article."""

    start: int
    end: int


class Quarantined(Source):
    """A sentence of the article addressed to a model, not to its readers: nothing is taken from it."""

    why: str = Field(description="Why it is taken to be one, e.g. 'tells the model to ignore its instructions'.")


class Statement(BaseModel):
    """One statement of the brief's prose (the title, a sentence of the summary, a key point), in one language,
    traced to the article sentences it rests on and checked against them."""

    field: str = Field(description="Where it stands: 'title_en', 'summary_vi', 'key_points[2].en'...")
    text: str = Field(description="As shown: the article's own sentence, or the model's translation of it.")
    sources: list[Source] = Field(description="The article sentences it rests on; empty when none could be found.")
    kept: bool = Field(description="true: it passed every check and is in the brief's prose; false: it was left out (see checks).")
    reasked: bool = Field(default=False, description="The model was asked once more, with the problems found, for this statement.")


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )


class Attempt(BaseModel):
    """A model tried before the one that answered, and why it failed."""

    model: str
    error: str


class PromptRef(BaseModel):
    name: str
    sha256: str


class ModelCall(BaseModel):
    """One valid model answer: which model of the chain gave it (or the cache), what it cost, what failed before it."""

    model: str = Field(description="The model of the chain that answered.")
    attempts: list[Attempt] = Field(default_factory=list, description="Models tried before it, in order, with why each failed.")
    usage: Usage = Field(description="Tokens spent producing the answer (when it was asked, for a cached answer).")
    cost_usd: float | None = Field(
        default=None,
        description="What this run paid for it in US dollars (litellm's price list); 0 for the local model and cached answers; null when the provider has no price.",
    )
    reasks: int = Field(default=0, description="Validation re-asks the model needed.")
    cache_hit: bool = Field(default=False, description="The model's answer came from the cache: no model was called.")
    cache_key: str | None = Field(default=None, description="sha256 of everything that changes the model's answer.")


def total_cost(costs: list[float | None], digits: int = 8) -> float | None:
    """The sum of some costs in US dollars; None when any of them is unknown (a provider without a price)."""
    return None if None in costs else round(sum(costs), digits)


class Call(ModelCall):
    """One model answer an output is built from: a brief takes one per step, a form with many fields several."""

    fields: list[str] = Field(
        description="What this call produced: the form fields it filled, or the step of the brief (select, labels, translate, retranslate)."
    )
    part: int | None = Field(default=None, description="The part of a long document this call carried (1-based); null for a document asked in one part.")


class Provenance(ModelCall):
    """How a brief was made: its model calls (summed up in the fields it shares with one call), the prompts, the time,
    the program's version. Its `cache_key` is that of the first call, which every other call follows from."""

    calls: list[Call] = Field(default_factory=list, description="Every model answer the brief rests on, in the order asked.")
    prompts: list[PromptRef] = Field(description="Prompt templates used, with the sha256 of their content.")
    schema_version: str = SCHEMA_VERSION
    wall_seconds: float
    summarizer_version: str


class Brief(BaseModel):
    """A bilingual, source-grounded brief of one article."""

    model_config = ConfigDict(json_schema_extra={"$id": "https://summarizer.local/schemas/brief.schema.json"})

    schema_version: str = SCHEMA_VERSION
    article: ArticleInfo
    title_vi: str
    title_en: str
    summary_vi: str
    summary_en: str
    key_points: list[KeyPoint]
    facts: list[Fact] = Field(description="Facts that passed grounding: the quote is in the article and states the value.")
    rejected: list[RejectedFact] = Field(default_factory=list, description="Facts the model proposed that did not pass grounding.")
    checks: list[Check] = Field(
        default_factory=list,
        description="What the titles, summaries, key points and roles state that their sources do not (numbers, currencies, "
        "units, years, names, offices, directions), each with the statement it was found in when that statement was left "
        "out of the prose; empty when everything holds.",
    )
    statements: list[Statement] = Field(
        default_factory=list, description="Every statement of the prose, kept or left out, with the article sentences it rests on."
    )
    quarantined: list[Quarantined] = Field(
        default_factory=list, description="Sentences of the article addressed to a model (prompt injection): no fact, statement or value rests on them."
    )
    provenance: Provenance

    def counts(self) -> dict[str, int]:
        return {"facts": len(self.facts), "rejected": len(self.rejected)}


# --------------------------------------------------------------------------- filled forms

FieldStatus = Literal["filled", "not_in_article", "unsupported", "conflicting"]


class Evidence(BaseModel):
    """One value and the words of the article that state it."""

    value: int | float | str | bool | None
    quote: str | None = Field(default=None, description="The exact words of the article; text[start:end].")
    start: int | None = None
    end: int | None = None
    alignment: AlignmentStatus | None = None


class Period(BaseModel):
    """The years a period spans, as the article gives them."""

    start: int | None = Field(default=None, description="Its first year.")
    end: int | None = Field(default=None, description="Its last year; none for a period that runs to now ('đến nay').")


class FieldResult(Evidence):
    """A filled form field: its value with the evidence, or empty with the reason."""

    status: FieldStatus = Field(
        description="filled: the value holds; not_in_article: the model found nothing; unsupported: what the model "
        "gave does not hold against the article (value left empty, see reason); conflicting: the article states "
        "several values (value left empty, see candidates)."
    )
    reason: str | None = Field(default=None, description="Why the field is empty, in one English sentence.")
    candidates: list[Evidence] = Field(default_factory=list, description="The values the article states, when conflicting.")
    filled_by: Literal["model", "program"] = Field(
        default="model",
        description="Who answered it: the model, or the program from what it finds in the text (the people and their "
        "positions, the one number that fits) where the model gave nothing that holds.",
    )
    fields: dict[str, FieldResult] | None = Field(default=None, description="For an object: its fields.")
    items: list[FieldResult] | None = Field(default=None, description="For a list: its items that hold.")
    period: Period | None = Field(
        default=None,
        description="For a date field holding a period ('nhiệm kỳ 2020-2025', 'từ năm 2020 đến nay', 'từ đầu nhiệm kỳ'): its years.",
    )


class FormRef(BaseModel):
    name: str
    sha256: str = Field(description="sha256 of the form's JSON Schema.")
    source: str


class FormProvenance(BaseModel):
    calls: list[Call]
    prompts: list[PromptRef]
    schema_version: str = SCHEMA_VERSION
    wall_seconds: float
    summarizer_version: str

    @property
    def model(self) -> str:
        return ", ".join(dict.fromkeys(call.model for call in self.calls))

    @property
    def cache_hit(self) -> bool:
        return all(call.cache_hit for call in self.calls)

    @property
    def attempts(self) -> list[Attempt]:
        return [attempt for call in self.calls for attempt in call.attempts]

    @property
    def usage(self) -> Usage:
        return sum((call.usage for call in self.calls), Usage())

    @property
    def cost_usd(self) -> float | None:
        return total_cost([call.cost_usd for call in self.calls])


class FilledForm(BaseModel):
    """A user-defined form filled from one article: `values` is valid against the form; `fields` holds the evidence."""

    model_config = ConfigDict(json_schema_extra={"$id": "https://summarizer.local/schemas/filled_form.schema.json"})

    schema_version: str = SCHEMA_VERSION
    form: FormRef
    article: ArticleRef
    values: dict = Field(description="The filled values, valid against the form (fields the article does not support are left out).")
    fields: dict[str, FieldResult]
    missing_required: list[str] = Field(default_factory=list, description="Required fields of the form left empty.")
    quarantined: list[Quarantined] = Field(
        default_factory=list, description="Sentences of the article addressed to a model (prompt injection): no value rests on them."
    )
    provenance: FormProvenance

    def counts(self) -> dict[str, int]:
        statuses = [result.status for result in self.fields.values()]
        return {status: statuses.count(status) for status in ("filled", "not_in_article", "unsupported", "conflicting")}


# --------------------------------------------------------------------------- JSON Schema export

EXPORTED = {"brief": Brief, "brief_selection": Selection, "brief_translations": Translations, "brief_labels": FactLabels, "filled_form": FilledForm}


def json_schemas() -> dict[str, dict]:
    """The JSON Schema of every exported model, keyed by file stem."""
    return {name: model.model_json_schema() for name, model in EXPORTED.items()}


def schema_text(schema: dict) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def export_schemas(directory: Path) -> list[Path]:
    """Write `<name>.schema.json` for every exported model; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in json_schemas().items():
        path = directory / f"{name}.schema.json"
        path.write_text(schema_text(schema), encoding="utf-8")
        written.append(path)
    return written
