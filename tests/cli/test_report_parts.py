"""Parts of the report a user reads first: who to page, what the regions say, what the
duration measures."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from opsagent.knowledge.loader import BUILTIN_DIR

from ..conftest import EXAMPLE, NOW
from .conftest import Run

CATALOG = """\
services:
  checkout-service:
    tier: critical
    owners: [payments-team, sre]
    oncall: payments-primary
    regions: [ap-south-1, eu-west-1]
"""


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    path = tmp_path / "services.yaml"
    path.write_text(CATALOG)
    return path


def test_the_catalogs_oncall_and_owners_are_paged_first(opsagent: Run, catalog: Path) -> None:
    result = opsagent("analyze", str(EXAMPLE), "--now", NOW, "--catalog", str(catalog),
                      "-f", "json")
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["severity"]["level"] == "HIGH"
    first = report["actions"][0]
    assert first["kind"] == "escalate"
    assert first["title"].startswith("Page payments-primary, the on-call engineer for "
                                     "checkout-service (owners: payments-team, sre)")


def test_a_catalog_region_with_no_signal_is_no_signal(opsagent: Run, catalog: Path) -> None:
    out = opsagent("analyze", str(EXAMPLE), "--now", NOW, "--catalog", str(catalog)).stdout
    line = next(x for x in out.splitlines() if "confined to ap-south-1" in x)
    assert "eu-west-1" in line and "not affected" not in line and "no signal" in line


def test_duration_ms_is_the_triage_not_the_loading(opsagent: Run, tmp_path: Path) -> None:
    knowledge = tmp_path / "kb"
    shutil.copytree(BUILTIN_DIR / "failure_modes", knowledge)  # a directory never loaded yet
    started = time.perf_counter()
    result = opsagent("analyze", str(EXAMPLE), "--now", NOW, "--knowledge", str(knowledge),
                      "-f", "json")
    wall_ms = (time.perf_counter() - started) * 1000
    assert result.code == 0, result.stderr
    duration = json.loads(result.stdout)["analysis"]["duration_ms"]
    # loading and checking 30 failure-mode files takes far longer than triaging one incident
    assert 0 < duration < wall_ms / 4, (duration, wall_ms)
