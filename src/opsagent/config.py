"""The configuration file, loaded once and passed in (nothing reads it at import time).

``opsagent.yaml`` in the working directory, ``~/.config/opsagent/config.yaml``, or the
file named by ``--config`` / ``OPSAGENT_CONFIG``::

    llm: openai:gpt-4o-mini          # turns the agent on (same as --llm)
    catalog: services.yaml           # relative to this file
    knowledge: [./failure-modes]     # extra knowledge directories
    engine:                          # thresholds of the severity rubric
      critical_error_rate: 0.05
      customer_error_rate: 0.20
    agent:                           # passed to the agent (timeouts, retries, base URL ...)
      timeout_s: 60
    notify:                          # notification targets (see opsagent.notify.targets)
      - {name: oncall, type: slack, url: "${SLACK_WEBHOOK_URL}", dry_run: false}
    serve:                           # opsagent serve / worker (see opsagent.server.settings)
      database: sqlite:///opsagent.db
      group_window: 30m
    history:                         # incident memory (see opsagent.memory.settings)
      database: sqlite:///history.db # where `opsagent analyze` records (or: history: URL)
      retention_days: 365
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
)

from .engine.context import EngineConfig
from .errors import ConfigError
from .memory.settings import HistorySettings, history_mapping
from .notify.targets import Target, check_unique


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    llm: str | None = None
    catalog: Path | None = None
    knowledge: list[Path] = Field(default_factory=list)
    engine: EngineConfig = Field(default_factory=EngineConfig)
    agent: dict[str, Any] = Field(default_factory=dict)
    notify: Annotated[list[Target], AfterValidator(check_unique)] = Field(default_factory=list)
    serve: dict[str, Any] = Field(default_factory=dict)  # read by opsagent.server
    history: Annotated[HistorySettings, BeforeValidator(history_mapping)] = Field(
        default_factory=HistorySettings)
    path: Path | None = Field(default=None, exclude=True)


def find_config(explicit: str | None, env: Mapping[str, str]) -> Path | None:
    if explicit:
        return Path(explicit)
    if env.get("OPSAGENT_CONFIG"):
        return Path(env["OPSAGENT_CONFIG"])
    candidates = [Path("opsagent.yaml")]
    with contextlib.suppress(RuntimeError):  # no home directory: the working directory's
        candidates.append(Path.home() / ".config" / "opsagent" / "config.yaml")
    for candidate in candidates:
        try:
            if candidate.is_file():
                return candidate
        except OSError:  # a HOME (or working directory) that cannot be traversed
            continue
    return None


def read_config_file(path: Path) -> dict[str, Any]:
    """The config file's top-level mapping (empty for an empty file). The one reader of the
    file: these settings and the agent's options both come from it."""
    source = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("config file not found", source=source) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", source=source) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(f"invalid YAML: {getattr(exc, 'problem', exc)}", source=source,
                          line=mark.line + 1 if mark else None) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping at the top level", source=source)
    return data


def load_settings(path: Path | None) -> Settings:
    if path is None:
        return Settings()
    source = str(path)
    data = dict(read_config_file(path))
    llm = data.get("llm")
    if isinstance(llm, Mapping):  # "llm: {spec: ..., timeout_s: ...}": the agent reads the rest
        data["llm"] = llm.get("spec")
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(first["msg"], source=source,
                          field=".".join(str(p) for p in first["loc"])) from None
    base = path.parent
    catalog = settings.catalog if settings.catalog is None or settings.catalog.is_absolute() \
        else base / settings.catalog
    if catalog is not None and not catalog.is_file():
        raise ConfigError(_missing(catalog, "file"), source=source, field="catalog")
    knowledge = [k if k.is_absolute() else base / k for k in settings.knowledge]
    for index, directory in enumerate(knowledge):
        if not directory.is_dir():
            key = "knowledge" if len(knowledge) == 1 else f"knowledge[{index}]"
            raise ConfigError(_missing(directory, "directory"), source=source, field=key)
    return settings.model_copy(update={"catalog": catalog, "knowledge": knowledge,
                                       "path": path})


def _missing(path: Path, kind: str) -> str:
    """Why a path named by the config file cannot be used (relative to the file)."""
    if not path.exists():
        return f"{kind} {str(path)!r} does not exist (paths are relative to the config file)"
    return f"{str(path)!r} is not a {kind}"
