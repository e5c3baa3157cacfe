"""Loading and linting knowledge directories.

A directory holds YAML files of six kinds, told apart by their top-level keys:
a failure mode (``category``), vocabulary (``terms``), general actions (``actions``
alone), what is not an observation (``observations``), metric families
(``metric_families``) and the severity rubric's thresholds (``severity_rubric``; a
user's values override the built-in ones). The built-in directory is loaded first;
user directories add failure modes, terms, observation phrases and metric families
(tried before the built-in ones), and a user failure mode or metric family with the id
of a built-in one replaces it.

Errors carry ``file:line`` and the field. :func:`lint` collects every error instead of
stopping at the first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import KnowledgeError
from .schema import (
    FailureMode,
    GeneralActions,
    MetricFamilies,
    MetricFamily,
    Observations,
    ObservationsFile,
    RunbookAction,
    Term,
    Vocabulary,
)

BUILTIN_DIR = Path(__file__).parent / "builtin"


@dataclass(frozen=True)
class KnowledgeBase:
    failure_modes: tuple[FailureMode, ...]
    terms: tuple[Term, ...]
    general_actions: tuple[RunbookAction, ...]
    observations: Observations | None = None  # what text says that is not an observation
    metric_families: tuple[MetricFamily, ...] = ()  # the metric judges' table
    rubric: dict[str, Any] = field(default_factory=dict)  # severity rubric thresholds
    sources: tuple[str, ...] = ()  # directories loaded, for the report
    origin: dict[str, str] = field(default_factory=dict)  # failure-mode id -> file

    def by_category(self, category: str) -> list[FailureMode]:
        return [fm for fm in self.failure_modes if fm.category == category]

    def failure_mode(self, mode_id: str) -> FailureMode | None:
        for fm in self.failure_modes:
            if fm.id == mode_id:
                return fm
        return None


def load_knowledge(extra_dirs: list[Path] | tuple[Path, ...] = (), *,
                   builtin: bool = True) -> KnowledgeBase:
    """The built-in knowledge plus ``extra_dirs``; raises the first KnowledgeError."""
    errors: list[KnowledgeError] = []
    kb = _load(([BUILTIN_DIR] if builtin else []) + [Path(d) for d in extra_dirs], errors)
    if errors:
        raise errors[0]
    return kb


def lint(dirs: list[Path] | tuple[Path, ...] = (), *, builtin: bool = True
         ) -> tuple[KnowledgeBase, list[KnowledgeError]]:
    """Load everything and collect every error (the ``opsagent kb lint`` command)."""
    errors: list[KnowledgeError] = []
    kb = _load(([BUILTIN_DIR] if builtin else []) + [Path(d) for d in dirs], errors)
    from ..engine.features import known_features

    known = known_features(kb.terms)
    for fm in kb.failure_modes:
        source = kb.origin.get(fm.id)
        for name in sorted(fm.features() - known):
            errors.append(KnowledgeError(
                f"failure mode {fm.id!r}: unknown feature {name!r}{_did_you_mean(name, known)}"
                " (see 'opsagent kb features')",
                source=source, line=_line_naming(source, name)))
    for action in kb.general_actions:
        for name in sorted(set(action.when + action.unless) - known):
            errors.append(KnowledgeError(f"unknown feature {name!r}",
                                         source=str(BUILTIN_DIR / "general.yaml")))
    return kb, errors


def _load(dirs: list[Path], errors: list[KnowledgeError]) -> KnowledgeBase:
    modes: dict[str, FailureMode] = {}
    origin: dict[str, str] = {}
    terms: list[Term] = []
    general: list[RunbookAction] = []
    observations: Observations | None = None
    families: dict[str, MetricFamily] = {}  # built-in ones, replaced in place by id
    added: dict[str, MetricFamily] = {}  # a user's new families, tried first
    rubric: dict[str, Any] = {}
    for directory in dirs:
        if not directory.is_dir():
            errors.append(KnowledgeError("is not a directory" if directory.exists()
                                         else "directory does not exist",
                                         source=str(directory)))
            continue
        for path in sorted(directory.rglob("*.y*ml")):
            if path.suffix not in {".yaml", ".yml"}:
                continue
            try:
                data = _read_yaml(path)
            except KnowledgeError as exc:
                errors.append(exc)
                continue
            if not isinstance(data, dict):
                errors.append(KnowledgeError("expected a mapping at the top level",
                                             source=str(path), line=1))
                continue
            try:
                if "category" in data or "supports" in data:
                    # a failure mode's own vocabulary may sit beside it, in its file
                    mode = FailureMode.model_validate(
                        {k: v for k, v in data.items() if k != "terms"})
                    if "terms" in data:
                        terms.extend(Vocabulary.model_validate({"terms": data["terms"]}).terms)
                    if mode.id in modes and origin[mode.id].startswith(str(path.parent)):
                        errors.append(KnowledgeError(
                            f"failure mode id {mode.id!r} is also defined in {origin[mode.id]}",
                            source=str(path), field="id"))
                        continue
                    modes[mode.id] = mode
                    origin[mode.id] = str(path)
                elif "terms" in data:
                    terms.extend(Vocabulary.model_validate(data).terms)
                elif "actions" in data:
                    general.extend(GeneralActions.model_validate(data).actions)
                elif "metric_families" in data:
                    for family in MetricFamilies.model_validate(data).metric_families:
                        (families if family.id in families or directory == BUILTIN_DIR
                         else added)[family.id] = family
                elif "severity_rubric" in data:
                    try:
                        rubric.update(_rubric(data, path))
                    except KnowledgeError as exc:
                        errors.append(exc)
                elif "observations" in data:
                    found = ObservationsFile.model_validate(data).observations
                    observations = found if observations is None \
                        else _merge_observations(observations, found)
                else:
                    errors.append(KnowledgeError(
                        "unknown knowledge file: expected a failure mode ('category'), "
                        "vocabulary ('terms'), general actions ('actions'), observations "
                        "('observations') or metric families ('metric_families')",
                        source=str(path), line=1))
            except ValidationError as exc:
                node = _compose(path)
                for item in exc.errors():
                    loc = tuple(item["loc"])
                    errors.append(KnowledgeError(
                        _named(data, loc) + _reworded(item["msg"]), source=str(path),
                        line=_line_of(node, loc), field=_dotted(loc) or None))
    return KnowledgeBase(
        failure_modes=tuple(modes.values()),
        terms=tuple(terms),
        general_actions=tuple(general),
        observations=observations,
        metric_families=(*added.values(), *families.values()),
        rubric=rubric,
        sources=tuple(str(d) for d in dirs),
        origin=origin,
    )


_NAME_KEYS = (("id", ""), ("feature", "term"), ("name", "case"), ("title", "action"))
_KINDS = {"metric_families": "metric family", "actions": "action", "terms": "term",
          "match": "case", "no_match": "case"}


def _named(data: dict[str, Any], loc: tuple[Any, ...]) -> str:
    """``failure mode 'x', action 'y': ``: the named things an error is in (the failure
    mode of the file, and the innermost named item along ``loc``), to prefix the message
    with."""
    mode = ""
    if "category" in data and isinstance(data.get("id"), str):
        mode = f"failure mode {data['id']!r}"
    found = ""
    node: Any = data
    parent = ""
    for part in loc:
        if isinstance(node, dict) and part in node:
            parent, node = str(part), node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            if isinstance(node, dict):
                for key, kind in _NAME_KEYS:
                    if isinstance(node.get(key), str):
                        found = f"{_KINDS.get(parent, kind or parent)} {node[key]!r}"
                        break
        else:
            break
    names = ", ".join(n for n in (mode, found) if n)
    return names + ": " if names else ""


def _dotted(loc: tuple[Any, ...]) -> str:
    """``actions[0].kind``: the place in the file, as one reads it."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _reworded(message: str) -> str:
    for prefix, instead in (("Input should be ", "expected "), ("Value error, ", "")):
        if message.startswith(prefix):
            return instead + message[len(prefix):]
    return message


def _did_you_mean(name: str, known: set[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.8)
    return f"; did you mean {close[0]!r}?" if close else ""


def _line_naming(source: str | None, word: str) -> int | None:
    """The first line of ``source`` that names ``word`` (where a feature is used)."""
    if source is None:
        return None
    try:
        lines = Path(source).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    pattern = re.compile(rf"(?<![\w.]){re.escape(word)}(?![\w.])")
    return next((n for n, text in enumerate(lines, start=1) if pattern.search(text)), None)


def _rubric(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """The thresholds of a ``severity_rubric`` file, checked against the engine's own."""
    from ..engine.context import EngineConfig

    values = data.get("severity_rubric")
    if not isinstance(values, dict) or len(data) != 1:
        raise KnowledgeError("expected 'severity_rubric:' and a mapping of thresholds",
                             source=str(path), line=1)
    try:
        EngineConfig.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise KnowledgeError(first["msg"], source=str(path),
                             field="severity_rubric." + ".".join(str(p) for p in first["loc"])
                             ) from None
    return dict(values)


def _merge_observations(base: Observations, extra: Observations) -> Observations:
    """A user file adds its phrases to the built-in ones."""
    merged: dict[str, Any] = base.model_dump()
    for part, rules in extra.model_dump().items():
        for key, value in rules.items():
            if isinstance(value, list):
                merged[part][key] = merged[part][key] + value
    return Observations.model_validate(merged)


_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeError(f"cannot read: {exc}", source=str(path)) from None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise KnowledgeError(f"invalid YAML: {problem}", source=str(path), line=line) from None


def _compose(path: Path) -> yaml.Node | None:
    """The node tree of a file that parsed, for the line numbers of schema errors."""
    try:
        node: yaml.Node | None = yaml.compose(path.read_text(encoding="utf-8"),
                                              Loader=_Loader)
        return node
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (the deepest one that exists)."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if getattr(key, "value", None) == part:
                    child = value
                    line = key.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) \
                and 0 <= part < len(node.value):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line
