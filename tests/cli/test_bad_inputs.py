"""The corpus of bad inputs (data/bad_inputs.yaml): each gets its exit code and its
phrase on stderr, in one line per problem, never a traceback or an internal error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from opsagent import cli

from ..conftest import NOW

CORPUS = yaml.safe_load((Path(__file__).parent / "data" / "bad_inputs.yaml")
                        .read_text(encoding="utf-8"))


def _payload(spec: Any) -> bytes:
    if not isinstance(spec, str):
        return json.dumps(spec).encode()
    kind, _, rest = spec.partition(":")
    if kind == "depth" and rest.isdigit():
        depth = int(rest)
        return b"[" * depth + b"]" * depth
    if kind == "latin1":
        return rest.encode("latin-1")
    if kind == "items":
        field, _, count = rest.partition(":")
        return json.dumps({"service": "checkout", "error_rate": "7%",
                           field: ["payment errors"] * int(count)}).encode()
    return spec.encode("utf-8", "surrogatepass")


def test_the_corpus_covers_both_answers() -> None:
    assert len(CORPUS) >= 20
    assert {case["exit"] for case in CORPUS} == {0, 2}


@pytest.mark.parametrize("case", CORPUS, ids=[c["name"] for c in CORPUS])
def test_bad_input(case: dict[str, Any], tmp_path: Path,
                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "in.json"
    path.write_bytes(_payload(case["payload"]))
    code = cli.main(["analyze", str(path), "--now", NOW, *case.get("args", [])])
    out, err = capsys.readouterr()
    assert code == case["exit"], err
    assert case["says"] in err
    assert "Traceback" not in err and "internal error" not in err
    for line in err.splitlines():
        assert line.startswith(("opsagent: error: ", "opsagent: note: ")), line
    if code == 0:
        assert out.startswith("Issue Summary:")
    else:
        assert out == ""
