"""Checks on JSON a client or a file gives, before any of it is used: what Python's json module lets through but
nothing downstream can use. A lone surrogate ("\\ud800") is not Unicode text (it cannot be written as UTF-8);
NaN and Infinity are not JSON (and 1e999 becomes Infinity); JSON nested deeper than Python's stack, or an integer of
more than 4,300 digits, makes json.loads itself fail. Each problem is one line naming where it is.

No heavy imports: `summarizer verify` uses this too and must start fast.
"""

from __future__ import annotations

import json
import math
import re

MAX_JSON_NESTING = 600  # levels of lists and objects in a body; deeper than any form (forms.MAX_FORM_NESTING) or fact needs
MAX_FACT_NESTING = 32  # levels of lists and objects inside one fact record of `verify` (it is echoed back as given)
# a lone surrogate in JSON bytes is written as an escape, or as its UTF-8-like bytes (json.loads reads them: surrogatepass)
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")


class JSONProblem(ValueError):
    """Where (a path of keys and indexes) and what: one line."""

    def __init__(self, where: list[str | int], problem: str):
        super().__init__(problem)
        self.where, self.problem = where, problem

    def dotted(self, root: str = "") -> str:
        """The place as `facts[0].quote` (after `root`)."""
        text = root
        for part in self.where:
            text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
        return text or "the document"


def loads(raw: bytes | str) -> object:
    """json.loads, raising JSONProblem (one line) for JSON too deep, a number too long, NaN or Infinity,
    a lone surrogate or nesting over MAX_JSON_NESTING; json.JSONDecodeError for text that is not JSON."""
    try:
        value = json.loads(raw)  # NaN, Infinity and 1e999 become non-finite floats, found by check() with their place
    except RecursionError:
        raise JSONProblem([], f"nested deeper than {MAX_JSON_NESTING} levels of lists and objects") from None
    except json.JSONDecodeError:
        raise
    except ValueError as err:  # an integer over Python's limit of digits
        if "digits" in str(err):
            raise JSONProblem([], "holds an integer of more than 4,300 digits; write such a number as text") from None
        raise
    check(value, surrogates=isinstance(raw, str) or bool(_SURROGATE.search(raw)))
    return value


def check(value: object, *, surrogates: bool = True) -> None:
    """JSONProblem at the first lone surrogate (in a key or a text), non-finite number, or nesting too deep."""
    stack: list[tuple[object, list[str | int]]] = [(value, [])]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if surrogates and not is_unicode(item):
                raise JSONProblem(where, "holds a lone surrogate (\\ud800-\\udfff), which is not Unicode text")
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise JSONProblem(
                    where,
                    f"{'NaN' if math.isnan(item) else 'Infinity'} is not a number JSON allows (NaN, Infinity, or beyond 1e308); write a finite number or text",
                )
        elif isinstance(item, dict | list):
            if len(where) >= MAX_JSON_NESTING:
                raise JSONProblem(where[:1], f"nested deeper than {MAX_JSON_NESTING} levels of lists and objects")
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, inner in pairs:
                if isinstance(key, str) and surrogates and not is_unicode(key):
                    raise JSONProblem([*where, key.encode("utf-8", "backslashreplace").decode()], "the key holds a lone surrogate (\\ud800-\\udfff)")
                stack.append((inner, [*where, key]))


def nesting(value: object) -> int:
    """Levels of lists and objects in `value` (0 for a text or a number)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth + 1)
            stack.extend((inner, depth + 1) for inner in (item.values() if isinstance(item, dict) else item))
    return deepest


def is_unicode(text: str) -> bool:
    """Whether a text can be written as UTF-8 (a lone surrogate cannot)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
