"""``refine`` end to end through CrewAI, with the scripted test double as the model."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from opsagent.agent import refine
from opsagent.agent.evidence import EvidenceCatalog
from opsagent.agent.testing import ScriptedLLM
from opsagent.models import Level, TriageReport

from .conftest import PLANTED_SECRETS, Case


def ids_of(case: Case, *needles: str) -> list[str]:
    catalog = EvidenceCatalog.build(case.report, case.incident)
    return [next(i.id for i in catalog.items if n in i.text) for n in needles]


def good_answer(case: Case) -> dict[str, Any]:
    return {
        "summary": "Checkout-service fails 18% of payments since the deploy two hours ago; "
                   "roll the deploy back first.",
        "severity": {"level": "HIGH", "reason": ""},
        "root_causes": [
            {"category": "deploy_regression", "title": "Regression in the latest deploy",
             "confidence": 0.8, "evidence": ids_of(case, "deploy of checkout-service",
                                                   "error rate 18%"),
             "counter_evidence": []},
        ],
        "actions": [
            {"title": "Roll back the last deployment of checkout-service", "kind": "mitigate",
             "risk": "low", "rationale": "fastest reversible test",
             "cause": "deploy_regression"},
            {"title": "Compare payment errors before and after the deploy", "kind": "mitigate",
             "risk": "low", "rationale": "confirms the regression", "cause": "deploy_regression"},
        ],
    }


def assert_contract(report: TriageReport) -> None:
    TriageReport.model_validate(report.model_dump())


def test_a_good_answer_is_merged_and_recorded(checkout: Case) -> None:
    llm = ScriptedLLM([good_answer(checkout)])
    report = refine(checkout.report, checkout.incident, llm.settings())
    assert_contract(report)
    assert report.analysis.fallback is None
    assert report.summary.startswith("Checkout-service fails 18% of payments")
    top = report.root_causes[0]
    assert (top.category, top.title, top.confidence) == (
        "deploy_regression", "Regression in the latest deploy", 0.8)
    invented = report.actions[-1]  # not a runbook action: a diagnosis, after the runbook's
    assert (invented.title, invented.kind, invented.risk) == (
        "Compare payment errors before and after the deploy", "diagnose", "low")
    info = report.analysis.agent
    assert info is not None
    assert (info.provider, info.model, info.repaired) == ("scripted", "scripted", False)
    assert info.tokens_in > 0 and info.tokens_out > 0 and info.latency_ms > 0
    assert len(llm.requests) == 1
    # the engine's report is not modified in place
    assert checkout.report.analysis.agent is None


def test_what_leaves_the_machine_is_redacted_and_delimited(checkout: Case) -> None:
    llm = ScriptedLLM([good_answer(checkout)])
    refine(checkout.report, checkout.incident, llm.settings())
    sent = "\n".join(m["content"] for m in llm.requests[0])
    for secret in PLANTED_SECRETS:
        assert secret not in sent
    assert "[REDACTED:api_key]" in sent and "[REDACTED:email]" in sent
    begin = sent.index("<<<DATA ")
    nonce = sent[begin + 8:sent.index(">>>", begin)]
    start = sent.index(f"<<<DATA {nonce}>>>\n")
    data = sent[start:sent.index(f"<<<END DATA {nonce}>>>", start)]
    assert 'symptom: "payment failures"' in data
    assert "Senior operations engineer" in sent  # the persona from prompts/agent.yaml


def test_an_invalid_answer_gets_one_repair(checkout: Case) -> None:
    bad = {**good_answer(checkout), "root_causes": [
        {"category": "gremlins", "title": "x", "confidence": 0.9, "evidence": ["E1"]}]}
    llm = ScriptedLLM([bad, good_answer(checkout)])
    report = refine(checkout.report, checkout.incident, llm.settings())
    assert report.analysis.fallback is None
    assert report.analysis.agent is not None and report.analysis.agent.repaired
    assert len(llm.requests) == 2
    feedback = llm.requests[1][-1]["content"]
    assert "not a taxonomy id" in feedback


def test_still_invalid_after_the_repair_falls_back(checkout: Case) -> None:
    llm = ScriptedLLM(["I believe it is the deploy.", "Definitely the deploy."])
    report = refine(checkout.report, checkout.incident, llm.settings())
    assert report.analysis.fallback == ("invalid answer after one repair: "
                                        "the answer holds no JSON object")
    assert report.model_dump(exclude={"analysis"}) == \
        checkout.report.model_dump(exclude={"analysis"})
    assert len(llm.requests) == 2


def test_a_repair_keeps_the_usable_part_of_a_partly_bad_answer(checkout: Case) -> None:
    partly = {**good_answer(checkout)}
    partly["root_causes"] = [*partly["root_causes"],
                             {"category": "gremlins", "title": "x", "evidence": ["E1"]}]
    llm = ScriptedLLM([partly, partly])
    report = refine(checkout.report, checkout.incident, llm.settings())
    assert report.analysis.fallback is None
    assert report.root_causes[0].title == "Regression in the latest deploy"
    info = report.analysis.agent
    assert info is not None and info.repaired
    assert any("gremlins" in note for note in info.guardrails)


@pytest.mark.parametrize(("error", "reason"), [
    (RuntimeError("boom"), "LLM error: the provider call failed"),
    (ConnectionError("Connection refused"), "LLM error: cannot connect to the provider"),
    (ValueError("token sk-proj-4fJq8sD0aLkQ2mZx9VbN7cRt1YwE3uHi rejected"),
     "LLM error: the provider call failed"),
    (AttributeError("'str' object has no attribute 'choices'"),
     "LLM error: the provider's response has an unexpected shape"),
])
def test_provider_errors_fall_back_with_a_reason(checkout: Case, error: Exception,
                                                 reason: str) -> None:
    report = refine(checkout.report, checkout.incident, ScriptedLLM([error]).settings())
    assert report.analysis.fallback == reason
    assert report.root_causes == checkout.report.root_causes
    assert report.analysis.agent is not None


def test_a_slow_model_times_out_and_the_engine_report_is_returned(checkout: Case) -> None:
    llm = ScriptedLLM([good_answer(checkout)], delay=30)
    started = time.perf_counter()
    report = refine(checkout.report, checkout.incident, llm.settings(timeout=0.5))
    assert time.perf_counter() - started < 5
    assert report.analysis.fallback == "timeout after 0.5s"
    assert report.summary == checkout.report.summary


def test_a_missing_extra_is_reported_not_raised(checkout: Case,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from opsagent.agent import runtime

    def missing() -> None:
        raise runtime.AgentUnavailable("crewai is not installed: pip install 'opsagent[agent]'")

    monkeypatch.setattr(runtime, "import_crewai", missing)
    monkeypatch.delitem(__import__("sys").modules, "opsagent.agent.crew", raising=False)
    report = refine(checkout.report, checkout.incident,
                    ScriptedLLM([good_answer(checkout)]).settings())
    assert report.analysis.fallback == "crewai is not installed: pip install 'opsagent[agent]'"


def test_anything_unexpected_still_falls_back(checkout: Case) -> None:
    class Broken:
        model = "broken"

    from opsagent.agent import LLMSettings

    report = refine(checkout.report, checkout.incident,
                    LLMSettings(provider="broken", model="broken", llm=Broken(), tools=False))
    assert report.analysis.fallback is not None
    assert report.analysis.fallback.startswith("LLM error:")


def test_the_agent_can_use_the_read_only_tools(checkout: Case) -> None:
    from opsagent.api import default_knowledge

    steps = [
        'Thought: check the runbooks\nAction: runbooks\nAction Input: {"category": '
        '"deploy_regression"}',
        'Thought: and the service\nAction: service_context\nAction Input: {"service": '
        '"checkout-service"}',
        "Thought: I know the answer\nFinal Answer: " + json.dumps(good_answer(checkout)),
    ]
    llm = ScriptedLLM(steps)
    report = refine(checkout.report, checkout.incident, llm.settings(tools=True),
                    knowledge=default_knowledge())
    assert report.analysis.fallback is None
    info = report.analysis.agent
    assert info is not None and info.tools_used == ["runbooks", "service_context"]
    observed = "\n".join(m["content"] for m in llm.requests[-1])
    assert "failure mode deploy_regression" in observed
    assert "tier critical" in observed
    for secret in PLANTED_SECRETS:
        assert secret not in observed


def test_a_severity_change_needs_a_reason_end_to_end(checkout: Case) -> None:
    answer = good_answer(checkout)
    answer["severity"] = {"level": "LOW", "reason": "the error rate is only a brief blip"}
    report = refine(checkout.report, checkout.incident, ScriptedLLM([answer]).settings())
    assert report.severity.level == Level.HIGH  # a critical flow is broken: HIGH is a floor
    assert report.analysis.agent is not None
    assert any("floor" in n for n in report.analysis.agent.guardrails)


def test_crewai_runs_with_telemetry_tracing_and_version_checks_off(checkout: Case) -> None:
    import os

    from opsagent.agent.runtime import QUIET_ENV

    refine(checkout.report, checkout.incident, ScriptedLLM([good_answer(checkout)]).settings())
    for name, value in QUIET_ENV.items():
        assert os.environ[name] == value
    assert os.environ["CREWAI_STORAGE_DIR"]  # CrewAI's run store: a private temp directory


def test_a_plugin_provider_registers_like_the_builtins(checkout: Case,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from opsagent import plugins as registry_module
    from opsagent.agent import resolve_llm
    from opsagent.agent.providers import provider_names

    fresh = registry_module.Registry()
    monkeypatch.setattr(registry_module, "_DEFAULT", fresh)
    made: list[Any] = []

    def factory(settings: Any) -> ScriptedLLM:
        made.append(settings)
        return ScriptedLLM([good_answer(checkout)], model=settings.model)

    fresh.add_provider("echo", factory)
    assert {"openai", "anthropic", "ollama", "openai-compatible", "local", "echo"} <= set(
        provider_names())
    settings = resolve_llm("echo:parrot-1", {"OPSAGENT_LLM_TOOLS": "false"})
    assert settings is not None and (settings.provider, settings.model) == ("echo", "parrot-1")
    report = refine(checkout.report, checkout.incident, settings)
    assert report.analysis.fallback is None
    assert made and report.analysis.agent is not None
    assert report.analysis.agent.provider == "echo"


def test_tokens_are_counted_on_a_fallback_too(checkout: Case) -> None:
    llm = ScriptedLLM(["prose", "more prose"])
    report = refine(checkout.report, checkout.incident, llm.settings())
    assert report.analysis.fallback is not None
    info = report.analysis.agent
    assert info is not None and info.tokens_in > 0 and info.tokens_out == 3
    again = refine(checkout.report, checkout.incident, llm.settings())  # the queue is empty
    assert again.analysis.agent is not None and again.analysis.agent.tokens_out == 0


def test_no_tracing_prompt_even_in_a_terminal(tmp_path: Any) -> None:
    """CrewAI asks, in an interactive terminal, to share traces after a first run; the
    agent must never show that (nor wait 20 seconds for an answer)."""
    import os
    import subprocess
    import sys

    script = tmp_path / "run.py"
    script.write_text(
        "import json\n"
        "from tests.agent.conftest import engine_case, ROOT\n"
        "from tests.agent.test_refine import good_answer\n"
        "from opsagent.agent import refine\n"
        "from opsagent.agent.testing import ScriptedLLM\n"
        "case = engine_case(json.loads((ROOT / 'examples/checkout-service.json').read_text()))\n"
        "report = refine(case.report, case.incident, ScriptedLLM([good_answer(case)]).settings())\n"
        "print('fallback', report.analysis.fallback)\n")
    primary, secondary = os.openpty()  # stdin is a terminal: CrewAI may prompt
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREWAI_")}
    env.update(HOME=str(tmp_path), PYTHONPATH=str(Path(__file__).parents[2]))
    try:
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], stdin=secondary,
                                capture_output=True, text=True, env=env, timeout=60,
                                cwd=tmp_path)
    finally:
        os.close(primary)
        os.close(secondary)
    assert result.returncode == 0, result.stderr
    output = (result.stdout + result.stderr).lower()
    assert "fallback none" in output
    assert "trace" not in output
    assert time.perf_counter() - started < 20
