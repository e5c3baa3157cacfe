"""Service and region names in one form, whatever the source.

* ``service_key("acme/checkout")``, ``"Checkout API"``, ``"checkout-service"`` and
  ``"checkout"`` are all ``"checkout"``: the identity used to link a deploy to alerts.
* ``service_name`` keeps a readable display form (``"checkout-service"``).
* ``canonical_region`` maps provider display names and zones to region ids:
  ``"US East (N. Virginia)"`` → ``us-east-1``, ``"us-east-1a"`` → ``us-east-1``.
"""

from __future__ import annotations

import re

_SUFFIXES = (
    "service",
    "svc",
    "api",
    "server",
    "app",
    "backend",
    "web",
    "worker",
    "prod",
    "production",
    "deployment",
    "deploy",
)
_SEPARATORS = re.compile(r"[\s_.:]+")
_NON_NAME = re.compile(r"[^a-z0-9-]+")


def service_name(raw: str | None) -> str | None:
    """Display form: lower case, org/namespace prefix dropped, spaces → dashes."""
    if raw is None:
        return None
    text = str(raw).strip().lower()
    if not text:
        return None
    if "/" in text:  # "acme/checkout", "default/checkout-7d9f"
        text = text.rsplit("/", 1)[-1]
    text = _SEPARATORS.sub("-", text)
    text = _NON_NAME.sub("", text).strip("-")
    text = re.sub(r"-{2,}", "-", text)
    return text or None


def service_key(raw: str | None) -> str | None:
    """Identity form: the display form without generic suffixes such as ``-service``."""
    name = service_name(raw)
    if name is None:
        return None
    parts = name.split("-")
    while len(parts) > 1 and parts[-1] in _SUFFIXES:
        parts.pop()
    return "-".join(parts)


# AWS display names (as CloudWatch alarms delivered through SNS carry them).
_AWS_DISPLAY = {
    "us east (n. virginia)": "us-east-1",
    "us east (ohio)": "us-east-2",
    "us west (n. california)": "us-west-1",
    "us west (oregon)": "us-west-2",
    "africa (cape town)": "af-south-1",
    "asia pacific (hong kong)": "ap-east-1",
    "asia pacific (hyderabad)": "ap-south-2",
    "asia pacific (jakarta)": "ap-southeast-3",
    "asia pacific (malaysia)": "ap-southeast-5",
    "asia pacific (melbourne)": "ap-southeast-4",
    "asia pacific (mumbai)": "ap-south-1",
    "asia pacific (osaka)": "ap-northeast-3",
    "asia pacific (seoul)": "ap-northeast-2",
    "asia pacific (singapore)": "ap-southeast-1",
    "asia pacific (sydney)": "ap-southeast-2",
    "asia pacific (thailand)": "ap-southeast-7",
    "asia pacific (tokyo)": "ap-northeast-1",
    "canada (central)": "ca-central-1",
    "canada west (calgary)": "ca-west-1",
    "europe (frankfurt)": "eu-central-1",
    "europe (ireland)": "eu-west-1",
    "europe (london)": "eu-west-2",
    "europe (milan)": "eu-south-1",
    "europe (paris)": "eu-west-3",
    "europe (spain)": "eu-south-2",
    "europe (stockholm)": "eu-north-1",
    "europe (zurich)": "eu-central-2",
    "israel (tel aviv)": "il-central-1",
    "mexico (central)": "mx-central-1",
    "middle east (bahrain)": "me-south-1",
    "middle east (uae)": "me-central-1",
    "south america (sao paulo)": "sa-east-1",
    "south america (são paulo)": "sa-east-1",
    "aws govcloud (us-east)": "us-gov-east-1",
    "aws govcloud (us-west)": "us-gov-west-1",
    "eu (frankfurt)": "eu-central-1",
    "eu (ireland)": "eu-west-1",
    "eu (london)": "eu-west-2",
    "eu (paris)": "eu-west-3",
    "eu (stockholm)": "eu-north-1",
    "eu (milan)": "eu-south-1",
}
_AWS_REGION = re.compile(r"^([a-z]{2}(?:-gov)?-[a-z]+-\d)([a-z])?$")
_AWS_AZ_ID = re.compile(r"^([a-z]{3}\d)-az\d$")  # "use1-az1": an AZ id; region unknown
_GCP_REGION = re.compile(r"^([a-z]+-[a-z]+\d)(?:-([a-z]))?$")


def canonical_region(raw: str | None) -> tuple[str | None, str | None]:
    """``(region, zone)`` for a region or zone name from any source."""
    if raw is None:
        return None, None
    text = str(raw).strip()
    if not text:
        return None, None
    lowered = " ".join(text.lower().split())
    if lowered in _AWS_DISPLAY:
        return _AWS_DISPLAY[lowered], None
    compact = lowered.replace("_", "-").replace(" ", "-")
    match = _AWS_REGION.match(compact)
    if match:
        region = match.group(1)
        return region, (compact if match.group(2) else None)
    if _AWS_AZ_ID.match(compact):
        return None, compact
    match = _GCP_REGION.match(compact)
    if match:
        region = match.group(1)
        return region, (compact if match.group(2) else None)
    return compact, None
