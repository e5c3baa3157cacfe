"""Evaluation of the triage engine on a labeled scenario corpus (``opsagent eval``).

* :mod:`.cases` loads and validates a corpus (one directory per case, ``expected.yaml``);
* :mod:`.scoring` scores one report against its labels and aggregates a run;
* :mod:`.runner` runs every case through ``opsagent.analyze`` (failures are recorded);
* :mod:`.thresholds` pins the quality bar (``DEFAULT_THRESHOLDS``) the tests assert;
* :mod:`.render` prints the table or JSON; :mod:`.command` is the CLI command.
"""

from .cases import Case, CorpusError, Expected, load_corpus, parse_expected
from .command import default_corpus_dir, eval_command, register_cli
from .runner import EvalRun, evaluate, run_case, run_cases
from .scoring import Aggregate, CaseResult, aggregate, percentile, score_report
from .thresholds import DEFAULT_THRESHOLDS, Thresholds

__all__ = [
    "DEFAULT_THRESHOLDS",
    "Aggregate",
    "Case",
    "CaseResult",
    "CorpusError",
    "EvalRun",
    "Expected",
    "Thresholds",
    "aggregate",
    "default_corpus_dir",
    "eval_command",
    "evaluate",
    "load_corpus",
    "parse_expected",
    "percentile",
    "register_cli",
    "run_case",
    "run_cases",
    "score_report",
]
