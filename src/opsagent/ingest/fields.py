"""Typed access to the fields of a vendor document.

Every accessor takes the container, the key and the path of the container
(``("alerts", 2)``), and raises :class:`~opsagent.errors.InputError` naming the field
(``alerts[2].startsAt``) and what was expected when the value has the wrong type. A
missing key or a JSON ``null`` is "absent": optional accessors return an empty value.
The value readers (``time``, ``number``, ``integer``) given the parse context note a
value they cannot read on it and return the absent value instead, so that one value
never costs the document.

Adapters use these instead of indexing, so that a recognised but broken document
always gives a user error, never a ``KeyError`` or ``TypeError``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar

from ..errors import InputError, UnreadableValue, UserError
from ..values import parse_time
from .base import ParseContext, field_path

Path = tuple[str | int, ...]

_MAX_TEXT = 4000


def where(path: Path, key: str | int | None = None) -> str:
    """The dotted field path of ``key`` inside ``path``."""
    parts = (*path, key) if key is not None else path
    return field_path(*parts) or "(document)"


def kind_of(value: Any) -> str:
    """A JSON type name for messages: 'an object', 'a string', 'null' ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def obj(container: Mapping[str, Any], key: str, path: Path = ()) -> Mapping[str, Any]:
    """An optional JSON object; ``{}`` when absent."""
    value = container.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InputError(f"expected an object, got {kind_of(value)}", field=where(path, key))
    return value


def req_obj(container: Mapping[str, Any], key: str, path: Path = ()) -> Mapping[str, Any]:
    """A required JSON object."""
    if container.get(key) is None:
        raise InputError("missing; expected an object", field=where(path, key))
    return obj(container, key, path)


def arr(container: Mapping[str, Any], key: str, path: Path = ()) -> list[Any]:
    """An optional JSON array; ``[]`` when absent."""
    value = container.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"expected an array, got {kind_of(value)}", field=where(path, key))
    return value


def item_obj(value: Any, path: Path) -> Mapping[str, Any]:
    """An element of an array that must be an object."""
    if not isinstance(value, Mapping):
        raise InputError(f"expected an object, got {kind_of(value)}", field=where(path))
    return value


def text(container: Mapping[str, Any], key: str, path: Path = ()) -> str:
    """An optional string (numbers and booleans are converted); ``""`` when absent."""
    return scalar_text(container.get(key), where(path, key))


def scalar_text(value: Any, field: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()[:_MAX_TEXT]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError("expected text, got a non-finite number", field=field)
        return f"{value:g}"
    raise InputError(f"expected text, got {kind_of(value)}", field=field)


def req_text(container: Mapping[str, Any], key: str, path: Path = ()) -> str:
    value = text(container, key, path)
    if not value:
        raise InputError("missing; expected a non-empty string", field=where(path, key))
    return value


T = TypeVar("T")


def _unread(ctx: ParseContext | None, error: UnreadableValue, default: T) -> T:
    """Raise ``error``, or note it on ``ctx`` and go on with ``default``."""
    if ctx is None:
        raise error
    ctx.note(error)
    return default


def integer(container: Mapping[str, Any], key: str, path: Path = (), default: int = 0,
            ctx: ParseContext | None = None) -> int:
    """An optional whole number (``"3"`` too); ``default`` when absent."""
    value = container.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    return _unread(ctx, UnreadableValue("a whole number", value, field=where(path, key)),
                   default)


def number(container: Mapping[str, Any], key: str, path: Path = (),
           ctx: ParseContext | None = None) -> float | None:
    """An optional finite number (numeric strings too); ``None`` when absent."""
    value = container.get(key)
    if value is None or value == "":
        return None
    result: float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        result = float(value)
    elif isinstance(value, str):
        try:
            result = float(value.strip())
        except ValueError:
            result = None
    if result is None or not math.isfinite(result):
        return _unread(ctx, UnreadableValue("a number", value, field=where(path, key)), None)
    return result


def time(
    container: Mapping[str, Any], key: str, path: Path = (), ctx: ParseContext | None = None
) -> datetime | None:
    """An optional timestamp (ISO 8601 of any precision/offset, epoch s/ms, zero time → None)."""
    value = container.get(key)
    field = where(path, key)
    if isinstance(value, (Mapping, list)):
        return _unread(ctx, UnreadableValue("a timestamp", value, field=field), None)
    try:
        return parse_time(value, field, ctx.now if ctx else None)
    except UnreadableValue as exc:
        return _unread(ctx, exc, None)


K = TypeVar("K")


def choice(table: Mapping[str, K], value: str, field: str, ctx: ParseContext | None,
           default: K) -> K:
    """``table[value]`` for a value from a fixed set (a state, a severity); another value
    is noted (expected one of the table's keys) and ``default`` is used."""
    if value in table:
        return table[value]
    expected = "one of " + ", ".join(str(key) for key in table)
    return _unread(ctx, UnreadableValue(expected, value, field=field), default)


def str_map(container: Mapping[str, Any], key: str, path: Path = ()) -> dict[str, str]:
    """An optional object of labels, flattened to ``str → str`` (scalars only)."""
    source = obj(container, key, path)
    out: dict[str, str] = {}
    for name, value in source.items():
        if value is None:
            continue
        out[str(name)] = scalar_text(value, where((*path, key), str(name)))
    return out


def embedded_json(container: Mapping[str, Any], key: str, path: Path = ()) -> Any:
    """A JSON document carried as a string (SNS ``Message``); objects pass through."""
    value = container.get(key)
    field = where(path, key)
    if isinstance(value, Mapping):
        return value
    if not isinstance(value, str):
        raise InputError(f"expected a JSON string, got {kind_of(value)}", field=field)
    try:
        return json.loads(value)
    except (ValueError, RecursionError):
        raise InputError("expected a JSON document in this string", field=field) from None


F = TypeVar("F", bound=Callable[..., Any])


def user_errors_only(title: str) -> Callable[[F], F]:
    """Decorate ``parse``: any non-user exception becomes an ``InputError`` naming ``title``.

    A safety net; adapters validate with the accessors above, so this should not fire.
    """

    def decorate(func: F) -> F:
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except UserError:
                raise
            except (KeyError, TypeError, ValueError, AttributeError, IndexError,
                    OverflowError, RecursionError) as exc:
                raise InputError(
                    f"malformed {title} payload ({type(exc).__name__}: {exc})"
                ) from None

        return wrapper  # type: ignore[return-value]

    return decorate
