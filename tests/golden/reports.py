"""The golden reports: which corpus cases, and how each report is rendered.

A report is rendered exactly as ``opsagent analyze <case dir> --now <its now> --format F
--no-llm`` prints it from the repository root, by ``cli.main`` in process, for a user
with no configuration file. Only what changes from run to run or machine to machine is
normalised: ``analysis.duration_ms`` (set to 0) and the ``analysis.knowledge`` paths
(relative to the installed package). Used by ``test_golden.py`` (which compares) and
``scripts/regen_golden.py`` (which rewrites); the test never rewrites.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shlex
import tempfile
from collections.abc import Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
CORPUS = Path("benchmarks") / "scenarios"  # the tuned corpus, relative to ROOT
REGENERATE = "python scripts/regen_golden.py"

# One line per golden case of the tuned corpus, with what it covers.
CASES: dict[str, str] = {
    "s001-storefront-friday-evening": "generic; HIGH; insufficient evidence; red herrings",
    "s015-orders-timeouts-evening": "CloudWatch via SNS + generic; MEDIUM",
    "s041-recs-engine-datadog": "Datadog alone; MEDIUM",
    "s042-ledger-calls-failing-grafana": "Grafana alone; HIGH",
    "s089-domain-settings-page-errors": "Sentry issue + metric alert; MEDIUM",
    "s094-sandbox-checkout-paged": "PagerDuty V3 webhooks; non-production despite P1; LOW",
    "s096-storefront-release-afternoon": "GitHub deployment_status alone; a change alone; LOW",
    "s099-catalog-pods-replaced-morning": "Kubernetes Events alone; a change alone; no cause",
    "s101-search-p99-wobbly": "two Alertmanager + generic; MEDIUM; an input note",
    "s104-api-edge-pods-restarting": "Alertmanager + Kubernetes pods + PagerDuty change; HIGH",
    "s107-card-approvals-sliding-friday": "generic + Grafana; HIGH business impact",
    "s116-payments-errors-quiet-again": "generic + GitHub + Grafana; recovered in words; LOW",
}

# golden file suffix -> --format
FORMATS = {"txt": "text", "md": "markdown", "json": "json"}


def golden_path(case: str, suffix: str) -> Path:
    return GOLDEN / f"{case}.{suffix}"


def stray_files() -> list[Path]:
    """Golden files of no listed case (the regeneration removes them)."""
    return sorted(p for p in GOLDEN.iterdir() if p.suffix[1:] in FORMATS
                  and p.name != "README.md" and p.stem not in CASES)


def argv(case: str, suffix: str) -> list[str]:
    """The ``opsagent`` arguments that print this golden report (run from ROOT)."""
    expected = yaml.safe_load((ROOT / CORPUS / case / "expected.yaml").read_text("utf-8"))
    return ["analyze", str(CORPUS / case), "--now", str(expected["now"]),
            "--format", FORMATS[suffix], "--no-llm"]


def command(case: str, suffix: str) -> str:
    return "opsagent " + shlex.join(argv(case, suffix))


@contextlib.contextmanager
def _as_new_user() -> Iterator[None]:
    """In ROOT, with no configuration file (none named, none in a home directory)."""
    saved_cwd, saved_env = Path.cwd(), dict(os.environ)
    with tempfile.TemporaryDirectory() as home:
        try:
            os.chdir(ROOT)
            os.environ.pop("OPSAGENT_CONFIG", None)
            os.environ["HOME"] = home
            yield
        finally:
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_env)


def render(case: str, suffix: str) -> str:
    """The report as the CLI prints it, with the volatile fields normalised."""
    from opsagent import cli

    out, err = io.StringIO(), io.StringIO()
    with _as_new_user(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv(case, suffix))
    if code != 0:
        raise RuntimeError(f"{command(case, suffix)} exited {code}: {err.getvalue()}")
    return _normalise(out.getvalue()) if suffix == "json" else out.getvalue()


def _normalise(text: str) -> str:
    import opsagent

    package = Path(opsagent.__file__).resolve().parent
    report = json.loads(text)
    analysis = report["analysis"]
    analysis["duration_ms"] = 0.0
    analysis["knowledge"] = [_portable(Path(p), package) for p in analysis["knowledge"]]
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"  # as report/json.py


def _portable(path: Path, package: Path) -> str:
    for base, prefix in ((package, "<opsagent>/"), (ROOT, "")):
        if path.resolve().is_relative_to(base):
            return prefix + path.resolve().relative_to(base).as_posix()
    return path.as_posix()
