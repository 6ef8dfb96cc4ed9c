"""Configuration in one place: every environment variable, default, directory and limit, and the model chain.

Environment variables:

| variable | what it sets |
|---|---|
| `SUMMARIZER_MODELS` | the model chain, comma-separated (after `--model`, before the config file) |
| `SUMMARIZER_CONFIG` | the config file (default `./summarizer.toml` when present) |
| `SUMMARIZER_CACHE` | the answer cache file (default `answers.sqlite` in the cache folder) |
| `SUMMARIZER_CACHE_DIR` | the cache folder: answer cache, assembled model weights (default: the user's cache folder) |
| `SUMMARIZER_DATA` | the service's folder for jobs and results (default: the user's data folder) |
| `SUMMARIZER_LOCAL_GGUF` | serve this GGUF as `local` instead of the embedded model |
| `SUMMARIZER_PROMPTS_DIR` | read the prompt templates from this folder instead of the package's |
| `SUMMARIZER_API_TOKEN` | the service's bearer token (else `[service] api_token` in the config file) |
| `SUMMARIZER_BROKER` | the Redis URL `summarizer worker` and `job` use without `--broker` (summarizer/scale/broker.py) |

The chain is the first of these that is set:
  1. `--model` on the command line (comma-separated),
  2. the environment variable `SUMMARIZER_MODELS` (comma-separated, e.g. `openai/gpt-4o-mini,local`),
  3. `models = [...]` in the config file,
  4. the default: `openai/gpt-4o-mini` when `OPENAI_API_KEY` is set, then `local`.

The config file is `--config PATH`, else `$SUMMARIZER_CONFIG`, else `./summarizer.toml` if present:

    models = ["ollama/qwen2.5:1.5b", "local"]
    max_chars = 400000     # the longest document taken, in characters after cleaning (default 400,000; also --max-chars)

    [model."ollama/qwen2.5:1.5b"]
    api_base = "http://127.0.0.1:11434"
    mode = "json"          # instructor mode: tools (default) | json | json_schema
    timeout = 300          # seconds for one call, re-asks included (default 1800 for local, 300 otherwise)
    max_tokens = 3000      # completion tokens for one answer (default 3000)
    context = 32768        # tokens of its context window (default 16384): a longer document is briefed in parts that fit

Any litellm model string works in the chain, plus `local` for the embedded model.

A brief's prose is checked with the packaged termbase (summarizer/data/termbase.tsv), extended by the user's own
files in the same format: `glossary = ["our-terms.tsv"]` in the config file (relative to it), then `--glossary FILE`.

`summarizer serve` takes its bearer token from `$SUMMARIZER_API_TOKEN`, else from the config file:

    [service]
    api_token = "a long random string"
    allowed_models = ["openai/gpt-4o"]   # what a request's `model` may name besides the chain's own (default: none)
    header_timeout = 20                  # seconds for a request's headers to arrive (default 20)
    body_timeout = 60                    # seconds for a request's whole body to arrive (default 60)
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from summarizer.errors import ConfigError

LOCAL = "local"  # the chain name of the embedded model
MODES = ("tools", "json", "json_schema")

CONFIG_ENV = "SUMMARIZER_CONFIG"
MODELS_ENV = "SUMMARIZER_MODELS"
CACHE_ENV = "SUMMARIZER_CACHE"
CACHE_DIR_ENV = "SUMMARIZER_CACHE_DIR"
DATA_ENV = "SUMMARIZER_DATA"
LOCAL_GGUF_ENV = "SUMMARIZER_LOCAL_GGUF"
PROMPTS_DIR_ENV = "SUMMARIZER_PROMPTS_DIR"
TOKEN_ENV = "SUMMARIZER_API_TOKEN"

# Limits and defaults
MAX_ARTICLE_CHARS = 400_000  # cleaned text of one document (`max_chars` / `--max-chars`): a longer one is briefed in parts (text/parts.py) up to this ceiling on memory and cost
CHARS_PER_TOKEN = 2.0  # what a part of a document may hold per token of the model's context (Vietnamese news runs ~2.5 characters a token)
DEFAULT_CONTEXT = 16_384  # tokens of a model's context when its `context` is not set (the embedded model's own)
DEFAULT_MAX_TOKENS = 3000  # completion tokens for one answer when a model's `max_tokens` is not set
DEFAULT_CONCURRENCY = 4  # articles in flight at once in a batch
LOCAL_TIMEOUT = 1800.0  # seconds for one call on the embedded model, re-asks included (2 cores, no GPU)
HOSTED_TIMEOUT = 300.0  # seconds for one call on any other model, re-asks included
MAX_BODY_BYTES = 4 * 1024 * 1024  # the service's request size limit: a batch of a few hundred articles
CLIENT_CONCURRENCY = 4  # the service's requests in flight at once from one client address
MIN_TOKEN_CHARS = 16  # the service's bearer token
MAX_ARTICLE_BYTES = 10 * 1024 * 1024  # one article file as read from disk (a saved news page with inline images fits)


@dataclass(frozen=True)
class ModelOptions:
    api_base: str | None = None
    mode: str = "tools"
    timeout: float | None = None  # None: the chain's default for the kind of model
    max_tokens: int | None = None
    context: int | None = None  # tokens of its context window; None: DEFAULT_CONTEXT (a longer document goes in parts that fit)


@dataclass(frozen=True)
class ServiceSettings:
    """`[service]` of the config file, for `summarizer serve` (the token is read apart: service_token)."""

    allowed_models: tuple[str, ...] = ()  # what a request's `model` may name besides the chain's own models
    header_timeout: float = 20.0  # seconds for a request's headers to arrive; then the connection is closed
    body_timeout: float = 60.0  # seconds for a request's whole body to arrive; then 408 and its slot is freed


@dataclass(frozen=True)
class Settings:
    chain: tuple[str, ...]
    options: dict[str, ModelOptions] = field(default_factory=dict)
    source: str = "default"  # which setting gave the chain, for messages
    service: ServiceSettings = field(default_factory=ServiceSettings)  # `[service]` of the config file
    max_chars: int = MAX_ARTICLE_CHARS  # the longest document taken, in characters after cleaning (`max_chars`, `--max-chars`)

    def options_for(self, model: str) -> ModelOptions:
        return self.options.get(model, ModelOptions())


def cache_dir() -> Path:
    """`$SUMMARIZER_CACHE_DIR`, else the user's cache directory."""
    return Path(os.environ.get(CACHE_DIR_ENV) or platformdirs.user_cache_dir("summarizer"))


def cache_path() -> Path:
    """The answer cache: `$SUMMARIZER_CACHE`, else answers.sqlite in the cache folder."""
    return Path(os.environ.get(CACHE_ENV) or cache_dir() / "answers.sqlite")


def data_dir() -> Path:
    """The service's jobs and results: `$SUMMARIZER_DATA`, else the user's data folder."""
    return Path(os.environ.get(DATA_ENV) or platformdirs.user_data_dir("summarizer"))


def local_gguf() -> Path | None:
    """The GGUF `$SUMMARIZER_LOCAL_GGUF` names to serve as `local` instead of the embedded model, if set."""
    override = os.environ.get(LOCAL_GGUF_ENV)
    return Path(override) if override else None


def prompts_dir() -> Path:
    """The prompt templates: `$SUMMARIZER_PROMPTS_DIR`, else the package's own."""
    return Path(os.environ.get(PROMPTS_DIR_ENV) or Path(__file__).resolve().parent / "prompts")


def split_chain(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


def default_chain() -> tuple[str, ...]:
    hosted = ("openai/gpt-4o-mini",) if os.environ.get("OPENAI_API_KEY") else ()
    return (*hosted, LOCAL)


def read_config_file(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError(f"{path}: cannot read the config file ({err.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: not valid TOML ({err})") from None


MAX_TIMEOUT = 7 * 24 * 3600.0  # seconds: `timeout` above a week is a typo
MAX_MAX_TOKENS = 1_000_000  # `max_tokens` above this no model answers
MIN_CONTEXT = 4096  # `context` below this leaves no room for the instructions and a part of a document


def parse_options(path: Path, table: object) -> dict[str, ModelOptions]:
    """The `[model."NAME"]` tables, each value checked for its type and range (one line naming the setting)."""
    if not isinstance(table, dict):
        raise ConfigError(f'{path}: `model` must be tables of per-model settings ([model."NAME"]), not {_shown(table)}')
    options = {}
    for name, values in table.items():
        where = f'{path}: [model."{name}"]'
        if not isinstance(values, dict):
            raise ConfigError(f"{where} must be a table")
        unknown = set(values) - {"api_base", "mode", "timeout", "max_tokens", "context"}
        if unknown:
            raise ConfigError(f"{where} has unknown keys: {', '.join(sorted(unknown))}")
        mode = values.get("mode", "tools")
        if not isinstance(mode, str) or mode not in MODES:
            raise ConfigError(f"{where} mode must be one of {', '.join(MODES)}, not {_shown(mode)}")
        api_base = values.get("api_base")
        if api_base is not None and (not isinstance(api_base, str) or not api_base.startswith(("http://", "https://"))):
            raise ConfigError(f"{where} api_base must be a URL (http:// or https://), not {_shown(api_base)}")
        timeout = values.get("timeout")
        if timeout is not None:
            if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= MAX_TIMEOUT:
                raise ConfigError(f"{where} timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT:.0f}, not {_shown(timeout)}")
            timeout = float(timeout)
        max_tokens = values.get("max_tokens")
        if max_tokens is not None and (isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or not 1 <= max_tokens <= MAX_MAX_TOKENS):
            raise ConfigError(f"{where} max_tokens must be a whole number from 1 to {MAX_MAX_TOKENS:,}, not {_shown(max_tokens)}")
        context = values.get("context")
        if context is not None and (isinstance(context, bool) or not isinstance(context, int) or not MIN_CONTEXT <= context <= MAX_MAX_TOKENS * 10):
            raise ConfigError(f"{where} context must be a whole number of tokens from {MIN_CONTEXT:,} to {MAX_MAX_TOKENS * 10:,}, not {_shown(context)}")
        options[name] = ModelOptions(api_base=api_base, mode=mode, timeout=timeout, max_tokens=max_tokens, context=context)
    return options


def _shown(value: object) -> str:
    """A config value in a message: its repr, cut to a readable length."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def config_path(explicit: str | None) -> Path | None:
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    local = Path("summarizer.toml")
    return local if local.is_file() else None


def load_settings(*, model_arg: str | None = None, config: str | None = None, max_chars: int | None = None) -> Settings:
    """Resolve the chain and per-model options from the command line, the environment and the config file."""
    path = config_path(config)
    data = read_config_file(path) if path else {}
    options = parse_options(path, data.get("model", {})) if path else {}
    file_chain = data.get("models")
    if file_chain is not None and (not isinstance(file_chain, list) or not all(isinstance(m, str) and m.strip() for m in file_chain)):
        raise ConfigError(f"{path}: `models` must be a list of model names")

    if model_arg:
        chain, source = split_chain(model_arg), "--model"
    elif os.environ.get(MODELS_ENV, "").strip():
        chain, source = split_chain(os.environ[MODELS_ENV]), MODELS_ENV
    elif file_chain:
        chain, source = tuple(file_chain), str(path)
    else:
        chain, source = default_chain(), "default"
    if not chain:
        raise ConfigError(f"{source}: the model chain is empty")
    ceiling = max_chars if max_chars is not None else parse_max_chars(path, data.get("max_chars", MAX_ARTICLE_CHARS))
    return Settings(chain=chain, options=options, source=source, service=parse_service(path, data.get("service", {})), max_chars=ceiling)


def parse_max_chars(path: Path | None, value: object) -> int:
    """`max_chars`: the longest document taken, in characters after cleaning."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{path}: `max_chars` must be a whole number of characters above 0, not {_shown(value)}")
    return value


def parse_service(path: Path | None, table: object) -> ServiceSettings:
    """`[service]`: allowed_models (models a request may name besides the chain's), header_timeout, body_timeout."""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: `service` must be a table ([service]), not {_shown(table)}")
    listed = table.get("allowed_models", [])
    if not isinstance(listed, list) or not all(isinstance(m, str) and m.strip() for m in listed):
        raise ConfigError(f"{path}: [service] allowed_models must be a list of model names, not {_shown(listed)}")
    timeouts = {}
    for key in ("header_timeout", "body_timeout"):
        value = table.get(key, getattr(ServiceSettings, key))
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= MAX_TIMEOUT:
            raise ConfigError(f"{path}: [service] {key} must be a number of seconds above 0 and at most {MAX_TIMEOUT:.0f}, not {_shown(value)}")
        timeouts[key] = float(value)
    return ServiceSettings(allowed_models=tuple(m.strip() for m in listed), **timeouts)


def glossary_paths(given: list[str] | None, config: str | None = None) -> list[Path]:
    """The user's termbase files: `glossary = [...]` of the config file (relative to it), then each `--glossary`."""
    path = config_path(config)
    listed = read_config_file(path).get("glossary", []) if path else []
    if isinstance(listed, str):
        listed = [listed]
    if not isinstance(listed, list) or not all(isinstance(item, str) for item in listed):
        raise ConfigError(f"{path}: `glossary` must be a file name or a list of them")
    return [path.parent / item for item in listed] + [Path(item) for item in given or []]


def service_token(config: str | None = None) -> str:
    """The HTTP service's bearer token: `$SUMMARIZER_API_TOKEN`, else `[service] api_token` of the config file."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    source = TOKEN_ENV
    if not token:
        path = config_path(config)
        table = read_config_file(path).get("service", {}) if path else {}
        token = str(table.get("api_token", "")).strip() if isinstance(table, dict) else ""
        source = f"{path}: [service] api_token"
    if not token:
        raise ConfigError(f"no API token: set {TOKEN_ENV} or [service] api_token in the config file (every /v1/ route needs it)")
    if len(token) < MIN_TOKEN_CHARS:
        raise ConfigError(f"{source}: the API token is {len(token)} characters; use at least {MIN_TOKEN_CHARS} (e.g. from `openssl rand -hex 24`)")
    return token
