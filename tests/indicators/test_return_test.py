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
