"""A universe keeps the month-end history of its most serious entities only (issue 10).

Thousands of issuers would otherwise carry a history each (millions of points) that no
chart draws. What a user relies on: the lead entity and the firing ones keep their
history, the chart's lines are among them, every entity's current reading is still in
``entities``, and the JSON says how many histories were left out (and stays valid).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import pandas as pd

from monitor.core.limits import HISTORY_ENTITIES
from monitor.engine.steps import MONTH_END
from monitor.pipeline.assess import assess_at, timeline_for
from monitor.pipeline.inputs import load_inputs

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import synthetic_panel  # noqa: E402

ENTITIES = 40


def test_a_universe_keeps_the_lead_and_the_most_serious_histories(tmp_path: Path) -> None:
    folder = synthetic_panel.write_panel(tmp_path, ENTITIES, 48, 6, seed=11)
    inputs = load_inputs(folder / "case", [folder / "rules"])
    at = pd.Timestamp(inputs.case.latest_date())
    timeline = timeline_for(inputs, at, MONTH_END, [at])
    assessment = assess_at(inputs, timeline, at)
    rank = {"firing": 3, "pending": 2, "resolved": 1, "inactive": 0}
    checked = 0
    for rule in assessment.rules:
        if len(rule.entities) <= HISTORY_ENTITIES:
            continue
        checked += 1
        kept = {h["entity"] for h in rule.history}
        assert len(kept) <= HISTORY_ENTITIES
        assert rule.history_omitted == len(rule.entities) - HISTORY_ENTITIES
        measured = {h["entity"] for h in rule.history}
        if rule.entity is not None and rule.entity in measured:
            assert rule.entity in kept
        worst_left_out = max(
            (rank[e.state] for e in rule.entities if e.entity not in kept), default=-1
        )
        lowest_kept = min(
            (rank[e.state] for e in rule.entities if e.entity in kept and e.entity != rule.entity),
            default=4,
        )
        assert worst_left_out <= lowest_kept  # never a firing entity dropped for a calm one
    assert checked, "the panel should have rules over more entities than the cap"
    document = assessment.to_json()
    schema = json.loads((ROOT / "docs" / "report.schema.json").read_text())
    rule_schema = {"$ref": "#/$defs/rule", "$defs": schema["$defs"]}
    for rule_document in document["rules"]:  # the run-level keys come from publish
        jsonschema.validate(rule_document, rule_schema)
    assert any("history_omitted" in r for r in document["rules"])
