"""Where today's score sits against the 2000 peak of the same rule set.

A score of 11 means little alone; "11 against 61.1 at the 2000 peak (2001-12-02)"
reads at once. The peak is computed, never typed in: the bundled telecom-2000 case is
evaluated with the very rules and indicators of this run and its highest score taken.
That costs a second or two, so it is cached by a fingerprint of the 2000 data files,
the rule files and the indicator set: change any of them and it is recomputed. The
cache is kept in the process and in a file of the run cache (``core.filecache``; keyed
also by the indicators' code), so a scheduled run does not reload the 2000 case.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from monitor.assessment.analogies import PRECEDENT_CASE, precedent_case
from monitor.core import filecache
from monitor.core.fingerprint import Fingerprint
from monitor.data.case import Case, resolve
from monitor.engine.timeline import evaluate
from monitor.indicator.identity import add_registry
from monitor.indicator.registry import Registry
from monitor.rulebook.model import RuleSet

_CACHE: dict[str, dict[str, Any]] = {}


def fingerprint(case: Case, ruleset: RuleSet, registry: Registry) -> str:
    """A digest of everything the peak depends on: data, rules and indicators."""
    folder = Path(case.path).parent if Path(case.path).is_file() else Path(case.path)
    return folder_fingerprint(folder, ruleset, registry)


def folder_fingerprint(folder: Path, ruleset: RuleSet, registry: Registry) -> str:
    """:func:`fingerprint` from the case folder, without loading the case."""
    digest = Fingerprint().add_files(p for p in folder.iterdir() if p.is_file())
    digest.add_files(Path(name) for name in ruleset.files)
    indicators = {name: type(registry.get(name)).__qualname__ for name in registry.names()}
    return digest.add_value("indicators", indicators).hexdigest()


def peak_2000(ruleset: RuleSet, registry: Registry) -> dict[str, Any]:
    """The highest score of the 2000 case under ``ruleset``: score, date, stage then."""
    key = folder_fingerprint(resolve(PRECEDENT_CASE), ruleset, registry)
    if key not in _CACHE:

        def compute() -> dict[str, Any]:
            case = precedent_case(PRECEDENT_CASE)
            timeline = evaluate(case.observations, ruleset, registry, end=case.latest_date())
            when = pd.Timestamp(timeline.score.idxmax())
            return {
                "case": case.name,
                "score": round(float(timeline.score.max()), 1),
                "date": when.date().isoformat(),
                "stage": int(timeline.stage.loc[when]),
                "fingerprint": key[:16],
            }

        stored = add_registry(Fingerprint().add_value("kind", "peak-2000-v1"), registry)
        stored.add_value("key", key)
        _CACHE[key] = filecache.cached("peak-2000", stored.hexdigest(), compute)
    return dict(_CACHE[key])


def calibrate(score: float, peak: dict[str, Any]) -> dict[str, Any]:
    """Today's score as a share of the 2000 peak (``None`` when the peak is 0)."""
    share = None if not peak["score"] else round(score / peak["score"] * 100.0)
    return {**peak, "share_pct": share}
