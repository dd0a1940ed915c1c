"""What a run needs, loaded once: the case, the indicator registry and the rule set.

The daemon keeps a rule set across runs (the last good one when a reload fails), and
a backtest assesses many dates from the same inputs, so loading is apart from
evaluating and publishing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from monitor.data.case import Case, load_case
from monitor.indicator.registry import Registry, load_registry
from monitor.rulebook.loader import bundled_rules_dir, indicator_infos, load_rules
from monitor.rulebook.model import RuleSet


@dataclass
class Inputs:
    case: Case
    registry: Registry
    ruleset: RuleSet


def load_ruleset(registry: Registry, rule_dirs: Sequence[Path] = ()) -> RuleSet:
    paths = list(rule_dirs) or [bundled_rules_dir()]
    return load_rules(paths, indicator_infos(registry))


def load_inputs(
    case: str | Path | Case,
    rule_dirs: Sequence[Path] = (),
    plugin_dirs: Sequence[Path] = (),
    registry: Registry | None = None,
    ruleset: RuleSet | None = None,
) -> Inputs:
    """Load what is not given; a given registry or rule set is used as it is."""
    loaded = case if isinstance(case, Case) else load_case(str(case))
    registry = registry or load_registry(plugin_dirs)
    ruleset = ruleset or load_ruleset(registry, rule_dirs)
    return Inputs(loaded, registry, ruleset)
