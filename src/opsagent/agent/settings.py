"""Which LLM the agent uses: the spec grammar, the options, and where they come from.

A spec is ``PROVIDER:TARGET``::

    openai:gpt-4o-mini
    anthropic:claude-3-5-haiku-latest
    ollama:llama3.1:8b                              (base URL: OLLAMA_HOST or the config)
    openai-compatible:http://127.0.0.1:8000/v1#qwen2.5-7b-instruct
    local:/models/SmolLM2-135M-Instruct.Q4_1.gguf   (llama-cpp-python, in process)

``none`` (or ``off``) turns the agent off even when ``OPENAI_API_KEY`` is set.

The spec comes from ``--llm``, else ``OPSAGENT_LLM``, else the config file's ``llm``, else
``openai:gpt-4o-mini`` when ``OPENAI_API_KEY`` is set; without any of them the engine runs
alone. Options (timeout, retries, ...) come from ``OPSAGENT_LLM_*`` variables, else the
config file's ``agent`` section, else the defaults below. The config file (the one
:mod:`opsagent.config` finds: ``--config``, ``OPSAGENT_CONFIG``, ``./opsagent.yaml``,
``~/.config/opsagent/config.yaml``)::

    llm: ollama:llama3.1
    agent:
      timeout_s: 60          # the whole agent run; also each HTTP request
      max_retries: 1         # HTTP retries by the provider SDK
      base_url: http://gpu-box:11434
      api_key_env: MY_KEY    # the variable holding the key (never the key itself)
      max_tokens: 1200
      temperature: 0.1
      tools: true            # the read-only tools (default: on for OpenAI/Anthropic)
      structured_output: true
      n_ctx: 4096            # local models
      n_threads: 4
      memory_mb: 4096        # local models: the model process's address-space cap

Nothing here imports CrewAI or an SDK.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import ConfigError

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
OFF_WORDS = frozenset({"none", "off", "false", "0", "engine"})


@dataclass(frozen=True)
class LLMSettings:
    """A resolved, validated LLM configuration (the key is never shown in ``repr``)."""

    provider: str
    model: str
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    model_path: Path | None = None  # local GGUF file
    timeout: float = 60.0  # seconds for the whole agent run; also the HTTP timeout
    max_retries: int = 1  # retries of a failed HTTP request (by the provider SDK)
    temperature: float = 0.1
    max_tokens: int = 1200  # per answer
    tools: bool | None = None  # None: the provider's default (hosted: on, local: off)
    structured_output: bool | None = None  # None: the provider's default
    n_ctx: int = 4096  # local only
    n_threads: int | None = None  # local only (None: llama.cpp's default)
    memory_mb: int | None = None  # local only: the model process's cap (None: by file size)
    max_iterations: int = 4  # agent steps per attempt (tool calls + the answer)
    llm: Any = field(default=None, repr=False, compare=False)  # a ready CrewAI LLM

    @property
    def spec(self) -> str:
        """The spec as a user would write it (no secrets)."""
        if self.provider == "openai-compatible":
            return f"openai-compatible:{self.base_url}#{self.model}"
        if self.provider == "local" and self.model_path is not None:
            return f"local:{self.model_path}"
        return f"{self.provider}:{self.model}"

    def with_options(self, **changes: Any) -> LLMSettings:
        return replace(self, **changes)


class _FileOptions(BaseModel):
    """The agent options of a config file (its ``agent`` section)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    spec: str | None = None
    spec_key: str = "llm"  # where the file wrote the spec: "llm" or "llm.spec"
    base_url: str | None = None
    api_key_env: str | None = None  # name of the variable holding the key, never the key
    timeout: float | None = Field(default=None, gt=0, le=3600, alias="timeout_s")
    max_retries: int | None = Field(default=None, ge=0, le=5)
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, ge=64, le=32768)
    tools: bool | None = None
    structured_output: bool | None = None
    n_ctx: int | None = Field(default=None, ge=512, le=262144)
    n_threads: int | None = Field(default=None, ge=1, le=512)
    memory_mb: int | None = Field(default=None, ge=256, le=1048576)
    max_iterations: int | None = Field(default=None, ge=1, le=20)


_ENV_OPTIONS: dict[str, tuple[str, type]] = {
    "OPSAGENT_LLM_TIMEOUT": ("timeout", float),
    "OPSAGENT_LLM_MAX_RETRIES": ("max_retries", int),
    "OPSAGENT_LLM_TEMPERATURE": ("temperature", float),
    "OPSAGENT_LLM_MAX_TOKENS": ("max_tokens", int),
    "OPSAGENT_LLM_TOOLS": ("tools", bool),
    "OPSAGENT_LLM_STRUCTURED_OUTPUT": ("structured_output", bool),
    "OPSAGENT_LLM_N_CTX": ("n_ctx", int),
    "OPSAGENT_LLM_N_THREADS": ("n_threads", int),
    "OPSAGENT_LLM_MEMORY_MB": ("memory_mb", int),
    "OPSAGENT_LLM_BASE_URL": ("base_url", str),
    "OPSAGENT_LLM_API_KEY_ENV": ("api_key_env", str),
}


@dataclass(frozen=True)
class SpecContext:
    """What a provider needs to turn a spec's target into settings."""

    env: Mapping[str, str]
    options: _FileOptions
    origin: str  # "--llm", "OPSAGENT_LLM", or the config file path

    def api_key(self, default_var: str | None) -> str | None:
        name = self.options.api_key_env or default_var
        if not name:
            return None
        value = self.env.get(name, "").strip()
        return value or None

    def error(self, spec: str, message: str) -> ConfigError:
        if self.origin in ("--llm", "OPSAGENT_LLM"):
            return ConfigError(f"{self.origin} {spec!r}: {message}")
        return ConfigError(f"{spec!r}: {message}", source=self.origin,
                           field=self.options.spec_key)


def resolve_llm(
    spec: str | None, env: Mapping[str, str], config_file: Path | None = None
) -> LLMSettings | None:
    """The LLM settings for this run, or None when the engine should run alone.

    Raises :class:`~opsagent.errors.ConfigError` for a malformed spec, an unreadable or
    invalid config file, a bad option or a missing API key.
    """
    if config_file is None:
        config_file = _find_config(env)
    file_options = _read_config(config_file) if config_file is not None else _FileOptions()
    options = _merge_env_options(file_options, env)

    origin: str
    if spec is not None and spec.strip():
        origin = "--llm"
    elif env.get("OPSAGENT_LLM", "").strip():
        spec, origin = env["OPSAGENT_LLM"], "OPSAGENT_LLM"
    elif options.spec:
        spec, origin = options.spec, str(config_file)
    elif env.get("OPENAI_API_KEY", "").strip():
        spec, origin = f"openai:{DEFAULT_OPENAI_MODEL}", "OPENAI_API_KEY"
    else:
        return None
    assert spec is not None
    spec = spec.strip()
    if spec.lower() in OFF_WORDS:
        return None
    return parse_spec(spec, SpecContext(env=env, options=options, origin=origin))


def parse_spec(spec: str, ctx: SpecContext) -> LLMSettings:
    from .providers import provider_for

    name, sep, target = spec.partition(":")
    name = name.strip().lower().replace("_", "-")
    if not sep or not name:
        raise ctx.error(spec, "expected PROVIDER:MODEL, e.g. openai:gpt-4o-mini, "
                              "ollama:llama3.1 or local:/path/model.gguf")
    provider = provider_for(name)
    if provider is None:
        from .providers import provider_names

        raise ctx.error(spec, f"unknown LLM provider {name!r}; expected one of: "
                              f"{', '.join(provider_names())}")
    settings = provider.parse(target.strip(), spec, ctx)
    return _apply_options(settings, ctx.options)


def _apply_options(settings: LLMSettings, options: _FileOptions) -> LLMSettings:
    changes: dict[str, Any] = {}
    for name in ("timeout", "max_retries", "temperature", "max_tokens", "tools",
                 "structured_output", "n_ctx", "n_threads", "memory_mb",
                 "max_iterations"):
        value = getattr(options, name)
        if value is not None:
            changes[name] = value
    return replace(settings, **changes) if changes else settings


def _merge_env_options(options: _FileOptions, env: Mapping[str, str]) -> _FileOptions:
    data = options.model_dump(exclude_none=True)
    for var, (name, kind) in _ENV_OPTIONS.items():
        raw = env.get(var, "").strip()
        if not raw:
            continue
        data[name] = _coerce(raw, kind, var)
    try:
        return _FileOptions.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        var = next((v for v, (n, _) in _ENV_OPTIONS.items() if n == where), where)
        raise ConfigError(f"{var}: {first['msg']}") from None


def _coerce(raw: str, kind: type, var: str) -> object:
    if kind is bool:
        lowered = raw.lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{var}: expected true or false, got {raw!r}")
    if kind is str:
        return raw
    try:
        return kind(raw)
    except ValueError:
        raise ConfigError(f"{var}: expected a number, got {raw!r}") from None


def _read_config(path: Path) -> _FileOptions:
    from ..config import read_config_file

    source = str(path)
    data = read_config_file(path)
    if not data:
        return _FileOptions()
    section: dict[str, Any] = {}
    llm = data.get("llm")
    if isinstance(llm, str):  # "llm: ollama:llama3.1"
        section["spec"] = llm
    elif isinstance(llm, dict):  # "llm: {spec: ..., timeout_s: ...}"
        section.update(llm)
        section["spec_key"] = "llm.spec"
    elif llm is not None:
        raise ConfigError("expected an LLM spec such as openai:gpt-4o-mini", source=source,
                          field="llm")
    agent = data.get("agent")
    if isinstance(agent, dict):
        section.update(agent)
    elif agent is not None:
        raise ConfigError("expected a mapping", source=source, field="agent")
    try:
        return _FileOptions.model_validate(section)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message = "unknown option" if first["type"] == "extra_forbidden" else first["msg"]
        raise ConfigError(message, source=source, field=f"agent.{where}") from None


def _find_config(env: Mapping[str, str]) -> Path | None:
    """The config file :mod:`opsagent.config` would use (when the caller passed none)."""
    from ..config import find_config

    return find_config(None, env)
