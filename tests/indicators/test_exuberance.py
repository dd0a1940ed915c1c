"""The exuberance family: PSY (2015) BSADF / GSADF on the long monthly Nasdaq history.

``cases/exuberance.yaml`` checks the statistic against a naive OLS per window; below,
the anchors of the issue on the bundled telecom-2000 case (PWY 2011 date the
origination of the 1990s Nasdaq exuberance to June 1995 and the collapse to 2000-2001),
point in time by truncation, and the data-fingerprint cache.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from monitor.engine.timeline import compute_indicators
from monitor.indicators import exuberance
from monitor.indicators.exuberance_cv import load_table
from monitor.indicators.exuberance_stats import date_stamp, min_window_for

FAMILY = "exuberance"
NAMES = {
    "explosive_root",
    "explosive_root_cv95",
    "explosive_root_gsadf",
    "explosive_root_gsadf_cv95",
}


def test_case_file(indicator_case, check_case):
    check_case(indicator_case)


def test_minimum_window_is_psy_rule_for_the_telecom_span_and_held():
    # 372 months (1973-01 .. 2003-12): 372 * (0.01 + 1.8 / sqrt(372)) = 38.44 -> 38
    assert exuberance.SPAN_MONTHS == 372
    assert exuberance.MIN_WINDOW_MONTHS == 38 == min_window_for(372)
    table = load_table()
    assert int(table["min_window"].iloc[0]) == 38 and int(table["lags"].iloc[0]) == 0
    assert int(table["n_obs"].max()) >= 662  # the ai-cycle history, 1971-02 .. 2026-03


def test_long_series_are_their_own_and_span_what_the_issue_asks(cases, bundled):
    long_t = bundled(cases["telecom-2000"], "nasdaq_close_long", "US")
    assert (long_t.index.min(), long_t.index.max()) == (
        pd.Timestamp("1973-01-31"),
        pd.Timestamp("2003-12-31"),
    )
    assert len(long_t) == 372  # every month, no gap
    assert long_t["2000-02-29"] == pytest.approx(4696.69)  # FRED NASDAQCOM anchor
    # the stage-1 series keeps its window (no 1974, 1987 or 1990 drawdown alarms)
    short = bundled(cases["telecom-2000"], "nasdaq_close", "US")
    assert short.index.min() == pd.Timestamp("1994-01-31")
    long_ai = bundled(cases["ai-cycle"], "nasdaq_close_long", "US")
    assert long_ai.index.min() == pd.Timestamp("1971-02-26") and len(long_ai) == 662


def _episodes(frames, min_duration=3):
    b = frames["explosive_root"].set_index("date")["value"]
    c = frames["explosive_root_cv95"].set_index("date")["value"].reindex(b.index)
    months = b.index.strftime("%Y-%m")
    runs = date_stamp(b.to_numpy(), c.to_numpy(), min_duration)
    return [(months[s], None if e is None else months[e]) for s, e in runs]


def test_1990s_origination_within_six_months_of_june_1995_and_end_by_mid_2001(telecom):
    frames = {n: telecom[n][telecom[n]["entity"] == "US"] for n in NAMES}
    episodes = _episodes(frames)
    in_90s = [e for e in episodes if "1994-01" <= e[0] <= "2001-12"]
    first, last = in_90s[0], in_90s[-1]
    # PWY (2011): June 1995; allowed 1994-12 .. 1995-12
    assert "1994-12" <= first[0] <= "1995-12", episodes
    assert last[1] is not None and last[1] <= "2001-06", episodes
    # the last 1990s episode covers the March 2000 peak
    assert last[0] <= "2000-03" <= last[1]


def test_gsadf_rejects_no_bubble_for_1973_2003(telecom):
    g = telecom["explosive_root_gsadf"].set_index("date")["value"]
    cv = telecom["explosive_root_gsadf_cv95"].set_index("date")["value"]
    assert g.iloc[-1] > cv.iloc[-1]
    # the largest BSADF of the sample is that of February 2000 (monthly closes)
    b = telecom["explosive_root"].set_index("date")["value"]
    assert b.idxmax() == pd.Timestamp("2000-02-29")
    assert g.iloc[-1] == pytest.approx(b.max())


def _visible(observations, day):
    return observations[observations["published"] <= pd.Timestamp(day)]


@pytest.mark.parametrize("day", ["1995-08-01", "1999-12-31", "2000-03-31", "2001-07-01"])
def test_point_in_time_by_truncation(cases, registry, telecom, day):
    """The value at t is unchanged when the closes after t are removed."""
    observations = cases["telecom-2000"].observations
    frames, errors = compute_indicators(_visible(observations, day), registry, NAMES)
    assert errors == {}
    for name in NAMES:
        full = telecom[name].set_index(["entity", "date"])["value"]
        part = frames[name].set_index(["entity", "date"])["value"]
        assert len(part) > 0
        np.testing.assert_array_equal(part.to_numpy(), full.loc[part.index].to_numpy())
        assert (frames[name]["published"] <= pd.Timestamp(day)).all()


def test_cache_by_fingerprint_returns_the_same_path_and_ignores_a_bad_entry(
    cases, monkeypatch, tmp_path
):
    observations = cases["telecom-2000"].observations
    fresh = exuberance.bsadf_path(observations)
    monkeypatch.setenv("MONITOR_CACHE_DIR", str(tmp_path))
    first = exuberance.bsadf_path(observations)
    entries = list((tmp_path / "indicators").glob("*.json"))
    assert len(entries) == 1  # one entity, one fingerprint
    assert json.loads(entries[0].read_text())["format"] == "path-v1"
    again = exuberance.bsadf_path(observations)
    pd.testing.assert_frame_equal(first, fresh)
    pd.testing.assert_frame_equal(again, fresh)
    entries[0].write_text("{not json")
    pd.testing.assert_frame_equal(exuberance.bsadf_path(observations), fresh)
    # other data, other fingerprint: a second entry, never the first one's values
    exuberance.bsadf_path(_visible(observations, "1999-12-31"))
    assert len(list((tmp_path / "indicators").glob("*.json"))) == 2


def test_non_positive_close_is_a_clear_error(cases):
    observations = cases["telecom-2000"].observations.copy()
    row = observations.index[observations["series"] == "nasdaq_close_long"][5]
    observations.loc[row, "value"] = 0.0
    with pytest.raises(ValueError, match="nasdaq_close_long: close 0.0 on 1973-06-29"):
        exuberance.bsadf_path(observations)
