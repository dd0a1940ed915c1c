"""The vendor-financing family: drawn financing and commitments against revenue.

``cases/vendor_financing.yaml`` holds small hand-made inputs with hand-worked outputs,
one test per case; below, the indicators on the bundled telecom-2000 case against the
brief's figures (brief sec. 3), computed here from the brief, never read back from the
code, and the point-in-time rule on the bundled Lucent filings.
"""

from __future__ import annotations

import pandas as pd

from monitor.engine.timeline import compute_indicators

FAMILY = "vendor_financing"
FY1999, FY2000, FY2001 = (pd.Timestamp(f"{y}-09-30") for y in (1999, 2000, 2001))


def test_case_file(indicator_case, check_case):
    check_case(indicator_case)


def test_vendor_financing_share_lucent(telecom, value):
    f = telecom["vendor_financing_share"]
    assert round(value(f, "LU", FY1999), 1) == round(1.6 / 38.3 * 100, 1) == 4.2
    assert round(value(f, "LU", FY2001), 1) == round(2.96 / 21.294 * 100, 1) == 13.9
    # FY2000 revenue is only implied in the brief: no value rather than an estimate
    assert FY2000 not in set(f["date"])


def test_financing_commitment_share_lucent(telecom, value):
    f = telecom["financing_commitment_share"]
    assert round(value(f, "LU", FY1999), 1) == round(7.1 / 38.3 * 100, 1)


def test_ratio_published_is_the_later_of_its_parts(telecom, cases):
    case = cases["telecom-2000"]
    obs = case.observations
    f = telecom["vendor_financing_share"]
    for fy in (FY1999, FY2001):
        parts = obs[
            (obs["entity"] == "LU")
            & (obs["date"] == fy)
            & obs["series"].isin(["vendor_financing_drawn", "revenue"])
        ]
        assert len(parts) == 2
        row = f[(f["entity"] == "LU") & (f["date"] == fy)].iloc[0]
        assert row["published"] == parts["published"].max()
    # FY2001: drawn known from the FY2001 10-K, revenue only as restated a year later
    row = f[f["date"] == FY2001].iloc[0]
    assert row["published"] == pd.Timestamp("2002-12-01")


def test_ratio_invisible_until_both_parts_are_published(registry, cases):
    obs = cases["telecom-2000"].observations
    early = obs[obs["published"] <= pd.Timestamp("2002-06-30")]
    frames, _ = compute_indicators(early, registry, {"vendor_financing_share"})
    assert frames["vendor_financing_share"]["date"].tolist() == [FY1999]
