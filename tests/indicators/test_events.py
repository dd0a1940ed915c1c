"""The events family: profit warnings, write-downs, restatements, bankruptcies.

``cases/events.yaml`` holds small hand-made inputs with the expected outputs, one test
per case; below, the indicators on the bundled telecom-2000 events against the dates
and sizes of the brief (sec. 2).
"""

from __future__ import annotations

import pandas as pd
import pytest

FAMILY = "events"

EVENTS = {
    "profit_warnings": "profit_warning",
    "inventory_writedowns": "inventory_writedown",
    "restatements": "restatement",
    "bankruptcies": "bankruptcy",
}


def test_case_file(indicator_case, check_case):
    check_case(indicator_case)


@pytest.mark.parametrize("indicator,series", EVENTS.items())
def test_event_indicators_return_the_bundled_events(telecom, cases, registry, indicator, series):
    obs = cases["telecom-2000"].observations
    rows = obs[obs["series"] == series]
    assert not rows.empty
    expected = rows[["entity", "date", "published", "value", "unit"]].sort_values(
        ["entity", "date"]
    )
    expected = expected.rename(columns={"value": "size", "unit": "size_unit"})
    got = telecom[indicator]
    pd.testing.assert_frame_equal(
        got[["entity", "date", "published", "size", "size_unit"]].reset_index(drop=True),
        expected.reset_index(drop=True),
        check_dtype=False,
    )
    # each announcement counts once; sizes in unlike units are never added up
    assert (got["value"] == 1.0).all()
    assert registry.get(indicator).kind == "event"
    assert registry.get(indicator).unit == "count"


def test_event_dates_from_the_brief(telecom):
    warnings = telecom["profit_warnings"]
    assert set(zip(warnings["entity"], warnings["date"].dt.date.astype(str), strict=True)) == {
        ("LU", "2000-01-06"),
        ("LU", "2000-07-20"),
        ("CSCO", "2001-02-06"),
    }
    assert size(warnings, "LU", "2000-01-06") == (30, "%")  # EPS about 30% below expectations
    assert size(telecom["inventory_writedowns"], "CSCO", "2001-04-16") == (2.25, "$bn")
    assert size(telecom["bankruptcies"], "WCOM", "2002-07-21") == (107, "$bn")
    assert size(telecom["restatements"], "ENE", "2001-11-08") == (0.586, "$bn")


def size(frame, entity: str, date: str) -> tuple[float, str]:
    row = frame[(frame["entity"] == entity) & (frame["date"] == pd.Timestamp(date))].iloc[0]
    return float(row["size"]), str(row["size_unit"])
