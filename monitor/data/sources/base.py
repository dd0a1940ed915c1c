"""What every data source offers: observations since a cursor, and what its series are.

A source (FRED, a file, hand-entered facts) is configured with the series it maps
onto the observation frame; ``fetch(since)`` returns validated observations for
periods from ``since`` on (everything when ``None``), so a scheduled refresh asks only
for what may be new, and ``describe()`` says what each series is. ``published`` must be
honest: a vintage's real-time start where the source has one, else the period date
plus a realistic publication lag for the series' frequency (never 0 for a monthly
series, which would be look-ahead).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import pandas as pd

from monitor.core.errors import SourceError
from monitor.data.observations import ValidatedObservations

# usual days from a period's date (its first day; a daily close's own day) to its
# first publication; a series overrides it with its own ``publication_lag_days``
DEFAULT_LAG_DAYS = {
    "daily": 1,
    "weekly": 7,
    "monthly": 35,
    "quarterly": 60,
    "annual": 90,
}
AGGREGATIONS = ("eop", "avg")


@dataclass(frozen=True)
class SeriesInfo:
    """One series as a source describes it."""

    id: str  # the source's own id (FRED's FEDFUNDS)
    series: str  # the observation series it feeds
    title: str
    unit: str
    frequency: str
    source: str
    last_updated: str | None = None
    notes: str = ""


class Source(Protocol):
    """The interface every source implements."""

    name: str

    def fetch(self, since: pd.Timestamp | None = None) -> ValidatedObservations: ...

    def describe(self) -> list[SeriesInfo]: ...


def default_lag(frequency: str, override: int | None = None) -> int:
    """The publication lag in days: the series' own, else the usual one of its frequency."""
    if override is not None:
        return override
    try:
        return DEFAULT_LAG_DAYS[frequency]
    except KeyError:
        known = ", ".join(DEFAULT_LAG_DAYS)
        raise SourceError(f"unknown frequency {frequency!r} ({known})") from None


def reduce_to(frame: pd.DataFrame, frequency: str, aggregation: str = "eop") -> pd.DataFrame:
    """Daily ``date, value`` rows reduced to one row per period of ``frequency``.

    ``eop`` keeps the last observation of each period, dated on its own day (a month's
    last close is known that day); ``avg`` averages the period, dated on its first day
    (an average is complete only after the period). The last period is kept only if a
    later observation shows it is complete, so a half month never passes for a month.
    """
    if frequency == "daily" or frame.empty:
        return frame
    if aggregation not in AGGREGATIONS:
        raise SourceError(f"unknown aggregation {aggregation!r} ({', '.join(AGGREGATIONS)})")
    codes = {"weekly": "W", "monthly": "M", "quarterly": "Q", "annual": "Y"}
    if frequency not in codes:
        raise SourceError(f"cannot reduce daily data to {frequency!r}")
    frame = frame.sort_values("date")
    period = frame["date"].dt.to_period(codes[frequency])
    grouped = frame.groupby(period)
    if aggregation == "eop":
        out = grouped.tail(1).copy()
    else:
        out = grouped.agg(value=("value", "mean")).reset_index(names="period")
        out["date"] = out["period"].dt.start_time.astype("datetime64[us]")
        out = out[["date", "value"]]
    complete = period.iloc[-1]  # the last period seen may still be running
    out_period = out["date"].dt.to_period(codes[frequency])
    return out[out_period < complete].reset_index(drop=True)
