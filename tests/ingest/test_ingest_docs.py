"""docs/formats.md stays true: every format is in its table, in detection order, and every
sample it names exists."""

from __future__ import annotations

import re
from pathlib import Path

from opsagent.registry import default_registry

from .conftest import SAMPLES

ROOT = Path(__file__).resolve().parents[2]
FORMATS = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")


def test_the_table_lists_every_format_in_detection_order() -> None:
    ids = re.findall(r"^\| \[[^\]]+\]\([^)]+\) \| `([a-z_]+)` \|", FORMATS, re.M)
    assert ids == [a.name for a in default_registry().adapters()]


def test_every_sample_named_exists() -> None:
    named = re.findall(r"tests/ingest/samples/([\w./-]+\.json)", FORMATS)
    assert len(named) >= 24
    missing = [name for name in named if not (SAMPLES / name).is_file()]
    assert missing == []


def test_every_later_format_names_its_samples() -> None:
    for vendor in ("alertmanager_groups", "opsgenie", "azure_monitor", "gcp_monitoring",
                   "newrelic", "victorops", "zabbix", "kibana"):
        on_disk = {p.name for p in (SAMPLES / vendor).glob("*.json")}
        named = set(re.findall(rf"tests/ingest/samples/{vendor}/([\w.-]+\.json)", FORMATS))
        assert named == on_disk, vendor
