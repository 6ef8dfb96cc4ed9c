"""The model chain: turning chain names into callable endpoints, starting the local model on first use.

`ModelChain.endpoints()` yields, in order, each model of the chain that can be called now, and records
why the others could not (no API key, local model not installed or not starting). The pipeline tries
each endpoint in turn and moves on when one fails; that fallback is recorded in the brief's provenance.
"""

from __future__ import annotations

from collections.abc import Iterator

from . import llm
from .local_model import LocalModelError, LocalServer, model_path
from .schema import Attempt
from .settings import LOCAL, ConfigError, Settings

LOCAL_TIMEOUT = 1800.0  # seconds for one call on the embedded model, re-asks included (2 cores, no GPU)
HOSTED_TIMEOUT = 300.0


class ModelChain:
    """The configured models, in order. Use as a context manager so the local server is stopped at the end."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._local_server: LocalServer | None = None
        self._local_error: str | None = None

    def validate(self) -> None:
        """Fail fast, before any article is read, on a model name litellm cannot route."""
        for name in self.settings.chain:
            if name == LOCAL or self.settings.options_for(name).api_base:
                continue
            problem = llm.check_model_name(name)
            if problem:
                raise ConfigError(f"{self.settings.source}: {problem}; use a litellm model string such as openai/gpt-4o-mini, or 'local'")

    def endpoints(self, skipped: list[Attempt]) -> Iterator[llm.Endpoint]:
        """Yield the callable endpoints in chain order; append an Attempt to `skipped` for each model that cannot be called."""
        for name in self.settings.chain:
            try:
                yield self._endpoint(name)
            except (LocalModelError, _Unavailable) as err:
                skipped.append(Attempt(model=name, error=str(err)))

    def _endpoint(self, name: str) -> llm.Endpoint:
        options = self.settings.options_for(name)
        common = dict(mode=options.mode, max_tokens=options.max_tokens or llm.DEFAULT_MAX_TOKENS)
        if name == LOCAL:  # the embedded model, or an already running llama.cpp server given as [model.local] api_base
            api_base = options.api_base or self._local().api_base
            timeout = options.timeout or LOCAL_TIMEOUT
            return llm.Endpoint(name=LOCAL, model="openai/local", api_base=api_base, api_key=llm.NO_KEY, timeout=timeout, **common)
        timeout = options.timeout or HOSTED_TIMEOUT
        if options.api_base:  # a self-hosted server (Ollama, vLLM, another llama.cpp): no key needed
            return llm.Endpoint(name=name, model=name, api_base=options.api_base, timeout=timeout, **common)
        missing = llm.missing_keys(name)
        if missing:
            raise _Unavailable(f"auth: {', '.join(missing)} not set")
        return llm.Endpoint(name=name, model=name, timeout=timeout, **common)

    def _local(self) -> LocalServer:
        if self._local_error:
            raise LocalModelError(self._local_error)
        if self._local_server is None:
            try:
                self._local_server = LocalServer(model_path()).start()
            except LocalModelError as err:
                self._local_error = str(err)
                raise
        return self._local_server

    def close(self) -> None:
        if self._local_server is not None:
            self._local_server.stop()
            self._local_server = None

    def __enter__(self) -> ModelChain:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Unavailable(Exception):
    """A model of the chain that cannot be called at all (e.g. its API key is not set)."""
