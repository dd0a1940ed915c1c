"""Macro indicators of stage 1: monetary tightening and the first fall in demand."""

from __future__ import annotations

import pandas as pd

from monitor.indicator import MONTH_GAP_DAYS, Indicator, hookimpl, period_change, select


class PolicyRate(Indicator):
    """Federal funds target rate (upper bound of the range since 2008), in percent.

    Stage 1 of the brief starts with monetary tightening: the Fed raised its target
    "from 4.75% to 6.5%" into May 2000 (public record: hikes from 30 June 1999 to
    16 May 2000), which rules read through ``change(12mo)``. The series is a step
    function dated at each FOMC decision, so the rate in force is always known.
    """

    name = "policy_rate"
    title = "Policy rate (fed funds target)"
    unit = "%"
    frequency = "event-dated steps"
    inputs = ("fed_funds_target",)

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        return select(observations, "fed_funds_target")


class EffectiveFedFunds(Indicator):
    """Effective federal funds rate, monthly average (FRED FEDFUNDS), in percent.

    The market rate the target steers; used beside the target to check that the
    tightening of 1999-2000 (brief, stage 1) actually passed through.
    """

    name = "fed_funds_effective"
    title = "Effective fed funds rate"
    unit = "%"
    frequency = "monthly"
    inputs = ("fed_funds_effective",)
    max_age = "6mo"

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        return select(observations, "fed_funds_effective")


class Pmi(Indicator):
    """ISM manufacturing PMI, an index where 50 separates expansion from contraction.

    The brief's stage-1 demand signal: the PMI peaked in late 1999, dropped markedly
    in August 2000 and stood near 42 in early 2001 ("deep manufacturing recession"),
    while the S&P 500 was still near its high: the market misread it as cyclical.
    """

    name = "pmi"
    title = "ISM manufacturing PMI"
    unit = "index"
    frequency = "monthly"
    inputs = ("ism_pmi",)
    max_age = "6mo"

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        return select(observations, "ism_pmi")


class PayrollGrowth(Indicator):
    """Monthly change in nonfarm payrolls, averaged over three months, in thousands.

    The brief's third reason for optimism rests on it: payroll growth fell from about
    200k a month in 2024 to about 30k, which keeps the Fed accommodative. The monthly
    change is the one first published (``payrolls_change``, the BLS headline on
    release day) where the case has it, else the change in the payroll level (FRED
    PAYEMS). A later vintage of the level carries benchmark revisions (the February
    2026 one lowered 2025 by up to about 900k), so a backtest of 2025 must read the
    first releases, not what was known a year later. The three-month average damps
    the noise of single releases and needs three consecutive monthly changes.
    """

    name = "payroll_growth"
    title = "Payroll growth (3-month average)"
    unit = "k persons"
    frequency = "monthly"
    inputs = ("payrolls", "payrolls_change")
    max_age = "6mo"

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        derived = period_change(select(observations, "payrolls"), gap_days=MONTH_GAP_DAYS)
        reported = select(observations, "payrolls_change")
        # one change per month: the first-published one wins where there is one
        keys = pd.MultiIndex.from_frame(reported[["entity", "date"]])
        derived = derived[~pd.MultiIndex.from_frame(derived[["entity", "date"]]).isin(keys)]
        reported = reported.drop_duplicates(["entity", "date"], keep="first")
        monthly = pd.concat([derived, reported], ignore_index=True)
        monthly = monthly.sort_values(["entity", "date"]).reset_index(drop=True)
        grouped = monthly.groupby("entity", sort=False)
        # three changes in a row only: the first and third must be about two months apart
        consecutive = grouped["date"].diff(2).dt.days.between(55, 65)
        averaged = grouped["value"].rolling(3).mean().reset_index(level=0, drop=True)
        # known once the last of the three changes' inputs is
        stamps = monthly["published"].astype("int64")
        latest = stamps.groupby(monthly["entity"], sort=False).rolling(3, min_periods=1).max()
        known = pd.to_datetime(latest.reset_index(level=0, drop=True).astype("int64"), unit="us")
        out = monthly.assign(value=averaged.where(consecutive), published=known)
        return out.dropna(subset=["value"]).reset_index(drop=True)


@hookimpl
def monitor_indicators() -> list[type[Indicator]]:
    return [PolicyRate, EffectiveFedFunds, Pmi, PayrollGrowth]
