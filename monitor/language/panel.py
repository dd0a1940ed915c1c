"""One indicator frame indexed for point-in-time look-ups across every entity at once.

Rows are sorted once by (entity, period, publication). A look-up for many evaluation
times and all entities is one ``searchsorted`` on composite keys (entity code, then
the rank of a timestamp among all timestamps involved), so its cost grows with the
number of look-ups, not with a Python loop over entities.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from monitor.core.durations import Duration

NONE = -1


def _ranks(values: np.ndarray, *others: np.ndarray) -> tuple[Any, ...]:
    """Dense ranks of several timestamp arrays on one shared scale (order preserved)."""
    scale = np.unique(np.concatenate([values.ravel(), *(o.ravel() for o in others)]))
    return tuple(np.searchsorted(scale, a) for a in (values, *others)) + (len(scale) + 1,)


class Panel:
    """The rows of one indicator, sorted by entity, period and publication."""

    def __init__(self, frame: pd.DataFrame, value_column: str = "value") -> None:
        ordered = frame.sort_values(["entity", "date", "published"], kind="stable")
        names = ordered["entity"].astype(str).to_numpy()
        self.entities = np.unique(names)
        self.codes = np.searchsorted(self.entities, names)
        self.dates = ordered["date"].to_numpy()
        self.published = ordered["published"].to_numpy()
        column = ordered[value_column].to_numpy()
        is_time = np.issubdtype(column.dtype, np.datetime64)
        self.values = column if is_time else column.astype("float64")
        self.rows = len(ordered)

    def frame(self, data: np.ndarray, times: pd.DatetimeIndex) -> pd.DataFrame:
        return pd.DataFrame(data, index=times, columns=[str(e) for e in self.entities])

    def _times(self, times: pd.DatetimeIndex) -> np.ndarray:
        return times.to_numpy(dtype=self.published.dtype)

    def positions(self, times: pd.DatetimeIndex) -> np.ndarray:
        """Per time and entity, the row known then (latest period, its latest vintage)."""
        if self.rows == 0:
            return np.full((len(times), 0), NONE, dtype=np.int64)
        rank = np.arange(self.rows)
        order = np.lexsort((rank, self.published, self.codes))
        best = np.maximum.accumulate(rank[order])  # never crosses into the next entity
        published, stamps, size = _ranks(self.published[order], self._times(times))
        keys = self.codes[order] * size + published
        query = np.arange(len(self.entities))[None, :] * size + stamps[:, None]
        found = np.searchsorted(keys, query, side="right") - 1
        inside = (found >= 0) & (self.codes[order][np.clip(found, 0, None)] == query // size)
        return np.where(inside, best[np.clip(found, 0, None)], NONE)

    def pick(self, positions: np.ndarray) -> np.ndarray:
        """Values at ``positions`` (NaN, or NaT for dates, where there is none)."""
        picked = self.values[np.clip(positions, 0, None)]
        missing = np.datetime64("NaT") if picked.dtype.kind == "M" else np.nan
        return np.where(positions >= 0, picked, missing)

    def within_age(
        self, positions: np.ndarray, times: pd.DatetimeIndex, max_age: Duration
    ) -> np.ndarray:
        """Positions whose period ended no longer than ``max_age`` before each time."""
        oldest = pd.DatetimeIndex(times - max_age.offset()).to_numpy(dtype=self.dates.dtype)
        period = self.dates[np.clip(positions, 0, None)]
        return np.where(period >= oldest[:, None], positions, NONE)

    def earlier_period(
        self,
        positions: np.ndarray,
        times: pd.DatetimeIndex,
        back: Duration,
        by_month: bool,
    ) -> np.ndarray:
        """Per cell, the row of the period ``back`` before the one at ``positions``.

        The earlier period's latest vintage published by the time; -1 for a gap.
        """
        if self.rows == 0:
            return positions
        shifted = pd.DatetimeIndex(self.dates) - back.offset()
        target = pd.DatetimeIndex(shifted).to_numpy(dtype=self.dates.dtype)
        entity = np.broadcast_to(np.arange(len(self.entities))[None, :], positions.shape)
        if by_month:
            month = self.dates.astype("datetime64[M]").astype(np.int64)
            wanted = target.astype("datetime64[M]").astype(np.int64)
            low = min(month.min(), wanted.min())
            size = max(month.max(), wanted.max()) - low + 2
            keys = self.codes * size + (month - low)
            query = entity * size + (wanted - low)[np.clip(positions, 0, None)]
            row = np.searchsorted(keys, query, side="right") - 1
            found = (row >= 0) & (keys[np.clip(row, 0, None)] == query)
        else:
            dates, wanted, size = _ranks(self.dates, target)
            keys = self.codes * size + dates
            query = entity * size + wanted[np.clip(positions, 0, None)]
            row = np.searchsorted(keys, query, side="right") - 1
            row_ok = np.clip(row, 0, None)
            gap = target[np.clip(positions, 0, None)] - self.dates[row_ok]
            found = (row >= 0) & (self.codes[row_ok] == entity) & (gap <= np.timedelta64(7, "D"))
        row = np.where(found & (positions >= 0), row, NONE)
        return self._vintage_known(row, times)

    def _vintage_known(self, row: np.ndarray, times: pd.DatetimeIndex) -> np.ndarray:
        """Step back to an earlier vintage of the same period where the latest came later."""
        stamps = self._times(times)[:, None]
        for _ in range(self.rows):
            safe = np.clip(row, 0, None)
            late = (row >= 0) & (self.published[safe] > stamps)
            if not late.any():
                break
            previous = np.clip(row - 1, 0, None)
            same = (
                (row > 0)
                & (self.codes[previous] == self.codes[safe])
                & (self.dates[previous] == self.dates[safe])
            )
            row = np.where(late, np.where(same, row - 1, NONE), row)
        return row

    def events_between(
        self, times: pd.DatetimeIndex, window: Duration, weighted: bool
    ) -> np.ndarray:
        """Per time and entity, the events (or their total value) in ``(t - window, t]``."""
        if self.rows == 0:
            return np.zeros((len(times), 0))
        order = np.lexsort((self.published, self.codes))
        weights = self.values[order] if weighted else np.ones(self.rows)
        cumulative = np.r_[0.0, np.cumsum(weights)]
        start = pd.DatetimeIndex(times - window.offset())
        published, ends, starts, size = _ranks(
            self.published[order], self._times(times), start.to_numpy(dtype=self.published.dtype)
        )
        keys = self.codes[order] * size + published
        entity = np.arange(len(self.entities))[None, :] * size
        hi = np.searchsorted(keys, entity + ends[:, None], side="right")
        lo = np.searchsorted(keys, entity + starts[:, None], side="right")
        return cumulative[hi] - cumulative[lo]

    def last_event(self, times: pd.DatetimeIndex) -> np.ndarray:
        """Per time and entity, when the latest event was published (NaT before any)."""
        if self.rows == 0:
            return np.full((len(times), 0), np.datetime64("NaT"), dtype=self.published.dtype)
        order = np.lexsort((self.published, self.codes))
        stamps = self.published[order]
        published, ends, size = _ranks(stamps, self._times(times))
        keys = self.codes[order] * size + published
        query = np.arange(len(self.entities))[None, :] * size + ends[:, None]
        found = np.searchsorted(keys, query, side="right") - 1
        inside = (found >= 0) & (self.codes[order][np.clip(found, 0, None)] == query // size)
        return np.where(inside, stamps[np.clip(found, 0, None)], np.datetime64("NaT"))
