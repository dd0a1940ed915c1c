"""What changed since the previous report: rules started and stopped, stage and score moves."""

from __future__ import annotations

from monitor.assessment.changes import compare


def test_changes_list_rules_that_started_and_stopped_firing():
    before = {
        "as_of": "2025-01-31",
        "stage": 1,
        "score": 20.0,
        "stages": [{"stage": 1, "active": True}, {"stage": 2, "active": False}],
        "alerts": [
            {"rule": "a", "entity": "US", "state": "firing", "stage": 1},
            {"rule": "b", "entity": "US", "state": "firing", "stage": 1},
        ],
    }
    after = {
        "stage": 2,
        "score": 31.5,
        "stages": [{"stage": 1, "active": True}, {"stage": 2, "active": True}],
        "alerts": [
            {"rule": "b", "entity": "US", "state": "firing", "stage": 1},
            {"rule": "c", "entity": "LU", "state": "firing", "stage": 2},
            {"rule": "d", "entity": "LU", "state": "pending", "stage": 2},
        ],
    }
    changes = compare(after, before, {"c": "Rule C"}, "x-2025-01-31.html")
    assert [(i["rule"], i["title"]) for i in changes["started"]] == [("c", "Rule C")]
    assert [i["rule"] for i in changes["stopped"]] == ["a"]
    assert changes["stage_move"] == 1 and changes["score_delta"] == 11.5
    assert changes["stages_activated"] == [2] and changes["any"]
    assert changes["previous"]["report"] == "x-2025-01-31.html"
    first = compare(after, None)
    assert first["previous"] is None and not first["any"]
