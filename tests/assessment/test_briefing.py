"""The executive summary's lines: why it fires, what clears it, what escalates it."""

from __future__ import annotations

import pytest

from monitor.pipeline import run


@pytest.fixture(scope="module")
def summaries(tmp_path_factory):
    out = tmp_path_factory.mktemp("briefing")
    ai = run("ai-cycle", out_dir=out / "ai").assessment.summary
    telecom = run("telecom-2000", as_of="2001-06-30", out_dir=out / "t").assessment.summary
    return ai, telecom


def _line(summary, rule):
    return next(x for x in summary["alerts"] if x["rule"] == rule)


def test_escalation_counts_the_rules_the_next_stage_still_needs(summaries):
    ai, _ = summaries
    # stage 1 needs 3 firing stage-1 rules; on 2026-08-07 only the payroll rule fires
    payroll = _line(ai, "payroll-growth-stalling")
    assert payroll["escalates"] == "2 more stage-1 rules firing would activate stage 1"
    assert payroll["why"].startswith("20 k persons") and "below 50 k persons" in payroll["why"]
    assert "stays so for 3mo (keep_firing_for)" in payroll["clears_if"]


def test_held_alert_says_it_clears_by_itself(summaries):
    _, telecom = summaries
    held = _line(telecom, "policy-rate-hiking-cycle")
    assert held["why"].startswith("held by keep_firing_for 6mo until 2001-07-02")
    assert "clears after 2001-07-02" in held["clears_if"]
    # a warning's weight 3 of all 78 points of risk weight (72 before the stage-0
    # market-exuberance rules joined the bundled set, 75 before lppls-bubble-confidence):
    # 3 / 78 * 100 = 3.85, shown as 3.9 (the parts are apportioned to whole tenths)
    assert _line(telecom, "fed-easing")["escalates"].startswith("if it stops, 3.9 points")


def test_closest_to_triggering_and_calibration(summaries):
    ai, telecom = summaries
    # the Nasdaq 9.0% below its peak (March 2026 close) against <= -25%: 16 points
    # short, 64% of the threshold; the policy rate (-0.75 pp against >= 1 pp since the
    # December 2025 cut) is 175% of its threshold away
    closest = ai["closest"][0]
    assert closest["rule"] == "equity-bear-market"
    assert closest["gap"] == pytest.approx(16.0, abs=0.01)
    # the LPPLS confidence (0 in March 2026 against > 0.5) is 100% of its threshold
    # away, closer than the policy rate's 175%
    assert ai["closest"][1]["rule"] == "lppls-bubble-confidence"
    assert ai["closest"][2]["rule"] == "policy-rate-hiking-cycle"
    # the stage-0 market-exuberance rules joined the bundled set: 78 points of risk
    # weight, not 72; every score scales by 75 / 78 since lppls-bubble-confidence
    assert ai["calibration"]["share_pct"] == 25  # 14.1 / 56.4
    assert telecom["calibration"]["share_pct"] == 73  # 41.1 / 56.4
