"""KLR scoring on a small example computed by hand, and its edge cases."""

from __future__ import annotations

import pandas as pd
import pytest

from monitor.assessment import klr
from monitor.assessment.periods import Period, duration_months, lead_months, periods

# Twelve month ends of 2000, one episode from 15 July to 31 August, a 3-month horizon.
TIMES = pd.date_range("2000-01-31", periods=12, freq="ME")
EPISODE = [klr.Window(pd.Timestamp("2000-07-15"), pd.Timestamp("2000-08-31"))]
ON = {"2000-02-29", "2000-05-31", "2000-06-30", "2000-07-31", "2000-10-31"}
SIGNAL = pd.Series([t.date().isoformat() in ON for t in TIMES], index=TIMES)


def test_counts_match_the_hand_computation():
    # An onset lies within 3 months after Apr 30 (Jul 30 >= Jul 15), May 31 and Jun 30;
    # not after Mar 31 (Jun 30 < Jul 15). Jul 31 and Aug 31 fall inside the episode and
    # are not scored, leaving 10 steps.
    #   A: signal with an onset ahead    = May, Jun            = 2
    #   B: signal, no onset ahead        = Feb, Oct (Jul out)  = 2
    #   C: no signal, onset ahead        = Apr                 = 1
    #   D: no signal, no onset ahead     = Jan, Mar, Sep, Nov, Dec = 5
    counts = klr.score(SIGNAL, EPISODE, horizon_months=3)
    assert (counts.a, counts.b, counts.c, counts.d) == (2, 2, 1, 5)
    assert counts.hit_rate == pytest.approx(2 / 3)
    assert counts.false_alarm_rate == pytest.approx(2 / 7)
    # NSR = (2/7) / (2/3) = 6/14 = 3/7
    assert counts.nsr == pytest.approx(3 / 7)
    assert not counts.noisy
    assert klr.weight(counts) == pytest.approx(7 / 3)


def test_no_hits_leave_the_ratio_undefined_and_flagged():
    only_false = pd.Series([t.month == 1 for t in TIMES], index=TIMES)
    counts = klr.score(only_false, EPISODE, 3)
    assert (counts.a, counts.b, counts.c, counts.d) == (0, 1, 3, 6)
    assert counts.hit_rate == 0
    assert counts.nsr is None
    assert counts.noisy
    assert klr.weight(counts) == 0


def test_no_false_signals_give_a_ratio_of_zero_and_a_capped_weight():
    clean = pd.Series([t.month in (5, 6) for t in TIMES], index=TIMES)
    counts = klr.score(clean, EPISODE, 3)
    assert (counts.a, counts.b) == (2, 0)
    assert counts.nsr == 0
    assert not counts.noisy
    assert klr.weight(counts) == pytest.approx(1 / klr.NSR_FLOOR)


def test_a_ratio_of_one_or_more_is_no_better_than_noise():
    # Signals at every scored step: hit rate 3/3 and false-alarm rate 7/7, NSR 1.
    always = pd.Series(True, index=TIMES)
    counts = klr.score(always, EPISODE, 3)
    assert counts.nsr == pytest.approx(1.0)
    assert counts.noisy


def test_no_episode_means_no_hit_rate():
    counts = klr.score(SIGNAL, [], 3)
    assert counts.a + counts.c == 0
    assert counts.hit_rate is None and counts.nsr is None


def test_composite_weighs_rules_by_inverse_nsr():
    signals = pd.DataFrame(
        {"x": [True, False, True], "y": [True, True, False]},
        index=TIMES[:3],
    )
    # weights 3 and 1: both firing 100, only y 25, only x 75
    values = klr.composite(signals, {"x": 3.0, "y": 1.0, "noise": 0.0})
    assert values.tolist() == pytest.approx([100.0, 25.0, 75.0])
    assert klr.composite(signals, {"x": 0.0}).isna().all()


def test_periods_and_leads():
    flag = pd.Series([False, True, True, False, True], index=TIMES[:5])
    runs = periods(flag)
    assert runs == [
        Period(pd.Timestamp("2000-02-29"), pd.Timestamp("2000-03-31")),
        Period(pd.Timestamp("2000-05-31"), None),
    ]
    assert duration_months(runs[0], pd.DatetimeIndex(flag.index)) == pytest.approx(2.0)
    onset = pd.Timestamp("2000-06-15")
    # 2000-02-29 to 2000-06-15 is 107 days = 3.5 months (107 / 30.4375)
    assert lead_months(runs, onset, 24, TIMES[4]) == pytest.approx(3.5)
    # with a 2-month horizon the Feb-Mar period ended before the window (Apr 15): the
    # open May period leads by 15 days = 0.5 months
    assert lead_months(runs, onset, 2, TIMES[4]) == pytest.approx(0.5)
    # a period that began long before the window counts from the window's start
    old = [Period(pd.Timestamp("1995-01-31"), None)]
    assert lead_months(old, onset, 24, TIMES[4]) == pytest.approx(24.0, abs=0.1)
    # firing only after the onset is no lead
    late = [Period(pd.Timestamp("2000-07-31"), None)]
    assert lead_months(late, onset, 24, TIMES[4]) is None
