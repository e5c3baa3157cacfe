"""LLM providers: each one parses its part of a spec and builds a CrewAI LLM.

Built-ins register in the registry exactly like plug-ins (``registry.add_provider``). A
plug-in may register any callable ``factory(settings) -> crewai.BaseLLM``; its spec
target is taken as the model name. Building an LLM imports CrewAI (lazily, here only).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from .settings import DEFAULT_OPENAI_MODEL, LLMSettings, SpecContext

if TYPE_CHECKING:
    from ..registry import ProviderFactory, Registry
    from .deadline import Deadline


class Provider:
    """A built-in provider. Calling it builds the CrewAI LLM for ``settings``."""

    name: str = ""
    default_tools: bool = True  # may the agent call the read-only tools?
    default_structured: bool = False  # ask the model for schema-constrained output?
    constrained_schema: bool = False  # does it honour maxLength / maxItems / enum ids?

    def parse(self, target: str, spec: str, ctx: SpecContext) -> LLMSettings:
        if not target:
            raise ctx.error(spec, f"expected {self.name}:MODEL")
        return LLMSettings(provider=self.name, model=target)

    def create(self, settings: LLMSettings, deadline: Deadline | None = None) -> Any:
        """The CrewAI LLM; its HTTP calls, when it makes any, end by ``deadline``."""
        raise NotImplementedError

    def structure(self, llm: Any, schema: dict[str, Any]) -> None:
        """Ask ``llm`` for output of this JSON schema (a no-op where unsupported).

        The answer is still validated by the agent, so a provider that ignores the
        request only costs a repair."""

    def __call__(self, settings: LLMSettings) -> Any:
        return self.create(settings)


class _OpenAIFamily(Provider):
    def structure(self, llm: Any, schema: dict[str, Any]) -> None:
        # a plain dict: CrewAI passes it through and leaves the validation to us
        llm.response_format = {
            "type": "json_schema",
            "json_schema": {"name": "triage_answer", "strict": True,
                            "schema": strict_schema(schema)},
        }

    def create(self, settings: LLMSettings, deadline: Deadline | None = None) -> Any:
        from .runtime import import_crewai

        import_crewai()
        from crewai.llms.providers.openai.completion import OpenAICompletion

        return bounded(deadline, settings, "https://api.openai.com/v1", OpenAICompletion(
            model=settings.model,
            api_key=settings.api_key or "not-needed",
            base_url=settings.base_url,
            timeout=settings.timeout,
            max_retries=settings.max_retries if deadline is None else 0,
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
        ))


class OpenAIProvider(_OpenAIFamily):
    name = "openai"
    default_structured = True

    def parse(self, target: str, spec: str, ctx: SpecContext) -> LLMSettings:
        key = ctx.api_key("OPENAI_API_KEY")
        if key is None:
            raise ctx.error(spec, "needs an API key: set OPENAI_API_KEY")
        base_url = ctx.options.base_url or ctx.env.get("OPENAI_BASE_URL") or None
        if base_url:
            base_url = _check_url(base_url, spec, ctx)
        return LLMSettings(provider=self.name, model=target or DEFAULT_OPENAI_MODEL,
                           api_key=key, base_url=base_url)


class AnthropicProvider(Provider):
    name = "anthropic"  # JSON by instruction: Claude follows it, and the answer is checked

    def parse(self, target: str, spec: str, ctx: SpecContext) -> LLMSettings:
        if not target:
            raise ctx.error(spec, "expected anthropic:MODEL, "
                                  "e.g. anthropic:claude-3-5-haiku-latest")
        key = ctx.api_key("ANTHROPIC_API_KEY")
        if key is None:
            raise ctx.error(spec, "needs an API key: set ANTHROPIC_API_KEY")
        base_url = ctx.options.base_url or ctx.env.get("ANTHROPIC_BASE_URL") or None
        if base_url:
            base_url = _check_url(base_url, spec, ctx)
        return LLMSettings(provider=self.name, model=target, api_key=key, base_url=base_url)

    def create(self, settings: LLMSettings, deadline: Deadline | None = None) -> Any:
        from . import reasons
        from .runtime import AgentUnavailable, import_crewai

        import_crewai()
        try:
            from crewai.llms.providers.anthropic.completion import AnthropicCompletion
        except ImportError:
            raise AgentUnavailable(reasons.NO_ANTHROPIC) from None
        return bounded(deadline, settings, "https://api.anthropic.com", AnthropicCompletion(
            model=settings.model,
            api_key=settings.api_key,
            base_url=settings.base_url,
            timeout=settings.timeout,
            max_retries=settings.max_retries if deadline is None else 0,
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
        ))


def bounded(deadline: Deadline | None, settings: LLMSettings, default_url: str,
            llm: Any) -> Any:
    """``llm`` (a CrewAI OpenAI or Anthropic completion) with its synchronous SDK client
    rebuilt over an HTTP client bounded by ``deadline``, which makes the retries."""
    if deadline is None:
        return llm
    from .deadline import http_client

    default = getattr(llm, "_client", None)
    client = http_client(deadline, settings.base_url or default_url, settings.max_retries)
    llm.client_params = {**(llm.client_params or {}), "http_client": client}
    try:
        llm._client = llm._build_sync_client()
    finally:
        llm.client_params = None
    if default is not None:
        default.close()
    return llm


class OllamaProvider(_OpenAIFamily):
    """Ollama through its OpenAI-compatible endpoint (``/v1``)."""

    name = "ollama"
    default_tools = False  # many local models reject tool definitions

    def parse(self, target: str, spec: str, ctx: SpecContext) -> LLMSettings:
        if not target:
            raise ctx.error(spec, "expected ollama:MODEL, e.g. ollama:llama3.1")
        raw = ctx.options.base_url or ctx.env.get("OLLAMA_HOST") or "http://localhost:11434"
        return LLMSettings(provider=self.name, model=target,
                           base_url=_ollama_url(raw, spec, ctx))


class OpenAICompatibleProvider(_OpenAIFamily):
    """Any server speaking OpenAI chat completions: vLLM, llama.cpp, LM Studio ..."""

    name = "openai-compatible"
    default_tools = False

    def parse(self, target: str, spec: str, ctx: SpecContext) -> LLMSettings:
        url, sep, model = target.partition("#")
        if not sep or not model.strip():
            raise ctx.error(spec, "expected openai-compatible:http://HOST:PORT/v1#MODEL")
        base_url = _check_url(url.strip(), spec, ctx)
        return LLMSettings(provider=self.name, model=model.strip(), base_url=base_url,
                           api_key=ctx.api_key("OPSAGENT_LLM_API_KEY"))


class LocalProvider(Provider):
    """A GGUF file run in process by llama-cpp-python, with grammar-constrained JSON."""

    name = "local"
    default_tools = False  # small local models cannot drive tools reliably
    default_structured = True
    constrained_schema = True

    def parse(self, target: str, spec: str, ctx: SpecContext) -> LLMSettings:
        if not target:
            raise ctx.error(spec, "expected local:PATH.gguf")
        path = Path(target).expanduser()
        if path.suffix.lower() != ".gguf":
            raise ctx.error(spec, "expected the path of a .gguf model file")
        if not path.is_file():
            raise ctx.error(spec, f"model file not found: {path}")
        return LLMSettings(provider=self.name, model=path.name, model_path=path.resolve())

    def create(self, settings: LLMSettings, deadline: Deadline | None = None) -> Any:
        from .local import create_local_llm

        return create_local_llm(settings)

    def structure(self, llm: Any, schema: dict[str, Any]) -> None:
        llm.json_schema = schema  # becomes a llama.cpp grammar


BUILTIN_PROVIDERS: tuple[Provider, ...] = (
    OpenAIProvider(),
    AnthropicProvider(),
    OllamaProvider(),
    OpenAICompatibleProvider(),
    LocalProvider(),
)


class PluginProvider(Provider):
    """Wraps a plug-in's bare factory callable."""

    def __init__(self, name: str, factory: ProviderFactory) -> None:
        self.name = name
        self._factory = factory

    def create(self, settings: LLMSettings, deadline: Deadline | None = None) -> Any:
        return self._factory(settings)


def register(registry: Registry) -> None:
    """Add the built-in providers (names a plug-in already took are left to it)."""
    taken = set(registry.provider_names())
    for provider in BUILTIN_PROVIDERS:
        if provider.name not in taken:
            registry.add_provider(provider.name, provider)


def _registry() -> Registry:
    from ..plugins import default_registry

    registry = default_registry()
    if not all(p.name in registry.provider_names() for p in BUILTIN_PROVIDERS):
        register(registry)
    return registry


def provider_for(name: str) -> Provider | None:
    registry = _registry()
    if name not in registry.provider_names():
        return None
    factory = registry.provider(name)
    return factory if isinstance(factory, Provider) else PluginProvider(name, factory)


def provider_names() -> list[str]:
    return _registry().provider_names()


def provider_of(settings: LLMSettings) -> Provider:
    found = provider_for(settings.provider)
    return found if found is not None else PluginProvider(settings.provider, _missing)


def _missing(settings: LLMSettings) -> Any:
    from ..errors import AgentError
    from . import reasons

    raise AgentError(reasons.NO_PROVIDER, reason="unavailable")


def strict_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` in the form OpenAI's strict structured outputs accept: every object
    closed (``additionalProperties: false``) with all its properties required."""
    def visit(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: visit(v) for k, v in node.items()}
            if out.get("type") == "object" and isinstance(out.get("properties"), dict):
                out["additionalProperties"] = False
                out["required"] = list(out["properties"])
            return out
        if isinstance(node, list):
            return [visit(v) for v in node]
        return node

    result: dict[str, Any] = visit(schema)
    return result


def _check_url(url: str, spec: str, ctx: SpecContext) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ctx.error(spec, f"expected an http(s) URL with a host, got {url!r}")
    if parts.username or parts.password:
        raise ctx.error(spec, "put credentials in an environment variable, not in the URL")
    try:
        parts.port  # noqa: B018 - validates the port
    except ValueError:
        raise ctx.error(spec, f"invalid port in {url!r}") from None
    return url.rstrip("/")


def _ollama_url(raw: str, spec: str, ctx: SpecContext) -> str:
    """OLLAMA_HOST may be ``host``, ``host:port`` or a URL; return the ``/v1`` endpoint."""
    url = raw.strip()
    if "://" not in url:
        url = f"http://{url}"
    parts = urlsplit(_check_url(url, spec, ctx))
    netloc = parts.netloc
    if parts.port is None and parts.scheme == "http":
        netloc = f"{netloc}:11434"
    path = parts.path.rstrip("/")
    if not path.endswith("/v1"):
        path = f"{path}/v1"
    return urlunsplit((parts.scheme, netloc, path, "", ""))
