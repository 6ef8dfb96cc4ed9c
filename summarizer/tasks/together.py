"""A brief and a form of each article, one right after the other, so that the form reuses the article the brief evaluated.

The form's call opens with the same instructions and numbered article as the brief's calls (prompts/article.*.j2);
asked right after the brief of the same article, the local llama.cpp server evaluates only the form's own part
(its fields and choices), not the article again. `summarizer brief --form F` runs this task; the service's
`POST /v1/briefs` with a form runs the two tasks in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from summarizer.models.cache import AnswerCache
from summarizer.models.chain import ModelChain
from summarizer.schema import Brief, FilledForm, Provenance
from summarizer.tasks.brief import BriefRequest, BriefTask, provenance
from summarizer.tasks.fill import FillRequest, FillTask
from summarizer.text.article import Article


@dataclass
class BriefAndFormRequest:
    brief: BriefRequest
    form: FillRequest


@dataclass
class BriefAndForm:
    """Both outputs of one article; its provenance and counts are what the run report shows for the article."""

    brief: Brief
    form: FilledForm

    @property
    def provenance(self) -> Provenance:
        """The calls of both, summed up as a brief's are (tokens, cost, cache), in the order they were asked."""
        calls = [*self.brief.provenance.calls, *self.form.provenance.calls]
        spent = self.brief.provenance.wall_seconds + self.form.provenance.wall_seconds
        both = provenance(calls, [*self.brief.provenance.prompts, *self.form.provenance.prompts], 0.0)
        return both.model_copy(update={"wall_seconds": round(spent, 3)})

    def counts(self) -> dict[str, int]:
        return {**self.brief.counts(), **{f"fields {status}": n for status, n in self.form.counts().items() if n}}


class BriefAndFormTask:
    """The brief (BriefTask) and then the form (FillTask) of each article, written as each task writes its own."""

    name = "brief"  # what the batch calls its outputs; the form's file is written beside each brief

    def __init__(self, briefs: BriefTask, forms: FillTask):
        self.briefs = briefs
        self.forms = forms
        self.form = forms.form  # the batch's own files (batch/names.py) include the form's table
        self.table = forms.table

    def request(self, article: Article, chain: ModelChain) -> BriefAndFormRequest:
        return BriefAndFormRequest(self.briefs.request(article, chain), self.forms.request(article, chain))

    def current(self, out_dir: Path, request: BriefAndFormRequest) -> BriefAndForm | None:
        brief = self.briefs.current(out_dir, request.brief)
        form = self.forms.current(out_dir, request.form) if brief is not None else None
        return BriefAndForm(brief, form) if form is not None else None

    async def produce(self, request: BriefAndFormRequest, chain: ModelChain, cache: AnswerCache | None, started: float) -> BriefAndForm:
        brief = await self.briefs.produce(request.brief, chain, cache, started)
        form = await self.forms.produce(request.form, chain, cache, started + brief.provenance.wall_seconds)
        return BriefAndForm(brief, form)

    def write(self, output: BriefAndForm, out_dir: Path, *, sync: bool = True) -> None:
        self.forms.write(output.form, out_dir, sync=sync)  # the brief last: a brief on disk means both are
        self.briefs.write(output.brief, out_dir, sync=sync)

    def output_file(self, article_id: str) -> str:
        return self.briefs.output_file(article_id)

    def output_files(self, article_id: str) -> list[str]:
        return [self.briefs.output_file(article_id), f"{article_id}.md", self.forms.output_file(article_id)]

    def finish(self, outputs: list[BriefAndForm], out_dir: Path) -> None:
        self.briefs.finish([o.brief for o in outputs], out_dir)
        self.forms.finish([o.form for o in outputs], out_dir)
