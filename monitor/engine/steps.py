"""The evaluation step, as Prometheus has its evaluation interval.

``daily`` (the default and the reference) advances alert states every day;
``month-end`` advances them at each month end and at the evaluated range's last day
(the as-of date). Conditions are still computed from daily views, so a value is
exact at each step; what changes between steps is seen at the next step (a profit
warning on 6 January counts from 31 January at the month-end step).
"""

from __future__ import annotations

import pandas as pd

DAILY = "daily"
MONTH_END = "month-end"
STEPS = (DAILY, MONTH_END)


def step_times(days: pd.DatetimeIndex, step: str) -> pd.DatetimeIndex:
    """The evaluation times of ``step`` within the daily grid ``days``."""
    if step == DAILY:
        return days
    if step != MONTH_END:
        raise ValueError(f"unknown step {step!r}; use one of {', '.join(STEPS)}")
    if len(days) == 0:
        return days
    month_ends = days[days.is_month_end]
    return month_ends.union(days[-1:])
