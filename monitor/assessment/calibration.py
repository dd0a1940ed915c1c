"""Threshold calibration: one rule's numeric literal searched over a grid, in-sample.

The rule's condition is re-compiled with the literal replaced and evaluated on the
backtest timeline's own daily views (the same point-in-time data, not a second
pipeline run), then scored as the backtest scores it. The literal is the Nth number
of the condition in reading order (``--literal N``, 1 by default), so a condition
such as ``change(12mo) >= 1.50 and value > 4`` can be tuned on either number.

Every result is in-sample: the threshold is fitted to the very episode it is scored
on, so a better NSR here is a hypothesis for the next episode, not evidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from lark import Token, Tree

from monitor.assessment import klr
from monitor.assessment.periods import lead_months, periods
from monitor.core.errors import BacktestError, MonitorError
from monitor.core.plaindata import display_number, number
from monitor.data.case import Case
from monitor.engine.states import AlertState, compute_states
from monitor.engine.timeline import Timeline
from monitor.language.compiler import compile_condition
from monitor.language.nodes import IndicatorInfo
from monitor.language.parser import parse_condition

# The grid: the current literal times each factor (a literal of 0 steps by 0.1 to 1).
FACTORS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5)


def numeric_literals(text: str) -> list[tuple[int, int, float]]:
    """Each number of a condition as (start, end, value), in reading order."""
    tree = parse_condition(text)
    found: list[tuple[int, int, float]] = []
    for sub in tree.iter_subtrees():
        if isinstance(sub, Tree) and sub.data == "number":
            token = sub.children[0]
            if isinstance(token, Token) and token.start_pos is not None:
                found.append((token.start_pos, int(token.end_pos or 0), float(str(token))))
    return sorted(found)


def candidates(value: float) -> list[float]:
    if value == 0:
        return [round(i / 10, 6) for i in range(11)]
    return [round(value * f, 6) for f in FACTORS]


def calibrate(
    timeline: Timeline,
    case: Case,
    rule_id: str,
    literal: int,
    start: pd.Timestamp,
    end: pd.Timestamp,
    horizon_months: int,
    indicators: Mapping[str, IndicatorInfo],
) -> dict[str, Any]:
    """Score ``rule_id`` with its ``literal``-th number replaced by each grid value."""
    rules = timeline.ruleset.by_id()
    if rule_id not in rules:
        raise BacktestError(f"--calibrate: no rule {rule_id!r} (known: {', '.join(sorted(rules))})")
    rule = rules[rule_id]
    failed = sorted(rule.condition.indicators & set(timeline.indicator_errors))
    if failed:
        raise BacktestError(
            f"--calibrate {rule_id}: its indicator(s) {', '.join(failed)} failed to compute"
        )
    text = rule.when
    numbers = numeric_literals(text)
    if not 1 <= literal <= len(numbers):
        raise BacktestError(
            f"--literal {literal}: rule {rule_id!r} has {len(numbers)} numeric literal(s) "
            f"in {text!r}"
        )
    if timeline.context is None:
        raise BacktestError("the timeline keeps no evaluation context to calibrate on")
    begin, stop, current = numbers[literal - 1]
    grid = timeline.grid[(timeline.grid >= start) & (timeline.grid <= end)]
    windows = [klr.Window(e.onset, e.end) for e in case.episodes]
    rows = []
    for value in candidates(current):
        shown = display_number(value)
        variant = text[:begin] + shown + text[stop:]
        try:
            condition = compile_condition(variant, rule.indicator, indicators)
        except MonitorError as exc:
            raise BacktestError(f"--calibrate {rule_id}: {variant!r}: {exc}") from None
        frame = condition.evaluate(timeline.context).reindex(timeline.grid)
        if rule.entities:
            frame = frame.reindex(columns=rule.entities, fill_value=False)
        table = compute_states(frame, rule.for_, rule.keep_firing_for)
        if table.states.shape[1]:
            signal = (table.states == int(AlertState.FIRING)).any(axis=1).reindex(grid)
        else:
            signal = pd.Series(False, index=grid)
        runs = periods(signal)
        counts = klr.score(signal, windows, horizon_months) if windows else None
        rows.append(
            {
                "threshold": value,
                "condition": variant,
                "current": value == current,
                "first_firing": runs[0].start.date().isoformat() if runs else None,
                "firing_steps": int(signal.fillna(False).astype(bool).sum()),
                "a": None if counts is None else counts.a,
                "b": None if counts is None else counts.b,
                "c": None if counts is None else counts.c,
                "d": None if counts is None else counts.d,
                "hit_rate": None if counts is None else number(counts.hit_rate, 4),
                "false_alarm_rate": None if counts is None else number(counts.false_alarm_rate, 4),
                "nsr": None if counts is None else number(counts.nsr, 4),
                "lead_months": {
                    e.id: lead_months(runs, e.onset, horizon_months, grid[-1])
                    for e in case.episodes
                },
            }
        )
    return {
        "rule": rule_id,
        "title": rule.title,
        "when": text,
        "literal": literal,
        "value": current,
        "in_sample": True,
        "rows": rows,
    }
