"""The market-exuberance rules in the telecom-2000 backtest: lead before the March 2000 peak.

Issue 16's "done when": the backtest shows the exuberance rules' lead time before the
Nasdaq peak of 10 March 2000 (the telecom-bust onset in case.yaml).
"""

from __future__ import annotations

import pytest

from monitor.pipeline.backtest import backtest


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    out = tmp_path_factory.mktemp("bt-exuberance")
    return backtest("telecom-2000", end="2003-12-31", out_dir=out).model


def _rule(model, rule_id):
    return next(r for r in model.rules if r.rule == rule_id)


def _metric(model, rule_id):
    return next(m for m in model.metrics if m.rule == rule_id)


def test_bsadf_rule_fires_through_the_peak_with_the_full_horizon_as_lead(model):
    record = _rule(model, "explosive-root")
    assert record.first_firing == "1995-11-30"  # within six months of PWY's June 1995
    # a run was firing 24 months before the peak (1997-09-30 .. 1998-08-31), so the lead
    # is the whole 24-month signal horizon; the run that contains the peak began 1999-01
    assert ["1999-01-31", "2000-11-30"] in record.firing_periods
    assert record.lead_months["telecom-bust"] == pytest.approx(24.0)


def test_lppls_rule_leads_the_peak_and_gives_no_false_alarm(model):
    record = _rule(model, "lppls-bubble-confidence")
    # June 1998 (13 of 19 windows, known 1 July) and February 2000 (14 of 19, known
    # 1 March): at month ends 1998-07-31 and 2000-03-31; 2000-03-10 - 1998-07-31 is
    # 19.3 months (587 days / 30.44)
    assert record.first_firing == "1998-07-31"
    assert record.firing_periods[0] == ["1998-07-31", "1998-11-30"]
    assert record.firing_periods[1][0] == "2000-03-31"
    assert record.lead_months["telecom-bust"] == pytest.approx(19.3, abs=0.05)
    m = _metric(model, "lppls-bubble-confidence")
    assert m.b == 0  # no month end firing outside the 24 months before the onset
