"""The macro family (stage 1 of the brief): policy rate, effective fed funds, PMI, payrolls.

``cases/macro.yaml`` holds small hand-made inputs with hand-worked outputs, one test per
case; below, the indicators on the bundled telecom-2000 case against the brief's figures
(brief sec. 2), computed here from the brief, never read back from the code.
"""

from __future__ import annotations

import pandas as pd
import pytest

FAMILY = "macro"


def test_case_file(indicator_case, check_case):
    check_case(indicator_case)


def test_policy_rate(telecom, series_of):
    f = series_of(telecom["policy_rate"], "US")
    assert f["2000"].max() == 6.5
    # brief: "from 4.75% to 6.5%", +175 bp, the last hike on 16 May 2000
    in_force_before = f[: pd.Timestamp("1999-05-16")].iloc[-1]
    assert in_force_before == 4.75
    assert f[pd.Timestamp("2000-05-16")] - in_force_before == pytest.approx(1.75)
    # brief: held 4.75%-6% in 1995-1999
    held = f["1995-01-01":"1999-12-31"]
    assert held.min() == 4.75 and held.max() == 6.0


def test_fed_funds_effective(telecom, cases, series_of, bundled):
    f = series_of(telecom["fed_funds_effective"], "US")
    pd.testing.assert_series_equal(
        f, bundled(cases["telecom-2000"], "fed_funds_effective", "US"), check_names=False
    )
    # monthly averages stay close to the 4.75%-6% target range of 1995-1999
    held = f["1995-01-01":"1999-12-31"]
    assert held.min() >= 4.75 - 0.15 and held.max() <= 6.0 + 0.15


def test_pmi(telecom, series_of):
    f = series_of(telecom["pmi"], "US")
    # peaked in late 1999
    assert f["1999-01-01":"2000-12-31"].idxmax() >= pd.Timestamp("1999-09-01")
    assert f["1999-01-01":"2000-12-31"].idxmax() <= pd.Timestamp("1999-12-31")
    # marked drop in August 2000, below 50
    assert f["2000-08-01"] < 50 <= f["2000-07-01"]
    # about 42 in early 2001
    assert f["2001-01-01":"2001-02-28"].mean() == pytest.approx(42, abs=1)


def test_payroll_growth_is_three_month_average_of_changes(telecom, cases, bundled, value):
    payrolls = bundled(cases["telecom-2000"], "payrolls", "US")
    month = pd.Timestamp("2001-03-01")
    levels = payrolls[pd.Timestamp("2000-12-01") : month]
    assert len(levels) == 4
    changes = levels.diff().dropna()
    expected = changes.mean()
    assert expected == pytest.approx((levels.iloc[-1] - levels.iloc[0]) / 3)
    f = telecom["payroll_growth"]
    assert value(f, "US", month) == pytest.approx(expected)
    # known when the March level is: date + 37 days (case.yaml publication lag)
    row = f[f["date"] == month].iloc[0]
    assert row["published"] == month + pd.Timedelta(days=37)
    # three changes need four levels: the first value is for the fourth month
    assert f["date"].min() == payrolls.index[3]
