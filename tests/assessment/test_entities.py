"""Per-entity stages, scores and ranking: which issuers fire, not only that one does."""

from __future__ import annotations

import pandas as pd
import pytest

from monitor.pipeline import assess_case, load_inputs

SEVERITY_POINTS = {"info": 1, "watch": 2, "warning": 3, "critical": 5}  # docs: the score


@pytest.fixture(scope="module")
def telecom():
    inputs = load_inputs("telecom-2000")
    return inputs, assess_case(inputs.case, pd.Timestamp("2001-06-30"),
                               registry=inputs.registry, ruleset=inputs.ruleset)  # fmt: skip


def test_each_entity_has_its_own_stage_score_and_firing_rules(telecom) -> None:
    inputs, result = telecom
    ranking = {row["entity"]: row for row in result.assessment.entities}
    lucent = ranking["LU"]
    # Lucent's own stage-2 rules (2 needed): its profit warnings and swelling receivables
    assert {"profit-warning", "receivables-swelling"} <= set(lucent["firing"])
    assert lucent["stage"] == 2
    rules = inputs.ruleset.by_id()
    risk = sum(SEVERITY_POINTS[r.severity] * r.weight for r in rules.values() if not r.counter)
    expected = (
        sum(
            SEVERITY_POINTS[rules[rid].severity]
            * rules[rid].weight
            * (-1 if rules[rid].counter else 1)
            for rid in lucent["firing"]
        )
        / risk
        * 100
    )
    assert lucent["score"] == pytest.approx(max(0.0, min(100.0, expected)), abs=0.05)


def test_entities_are_ranked_by_stage_then_score(telecom) -> None:
    _, result = telecom
    keys = [(-row["stage"], -row["score"]) for row in result.assessment.entities]
    assert keys == sorted(keys)
    assert result.assessment.entities[0]["entity"] == "LU"


def test_the_ranking_is_in_the_run_json(telecom) -> None:
    _, result = telecom
    payload = result.assessment.to_json()
    assert {"entity", "name", "stage", "score", "firing"} <= set(payload["entities"][0])
