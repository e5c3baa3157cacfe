"""A sound prefilter for vocabulary regexes.

For each alternative of each pattern, the longest run of literal characters that every
match of that alternative must contain. If none of a term's literals occurs in a text,
the term's regex cannot match it and is not run. An alternative without any required
literal (it starts with a class or a group of choices, say) disables the prefilter for
that term, which then always runs its regex.
"""

from __future__ import annotations

import sys
from typing import Any

if sys.version_info >= (3, 11):
    import re._constants as _c
    import re._parser as _parser
else:  # Python 3.10 (the same modules under their old names)
    import sre_constants as _c
    import sre_parse as _parser


def required_literals(patterns: list[str]) -> tuple[str, ...] | None:
    needles: list[str] = []
    for pattern in patterns:
        try:
            parsed: Any = _parser.parse(pattern)
        except Exception:  # an unusual pattern: no prefilter
            return None
        for alternative in _alternatives(list(parsed)):
            required = _required(alternative)
            if not required:
                return None
            needles.extend(required)
    return tuple(dict.fromkeys(needles))


def _required(items: list[Any], depth: int = 0) -> list[str] | None:
    """Literals one of which every match of ``items`` contains, or None if unknown."""
    literal = _longest_run(items)
    if len(literal) >= 2 or depth > 3:
        return [literal] if literal else None
    for op, arg in _flatten(items):
        branches: list[list[Any]] | None = None
        if op is _c.SUBPATTERN:
            inner = list(arg[-1])
            if len(inner) == 1 and inner[0][0] is _c.BRANCH:
                branches = [list(b) for b in inner[0][1][1]]
        elif op is _c.BRANCH:  # the parser factors a shared prefix (\b) out of a|b
            branches = [list(b) for b in arg[1]]
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and arg[0] >= 1:
            found = _required(list(arg[2]), depth + 1)
            if found:
                return found
        if branches is not None:
            collected: list[str] = []
            for branch in branches:
                found = _required(branch, depth + 1)
                if not found:
                    collected = []
                    break
                collected.extend(found)
            if collected:
                return collected
    return [literal] if literal else None


def _alternatives(items: list[Any]) -> list[list[Any]]:
    if len(items) == 1 and items[0][0] is _c.BRANCH:
        return [list(branch) for branch in items[0][1][1]]
    if len(items) == 1 and items[0][0] is _c.SUBPATTERN:
        return _alternatives(list(items[0][1][-1]))
    return [items]


def _longest_run(items: list[Any]) -> str:
    best = ""
    run: list[str] = []
    for op, arg in _flatten(items):
        if op is _c.LITERAL:
            run.append(chr(arg))
            continue
        if op is _c.AT:  # \b, ^, $: zero-width, the run goes on
            continue
        if len("".join(run)) > len(best):
            best = "".join(run)
        run = []
    if len("".join(run)) > len(best):
        best = "".join(run)
    return best


def _flatten(items: list[Any]) -> list[tuple[Any, Any]]:
    """Inline groups that have a single alternative; anything else stays one opaque item."""
    out: list[tuple[Any, Any]] = []
    for op, arg in items:
        if op is _c.SUBPATTERN:
            inner = list(arg[-1])
            if not (len(inner) == 1 and inner[0][0] is _c.BRANCH):
                out.extend(_flatten(inner))
                continue
        out.append((op, arg))
    return out
