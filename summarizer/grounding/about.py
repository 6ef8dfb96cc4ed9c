"""What a brief says it is about: the organisation and the locality the model copied, held to what the article writes.

The model copies both from the article (the select step), and often copies too much or too little: "Đảng bộ Phường
5, TP. Đông Hà" for the organisation, the city without the ward for the locality. Here:
  organisation  the party organisation the article names by its place ("Đảng bộ Phường 5") when the model's copy
                starts with it and goes on with a qualifier (", TP. Đông Hà", " (TP. Mỹ Tho)"), which goes to the
                locality; any other copy is kept when the article writes it
  locality      the parts of the model's copy that the article writes (split at commas), after the ward or commune
                of the organisation when no part names one ("phường 1, TP. Mỹ Tho, tỉnh Tiền Giang"), then the
                qualifier's parts it lacks
Nothing is added that the article does not write, and nothing is guessed from elsewhere in it.
"""

from __future__ import annotations

import re

from summarizer.grounding.align import occurs_in
from summarizer.text.places import UNIT_WORDS, bodies

_BODY_WORD = re.compile(r"^\s*(?i:đảng bộ)\s+")
_QUALIFIER = re.compile(r"^\s*(?:,|\()")  # what follows the body: ", TP. Đông Hà" or " (TP. Mỹ Tho, tỉnh Tiền Giang)"
_UNIT = re.compile(rf"(?<![^\W\d_])(?i:{'|'.join(UNIT_WORDS)})(?![^\W\d_])")


def organisation_and_locality(organization: str | None, locality: str | None, text: str) -> tuple[str | None, str | None]:
    """The brief's organisation and locality from the model's copies of them, as the article writes them."""
    body, qualifier = _body_of(organization, text) if organization else (None, [])
    if body is not None:
        organization = body
    elif not (organization and occurs_in(organization, text)):
        organization = None
    parts = _parts(locality or "")
    if body is not None and not any(_UNIT.search(part) for part in parts):
        parts.insert(0, _BODY_WORD.sub("", body))
    parts += [part for part in qualifier if part.casefold() not in {p.casefold() for p in parts}]
    kept = [part for part in parts if occurs_in(part, text)]
    return organization, ", ".join(kept) or None


def _body_of(organization: str, text: str) -> tuple[str | None, list[str]]:
    """The party organisation named by its place that `organization` starts with, as the article writes it, and the
    parts of the qualifier that follow it; (None, []) when it starts with none or goes on with something else."""
    copied = " ".join(organization.split())
    for found in sorted({" ".join(b.text.split()) for b in bodies(text)}, key=len, reverse=True):
        if copied.casefold().startswith(found.casefold()):
            rest = copied[len(found) :]
            if not rest.strip():
                return found, []
            if _QUALIFIER.match(rest):
                return found, _parts(rest.replace("(", ",").replace(")", ","))
    return None, []


def _parts(written: str) -> list[str]:
    return [part.strip() for part in written.split(",") if part.strip()]
