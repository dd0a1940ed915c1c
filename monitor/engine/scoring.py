"""The score: the one formula, used by the timeline and read by every report.

Each rule weighs its severity (info 1, watch 2, warning 3, critical 5) times its
optional ``weight``. A firing risk rule adds its share of all risk weight, in points
of 100; a firing counter-signal takes its weight's share off. The total is clipped
to 0-100.
"""

from __future__ import annotations

import math
from typing import Any

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


DISPLAY_DIGITS = 1  # the score is shown in tenths of a point


def _apportion(values: list[float], target: int) -> list[int]:
    """Whole tenths for ``values`` (each in tenths) that add up exactly to ``target``.

    Largest-remainder rounding: start from each value rounded down and hand the
    missing tenths to the largest remainders (or take surplus ones from the smallest),
    so every displayed part stays within a tenth of its exact value.
    """
    floors = [math.floor(v) for v in values]
    gap = target - sum(floors)
    order = sorted(range(len(values)), key=lambda i: values[i] - floors[i], reverse=gap > 0)
    if gap < 0:
        order.reverse()
    out = list(floors)
    for k in range(abs(gap)):
        out[order[k % len(order)]] += 1 if gap > 0 else -1
    return out


def score_parts(ruleset: RuleSet, contributions: pd.Series) -> dict[str, Any]:
    """The score at one time split into the parts a report shows, rounded once.

    ``contributions`` is one row of :func:`score_contributions`. The displayed total
    is the timeline's score rounded to a tenth; the risk part is rounded to a tenth;
    the counter part is whatever makes them add up (within a tenth of its exact
    value); each rule's points are apportioned so that they add up to their part.
    A reader can add the displayed numbers and gets the displayed total.
    """
    scale = 10**DISPLAY_DIGITS
    counter_ids = {r.id for r in ruleset.rules if r.counter}
    exact = {rid: float(contributions.get(rid, 0.0)) for rid in (r.id for r in ruleset.rules)}
    risk_ids = [rid for rid in exact if rid not in counter_ids]
    counter_list = [rid for rid in exact if rid in counter_ids]
    risk = sum(exact[rid] for rid in risk_ids)
    counter = sum(exact[rid] for rid in counter_list)
    unclipped_t = round((risk + counter) * scale)
    risk_t = round(risk * scale)
    counter_t = unclipped_t - risk_t
    total_t = min(max(unclipped_t, 0), 100 * scale)
    rule_t = dict(
        zip(risk_ids, _apportion([exact[r] * scale for r in risk_ids], risk_t), strict=True)
    )
    if counter_list:
        # counter points are negative: apportion their magnitudes
        magnitudes = _apportion([-exact[r] * scale for r in counter_list], -counter_t)
        rule_t.update({rid: -m for rid, m in zip(counter_list, magnitudes, strict=True)})
    return {
        "risk_points": risk_t / scale,
        "counter_points": counter_t / scale,
        "unclipped": unclipped_t / scale,
        "score": total_t / scale,
        "clipped": total_t != unclipped_t,
        "rules": {rid: t / scale for rid, t in rule_t.items()},
    }
