"""``serve:`` in the config file, and the command line that overrides it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import ConfigError, UserError
from ..values import parse_duration_ms
from .auth import AuthSettings

DEFAULT_DATABASE = "sqlite:///opsagent.db"


class ServeSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    listen: str = "127.0.0.1:8080"
    database: str = DEFAULT_DATABASE
    workers: int = Field(default=1, ge=0, le=64)
    max_body_bytes: int = Field(default=1_048_576, gt=0)
    group_window: float = 1800.0  # seconds ("30m" in the file)
    dedupe_window: float = 600.0  # the same body within this window is a duplicate
    lease: float = 120.0  # a claimed job is retried by others after this
    poll_interval: float = 0.5
    auth: AuthSettings = Field(default_factory=AuthSettings)

    @field_validator("group_window", "dedupe_window", "lease", "poll_interval",
                     mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        if isinstance(value, str):  # "30m", "90s"; a bare number is seconds
            try:
                return parse_duration_ms(value, "duration", default_unit="s") / 1000.0
            except UserError:
                raise ValueError(f"expected a duration such as 30m, got {value!r}") from None
        return value

    def host_port(self) -> tuple[str, int]:
        host, sep, port = self.listen.rpartition(":")
        if not sep or not port.isdigit():
            raise ConfigError(f"expected HOST:PORT, got {self.listen!r}", field="--listen")
        return host.strip("[]") or "127.0.0.1", int(port)


def serve_settings(data: Mapping[str, Any], source: str | None,
                   overrides: Mapping[str, Any]) -> ServeSettings:
    merged = {**data, **{k: v for k, v in overrides.items() if v is not None}}
    if "token" in merged:  # `serve.token`, as DESIGN.md names it: the token of serve.auth
        auth = merged.get("auth") or {}
        if not isinstance(auth, Mapping) or "token" in auth:
            raise ConfigError("give the token once: serve.token or serve.auth.token",
                              source=source, field="serve.token")
        merged["auth"] = {**auth, "token": merged.pop("token")}
    try:
        return ServeSettings.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(first["msg"], source=source,
                          field="serve." + ".".join(str(p) for p in first["loc"])) from None
