"""Configuration: the model chain, per-model options, and where the cache lives.

The chain is the first of these that is set:
  1. `--model` on the command line (comma-separated),
  2. the environment variable `SUMMARIZER_MODELS` (comma-separated, e.g. `openai/gpt-4o-mini,local`),
  3. `models = [...]` in the config file,
  4. the default: `openai/gpt-4o-mini` when `OPENAI_API_KEY` is set, then `local`.

The config file is `--config PATH`, else `$SUMMARIZER_CONFIG`, else `./summarizer.toml` if present:

    models = ["ollama/qwen2.5:1.5b", "local"]

    [model."ollama/qwen2.5:1.5b"]
    api_base = "http://127.0.0.1:11434"
    mode = "json"          # instructor mode: tools (default) | json | json_schema
    timeout = 300          # seconds for one call, re-asks included (default 1800 for local, 300 otherwise)
    max_tokens = 3000      # completion tokens for one answer (default 3000)

Any litellm model string works in the chain, plus `local` for the embedded model.

`summarizer serve` takes its bearer token from `$SUMMARIZER_API_TOKEN`, else from the config file:

    [service]
    api_token = "a long random string"
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

LOCAL = "local"
MODES = ("tools", "json", "json_schema")


class ConfigError(Exception):
    """A setting that cannot be used. The message is one line naming the setting."""


@dataclass(frozen=True)
class ModelOptions:
    api_base: str | None = None
    mode: str = "tools"
    timeout: float | None = None  # None: the chain's default for the kind of model
    max_tokens: int | None = None


@dataclass(frozen=True)
class Settings:
    chain: tuple[str, ...]
    options: dict[str, ModelOptions] = field(default_factory=dict)
    source: str = "default"  # which setting gave the chain, for messages

    def options_for(self, model: str) -> ModelOptions:
        return self.options.get(model, ModelOptions())


def cache_dir() -> Path:
    """`$SUMMARIZER_CACHE_DIR`, else the user's cache directory."""
    return Path(os.environ.get("SUMMARIZER_CACHE_DIR") or platformdirs.user_cache_dir("summarizer"))


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


def parse_options(path: Path, table: dict) -> dict[str, ModelOptions]:
    options = {}
    for name, values in table.items():
        if not isinstance(values, dict):
            raise ConfigError(f"{path}: [model.\"{name}\"] must be a table")
        unknown = set(values) - {"api_base", "mode", "timeout", "max_tokens"}
        if unknown:
            raise ConfigError(f"{path}: [model.\"{name}\"] has unknown keys: {', '.join(sorted(unknown))}")
        mode = values.get("mode", "tools")
        if mode not in MODES:
            raise ConfigError(f"{path}: [model.\"{name}\"] mode must be one of {', '.join(MODES)}, not {mode!r}")
        options[name] = ModelOptions(
            api_base=values.get("api_base"),
            mode=mode,
            timeout=float(values["timeout"]) if "timeout" in values else None,
            max_tokens=values.get("max_tokens"),
        )
    return options


def config_path(explicit: str | None) -> Path | None:
    if explicit:
        return Path(explicit)
    if os.environ.get("SUMMARIZER_CONFIG"):
        return Path(os.environ["SUMMARIZER_CONFIG"])
    local = Path("summarizer.toml")
    return local if local.is_file() else None


def load_settings(*, model_arg: str | None = None, config: str | None = None) -> Settings:
    """Resolve the chain and per-model options from the command line, the environment and the config file."""
    path = config_path(config)
    data = read_config_file(path) if path else {}
    options = parse_options(path, data.get("model", {})) if path else {}
    file_chain = data.get("models")
    if file_chain is not None and (not isinstance(file_chain, list) or not all(isinstance(m, str) for m in file_chain)):
        raise ConfigError(f"{path}: `models` must be a list of model names")

    if model_arg:
        chain, source = split_chain(model_arg), "--model"
    elif os.environ.get("SUMMARIZER_MODELS", "").strip():
        chain, source = split_chain(os.environ["SUMMARIZER_MODELS"]), "SUMMARIZER_MODELS"
    elif file_chain:
        chain, source = tuple(file_chain), str(path)
    else:
        chain, source = default_chain(), "default"
    if not chain:
        raise ConfigError(f"{source}: the model chain is empty")
    return Settings(chain=chain, options=options, source=source)


TOKEN_ENV = "SUMMARIZER_API_TOKEN"
MIN_TOKEN_CHARS = 16


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
