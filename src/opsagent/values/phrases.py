"""The grammar of values written as phrases (``"-70% on 4 of 24 nodes"``, ``"96% (app-2),
93% (app-4)"``, ``"p99 4.1s (baseline 300ms)"``), read piece by piece into a
:class:`~.forms.Reading`. Imported, and so compiled, only when a value is more than a
number and its unit.
"""

from __future__ import annotations

import re

from ..models import Scope
from .forms import (
    NUMBER_PATTERN,
    UNIT_PATTERN,
    Kind,
    Reading,
    bytes_per,
    convert,
    known_unit,
    number_of,
    written_whole,
)
from .numbers import PERCENT_UNITS


def read_phrase(text: str, kind: Kind, default_unit: str,
                lower_is_worse: bool) -> Reading | None:
    """What the phrase states, or None when it states nothing that can be read."""
    return _Human(text, kind, default_unit, lower_is_worse).read()


_NUM = NUMBER_PATTERN
_UNIT = UNIT_PATTERN

_AT = r"(?:\b(?:on|in|across|for|at|from|of)\s+)?"
_UNITS = (r"(?P<unit>nodes?|hosts?|pods?|instances?|servers?|containers?|replicas?|machines?|"
          r"vms?|brokers?|shards?|workers?|zones?|regions?|clusters?|partitions?|azs?|"
          r"datacenters?|cells?|tasks?)\b")
_REFERENCE_WORDS = r"baseline|normal|normally|usual|usually|typical|typically|average|avg"
_SCOPES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), shape) for pattern, shape in (
        (rf"{_AT}(?:only\s+)?(?P<n>\d+)\s*(?:of|out of|/)\s*(?:the\s+)?(?P<m>\d+)\s+{_UNITS}",
         "n_of_m"),
        (rf"{_AT}(?:(?:about|around|roughly|approx\.?|approximately|nearly|almost|over|under|"
         rf"~)\s*)?(?P<pct>{_NUM})\s*%\s+of\s+(?:the\s+|all\s+|our\s+)?{_UNITS}", "share"),
        (rf"{_AT}\b(?:all|every|each)\s+(?:of\s+)?(?:the\s+|our\s+)?(?:(?P<m>\d+)\s+)?{_UNITS}",
         "all"),
        (rf"{_AT}\bhalf\s+(?:of\s+)?(?:the\s+|our\s+)?{_UNITS}", "half"),
        (rf"{_AT}(?:only\s+)?\b(?:one|a single|single|a|1)\s+{_UNITS}", "one"),
        (rf"\b(?:on|in|across|for|at|from)\s+(?P<n>\d+)\s+{_UNITS}", "n"),
    )
)
_STAT = re.compile(r"\bp(?P<stat>50|75|90|95|99|999)\b", re.IGNORECASE)
_INSTANCE_NAME = re.compile(r"^[a-z][\w.:/-]*$", re.IGNORECASE)
_NOT_INSTANCE = re.compile(rf"^(?:{_REFERENCE_WORDS}|slo|objective|target|threshold|limit|"
                           r"max|min|was|vs|now|peak|p\d+|avg)$", re.IGNORECASE)
_IN_PARENS = re.compile(rf"(?P<n>{_NUM})\s*(?P<u>{_UNIT})?\s*\(\s*(?P<name>[^()\s]{{1,64}})\s*\)",
                        re.IGNORECASE)
_NAMED = re.compile(rf"(?P<name>[a-z][\w.:/-]*)\s*[:=]\s*(?P<n>{_NUM})\s*(?P<u>{_UNIT})?",
                    re.IGNORECASE)
_INSTANCE_SEPARATORS = re.compile(r"^[\s,;&/]*(?:(?:and|,|;|&|/)[\s,;&/]*)*$", re.IGNORECASE)
_MULTIPLE = re.compile(rf"(?P<x>{_NUM})\s*(?:x|×|times)(?![\w])\s*(?:(?:the|its|over|above|of|"
                       rf"vs\.?)\s+)?(?:(?:{_REFERENCE_WORDS})\b)?", re.IGNORECASE)
_UP = re.compile(r"up|increased?|rose|risen|jump(?:ed)?|spiked?|grew|higher|above|over|more|"
                 r"rise|spike")
_CHANGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), shape) for pattern, shape in (
        (rf"\b(?P<dir>up|down|increased?|decreased?|drop(?:s|ped)?|fell|fallen|rose|risen|"
         rf"jump(?:ed)?|spiked?|grew|declined?)\s+(?:by\s+)?(?P<pct>{_NUM})\s*%", "change"),
        (rf"(?P<pct>{_NUM})\s*%\s+(?P<dir>above|over|higher than|more than|below|under|"
         rf"lower than|less than)\s+(?:the\s+|its\s+)?(?:{_REFERENCE_WORDS})\b", "change"),
        (rf"(?P<pct>{_NUM})\s*%\s+(?P<dir>increase|rise|jump|spike|drop|decrease|fall|"
         rf"decline)\b", "change"),
        (rf"(?P<pct>{_NUM})\s*%\s+of\s+(?:the\s+|its\s+)?(?:{_REFERENCE_WORDS})\b", "share"),
        (rf"(?:^|(?<=[\s(]))(?P<dir>[+\-−])\s*(?P<pct>{_NUM})\s*%", "change"),
    )
)
_REFERENCE = re.compile(
    rf"\(?\s*\b(?P<ref>{_REFERENCE_WORDS}|was|vs\.?|versus|from|slo|objective|target|"
    rf"threshold|limit)\b\s*(?:is|of|:|=|~|at)?\s*"
    # "normally <200", "usually under 10", "baseline about 4": the bound is the reference
    rf"(?:(?:<|>|≤|≥|<=|>=|under|below|over|above|about|around|roughly|approximately|up to|"
    rf"at most|at least|less than|more than|fewer than)\s*)?"
    rf"(?P<n>{_NUM})\s*(?P<u>{_UNIT})?\s*\)?",
    re.IGNORECASE)
_OBJECTIVE_WORDS = frozenset({"slo", "objective", "target", "threshold"})
_USED_OF = re.compile(rf"(?P<a>{_NUM})\s*(?P<au>[a-zµ]+)?\s*(?:/|\bof\b|\bout of\b)\s*"
                      rf"(?P<b>{_NUM})\s*(?P<bu>[a-zµ]+)?", re.IGNORECASE)
_MAIN = re.compile(
    rf"(?:~|≈|>=?|<=?|≥|≤|\babout|\baround|\bapprox\.?|\bapproximately|\broughly|\bnearly|"
    rf"\balmost|\bover|\babove|\bunder|\bbelow|\bat least|\bat most|\bup to|\bpeak(?:ing|ed)?"
    rf"(?:\s+at)?)?\s*(?P<n>-?(?:{_NUM}))(?:\s*(?:-|–|to)\s*(?P<n2>{_NUM}))?\s*"
    rf"(?P<u>{_UNIT})?", re.IGNORECASE)


_CURRENCY = re.compile(r"[$€£¥₹]|\b(?:usd|eur|gbp|jpy|chf|cad|aud|nzd|sek|nok|dkk|pln|inr|brl|"
                       r"mxn|sgd|hkd|cny|krw|zar)\b", re.IGNORECASE)


class _Human:
    """One value in words, read piece by piece: each piece found is blanked out of
    ``rest`` so that the next one does not read it again."""

    def __init__(self, text: str, kind: Kind, default_unit: str, lower_is_worse: bool) -> None:
        self.text = text
        # an amount of money reads as its number ("$41 (baseline $118)", "12,800 JPY")
        self.rest = _CURRENCY.sub(lambda m: " " * len(m.group()), text) \
            if kind == "quantity" else text
        self.kind: Kind = kind
        self.default_unit = default_unit
        self.lower_is_worse = lower_is_worse

    def take(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        match = pattern.search(self.rest)
        if match:
            start, end = match.span()
            self.rest = self.rest[:start] + " " * (end - start) + self.rest[end:]
        return match

    def convert(self, number: str, unit: str | None) -> tuple[float, str | None, str | None]:
        found = convert(self.kind, number_of(number), unit, written_whole(number),
                        self.default_unit)
        if found is None:
            raise _Unfit
        return found

    def read(self) -> Reading | None:
        try:
            return self._read()
        except _Unfit:
            return None

    def _read(self) -> Reading | None:
        stat = self.take(_STAT)
        instances = self._instances()
        scope = instances[2] if instances else self._scope()
        multiple = self._multiple()
        baseline, objective, limit = self._references()
        value = unit = ambiguous = None
        if instances:
            value, unit = instances[0], instances[1]
        elif (used := self._used_of()) is not None:
            value, unit = used[0], used[1]
            limit = used[2] if limit is None else limit
        elif (main := self._main()) is not None:
            number, written_unit = main
            if limit and self.kind == "ratio" and (written_unit or "").lower() \
                    not in PERCENT_UNITS:
                value, unit = min(1.0, number_of(number) / limit), "ratio"  # "210 (limit 800)"
            else:
                value, unit, ambiguous = self.convert(number, written_unit)
        if value is None and multiple is None and scope is None and baseline is None:
            return None
        return Reading(value=value, unit=unit, baseline=baseline, objective=objective,
                       baseline_multiple=multiple, limit=limit, scope=scope,
                       stat=f"p{stat.group('stat')}" if stat else None, text=self.text,
                       ambiguous=ambiguous)

    def _instances(self) -> tuple[float, str | None, Scope] | None:
        for pattern, minimum in ((_IN_PARENS, 1), (_NAMED, 2)):
            found = [m for m in pattern.finditer(self.rest)
                     if _INSTANCE_NAME.match(m.group("name"))
                     and not _NOT_INSTANCE.match(m.group("name"))]
            if len(found) < minimum:
                continue
            leftover = pattern.sub(" ", self.rest)
            if not _INSTANCE_SEPARATORS.match(leftover):
                continue
            readings = [(self.convert(m.group("n"), m.group("u")), m.group("name"))
                        for m in found]
            pick = min if self.lower_is_worse else max
            (value, unit, _), _ = pick(readings, key=lambda r: r[0][0])
            names = tuple(dict.fromkeys(name for _, name in readings))
            self.rest = " " * len(self.rest)
            return value, unit, Scope(text=", ".join(names), affected=len(names),
                                      instances=names)
        return None

    def _scope(self) -> Scope | None:
        for pattern, shape in _SCOPES:
            match = self.take(pattern)
            if not match:
                continue
            unit = match.group("unit").lower()
            unit = unit[:-1] if unit.endswith("s") and len(unit) > 2 else unit
            groups = match.groupdict()
            phrase = " ".join(match.group().split())
            if shape == "n_of_m":
                n, m = int(groups["n"]), int(groups["m"])
                if not 0 < n <= m:
                    return Scope(text=phrase, unit=unit)
                return Scope(text=phrase, affected=n, total=m, fraction=n / m, unit=unit)
            if shape == "share":
                share = number_of(groups["pct"]) / 100.0
                return Scope(text=phrase, fraction=share if share <= 1 else None, unit=unit)
            if shape == "all":
                total = int(groups["m"]) if groups.get("m") else None
                return Scope(text=phrase, affected=total, total=total, fraction=1.0, unit=unit)
            if shape == "half":
                return Scope(text=phrase, fraction=0.5, unit=unit)
            count = 1 if shape == "one" else int(groups["n"])
            return Scope(text=phrase, affected=count, unit=unit)
        return None

    def _multiple(self) -> float | None:
        match = self.take(_MULTIPLE)
        if match:
            return number_of(match.group("x"))
        for pattern, shape in _CHANGES:
            match = self.take(pattern)
            if not match:
                continue
            share = number_of(match.group("pct")) / 100.0
            if shape == "share":
                return share
            direction = match.group("dir").lower()
            up = direction == "+" or _UP.match(direction) is not None
            return round(1.0 + share if up else max(0.0, 1.0 - share), 9)
        return None

    def _references(self) -> tuple[float | None, float | None, float | None]:
        baseline = objective = limit = None
        while True:
            match = self.take(_REFERENCE)
            if not match:
                return baseline, objective, limit
            ref = match.group("ref").lower()
            if ref == "limit":
                limit = number_of(match.group("n"))
                continue
            value = self.convert(match.group("n"), match.group("u"))[0]
            if ref in _OBJECTIVE_WORDS:
                objective = value
            else:
                baseline = value

    def _used_of(self) -> tuple[float, str | None, float] | None:
        if self.kind == "duration":
            return None
        match = self.take(_USED_OF)
        if not match:
            return None
        used_size = bytes_per(match.group("au") or "", self.kind)
        limit_size = bytes_per(match.group("bu") or "", self.kind)
        used = number_of(match.group("a")) * (used_size or limit_size or 1.0)
        limit = number_of(match.group("b")) * (limit_size or used_size or 1.0)
        if limit <= 0:
            raise _Unfit
        return min(1.0, used / limit), "ratio", limit  # a saturation reading, of any metric

    def _main(self) -> tuple[str, str | None] | None:
        """The number the value states (the worse end of a range) and its unit, when the
        word after it is one."""
        match = self.take(_MAIN)
        if not match:
            return None
        number, unit = match.group("n"), match.group("u")
        if match.group("n2"):
            first, second = number_of(number), number_of(match.group("n2"))
            if (second > first) != self.lower_is_worse:
                number = match.group("n2")
        if unit and not known_unit(unit, self.kind):
            unit = None  # "0.98 and rising": the word is not a unit
        return number, unit


class _Unfit(Exception):
    """A number whose unit or range does not fit the kind of value asked for."""
