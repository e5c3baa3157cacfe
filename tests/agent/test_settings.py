"""Which LLM runs: the spec grammar, where it comes from, and the options."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsagent.agent import LLMSettings, resolve_llm
from opsagent.errors import ConfigError

KEY = {"OPENAI_API_KEY": "sk-test-0123456789abcdefghij"}


@pytest.fixture(autouse=True)
def no_user_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Config discovery must not find the developer's own files."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))


@pytest.fixture
def gguf(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.gguf"
    path.write_bytes(b"GGUF")
    return path


def test_no_spec_and_no_key_means_engine_only() -> None:
    assert resolve_llm(None, {}) is None


def test_openai_key_alone_turns_on_the_original_default() -> None:
    settings = resolve_llm(None, KEY)
    assert settings is not None
    assert (settings.provider, settings.model) == ("openai", "gpt-4o-mini")
    assert settings.api_key == KEY["OPENAI_API_KEY"]


def test_the_key_is_never_in_the_repr() -> None:
    settings = resolve_llm("openai:gpt-4o", KEY)
    assert KEY["OPENAI_API_KEY"] not in repr(settings)
    assert KEY["OPENAI_API_KEY"] not in settings.spec


@pytest.mark.parametrize("word", ["none", "off", "OFF"])
def test_none_turns_the_agent_off_even_with_a_key(word: str) -> None:
    assert resolve_llm(word, KEY) is None
    assert resolve_llm(None, {**KEY, "OPSAGENT_LLM": word}) is None


def test_precedence_flag_then_env_then_config_then_key(tmp_path: Path) -> None:
    config = tmp_path / "team.yaml"
    config.write_text("llm: ollama:from-config\n")
    env = {**KEY, "OPSAGENT_LLM": "ollama:from-env"}
    assert resolve_llm("ollama:from-flag", env, config).model == "from-flag"
    assert resolve_llm(None, env, config).model == "from-env"
    assert resolve_llm(None, KEY, config).model == "from-config"
    assert resolve_llm(None, KEY).model == "gpt-4o-mini"


def test_config_is_discovered_like_the_cli_does(tmp_path: Path) -> None:
    (tmp_path / "opsagent.yaml").write_text("llm: ollama:llama3.1\nagent:\n  timeout_s: 12\n")
    settings = resolve_llm(None, {})
    assert settings is not None
    assert (settings.provider, settings.model, settings.timeout) == ("ollama", "llama3.1", 12)


def test_anthropic() -> None:
    settings = resolve_llm("anthropic:claude-3-5-haiku-latest",
                           {"ANTHROPIC_API_KEY": "sk-ant-test-0123456789abcdef"})
    assert settings is not None
    assert (settings.provider, settings.model) == ("anthropic", "claude-3-5-haiku-latest")


def test_ollama_model_names_keep_their_colons_and_the_url_is_normalised() -> None:
    settings = resolve_llm("ollama:llama3.1:8b", {"OLLAMA_HOST": "gpu-box"})
    assert settings is not None
    assert settings.model == "llama3.1:8b"
    assert settings.base_url == "http://gpu-box:11434/v1"
    default = resolve_llm("ollama:qwen2.5", {})
    assert default is not None and default.base_url == "http://localhost:11434/v1"


def test_openai_compatible() -> None:
    settings = resolve_llm("openai-compatible:http://127.0.0.1:8000/v1#qwen2.5-7b",
                           {"OPSAGENT_LLM_API_KEY": "local-key-123"})
    assert settings is not None
    assert settings.provider == "openai-compatible"
    assert (settings.base_url, settings.model) == ("http://127.0.0.1:8000/v1", "qwen2.5-7b")
    assert settings.api_key == "local-key-123"
    assert settings.spec == "openai-compatible:http://127.0.0.1:8000/v1#qwen2.5-7b"


def test_local_gguf(gguf: Path) -> None:
    settings = resolve_llm(f"local:{gguf}", {})
    assert settings is not None
    assert settings.provider == "local"
    assert settings.model_path == gguf.resolve()
    assert settings.tools is None  # the provider's default (off for local models)


def test_options_from_env_override_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("agent:\n  timeout_s: 30\n  max_retries: 2\n  max_tokens: 800\n"
                      "  tools: false\n")
    settings = resolve_llm("openai:gpt-4o-mini",
                           {**KEY, "OPSAGENT_LLM_TIMEOUT": "5", "OPSAGENT_LLM_TOOLS": "yes"},
                           config)
    assert settings is not None
    assert (settings.timeout, settings.max_retries, settings.max_tokens, settings.tools) == \
        (5.0, 2, 800, True)


def test_api_key_env_names_the_variable(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("llm: openai-compatible:https://gateway.acme.test/v1#gpt\n"
                      "agent:\n  api_key_env: GATEWAY_KEY\n")
    settings = resolve_llm(None, {"GATEWAY_KEY": "gw-123456"}, config)
    assert settings is not None and settings.api_key == "gw-123456"


@pytest.mark.parametrize(("spec", "env", "message"), [
    ("gpt-4o", {}, "expected PROVIDER:MODEL"),
    ("bard:gemini", {}, "unknown LLM provider 'bard'"),
    ("anthropic:", {"ANTHROPIC_API_KEY": "k"}, "expected anthropic:MODEL"),
    ("anthropic:claude-3-5-haiku-latest", {}, "set ANTHROPIC_API_KEY"),
    ("openai:gpt-4o-mini", {}, "set OPENAI_API_KEY"),
    ("ollama:", {}, "expected ollama:MODEL"),
    ("openai-compatible:http://127.0.0.1:8000/v1", {}, "#MODEL"),
    ("openai-compatible:ftp://host/v1#m", {}, "http(s) URL"),
    ("openai-compatible:http://user:pw@host/v1#m", {}, "not in the URL"),
    ("local:/nowhere/model.gguf", {}, "model file not found"),
    ("local:/etc/hostname", {}, ".gguf"),
])
def test_a_bad_spec_is_one_config_error_line(spec: str, env: dict[str, str],
                                             message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_llm(spec, env)
    text = str(caught.value)
    assert message in text
    assert "\n" not in text
    assert text.startswith("--llm ")


def test_a_bad_env_spec_names_the_variable() -> None:
    with pytest.raises(ConfigError, match=r"^OPSAGENT_LLM 'nope': "):
        resolve_llm(None, {"OPSAGENT_LLM": "nope"})


@pytest.mark.parametrize(("text", "field"), [
    ("agent:\n  timeout_s: -1\n", "agent.timeout_s"),
    ("agent:\n  retries: 3\n", "agent.retries"),
    ("llm: [1, 2]\n", "llm"),
    ("agent: fast\n", "agent"),
])
def test_a_bad_config_file_names_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text(text)
    with pytest.raises(ConfigError) as caught:
        resolve_llm(None, KEY, config)
    assert str(caught.value).startswith(f"{config}: field '{field}'")


def test_a_bad_spec_in_the_config_file_is_located(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("llm: ollama\n")
    with pytest.raises(ConfigError, match=r"c\.yaml: field 'llm': 'ollama'"):
        resolve_llm(None, {}, config)
    config.write_text("llm: {spec: ollama}\n")
    with pytest.raises(ConfigError, match=r"c\.yaml: field 'llm\.spec': 'ollama'"):
        resolve_llm(None, {}, config)


@pytest.mark.parametrize(("var", "value"), [
    ("OPSAGENT_LLM_TIMEOUT", "soon"), ("OPSAGENT_LLM_TOOLS", "maybe"),
    ("OPSAGENT_LLM_MAX_RETRIES", "99"),
])
def test_bad_option_variables(var: str, value: str) -> None:
    with pytest.raises(ConfigError, match=var):
        resolve_llm("openai:gpt-4o-mini", {**KEY, var: value})


def test_a_missing_config_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        resolve_llm(None, {}, tmp_path / "missing.yaml")


def test_settings_are_plain_values() -> None:
    settings = LLMSettings(provider="openai", model="gpt-4o-mini", api_key="k")
    assert settings.with_options(timeout=5).timeout == 5
    assert settings.spec == "openai:gpt-4o-mini"
