"""The model chain: a valid answer from the cache or from the first model that gives one, and what it cost.

`ModelChain.answer()` is the one path from a request to a valid answer, for every task:

    cached answer of any model of the chain? ──► it answers (validated again; no model is called)
    else, for each model in order ──► ask it ──► valid: cache it, it answers │ failed: record why, next model
    none left ──► NoValidAnswer, with every model tried and why

`ModelChain.endpoints()` yields, in order, each model of the chain that can be called now, and records
why the others could not (no API key, local model not installed or not starting). `ModelChain.ask()` makes
one call: it waits for a free slot of that model (the local server answers one request at a time) and, when
the provider answers 429 with Retry-After, waits that long and asks again.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from contextvars import ContextVar
from dataclasses import dataclass, field, replace

from pydantic import BaseModel

from summarizer.config import CHARS_PER_TOKEN, DEFAULT_CONTEXT, HOSTED_TIMEOUT, LOCAL, LOCAL_TIMEOUT, Settings, local_gguf
from summarizer.errors import ConfigError, LocalModelError, ModelCallError, NoValidAnswer
from summarizer.models import call as llm
from summarizer.models.cache import AnswerCache, cache_key
from summarizer.models.local_server import MODEL_FILE, MODEL_SHA256, LocalServer, model_path
from summarizer.schema import Attempt, ModelCall, PromptRef, Usage

REPLAY_API_BASE = "http://127.0.0.1:9/v1"  # where `local` answers while only a cassette answers (nothing listens there)
# True while a cassette replays every call (models/cassettes.py, record mode none): `local` is then not started, and
# its calls go to REPLAY_API_BASE, which only the cassette answers. A context variable, so it holds for the block
# that set it, its asyncio tasks and its threads, and for no other.
replay_only: ContextVar[bool] = ContextVar("replay_only", default=False)
LOCAL_SLOTS = 1  # llama-cpp-python's server answers one request at a time: more would queue there and time out
RATE_LIMIT_RETRIES = 3  # asks again after a 429 with Retry-After, at most this often per call
MAX_RETRY_AFTER = 120.0  # seconds; a provider asking for longer is treated as failing, and the chain moves on
DROPPED_RETRIES = 1  # a request whose connection was lost before its answer came is sent again this often, then the chain moves on
DROPPED_WAIT = 0.2  # seconds before it is
INSTRUCTION_TOKENS = 1500  # a call's instructions and answer fields around the part of the document it carries
MIN_PART_TOKENS = 1000  # a part of a document is never cut smaller than this, whatever the settings
CLAIM_POLL = 0.25  # seconds between looks at the cache while another process asks the answer
MAX_REASKS = 1  # re-asks with the validation errors; on the embedded model one resends the whole conversation


@dataclass
class Answered:
    """A valid answer, and the call it came from (the cache, or the first model of the chain that gave one)."""

    value: BaseModel
    call: ModelCall


class ModelChain:
    """The configured models, in order. Use as a context manager so the local server is stopped at the end."""

    def __init__(self, settings: Settings, pauses=None, claims=None):
        """`claims`: where answers being asked are claimed beyond this process (e.g. scale/claims.py): an object
        with `claim(key) -> bool`, `renew(key)`, `release(key)` and `seconds`; a chain that finds an answer claimed
        waits for it to reach the cache. None: nothing is claimed.
        `pauses`: where Retry-After pauses are shared beyond this process (e.g. scale/pauses.py, a key in Redis per
        model): an object with `pause(model, seconds)` and `remaining(model) -> seconds`; None keeps them in this process."""
        self.settings = settings
        self._state = _State(pauses=pauses, claims=claims)
        self._owner = True  # it stops the local server it started; a chain made by with_models() does not

    def with_models(self, names: tuple[str, ...]) -> ModelChain:
        """Another chain (order or subset of models) sharing this one's local server, slots and Retry-After pauses.
        Closing it stops nothing: the chain it came from owns the local server."""
        other = ModelChain(replace(self.settings, chain=names, source="the request's model"))
        other._state, other._owner = self._state, False
        return other

    def validate(self) -> None:
        """Fail fast, before any article is read, on a model name litellm cannot route."""
        for name in self.settings.chain:
            if name == LOCAL or self.settings.options_for(name).api_base:
                continue
            problem = llm.check_model_name(name)
            if problem:
                raise ConfigError(f"{self.settings.source}: {problem}; use a litellm model string such as openai/gpt-4o-mini, or 'local'")

    async def endpoints(self, skipped: list[Attempt]) -> AsyncIterator[llm.Endpoint]:
        """Yield the callable endpoints in chain order; append an Attempt to `skipped` for each model that cannot be called."""
        for name in self.settings.chain:
            try:
                if name == LOCAL and not self.settings.options_for(name).api_base:
                    await self._start_local()
                endpoint = self._endpoint(name)
            except (LocalModelError, _Unavailable) as err:
                skipped.append(Attempt(model=name, error=str(err)))
                continue
            yield endpoint

    async def ask(self, endpoint: llm.Endpoint, messages: list[dict[str, str]], answer_model, *, max_reasks: int):
        """One structured call to `endpoint`, in one of its slots, honouring Retry-After on 429, and sent once more when
        the server closed its connection without answering (a kept-alive connection closed as the request went out).

        `endpoint.timeout` bounds the whole call, re-asks included, from the moment it has its slot: the HTTP
        client's own timeout bounds each read only, and a provider that drips its answer a byte at a time never
        lets a read time out."""
        await _warm_up()  # before any clock starts: the first call of a process spends seconds loading libraries
        llm._tool_model(answer_model)  # made once per answer model (its JSON Schema), also before the clock
        waits_left, resends_left = RATE_LIMIT_RETRIES, DROPPED_RETRIES
        while True:
            await self._wait_out_pause(endpoint.name)
            async with self._slot(endpoint.name):
                try:
                    return await _within(endpoint.timeout, llm.complete_structured(endpoint, messages, answer_model, max_reasks=max_reasks))
                except llm.ModelCallError as err:
                    if err.dropped and resends_left:  # the server closed the connection unanswered: send it once more
                        resends_left -= 1
                        await asyncio.sleep(DROPPED_WAIT)
                        continue
                    waits = err.kind == "rate_limit" and err.retry_after is not None and err.retry_after <= MAX_RETRY_AFTER
                    if not waits or not waits_left:
                        raise
                    waits_left -= 1
                    self._state.paused_until[endpoint.name] = max(self._state.paused_until.get(endpoint.name, 0.0), time.monotonic() + err.retry_after)
                    if self._state.pauses is not None:
                        self._state.pauses.pause(endpoint.name, err.retry_after)

    async def answer(
        self,
        answer_model: type[BaseModel],
        messages: list[dict[str, str]],
        keys: dict[str, str],
        *,
        cache: AnswerCache | None,
        article_id: str,
        task: str = "answer",
        shared_prefix: bool = False,
    ) -> Answered:
        """A cached answer of any model of the chain, else the first valid answer of the chain, which is then cached.
        `keys` are the request's cache keys (`cache_keys`, with the same `shared_prefix`); raises NoValidAnswer when
        no model answers validly. `shared_prefix`: the request opens with the same tokens as the other calls of its
        task (the article), and the local model gets the schema as a response format rather than as a tool, which
        its chat template would put before the article (see `call_settings`)."""
        if hit := self._cached(answer_model, keys, cache):
            return hit
        claims, claim = (self._state.claims, keys[self.settings.chain[0]]) if cache else (None, "")
        while claims is not None and not claims.claim(claim):  # another process is asking it: its answer will be cached
            await asyncio.sleep(CLAIM_POLL)
            if hit := self._cached(answer_model, keys, cache):
                return hit
        renewing = asyncio.create_task(_renew(claims, claim)) if claims is not None else None
        try:
            return await self._ask_chain(answer_model, messages, keys, cache=cache, article_id=article_id, task=task, shared_prefix=shared_prefix)
        finally:
            if renewing is not None:
                renewing.cancel()
                claims.release(claim)

    def _cached(self, answer_model: type[BaseModel], keys: dict[str, str], cache: AnswerCache | None) -> Answered | None:
        """The cached answer of the first model of the chain that has one the validators accept."""
        for name in self.settings.chain if cache else ():
            if hit := cache.get(keys[name]):
                try:
                    value = answer_model.model_validate_json(hit.value_json)
                except ValueError:
                    continue  # an answer the current validators refuse is asked again
                return Answered(value, ModelCall(model=name, usage=hit.usage, cost_usd=0.0, cache_hit=True, cache_key=keys[name]))
        return None

    async def _ask_chain(self, answer_model, messages, keys, *, cache, article_id, task, shared_prefix) -> Answered:
        """The first valid answer of the chain's models, in order, cached; NoValidAnswer when none answers."""
        attempts: list[Attempt] = []
        spent = Usage()  # tokens spent on models that then failed count too
        async for endpoint in self.endpoints(attempts):
            endpoint = replace(endpoint, mode=self.call_settings(endpoint.name, shared_prefix)["mode"])
            try:
                result = await self.ask(endpoint, messages, answer_model, max_reasks=MAX_REASKS)
            except ModelCallError as err:
                attempts.append(Attempt(model=endpoint.name, error=str(err)))
                spent = spent + err.usage
                continue
            if cache:
                cache.put(keys[endpoint.name], endpoint.name, result.value.model_dump_json(), result.usage)
            usage = spent + result.usage
            return Answered(
                result.value,
                ModelCall(
                    model=endpoint.name,
                    attempts=attempts,
                    usage=usage,
                    cost_usd=llm.cost_usd(endpoint.name, usage),
                    reasks=result.reasks,
                    cache_key=keys[endpoint.name],
                ),
            )
        raise NoValidAnswer(article_id, attempts, task)

    def cache_keys(self, messages: list[dict[str, str]], prompt: PromptRef, answer_model: type[BaseModel], shared_prefix: bool = False) -> dict[str, str]:
        """The cache key of a request's answer for each model of the chain."""
        return {
            name: cache_key(
                messages=messages,
                prompt=prompt,
                answer_model=answer_model,
                model=self.identity(name),
                generation={**self.call_settings(name, shared_prefix), "max_reasks": MAX_REASKS, **llm.GENERATION},
            )
            for name in self.settings.chain
        }

    def identity(self, name: str) -> str:
        """What the answers of chain model `name` depend on, for the cache: its name, and for `local` the weights served."""
        options = self.settings.options_for(name)
        if name != LOCAL:
            return f"{name}@{options.api_base}" if options.api_base else name
        if options.api_base:
            return f"local@{options.api_base}"
        path = local_gguf()
        if path:
            return f"local:{path.name}:{path.stat().st_size if path.is_file() else 'missing'}"
        return f"local:{MODEL_FILE}:{MODEL_SHA256[:16]}"

    def call_settings(self, name: str, shared_prefix: bool = False) -> dict:
        """The mode and token limit calls to `name` use (they change its answers). A request that shares its prefix
        with the other calls of its task reaches the local llama.cpp server in `json_object` mode (the schema as
        a response format, out of the prompt), so the server reuses the evaluated article from call to call."""
        options = self.settings.options_for(name)
        mode = "json_object" if shared_prefix and name == LOCAL else options.mode
        return {"mode": mode, "max_tokens": options.max_tokens or llm.DEFAULT_MAX_TOKENS}

    def context_tokens(self, name: str) -> int:
        """Tokens of `name`'s context window: its `context` setting, else DEFAULT_CONTEXT (the embedded model's own)."""
        return self.settings.options_for(name).context or DEFAULT_CONTEXT

    def part_budget(self) -> int:
        """How much of a document one call may carry, in characters (the text and what is listed beside it): what
        fits the smallest context of the chain with the instructions and the answer, since any model of the chain
        may be handed the same messages (text/parts.py cuts a long document to it)."""
        room = min(self.context_tokens(name) - self.call_settings(name)["max_tokens"] - INSTRUCTION_TOKENS for name in self.settings.chain)
        return max(MIN_PART_TOKENS, room) * CHARS_PER_TOKEN

    def _slot(self, name: str):
        if name != LOCAL:
            return contextlib.nullcontext()
        loop = asyncio.get_running_loop()
        if self._state.local_slots is None or self._state.local_slots[0] is not loop:  # a semaphore belongs to one event loop
            self._state.local_slots = (loop, asyncio.Semaphore(LOCAL_SLOTS))
        return self._state.local_slots[1]

    async def _wait_out_pause(self, name: str) -> None:
        while (left := self._pause_left(name)) > 0:
            await asyncio.sleep(left)

    def _pause_left(self, name: str) -> float:
        left = self._state.paused_until.get(name, 0.0) - time.monotonic()
        return max(left, self._state.pauses.remaining(name)) if self._state.pauses is not None else left

    async def _start_local(self) -> None:
        """Start the embedded server once, off the event loop (it takes seconds), whatever the number of callers."""
        loop = asyncio.get_running_loop()
        if self._state.start_lock is None or self._state.start_lock[0] is not loop:
            self._state.start_lock = (loop, asyncio.Lock())
        async with self._state.start_lock[1]:
            if self._state.local_server is None:
                await asyncio.to_thread(self._local)

    def _endpoint(self, name: str) -> llm.Endpoint:
        options = self.settings.options_for(name)
        common = self.call_settings(name)
        if name == LOCAL:  # the embedded model, or an already running llama.cpp server given as [model.local] api_base
            api_base = options.api_base or self._local().api_base
            timeout = options.timeout or LOCAL_TIMEOUT
            return llm.Endpoint(name=LOCAL, model="openai/local", api_base=api_base, api_key=llm.NO_KEY, timeout=timeout, **common)
        timeout = options.timeout or HOSTED_TIMEOUT
        if options.api_base:  # a self-hosted server (Ollama, vLLM, another llama.cpp): the provider's key if set, else none
            api_key = llm.NO_KEY if llm.missing_keys(name) else None
            return llm.Endpoint(name=name, model=name, api_base=options.api_base, api_key=api_key, timeout=timeout, **common)
        missing = llm.missing_keys(name)
        if missing:
            raise _Unavailable(f"auth: {', '.join(missing)} not set")
        return llm.Endpoint(name=name, model=name, timeout=timeout, **common)

    def _local(self) -> LocalServer | _Replayed:
        if replay_only.get():
            return _Replayed()
        if self._state.local_error:
            raise LocalModelError(self._state.local_error)
        if self._state.local_server is None:
            try:
                self._state.local_server = LocalServer(model_path(), n_ctx=self.context_tokens(LOCAL)).start()
            except LocalModelError as err:
                self._state.local_error = str(err)
                raise
        return self._state.local_server

    def close(self) -> None:
        if self._owner and self._state.local_server is not None:
            self._state.local_server.stop()
            self._state.local_server = None

    def __enter__(self) -> ModelChain:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_warmed = False  # the libraries a call needs are loaded (once per process)
_warming: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None


async def _warm_up() -> None:
    """Load what a call needs, once per process, so that no call's timeout is spent on it: import litellm and
    instructor, and take one call through litellm to port 0 of the loopback address (refused before anything
    is sent). The first call of a process otherwise spends seconds importing the HTTP client and provider code."""
    global _warmed, _warming
    if _warmed:
        return
    loop = asyncio.get_running_loop()
    if _warming is None or _warming[0] is not loop:
        _warming = (loop, asyncio.Lock())
    async with _warming[1]:
        if _warmed:
            return
        import instructor

        litellm = llm._litellm()
        instructor.from_litellm(litellm.acompletion, mode=instructor.Mode.TOOLS)
        tool = {"type": "function", "function": {"name": "warm_up", "parameters": {"type": "object", "properties": {}}}}
        with contextlib.suppress(Exception):
            await litellm.acompletion(
                model="openai/warm-up",
                api_base="http://127.0.0.1:0/v1",
                api_key=llm.NO_KEY,
                messages=[{"role": "user", "content": "warm-up"}],
                tools=[tool],
                num_retries=0,
                max_retries=0,
                timeout=30,
            )
        _warmed = True


async def _within(seconds: float, call):
    """The result of awaiting `call`, or a ModelCallError of kind `timeout` once `seconds` have passed."""
    try:
        async with asyncio.timeout(seconds):
            return await call
    except TimeoutError:
        raise ModelCallError("timeout", f"no complete answer within {seconds:g} s (the timeout of one call, re-asks included)") from None


async def _renew(claims, key: str) -> None:
    """Keep a claim alive while its call runs."""
    while True:
        await asyncio.sleep(claims.seconds / 3)
        claims.renew(key)


class _Replayed:
    """`local` while a cassette answers every call: an address nothing listens at, and nothing to stop."""

    api_base = REPLAY_API_BASE

    def stop(self) -> None:
        pass


@dataclass
class _State:
    """What the models of a chain share across calls (and with chains made by `with_models`)."""

    local_server: LocalServer | None = None
    local_error: str | None = None
    local_slots: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None
    start_lock: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None
    paused_until: dict[str, float] = field(default_factory=dict)  # model -> monotonic time before which it is not asked (Retry-After)
    pauses: object | None = None  # the same pauses shared with other processes (ModelChain's `pauses`), if any
    claims: object | None = None  # claims on answers being asked, shared with other processes (ModelChain's `claims`)


class _Unavailable(Exception):
    """A model of the chain that cannot be called at all (e.g. its API key is not set)."""
