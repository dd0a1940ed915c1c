"""Point in time: an evaluation at T sees only what was published by T.

The vectorised timeline (one evaluation over all dates) must agree with a separate
evaluation whose data were cut off at T: otherwise a backtest would be reading the
future.
"""

from __future__ import annotations

import pandas as pd
import pytest

from monitor.data.case import load_case
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


def _with_row(case, row: dict) -> pd.DataFrame:
    extra = pd.DataFrame([row]).astype({"date": "datetime64[us]", "published": "datetime64[us]"})
    return pd.concat([case.observations, extra], ignore_index=True)


def test_a_late_restatement_does_not_rewrite_what_was_known_earlier(telecom):
    """A restated FY2000 revenue published in Dec 2002 must not erase the 33%
    receivables ratio the brief reports (known since Dec 2000) from 2001's view."""
    from monitor.engine.timeline import evaluate
    from monitor.indicator.registry import load_registry
    from monitor.pipeline import load_ruleset

    restated = {
        "series": "revenue",
        "entity": "LU",
        "date": "2000-09-30",
        "value": 28.9,
        "published": "2002-12-01",
        "unit": "$bn",
        "source": "hypothetical restatement",
    }
    observations = _with_row(telecom, restated)
    registry = load_registry()
    ruleset = load_ruleset(registry)
    full = evaluate(observations, ruleset, registry, end=pd.Timestamp("2003-06-30"))
    cut = evaluate(observations, ruleset, registry, end=pd.Timestamp("2001-06-30"))
    measure = full.results["receivables-swelling"].measure["LU"]
    assert measure.loc["2001-06-30"] == pytest.approx(33.0)
    frame = full.indicators["receivables_to_revenue"]
    vintages = frame[frame["date"] == pd.Timestamp("2000-09-30")]
    assert sorted(vintages["value"].round(2)) == [33.0, round(9.56 / 28.9 * 100, 2)]
    assert cut.results["receivables-swelling"].measure["LU"].iloc[-1] == pytest.approx(33.0)
    row = full.position(pd.Timestamp("2001-06-30"))
    assert float(full.score.iloc[row]) == pytest.approx(float(cut.score.iloc[-1]))


def test_stale_values_stop_counting_as_current_readings(telecom):
    """An annual ratio older than two years is history: it no longer fires a rule."""
    early = assess_case(telecom, pd.Timestamp("2001-06-30")).assessment
    late = assess_case(telecom, pd.Timestamp("2003-06-30")).assessment
    card = {r.id: r for r in early.rules}["receivables-swelling"]
    assert card.state == "firing" and card.value == pytest.approx(33.0)
    card = {r.id: r for r in late.rules}["receivables-swelling"]
    assert card.state in ("resolved", "inactive") and card.value is None


def test_monthly_series_without_recent_data_is_not_read_as_today():
    from monitor.data.case import load_case

    ai = load_case("ai-cycle")
    last_pmi = ai.observations.query("series == 'ism_pmi'")["date"].max()
    as_of = last_pmi + pd.DateOffset(months=8)
    card = {r.id: r for r in assess_case(ai, as_of).assessment.rules}["pmi-contraction"]
    assert card.value is None and card.state != "firing"
