"""Loading a labeled scenario corpus: one directory per case, payloads plus ``expected.yaml``.

A case directory holds one or more ``*.json`` payloads (every payload of a case is one
incident) and an ``expected.yaml`` with the labels::

    summary: one line for humans (never given to the engine)
    source: the public postmortem it is modelled on, or "everyday"
    difficulty: easy | medium | hard
    tags: [red_herring, recovered]
    now: "2026-03-14T10:30:00Z"
    severity: [HIGH]                  # accepted levels
    top1: [dependency_failure]        # accepted top-1 categories
    top3: [dependency_failure]        # categories that must all be in the top 3
    actions: ["(?i)payment (gateway|provider)"]   # each must match an action title
    forbidden_actions: ["(?i)roll ?back"]           # none may match an action title
    notes: optional rationale for the labels (for humans)

Every problem is a :class:`CorpusError` whose ``str()`` is one line naming the file and
the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from ..errors import UserError
from ..ingest.documents import parse_text
from ..models.report import CATEGORIES, Level

EXPECTED_FILE = "expected.yaml"
DIFFICULTIES = ("easy", "medium", "hard")
LEVELS = tuple(level.value for level in Level)
REQUIRED_FIELDS = ("summary", "source", "difficulty", "now", "severity", "top1")
OPTIONAL_FIELDS = ("tags", "top3", "actions", "forbidden_actions", "notes")
KNOWN_FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS
_TAG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class CorpusError(UserError):
    """An unusable corpus, case directory or ``expected.yaml``."""


@dataclass(frozen=True)
class Expected:
    """The labels of one case, validated."""

    summary: str
    source: str
    difficulty: str
    now: datetime
    severity: tuple[str, ...]
    top1: tuple[str, ...]
    tags: tuple[str, ...] = ()
    top3: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    forbidden_actions: tuple[str, ...] = ()
    notes: str = ""

    @property
    def primary_level(self) -> str:
        """The level a case counts under for balanced accuracy: the first accepted one."""
        return self.severity[0]


@dataclass(frozen=True)
class Case:
    """One scenario: its payload documents and its labels."""

    name: str
    path: Path
    expected: Expected
    payloads: tuple[Any, ...]
    payload_files: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class BrokenCase:
    """A case directory that could not be loaded; scored as a failure."""

    name: str
    path: Path
    error: CorpusError


SPLIT_FILE = "split.yaml"
SPLITS = ("tuned", "blind")


def corpus_split(root: Path) -> str:
    """``blind`` for a corpus that was written, labelled and frozen before the engine ran
    on it (its ``split.yaml`` says ``split: blind``), else ``tuned``."""
    path = root / SPLIT_FILE
    if not path.is_file():
        return "tuned"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
        raise CorpusError(f"unreadable: {' '.join(str(exc).split())}",
                          source=str(path)) from None
    split = data.get("split") if isinstance(data, Mapping) else None
    if split not in SPLITS:
        raise CorpusError(f"expected one of: {', '.join(SPLITS)}, got {split!r}",
                          source=str(path), field="split")
    return str(split)


def discover(root: Path) -> list[Path]:
    """Case directories under ``root``: every sub-directory holding an ``expected.yaml``
    or a ``*.json`` payload (hidden and ``_``-prefixed directories are skipped)."""
    if not root.exists():
        raise CorpusError("corpus directory does not exist", source=str(root))
    if not root.is_dir():
        raise CorpusError("expected a directory of case directories", source=str(root))
    found = []
    for child in sorted(root.iterdir()):
        if not child.is_dir() or child.name.startswith((".", "_")):
            continue
        if (child / EXPECTED_FILE).exists() or any(child.glob("*.json")):
            found.append(child)
    return found


def load_corpus(root: Path) -> tuple[list[Case], list[BrokenCase]]:
    """Every case under ``root``; a malformed case is returned as a :class:`BrokenCase`
    and never stops the others from loading."""
    cases: list[Case] = []
    broken: list[BrokenCase] = []
    for directory in discover(root):
        try:
            cases.append(load_case(directory))
        except CorpusError as exc:
            broken.append(BrokenCase(directory.name, directory, exc))
    return cases, broken


def load_case(directory: Path) -> Case:
    expected_path = directory / EXPECTED_FILE
    if not expected_path.is_file():
        raise CorpusError(f"missing {EXPECTED_FILE}", source=str(directory))
    expected = load_expected(expected_path)
    files = sorted(directory.glob("*.json"))
    if not files:
        raise CorpusError("no *.json payload in the case directory", source=str(directory))
    payloads: list[Any] = []
    for path in files:
        try:
            documents = parse_text(path.read_bytes(), str(path))
        except UserError as exc:
            raise CorpusError(exc.message, source=exc.source or str(path),
                              field=exc.field, line=exc.line) from None
        payloads.extend(doc.data for doc in documents)
    return Case(
        name=directory.name,
        path=directory,
        expected=expected,
        payloads=tuple(payloads),
        payload_files=tuple(p.name for p in files),
    )


def load_expected(path: Path) -> Expected:
    source = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        raise CorpusError(f"invalid YAML: {exc.problem or exc}", source=source,
                          line=line) from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CorpusError(f"invalid YAML: {exc}", source=source) from None
    return parse_expected(data, source)


def parse_expected(data: Any, source: str) -> Expected:
    """Validate the parsed ``expected.yaml`` mapping (``source`` names it in errors)."""
    if not isinstance(data, Mapping):
        raise CorpusError("expected a mapping of label fields", source=source)
    for key in data:
        if key not in KNOWN_FIELDS:
            raise CorpusError(
                f"unknown field; expected one of: {', '.join(KNOWN_FIELDS)}",
                source=source, field=str(key),
            )
    for key in REQUIRED_FIELDS:
        if key not in data or data[key] is None:
            raise CorpusError("required field is missing", source=source, field=key)

    def text(key: str, *, required: bool) -> str:
        value = data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise CorpusError("expected a non-empty string", source=source, field=key)
        return value.strip()

    def strings(key: str) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
            raise CorpusError("expected a list of non-empty strings", source=source, field=key)
        return tuple(items)

    difficulty = text("difficulty", required=True)
    if difficulty not in DIFFICULTIES:
        raise CorpusError(f"unknown difficulty {difficulty!r}; expected one of: "
                          + ", ".join(DIFFICULTIES), source=source, field="difficulty")
    severity = strings("severity")
    for index, level in enumerate(severity):
        if level not in LEVELS:
            raise CorpusError(f"unknown severity {level!r}; expected one of: "
                              + ", ".join(LEVELS), source=source, field=f"severity[{index}]")
    if not severity:
        raise CorpusError("expected at least one accepted level", source=source,
                          field="severity")
    top1 = strings("top1")
    if not top1:
        raise CorpusError("expected at least one accepted category", source=source,
                          field="top1")
    top3 = strings("top3")
    for key, values in (("top1", top1), ("top3", top3)):
        for index, category in enumerate(values):
            if category not in CATEGORIES:
                raise CorpusError(f"unknown category {category!r}; expected one of: "
                                  + ", ".join(CATEGORIES), source=source,
                                  field=f"{key}[{index}]")
    if len(top3) > 3:
        raise CorpusError("at most 3 categories can be required in the top 3",
                          source=source, field="top3")
    actions = strings("actions")
    forbidden = strings("forbidden_actions")
    for key, patterns in (("actions", actions), ("forbidden_actions", forbidden)):
        for index, pattern in enumerate(patterns):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise CorpusError(f"invalid regular expression {pattern!r}: {exc}",
                                  source=source, field=f"{key}[{index}]") from None
    tags = strings("tags")
    for index, tag in enumerate(tags):
        if not _TAG.match(tag):
            raise CorpusError(f"invalid tag {tag!r}; expected lower-case words joined by _",
                              source=source, field=f"tags[{index}]")
    return Expected(
        summary=text("summary", required=True),
        source=text("source", required=True),
        difficulty=difficulty,
        now=_parse_now(data["now"], source),
        severity=severity,
        top1=top1,
        tags=tags,
        top3=top3,
        actions=actions,
        forbidden_actions=forbidden,
        notes=text("notes", required=False),
    )


def _parse_now(value: Any, source: str) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise CorpusError(f"expected an ISO 8601 timestamp such as "
                              f"\"2026-03-14T10:30:00Z\", got {value!r}",
                              source=source, field="now") from None
    else:
        raise CorpusError("expected an ISO 8601 timestamp string", source=source, field="now")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)
