"""Stage activation from a table of firing rules: over time, or per entity.

The table's rows can be evaluation times (the timeline's overall stages) or entities
at one time (each issuer's own stage); its columns are rule ids.
"""

from __future__ import annotations

import pandas as pd

from monitor.rulebook.model import RuleSet


def stage_activity(ruleset: RuleSet, firing: pd.DataFrame) -> pd.DataFrame:
    """Per row of ``firing`` (rule ids as columns), whether each stage is active."""
    active: dict[int, pd.Series] = {}
    for number, activation in sorted(ruleset.activations.items()):
        if activation.evaluate is not None:
            active[number] = activation.evaluate(firing).astype(bool)
            continue
        members = [r.id for r in ruleset.rules if r.stage == number and not r.counter]
        count = firing[members].sum(axis=1) if members else pd.Series(0, index=firing.index)
        active[number] = count >= (activation.min_firing or 1)
    return pd.DataFrame(active, index=firing.index)


def overall_stage(stage_active: pd.DataFrame) -> pd.Series:
    """The highest active stage per row (0 when none is)."""
    stage = pd.Series(0, index=stage_active.index, dtype="int64")
    for number in sorted(stage_active.columns):
        stage = stage.where(~stage_active[number], number)
    return stage
