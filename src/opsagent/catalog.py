"""The service catalog: what the engine should know about each service.

A YAML or JSON file::

    services:
      checkout-service:
        tier: critical            # critical | high | standard | low
        customer_facing: true
        owners: [payments-team]
        oncall: payments-primary  # a PagerDuty schedule, a Slack handle ...
        dependencies: [payment-gateway, orders-db, redis-cart]
        regions: [ap-south-1, eu-west-1]
        aliases: [checkout, "Checkout API"]
        slo:
          error_rate: 0.5%        # objective for the error rate
          latency_ms: 800         # objective for p95 latency
          availability: 99.95%

Without a catalog (or for a service it does not list) the engine infers what a
reasonable engineer would: a service named checkout, payment, auth or login is on a
critical path; a name such as batch, report or cron is not customer-facing.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import CatalogError
from .names import service_key
from .values import parse_duration_ms, parse_ratio

Tier = Literal["critical", "high", "standard", "low"]

_CRITICAL_WORDS = re.compile(
    r"(checkout|payment|pay|billing|auth|login|signin|sign-in|identity|sso|oauth|"
    r"cart|order|orders|transaction|ledger|wallet|api-gateway|gateway|edge|storefront|"
    r"frontend|web|www)"
)
# words of a name, not letters inside one ("pricing" holds "ci", "export" is not "ex")
_INTERNAL_WORDS = re.compile(
    r"(?<![a-z])(batch|cron|report|reporting|analytics|etl|internal|admin|backoffice|"
    r"back-office|nightly|export|import|sync|indexer|crawler|dev-tools|ci(?![a-z])|build|"
    r"jenkins|metrics|logging|monitoring|grafana|prometheus)"
)


class Objectives(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    error_rate: float | None = None
    latency_ms: float | None = None
    availability: float | None = None

    @field_validator("error_rate", "availability", mode="before")
    @classmethod
    def _ratio(cls, value: Any, info: Any) -> float | None:
        return None if value is None else parse_ratio(value, f"slo.{info.field_name}")

    @field_validator("latency_ms", mode="before")
    @classmethod
    def _latency(cls, value: Any) -> float | None:
        return None if value is None else parse_duration_ms(value, "slo.latency_ms")


class ServiceEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    tier: Tier = "standard"
    customer_facing: bool = True
    owners: list[str] = Field(default_factory=list)
    oncall: str | None = None
    dependencies: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    slo: Objectives = Field(default_factory=Objectives)
    inferred: bool = False  # True when no catalog entry exists and the entry is a guess

    @property
    def critical(self) -> bool:
        return self.tier == "critical"


class ServiceCatalog(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    services: dict[str, ServiceEntry] = Field(default_factory=dict)

    def model_post_init(self, __context: Any) -> None:
        index: dict[str, ServiceEntry] = {}
        for name, entry in self.services.items():
            full = entry if entry.name else entry.model_copy(update={"name": name})
            for alias in (name, *entry.aliases):
                key = service_key(alias)
                if key:
                    index[key] = full
        object.__setattr__(self, "_index", index)

    def lookup(self, service: str | None) -> ServiceEntry | None:
        key = service_key(service)
        if key is None:
            return None
        index: dict[str, ServiceEntry] = getattr(self, "_index", {})
        return index.get(key)

    def entry(self, service: str | None) -> ServiceEntry:
        """The catalog entry, or one inferred from the service's name."""
        found = self.lookup(service)
        if found is not None:
            return found
        return infer_entry(service)

    def depends_on(self, service: str | None, other: str | None) -> bool:
        entry = self.lookup(service)
        key = service_key(other)
        if entry is None or key is None:
            return False
        return any(service_key(dep) == key for dep in entry.dependencies)


@lru_cache(maxsize=4096)
def infer_entry(service: str | None) -> ServiceEntry:
    """What a reasonable engineer assumes about a service from its name (a pure function
    of the name, so computed once per name; entries are frozen)."""
    name = (service or "").lower()
    critical = bool(name) and bool(_CRITICAL_WORDS.search(name))
    internal = bool(name) and bool(_INTERNAL_WORDS.search(name)) and not critical
    return ServiceEntry(
        name=service or "",
        tier="critical" if critical else ("low" if internal else "standard"),
        customer_facing=not internal,
        inferred=True,
    )


EMPTY_CATALOG = ServiceCatalog()


def load_catalog(path: Path) -> ServiceCatalog:
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError("file not found", source=source) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"cannot read: {exc}", source=source) from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise CatalogError(f"invalid {'JSON' if path.suffix == '.json' else 'YAML'}: "
                           f"{str(exc).splitlines()[0]}", source=source) from None
    if not isinstance(data, dict) or "services" not in data:
        raise CatalogError("expected a mapping with a 'services' key", source=source)
    try:
        return ServiceCatalog.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise CatalogError(first["msg"], source=source, field=field) from None
    except CatalogError:
        raise
    except Exception as exc:  # an InputError from a unit parser inside a validator
        raise CatalogError(str(exc), source=source) from None
