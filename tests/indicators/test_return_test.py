"""The return-test family: the revenue that would make the AI capex pay (brief sec. 6).

``cases/return_test.yaml`` holds small hand-made inputs with hand-worked outputs, one
test per case; below, the indicators on the bundled ai-cycle case, with the brief's
arithmetic worked out here, never read back from the code.
"""

from __future__ import annotations

import pytest

FAMILY = "return_test"


def test_case_file(indicator_case, check_case):
    check_case(indicator_case)


def test_required_ai_revenue_and_gap(ai, value):
    investment, depreciation, roe, tax, margin, advertising = 3000, 0.3, 0.3, 0.25, 0.6, 1000
    ebitda = depreciation * investment + roe * investment / (1 - tax)
    assert ebitda == pytest.approx(2100)  # brief: about $2 tn a year
    required = ebitda / margin
    assert required == pytest.approx(3500)
    assert value(ai["required_ai_revenue"], "MARKET", "2025-10-31") == pytest.approx(required)
    gap = value(ai["required_revenue_gap"], "MARKET", "2025-10-31")
    assert gap == pytest.approx(required / advertising) == pytest.approx(3.5)


def test_the_return_test_keeps_its_range(ai):
    """Both ends of the brief's "$3.3-6 tn" from the bundled inputs: 2100 $bn of EBITDA
    at a 60% margin is 3500, at a 30% margin 7000 (the brief rounds); against $1 tn of
    advertising that is 3.5x to 7x."""
    ebitda = 0.3 * 3000 + 0.3 * 3000 / (1 - 0.25)
    revenue = ai["required_ai_revenue"]
    row = revenue[revenue["date"] == "2025-10-31"].iloc[0]
    assert (row["low"], row["high"]) == (pytest.approx(ebitda / 0.6), pytest.approx(ebitda / 0.3))
    assert row["high"] == pytest.approx(7000)
    gap = ai["required_revenue_gap"]
    row = gap[gap["date"] == "2025-10-31"].iloc[0]
    assert (row["low"], row["high"]) == (pytest.approx(3.5), pytest.approx(7.0))
