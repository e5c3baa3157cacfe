"""The README and ``docs/`` as a user follows them: every path they name exists, command
blocks mean what a shell means, and every ``opsagent`` command they show runs as shown.

Generic on purpose: a page rewritten or added under ``docs/`` is checked the same way.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest

from .cli.conftest import Run, closed_port
from .cli.conftest import opsagent as opsagent  # the in-process CLI fixture
from .conftest import EXAMPLE, ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TOP = sorted(p.name for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith("."))
SHELL_LANGS = {"bash", "sh", "shell", "console"}
SAMPLES = ROOT / "tests" / "ingest" / "samples"


def _blocks(page: Path) -> list[tuple[str, str]]:
    return re.findall(r"^```(\w*)\n(.*?)^```", page.read_text(encoding="utf-8"),
                      flags=re.S | re.M)


def _command_lines(page: Path) -> list[str]:
    """The command lines of a page's shell blocks (prompts, comments and output off)."""
    lines: list[str] = []
    for lang, body in _blocks(page):
        if lang not in SHELL_LANGS:
            continue
        for raw in body.splitlines():
            if lang == "console":
                if not raw.startswith("$ "):
                    continue  # output
                raw = raw[2:]
            line = _strip_comment(raw).strip()
            if line:
                lines.append(line)
    return lines


def _strip_comment(line: str) -> str:
    """The line without its trailing ``# comment`` (a ``#`` inside quotes is kept)."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i]
    return line


def _pipes(line: str) -> list[str]:
    """The commands of a pipeline (``|`` outside quotes; ``||`` is not a pipe)."""
    parts, current, quote, i = [], "", "", 0
    while i < len(line):
        ch = line[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "|":
            if line[i:i + 2] == "||":
                current += "||"
                i += 2
                continue
            parts.append(current)
            current = ""
            i += 1
            continue
        current += ch
        i += 1
    return [p.strip() for p in [*parts, current]]


def _links(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    return [t for t in re.findall(r"\]\(([^)\s]+)\)", text)
            if not re.match(r"[a-z]+:", t) and not t.startswith("#")]


def _repository_paths(page: Path) -> list[str]:
    """Paths inside the repository a page names: in backticks or commands, starting with
    one of its top-level directories (``tests/ingest/samples/…``, ``benchmarks/…``)."""
    text = page.read_text(encoding="utf-8")
    tops = "|".join(re.escape(t) for t in TOP)
    found = re.findall(rf"(?<![\w./-])((?:{tops})/[\w./-]*[\w/])", text)
    return sorted({f for f in found if "…" not in f and "*" not in f})


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_link_and_repository_path_exists(page: Path) -> None:
    missing = []
    for target in _links(page):
        path = (page.parent / target.split("#")[0]).resolve()
        if not path.exists():
            missing.append(target)
    for named in _repository_paths(page):
        if not (ROOT / named).exists():
            missing.append(named)
    assert not missing, f"{page.name} names paths that do not exist: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_a_pipe_in_a_command_block_is_a_pipe(page: Path) -> None:
    """``a | b`` in a shell block runs b on a's output; it never means "a or b"."""
    for line in _command_lines(page):
        for command in _pipes(line)[1:]:
            words = shlex.split(command)
            assert words, line
            if words[0] == "opsagent":
                assert words[1] == "analyze" and "-" in words, (
                    f"{page.name}: {line!r}: 'opsagent {words[1]}' does not read stdin; "
                    "write the commands on lines of their own")


def test_the_pipe_check_catches_or(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```bash\nopsagent kb list | opsagent kb lint\n```\n")
    with pytest.raises(AssertionError, match="does not read stdin"):
        test_a_pipe_in_a_command_block_is_a_pipe(page)
    assert _pipes("a '|' b | c") == ["a '|' b", "c"]
    assert _strip_comment("opsagent x --llm 'a#b'  # note") == "opsagent x --llm 'a#b'  "


# What the README's command lines name, made real: the files a user would have.
def _sandbox(root: Path) -> None:
    event = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    (root / "event.json").write_text(json.dumps(event))
    (root / "incident.json").write_text(json.dumps(event))
    shutil.copy(SAMPLES / "alertmanager" / "firing_checkout.json", root / "alerts.json")
    shutil.copy(SAMPLES / "github" / "deployment_status_success.json", root / "deploys.json")
    (root / "incident").mkdir()
    shutil.copy(SAMPLES / "alertmanager" / "firing_checkout.json", root / "incident" / "a.json")
    (root / "incident" / "event.json").write_text(json.dumps(event))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    catalog = next(b for lang, b in _blocks(ROOT / "README.md")
                   if lang == "yaml" and b.startswith("services:"))
    (root / "services.yaml").write_text(catalog)
    mode = next(b for lang, b in _blocks(ROOT / "README.md")
                if lang == "yaml" and b.startswith("id: kafka_rebalance_storm"))
    (root / "our-failure-modes").mkdir()
    (root / "our-failure-modes" / "kafka_rebalance_storm.yaml").write_text(mode)
    assert "our-failure-modes/kafka_rebalance_storm.yaml" in readme


STDIN = {"alertmanager": (SAMPLES / "alertmanager" / "api_v2_alerts.json"),
         "kubectl": (SAMPLES / "kubernetes" / "event_list.json")}
# needs a provider, a key or a model file that a test machine does not have: checked for
# a clear one-line answer below, not for a report
NEEDS_LLM = re.compile(r"--llm|_API_KEY=")
# the shell, the package manager and long runs are not opsagent commands
NOT_OPSAGENT = ("pip ", "bash ", "python ", "curl ", "kubectl ", "ollama ", "vllm ",
                "llama-server ", "export ")


# the service runs until it is stopped: tests/server runs it as shown, in real processes
SERVICE = re.compile(r"\bopsagent (serve|worker)\b")


def _readme_commands() -> list[str]:
    return [line for line in _command_lines(ROOT / "README.md")
            if (not line.startswith(NOT_OPSAGENT) or "| opsagent" in line)
            and not SERVICE.search(line)]


def test_the_readme_shows_commands_to_run() -> None:
    commands = _readme_commands()
    assert len(commands) >= 15
    assert "opsagent analyze [PATH ...]" in commands


@pytest.mark.parametrize("line", _readme_commands())
def test_every_readme_command_runs_as_shown(opsagent: Run, tmp_path: Path, line: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _sandbox(tmp_path)
    closed = f"http://127.0.0.1:{closed_port()}"
    # providers are reached on 127.0.0.1 only, where nothing listens: the agent falls back
    monkeypatch.setenv("OPENAI_BASE_URL", closed + "/v1")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", closed)
    monkeypatch.setenv("OLLAMA_HOST", closed)
    monkeypatch.setenv("OPSAGENT_LLM_MAX_RETRIES", "0")
    stdin = None
    pipeline = _pipes(line)
    if len(pipeline) == 2:  # `curl … | opsagent analyze -`: the sample its source prints
        source = "alertmanager" if "alertmanager" in pipeline[0] or "9093" in pipeline[0] \
            else "kubectl"
        stdin = STDIN[source].read_text(encoding="utf-8")
        line = pipeline[1]
    words = shlex.split(line)
    env_words = [w for w in words if re.fullmatch(r"[A-Z_]+=.*", w)]
    words = words[len(env_words):]
    for word in env_words:  # `OPENAI_API_KEY=sk-... opsagent …`
        name, _, value = word.partition("=")
        monkeypatch.setenv(name, value)
    assert words[0] == "opsagent", line
    argv = ["event.json" if w == "[PATH" else w for w in words[1:] if w != "...]"]
    if "--install-completion" in argv:  # writes to the user's shell profile: show it instead
        argv = ["--show-completion", "bash"]
    if words[1:2] == ["eval"]:
        monkeypatch.chdir(ROOT)  # the corpora are named relative to the repository
        if "-k" not in argv:  # the whole corpora are run by tests/eval; one case of each
            argv += ["-k", "001-"]
    if NEEDS_LLM.search(line):
        result = opsagent(*argv)
        problem = result.stderr.strip().splitlines()
        # no report without a provider: one clear line naming what is missing, or the
        # engine's report with the reason the agent was not used
        if result.code == 0:
            assert "the LLM agent" in result.stdout or "eval" in argv, result.stdout
        else:
            assert result.code == 2 and len(problem) == 1, result.stderr
            assert "Traceback" not in result.stderr
        return
    result = opsagent(*argv, stdin=stdin)
    assert result.code == 0, f"{line}: {result.stderr}"
    assert "Traceback" not in result.stderr
    if "-o" in argv:
        assert (tmp_path / argv[argv.index("-o") + 1]).read_text().startswith("# Incident")
    elif "analyze" in argv:
        assert result.stdout


def test_the_path_check_sees_the_paths_a_page_names() -> None:
    named = _repository_paths(ROOT / "README.md")
    assert "benchmarks/perf.py" in named and "examples/checkout-service.json" in named
    assert "docs/formats.md" in _links(ROOT / "README.md")


def _shown_errors(prefix: str) -> list[str]:
    found = []
    for page in PAGES:
        for _lang, body in _blocks(page):
            found += [line for line in body.splitlines() if line.startswith(prefix)]
    return found


def test_the_llm_spec_errors_shown_are_the_real_ones(opsagent: Run) -> None:
    shown = _shown_errors("opsagent: error: --llm '")
    assert shown, "docs/agent.md shows what a bad --llm spec prints"
    (Path.cwd() / "event.json").write_text(EXAMPLE.read_text(encoding="utf-8"))
    for line in shown:
        spec = line.split("'")[1]
        result = opsagent("analyze", "event.json", "--llm", spec)
        assert result.code == 2
        assert result.stderr.strip() == line
