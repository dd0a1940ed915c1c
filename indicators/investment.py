"""Investment indicators: capex against revenue, capex growth, circular financing."""

from __future__ import annotations

import pandas as pd

from monitor.indicator import (
    YEAR_GAP_DAYS,
    Indicator,
    combine,
    empty_output,
    hookimpl,
    period_change,
    ratio_to_latest,
    select,
)

COMMITMENT_SERIES = ("circular_financing", "circular_financing_low", "circular_financing_guarantee")


class CapexToRevenue(Indicator):
    """Capital spending over revenue of the buyers of the gear, as a multiple.

    The brief: CLECs spent $15.1 bn of capex against $6.3 bn of revenue in 1999
    (2.4x), more than 60% financed externally; OpenAI expects about $13 bn of revenue
    for 2025 against up to $1 tn of capex over ten years. Where only a multi-year
    commitment is known it is spread evenly over its stated years (the brief's own
    framing), never extrapolated further.
    """

    name = "capex_to_revenue"
    title = "Capex / revenue (buyers)"
    unit = "x"
    frequency = "annual"
    inputs = ("capex", "revenue", "capex_commitment", "capex_commitment_years")
    max_age = "24mo"

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        revenue = select(observations, "revenue")
        actual = combine(select(observations, "capex"), revenue, "ratio")
        commitment = select(observations, "capex_commitment")
        years = select(observations, "capex_commitment_years")
        planned = ratio_to_latest(combine(commitment, years, "ratio"), revenue)
        # a plan stands until actual figures for that buyer are published
        if not actual.empty:
            first_actual = actual.groupby("entity")["published"].min()
            cutoff = pd.to_datetime(planned["entity"].map(first_actual))
            planned = planned[cutoff.isna() | (planned["published"] < cutoff)]
        return pd.concat([actual, planned], ignore_index=True)


class CapexGrowth(Indicator):
    """Year-on-year growth of capital spending, in percent.

    The brief: communications capex grew 23% a year 1995-2000 and then fell 28%
    2000-2003; the turn in buyers' capex is the demand shock behind stage 2.
    """

    name = "capex_growth"
    title = "Capex growth"
    unit = "%"
    frequency = "annual"
    inputs = ("capex",)
    max_age = "24mo"

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        return period_change(select(observations, "capex"), percent=True, gap_days=YEAR_GAP_DAYS)


class OrderGrowth(Indicator):
    """Year-on-year growth of a vendor's orders, in percent, as reported.

    The brief: Lucent's orders fell more than 40% in FY2001; Cisco's record backlog of
    early 2001 had turned into excess inventory by March. Falling orders are the
    stage-2 evidence that the capex boom has turned.
    """

    name = "order_growth"
    title = "Order growth"
    unit = "%"
    frequency = "annual"
    inputs = ("orders_growth",)
    max_age = "24mo"

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        return select(observations, "orders_growth")


class CircularFinancing(Indicator):
    """Circular-financing commitments a vendor has made to its customers, in $ bn.

    The brief's second similarity (sec. 4): NVIDIA commits up to $100 bn to OpenAI and
    $3 bn to CoreWeave plus $6.3 bn of guaranteed capacity purchases; AMD grants
    OpenAI warrants worth $30-40 bn (the low end is counted); CoreWeave gives OpenAI
    $350 m of equity. The value at each announcement is the running total of the
    vendor's commitments known by then: the analogue of Lucent's $7.1 bn of committed
    vendor financing.
    """

    name = "circular_financing"
    title = "Circular-financing commitments"
    unit = "$bn"
    frequency = "event-dated"
    inputs = COMMITMENT_SERIES

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        return cumulative_commitments(observations)


def cumulative_commitments(observations: pd.DataFrame) -> pd.DataFrame:
    """Running total per entity of commitments, in order of publication."""
    rows = pd.concat(
        [select(observations, s) for s in COMMITMENT_SERIES],
        ignore_index=True,
    )
    if rows.empty:
        return empty_output()
    rows = rows.sort_values(["entity", "published", "date"]).reset_index(drop=True)
    running = rows.groupby("entity", sort=False)["value"].cumsum()
    out = rows.assign(value=running)
    # several announcements on one day: keep the day's closing total
    return out.groupby(["entity", "published"], sort=False).tail(1).reset_index(drop=True)


@hookimpl
def monitor_indicators() -> list[type[Indicator]]:
    return [CapexToRevenue, CapexGrowth, OrderGrowth, CircularFinancing]
