"""A third-party adapter joins opsagent the way a user installs one: a distribution on the
import path whose ``opsagent.plugins`` entry point (declared in its pyproject) names a
``register(registry)`` hook. No mocks: the example package under
``tests/plugins/opsagent-uptime-kuma`` is laid out as an installed distribution (its code
and a ``.dist-info`` with the entry points of its pyproject), found by
``importlib.metadata`` and loaded by opsagent in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import distributions
from pathlib import Path

import pytest

from opsagent.ingest.builtin import register as register_builtins
from opsagent.registry import Registry

from .sites import install_project, on_path

EXAMPLE = Path(__file__).resolve().parent / "opsagent-uptime-kuma"
SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example installed into a directory, as ``pip install --target`` lays it out."""
    target = tmp_path_factory.mktemp("site")
    install_project(target, EXAMPLE)
    return target


def run(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPSAGENT_LLM", "OPENAI_API_KEY")}
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), str(site)])
    return subprocess.run([sys.executable, "-m", "opsagent.cli", *args], capture_output=True,
                          text=True, env=env, timeout=120, check=False)


def test_the_entry_point_of_the_pyproject_is_found_and_registers_the_adapter(
        site: Path) -> None:
    (dist,) = [d for d in distributions(path=[str(site)])
               if d.metadata["Name"] == "opsagent-uptime-kuma"]
    (entry,) = [e for e in dist.entry_points if e.group == "opsagent.plugins"]
    with on_path(site):
        hook = entry.load()
        registry = Registry()
        register_builtins(registry)
        hook(registry)
    names = [a.name for a in registry.adapters()]
    assert names[-2:] == ["uptime_kuma", "generic"]  # after the built-ins, before fallback


def test_opsagent_lists_and_uses_the_installed_plugin(site: Path) -> None:
    listed = run(site, "formats")
    assert listed.returncode == 0, listed.stderr
    assert "uptime_kuma" in listed.stdout
    lines = [" ".join(line.split()) for line in listed.stdout.splitlines()]
    at = lines.index("detects on: heartbeat.monitorID + heartbeat.status + monitor.name")
    assert lines[at - 1] == "uptime_kuma Uptime Kuma webhook"
    assert lines[at + 1] == "from: opsagent-uptime-kuma"
    assert "18 formats (17 from opsagent, 1 from opsagent-uptime-kuma)" in listed.stdout
    down = EXAMPLE / "samples" / "down.json"
    taken = run(site, "detect", str(down))
    assert taken.stdout.startswith(f"{down}: taken by uptime_kuma (Uptime Kuma webhook)")
    report = run(site, "analyze", str(down), "-f", "json", "--no-llm")
    assert report.returncode == 0, report.stderr
    data = json.loads(report.stdout)
    assert data["incident"]["services"] == ["checkout"]
    assert data["severity"]["level"] in {"MEDIUM", "HIGH"}


def test_without_the_plugin_its_payload_is_not_read_as_uptime_kuma() -> None:
    down = EXAMPLE / "samples" / "down.json"
    taken = run(Path("/nonexistent"), "detect", str(down))
    assert "uptime_kuma" not in taken.stdout
