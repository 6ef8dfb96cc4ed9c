"""Calling a model: litellm + instructor into a pydantic model, one bounded re-ask loop, errors that name their kind.

The only retry loop is instructor's re-ask on invalid output (`max_reasks`). litellm is called with
`num_retries=0`, so the OpenAI client underneath does not retry on its own; falling back to the next
model is the chain's job (models/chain.py), not a retry.

litellm is imported here, lazily, because its import takes seconds; nothing on the `--help` or `verify`
path imports this module.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

from pydantic import BaseModel

from summarizer.config import DEFAULT_MAX_TOKENS, LOCAL
from summarizer.errors import ModelCallError
from summarizer.models.prompts import render_reask
from summarizer.redaction import redact_answer
from summarizer.schema import Usage

T = TypeVar("T", bound=BaseModel)
log = logging.getLogger(__name__)

# litellm fetches a price list from the network at import time unless told otherwise.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

GENERATION = {"temperature": 0.0, "seed": 0}  # every call: the same answer for the same request, where the server allows
NO_KEY = "sk-no-key-required"  # what we send to servers that need none (the local llama.cpp server)


@dataclass(frozen=True)
class Endpoint:
    """One model of the chain, ready to call."""

    name: str  # as written in the chain, e.g. "local" or "openai/gpt-4o-mini"
    model: str  # the litellm model string
    api_base: str | None = None
    api_key: str | None = None
    mode: str = "tools"  # instructor mode: tools | json | json_schema; or json_object (our own loop, see _complete_json_object)
    timeout: float = 600.0  # seconds for one structured call, re-asks included
    max_tokens: int = DEFAULT_MAX_TOKENS  # completion tokens for one answer

    def __repr__(self) -> str:  # never show the key
        return f"Endpoint(name={self.name!r}, model={self.model!r}, api_base={self.api_base!r}, mode={self.mode!r})"


@dataclass
class StructuredResult(Generic[T]):
    value: T
    usage: Usage
    reasks: int


# --------------------------------------------------------------------------- calling


def _litellm():
    import litellm

    litellm.suppress_debug_info = True
    litellm.disable_aiohttp_transport = True  # plain httpx, so cassettes (vcrpy) see the traffic
    litellm.drop_params = True
    return litellm


@lru_cache(maxsize=64)  # answer models of forms are made per form
def _tool_model(response_model: type[T]) -> type[T]:
    """`response_model` as instructor's ResponseSchema subclass, made once: given the plain model, instructor builds
    a new subclass on every call, and so its JSON Schema and tool definition, each time."""
    import instructor

    return instructor.response_schema(response_model)


def _instructor_mode(mode: str):
    import instructor

    return {"tools": instructor.Mode.TOOLS, "json": instructor.Mode.JSON, "json_schema": instructor.Mode.JSON_SCHEMA}[mode]


def check_model_name(model: str) -> str | None:
    """None when litellm knows how to route `model`, else a one-line reason."""
    litellm = _litellm()
    try:
        litellm.get_llm_provider(model)
    except Exception as err:  # litellm raises BadRequestError / ValueError for unknown providers
        return f"unknown model {model!r} ({str(err).splitlines()[0][:200]})"
    return None


def missing_keys(model: str) -> list[str]:
    """Environment variables the provider of `model` needs and that are not set."""
    try:
        missing = _litellm().validate_environment(model=model).get("missing_keys") or []
    except Exception:
        return []
    return [name for name in missing if "KEY" in name or "TOKEN" in name]  # a missing *_API_BASE has a default


async def complete_structured(
    endpoint: Endpoint,
    messages: list[dict[str, str]],
    response_model: type[T],
    *,
    max_reasks: int = 2,
    temperature: float = GENERATION["temperature"],
    seed: int | None = GENERATION["seed"],
) -> StructuredResult[T]:
    """Ask `endpoint` for a `response_model`, re-asking with the validation errors up to `max_reasks` times."""
    if endpoint.mode == "json_object":
        return await _complete_json_object(endpoint, messages, response_model, max_reasks=max_reasks, temperature=temperature, seed=seed)
    import instructor

    litellm = _litellm()
    client = instructor.from_litellm(litellm.acompletion, mode=_instructor_mode(endpoint.mode))
    reasks = 0

    def count_reask(*_args, **_kwargs) -> None:
        nonlocal reasks
        reasks += 1

    client.on("parse:error", count_reask)
    try:
        value, completion = await client.chat.completions.create_with_completion(
            model=endpoint.model,
            messages=messages,
            response_model=_tool_model(response_model),
            max_retries=max_reasks,
            **_call_options(endpoint, temperature, seed),
        )
    except Exception as err:
        raise classify(err) from None
    value = response_model.model_construct(value.model_fields_set, **dict(value))  # the model asked for, not instructor's subclass
    value = redact_answer(value)  # a key the provider put in the answer is in no output, cache entry or response
    return StructuredResult(value=value, usage=usage_of(completion), reasks=reasks)


def _call_options(endpoint: Endpoint, temperature: float, seed: int | None) -> dict:
    """What every call to an endpoint passes to litellm (no retries of its own: the chain moves on instead)."""
    return {
        "num_retries": 0,
        "api_base": endpoint.api_base,
        "api_key": endpoint.api_key,
        "timeout": endpoint.timeout,
        "max_tokens": endpoint.max_tokens,
        "temperature": temperature,
        "seed": seed,
    }


async def _complete_json_object(
    endpoint: Endpoint, messages, response_model: type[T], *, max_reasks: int, temperature: float, seed: int | None
) -> StructuredResult[T]:
    """The answer as JSON constrained by the server to the model's JSON Schema (`response_format` json_object with a
    `schema`, which llama.cpp's servers turn into a grammar), re-asked with the validation errors.

    Nothing of the schema enters the prompt, unlike a tool definition (which a chat template puts before the first
    message): every call about one article then starts with the same tokens, and the server reuses their evaluation.
    The prompt itself says what to answer (the field descriptions, rendered from the schema by the task)."""
    litellm = _litellm()
    schema = response_model.model_json_schema()
    conversation, usage, problem = list(messages), Usage(), ""
    for attempt in range(max_reasks + 1):
        try:
            completion = await litellm.acompletion(
                model=endpoint.model,
                messages=conversation,
                response_format={"type": "json_object", "schema": schema},
                max_retries=0,
                **_call_options(endpoint, temperature, seed),
            )
        except Exception as err:
            failed = classify(err)
            failed.usage = usage + failed.usage
            raise failed from None
        usage = usage + usage_of(completion)
        choices = getattr(completion, "choices", None) or []
        if not choices:
            problem = "the answer had no choices"
            continue
        content = choices[0].message.content or ""
        if choices[0].finish_reason == "length":
            raise ModelCallError("truncated", "the output was cut off by the token limit", usage)
        try:
            value = response_model.model_validate_json(content)
        except ValueError as err:
            problem = _validation_summary(err)
            log.info("%s: the answer failed validation (attempt %d of %d): %s", endpoint.name, attempt + 1, max_reasks + 1, problem)  # the debug log
            conversation += [{"role": "assistant", "content": content}, {"role": "user", "content": render_reask(problem)}]
            continue
        return StructuredResult(value=redact_answer(value), usage=usage, reasks=attempt)
    raise ModelCallError("invalid_output", f"the answer failed validation after {max_reasks + 1} attempts: {problem}", usage)


def _validation_summary(err: BaseException, default: str | None = None) -> str:
    """A pydantic validation error on one line: 'facts.0.value: Input should be a valid number (and 3 more errors)';
    `default` (else the error's first line) when it lists no errors."""
    try:
        errors = err.errors(include_url=False, include_input=False, include_context=False)
    except Exception:
        errors = []
    if not errors:
        return _first_line(err) if default is None else default
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "the answer"
    more = f" (and {len(errors) - 1} more error{'' if len(errors) == 2 else 's'})" if len(errors) > 1 else ""
    return f"{where}: {first.get('msg', 'invalid')}{more}"


def cost_usd(model: str, usage: Usage) -> float | None:
    """What `usage` cost on chain model `model` in US dollars by litellm's price list (loaded offline); 0 for the
    local model and for no tokens; None when the model has no price."""
    if model == LOCAL or usage.total_tokens == 0:
        return 0.0
    try:
        prompt_cost, completion_cost = _litellm().cost_per_token(model=model, prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens)
    except Exception:  # litellm raises for models it has no price for
        return None
    return round(prompt_cost + completion_cost, 8)


def usage_of(completion) -> Usage:
    usage = getattr(completion, "usage", None)
    if usage is None:
        return Usage()
    return Usage(prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0, completion_tokens=getattr(usage, "completion_tokens", 0) or 0)


def _causes(err: BaseException):
    seen = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        yield err
        err = err.__cause__ or err.__context__


def classify(err: BaseException) -> ModelCallError:
    """Turn whatever litellm/instructor raised into a ModelCallError with a kind and a one-line message."""
    import litellm

    chain = list(_causes(err))
    usage = Usage()
    total_usage = getattr(err, "total_usage", None)
    if total_usage is not None:
        usage = usage_of(type("C", (), {"usage": total_usage})())
    for cause in chain:
        if type(cause).__name__ == "CannotOverwriteExistingCassetteException":
            return ModelCallError("not_recorded", _not_recorded(cause))
    kinds = [
        (litellm.AuthenticationError, "auth"),
        (litellm.RateLimitError, "rate_limit"),
        (litellm.Timeout, "timeout"),
        (litellm.APIConnectionError, "connection"),
        (litellm.NotFoundError, "not_found"),
        (litellm.BadRequestError, "bad_request"),
        (litellm.InternalServerError, "server"),
        (litellm.ServiceUnavailableError, "server"),
        (litellm.APIError, "server"),
    ]
    for cause in chain:  # a refused key, whatever litellm made of it (it maps some 401s to BadRequestError)
        if getattr(cause, "status_code", None) in (401, 403):
            return ModelCallError("auth", _first_line(cause), usage)
    for cause in chain:  # tool arguments litellm could not decode (e.g. nested thousands deep): the answer is what is invalid
        if "Invalid response object" in str(cause) and (reason := _unreadable_answer(str(cause))):
            return ModelCallError("invalid_output", f"the answer could not be read ({reason})", usage)
    dropped = any(type(cause).__name__ in _DROPPED for cause in chain)
    for cause in chain:  # litellm's async path reports a refused connection as an internal server error
        if type(cause).__name__ in ("ConnectError", "APIConnectionError") and "Timeout" not in type(cause).__name__:
            return ModelCallError("connection", _first_line(cause), usage, dropped=dropped)
    for cause in chain:
        for exc_type, kind in kinds:
            if isinstance(cause, exc_type):
                return ModelCallError(kind, _first_line(cause), usage, retry_after=_retry_after(cause), dropped=dropped and kind == "connection")
        if type(cause).__name__ == "IncompleteOutputException":
            return ModelCallError("truncated", "the output was cut off by the token limit", usage)
    if type(err).__name__ == "InstructorRetryException":
        attempts = getattr(err, "n_attempts", None)
        after = f"after {attempts} attempt{'' if attempts == 1 else 's'}" if isinstance(attempts, int) else "after the re-asks"
        return ModelCallError("invalid_output", f"the answer failed validation {after}: {_what_was_invalid(err)}", usage)
    return ModelCallError("unknown", f"{type(err).__name__}: {_first_line(err)}", usage)


# httpx's (and the OS's) names for a connection that was open and then lost before the answer came
_DROPPED = frozenset({"RemoteProtocolError", "ReadError", "WriteError", "ConnectionResetError", "BrokenPipeError", "ServerDisconnectedError"})

_UNPLAYABLE = {  # vcrpy's reason a request could not be played back
    "cassette_not_found": "the cassette does not exist",
    "already_played": "its recording was already played back",
    "nothing_similar": "nothing like it was recorded",
}


def _not_recorded(err: BaseException) -> str:
    """vcrpy's refusal of a request in one line: the request, the cassette's path, why, and what to do."""
    request = getattr(err, "failed_request", None)
    what = f"{request.method} {request.path}" if getattr(request, "method", None) and getattr(request, "path", None) else "this request"
    path = getattr(getattr(err, "cassette", None), "_path", None)
    where = f"the cassette {path}" if path else "the cassette"
    reason = getattr(err, "reason", None)
    if reason == "no_match":
        similar = getattr(err, "similar_requests", None) or [((), (), ())]
        failed = [message if "json_body" in str(name) and message else f"its {name} differs" for name, message in similar[0][2]]
        why = f"no recorded request matches it (the closest: {'; '.join(failed) or 'it differs'})"
    else:
        why = _UNPLAYABLE.get(reason, "it is not recorded")
    return f"no recording of {what} in {where}: {why}; record it (record mode new_episodes, or all to record the cassette afresh)"


def _retry_after(err: BaseException) -> float | None:
    """Seconds from a Retry-After (or retry-after-ms) header of the error's HTTP response, if it has one."""
    headers = getattr(err, "litellm_response_headers", None) or getattr(getattr(err, "response", None), "headers", None) or {}
    try:
        if "retry-after-ms" in headers:
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
        if "retry-after" in headers:
            value = headers["retry-after"]
            try:
                return max(0.0, float(value))
            except ValueError:
                from email.utils import parsedate_to_datetime

                return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
    return None


def _what_was_invalid(err: BaseException) -> str:
    """The first validation error of the last answer, on one line: 'facts.0.value: Input should be a valid number
    (and 3 more errors)'; for an answer that could not be validated at all, the error that stopped it."""
    failed = [attempt.exception for attempt in reversed(getattr(err, "failed_attempts", None) or [])]
    causes = [*failed, *_causes(err)]
    for cause in causes:
        if type(cause).__name__ == "ValidationError" and callable(getattr(cause, "errors", None)) and (summary := _validation_summary(cause, default="")):
            return summary
    for cause in causes:  # no validation error: what went wrong reading the answer (e.g. no choices in it)
        if type(cause).__name__ != "InstructorRetryException":
            return f"{type(cause).__name__}: {_first_line(cause)}"
    return _first_line(err)


def _exception_lines(text: str) -> list[str]:
    """The 'SomeError: message' lines of a traceback that a library put inside an error message."""
    import re

    return re.findall(r"^(?:[A-Za-z_][\w]*\.)*[A-Za-z_]\w*(?:Error|Exception)\b.*$", text, flags=re.MULTILINE)


def _unreadable_answer(text: str) -> str | None:
    """The decoding error in an 'Invalid response object' message, if the answer's JSON could not be decoded."""
    _, found, rest = text.partition("Traceback (most recent call last):")
    lines = _exception_lines(rest) if found else []
    if lines and any(name in lines[-1] for name in ("RecursionError", "JSONDecodeError")):
        return lines[-1].strip()[:200]
    return None


def _first_line(err: BaseException) -> str:
    """The error's message on one line: its first line, and for a message with a traceback inside, the traceback's error."""
    text = str(err).strip()
    if not text:
        return type(err).__name__
    head, found, rest = text.partition("Traceback (most recent call last):")
    line = head.strip().splitlines()[0].strip() if head.strip() else ""
    if found:
        last = _exception_lines(rest)
        if last:
            line = f"{line} ({last[-1].strip()})" if line else last[-1].strip()
    return line[:300] or type(err).__name__
