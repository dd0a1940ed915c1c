"""The plugin contract at run time: one failing indicator is reported, never fatal."""

from __future__ import annotations

import pandas as pd

from monitor.data.case import load_case
from monitor.engine.timeline import compute_indicators
from monitor.indicator import Indicator
from monitor.indicator.registry import Registry, load_registry


class Exploding(Indicator):
    """Always fails (test double)."""

    name = "exploding_test"
    title = "Exploding"
    unit = "x"

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        raise RuntimeError("kaboom")


def test_failing_indicator_is_isolated():
    registry = load_registry()
    reg = Registry(
        indicators={"exploding_test": Exploding(), "pmi": registry.get("pmi")},
        origins={"exploding_test": "test", "pmi": "macro"},
    )
    frames, errors = compute_indicators(
        load_case("telecom-2000").observations, reg, {"exploding_test", "pmi"}
    )
    assert set(errors) == {"exploding_test"}
    assert "RuntimeError" in errors["exploding_test"] and "kaboom" in errors["exploding_test"]
    assert len(frames["pmi"]) == 120
