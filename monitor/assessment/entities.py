"""Many entities: a ranked table that leads the report when a case has more than a few.

With 1,000 issuers a report of one card per rule and entity is unreadable; a desk wants
the ranking first: per entity its stage, its score and the rules firing for it. The
entity's stage and score apply the rule set's own stage activations and weights to that
entity's firing rules alone (a counter-signal firing for it takes its points off), so
the two read exactly like the case's headline figures.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from monitor.assessment.model import RuleAssessment
from monitor.engine.timeline import stage_activity
from monitor.rulebook.model import RuleSet

MANY_ENTITIES = 10  # more than this many entities: the ranking leads, cards list fewer


def entity_count(rules: list[RuleAssessment]) -> int:
    return len({e.entity for r in rules for e in r.entities})


def rank_entities(rules: list[RuleAssessment], ruleset: RuleSet) -> list[dict[str, Any]]:
    """Every entity with its stage, score and firing rules, the most serious first."""
    names: dict[str, str] = {}
    firing: dict[str, list[RuleAssessment]] = {}
    for r in rules:
        for e in r.entities:
            names.setdefault(e.entity, e.name or e.entity)
            firing.setdefault(e.entity, [])
            if e.state == "firing":
                firing[e.entity].append(r)
    rule_ids = [r.id for r in ruleset.rules]
    out: list[dict[str, Any]] = []
    for entity, fired in firing.items():
        ids = {r.id for r in fired}
        frame = pd.DataFrame([{rid: rid in ids for rid in rule_ids}], dtype=bool)
        active = stage_activity(ruleset, frame)
        stage = max((int(n) for n in active.columns if bool(active[n].iloc[0])), default=0)
        score = min(max(sum(r.max_points for r in fired), 0.0), 100.0)
        out.append(
            {
                "entity": entity,
                "name": names[entity],
                "stage": stage,
                "score": round(score, 1),
                "firing": [r.id for r in fired if not r.counter],
                "offsetting": [r.id for r in fired if r.counter],
            }
        )
    out.sort(key=lambda row: (-row["stage"], -row["score"], row["name"]))
    return out
