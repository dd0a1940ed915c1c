"""Prometheus's own ``for`` / ``keep_firing_for`` cases, one evaluation = one day.

``fixtures/prometheus_states.yaml`` translates the cases of prometheus/prometheus
(``rules/alerting_test.go``: TestKeepFiringFor, TestPendingAndKeepFiringFor;
``rules/manager_test.go``: TestAlertingRule, TestForStateAddSamples,
TestAlertingRuleLabelsUpdate, TestNotify; ``cmd/promtool/testdata/unittest.yml`` and
``failing.yml``; the worked example of ``docs/configuration/unit_testing_rules.md``),
each with its source and commit in the file, plus edge cases derived by hand from
``(*AlertingRule).Eval`` in ``rules/alerting.go``. Prometheus has three states; our
``resolved`` (inactive after having fired) reads as its ``inactive``.

A loop that mirrors ``Eval`` statement by statement (``prometheus_eval`` below) is the
independent reference for a property test over random conditions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from monitor.core.durations import Duration
from monitor.engine.states import AlertState, compute_states

CASES = YAML(typ="safe").load(
    (Path(__file__).parent / "fixtures" / "prometheus_states.yaml").read_text(encoding="utf-8")
)
PROMETHEUS_LABEL = {
    AlertState.INACTIVE: "inactive",
    AlertState.RESOLVED: "inactive",
    AlertState.PENDING: "pending",
    AlertState.FIRING: "firing",
}


def ours(condition: list[bool], for_steps: int, keep_steps: int) -> tuple[list[str], list[Any]]:
    grid = pd.date_range("2020-01-01", periods=len(condition), freq="D", unit="us")
    frame = pd.DataFrame({"X": condition}, index=grid)
    table = compute_states(frame, Duration(for_steps, "d"), Duration(keep_steps, "d"))
    labels = [PROMETHEUS_LABEL[AlertState(int(code))] for code in table.states["X"]]
    return labels, list(table.since["X"])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_prometheus_case(case: dict[str, Any]) -> None:
    labels, since = ours(case["condition"], case["for"], case["keep_firing_for"])
    assert labels == case["expected"], case.get("note", "")
    # the same alert continues (Prometheus keeps its ActiveAt): our firing period
    # keeps its start date instead of starting over
    active = case.get("active_at")
    if active:
        for i in range(1, len(labels)):
            continued = active[i] is not None and active[i] == active[i - 1]
            if continued and labels[i] == labels[i - 1] == "firing":
                assert since[i] == since[i - 1], f"step {i}: a continued alert restarted"


def prometheus_eval(condition: list[bool], for_steps: int, keep_steps: int) -> list[str]:
    """``(*AlertingRule).Eval`` (rules/alerting.go) for one series, one call per step."""
    state, active_at, keep_since = "inactive", -1, None
    out = []
    for ts, holds in enumerate(condition):
        if holds:
            if state == "inactive":  # a new alert; an existing one is kept as it is
                state, active_at = "pending", ts
            keep_since = None
        elif state == "firing" and keep_steps > 0:
            keep_since = ts if keep_since is None else keep_since
            if ts - keep_since >= keep_steps:
                state = "inactive"
        else:  # pending alerts are deleted; firing ones without keep resolve
            state = "inactive"
        if state == "pending" and ts - active_at >= for_steps:
            state = "firing"
        out.append(state)
    return out


def test_reference_loop_agrees_with_the_translated_cases() -> None:
    for case in CASES:
        got = prometheus_eval(case["condition"], case["for"], case["keep_firing_for"])
        assert got == case["expected"], case["name"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.booleans(), min_size=1, max_size=60),
    st.integers(min_value=0, max_value=6),
    st.integers(min_value=0, max_value=6),
)
def test_vectorised_states_equal_the_evaluation_loop(
    condition: list[bool], for_steps: int, keep_steps: int
) -> None:
    assert ours(condition, for_steps, keep_steps)[0] == prometheus_eval(
        condition, for_steps, keep_steps
    )
