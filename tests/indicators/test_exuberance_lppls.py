"""The LPPLS family: confidence of nested-window fits (Sornette et al. 2015) as indicators.

``cases/exuberance_lppls.yaml`` checks a noise-free LPPLS path by hand; below, synthetic
bubbles with a known critical time, random walks, seeds, point in time by truncation,
the per-date cache, and the 1990s Nasdaq of telecom-2000.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from monitor.engine.timeline import compute_indicators
from monitor.indicator import cache
from monitor.indicators import exuberance_lppls
from monitor.indicators.exuberance_lppls_conf import MONTHLY_WINDOWS, confidence

FAMILY = "exuberance_lppls"
NAMES = {"lppls_confidence", "lppls_confidence_negative", "lppls_critical_time"}
EFFORT = exuberance_lppls.EFFORT


def test_case_file(indicator_case, check_case):
    check_case(indicator_case)


def bubble(sign: float = 1.0, n: int = 80, ahead: float = 1.5, seed: int = 0):
    """A monthly LPPLS path with 1% noise whose tc lies ``ahead`` months after the end:
    m 0.5, omega 8, B -0.15 (sign +1: a rise), |C| 0.01 (damping 0.94)."""
    t = 1990 * 12 + np.arange(n, dtype=float)
    tc = t[-1] + ahead
    f = (tc - t) ** 0.5
    w = 8.0 * np.log(tc - t)
    y = 5.0 + sign * (-0.15 * f + 0.01 * f * np.cos(w - 1.0))
    return t, y + np.random.default_rng(seed).normal(0.0, 0.01, n), tc


@pytest.mark.parametrize("seed", [1, 2])
def test_synthetic_bubble_confident_with_its_critical_time(seed):
    t, y, tc = bubble(seed=seed)
    c = confidence(t, y, MONTHLY_WINDOWS, seed=0, effort=EFFORT)
    assert c.positive >= 0.8 and c.negative == 0.0
    assert abs(c.critical_time - tc) <= 1.0  # within a month of the planted tc


def test_mirrored_bubble_is_a_negative_bubble():
    t, y, tc = bubble(sign=-1.0, seed=3)
    c = confidence(t, y, MONTHLY_WINDOWS, seed=0, effort=EFFORT)
    assert c.negative >= 0.8 and c.positive == 0.0
    assert abs(c.critical_time - tc) <= 1.0


def test_random_walks_give_low_confidence():
    # monthly log random walks with the Nasdaq's 1973-2003 drift and volatility (about
    # 0.9% and 6.5% a month), two end dates each (benchmarks/bench_exuberance.py runs more)
    shares = []
    for seed in range(4):
        rng = np.random.default_rng(100 + seed)
        y = np.log(100.0) + np.cumsum(rng.normal(0.009, 0.065, 90))
        t = 1990 * 12 + np.arange(90, dtype=float)
        for end in (60, 89):
            shares.append(confidence(t[: end + 1], y[: end + 1], seed=0, effort=EFFORT)[:2])
    arr = np.array(shares)
    assert np.median(arr[:, 0]) == 0.0 and arr[:, 0].mean() <= 0.15
    assert arr[:, 1].mean() <= 0.15
    assert (arr <= 0.5).mean() >= 0.9  # the rule's level is rarely reached


def test_seeded_fits_reproduce_exactly():
    t, y, _ = bubble(seed=4, n=60)
    a = confidence(t, y, seed=7, effort=EFFORT)
    b = confidence(t, y, seed=7, effort=EFFORT)
    assert a == b or all(math.isnan(x) and math.isnan(z) for x, z in zip(a, b, strict=True))


def _long(frames, name):
    return frames[name].set_index(["entity", "date"])["value"]


@pytest.mark.parametrize("day", ["2000-03-10"])  # the Nasdaq peak
def test_point_in_time_by_truncation(cases, registry, telecom, monkeypatch, tmp_path, day):
    """Recomputed from scratch on the data published by ``day``, the values equal the
    full case's. To keep it cheap the truncated frame holds the closes and one other
    row published in the six months before ``day``, so about a year of months is fitted."""
    observations = cases["telecom-2000"].observations
    visible = observations[observations["published"] <= pd.Timestamp(day)]
    closes = visible[visible["series"] == "nasdaq_close_long"]
    others = visible[visible["series"] != "nasdaq_close_long"]
    recent = others[others["published"] >= pd.Timestamp(day) - pd.DateOffset(months=6)]
    monkeypatch.setenv("MONITOR_CACHE_DIR", str(tmp_path))  # no stored points
    cache.clear_memo()  # and none in memory: every month is fitted again
    frames, errors = compute_indicators(pd.concat([closes, recent.iloc[[0]]]), registry, NAMES)
    assert errors == {}
    for name in NAMES:
        part = _long(frames, name)
        full = _long(telecom, name)
        assert (frames[name]["published"] <= pd.Timestamp(day)).all()
        np.testing.assert_array_equal(part.to_numpy(), full.loc[part.index].to_numpy())
    assert len(_long(frames, "lppls_confidence")) >= 6


def test_a_second_run_computes_only_new_months(cases, monkeypatch, tmp_path):
    monkeypatch.setenv("MONITOR_CACHE_DIR", str(tmp_path))
    observations = cases["telecom-2000"].observations
    # only the price history and one other row published from 2003-10 on: the dates
    # rules need start six months before it (from 2003-04: 6 months, then 3 more)
    closes = observations[observations["series"] == "nasdaq_close_long"]
    others = observations[observations["series"] != "nasdaq_close_long"]
    first_other = others[others["published"] >= "2003-10-01"].iloc[[0]]
    calls: list[int] = []
    real = exuberance_lppls.confidence

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(exuberance_lppls, "confidence", counting)
    cache.clear_memo()
    first = exuberance_lppls.lppls_path(
        pd.concat([closes[closes["date"] <= "2003-09-30"], first_other])
    )
    computed_first = len(calls)
    assert computed_first == len(first)
    cache.clear_memo()
    second = exuberance_lppls.lppls_path(pd.concat([closes, first_other]))
    assert len(calls) - computed_first == 3  # 2003-10, -11, -12: the rest from the files
    pd.testing.assert_frame_equal(second.iloc[: len(first)], first)
    entries = list((tmp_path / "indicators" / "points").glob("*.json"))
    assert len(entries) == len(second)
    entries[0].write_text("{not json")  # a corrupt entry is recomputed, never trusted
    cache.clear_memo()
    again = exuberance_lppls.lppls_path(pd.concat([closes, first_other]))
    assert len(calls) - computed_first == 4
    pd.testing.assert_frame_equal(again, second)


def test_1990s_nasdaq_confident_before_the_march_2000_peak_and_not_after_it(telecom, series_of):
    conf = series_of(telecom["lppls_confidence"], "US")
    assert conf.index.min() == pd.Timestamp("1993-07-30")  # six months before 1994-01
    # a majority of windows sees a positive bubble in the month before the peak
    # (10 March 2000), and none in the bust that follows
    assert conf["2000-02-29"] > 0.5
    assert (conf["2000-06-30":"2002-12-31"] == 0.0).all()
    neg = series_of(telecom["lppls_confidence_negative"], "US")
    assert neg.max() <= 0.2
    ahead = series_of(telecom["lppls_critical_time"], "US")
    # where the February 2000 fits agree, their tc is within months of the peak
    assert 0.0 < ahead["2000-02-29"] <= 6.0


def test_only_the_dates_rules_need_are_computed(cases, computed):
    frames, _ = computed["ai-cycle"]
    dates = frames["lppls_confidence"]["date"]
    # ai-cycle evaluates from 2022-01: six months before, to the last close (2026-03)
    assert dates.min() == pd.Timestamp("2021-07-30")
    assert dates.max() == pd.Timestamp("2026-03-31")


def test_one_close_per_month_is_required(cases):
    observations = cases["telecom-2000"].observations
    closes = observations[observations["series"] == "nasdaq_close_long"].copy()
    extra = closes.iloc[[-1]].assign(date=pd.Timestamp("2003-12-15"))
    with pytest.raises(ValueError, match="one close per calendar month"):
        exuberance_lppls.lppls_path(pd.concat([closes, extra]))
