"""Does a summary the model wrote contradict the report it would head?

A summary is rejected (the engine's is kept) when it plays the incident down beside a
MEDIUM or HIGH grade ("everything is operating normally", "a scheduled drill", "no
action needed"), names another grade than the final one ("grade LOW"), denies the top
root cause ("not caused by the deploy"), tells the reader to take a destructive step,
or repeats instruction-like payload text — literally or in paraphrase.
"""

from __future__ import annotations

import re

from ..models import Level, TriageReport
from .evidence import EvidenceCatalog, normalize

_CALM = re.compile(
    r"(?i)\b(operating|running|working|functioning|performing)\s+(normally|as\s+expected|fine)"
    r"|\b(all|every)\s+(systems?|services?)\s+(are\s+|is\s+)?(green|normal|healthy|fine|ok|up|"
    r"operational)"
    r"|\bnothing\s+(is\s+)?(wrong|broken|to\s+(worry|do|fix))\b"
    r"|\bno\s+(real\s+|actual\s+|customer\s+|user\s+)?(impact|issue|problem|outage|incident)\b"
    r"|\bfalse\s+(alarm|positive)\b|\b(can|may|should)\s+(safely\s+)?be\s+(ignored|closed)\b"
    r"|\bno\s+(action|response|escalation)\s+(is\s+)?(needed|required|necessary)\b"
    r"|\b(scheduled|planned|routine)\s+(drill|exercise|test|maintenance|simulation)\b"
    r"|\b(a|this\s+is\s+a|just\s+a|only\s+a)\s+(drill|test\s+alert|simulation|exercise)\b"
    r"|\bexpected\s+behaviou?r\b|\bbenign\b|\bnot\s+(a\s+)?real\b"
)
_GRADE = re.compile(
    r"(?i)\b(?:severity|grade|graded|priority|sev|classif\w*|rate[ds]?|treat\w*\s+as)\b"
    r"[^.\n]{0,25}?\b(low|medium|high)\b"
    r"|\b(low|medium|high)[- ](?:severity|priority|impact|urgency)\b"
)
_DENIAL = r"(?:not|no|never|isn't|wasn't|ruled\s+out|unrelated\s+to|nothing\s+to\s+do\s+with)"
_STEER = re.compile(
    r"(?i)\b(purge|wipe|erase|delete|drop|truncate|destroy|nuke|disable|turn\s+off|flush|"
    r"reset|revoke|remove)\b[^.\n]{0,40}\b(store|stores|records?|data|database|db|tables?|"
    r"users?|customers?|accounts?|orders?|backups?|auth\w*|logins?|passwords?|security|"
    r"monitoring|alerts?|logs?|cluster|namespace|queue|cache|keys?|everything)\b"
    r"|\b(as\s+instructed|per\s+the\s+(note|annotation|instructions?|alert\s+text)|"
    r"the\s+(annotation|note|alert)\s+(says|asks|instructs|tells))\b"
)
_CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "deploy_regression": ("deploy", "deployment", "release", "rollout", "change"),
    "dependency_failure": ("dependency", "upstream", "downstream", "provider", "gateway"),
    "database": ("database", "db", "query", "queries", "lock"),
    "capacity": ("capacity", "load", "traffic", "saturation"),
    "config_change": ("config", "configuration", "setting", "flag"),
    "network": ("network", "connectivity"),
    "dns": ("dns", "resolution", "resolver"),
    "certificate": ("certificate", "cert", "tls"),
}
_COPY_WORDS = 4


def plays_down(text: str) -> bool:
    """Text that calls the incident a drill, a test, normal or harmless."""
    return bool(_CALM.search(text))


def contradiction(summary: str, report: TriageReport, catalog: EvidenceCatalog) -> str | None:
    """Why ``summary`` cannot head ``report`` (its final severity and causes), or None."""
    level = report.severity.level
    if level != Level.LOW and _CALM.search(summary):
        return f"it plays the incident down beside severity {level.value}"
    for match in _GRADE.finditer(summary):
        named = (match.group(1) or match.group(2) or "").upper()
        if named and named != level.value:
            return f"it names severity {named}, not the report's {level.value}"
    if _STEER.search(summary):
        return "it tells the reader to take a destructive or instructed step"
    if report.root_causes:
        top = report.root_causes[0].category
        words = _CATEGORY_WORDS.get(top, tuple(top.split("_")))
        pattern = rf"(?i)\b{_DENIAL}\b[^.\n]{{0,30}}\b({'|'.join(map(re.escape, words))})"
        if re.search(pattern, summary):
            return f"it denies the top root cause ({top})"
    flagged = [item.text for item in catalog.items if item.flagged]
    if flagged and _shares_run(summary, flagged):
        return "it repeats instruction-like payload text"
    return None


def _shares_run(text: str, sources: list[str]) -> bool:
    words = normalize(text).split()
    grams = {tuple(words[i:i + _COPY_WORDS]) for i in range(len(words) - _COPY_WORDS + 1)}
    for source in sources:
        found = normalize(source).split()
        if any(tuple(found[i:i + _COPY_WORDS]) in grams
               for i in range(len(found) - _COPY_WORDS + 1)):
            return True
    return False
