"""The telecom-2000 backtest against the brief: chronology, scores, figures, point in time."""

from __future__ import annotations

import pandas as pd
import pytest

from monitor.pipeline.backtest import backtest


@pytest.fixture(scope="module")
def telecom(tmp_path_factory):
    out = tmp_path_factory.mktemp("bt")
    return backtest("telecom-2000", end="2003-12-31", out_dir=out).model


def _metric(model, rule):
    return next(m for m in model.metrics if m.rule == rule)


def test_the_brief_s_chronology(telecom):
    entries = {k: pd.Timestamp(v) for k, v in telecom.stage_entries.items()}
    assert entries["1"] <= pd.Timestamp("2000-09-30")
    assert entries["2"] <= pd.Timestamp("2001-03-31")
    assert entries["3"] <= pd.Timestamp("2001-12-31")
    assert entries["1"] <= entries["3"]


def test_120_month_ends_and_every_stage_period_dated(telecom):
    assert len(telecom.timeline) == 120
    assert (telecom.start, telecom.end) == ("1994-01-31", "2003-12-31")
    for stage in telecom.stages:
        assert stage.first_active == stage.periods[0]["start"]
        assert stage.months_active > 0


def test_policy_rate_scores_as_counted_by_hand(telecom):
    """The 1994-95 hiking cycle is a false alarm; the 2000 one fired just before the peak.

    Scored steps: 120 month ends minus the 31 inside the episode (2000-03-31 ..
    2002-09-30) = 89. With an onset on 2000-03-10, the month ends 1998-03-31 ..
    2000-02-29 (24) have it within 24 months: A + C = 24, B + D = 65. The rule fired
    at 16 month ends 1995-01 .. 1996-04 (no onset within 24 months: B = 16) and on
    2000-02-29 (A = 1). Hit rate 1/24, false-alarm rate 16/65, NSR (16/65)/(1/24).
    """
    m = _metric(telecom, "policy-rate-hiking-cycle")
    assert (m.a, m.b, m.c, m.d) == (1, 16, 23, 49)
    assert m.hit_rate == pytest.approx(1 / 24, abs=1e-4)
    assert m.false_alarm_rate == pytest.approx(16 / 65, abs=1e-4)
    assert m.nsr == pytest.approx((16 / 65) / (1 / 24), abs=1e-3)
    assert m.noisy
    for metric in telecom.metrics:
        assert metric.a + metric.b + metric.c + metric.d == 89
        assert metric.a + metric.c == 24


def test_1995_false_alarms_are_named(telecom):
    named = {(x["rule"], x["start"]): x["after_episode"] for x in telecom.false_alarms}
    assert named[("policy-rate-hiking-cycle", "1995-01-31")] is None
    assert named[("pmi-contraction", "1995-06-30")] is None
    # the bear market that began in the bust and ran past the trough is its aftermath
    assert named[("equity-bear-market", "2000-05-31")] == "telecom-bust"
    calm = {start[:4] for (rule, start), after in named.items() if after is None
            and rule != "explosive-root"}  # fmt: skip
    assert calm == {"1995"}
    # the market-exuberance rule (stage 0, added with the PSY statistics) dates the
    # Nasdaq's explosive phase from 1995 as PWY do; its runs that end more than 24
    # months before the 2000 peak are false alarms by KLR's rule all the same
    exuberant = {start for (rule, start), after in named.items() if rule == "explosive-root"}
    assert exuberant == {"1995-11-30", "1997-03-31", "1997-09-30"}


def test_1998_signals_count_as_hits_by_klr(telecom):
    early = {(x["rule"], x["start"]) for x in telecom.early_hits}
    assert ("credit-spread-widening", "1998-10-31") in early
    assert ("pmi-contraction", "1998-07-31") in early
    credit = _metric(telecom, "credit-spread-widening")
    assert credit.a > 0


def test_lead_counts_from_the_period_running_into_the_horizon(telecom):
    rule = next(r for r in telecom.rules if r.rule == "policy-rate-hiking-cycle")
    assert rule.first_firing == "1995-01-31"
    # the 2000-02-29 start, 10 days before the 2000-03-10 peak, not the 1995 one
    assert rule.lead_months["telecom-bust"] == pytest.approx(0.3)


def test_lucent_ratios_match_the_brief(telecom):
    lucent = telecom.figures["lucent"]
    cells = {
        (item["series"], c["fiscal_year"]): c for item in lucent["items"] for c in item["cells"]
    }
    # the brief: 1.06/38.3 = 2.8%, 4.56/21.294 = 21.4%, 1.6/38.3 = 4.2%, 2.96/21.294 = 13.9%
    assert cells[("reserves_total", "FY1999")]["computed_pct"] == 2.8
    assert cells[("reserves_total", "FY2001")]["computed_pct"] == 21.4
    assert cells[("vendor_financing_drawn", "FY1999")]["computed_pct"] == 4.2
    assert cells[("vendor_financing_drawn", "FY2001")]["computed_pct"] == 13.9
    # FY2000 revenue is only implied by the report: no computed share, never an estimate
    assert cells[("bad_debt_reserve", "FY2000")]["computed_pct"] is None
    assert cells[("bad_debt_reserve", "FY2000")]["report_pct"] == 2.1


@pytest.mark.parametrize(("to", "visible"), [("2002-11-30", False), ("2002-12-01", True)])
def test_restated_revenue_is_invisible_the_day_before_its_publication(tmp_path, to, visible):
    """The FY2001 revenue (restated) is published 2002-12-01: the day before, the 13.9%
    vendor-financing share cannot be computed and its rule has not fired."""
    model = backtest("telecom-2000", end=to, step="daily", out_dir=tmp_path).model
    lucent = model.figures["lucent"]
    vendor = next(i for i in lucent["items"] if i["series"] == "vendor_financing_drawn")
    fy2001 = next(c for c in vendor["cells"] if c["fiscal_year"] == "FY2001")
    assert (fy2001["computed_pct"] == 13.9) is visible
    rule = next(r for r in model.rules if r.rule == "vendor-financing-share-high")
    assert (rule.first_firing == "2002-12-01") is visible
    assert bool(rule.firing_periods) is visible


def test_ai_cycle_reports_signal_periods_and_no_klr_counts(tmp_path):
    model = backtest("ai-cycle", end="2026-06-30", out_dir=tmp_path).model
    assert model.episodes == [] and model.metrics == []
    stage1 = model.stages[0]
    assert stage1.periods[0]["start"] == "2023-02-28"
    assert stage1.periods[0]["end"] == "2023-06-30"
    assert all(r.lead_months == {} for r in model.rules)


def test_calibration_reproduces_the_rule_at_its_own_threshold(tmp_path):
    model = backtest(
        "telecom-2000",
        end="2003-12-31",
        out_dir=tmp_path,
        calibrate_rule="policy-rate-hiking-cycle",
    ).model
    cal = model.calibration
    assert cal["in_sample"] is True and cal["value"] == 100
    thresholds = [row["threshold"] for row in cal["rows"]]
    assert thresholds == [50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150]
    current = next(row for row in cal["rows"] if row["current"])
    m = _metric(model, "policy-rate-hiking-cycle")
    assert (current["a"], current["b"], current["c"], current["d"]) == (m.a, m.b, m.c, m.d)
    # a higher bar for ">=" can only fire less
    steps = [row["firing_steps"] for row in cal["rows"]]
    assert steps == sorted(steps, reverse=True)
