"""Redaction: secrets and personal data never leave the machine.

Every text the agent sends to an LLM (the task, tool results, repair feedback) passes
through :func:`redact`. A match is replaced by ``[REDACTED:<kind>]``; the rest of the
text (service names, versions, IP addresses, metric values) is kept, because it is the
evidence. The patterns favour over-redaction: a false positive costs a detail, a false
negative leaks a secret.

Covered: private-key blocks (PEM, OpenSSH, PGP), JWTs, ``Authorization`` headers and
bearer tokens, credentials in URLs (``user:password@host``, ``redis://:pass@host``,
passwords holding ``@``, ``?auth=`` / ``?token=`` / ``?key=``), API keys of common
providers (OpenAI, Anthropic, AWS access key ids and secret keys, GitHub, GitLab, Slack
``xox*`` and ``xapp-``, Stripe, Google, SendGrid, npm, Hugging Face), ``password=`` /
``token: ...`` / ``AccountKey=`` / ``api_key`` style assignments (also inside
JSON-escaped strings), e-mail addresses (also ``%40``-encoded), payment card numbers of
every network (Luhn-checked) and US social security numbers. Then the detectors of
``detect-secrets`` (when installed, with the agent extra) run over what is left.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

PLACEHOLDER = "[REDACTED:{kind}]"
_PLACEHOLDER_RE = re.compile(r"\[REDACTED:[a-z_]+\]")

_SECRET_WORDS = (
    r"password|passwd|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|"
    r"private[_-]?key|client[_-]?secret|credentials?|session[_-]?id|cookie|"
    r"signature|sig|account[_-]?key|shared[_-]?access[_-]?key|auth[_-]?key|secret[_-]?key|"
    r"signing[_-]?key|license[_-]?key|master[_-]?key|key"
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
    ok = 13 <= len(digits) <= 19 and _luhn(digits)
    return PLACEHOLDER.format(kind="card_number") if ok else m.group(0)


def _aws_secret(m: re.Match[str]) -> str:
    """A bare 40-character AWS-style secret: mixed case and digits (a git SHA is hex)."""
    text = m.group(0)
    mixed = (re.search(r"[A-Z]", text) and re.search(r"[a-z]", text)
             and re.search(r"\d", text))
    return PLACEHOLDER.format(kind="aws_secret_key") if mixed else text


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
    (re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?"
                r"(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)", re.S),
     _whole("private_key")),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), _whole("jwt")),
    (re.compile(r"(?i)\b((?:proxy-)?authorization\s*[\"']?\s*[:=]\s*[\"']?\s*"
                r"(?:bearer|basic|token|digest|apikey|sso-key)?\s*)[^\s\"',;]+"),
     _keep_group(1, "credentials")),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9\-._~+/]{8,}=*"), _keep_group(1, "token")),
    # scheme://user:password@host, scheme://:password@host, passwords holding "@" (the
    # user information runs to the last "@" before the path)
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s/?#@]*:[^\s/?#]*(@)"),
     _keep_group(1, "credentials", 2)),
    # credentials in a URL's query: ?auth=..., &token=..., ?key=...
    (re.compile(r"(?i)([?&;](?:auth|token|key|api[_-]?key|apikey|access[_-]?token|"
                r"refresh[_-]?token|sig|signature|secret|password|pass|pwd|code|"
                r"x-amz-signature|x-amz-credential)=)[^&\s#\"'\\]+"),
     _keep_group(1, "secret")),
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
    (re.compile(r"\b(?:xox[abposre]|xapp|xoxe\.xox[bp])-[A-Za-z0-9-]{10,}"),
     _whole("api_key")),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}"), _whole("api_key")),
    (re.compile(r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}"), _whole("api_key")),
    (re.compile(r"\bnpm_[A-Za-z0-9]{36}\b"), _whole("api_key")),
    (re.compile(r"\bhf_[A-Za-z0-9]{30,}"), _whole("api_key")),
    # key = value / "key": "value" / KEY_NAME=value, also inside JSON-escaped strings
    (re.compile(r"(?i)(\b[\w.-]*(?:" + _SECRET_WORDS + r"))\b"
                r"(\s*\\*[\"']?\s*[:=]\s*\\*[\"']?\s*)"
                r"(?!\[REDACTED)[^\s\"',;&}\\]+"),
     lambda m: f"{m.group(1)}{m.group(2)}{PLACEHOLDER.format(kind='secret')}"),
    # user:password@host (no scheme), e.g. admin:hunter2@10.0.0.5:5432
    (re.compile(r"(?<![\w/:\[])[\w.%+-]+:[^\s@/:]+@(?=[\w-]+(?:\.[\w-]+)+)"),
     lambda m: PLACEHOLDER.format(kind="credentials") + "@"),
    (re.compile(r"\b[A-Za-z0-9._+-]+(?:%[0-9A-Fa-f]{2}[A-Za-z0-9._+-]*)*?(?:@|%40)"
                r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"), _whole("email")),
    # card numbers of every network (Visa, Mastercard, Amex, Discover, JCB, Diners,
    # UnionPay, Maestro): 13-19 digits, grouped or not, that pass the Luhn check
    (re.compile(r"(?<![\d.-])[2-6]\d{3}(?:[ -]?\d){9,15}(?![\d-])"), _card),
    # a bare AWS secret access key
    (re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"), _aws_secret),
    (re.compile(r"\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b"), _whole("ssn")),
)


def redact(text: str) -> str:
    """``text`` with every secret and personal identifier replaced by a placeholder."""
    if not text:
        return text
    for pattern, replace in _PATTERNS:
        text = pattern.sub(replace, text)
    return _library_pass(text)


# detect-secrets' detectors for the kinds it knows (not its entropy heuristics, whose ad
# hoc scan flags ordinary words); imported on first use (about 0.2 s), once per process
DETECT_SECRETS_PLUGINS = (
    "AWSKeyDetector", "ArtifactoryDetector", "AzureStorageKeyDetector", "BasicAuthDetector",
    "CloudantDetector", "DiscordBotTokenDetector", "GitHubTokenDetector",
    "GitLabTokenDetector", "IbmCloudIamDetector", "JwtTokenDetector", "MailchimpDetector",
    "NpmDetector", "OpenAIDetector", "PrivateKeyDetector", "PypiTokenDetector",
    "SendGridDetector", "SlackDetector", "SoftlayerDetector", "SquareOAuthDetector",
    "StripeDetector", "TelegramBotTokenDetector", "TwilioKeyDetector",
)
_scanner: Callable[[str], list[str]] | None = None
_SCANNER_LOCK = threading.Lock()


def _library_pass(text: str) -> str:
    scan = _detect_secrets()
    if scan is None:
        return text
    for secret in sorted(set(scan(text)), key=len, reverse=True):
        if len(secret) >= 8 and "REDACTED" not in secret:
            text = text.replace(secret, PLACEHOLDER.format(kind="secret"))
    return text


def _detect_secrets() -> Callable[[str], list[str]] | None:
    global _scanner
    if _scanner is not None:
        return _scanner
    with _SCANNER_LOCK:
        if _scanner is None:
            try:
                from detect_secrets.core.scan import scan_line
                from detect_secrets.settings import get_settings
            except ImportError:  # the library is optional: the patterns above still run
                _scanner = _no_library
                return None
            get_settings().configure_plugins([{"name": n} for n in DETECT_SECRETS_PLUGINS])

            def scan(text: str) -> list[str]:
                found: list[str] = []
                for line in text.splitlines() or [text]:
                    found.extend(str(s.secret_value) for s in scan_line(line)
                                 if s.secret_value)
                return found

            _scanner = scan
    return _scanner if _scanner is not _no_library else None


def _no_library(text: str) -> list[str]:
    return []


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
