"""Each entity's own stage and score, ranked: a universe of issuers reads as a list.

"One of 1,000 issuers fires" is no signal; which issuers, how far along, is. An
entity's firing rules are the rules firing for it (its own column in each rule's
states); its stage and score follow from them by the same activation and the same
score formula as the overall assessment. Macro series (the US entity of the bundled
cases) rank as entities of their own. Firing counter-signals take their points off
and are listed apart (``offsetting``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from monitor.core.plaindata import number
from monitor.engine.scoring import score_contributions, total_score
from monitor.engine.stages import overall_stage, stage_activity
from monitor.engine.states import AlertState
from monitor.engine.timeline import Timeline

MANY_ENTITIES = 10  # more than this many entities: the report's ranking leads


def firing_by_entity(timeline: Timeline, pos: int) -> pd.DataFrame:
    """Entities x rule ids: does the rule fire for the entity at grid position ``pos``."""
    columns: dict[str, pd.Series] = {}
    for rule_id, result in timeline.results.items():
        states = result.table.states
        if states.shape[1] == 0:
            columns[rule_id] = pd.Series(dtype=bool)
            continue
        row = states.iloc[result.at(pos)]
        columns[rule_id] = (row == int(AlertState.FIRING)).rename(index=str)
    table = pd.DataFrame(columns).fillna(False).astype(bool)
    return table.reindex(columns=list(timeline.results), fill_value=False).sort_index()


def entity_ranking(
    timeline: Timeline, pos: int, names: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Every entity with its stage, score and firing rules, most serious first."""
    table = firing_by_entity(timeline, pos)
    if table.empty:
        return []
    ruleset = timeline.ruleset
    stages = overall_stage(stage_activity(ruleset, table))
    scores = total_score(score_contributions(ruleset, table), table.index)
    names = names or {}
    counter = {r.id for r in ruleset.rules if r.counter}
    rows: list[dict[str, Any]] = [
        {
            "entity": str(entity),
            "name": names.get(str(entity), str(entity)),
            "stage": int(stages[entity]),
            "score": number(round(float(scores[entity]), 1)),
            "firing": [r for r in table.columns if bool(table.at[entity, r]) and r not in counter],
            "offsetting": [r for r in table.columns if bool(table.at[entity, r]) and r in counter],
        }
        for entity in table.index
    ]
    rows.sort(key=lambda r: (-int(r["stage"]), -float(r["score"] or 0.0), str(r["entity"])))
    return rows


def entity_count(ranking: list[dict[str, Any]]) -> int:
    return len(ranking)
