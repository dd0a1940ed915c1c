"""Point-in-time views of indicator series on an evaluation grid.

Indicators live on the *period* axis (the date a value is about). Rules are judged
on the *knowledge* axis: at evaluation time ``t`` a rule sees, per entity, the value
of the latest period published by ``t`` (for a revised period, its latest vintage
published by ``t``). Every function here is vectorised over all evaluation times at
once, which is what lets a backtest run without a per-date loop.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import pandas as pd
from pandas.api.indexers import BaseIndexer

from monitor.core.durations import Duration
from monitor.language.panel import Panel

Source: TypeAlias = pd.DataFrame | Panel


def _panel(source: Source, column: str = "value") -> Panel:
    if isinstance(source, Panel):
        assert column == "value", "a panel is indexed on its value column"
        return source
    return Panel(source, column)


def known_at(
    source: Source,
    times: pd.DatetimeIndex,
    column: str = "value",
    max_age: Duration | None = None,
) -> pd.DataFrame:
    """Latest known ``column`` per entity at each time (NaN/NaT before anything is known).

    With ``max_age``, a value whose period ended longer ago than that counts as
    unknown: a two-year-old annual ratio is history, not a reading of today.
    """
    panel = _panel(source, column)
    positions = panel.positions(times)
    if max_age is not None:
        positions = panel.within_age(positions, times, max_age)
    return panel.frame(panel.pick(positions), times)


def shifted_known(
    source: Source,
    times: pd.DatetimeIndex,
    back: Duration,
    max_age: Duration | None = None,
) -> pd.DataFrame:
    """What was known ``back`` before each time, indexed by the time itself."""
    earlier = pd.DatetimeIndex(times - back.offset())
    result = known_at(source, earlier, max_age=max_age)
    result.index = times
    return result


def period_before(
    source: Source, times: pd.DatetimeIndex, back: Duration, by_month: bool = True
) -> pd.DataFrame:
    """At each time, the value of the period one window before the latest known period.

    For periodic series (a monthly PMI, an annual ratio) ``change(12mo)`` compares the
    latest period with the same period a year earlier, both as known at ``t`` (their
    latest vintages published by then), however the publication days fall. The
    earlier period is the one in the same calendar month as ``period - back``
    (``by_month``; for daily or weekly series: the latest one at most a week before
    it). A missing earlier period is a gap, never a neighbour.
    """
    panel = _panel(source)
    positions = panel.positions(times)
    return panel.frame(panel.pick(panel.earlier_period(positions, times, back, by_month)), times)


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
    source: Source, times: pd.DatetimeIndex, window: Duration, weighted: bool
) -> pd.DataFrame:
    """Number (or total value) of events published within ``(t - window, t]``."""
    panel = _panel(source)
    return panel.frame(panel.events_between(times, window, weighted), times)


def months_since(source: Source, times: pd.DatetimeIndex) -> pd.DataFrame:
    """Months since the latest event published by each time (NaN before the first)."""
    panel = _panel(source)
    last = panel.last_event(times)
    days = (times.to_numpy(dtype=last.dtype)[:, None] - last) / np.timedelta64(1, "D")
    return panel.frame(days / 30.4375, times)


def evaluation_grid(start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    """Daily evaluation times: fine enough for event days, cheap enough for decades."""
    return pd.date_range(start.normalize(), end.normalize(), freq="D", unit="us")
