"""The score: the one formula, used by the timeline and read by every report.

Each rule weighs its severity (info 1, watch 2, warning 3, critical 5) times its
optional ``weight``. A firing risk rule adds its share of all risk weight, in points
of 100; a firing counter-signal takes its weight's share off. The total is clipped
to 0-100.
"""

from __future__ import annotations

import pandas as pd

from monitor.rulebook.model import SEVERITIES, Rule, RuleSet


def rule_weight(rule: Rule) -> float:
    return SEVERITIES[rule.severity] * rule.weight


def risk_weight(ruleset: RuleSet) -> float:
    """All risk weight: the denominator every rule's points are a share of."""
    return sum(rule_weight(r) for r in ruleset.rules if not r.counter)


def max_points(rule: Rule, ruleset: RuleSet) -> float:
    """Points the rule adds (or, for a counter-signal, removes) while it fires."""
    total = risk_weight(ruleset)
    if total <= 0:
        return 0.0
    return rule_weight(rule) / total * 100.0 * _sign(rule)


def _sign(rule: Rule) -> int:
    return -1 if rule.counter else 1


def score_contributions(ruleset: RuleSet, firing: pd.DataFrame) -> pd.DataFrame:
    """Score points per rule and evaluation time (grid x rule id)."""
    total = risk_weight(ruleset)
    if total <= 0:
        return pd.DataFrame(index=firing.index)
    points = {
        r.id: firing[r.id].astype("float64") * rule_weight(r) / total * 100.0 * _sign(r)
        for r in ruleset.rules
    }
    return pd.DataFrame(points, index=firing.index)


def total_score(contributions: pd.DataFrame, grid: pd.DatetimeIndex) -> pd.Series:
    if contributions.empty:
        return pd.Series(0.0, index=grid, dtype="float64")
    return contributions.sum(axis=1).clip(0, 100).astype("float64")
