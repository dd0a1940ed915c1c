"""Reserve ratios: how fast the vendor provisions against its own customers.

The brief's "triple write-down": Lucent's bad-debt, inventory and receivables
reserves rose from $1.06 bn (2.8% of FY1999 revenue) to $4.56 bn (21.4% of FY2001
revenue). Rising reserves are the accounting trace of stage 3.
"""

from __future__ import annotations

import pandas as pd

from monitor.indicator import Indicator, combine, hookimpl, ratio_or_reported, select, total

RESERVES = ("bad_debt_reserve", "inventory_reserve", "receivables_reserve")


class ReserveRatio(Indicator):
    """Sum of bad-debt, inventory and receivables reserves over revenue, in percent.

    Lucent: 2.8% in FY1999, 21.4% in FY2001 (brief sec. 3). Computed from the four
    parts; a year with any part missing (FY2000 revenue is only implied in the brief)
    is left out rather than estimated.
    """

    name = "reserve_ratio"
    title = "Reserves (bad debt + inventory + receivables) / revenue"
    unit = "%"
    frequency = "fiscal-annual"
    inputs = (*RESERVES, "revenue")
    max_age = "24mo"

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        reserves = total([select(observations, s) for s in RESERVES])
        return combine(reserves, select(observations, "revenue"), "ratio", scale=100.0)


class BadDebtReserveRatio(Indicator):
    """Vendor-financing bad-debt reserve over outstanding customer loans, in percent.

    Lucent: 46.5% (FY2000), 71.3% (FY2001), 86.7% (FY2002): the vendor expected most
    of what it had lent to be lost. Computed where the loan balance is in the data,
    otherwise the ratio reported in the brief.
    """

    name = "bad_debt_reserve_ratio"
    title = "Bad-debt reserve / customer loans"
    unit = "%"
    frequency = "fiscal-annual"
    inputs = ("bad_debt_reserve", "customer_loans", "bad_debt_reserve_to_loans")
    max_age = "24mo"

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        return ratio_or_reported(
            observations, "bad_debt_reserve", "customer_loans", "bad_debt_reserve_to_loans", 100.0
        )


class InventoryReserveRatio(Indicator):
    """Inventory reserve over inventory, in percent.

    Lucent: 15.7% (FY2000), 49.8% (FY2001), 109.3% (FY2002): the stock it had built
    for a boom that never came. Computed from the parts where both are known (FY1999:
    $709 m over $4.24 bn), otherwise the ratio reported in the brief.
    """

    name = "inventory_reserve_ratio"
    title = "Inventory reserve / inventory"
    unit = "%"
    frequency = "fiscal-annual"
    inputs = ("inventory_reserve", "inventory", "inventory_reserve_to_inventory")
    max_age = "24mo"

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        return ratio_or_reported(
            observations, "inventory_reserve", "inventory", "inventory_reserve_to_inventory", 100.0
        )


class ReceivablesReserveRatio(Indicator):
    """Receivables reserve over net receivables, in percent.

    Lucent: 5.2% (FY2000), 13.8% (FY2001), 19.7% (FY2002). Customers that cannot pay
    show up here before they show up in bankruptcy court.
    """

    name = "receivables_reserve_ratio"
    title = "Receivables reserve / receivables"
    unit = "%"
    frequency = "fiscal-annual"
    inputs = ("receivables_reserve", "receivables_net", "receivables_reserve_to_receivables")
    max_age = "24mo"

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        return ratio_or_reported(
            observations,
            "receivables_reserve",
            "receivables_net",
            "receivables_reserve_to_receivables",
            100.0,
        )


class ReceivablesToRevenue(Indicator):
    """Net receivables over revenue, in percent.

    Lucent: 23% of revenue in FY1999, 33% in FY2000 (brief sec. 3): sales booked but
    not collected, a symptom of financing customers to keep volume up. Computed from
    the parts where both are known, otherwise the ratio the brief reports.
    """

    name = "receivables_to_revenue"
    title = "Receivables / revenue"
    unit = "%"
    frequency = "fiscal-annual"
    inputs = ("receivables_net", "revenue", "receivables_net_pct_revenue")
    max_age = "24mo"

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        return ratio_or_reported(
            observations, "receivables_net", "revenue", "receivables_net_pct_revenue", 100.0
        )


@hookimpl
def monitor_indicators() -> list[type[Indicator]]:
    return [
        ReserveRatio,
        BadDebtReserveRatio,
        InventoryReserveRatio,
        ReceivablesReserveRatio,
        ReceivablesToRevenue,
    ]
