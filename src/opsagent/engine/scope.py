"""Scope: how far the problem reaches (regions, zones, services, instances, environments)
and whether it is still going on."""

from __future__ import annotations

import re

from ..models import Signal
from ..names import environment_in_name, service_key
from .context import Context, Impact
from .kinds import ALERT, FIRING, LOG, METRIC, RESOLVED, STATUS, SYMPTOM
from .recovery import recovery_in_words

_NONPROD = {"staging", "stage", "stg", "dev", "development", "test", "testing", "qa", "uat",
            "sandbox", "preprod", "pre-prod", "preview", "demo", "perf", "load-test", "ci"}
_PROBLEM_KINDS = frozenset({METRIC, ALERT, SYMPTOM, LOG, STATUS})


def determine_scope(ctx: Context) -> None:
    incident = ctx.incident
    features = ctx.features
    problems: list[Signal] = []
    firing: list[Signal] = []
    resolved: list[Signal] = []
    envs: set[str] = set()
    inferred: dict[str, str] = {}  # non-production word -> where it was written
    named = named_nonprod = 0  # signals that name where they run; of them, non-production
    with_status = still_firing = not_symptoms = 0
    for s in incident.signals:
        if s.environment:
            envs.add(s.environment)
        elif s.kind != SYMPTOM:
            named += 1
            found = _written_nonprod(s)
            if found:
                named_nonprod += 1
                inferred.setdefault(found[0], found[1])
        if s.kind not in _PROBLEM_KINDS or s.dependency:
            continue
        problems.append(s)
        if s.status == RESOLVED:
            resolved.append(s)
        else:
            firing.append(s)
        if s.status is not None:
            with_status += 1
            still_firing += s.status == FIRING
        not_symptoms += s.kind != SYMPTOM

    # recovery
    if with_status and not still_firing and len(resolved) == not_symptoms:
        ends = [s.ended_at for s in resolved if s.ended_at]
        when = f" by {max(ends).strftime('%H:%M UTC')}" if ends else ""
        features.add("recovered", 1.0, f"all {len(resolved)} problem signal(s) have "
                                       f"resolved{when}")
    elif resolved and firing:
        features.add("partially_recovered", 0.7,
                     f"{len(resolved)} of {len(problems)} problem signals have resolved")

    stated = recovery_in_words(ctx) if "recovered" not in features else None
    if stated:
        features.add("recovered", 0.9, f"recovery stated in words: {stated}")

    scope = firing or problems
    # environments: as the sources state them, else as names write them (a namespace
    # "payments-stg", a cluster "gke-qa-euw1", a resource "orders-db-staging"); a
    # stated production environment outweighs any name
    if envs and all(_is_nonprod(e) for e in envs):
        features.add("env.nonprod", 1.0,
                     f"environment {', '.join(sorted(envs))} is not production")
    elif inferred and not envs and named_nonprod * 2 >= named:
        word, where = next(iter(inferred.items()))
        features.add("env.nonprod", 0.9, f"{where} names a non-production environment "
                                         f"({word})")

    # regions, zones, services, instances, alerts of the signals in scope
    regions: dict[str, int] = {}
    zones: set[str] = set()
    services: set[str | None] = set()
    instances: set[str | None] = set()
    metrics = 0
    alerts: list[Signal] = []
    for s in scope:
        if s.region:
            regions[s.region] = regions.get(s.region, 0) + 1
        if s.zone:
            zones.add(s.zone)
        if s.service:
            services.add(service_key(s.service))
        labels = s.labels
        instances.add(labels.get("pod") or labels.get("instance") or labels.get("host")
                      if labels else None)
        if s.kind == METRIC:
            metrics += 1
        elif s.kind == ALERT:
            alerts.append(s)
    healthy_regions = {s.region for s in resolved if s.region} - set(regions)
    if len(regions) >= 2:
        features.add("scope.multi_region", min(1.0, 0.5 + 0.2 * len(regions)),
                     f"problems reported in {len(regions)} regions: "
                     + ", ".join(sorted(regions)))
    elif len(regions) == 1:
        region = next(iter(regions))
        catalog_regions = set()
        for service in incident.services:
            catalog_regions.update(ctx.entry(service).regions)
        others = (healthy_regions | catalog_regions) - {region}
        if others:
            features.add("scope.single_region", 1.0,
                         f"the problem is confined to {region}; "
                         + _other_regions(healthy_regions - {region}, others - healthy_regions))
        elif len(instances - {None}) != 1:
            # with no other region to compare, one region is a weak hint about the
            # region's infrastructure, weaker still for one service (one host is always
            # in one region: no hint at all)
            features.add("scope.single_region", 0.45 if len(services - {None}) >= 2 else 0.3,
                         f"every signal comes from {region} (no other region reported)")
    if len(zones) == 1 and len(regions) <= 1:
        # a zone is a fact about infrastructure only when more than one host, or more
        # than one service, is hit there (one host is always in one zone)
        several = len(instances - {None}) >= 2 or len(services - {None}) >= 2
        zone = next(iter(zones))
        features.add("scope.single_zone", 0.9 if several else 0.35,
                     f"the problem is confined to zone {zone}" if several else
                     f"the affected host is in zone {zone}")

    # services
    services.discard(None)
    if len(services) >= 3:
        features.add("scope.multi_service", min(1.0, 0.4 + 0.12 * len(services)),
                     f"{len(services)} services are affected: "
                     + ", ".join(sorted(incident.services)[:6])
                     + ("…" if len(incident.services) > 6 else ""))
        impacted = {service_key(s) for s in ctx.impacted_services}
        if len(impacted) >= 4:
            ctx.impacts.append(Impact(2, 0.72, f"{len(impacted)} services show user-facing "
                                               "errors or latency at once"))
        else:
            ctx.impacts.append(Impact(1, 0.55, f"{len(services)} services are affected at "
                                               "once"))
    elif len(services) <= 1:
        features.add("scope.single_service", 1.0, None)
    if len(regions) >= 2 and metrics >= 2:
        # several regions hit is HIGH when what they show is failure users feel; resource
        # readings or a bill in two regions are a wider problem, not an outage
        if any(features.strength(name) >= 0.5 for name in _REGION_FAILURE):
            ctx.impacts.append(Impact(2, 0.75, f"{len(regions)} regions are affected"))
        else:
            ctx.impacts.append(Impact(1, 0.45, f"{len(regions)} regions report trouble, "
                                               "with no failure users feel measured"))
    shared = _shared_dependency(ctx)
    if shared:
        features.add("scope.shared_dependency", 0.9,
                     f"the affected services all depend on {shared}")
        ctx.dependency_hints.insert(0, shared)

    # instances: one named, or one of many stated ("1 of 40 hosts")
    if len(instances) == 1 and None not in instances and len(services) <= 1:
        features.add("scope.single_instance", 1.0,
                     f"only {next(iter(instances))} is affected")
    for affected, total, quote in ctx.instances:
        if affected == 1 and total >= 3 and len(services) <= 1:
            features.add("scope.single_instance", 0.9, f'one of {total} ("{quote}")')
            break

    # source severity
    if alerts and all(s.severity is not None and s.severity.value in ("warning", "info")
                      for s in alerts):
        features.add("source.warning_only", 1.0,
                     "every alert is rated warning or informational by its source")


# what, seen in several regions at once, is failure users feel
_REGION_FAILURE = ("errors.elevated", "latency.elevated", "availability.low",
                   "impact.total_outage", "impact.critical_flow", "text.outage", "text.errors")

# label keys whose values name where a signal comes from (not what it says)
_PLACE_KEYS = ("namespace", "cluster", "cluster_name", "kube_cluster_name", "cluster-name",
               "account", "account_name", "account_alias", "project", "project_id", "stack",
               "tier", "workspace", "host", "hostname", "instance", "pod", "deployment",
               "job", "db_instance", "resource", "resource_name", "subscription", "space")
_PLACE_KEY_SET = frozenset(_PLACE_KEYS)


def _written_nonprod(s: Signal) -> tuple[str, str] | None:
    """A non-production environment named in the names of a signal: its service,
    dependency, alert name and the labels that say where it runs, read word by word as
    namespaces and clusters are ("payments-dev" names one, "devices-api" does not)."""
    places = [(s.service, "service"), (s.dependency, "dependency")]
    if s.kind == ALERT:
        places.append((s.name, "alert"))
    labels = s.labels
    present = _PLACE_KEY_SET.intersection(labels) if labels else None
    if present:  # in the order of _PLACE_KEYS: the first one found is the one named
        places += [(labels[key], key) for key in _PLACE_KEYS if key in present and labels[key]]
    for value, where in places:
        if not value:
            continue
        named = environment_in_name(value)
        if named is not None and named != "production":
            return named, f"{where} {value}"
        if _NONPROD_WORD.search(value.lower()):
            return "nonprod", f"{where} {value}"
    return None


# names none of the environments that names.environment_in_name tells apart
_NONPROD_WORD = re.compile(r"(?<![a-z0-9])non-?prod(?![a-z])")


def _is_nonprod(env: str) -> bool:
    env = env.lower()
    return env in _NONPROD or any(env.startswith(p + "-") or env.endswith("-" + p)
                                  for p in ("staging", "dev", "test", "qa", "sandbox"))


def _shared_dependency(ctx: Context) -> str | None:
    services = ctx.incident.services
    if len(services) < 2:
        return None
    common: set[str] | None = None
    for service in services:
        entry = ctx.catalog.lookup(service)
        if entry is None:
            return None
        deps = {service_key(d) or d for d in entry.dependencies}
        common = deps if common is None else common & deps
    if common:
        return sorted(common)[0]
    return None


def _other_regions(healthy: set[str], silent: set[str]) -> str:
    """The other regions as the evidence has them: healthy ones are not affected; a region
    the catalog lists but no signal comes from has no signal, which is not the same."""
    parts = []
    if healthy:
        parts.append(f"{', '.join(sorted(healthy))} {'is' if len(healthy) == 1 else 'are'} "
                     "not affected")
    if silent:
        parts.append(f"no signal from {', '.join(sorted(silent))}")
    return "; ".join(parts)
