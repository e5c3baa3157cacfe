"""Reading payload files: one JSON document, a JSON array of documents, or NDJSON.

Every problem becomes an :class:`~opsagent.errors.InputError` naming the file (and the
line for NDJSON), never a traceback. :func:`read_documents` keeps the good lines of an
NDJSON file and returns the bad ones as problems; :func:`parse_text` raises the first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..errors import InputError

MAX_BYTES = 50 * 1024 * 1024  # a payload larger than this is refused, not loaded
MAX_DOCUMENTS = 10_000  # documents of one payload (array items, NDJSON lines) read
MAX_ITEMS = 10_000  # items of any one list inside a document (alerts, symptoms ...) read
_WALK_ABOVE = 100_000  # characters: a smaller payload cannot hold a list over MAX_ITEMS


@dataclass(frozen=True)
class Document:
    """One JSON document and where it came from (for error messages)."""

    data: Any
    source: str  # "alerts.json", "alerts.json[3]", "events.ndjson:12", "<stdin>"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _without_lone_surrogates(data: Any) -> Any:
    """``"\\ud800"`` decodes to a lone surrogate, which no output can encode: it becomes
    U+FFFD, the replacement character (pairs were already joined by the decoder)."""
    if isinstance(data, str):
        return data.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(data, list):
        return [_without_lone_surrogates(item) for item in data]
    if isinstance(data, dict):
        return {_without_lone_surrogates(key): _without_lone_surrogates(value)
                for key, value in data.items()}
    return data


def _int(literal: str) -> int | float:
    """An integer literal; one too long for any float to hold is infinite (then a note
    where a value is read), not an integer that fails every later conversion."""
    if len(literal) <= 300:
        return int(literal)
    return float("-inf") if literal.startswith("-") else float("inf")


def _loads(text: str) -> Any:
    data = json.loads(text, parse_constant=_reject_constant, parse_int=_int)
    if "\\ud" in text.lower():  # an escaped surrogate somewhere: only then walk the data
        data = _without_lone_surrogates(data)
    return data


def parse_text(raw: bytes, source: str) -> list[Document]:
    """Split the bytes of one payload into documents; any problem is raised."""
    docs, problems = read_documents(raw, source)
    if problems:
        raise problems[0]
    return docs


def read_documents(raw: bytes, source: str) -> tuple[list[Document], list[InputError]]:
    """The documents of one payload, and the problems of the lines of NDJSON that are not
    JSON (the other lines are still read). A payload that is not JSON at all raises."""
    if len(raw) > MAX_BYTES:
        raise InputError(
            f"payload is {len(raw) / 1_048_576:.0f} MiB; the limit is "
            f"{MAX_BYTES // 1_048_576} MiB",
            source=source,
        )
    if b"\x00" in raw[:8192]:
        raise InputError("binary data, expected JSON text", source=source)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start}), expected JSON",
                         source=source) from None
    if not text.strip():
        raise InputError("empty payload, expected a JSON document", source=source)
    try:
        data = _loads(text)
    except RecursionError:
        raise InputError("JSON nested too deeply", source=source) from None
    except ValueError as exc:
        ndjson = _try_ndjson(text, source)
        if ndjson is not None:
            return ndjson
        line = getattr(exc, "lineno", None)
        message = getattr(exc, "msg", str(exc))
        raise InputError(f"invalid JSON: {message}", source=source, line=line) from None
    problems: list[InputError] = []
    docs = _split(data, source)
    if len(docs) > MAX_DOCUMENTS:
        problems.append(_over(len(docs), "documents", source))
        docs = docs[:MAX_DOCUMENTS]
    if len(text) > _WALK_ABOVE:
        for doc in docs:
            problems.extend(_cap_lists(doc.data, doc.source))
    return docs, problems


def _over(count: int, what: str, source: str, field: str | None = None) -> InputError:
    limit = MAX_DOCUMENTS if what == "documents" else MAX_ITEMS
    return InputError(f"{count:,} {what}; only the first {limit:,} are read", source=source,
                      field=field)


def _cap_lists(data: Any, source: str) -> list[InputError]:
    """Every list in ``data`` longer than :data:`MAX_ITEMS` cut to it (in place, one pass,
    no recursion), with a note naming its field."""
    notes: list[InputError] = []
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            stack.extend((value, f"{path}.{key}" if path else str(key))
                         for key, value in node.items() if isinstance(value, (dict, list)))
        elif isinstance(node, list):
            if len(node) > MAX_ITEMS:
                if len(notes) < 5:
                    notes.append(_over(len(node), "items", source, path or None))
                del node[MAX_ITEMS:]
            stack.extend((value, f"{path}[{index}]") for index, value in enumerate(node)
                         if isinstance(value, (dict, list)))
    return notes


def _split(data: Any, source: str) -> list[Document]:
    if isinstance(data, list):
        if not data:
            raise InputError("empty JSON array, expected at least one document", source=source)
        return [Document(item, f"{source}[{index}]") for index, item in enumerate(data)]
    return [Document(data, source)]


def _try_ndjson(text: str, source: str) -> tuple[list[Document], list[InputError]] | None:
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if len(lines) < 2:
        return None
    docs: list[Document] = []
    problems: list[InputError] = []
    for position, (number, line) in enumerate(lines):
        if len(docs) >= MAX_DOCUMENTS:
            problems.append(_over(len(docs) + len(lines) - position, "documents", source))
            break
        try:
            data = _loads(line)
        except RecursionError:
            problems.append(InputError("JSON nested too deeply", source=source, line=number))
            continue
        except ValueError as exc:
            if not docs:
                return None  # not NDJSON at all; report the whole-document error instead
            message = getattr(exc, "msg", str(exc))
            problems.append(InputError(f"invalid JSON line: {message}", source=source,
                                       line=number))
            continue
        docs.append(Document(data, f"{source}:{number}"))
        if len(line) > _WALK_ABOVE:
            problems.extend(_cap_lists(data, docs[-1].source))
    return docs, problems
