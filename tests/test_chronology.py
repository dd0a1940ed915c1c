"""The 2000 telecom bust, replayed point in time: do the stages fire as the brief says?

The brief (domain.md sec. 2): stage 1 (tightening, Nasdaq break, wider spreads) in
H1 2000; stage 2 with Lucent's second, "structural" warning of 20 July 2000; stage 3
with the inventory write-downs and reserve surges of 2001. The assertions read the
stage entries from the evaluated data, not from a table of expected answers.
"""

from __future__ import annotations

import pandas as pd
import pytest

from monitor.data.case import load_case
from monitor.pipeline import assess_case


@pytest.fixture(scope="module")
def telecom():
    return load_case("telecom-2000")


@pytest.fixture(scope="module")
def timeline(telecom):
    return assess_case(telecom, pd.Timestamp("2003-12-31")).timeline


def first_entry(timeline, stage: int, after: str) -> pd.Timestamp:
    active = timeline.stage_active[stage]
    active = active[active.index > pd.Timestamp(after)]
    entries = active & ~active.shift(1, fill_value=False)
    assert entries.any(), f"stage {stage} never entered after {after}"
    return entries[entries].index[0]


def test_stage_0_at_end_of_september_1999(telecom):
    assessment = assess_case(telecom, pd.Timestamp("1999-09-30")).assessment
    assert assessment.stage == 0
    assert not any(s.active for s in assessment.stages)


def test_stage_3_by_mid_2002(telecom):
    assessment = assess_case(telecom, pd.Timestamp("2002-06-30")).assessment
    assert assessment.stage == 3
    stage3 = next(s for s in assessment.stages if s.stage == 3)
    assert stage3.active and len(stage3.firing) >= 2


def test_stages_enter_in_order_and_in_the_documented_months(timeline):
    entry = {n: first_entry(timeline, n, "1999-09-30") for n in (1, 2, 3)}
    assert entry[1] < entry[2] < entry[3]
    # stage 1: H1 2000 (hikes to May 2000, Nasdaq break from March 2000)
    assert pd.Timestamp("2000-01-01") <= entry[1] <= pd.Timestamp("2000-06-30")
    # stage 2: July 2000, Lucent's second warning
    assert entry[2].to_period("M") == pd.Period("2000-07", "M")
    # stage 3: 2001, write-downs and reserve surges
    assert entry[3].year == 2001


def test_stage_entries_precede_the_crash_events(timeline, telecom):
    enron = next(e.date for e in telecom.crisis_events if "Enron bankruptcy" in e.title)
    worldcom = next(e.date for e in telecom.crisis_events if "WorldCom bankruptcy" in e.title)
    assert first_entry(timeline, 3, "1999-09-30") < enron < worldcom


def test_lucent_first_warning_is_the_first_micro_signal(timeline):
    """6 Jan 2000: the canary fires a stage-2 rule before any stage is active."""
    firing = timeline.firing["profit-warning"]
    first = firing[firing].index[0]
    assert first == pd.Timestamp("2000-01-06")
    assert int(timeline.stage.loc[first]) == 0


def test_overall_stage_never_goes_backwards_during_the_bust(timeline):
    bust = timeline.stage.loc["2000-05-31":"2002-12-31"]
    assert (bust.diff().fillna(0) >= 0).all()
