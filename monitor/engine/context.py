"""The evaluation context compiled conditions run in: indicator frames and their
point-in-time views on the evaluation grid, each computed once per run."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from monitor.core.durations import Duration
from monitor.language.windows import known_at, period_before, shifted_known


@dataclass(frozen=True)
class SeriesTiming:
    """How an indicator's windows look back: ``max_age`` and the window axis."""

    max_age: Duration | None = None
    axis: str = "calendar"  # "period" or "calendar"
    short_periods: bool = False  # daily or weekly periods (matched within a week)


class EvaluationContext:
    """Indicator frames on the period axis and their known-value paths on the grid."""

    def __init__(
        self,
        grid: pd.DatetimeIndex,
        frames: dict[str, pd.DataFrame],
        timing: dict[str, SeriesTiming] | None = None,
    ):
        self.grid = grid
        self.frames = frames
        self.timing = timing or {}
        self._known: dict[str, pd.DataFrame] = {}
        self._before: dict[tuple[str, Duration], pd.DataFrame] = {}

    def _timing(self, name: str) -> SeriesTiming:
        return self.timing.get(name, SeriesTiming())

    def frame(self, name: str) -> pd.DataFrame:
        return self.frames[name]

    def known(self, name: str) -> pd.DataFrame:
        if name not in self._known:
            age = self._timing(name).max_age
            self._known[name] = known_at(self.frames[name], self.grid, max_age=age)
        return self._known[name]

    def known_before(self, name: str, back: Duration) -> pd.DataFrame:
        """The value ``change()`` compares with, one window back.

        Periodic series: the period one window before the latest known period, as
        known now. Series that stand until changed: what was in force ``back`` ago.
        """
        key = (name, back)
        if key not in self._before:
            timing = self._timing(name)
            frame = self.frames[name]
            if timing.axis == "period":
                before = period_before(frame, self.grid, back, not timing.short_periods)
            else:
                before = shifted_known(frame, self.grid, back, timing.max_age)
            self._before[key] = before
        return self._before[key]
