"""The evaluation context compiled conditions run in: indicator frames and their
point-in-time views on the evaluation grid, each computed once per run."""

from __future__ import annotations

import pandas as pd

from monitor.core.durations import Duration
from monitor.language.windows import known_at, shifted_known


class EvaluationContext:
    """Indicator frames on the period axis and their known-value paths on the grid."""

    def __init__(
        self,
        grid: pd.DatetimeIndex,
        frames: dict[str, pd.DataFrame],
        max_ages: dict[str, Duration | None] | None = None,
    ):
        self.grid = grid
        self.frames = frames
        self.max_ages = max_ages or {}
        self._known: dict[str, pd.DataFrame] = {}

    def frame(self, name: str) -> pd.DataFrame:
        return self.frames[name]

    def known(self, name: str) -> pd.DataFrame:
        if name not in self._known:
            age = self.max_ages.get(name)
            self._known[name] = known_at(self.frames[name], self.grid, max_age=age)
        return self._known[name]

    def known_before(self, name: str, back: Duration) -> pd.DataFrame:
        """What was known ``back`` before each evaluation time (for ``change()``)."""
        return shifted_known(self.frames[name], self.grid, back, self.max_ages.get(name))
