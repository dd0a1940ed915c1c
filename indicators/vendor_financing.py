"""Vendor financing: suppliers lending customers the money to buy their gear."""

from __future__ import annotations

import pandas as pd

from monitor.indicator import Indicator, combine, hookimpl, ratio_to_latest, select
from monitor.indicators.investment import cumulative_commitments


class VendorFinancingShare(Indicator):
    """Customer financing drawn as a share of the vendor's revenue, in percent.

    The brief's central amplifier: Lucent's drawn vendor financing rose from $1.6 bn
    (4.2% of FY1999 revenue) to $2.96 bn (13.9% of FY2001 revenue). Computed from the
    two parts, never taken from a reported ratio, and known only once both are
    published (the 10-K about two months after the 30 September fiscal year end).
    """

    name = "vendor_financing_share"
    title = "Vendor financing drawn / revenue"
    unit = "%"
    frequency = "fiscal-annual"
    inputs = ("vendor_financing_drawn", "revenue")
    max_age = "24mo"

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        drawn = select(observations, "vendor_financing_drawn")
        revenue = select(observations, "revenue")
        return combine(drawn, revenue, "ratio", scale=100.0)


class FinancingCommitmentShare(Indicator):
    """Financing a vendor has committed to its customers, as a share of its revenue.

    Puts 2000 and today on one scale: Lucent committed up to $7.1 bn of vendor
    financing against $38.3 bn of FY1999 revenue; today's circular commitments
    (NVIDIA up to $100 bn to OpenAI, $3 bn to CoreWeave plus $6.3 bn of guaranteed
    capacity purchases; brief sec. 4) are set against the vendor's latest annual
    revenue. Commitments are the vendor-financing commitment where reported, else the
    sum of the circular-financing commitments known at the time.
    """

    name = "financing_commitment_share"
    title = "Financing commitments / revenue"
    unit = "%"
    frequency = "mixed"
    inputs = ("vendor_financing_committed", "circular_financing", "revenue")
    max_age = "24mo"

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        revenue = select(observations, "revenue")
        vendor = combine(
            select(observations, "vendor_financing_committed"), revenue, "ratio", 100.0
        )
        circular = ratio_to_latest(cumulative_commitments(observations), revenue, 100.0)
        return pd.concat([vendor, circular], ignore_index=True)


@hookimpl
def monitor_indicators() -> list[type[Indicator]]:
    return [VendorFinancingShare, FinancingCommitmentShare]
