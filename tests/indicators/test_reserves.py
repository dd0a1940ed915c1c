"""The reserves family: Lucent's "triple write-down" as ratios (brief sec. 3).

``cases/reserves.yaml`` holds small hand-made inputs with hand-worked outputs, one test
per case; below, the indicators on the bundled telecom-2000 case against the brief's
figures, computed here from the brief, never read back from the code.
"""

from __future__ import annotations

import pandas as pd

FAMILY = "reserves"
FY1999, FY2000, FY2001, FY2002 = (pd.Timestamp(f"{y}-09-30") for y in (1999, 2000, 2001, 2002))


def test_case_file(indicator_case, check_case):
    check_case(indicator_case)


def test_reserve_ratio_lucent(telecom, value):
    f = telecom["reserve_ratio"]
    fy1999 = (0.034 + 0.709 + 0.32) / 38.3 * 100
    fy2001 = (2.12 + 1.814 + 0.63) / 21.294 * 100
    assert round(value(f, "LU", FY1999), 1) == round(fy1999, 1) == 2.8
    assert round(value(f, "LU", FY2001), 1) == round(fy2001, 1) == 21.4
    assert FY2000 not in set(f["date"])


def test_inventory_reserve_ratio_lucent(telecom, value):
    f = telecom["inventory_reserve_ratio"]
    assert round(value(f, "LU", FY1999), 1) == round(0.709 / 4.24 * 100, 1)
    assert [round(value(f, "LU", d), 1) for d in (FY2000, FY2001, FY2002)] == [15.7, 49.8, 109.3]


def test_bad_debt_reserve_ratio_lucent(telecom, value):
    f = telecom["bad_debt_reserve_ratio"]
    assert [round(value(f, "LU", d), 1) for d in (FY2000, FY2001, FY2002)] == [46.5, 71.3, 86.7]


def test_receivables_reserve_ratio_lucent(telecom, value):
    f = telecom["receivables_reserve_ratio"]
    assert round(value(f, "LU", FY1999), 1) == round(0.32 / 8.8 * 100, 1)
    # FY2000 computed from the parts ($500 m / $9.56 bn) agrees with the brief's 5.2%
    assert round(value(f, "LU", FY2000), 1) == round(0.5 / 9.56 * 100, 1) == 5.2
    assert [round(value(f, "LU", d), 1) for d in (FY2001, FY2002)] == [13.8, 19.7]


def test_receivables_to_revenue_lucent(telecom, value):
    f = telecom["receivables_to_revenue"]
    assert round(value(f, "LU", FY1999)) == round(8.8 / 38.3 * 100) == 23
    assert value(f, "LU", FY2000) == 33
