"""The investment family: capex against revenue, capex and order growth, circular financing.

``cases/investment.yaml`` holds small hand-made inputs with hand-worked outputs, one
test per case; below, the indicators on both bundled cases against the brief's figures
(brief sec. 3 and 4), computed here from the brief, never read back from the code.
"""

from __future__ import annotations

import pandas as pd
import pytest

FAMILY = "investment"
FY2001 = pd.Timestamp("2001-09-30")


def test_case_file(indicator_case, check_case):
    check_case(indicator_case)


def test_capex_to_revenue(telecom, ai, value):
    clec = value(telecom["capex_to_revenue"], "CLEC", "1999-12-31")
    assert clec == pytest.approx(15.1 / 6.3)
    assert round(clec, 1) == 2.4
    openai = ai["capex_to_revenue"]
    rows = openai[openai["entity"] == "OPENAI"]
    assert len(rows) == 1
    assert rows["value"].iloc[0] == pytest.approx(1000 / 10 / 13)


def test_capex_growth_is_empty_without_two_years(telecom, ai):
    # only CLEC 1999 capex is bundled: nothing to compare it with, so no growth figure
    assert telecom["capex_growth"].empty
    assert ai["capex_growth"].empty


def test_order_growth(telecom, value):
    assert value(telecom["order_growth"], "LU", FY2001) == -40


def test_circular_financing_running_total(ai):
    f = ai["circular_financing"]
    nvda = f[f["entity"] == "NVDA"].sort_values("published")
    # brief sec. 4: up to $100 bn to OpenAI, then $3 bn to CoreWeave + $6.3 bn guarantee
    assert nvda["value"].tolist() == pytest.approx([100, 100 + 3 + 6.3])
    assert nvda["published"].tolist() == [pd.Timestamp("2025-09-23"), pd.Timestamp("2025-10-31")]
    # AMD's warrants: $30-40 bn, the low end counts (not low + high)
    assert f.loc[f["entity"] == "AMD", "value"].tolist() == [30]
    assert f.loc[f["entity"] == "CRWV", "value"].tolist() == pytest.approx([0.35])
