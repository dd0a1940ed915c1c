"""Histories for the report: month-end readings of each rule and of the score.

The evaluator keeps a daily grid (what was known on each day). A report needs far
less: one point per month end plus the as-of day is enough to see a trend, keeps the
JSON small and the charts light. Everything here is plain data (ISO dates, floats or
``None`` for gaps) so templates and charts compute nothing from pandas objects.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from monitor.core.plaindata import number
from monitor.engine.states import AlertState
from monitor.engine.timeline import RuleResult, Timeline

FLAT_BAND = 0.05  # score changes smaller than this (in points) read as "flat"


def month_end_positions(grid: pd.DatetimeIndex, pos: int) -> list[int]:
    """Grid positions of every month end up to ``pos``, plus ``pos`` itself."""
    index = grid[: pos + 1]
    positions = [i for i, flag in enumerate(index.is_month_end) if flag]
    if not positions or positions[-1] != pos:
        positions.append(pos)
    return positions


def rule_history(
    result: RuleResult,
    grid: pd.DatetimeIndex,
    pos: int,
    names: dict[str, str] | None = None,
    only: set[str] | None = None,
) -> list[dict[str, Any]]:
    """Per entity, the measured value known at each month end (leading gaps trimmed).

    Interior gaps stay ``None`` so a chart breaks its line instead of inventing a
    reading; an entity never measured up to ``pos`` is left out, and so is one not in
    ``only`` (when given).
    """
    measure = result.measure
    if measure.shape[1] == 0:
        return []
    positions = month_end_positions(grid, pos)
    picked = measure.iloc[[result.at(p) for p in positions]]
    dates = [d.date().isoformat() for d in picked.index]
    out = []
    for entity in picked.columns:
        if only is not None and str(entity) not in only:
            continue
        values = [number(v) for v in picked[entity].to_numpy()]
        first = next((i for i, v in enumerate(values) if v is not None), None)
        if first is None:
            continue
        points = [
            {"date": d, "value": v} for d, v in zip(dates[first:], values[first:], strict=True)
        ]
        name = (names or {}).get(str(entity), str(entity))
        out.append({"entity": str(entity), "name": name, "points": points})
    return out


def score_history(timeline: Timeline, pos: int) -> list[dict[str, Any]]:
    """Month-end score and stage up to the as-of date (the last point is the as-of day)."""
    positions = month_end_positions(timeline.grid, pos)
    score = timeline.score.iloc[positions]
    stage = timeline.stage.iloc[positions]
    return [
        {"date": d.date().isoformat(), "score": round(float(s), 1), "stage": int(g)}
        for d, s, g in zip(score.index, score.to_numpy(), stage.to_numpy(), strict=True)
    ]


def score_trend(timeline: Timeline, pos: int) -> dict[str, Any]:
    """How the score moved over 3 and 12 months, and its high so far.

    The comparison uses the score known on the same day 3 (12) months earlier; when the
    evaluated range is shorter the change is ``None`` rather than a made-up baseline.
    """
    at = timeline.grid[pos]
    now = float(timeline.score.iloc[pos])
    out: dict[str, Any] = {}
    for label, months in (("change_3mo", 3), ("change_12mo", 12)):
        then = at - pd.DateOffset(months=months)
        if then < timeline.grid[0]:
            out[label] = None
            continue
        earlier = float(timeline.score.iloc[timeline.position(then)])
        out[label] = round(now - earlier, 1)
    basis = out["change_3mo"] if out["change_3mo"] is not None else out["change_12mo"]
    if basis is None or abs(basis) < FLAT_BAND:
        out["direction"] = "flat"
    else:
        out["direction"] = "rising" if basis > 0 else "falling"
    upto = timeline.score.iloc[: pos + 1]
    out["high"] = round(float(upto.max()), 1)
    out["high_date"] = pd.Timestamp(upto.idxmax()).date().isoformat()
    return out


def rule_heat(timeline: Timeline, grid: pd.DatetimeIndex) -> dict[str, Any]:
    """Rules x months: 2 where the rule fired (any entity) in the month, 1 pending, else 0."""
    months = pd.DatetimeIndex(grid.to_period("M").unique().to_timestamp())
    rows = []
    for rid, result in timeline.results.items():
        if timeline.pending is not None:  # the any-entity paths, kept whole by every engine
            firing = timeline.firing[rid].reindex(grid, fill_value=False).astype(bool)
            pending = timeline.pending[rid].reindex(grid, fill_value=False).astype(bool)
        else:
            states = result.table.states.reindex(grid)
            firing = (states == int(AlertState.FIRING)).any(axis=1)
            pending = (states == int(AlertState.PENDING)).any(axis=1)
        code = firing.astype(int) * 2 + (pending & ~firing).astype(int)
        by_month = code.groupby(grid.to_period("M")).max()
        rows.append(
            {
                "rule": rid,
                "title": result.rule.title,
                "stage": result.rule.stage,
                "counter": result.rule.counter,
                "cells": [int(v) for v in by_month.to_numpy()],
            }
        )
    return {"months": [m.strftime("%Y-%m") for m in months], "rows": rows}
