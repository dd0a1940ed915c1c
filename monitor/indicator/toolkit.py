"""The small toolkit plugins build on: selecting inputs, ratios, sums, period changes.

Every helper keeps the point-in-time rule of the indicator contract: a combined value
is published when the last of its parts is, and a missing part leaves a gap, never a
filled value.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from monitor.indicator.base import OUTPUT_COLUMNS


def empty_output() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "entity": pd.Series([], dtype="str"),
            "date": pd.Series([], dtype="datetime64[us]"),
            "value": pd.Series([], dtype="float64"),
            "published": pd.Series([], dtype="datetime64[us]"),
        }
    )


def select(observations: pd.DataFrame, series: str) -> pd.DataFrame:
    """Rows of one input series in indicator shape (entity, date, value, published)."""
    rows = observations.loc[observations["series"] == series, OUTPUT_COLUMNS]
    return rows.sort_values(["entity", "date", "published"]).reset_index(drop=True)


def prefer(computed: pd.DataFrame, reported: pd.DataFrame) -> pd.DataFrame:
    """Computed values win; a reported ratio stands only until the parts are known.

    A ratio is computed from its parts where the parts are known. The brief's own
    ratio for the same period is kept as an earlier vintage when it was published
    before the computed one, so what a backtest saw at the time does not change
    when a part (say, a restated revenue) is published years later.
    """
    if reported.empty:
        return computed
    if computed.empty:
        return reported
    first_computed = (
        computed.groupby(["entity", "date"], as_index=False)["published"]
        .min()
        .rename(columns={"published": "computed_published"})
    )
    merged = reported.merge(first_computed, on=["entity", "date"], how="left")
    earlier = merged["computed_published"].isna() | (
        merged["published"] < merged["computed_published"]
    )
    kept = merged.loc[earlier, reported.columns]
    both = pd.concat([kept, computed], ignore_index=True)
    return both.sort_values(["entity", "date", "published"], kind="stable").reset_index(drop=True)


def combine(
    left: pd.DataFrame,
    right: pd.DataFrame,
    how: Literal["ratio", "sum", "difference"],
    scale: float = 1.0,
) -> pd.DataFrame:
    """Combine two indicator-shaped frames period by period, per entity.

    The result is known only when both inputs are, hence ``published`` is the later
    of the two. Periods where either input is missing are left out, never filled.
    """
    merged = left.merge(right, on=["entity", "date"], suffixes=("_l", "_r"))
    if how == "ratio":
        value = merged["value_l"] / merged["value_r"].where(merged["value_r"] != 0)
    elif how == "sum":
        value = merged["value_l"] + merged["value_r"]
    else:
        value = merged["value_l"] - merged["value_r"]
    out = pd.DataFrame(
        {
            "entity": merged["entity"],
            "date": merged["date"],
            "value": value * scale,
            "published": merged[["published_l", "published_r"]].max(axis=1),
        }
    )
    return out.dropna(subset=["value"]).reset_index(drop=True)


def ratio_to_latest(
    numerator: pd.DataFrame, denominator: pd.DataFrame, scale: float = 1.0
) -> pd.DataFrame:
    """Divide each numerator row by the denominator value latest published by then.

    For figures about different periods, such as a commitment announced in October
    set against the last annual revenue: no period match is possible, so the
    denominator is the one a reader had on the numerator's publication day.
    """
    if numerator.empty or denominator.empty:
        return empty_output()
    latest = pd.merge_asof(
        numerator.sort_values("published"),
        denominator.sort_values("published").rename(
            columns={"value": "base", "date": "base_date", "published": "base_published"}
        ),
        left_on="published",
        right_on="base_published",
        by="entity",
    ).dropna(subset=["base"])
    latest = latest[latest["base"] != 0]
    value = latest["value"] / latest["base"] * scale
    return latest.assign(value=value)[OUTPUT_COLUMNS].reset_index(drop=True)


def ratio_or_reported(
    observations: pd.DataFrame, numerator: str, denominator: str, reported: str, scale: float
) -> pd.DataFrame:
    """A ratio computed from its two parts, the reported ratio only where a part is missing."""
    computed = combine(
        select(observations, numerator), select(observations, denominator), "ratio", scale
    )
    return prefer(computed, select(observations, reported))


def total(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Sum several indicator-shaped frames; a period counts only if all parts exist."""
    result = frames[0]
    for frame in frames[1:]:
        result = combine(result, frame, "sum")
    return result


MONTH_GAP_DAYS = (27, 35)
YEAR_GAP_DAYS = (300, 430)


def period_change(
    frame: pd.DataFrame,
    percent: bool = False,
    gap_days: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Change against the previous reported period of the same entity.

    ``gap_days`` bounds the distance to that period (e.g. 27-35 days for a monthly
    series), so a missing period leaves a gap instead of passing off a two-period
    change as a one-period one. Published is the later of the two periods'.
    """
    frame = frame.sort_values(["entity", "date"]).reset_index(drop=True)
    grouped = frame.groupby("entity", sort=False)
    previous = grouped["value"].shift(1)
    previous_pub = grouped["published"].shift(1)
    if percent:
        value = (frame["value"] / previous.where(previous != 0) - 1.0) * 100.0
    else:
        value = frame["value"] - previous
    if gap_days is not None:
        gap = (frame["date"] - grouped["date"].shift(1)).dt.days
        value = value.where(gap.between(*gap_days))
    out = frame.assign(
        value=value,
        published=pd.concat([frame["published"], previous_pub], axis=1).max(axis=1),
    )
    return out.dropna(subset=["value"]).reset_index(drop=True)
