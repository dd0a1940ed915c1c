"""The concentration family: the share of revenue a vendor's largest customers make.

``cases/concentration.yaml`` holds small hand-made inputs with the expected outputs, one
test per case; below, the indicator on both bundled cases against the brief's figures
(Lucent, brief sec. 3; NVIDIA, sec. 4).
"""

from __future__ import annotations

import pandas as pd

FAMILY = "concentration"
FY1999 = pd.Timestamp("1999-09-30")


def test_case_file(indicator_case, check_case):
    check_case(indicator_case)


def test_customer_concentration(telecom, ai, value):
    lu = telecom["customer_concentration"]
    assert value(lu, "LU", FY1999) == 37
    assert lu.loc[lu["entity"] == "LU", "top_n"].tolist() == [3]
    nv = ai["customer_concentration"]
    # NVIDIA discloses top 2 (39%) and top 4 (46%): the largest group up to four wins
    assert value(nv, "NVDA", "2025-07-27") == 46
    assert nv.loc[nv["entity"] == "NVDA", "top_n"].tolist() == [4]
