"""Point-in-time views of indicator series on an evaluation grid.

Indicators live on the *period* axis (the date a value is about). Rules are judged
on the *knowledge* axis: at evaluation time ``t`` a rule sees, per entity, the value
of the latest period published by ``t`` (for a revised period, its latest vintage
published by ``t``). Every function here is vectorised over all evaluation times at
once, which is what lets a backtest run without a per-date loop.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api.indexers import BaseIndexer

from monitor.core.durations import Duration


def knowledge_positions(rows: pd.DataFrame, times: pd.DatetimeIndex) -> np.ndarray:
    """For each time, the row (of ``rows`` sorted by date, published) known then, or -1.

    Rows are ranked by (period, publication); walking publications in order, the
    running maximum rank is the newest period known so far, so one ``searchsorted``
    answers the question for every evaluation time.
    """
    if rows.empty:
        return np.full(len(times), -1, dtype=np.int64)
    rank = np.arange(len(rows))
    order = np.lexsort((rank, rows["published"].to_numpy()))
    published = rows["published"].to_numpy()[order]
    best = np.maximum.accumulate(rank[order])
    # keep the last entry per publication instant
    last = np.r_[published[1:] != published[:-1], True]
    published, best = published[last], best[last]
    where = np.searchsorted(published, times.to_numpy(dtype=published.dtype), side="right") - 1
    return np.where(where >= 0, best[np.clip(where, 0, None)], -1)


def _per_entity(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    ordered = frame.sort_values(["entity", "date", "published"], kind="stable")
    return {str(k): g.reset_index(drop=True) for k, g in ordered.groupby("entity", sort=True)}


def known_at(
    frame: pd.DataFrame,
    times: pd.DatetimeIndex,
    column: str = "value",
    max_age: Duration | None = None,
) -> pd.DataFrame:
    """Latest known ``column`` per entity at each time (NaN/NaT before anything is known).

    With ``max_age``, a value whose period ended longer ago than that counts as
    unknown: a two-year-old annual ratio is history, not a reading of today.
    """
    out: dict[str, np.ndarray] = {}
    for entity, rows in _per_entity(frame).items():
        pos = knowledge_positions(rows, times)
        if max_age is not None:
            period = rows["date"].to_numpy()[np.clip(pos, 0, None)]
            oldest = pd.DatetimeIndex(times - max_age.offset()).to_numpy().astype(period.dtype)
            pos = np.where(period >= oldest, pos, -1)
        values = rows[column].to_numpy()
        if np.issubdtype(values.dtype, np.datetime64):
            picked = np.where(pos >= 0, values[np.clip(pos, 0, None)], np.datetime64("NaT"))
        else:
            picked = np.where(pos >= 0, values[np.clip(pos, 0, None)].astype("float64"), np.nan)
        out[entity] = picked
    return pd.DataFrame(out, index=times)


def shifted_known(
    frame: pd.DataFrame,
    times: pd.DatetimeIndex,
    back: Duration,
    max_age: Duration | None = None,
) -> pd.DataFrame:
    """What was known ``back`` before each time, indexed by the time itself."""
    earlier = pd.DatetimeIndex(times - back.offset())
    result = known_at(frame, earlier, max_age=max_age)
    result.index = times
    return result


class _CalendarWindow(BaseIndexer):  # type: ignore[misc]
    """Rolling bounds ``(t - window, t]`` with calendar months, computed on the 1-D axis."""

    def __init__(self, index: pd.DatetimeIndex, window: Duration) -> None:
        super().__init__()
        self.index = index
        self.window = window

    def get_window_bounds(
        self,
        num_values: int = 0,
        min_periods: int | None = None,
        center: bool | None = None,
        closed: str | None = None,
        step: int | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        starts = pd.DatetimeIndex(self.index - self.window.offset())
        start = np.searchsorted(self.index.to_numpy(), starts.to_numpy(), side="right")
        end = np.arange(1, len(self.index) + 1)
        return start.astype(np.int64), end.astype(np.int64)


def period_before(
    frame: pd.DataFrame, times: pd.DatetimeIndex, back: Duration, by_month: bool = True
) -> pd.DataFrame:
    """At each time, the value of the period one window before the latest known period.

    For periodic series (a monthly PMI, an annual ratio) ``change(12mo)`` compares the
    latest period with the same period a year earlier, both as known at ``t`` (their
    latest vintages published by then), however the publication days fall. The
    earlier period is the one in the same calendar month as ``period - back``
    (``by_month``; for daily or weekly series: the latest one at most a week before
    it). A missing earlier period is a gap, never a neighbour.
    """
    out: dict[str, np.ndarray] = {}
    stamps = times.to_numpy()
    for entity, rows in _per_entity(frame).items():
        pos = knowledge_positions(rows, times)
        dates = rows["date"].to_numpy()
        published = rows["published"].to_numpy().astype(stamps.dtype)
        values = rows["value"].to_numpy().astype("float64")
        current = pd.DatetimeIndex(dates[np.clip(pos, 0, None)])
        target = pd.DatetimeIndex(current - back.offset()).to_numpy(dtype=dates.dtype)
        periods, first = np.unique(dates, return_index=True)
        last = np.r_[first[1:], len(rows)] - 1
        if by_month:
            months = _month_number(periods)
            wanted = _month_number(target)
            j = np.searchsorted(months, wanted, side="right") - 1
            found = (j >= 0) & (months[np.clip(j, 0, None)] == wanted)
        else:
            j = np.searchsorted(periods, target, side="right") - 1
            gap = target - periods[np.clip(j, 0, None)]
            found = (j >= 0) & (gap <= np.timedelta64(7, "D"))
        j = np.clip(j, 0, None)
        row = last[j]
        late = found & (pos >= 0) & (published[row] > stamps)
        for i in np.flatnonzero(late):  # an earlier vintage of that period was known at t
            block = published[first[j[i]] : last[j[i]] + 1]
            k = int(np.searchsorted(block, stamps[i], side="right")) - 1
            row[i] = first[j[i]] + k if k >= 0 else -1
        valid = found & (pos >= 0) & (row >= 0)
        out[entity] = np.where(valid, values[np.clip(row, 0, None)], np.nan)
    return pd.DataFrame(out, index=times)


def _month_number(dates: np.ndarray) -> np.ndarray:
    months = dates.astype("datetime64[M]").astype(np.int64)
    return months


def rolling(known: pd.DataFrame, window: Duration, how: str) -> pd.DataFrame:
    """Rolling statistic of the known-value path over the last ``window``.

    The window is ``(t - window, t]`` in the same calendar units ``change()`` uses
    (``12mo`` before 31 March starts after 31 March a year earlier). The path is a
    step function on a daily grid, so a mean is time-weighted: a value that stood for
    eleven months weighs eleven times one that stood for one.
    """
    indexer = _CalendarWindow(pd.DatetimeIndex(known.index), window)
    roller = known.rolling(indexer, min_periods=1)
    if how == "mean":
        return roller.mean()
    if how == "max":
        return roller.max()
    if how == "min":
        return roller.min()
    if how == "std":
        return roller.std(ddof=0)
    raise ValueError(how)


def event_counts(
    frame: pd.DataFrame, times: pd.DatetimeIndex, window: Duration, weighted: bool
) -> pd.DataFrame:
    """Number (or total value) of events published within ``(t - window, t]``."""
    out: dict[str, np.ndarray] = {}
    start = pd.DatetimeIndex(times - window.offset()).to_numpy()
    end = times.to_numpy()
    for entity, rows in frame.groupby("entity", sort=True):
        rows = rows.sort_values("published")
        published = rows["published"].to_numpy().astype(end.dtype)
        cumulative = np.r_[
            0.0, np.cumsum(rows["value"].to_numpy() if weighted else np.ones(len(rows)))
        ]
        hi = np.searchsorted(published, end, side="right")
        lo = np.searchsorted(published, start, side="right")
        out[str(entity)] = cumulative[hi] - cumulative[lo]
    return pd.DataFrame(out, index=times)


def months_since(frame: pd.DataFrame, times: pd.DatetimeIndex) -> pd.DataFrame:
    """Months since the latest event published by each time (NaN before the first)."""
    out: dict[str, np.ndarray] = {}
    end = times.to_numpy()
    for entity, rows in frame.groupby("entity", sort=True):
        published = np.sort(rows["published"].to_numpy().astype(end.dtype))
        pos = np.searchsorted(published, end, side="right") - 1
        last = np.where(pos >= 0, published[np.clip(pos, 0, None)], np.datetime64("NaT"))
        days = (end - last) / np.timedelta64(1, "D")
        out[str(entity)] = days / 30.4375
    return pd.DataFrame(out, index=times)


def evaluation_grid(start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    """Daily evaluation times: fine enough for event days, cheap enough for decades."""
    return pd.date_range(start.normalize(), end.normalize(), freq="D", unit="us")
