"""The README's examples work as written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

import opsagent
from opsagent.catalog import load_catalog

from .conftest import NOW, ROOT, run_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_the_two_setup_commands_are_there() -> None:
    bash = "\n".join(_blocks("bash"))
    assert "pip install -r requirements.txt && python run.py" in bash
    assert "bash scripts/test.sh" in bash
    ci = (ROOT / ".ci" / "run").read_text()
    assert "bash scripts/test.sh" in ci


def test_generic_event_example_triages() -> None:
    events = [json.loads(b) for b in _blocks("json") if '"service"' in b and "schema" not in b]
    assert len(events) >= 2
    for event in events:
        report = opsagent.analyze(event, now=NOW)
        assert report.root_causes


def test_printed_example_matches_the_real_output() -> None:
    printed = re.search(r"```\n(Issue Summary:.*?)```", README, flags=re.S).group(1)  # type: ignore[union-attr]
    real = run_cli("analyze", str(ROOT / "examples" / "checkout-service.json"), "--brief",
                   "--now", NOW).stdout
    # the summary line carries relative times; every other line must match exactly
    assert printed.splitlines()[2:] == real.splitlines()[2:]


def test_catalog_and_failure_mode_examples_are_valid(tmp_path: Path) -> None:
    yamls = _blocks("yaml")
    catalog = next(b for b in yamls if b.startswith("services:"))
    path = tmp_path / "services.yaml"
    path.write_text(catalog)
    entry = load_catalog(path).entry("Checkout API")
    assert entry.tier == "critical" and entry.slo.error_rate == 0.005
    mode = next(b for b in yamls if b.startswith("id: kafka_rebalance_storm"))
    kb_dir = tmp_path / "kb"
    kb_dir.mkdir()
    (kb_dir / "kafka.yaml").write_text(mode)
    (kb_dir / "terms.yaml").write_text(yaml.safe_dump(
        {"terms": [{"feature": "text.rebalance", "patterns": [r"rebalanc\w*"]}]}))
    result = run_cli("kb", "lint", str(kb_dir))
    assert result.code == 0, result.stderr
