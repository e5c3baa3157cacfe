"""Values at the edges of what Python can represent: each one is a note (or, for an option,
a clear error), never an internal error, and the incident is still triaged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from opsagent import cli

from ..conftest import NOW


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _event(tmp_path: Path, **fields: Any) -> Path:
    path = tmp_path / "event.json"
    payload = {"service": "checkout", "symptoms": ["checkout errors"], **fields}
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("started_at", "9999999 days ago", "a time after year 1"),
    ("started_at", "99999999999999999999 years ago", "a time after year 1"),
    ("started_at", "9999-12-31T23:59:59-05:00", "between years 1 and 9999"),
])
def test_times_out_of_range_are_notes(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      field: str, value: str, expected: str) -> None:
    path = _event(tmp_path, **{field: value})
    code, out, err = _run(capsys, "analyze", str(path), "--now", NOW, "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    notes = [note for note in report["input_notes"] if note["field"] == field]
    assert notes and expected in notes[0]["expected"]
    assert f"event.json: field '{field}'" in err and "internal error" not in err


def test_now_beyond_year_9999_in_utc_is_a_usage_error(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = _event(tmp_path)
    code, _, err = _run(capsys, "analyze", str(path), "--now", "9999-12-31T23:59:59-05:00")
    assert code == 2
    assert err.count("\n") == 1 and "--now" in err and "9999" in err


def test_integers_beyond_float_range_are_notes(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "event.json"
    path.write_text('{"service": "checkout", "symptoms": ["slow"], '
                    '"metrics": {"latency_p99_ms": 1' + "0" * 400 + "}}", encoding="utf-8")
    code, out, err = _run(capsys, "analyze", str(path), "--now", NOW, "--format", "json")
    assert code == 0, err
    assert any(note["field"] == "metrics.latency_p99_ms" for note in json.loads(out)["input_notes"])
    assert "internal error" not in err


def test_a_lone_surrogate_becomes_the_replacement_character(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "event.json"
    path.write_text('{"service": "checkout", "symptoms": ["err\\ud800ors", '
                    '"pair \\ud83d\\ude00 kept"]}', encoding="utf-8")
    for fmt in ("text", "markdown", "json"):
        code, out, err = _run(capsys, "analyze", str(path), "--now", NOW, "--format", fmt)
        assert code == 0, err
        assert "\ud800" not in out
        text = json.loads(out)["summary"] if fmt == "json" else out
        assert "err\ufffdors" in text
    code, out, _ = _run(capsys, "analyze", str(path), "--now", NOW, "--format", "json")
    assert "\U0001f600" in json.dumps(json.loads(out), ensure_ascii=False)


def test_documents_beyond_the_limit_are_a_note_not_a_cost(tmp_path: Path) -> None:
    from opsagent.ingest.documents import MAX_DOCUMENTS, read_documents

    line = json.dumps({"service": "checkout", "symptoms": ["errors"]})
    for name, raw in (("events.ndjson", "\n".join([line] * (MAX_DOCUMENTS + 5))),
                      ("events.json", "[" + ",".join([line] * (MAX_DOCUMENTS + 5)) + "]")):
        docs, problems = read_documents(raw.encode(), name)
        assert len(docs) == MAX_DOCUMENTS
        assert [p.format() for p in problems] == [
            f"{name}: {MAX_DOCUMENTS + 5:,} documents; only the first {MAX_DOCUMENTS:,} "
            "are read"]


def test_a_list_beyond_the_limit_is_cut_with_a_note_naming_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from opsagent.ingest.documents import MAX_ITEMS

    path = tmp_path / "alerts.json"
    path.write_text(json.dumps({"service": "checkout", "error_rate": "9%",
                                "symptoms": ["checkout errors"] * (MAX_ITEMS * 50)}),
                    encoding="utf-8")
    code, out, err = _run(capsys, "analyze", str(path), "--now", NOW, "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["severity"]["level"] == "HIGH"  # the incident is still triaged
    assert f"alerts.json: field 'symptoms': {MAX_ITEMS * 50:,} items; only the first " \
           f"{MAX_ITEMS:,} are read" in err
