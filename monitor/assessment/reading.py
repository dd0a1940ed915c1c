"""How to read a rule's state: held by ``keep_firing_for``, carried-forward data, n/a.

A card that says FIRING while its value is back below the threshold, a chart that
runs months past the last observation, or "Now n/a" without a reason all make the
reader guess. Everything here is read from the timeline (never recomputed), so the
report can say why: "held until 2001-09-30 by keep_firing_for 6mo; condition last
true 2001-03-31", "carried forward since 2025-11-28", "last value older than max_age".
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from monitor.core.plaindata import iso_date
from monitor.engine.steps import MONTH_END
from monitor.engine.timeline import RuleResult, Timeline
from monitor.language.windows import known_at

# a reading is carried forward once its period is older than this (days, by frequency)
CARRIED_AFTER_DAYS = {
    "daily": 10,
    "weekly": 21,
    "monthly": 70,
    "quarterly": 200,
    "annual": 460,
    "fiscal-annual": 460,
}


def held(
    timeline: Timeline, result: RuleResult, entity: str | None, pos: int
) -> dict[str, Any] | None:
    """Why a firing alert fires although its condition no longer holds, or ``None``.

    The engine keeps an alert firing while ``now - first_false < keep_firing_for``,
    counting from the first evaluation at which the condition was false; the last
    evaluation still firing is the last step time before that instant.
    """
    rule = result.rule
    if entity is None or rule.keep_firing_for.is_zero():
        return None
    states = result.table.states
    if entity not in states.columns or entity not in result.condition.columns:
        return None
    row = result.at(pos)  # the row of pos, in a full or a chunked (kept rows) result
    if int(states[entity].iloc[row]) != 2:  # AlertState.FIRING
        return None
    now = result.condition[entity].iloc[row]
    if pd.notna(now) and bool(now):
        return None
    true_at = result.last_true_before(entity, pos, timeline.grid)
    if true_at is None:
        return None
    last_true = timeline.grid[true_at]
    first_false = timeline.grid[true_at + 1]
    kept_until = first_false + rule.keep_firing_for.offset()
    until = kept_until - pd.Timedelta(days=1)
    if timeline.step == MONTH_END and not until.is_month_end:
        until = until - pd.offsets.MonthEnd(1)
    return {
        "until": iso_date(until),
        "last_true": iso_date(last_true),
        "keep": str(rule.keep_firing_for),
    }


def _frequency_limit(frequency: str) -> int | None:
    return CARRIED_AFTER_DAYS.get(frequency)


def mark_carried(history: list[dict[str, Any]], frame: pd.DataFrame | None, frequency: str) -> None:
    """Flag each history point whose latest observation is older than its rhythm.

    Such a point repeats a reading rather than showing a new one; charts draw it
    dashed so a stale line does not look live. Changes ``history`` in place. One
    point-in-time look-up serves every entity (a universe has thousands of histories).
    """
    limit = _frequency_limit(frequency)
    wanted = [h for h in history if h["points"]]
    if frame is None or frame.empty or limit is None or not wanted:
        return
    dates = sorted({p["date"] for h in wanted for p in h["points"]})
    times = pd.DatetimeIndex(pd.to_datetime(dates))
    latest = known_at(frame, times, column="date")
    row_of = {d: i for i, d in enumerate(dates)}
    days = times.to_numpy().astype("datetime64[D]")
    for h in wanted:
        if h["entity"] not in latest.columns:
            continue
        periods = latest[h["entity"]].to_numpy().astype("datetime64[D]")
        rows = np.fromiter((row_of[p["date"]] for p in h["points"]), dtype=np.int64)
        known = ~np.isnat(periods[rows])
        ages = np.where(known, (days[rows] - periods[rows]).astype("int64"), 0)
        flagged = np.flatnonzero(known & (ages > limit))
        observed = np.datetime_as_string(periods[rows[flagged]], unit="D")
        for i, day in zip(flagged, observed, strict=True):
            point = h["points"][i]
            point["carried"] = True
            point["observed"] = str(day)


def missing_reason(
    timeline: Timeline, result: RuleResult, entity: str | None, pos: int
) -> str | None:
    """Why a rule shows no value now: failed, no data yet, too old, or too short."""
    if result.error:
        return f"indicator failed: {result.error}"
    name = result.rule.indicator
    frame = timeline.indicators.get(name or "")
    at = timeline.grid[pos]
    if frame is None:
        return "no data yet"
    known = frame[frame["published"] <= at]
    if entity is not None:
        known = known[known["entity"] == entity]
    if known.empty:
        return "no data yet"
    last = pd.Timestamp(known["date"].max())
    timing = timeline.context.timing.get(name or "") if timeline.context else None
    max_age = timing.max_age if timing is not None else None
    if max_age is not None and last < at - max_age.offset():
        return f"last value ({iso_date(last)}) is older than max_age {max_age}"
    return f"not enough history for the rule's window (data from {iso_date(known['date'].min())})"
