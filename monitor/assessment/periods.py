"""Runs of a boolean series as dated periods, and lead times measured from them.

A firing period is ``[start, end]``: the first and the last evaluation step at which
the flag held; ``end`` is ``None`` while it still holds at the last step (the period
is open). Lead times count from the start of the period that runs into the signal
horizon before an onset, so a signal that came and went years earlier is not a lead.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from monitor.core.durations import DAYS_PER_MONTH


@dataclass(frozen=True)
class Period:
    start: pd.Timestamp
    end: pd.Timestamp | None  # None: still holding at the last step

    def as_list(self) -> list[str | None]:
        return [
            self.start.date().isoformat(),
            None if self.end is None else self.end.date().isoformat(),
        ]

    def last(self, default: pd.Timestamp) -> pd.Timestamp:
        return default if self.end is None else self.end


def periods(flag: pd.Series) -> list[Period]:
    """Every run of ``True`` in ``flag`` (indexed by step times), oldest first."""
    values = flag.fillna(False).astype(bool).to_numpy()
    times = pd.DatetimeIndex(flag.index)
    out: list[Period] = []
    start: int | None = None
    for i, on in enumerate(values):
        if on and start is None:
            start = i
        elif not on and start is not None:
            out.append(Period(times[start], times[i - 1]))
            start = None
    if start is not None:
        out.append(Period(times[start], None))
    return out


def months_between(earlier: pd.Timestamp, later: pd.Timestamp) -> float:
    """Calendar distance in months (days / 30.4375), to one decimal."""
    return round((later - earlier).days / DAYS_PER_MONTH, 1)


def lead_months(
    runs: list[Period], onset: pd.Timestamp, horizon_months: int, last_step: pd.Timestamp
) -> float | None:
    """Months from the start of the first period running into ``(onset - horizon, onset]``.

    ``None`` when no period touches that window (the rule did not warn before this
    onset; firing only after it is no lead). A period that began before the window
    counts from the window's start: the lead is capped at the horizon, because a
    signal older than the horizon is not a warning of this onset by KLR's rule either.
    """
    window_start = onset - pd.DateOffset(months=horizon_months)
    for run in runs:
        if run.start <= onset and run.last(last_step) > window_start:
            return months_between(max(run.start, window_start), onset)
    return None


def duration_months(run: Period, times: pd.DatetimeIndex) -> float:
    """How long a period lasted: from its start to the step at which it was seen off.

    At the month-end step a stage active at one month end lasted about a month (until
    the next month end showed it inactive); a period still open runs to the last step.
    """
    if run.end is None:
        return months_between(run.start, times[-1])
    after = int(times.searchsorted(run.end, side="right"))
    until = times[after] if after < len(times) else times[-1]
    return months_between(run.start, until)
