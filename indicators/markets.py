"""Market indicators: equity drawdown and credit spreads (stage 1 of the brief)."""

from __future__ import annotations

import pandas as pd

from monitor.indicator import Indicator, hookimpl, select


class EquityDrawdown(Indicator):
    """Distance of the Nasdaq Composite below its highest earlier close, in percent.

    The brief: Nasdaq peaked at 5048.6 on 10 March 2000, was 60% lower by March 2001
    and 78% lower at the 2002 trough; equity financing for operators closed. Computed
    as ``close / running maximum - 1`` over the closes in the data (month-end closes in
    the bundled cases, so the intramonth peak itself is not seen).
    """

    name = "equity_drawdown"
    title = "Nasdaq drawdown from peak"
    unit = "%"
    frequency = "monthly"
    inputs = ("nasdaq_close",)
    max_age = "6mo"

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        closes = select(observations, "nasdaq_close")
        grouped = closes.groupby("entity", sort=False)
        peak = grouped["value"].cummax()
        # known only once every close up to it is known (the peak may have come late)
        known = grouped["published"].cummax()
        return closes.assign(value=(closes["value"] / peak - 1.0) * 100.0, published=known)


class CreditSpread(Indicator):
    """US high-yield option-adjusted spread over Treasuries, in percent.

    Stage 1 of the brief: operators' credit spreads widened and high-yield issuance
    became hard, cutting off the debt that financed the CLEC build-out (ICE BofA US
    High Yield OAS, FRED BAMLH0A0HYM2, available from 1997).
    """

    name = "credit_spread"
    title = "High-yield credit spread"
    unit = "%"
    frequency = "monthly"
    inputs = ("hy_spread",)
    max_age = "6mo"

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        return select(observations, "hy_spread")


@hookimpl
def monitor_indicators() -> list[type[Indicator]]:
    return [EquityDrawdown, CreditSpread]
