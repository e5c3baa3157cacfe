"""Numbers that people and alert templates write in words.

``"payments-api: 64% of authorisations fail"``, ``"errors 0.8%"``,
``"p99 4.1 s (SLO 1 s)"``, ``"3 of 48,210 rows rejected"``, ``"on 3 of 6 pods"``: each
becomes a reading that the assessment treats like a measured metric, so that impact
written in an alert's summary counts the same whatever the vendor format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FAIL = re.compile(
    r"\b(fail\w*|errors?|erroring|time[sd]?[ -]?out|timing out|rejected|declined|cannot|can't|"
    r"unable|broken|5\d\d|affected|impacted|lost|dropped|not (load|complet|work)\w*|"
    r"see (errors|failures)|get (errors|5\d\d)|return(ing)? (5\d\d|errors?))\b",
    re.IGNORECASE,
)
_WHAT = (
    r"requests?|calls?|users?|customers?|authori[sz]ations?|payments?|transactions?|orders?|"
    r"checkouts?|log-?ins?|sign-?ins?|queries|query|jobs?|messages?|sessions?|traffic|pages?|"
    r"page loads|uploads?|downloads?|searches|deliveries|emails?|connections?|lookups?|"
    r"probes?|tenants?|merchants?|devices?|clients?|responses?|attempts?|charges?|purchases?|"
    r"builds?|rows|records|items|events|files|checks|labels|parcels|shipments|bookings|"
    r"reminders|invoices|notifications|accounts|subscribers|members|shoppers|visitors|"
    r"patients|products|listings"
)
# what is wrong for a share of the work that does not fail: late, wrong, missing, twice
_AFFECTED = re.compile(
    r"\b(?:late|delayed|wrong|incorrect|missing|stale|duplicat\w*|cancel\w*|no tax|misleading|"
    r"(?:an? )?(?:hour|day) (?:early|late)|early|twice|doubled?|mis-?priced|overcharged|"
    r"undercharged|locked out|logged out|signed out)\b",
    re.IGNORECASE,
)
_FRACTION = re.compile(
    r"\b(?P<frac>a fifth|one fifth|a quarter|one quarter|a third|one third|half|two thirds|"
    r"a tenth|one in (?:five|four|three|ten|twenty))\s+of\s+(?:[\w'-]+\s+){0,3}?(?P<what>"
    + _WHAT + r")\b(?P<rest>[^.;]{0,60})",
    re.IGNORECASE,
)
_FRACTIONS = {"a fifth": 0.2, "one fifth": 0.2, "a quarter": 0.25, "one quarter": 0.25,
              "a third": 1 / 3, "one third": 1 / 3, "half": 0.5, "two thirds": 2 / 3,
              "a tenth": 0.1, "one in five": 0.2, "one in four": 0.25, "one in three": 1 / 3,
              "one in ten": 0.1, "one in twenty": 0.05}
_SHARE = re.compile(
    r"(?P<pct>\d{1,3}(?:\.\d+)?)\s?%\s+(?:of\s+)(?:[\w'-]+\s+){0,3}?(?P<what>" + _WHAT + r")\b"
    r"(?P<rest>[^.;]{0,60})",
    re.IGNORECASE,
)
_N_OF_M = re.compile(
    r"(?P<n>\d[\d,]*)\s+(?:of|out of)\s+(?P<m>\d[\d,]*)\s+(?:[\w'-]+\s+){0,2}?"
    r"(?P<what>" + _WHAT + r"|pods?|replicas?|instances?|nodes?|hosts?|containers?|servers?)\b"
    r"(?P<rest>[^.;]{0,60})",
    re.IGNORECASE,
)
_RATE = re.compile(
    r"\b(?:error rate|errors?|failure rate|5xx(?: rate| ratio)?|http 5xx)\s*"
    r"(?:of|at|is|are|=|:|~|≈|around|about|near)?\s*(?P<pct>\d{1,3}(?:\.\d+)?)\s?%"
    r"|(?P<pct2>\d{1,3}(?:\.\d+)?)\s?%\s+(?:errors|error rate|5xx|failures|failure rate)\b",
    re.IGNORECASE,
)
_LATENCY = re.compile(
    r"\bp(?P<stat>50|75|90|95|99|999)\s*(?:latency\s*)?(?:of|at|is|=|:)?\s*"
    r"(?P<v>\d+(?:\.\d+)?)\s?(?P<u>ms|s|sec|secs|seconds)\b\s*"
    r"\((?P<kind>slo|objective|target|threshold|baseline|normal(?:ly)?|usual(?:ly)?|was)\s*"
    r"(?:is|of|:)?\s*(?P<r>\d+(?:\.\d+)?)\s?(?P<ru>ms|s|sec|secs|seconds)\)",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_OF = re.compile("of", re.IGNORECASE)  # every _N_OF_M match holds it
_INSTANCES = ("pod", "replica", "instance", "node", "host", "container", "server")


@dataclass(frozen=True)
class Share:
    """A share of failing work: ``value`` in [0, 1], of ``what`` (requests, payments ...)."""

    value: float
    what: str
    quote: str


@dataclass(frozen=True)
class Latency:
    value_ms: float
    reference_ms: float
    is_objective: bool  # True: an SLO/target; False: a baseline
    stat: str


@dataclass(frozen=True)
class Instances:
    affected: int
    total: int
    quote: str


def _ms(value: str, unit: str) -> float:
    return float(value) * (1.0 if unit.lower() == "ms" else 1000.0)


def _quote(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start - 30):end + 10].split())


def affected_shares(text: str) -> list[Share]:
    """Shares of the work that is wrong without failing ("4% of orders carry no tax",
    "about a fifth of tenants get reminders an hour early")."""
    found: list[Share] = []
    if "%" in text:
        for match in _SHARE.finditer(text):
            if _AFFECTED.search(match.group("rest")):
                value = float(match.group("pct")) / 100
                if 0 < value <= 1:
                    found.append(Share(value, match.group("what").lower(),
                                       _quote(text, match.start(), match.end())))
    if " of " in text:
        for match in _FRACTION.finditer(text):
            if _AFFECTED.search(match.group("rest")) or _FAIL.search(match.group("rest")):
                found.append(Share(_FRACTIONS[match.group("frac").lower()],
                                   match.group("what").lower(),
                                   _quote(text, match.start(), match.end())))
    return found


def extract(text: str) -> tuple[list[Share], list[Latency], list[Instances]]:
    shares: list[Share] = []
    latencies: list[Latency] = []
    instances: list[Instances] = []
    if _DIGIT.search(text) is None:
        return shares, latencies, instances
    # each pattern below needs a literal that most texts lack: test for it first
    percent = "%" in text
    for match in _SHARE.finditer(text) if percent else ():
        if _FAIL.search(match.group("rest")) or _FAIL.search(text[max(0, match.start() - 40):
                                                                   match.start()]):
            value = float(match.group("pct")) / 100
            if 0 < value <= 1:
                shares.append(Share(value, match.group("what").lower(),
                                    _quote(text, match.start(), match.end())))
    for match in _N_OF_M.finditer(text) if _OF.search(text) else ():
        n = int(match.group("n").replace(",", ""))
        m = int(match.group("m").replace(",", ""))
        if not 0 < n <= m:
            continue
        what = match.group("what").lower()
        quote = _quote(text, match.start(), match.end())
        if what.startswith(_INSTANCES):
            instances.append(Instances(n, m, quote))
        elif _FAIL.search(match.group("rest")):
            shares.append(Share(n / m, what, quote))
    if not shares and percent:
        for match in _RATE.finditer(text):
            pct = match.group("pct") or match.group("pct2")
            value = float(pct) / 100
            if 0 < value <= 1:
                shares.append(Share(value, "requests", _quote(text, match.start(), match.end())))
    for match in _LATENCY.finditer(text) if "(" in text else ():
        kind = match.group("kind").lower()
        latencies.append(Latency(
            _ms(match.group("v"), match.group("u")),
            _ms(match.group("r"), match.group("ru")),
            kind in ("slo", "objective", "target", "threshold"),
            "p" + match.group("stat"),
        ))
    return shares, latencies, instances


_DROP_BY = re.compile(r"(?:\bdown|\bdropped|\bfell|\bfalling|\bdeclined?|\blower|\bbelow|\bdrop"
                      r"(?:ped)? of|\bloss of)\s+(?:by\s+)?(?:about\s+|around\s+|~\s*|almost\s+"
                      r"|nearly\s+|over\s+|more than\s+)?(\d{1,3}(?:\.\d+)?)\s*%"
                      r"|(?<![\w.])-\s?(\d{1,3}(?:\.\d+)?)\s*%")
# the share first: "58% below the weekly baseline", "40 % under forecast"
_DROP_UNDER = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d+)?)\s*%\s+(?:below|under|lower than|"
                         r"down (?:on|from|against|vs\.?))\s+(?:the\s+|its\s+|their\s+)?"
                         r"(?:[\w-]+\s+)?(?:baseline|normal|usual|expected|forecast|average|"
                         r"norm|last week|yesterday)")
_DROP_TO = re.compile(r"\b(?:to|at|only)\s+(?:about\s+|around\s+|~\s*)?(\d{1,3}(?:\.\d+)?)\s*%"
                      r"\s+of\s+(?:its\s+|the\s+|their\s+)?(?:normal|baseline|usual|expected"
                      r"|last week|yesterday)")
# a reading beside what it should be: "orders per minute 61 (forecast 180-240)",
# "EUR 4.31 (7-day band EUR 61-78)": how far below the reference's low end
_DROP_AGAINST = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*\((?:[\w-]+\s+){0,2}?(?:forecast|expected"
                           r"|usual|normal|typical|baseline|band|predicted)\b[^)\d]{0,12}?"
                           r"(\d[\d,]*(?:\.\d+)?)")
_DROP_WORDS = ((re.compile(r"\b(?:halved|half of (?:normal|usual))\b"), 0.5),
               (re.compile(r"\b(?:near(?:ly)? zero|to zero|flat-?lined|cratered|collapsed|"
                           r"plummet\w*|off a cliff)\b"), 0.9),
               # nothing comes through: "no new orders since 18:50"
               (re.compile(r"\bno (?:new |more )?(?:orders?|checkouts?|payments?|sign-?ups?"
                           r"|bookings?|sales|purchases|transactions?) (?:since|for|in the "
                           r"(?:last|past)|(?:are |is )?(?:coming in|arriving|received|placed|"
                           r"going through|completed))\b"), 1.0))


def stated_drop(text: str) -> float | None:
    """How far a flow fell, as a share, when the text says it ("down 38%", "to 28% of
    normal", "halved"); None when it does not say."""
    lowered = text.lower()
    found = [float(m.group(1) or m.group(2)) / 100 for m in _DROP_BY.finditer(lowered)]
    found += [1 - float(m.group(1)) / 100 for m in _DROP_TO.finditer(lowered)]
    found += [float(m.group(1)) / 100 for m in _DROP_UNDER.finditer(lowered)]
    for m in _DROP_AGAINST.finditer(lowered):
        value, reference = (float(g.replace(",", "")) for g in m.groups())
        if reference > 0:
            found.append(1 - value / reference)
    found += [share for pattern, share in _DROP_WORDS if pattern.search(lowered)]
    found = [f for f in found if 0 < f <= 1]
    return max(found) if found else None
