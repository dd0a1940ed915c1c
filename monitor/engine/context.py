"""The evaluation context compiled conditions run in: indicator frames and their
point-in-time views on the evaluation grid, each computed once per run."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from monitor.core.durations import Duration
from monitor.language.panel import Panel
from monitor.language.windows import known_at, period_before, shifted_known


@dataclass(frozen=True)
class SeriesTiming:
    """How an indicator's windows look back: ``max_age`` and the window axis."""

    max_age: Duration | None = None
    axis: str = "calendar"  # "period" or "calendar"
    short_periods: bool = False  # daily or weekly periods (matched within a week)


class EvaluationContext:
    """Indicator frames on the period axis and their point-in-time views.

    ``grid`` holds the evaluation times (the step times); ``days`` the daily grid the
    path-dependent functions (rolling windows, drawdowns) run on before they are read
    at the evaluation times. With the daily step the two are the same.
    """

    def __init__(
        self,
        days: pd.DatetimeIndex,
        frames: dict[str, pd.DataFrame],
        timing: dict[str, SeriesTiming] | None = None,
        grid: pd.DatetimeIndex | None = None,
    ):
        self.days = days
        self.grid = days if grid is None else grid
        self.frames = frames
        self.timing = timing or {}
        self._known: dict[str, pd.DataFrame] = {}
        self._paths: dict[str, pd.DataFrame] = {}
        self._before: dict[tuple[str, Duration], pd.DataFrame] = {}
        self._panels: dict[str, Panel] = {}

    def _timing(self, name: str) -> SeriesTiming:
        return self.timing.get(name, SeriesTiming())

    def frame(self, name: str) -> pd.DataFrame:
        return self.frames[name]

    def panel(self, name: str) -> Panel:
        """The indicator's rows indexed once for every look-up of this evaluation."""
        if name not in self._panels:
            self._panels[name] = Panel(self.frames[name])
        return self._panels[name]

    def known(self, name: str) -> pd.DataFrame:
        if name not in self._known:
            age = self._timing(name).max_age
            self._known[name] = known_at(self.panel(name), self.grid, max_age=age)
        return self._known[name]

    def known_path(self, name: str) -> pd.DataFrame:
        """The known value on every day (for rolling windows and running peaks)."""
        if self.days is self.grid or self.days.equals(self.grid):
            return self.known(name)
        if name not in self._paths:
            age = self._timing(name).max_age
            self._paths[name] = known_at(self.panel(name), self.days, max_age=age)
        return self._paths[name]

    def known_before(self, name: str, back: Duration) -> pd.DataFrame:
        """The value ``change()`` compares with, one window back.

        Periodic series: the period one window before the latest known period, as
        known now. Series that stand until changed: what was in force ``back`` ago.
        """
        key = (name, back)
        if key not in self._before:
            timing = self._timing(name)
            panel = self.panel(name)
            if timing.axis == "period":
                before = period_before(panel, self.grid, back, not timing.short_periods)
            else:
                before = shifted_known(panel, self.grid, back, timing.max_age)
            self._before[key] = before
        return self._before[key]
