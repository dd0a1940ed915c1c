"""Customer concentration: how much of a vendor's revenue a handful of buyers make."""

from __future__ import annotations

import re

import pandas as pd

from monitor.indicator import Indicator, empty_output, hookimpl

TOP_N = re.compile(r"^customer_share_top(\d+)$")
LARGEST_COMPARABLE_N = 4


class CustomerConcentration(Indicator):
    """Revenue share of a vendor's largest disclosed customers, in percent.

    The brief's third similarity: Lucent's top 3 customers (AT&T, Verizon, Sprint)
    were 37% of FY1999 revenue; NVIDIA's top 2 are 39% and top 4 46% today. Filings
    disclose different group sizes, so for each entity and period this takes the
    largest disclosed group of at most four customers (``customer_share_topN``
    series), which keeps the figures comparable to Lucent's top 3. The group size is
    kept in the ``top_n`` column.
    """

    name = "customer_concentration"
    title = "Top-customer share of revenue"
    unit = "%"
    frequency = "fiscal"
    inputs = ("customer_share_top2", "customer_share_top3", "customer_share_top4")
    max_age = "24mo"

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        n = observations["series"].str.extract(TOP_N, expand=False)
        rows = observations.assign(top_n=pd.to_numeric(n, errors="coerce"))
        rows = rows[rows["top_n"].notna() & (rows["top_n"] <= LARGEST_COMPARABLE_N)]
        if rows.empty:
            return empty_output().assign(top_n=pd.Series([], dtype="float64"))
        # per filing (entity, period, publication): the largest disclosed group; later
        # filings about the same period are later vintages, never rewrites of the past
        rows = rows.sort_values(["entity", "date", "published", "top_n"])
        best = rows.groupby(["entity", "date", "published"], sort=False).tail(1)
        return best[["entity", "date", "value", "published", "top_n"]].reset_index(drop=True)


@hookimpl
def monitor_indicators() -> list[type[Indicator]]:
    return [CustomerConcentration]
