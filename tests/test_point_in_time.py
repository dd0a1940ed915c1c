"""Point in time: an evaluation at T sees only what was published by T.

The vectorised timeline (one evaluation over all dates) must agree with a separate
evaluation whose data were cut off at T: otherwise a backtest would be reading the
future.
"""

from __future__ import annotations

import pandas as pd
import pytest

from monitor.case import load_case
from monitor.pipeline import assess_case

DATES = [
    "1999-11-30",
    "2000-01-06",
    "2000-07-19",
    "2000-07-20",
    "2000-11-30",
    "2000-12-01",
    "2001-04-16",
    "2001-12-31",
    "2002-06-30",
]


@pytest.fixture(scope="module")
def telecom():
    return load_case("telecom-2000")


@pytest.fixture(scope="module")
def full(telecom):
    return assess_case(telecom, pd.Timestamp("2003-12-31")).timeline


@pytest.mark.parametrize("as_of", DATES)
def test_timeline_row_equals_cut_off_evaluation(telecom, full, as_of):
    t = pd.Timestamp(as_of)
    cut = assess_case(telecom, t).timeline
    row = full.position(t)
    assert int(full.stage.iloc[row]) == int(cut.stage.iloc[-1])
    assert float(full.score.iloc[row]) == pytest.approx(float(cut.score.iloc[-1]))
    for rule_id, result in cut.results.items():
        mine = result.table.states.iloc[-1]
        theirs = full.results[rule_id].table.states.iloc[row].reindex(mine.index)
        assert (mine.values == theirs.values).all(), rule_id


def test_fy2000_reserves_invisible_before_the_10k(telecom):
    """Lucent's FY2000 bad-debt reserve ratio is not knowable in November 2000."""
    before = assess_case(telecom, pd.Timestamp("2000-11-30")).assessment
    after = assess_case(telecom, pd.Timestamp("2000-12-01")).assessment
    rule_before = next(r for r in before.rules if r.id == "bad-debt-reserve-surge")
    rule_after = next(r for r in after.rules if r.id == "bad-debt-reserve-surge")
    assert rule_before.value is None and rule_before.state == "inactive"
    assert rule_after.value == pytest.approx(46.5) and rule_after.state == "firing"


def test_observations_published_later_are_not_used(telecom):
    as_of = pd.Timestamp("2000-06-30")
    result = assess_case(telecom, as_of)
    for frame in result.timeline.indicators.values():
        assert (frame["published"] <= as_of).all()
