"""The model chain's precedence: --model over SUMMARIZER_MODELS over the config file over the default."""

import pytest

from summarizer.config import ConfigError, load_settings


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "summarizer.toml"
    path.write_text(
        'models = ["ollama/qwen2.5:1.5b", "local"]\n\n[model."ollama/qwen2.5:1.5b"]\napi_base = "http://127.0.0.1:11434"\nmode = "json"\n',
        encoding="utf-8",
    )
    return path


def test_default_chain_without_a_key_is_local_only(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SUMMARIZER_CONFIG", raising=False)
    assert load_settings().chain == ("local",)


def test_default_chain_with_an_openai_key_falls_back_to_local(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key-000000")
    assert load_settings().chain == ("openai/gpt-4o-mini", "local")


def test_config_file_gives_chain_and_options(config):
    settings = load_settings(config=str(config))
    assert settings.chain == ("ollama/qwen2.5:1.5b", "local")
    assert settings.options_for("ollama/qwen2.5:1.5b").api_base == "http://127.0.0.1:11434"
    assert settings.options_for("ollama/qwen2.5:1.5b").mode == "json"
    assert settings.options_for("local").mode == "tools"


def test_environment_beats_config_file(monkeypatch, config):
    monkeypatch.setenv("SUMMARIZER_MODELS", "openai/gpt-4o-mini, local")
    assert load_settings(config=str(config)).chain == ("openai/gpt-4o-mini", "local")


def test_model_argument_beats_everything(monkeypatch, config):
    monkeypatch.setenv("SUMMARIZER_MODELS", "openai/gpt-4o-mini,local")
    settings = load_settings(model_arg="anthropic/claude-3-5-haiku-latest", config=str(config))
    assert settings.chain == ("anthropic/claude-3-5-haiku-latest",)
    assert settings.source == "--model"


@pytest.mark.parametrize(
    "content, problem",
    [
        ("models = [", "not valid TOML"),
        ("models = 'local'", "must be a list"),
        ('[model.local]\nmode = "xml"', "mode must be one of"),
        ('[model.local]\ncolour = "red"', "unknown keys: colour"),
    ],
)
def test_bad_config_is_one_clear_line(tmp_path, content, problem):
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(config=str(path))
    message = str(err.value)
    assert problem in message and str(path) in message and "\n" not in message


def test_empty_chain_is_refused():
    with pytest.raises(ConfigError, match="empty"):
        load_settings(model_arg=" , ")


def test_service_token_from_the_environment_first_then_the_config_file(monkeypatch, tmp_path):
    from summarizer.config import service_token

    path = tmp_path / "summarizer.toml"
    path.write_text('[service]\napi_token = "from-the-file-0123456789"\n', encoding="utf-8")
    monkeypatch.delenv("SUMMARIZER_API_TOKEN", raising=False)
    assert service_token(str(path)) == "from-the-file-0123456789"
    monkeypatch.setenv("SUMMARIZER_API_TOKEN", "from-the-environment-0123")
    assert service_token(str(path)) == "from-the-environment-0123"


def test_a_missing_or_short_service_token_is_refused_without_echoing_it(monkeypatch, tmp_path):
    from summarizer.config import service_token

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SUMMARIZER_CONFIG", raising=False)
    monkeypatch.delenv("SUMMARIZER_API_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="SUMMARIZER_API_TOKEN"):
        service_token()
    monkeypatch.setenv("SUMMARIZER_API_TOKEN", "short-secret")
    with pytest.raises(ConfigError, match="12 characters") as refused:
        service_token()
    assert "short-secret" not in str(refused.value)
