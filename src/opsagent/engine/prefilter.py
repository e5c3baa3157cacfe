"""A sound prefilter for vocabulary regexes, worked out from the parsed patterns.

* :func:`word_triggers`: the words every match of a pattern starts with (most patterns
  open with ``\\b`` and a literal word), so the pattern is tried only where a word of the
  text begins with one of them;
* :func:`required_literals`: for each alternative of a pattern, the longest run of
  literal characters that every match must contain. If none occurs in a text, the
  pattern cannot match it and is not run (for the few patterns without word triggers).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
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


def word_triggers(patterns: list[str]) -> tuple[str, ...] | None:
    """Word starts of the patterns: for each alternative, the letters of the literal that
    follows its leading ``\\b`` (``\\bdeadline[ _]exceeded`` gives ``deadline``). Every
    match then starts exactly where a word of the text begins with one of them, so a
    pattern needs trying only there. None when an alternative does not start that way."""
    triggers: list[str] = []
    for pattern in patterns:
        try:
            parsed: Any = _parser.parse(pattern)
        except Exception:
            return None
        for alternative in _alternatives(list(parsed)):
            found = _leading_words(_flatten(alternative), depth=0)
            if not found:
                return None
            triggers.extend(found)
    return tuple(dict.fromkeys(triggers))


def _leading_words(items: list[tuple[Any, Any]], depth: int) -> list[str] | None:
    if not items or depth > 3:
        return None
    op, arg = items[0]
    if op is not _c.AT or arg not in (_c.AT_BOUNDARY, _c.AT_BEGINNING, _c.AT_BEGINNING_STRING):
        return None
    return _word_at(items[1:], depth)


def _word_at(items: list[tuple[Any, Any]], depth: int) -> list[str] | None:
    """The word characters that must open the match of ``items`` (after a boundary)."""
    word = ""
    for index, (op, arg) in enumerate(items):
        if op is _c.LITERAL and (chr(arg).isalnum() or chr(arg) == "_"):
            word += chr(arg)
            continue
        branches: list[list[Any]] | None = None
        if op is _c.BRANCH:  # the parser also factors a shared prefix out: d(atabase|b)
            branches = [list(b) for b in arg[1]]
        elif op is _c.SUBPATTERN and len(arg[-1]) == 1 and arg[-1][0][0] is _c.BRANCH:
            branches = [list(b) for b in arg[-1][0][1][1]]
        if branches is None or depth > 3:
            return [word] if word else None
        out: list[str] = []
        for branch in branches:
            found = _word_at(_flatten(branch) + items[index + 1:], depth + 1)
            if not found:  # a choice that goes on with no word: the word so far
                return [word] if word else None
            out.extend(word + more for more in found)
        return out
    return [word] if word else None


def trie_pattern(words: Iterable[str]) -> str:
    """One regex alternation of ``words`` with shared prefixes factored out, so that it
    matches the longest word that starts at a position (a trie in regex form)."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + build(child)
                    for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


def literal_gate(literals: Iterable[str], *, words: bool = False) -> re.Pattern[str]:
    """One search for any of ``literals`` (as whole words with ``words``): the literals
    that hold a shorter one are dropped (the shorter is found wherever they are) and the
    rest is one trie, much cheaper to search than their plain alternation."""
    unique = sorted(set(literals), key=len)
    kept: list[str] = []
    for literal in unique:
        if words or not any(shorter in literal for shorter in kept):
            kept.append(literal)
    body = trie_pattern(kept)
    return re.compile(rf"\b(?:{body})\b" if words else body)
