"""The built-ins and the plug-ins register through one entry-point group
(``opsagent.plugins``): opsagent's own hooks once each and first, in their order, whether
opsagent's metadata is installed, stale or absent; then the plug-ins sorted by
distribution; a broken plug-in is one warning line and is left out.

The distributions are laid out as ``pip install --target`` leaves them (tests/plugins/
sites.py) and found by ``importlib.metadata`` from ``sys.path``, as in a real install."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest
import tomllib

from opsagent.errors import ConfigError
from opsagent.plugins import BUILTINS, build_registry
from opsagent.registry import Registry

from .sites import install, install_project, on_path, project_entry_points, read_project

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = Path(__file__).resolve().parent / "opsagent-uptime-kuma"
GROUP = "opsagent.plugins"

VENDORS = ["alertmanager", "alertmanager_groups", "grafana", "pagerduty", "cloudwatch",
           "sentry", "github", "kubernetes", "opsgenie", "azure_monitor", "gcp_monitoring",
           "newrelic", "victorops", "datadog", "zabbix", "kibana"]
RENDERERS = ["text", "json", "markdown"]
NOTIFIERS = ["slack", "teams", "email", "webhook"]

# a second plug-in, whose distribution sorts before opsagent-uptime-kuma
PINGER = '''
class PingAdapter:
    name = "acme_ping"
    title = "Acme ping check"
    detects = "acme_ping"

    def detect(self, doc):
        return "acme_ping" in doc

    def parse(self, doc, ctx):
        return []

def register(registry):
    registry.add_adapter(PingAdapter())
    registry.add_renderer("acme", lambda report: "acme")
'''

# registers a renderer, then fails: nothing of it may stay
HALFWAY = '''
def register(registry):
    registry.add_renderer("halfway", lambda report: "")
    raise RuntimeError("the licence server is unreachable")
'''

# takes a built-in's name
CLASH = '''
def register(registry):
    registry.add_renderer("json", lambda report: "{}")
'''


def opsagent_metadata(site: Path, entry_points: dict[str, dict[str, str]]) -> None:
    """opsagent's own metadata (without its code: the source tree provides it, as an
    editable install does)."""
    install(site, "opsagent", "0.1.0", entry_points)


def current_metadata(site: Path) -> None:
    opsagent_metadata(site, project_entry_points(read_project(ROOT)))


def builtins_of(registry: Registry) -> tuple[list[str], list[str], list[str], list[str]]:
    return (registry.adapter_names(), registry.renderer_names(), registry.names("store"),
            registry.names("notifier"))


EXPECTED = ([*VENDORS, "generic"], RENDERERS, ["sqlite", "postgresql"], NOTIFIERS)


def test_the_pyproject_declares_exactly_the_builtin_hooks() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"]["entry-points"][GROUP]
    assert list(declared.items()) == list(BUILTINS)


@pytest.mark.parametrize("metadata", ["current", "stale", "partial", "newer", "absent"])
def test_the_builtins_register_once_in_order_whatever_opsagent_metadata_says(
        tmp_path: Path, metadata: str) -> None:
    scripts = {"console_scripts": {"opsagent": "opsagent.cli:main"}}
    if metadata == "current":  # an install of this version (setuptools sorts the names)
        current_metadata(tmp_path)
    elif metadata == "stale":  # an editable install made before the entry points existed
        opsagent_metadata(tmp_path, scripts)
    elif metadata == "partial":  # an older install that declared only some of them
        opsagent_metadata(tmp_path, {**scripts, GROUP: dict(BUILTINS[:1])})
    elif metadata == "newer":  # a newer install: a hook this source does not have
        opsagent_metadata(tmp_path, {GROUP: {**dict(BUILTINS), "sinks": "opsagent.sinks:x"}})
    with on_path(tmp_path), without_opsagent_metadata(metadata == "absent"):
        for plugins in (True, False):
            registry = build_registry(plugins=plugins)
            assert builtins_of(registry) == EXPECTED
            assert {registry.origin("adapter", name)
                    for name in registry.adapter_names()} == {"opsagent"}


@contextmanager
def without_opsagent_metadata(hide: bool) -> Iterator[None]:
    """With ``hide``, the path entries that hold an opsagent distribution's metadata are
    off the path (the modules already imported stay): a run from a source tree without
    any install."""
    saved = list(sys.path)
    if hide:
        sys.path[:] = [entry for entry in sys.path if not (
            any(Path(entry or ".").glob("opsagent-*.dist-info"))
            or any(Path(entry or ".").glob("opsagent.egg-info")))]
    try:
        if hide:
            with pytest.raises(PackageNotFoundError):
                distribution("opsagent")
        yield
    finally:
        sys.path[:] = saved


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    """opsagent's metadata, the example plug-in and a second one, on one path entry."""
    current_metadata(tmp_path)
    install_project(tmp_path, EXAMPLE)
    install(tmp_path, "Acme_Pinger", "2.0", {GROUP: {"ping": "acme_pinger:register"}},
            {"acme_pinger": PINGER})
    return tmp_path


def test_plugins_come_after_the_builtins_sorted_by_distribution(
        site: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    first = tmp_path_factory.mktemp("first")  # found first on the path, sorted last
    install(first, "zz-opsagent-extra", "1.0", {GROUP: {"extra": "zz_extra:register"}},
            {"zz_extra": "def register(registry):\n"
                         "    registry.add_renderer('extra', lambda report: '')\n"})
    with on_path(first, site):
        registry = build_registry()
    assert registry.adapter_names() == [*VENDORS, "acme_ping", "uptime_kuma", "generic"]
    assert registry.renderer_names() == [*RENDERERS, "acme", "extra"]
    assert registry.origin("adapter", "acme_ping") == "Acme_Pinger"
    assert registry.origin("adapter", "uptime_kuma") == "opsagent-uptime-kuma"
    assert registry.origin("renderer", "extra") == "zz-opsagent-extra"
    assert registry.origin("adapter", "kibana") == "opsagent"


def test_without_plugins_only_the_builtins_register(site: Path) -> None:
    with on_path(site):
        registry = build_registry(plugins=False)
    assert builtins_of(registry) == EXPECTED


def test_a_broken_plugin_is_one_warning_and_the_rest_loads(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    install(site, "opsagent-gone", "0.3", {GROUP: {"gone": "opsagent_gone:register"}})
    install(site, "opsagent-halfway", "1.1", {GROUP: {"half": "opsagent_halfway:register"}},
            {"opsagent_halfway": HALFWAY})
    with on_path(site):
        registry = build_registry()
    assert capsys.readouterr().err.splitlines() == [
        "opsagent: warning: plug-in opsagent-gone, entry point 'gone' "
        "(opsagent_gone:register): not loaded: ModuleNotFoundError: No module named "
        "'opsagent_gone'",
        "opsagent: warning: plug-in opsagent-halfway, entry point 'half' "
        "(opsagent_halfway:register): not loaded: RuntimeError: the licence server is "
        "unreachable",
    ]
    assert "halfway" not in registry.renderer_names()  # what it did register is taken back
    assert registry.adapter_names() == [*VENDORS, "acme_ping", "uptime_kuma", "generic"]


def test_a_plugin_that_takes_a_builtin_name_is_a_configuration_error(site: Path) -> None:
    install(site, "opsagent-clash", "1.0", {GROUP: {"clash": "opsagent_clash:register"}},
            {"opsagent_clash": CLASH})
    with on_path(site), pytest.raises(ConfigError) as caught:
        build_registry()
    assert str(caught.value) == ("plug-in opsagent-clash, entry point 'clash' "
                                 "(opsagent_clash:register): renderer 'json' is registered "
                                 "twice")


def cli(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPSAGENT_LLM", "OPENAI_API_KEY")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(site)])
    return subprocess.run([sys.executable, "-m", "opsagent.cli", *args], capture_output=True,
                          text=True, env=env, timeout=120, check=False)


def test_formats_names_each_formats_distribution_and_survives_a_broken_plugin(
        site: Path) -> None:
    install(site, "opsagent-gone", "0.3", {GROUP: {"gone": "opsagent_gone:register"}})
    listed = cli(site, "formats")
    assert listed.returncode == 0
    assert listed.stderr.splitlines() == [
        "opsagent: warning: plug-in opsagent-gone, entry point 'gone' "
        "(opsagent_gone:register): not loaded: ModuleNotFoundError: No module named "
        "'opsagent_gone'"]
    lines = [" ".join(line.split()) for line in listed.stdout.splitlines()]
    names = [line.split()[0] for line in listed.stdout.splitlines()
             if line and not line[0].isspace()][:-1]
    assert names == [*VENDORS, "acme_ping", "uptime_kuma", "generic"]
    origins = [line.removeprefix("from: ") for line in lines if line.startswith("from: ")]
    assert origins == ["opsagent"] * len(VENDORS) + [
        "Acme_Pinger", "opsagent-uptime-kuma", "opsagent"]
    assert lines[-1].startswith("19 formats (17 from opsagent, 1 from Acme_Pinger, "
                                "1 from opsagent-uptime-kuma); tried in this order")
    install(site, "opsagent-clash", "1.0", {GROUP: {"clash": "opsagent_clash:register"}},
            {"opsagent_clash": CLASH})
    refused = cli(site, "formats")
    assert refused.returncode == 2
    assert refused.stderr == ("opsagent: error: plug-in opsagent-clash, entry point 'clash' "
                              "(opsagent_clash:register): renderer 'json' is registered "
                              "twice\n")
