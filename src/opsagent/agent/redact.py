"""Redaction: secrets and personal data never leave the machine.

Every text the agent sends to an LLM (the task, tool results, repair feedback) passes
through :func:`redact`. A match is replaced by ``[REDACTED:<kind>]``; the rest of the
text (service names, versions, IP addresses, metric values) is kept, because it is the
evidence. The patterns favour over-redaction: a false positive costs a detail, a false
negative leaks a secret.

Covered: private-key blocks, JWTs, ``Authorization`` headers and bearer tokens,
credentials in URLs and ``user:password@host``, API keys of common providers (OpenAI,
Anthropic, AWS, GitHub, GitLab, Slack, Stripe, Google, SendGrid, npm, Hugging Face),
``password=`` / ``token: ...`` style assignments, e-mail addresses, payment card numbers
(by issuer prefix and Luhn check) and US social security numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

PLACEHOLDER = "[REDACTED:{kind}]"
_PLACEHOLDER_RE = re.compile(r"\[REDACTED:[a-z_]+\]")

_SECRET_WORDS = (
    r"password|passwd|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|"
    r"private[_-]?key|client[_-]?secret|credentials?|session[_-]?id|cookie|"
    r"signature|sig"
)

Replacer = Callable[["re.Match[str]"], str]


def _whole(kind: str) -> Replacer:
    text = PLACEHOLDER.format(kind=kind)
    return lambda m: text


def _keep_group(group: int, kind: str, after: int | None = None) -> Replacer:
    """Keep the text of ``group`` (a label), redact the rest of the match."""
    text = PLACEHOLDER.format(kind=kind)

    def replace(m: re.Match[str]) -> str:
        tail = m.group(after) if after is not None and m.group(after) else ""
        return f"{m.group(group)}{text}{tail}"

    return replace


def _card(m: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", m.group(0))
    return PLACEHOLDER.format(kind="card_number") if _luhn(digits) else m.group(0)


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


_PATTERNS: tuple[tuple[re.Pattern[str], Replacer], ...] = (
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
                re.S), _whole("private_key")),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), _whole("jwt")),
    (re.compile(r"(?i)\b((?:proxy-)?authorization\s*[\"']?\s*[:=]\s*[\"']?\s*"
                r"(?:bearer|basic|token|digest|apikey|sso-key)?\s*)[^\s\"',;]+"),
     _keep_group(1, "credentials")),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9\-._~+/]{8,}=*"), _keep_group(1, "token")),
    # scheme://user:password@host and scheme://long-token@host
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s/@:]+:[^\s/@]+(@)"),
     _keep_group(1, "credentials", 2)),
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[A-Za-z0-9_\-.]{16,}(@)"),
     _keep_group(1, "credentials", 2)),
    (re.compile(r"https://hooks\.slack\.com/services/[A-Za-z0-9/_-]+"), _whole("webhook")),
    (re.compile(r"\bsk-[A-Za-z0-9_-]{20,}"), _whole("api_key")),
    (re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}"), _whole("api_key")),
    (re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b"),
     _whole("aws_access_key")),
    (re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}"), _whole("api_key")),
    (re.compile(r"\bgithub_pat_[A-Za-z0-9_]{30,}"), _whole("api_key")),
    (re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}"), _whole("api_key")),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), _whole("api_key")),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}"), _whole("api_key")),
    (re.compile(r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}"), _whole("api_key")),
    (re.compile(r"\bnpm_[A-Za-z0-9]{36}\b"), _whole("api_key")),
    (re.compile(r"\bhf_[A-Za-z0-9]{30,}"), _whole("api_key")),
    # key = value / "key": "value" / KEY_NAME=value
    (re.compile(r"(?i)(\b[\w.-]*(?:" + _SECRET_WORDS + r"))\b(\s*[\"']?\s*[:=]\s*[\"']?\s*)"
                r"(?!\[REDACTED)[^\s\"',;&}]+"),
     lambda m: f"{m.group(1)}{m.group(2)}{PLACEHOLDER.format(kind='secret')}"),
    # user:password@host (no scheme), e.g. admin:hunter2@10.0.0.5:5432
    (re.compile(r"(?<![\w/:\[])[\w.%+-]+:[^\s@/:]+@(?=[\w-]+(?:\.[\w-]+)+)"),
     lambda m: PLACEHOLDER.format(kind="credentials") + "@"),
    (re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"),
     _whole("email")),
    (re.compile(r"\b(?:4\d{3}|5[1-5]\d{2}|2[2-7]\d{2}|3[47]\d{2}|6011|65\d{2})"
                r"(?:[ -]?\d){9,15}\b"), _card),
    (re.compile(r"\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b"), _whole("ssn")),
)


def redact(text: str) -> str:
    """``text`` with every secret and personal identifier replaced by a placeholder."""
    if not text:
        return text
    for pattern, replace in _PATTERNS:
        text = pattern.sub(replace, text)
    return text


def redact_data(value: Any) -> Any:
    """Redact every string inside a JSON-like value (keys too)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact(str(k)): redact_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_data(v) for v in value]
    return value


def is_placeholder_only(text: str) -> bool:
    return not _PLACEHOLDER_RE.sub("", text).strip()
