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


def rolling(known: pd.DataFrame, window: Duration, how: str) -> pd.DataFrame:
    """Rolling statistic of the known-value path over the last ``window``.

    The path is a step function on a daily grid, so a mean is time-weighted: a value
    that stood for eleven months weighs eleven times one that stood for one.
    """
    roller = known.rolling(window.rolling_window(), min_periods=1)
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
