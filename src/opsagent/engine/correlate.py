"""Change correlation: which deploys and config pushes could have started the incident.

A change is weighed by **scope** (a change of an affected service, of one of its
dependencies, of something unrelated) and by **time** before the onset: strong within
the hour, about 0.9 at two hours, 0.3 after a day, weak but not zero weeks later; a
change made after the onset cannot have caused it.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from ..models import ChangeDetails, ChangeType, Signal
from ..names import service_key
from ..values import clip, humanize_age
from .context import Context
from .features import ENGINE_FEATURES, FAILURE_TEXT, MEASURED_FAILURE
from .kinds import (
    ALERT,
    CHANGE,
    DEPLOY,
    FIRING,
    INFO,
    LOG,
    METRIC,
    RESOLVED,
    ROLLBACK,
    STATUS,
    SYMPTOM,
)
from .recovery import recovery_in_words

_FEATURE_BY_TYPE = {
    DEPLOY: "change.deploy.recent",
    ChangeType.CONFIG: "change.config.recent",
    ChangeType.FLAG: "change.flag.recent",
    ChangeType.SECRET: "change.secret.recent",
    ChangeType.MIGRATION: "change.migration.recent",
    ChangeType.INFRA: "change.infra.recent",
    ChangeType.DNS: "change.dns.recent",
    ChangeType.CERTIFICATE: "change.certificate.recent",
    ChangeType.SCALE: "change.scale.recent",
    ChangeType.OTHER: "change.other.recent",
}
_NOUN = {
    DEPLOY: "deploy",
    ROLLBACK: "rollback",
    ChangeType.CONFIG: "configuration change",
    ChangeType.FLAG: "feature-flag change",
    ChangeType.SECRET: "secret/credential change",
    ChangeType.MIGRATION: "migration",
    ChangeType.INFRA: "infrastructure change",
    ChangeType.DNS: "DNS change",
    ChangeType.CERTIFICATE: "certificate change",
    ChangeType.SCALE: "scaling change",
    ChangeType.OTHER: "operational change",
}
STALE_AFTER = timedelta(days=7)
_RECENT_CHANGES = frozenset(f for f in ENGINE_FEATURES
                            if f.startswith("change.") and f.endswith(".recent"))


def recency(age: timedelta) -> float:
    """Strength of a change ``age`` before the onset: 1.0 within 30 min, ~0.9 at 2 h,
    ~0.7 at 6 h, ~0.3 at a day, a floor of 0.03 for anything older."""
    hours = age.total_seconds() / 3600
    if hours <= 0.5:
        return 1.0
    return max(0.03, 1.0 / (1.0 + float((hours / 12.0) ** 1.2)))


def correlate(ctx: Context) -> None:
    incident = ctx.incident
    changes: list[Signal] = []
    problems: list[Signal] = []
    for signal in incident.signals:
        (changes if signal.kind == CHANGE else problems).append(signal)
    features = ctx.features
    onset = incident.started_at or _first_problem(problems) or incident.now
    ctx.onset = onset
    changes += _stated_deploys(problems, changes, onset)
    if not changes:
        features.add("change.none", 1.0, "no deploy or configuration change was reported")
        return
    if _nothing_failing(ctx, problems):
        noun = "change" if len(changes) == 1 else f"{len(changes)} changes"
        features.add("change.only", 1.0, f"only the {noun} reported; no alert, error, "
                                         "latency or symptom came with it")
    affected = ctx.affected_keys()
    best_own_deploy: tuple[float, Signal] | None = None
    best_other: tuple[float, str, str] | None = None
    own_deploy_ages: list[timedelta] = []
    for change in sorted(changes, key=_order):
        details = change.change
        ctype = details.type if details else DEPLOY
        if ctype == DEPLOY and _INFRA_CHANGE.search(change.text.lower()):
            # a pipeline "deploy" of infrastructure code is an infrastructure change
            ctype = ChangeType.INFRA
        if ctype != ROLLBACK and _UNDOES.search(change.text.lower()):
            # a change that says it undoes one ("PRICE_TTL back to 3600 (revert)") is the
            # rollback already made: not a new cause, and not to be reverted again
            ctype = ChangeType.ROLLBACK
        noun = _NOUN[ctype]
        subject = change.service or change.dependency
        key = service_key(subject)
        if key is None or not affected or key in affected:
            relation = "own"
        elif any(ctx.catalog.depends_on(s, subject) for s in incident.services):
            relation = "dependency"
        else:
            relation = "other"
        version = f" {details.version}" if details and details.version else ""
        who = subject or "an unnamed component"
        desc = f" ({clip(details.description, 80)})" if details and details.description else ""
        if change.at is None:
            age_text = "at an unknown time"
            strength = 0.15  # a release tag on an error, say: it exists, but when?
            age: timedelta | None = None
        else:
            age = onset - change.at
            if age < timedelta(minutes=-5):
                features.add("change.after_onset", 1.0,
                             f"{noun} of {who}{version}{desc} came {humanize_age(-age)} "
                             "after the problem began")
                if ctype == ROLLBACK:
                    features.add("change.rollback", 1.0,
                                 f"{who} was already rolled back{version}")
                    if relation == "own":
                        _rollback_effect(ctx, change, problems, who)
                continue
            if incident.started_at is None:  # onset unknown: speak relative to now
                age_text = f"{humanize_age(age)} ago" if age > timedelta(minutes=1) \
                    else "moments ago"
            else:
                age_text = f"{humanize_age(age)} before the onset" \
                    if age > timedelta(minutes=1) else "just before the onset"
            strength = recency(age)
        sentence = f"{noun} of {who}{version}{desc} {age_text}"
        if change.at is not None and _later_trigger(change.at, onset, changes):
            # it ran cleanly until another change came, just before the onset: that one
            # is the nearer trigger
            strength *= 0.6
            sentence += ", and ran cleanly until a later change came just before the onset"
            if ctype == DEPLOY and relation == "own":
                features.add("change.deploy.superseded", 1.0, sentence)
        if ctype == ROLLBACK:
            features.add("change.rollback", 1.0, sentence)
            continue
        failed = details is not None and details.succeeded is False
        if relation == "other":
            if ctype == DEPLOY:
                features.add("change.deploy.other", strength,
                             f"{sentence}; {who} is not one of the affected services")
                continue
            # A configuration, content, DNS or infrastructure push to a shared component
            # (an agent on every host, the CDN, the resolver) is a plausible far trigger
            # even though that component is not among the affected services.
            strength *= 0.7
            sentence = f"{sentence}; {who} is shared infrastructure, not an affected service"
        if relation == "dependency":
            features.add("change.dependency.recent", strength,
                         f"{sentence}; {who} is a dependency of {ctx.service}")
            ctx.dependency_hints.insert(0, who)
            continue
        feature = _FEATURE_BY_TYPE.get(ctype, "change.config.recent")
        if change.status == RESOLVED:
            strength *= 0.5
        features.add(feature, strength, sentence)
        if ctype in (ChangeType.OTHER, ChangeType.MIGRATION) and _DATA_CHANGE.search(
                f"{change.text} {details.description if details else ''}".lower()):
            features.add("change.data.recent", strength, f"{sentence}: it changed data")
        words = f"{change.labels.get('type', '')} {change.text} " \
            f"{details.description if details else ''}".lower()
        if ctype != DEPLOY and _PLANNED.search(words) and not _MISTAKE.search(words):
            features.add("change.planned", strength, f"{sentence}: planned work")
        if ctype != DEPLOY and _CACHE_CHANGE.search(
                f"{change.text} {details.description if details else ''}".lower()):
            features.add("change.cache.recent", strength,
                         f"{sentence}: it emptied or reshaped a cache")
        if failed:
            features.add("change.deploy.failed", max(strength, 0.6), f"{sentence} and failed")
        if ctype == DEPLOY:
            if age is not None:
                own_deploy_ages.append(age)
            if best_own_deploy is None or strength > best_own_deploy[0]:
                best_own_deploy = (strength, change)
        elif best_other is None or strength > best_other[0]:
            said = details.description if details and details.description else ""
            best_other = (strength, f"{noun} of {who}{version}", clip(said, 80, words=True))
    if best_other is not None:  # the strongest change that is not a deploy
        ctx.change_refs["change"] = ctx.change_refs["other_change"] = best_other[1]
        if best_other[2]:  # what it did, so that the action names the change to undo
            ctx.change_refs["other_change_desc"] = best_other[2]
    if best_own_deploy is not None:
        change = best_own_deploy[1]
        if change.change and change.change.version:
            ctx.change_refs["version"] = change.change.version
        if change.change and change.change.previous_version:
            ctx.change_refs["previous_version"] = change.change.previous_version
        ctx.change_refs["change"] = f"deploy of {change.service or 'the service'}" + (
            f" {change.change.version}" if change.change and change.change.version else "")
    if own_deploy_ages and min(own_deploy_ages) > STALE_AFTER:
        features.add("change.deploy.stale", 1.0,
                     f"the last deploy was {humanize_age(min(own_deploy_ages))} before the onset")
    if _RECENT_CHANGES.isdisjoint(features.keys()) and "change.deploy.failed" not in features:
        features.add("change.none", 0.6,
                     "no change to the affected services was reported before the onset")


# what a change of infrastructure code says it does, whatever pipeline delivered it
_UNDOES = re.compile(r"(?:^|[(\[:;,]\s*|\s)(?:revert(?:ed|s)?|rolled back|roll ?back(?: of| to)|"
                     r"undo(?:ne|es)?|rollback(?: of| to)?)\b(?! (?:plan|procedure|test))")
_INFRA_CHANGE = re.compile(r"\b(?:terraform|pulumi|cloudformation|opentofu|crossplane|"
                           r"aws_\w+|google_\w+|azurerm_\w+|iam (?:polic\w*|role\w*)|"
                           r"service control polic\w*|security groups?|firewall rules?|"
                           r"network acls?|organi[sz]ations? polic\w*)\b")
# what a script, job or migration that changes data says it does
_DATA_CHANGE = re.compile(r"\b(?:import\w*|feeds?|backfill\w*|replay\w*|re-?index\w*|offsets?|"
                          r"etl|sync\w*|migrat\w*|bulk (?:update|load|insert|delete)|"
                          r"reprocess\w*|restore\w*|dedupe?\w*|rewrite\w*|reconcil\w*)\b")
_PLANNED = re.compile(r"\b(?:planned|scheduled|maintenance window|maintenance|change window|"
                      r"approved change|chg-?\d+|drained (?:beforehand|first|in advance))\b")
# work that went where it was not meant to is an accident, however it was scheduled
_MISTAKE = re.compile(r"\b(?:by mistake|mistaken\w*|accident\w*|inadvertent\w*|unintended|"
                      r"meant for|intended for|instead of|wrong (?:instance|cluster|host|"
                      r"database|environment|account|shell|region|server|table|bucket))\b")
_CACHE_CHANGE = re.compile(r"\b(?:flush\w*|purg\w*|evict\w*|invalidat\w*|"
                           r"cache (?:clear|wipe|reset)\w*|clear\w* (?:the )?cache|"
                           r"(?:restart\w*|resiz\w*|replac\w*|failover|"
                           r"upgrad\w*|reboot\w*) (?:of )?(?:the )?(?:redis|memcached?|elasticache|"
                           r"valkey|varnish|cache)\w*)\b")
_PROBLEM_FEATURES = FAILURE_TEXT | MEASURED_FAILURE | frozenset({
    "source.critical", "dependency.degraded", "db.degraded", "cache.degraded", "traffic.drop",
    "traffic.surge", "hosts.unhealthy", "cache.evicting", "cpu.throttled", "spend.anomaly",
    "metric.anomaly", "cpu.saturated", "memory.high", "disk.high", "connections.saturated",
    "db.saturated", "queue.backlog", "restarts", "replication.lag", "throttling",
    "cert.expired", "cert.expiring", "clock.skew", "packet_loss", "cache.hit_rate_drop"})


def _nothing_failing(ctx: Context, problems: list[Signal]) -> bool:
    """Only changes: every other signal is informational (a Normal Kubernetes event, an
    info notice) or a reading within its bounds, and nothing assessed shows a problem."""
    for s in problems:
        if s.kind in (LOG, ALERT) and s.severity == INFO and s.status != FIRING:
            continue
        if s.kind in (METRIC, STATUS):
            continue
        return False
    return _PROBLEM_FEATURES.isdisjoint(ctx.features.keys())


_CLEAN_RUN = timedelta(minutes=10)  # how long a change ran before another came
_NEAR_ONSET = timedelta(minutes=5)


def _later_trigger(at: datetime, onset: datetime, changes: list[Signal]) -> bool:
    """Whether another change came at least ``_CLEAN_RUN`` after ``at`` and within
    ``_NEAR_ONSET`` of the onset (neither long before it nor after it)."""
    return any(c.at is not None and c.at - at >= _CLEAN_RUN
               and abs(onset - c.at) <= _NEAR_ONSET
               and not (c.change is not None and c.change.type == ROLLBACK)
               for c in changes)


def _rollback_effect(ctx: Context, rollback: Signal, problems: list[Signal], who: str) -> None:
    """A rollback after the onset with the problem still there argues against the deploy
    having caused it (a regression goes away with the code that brought it)."""
    assert rollback.at is not None
    firing = [s for s in problems if s.status != RESOLVED]
    if not firing or recovery_in_words(ctx):
        return
    later = [s for s in firing if s.at is not None and s.at > rollback.at + timedelta(minutes=2)]
    since = ctx.incident.now - rollback.at
    if later:
        ctx.features.add("change.rollback.no_effect", 1.0,
                         f"{who} was rolled back {humanize_age(since)} ago and problems "
                         "were still reported after it")
    elif since >= timedelta(minutes=10):
        ctx.features.add("change.rollback.no_effect", 0.7,
                         f"{who} was rolled back {humanize_age(since)} ago and the problem "
                         "has not resolved")


# a release named in an alert's own words as where the trouble began: "returns 500 since
# orderflow-api 9.2.0-rc1 was deployed", "errors after the rollout of v3.4.0"
_VERSION = r"v?\d+(?:\.\d+){1,3}(?:[-+][\w.]+)?"
_STATED_DEPLOY = re.compile(
    rf"\b(?:since|after|right after|following|when)\s+(?:the\s+)?(?:[\w.@/-]+\s+){{0,2}}?"
    rf"(?P<v1>{_VERSION})\s+(?:was|were|got|went)\s+(?:deployed|released|rolled out|shipped|"
    rf"out|live)\b"
    rf"|\b(?:since|after|right after|following)\s+(?:the\s+)?(?:deploy(?:ment)?|release|"
    rf"rollout)\s+of\s+(?:[\w.@/-]+\s+){{0,2}}?(?P<v2>{_VERSION})\b"
    # "Image checkout:pr-3318-7f2c1ad deployed to checkout-qa at 13:58"
    r"|\b(?:image|build|release|version|commit)\s+(?P<v3>[\w.:/@-]*\d[\w.:/@-]*)\s+(?:was\s+)?"
    r"(?:deployed|rolled out|released|shipped)\s+(?:to|on|in(?:to)?)\b", re.IGNORECASE)


# one of them is in every text _STATED_DEPLOY can match
_DEPLOY_WORDS = ("deploy", "releas", "rolled out", "rollout", "shipped", "went out",
                 "went live", "was out", "was live", "were out", "were live", "got out",
                 "got live")


def _stated_deploys(problems: list[Signal], changes: list[Signal], onset: datetime
                    ) -> list[Signal]:
    """Deploys that firing alerts and symptoms name as the start of the trouble, when no
    deploy of that service was reported: a change at the onset, its words kept."""
    reported = {service_key(c.service) for c in changes
                if c.change is None or c.change.type == DEPLOY}
    out: list[Signal] = []
    for s in problems:
        if s.status == RESOLVED or s.kind not in (ALERT, LOG, SYMPTOM) or not s.text:
            continue
        lowered = " ".join(s.text.lower().split())
        if not any(word in lowered for word in _DEPLOY_WORDS):
            continue  # most texts name no release: skip the search (alert storms)
        found = _STATED_DEPLOY.search(s.text)
        if found is None or service_key(s.service) in reported:
            continue
        reported.add(service_key(s.service))
        out.append(Signal(
            kind=CHANGE, source=s.source, service=s.service, environment=s.environment,
            region=s.region, at=min(s.at, onset) if s.at else onset,
            text=clip(s.text, 200),
            change=ChangeDetails(type=DEPLOY, version=found.group("v1") or found.group("v2")
                                 or found.group("v3"),
                                 description=f'stated: "{clip(found.group(0), 80)}"')))
    return out


def _first_problem(problems: list[Signal]) -> datetime | None:
    times = [s.at for s in problems if s.at is not None]
    return min(times) if times else None


def _order(change: Signal) -> tuple[float, str]:
    return (change.at.timestamp() if change.at else 0.0, change.text)


