"""The markets family (stage 1 of the brief): Nasdaq drawdown and the high-yield spread.

``cases/markets.yaml`` holds small hand-made inputs with hand-worked outputs, one test
per case; below, the indicators on the bundled telecom-2000 case against the brief's
figures (brief sec. 2), computed here from the brief, never read back from the code.
"""

from __future__ import annotations

import pandas as pd
import pytest

FAMILY = "markets"


def test_case_file(indicator_case, check_case):
    check_case(indicator_case)


def test_equity_drawdown(telecom, cases, series_of, bundled):
    closes = bundled(cases["telecom-2000"], "nasdaq_close", "US")
    expected = (closes / closes.cummax() - 1) * 100
    got = series_of(telecom["equity_drawdown"], "US")
    pd.testing.assert_series_equal(got, expected, check_names=False)
    bust = got["2000-01-01":"2002-12-31"]
    # month-end closes: about -75%; the brief's -78% is the daily trough (9 Oct 2002)
    assert bust.min() == pytest.approx(-75, abs=1.0)
    assert bust.idxmin().year == 2002
    # brief: -60% by March 2001
    assert got["2001-03-01":"2001-03-31"].iloc[0] == pytest.approx(-60, abs=3)
    assert got.max() == 0


def test_credit_spread_widened_in_2000(telecom, series_of):
    f = series_of(telecom["credit_spread"], "US")
    assert f["2000-12-01":"2000-12-31"].iloc[-1] > f["1999-12-01":"1999-12-31"].iloc[-1] + 2
