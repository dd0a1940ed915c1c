"""Chunked evaluation: the same timeline as :func:`~monitor.engine.timeline.evaluate`,
with entities evaluated a chunk at a time and only what readers use kept.

Readers of a timeline use the rules' states and values at the assessed dates and at
month ends (history charts, the backtest), the dates a condition last held (why an
alert is still firing), and the any-entity paths the stages and the score follow.
Those are kept; the days x entities frames of each rule live only while their chunk
is evaluated. So peak memory follows the chunk and the kept rows, not the universe.

With a single chunk (a universe no larger than the chunk size) this is the unchunked
evaluation itself, full frames included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from monitor.engine.chunks import (
    DEFAULT_CHUNK_SIZE,
    ChunkResult,
    ChunkTask,
    RulePart,
    make_tasks,
    plan_chunks,
    run_chunk,
)
from monitor.engine.context import EvaluationContext
from monitor.engine.states import StateTable
from monitor.engine.steps import DAILY
from monitor.engine.timeline import (
    Prepared,
    RuleResult,
    Timeline,
    assemble,
    evaluate_prepared,
    prepare,
)
from monitor.indicator.registry import Registry
from monitor.language.nodes import IndicatorInfo
from monitor.rulebook.loader import indicator_infos
from monitor.rulebook.model import Rule, RuleSet

Runner = Callable[[Iterable[ChunkTask]], list[ChunkResult]]


def in_process(tasks: Iterable[ChunkTask]) -> list[ChunkResult]:
    """Run the chunks one after another here: one chunk's frames alive at a time."""
    return [run_chunk(task) for task in tasks]


def kept_times(grid: pd.DatetimeIndex, dates: Sequence[pd.Timestamp] = ()) -> pd.DatetimeIndex:
    """The grid times a chunked result keeps: month ends, the last time, ``dates``."""
    if len(grid) == 0:
        return grid
    positions = set(np.flatnonzero(grid.is_month_end)) | {len(grid) - 1}
    for date in dates:
        pos = int(grid.searchsorted(pd.Timestamp(date), side="right")) - 1
        if pos >= 0:
            positions.add(pos)
    return grid[sorted(positions)]


def evaluate_chunked(
    observations: pd.DataFrame,
    ruleset: RuleSet,
    registry: Registry,
    end: pd.Timestamp,
    start: pd.Timestamp | None = None,
    step: str = DAILY,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    dates: Sequence[pd.Timestamp] = (),
    keep_all: bool = False,
    runner: Runner = in_process,
) -> Timeline:
    """Evaluate like :func:`~monitor.engine.timeline.evaluate`, ``chunk_size`` entities at a time.

    ``dates`` are kept besides the month ends (the dates a caller will assess);
    ``keep_all`` keeps every grid time (a daily-step backtest reads every day).
    ``runner`` runs the chunk tasks: here one by one, or on a Dask cluster
    (:mod:`monitor.engine.distributed`).
    """
    prepared = prepare(observations, ruleset, registry, end, start, step)
    plan = plan_chunks(prepared.frames, chunk_size)
    if len(plan.chunks) == 1:
        return evaluate_prepared(prepared, ruleset, step)
    keep = prepared.grid if keep_all else kept_times(prepared.grid, dates)
    infos = indicator_infos(registry)
    tasks = make_tasks(
        ruleset,
        infos,
        prepared.timing,
        prepared.frames,
        prepared.errors,
        plan,
        prepared.days,
        step,
        keep,
    )
    results = sorted(runner(tasks), key=lambda r: r.number)
    return merge(results, ruleset, prepared, keep, step, infos)


def merge(
    chunks: list[ChunkResult],
    ruleset: RuleSet,
    prepared: Prepared,
    keep: pd.DatetimeIndex,
    step: str,
    infos: dict[str, IndicatorInfo] | None = None,
) -> Timeline:
    """One timeline from the chunks' results: columns side by side, paths or-ed."""
    grid = prepared.grid
    rows = np.full(len(grid), -1, dtype=np.int64)
    rows[grid.get_indexer(keep)] = np.arange(len(keep))
    results: dict[str, RuleResult] = {}
    firing: dict[str, np.ndarray] = {}
    pending: dict[str, np.ndarray] = {}
    for rule in ruleset.rules:
        parts = [chunk.parts[rule.id] for chunk in chunks]
        results[rule.id] = _merged_rule(rule, parts, rows)
        firing[rule.id] = np.logical_or.reduce([p.firing for p in parts])
        pending[rule.id] = np.logical_or.reduce([p.pending for p in parts])
    ctx = EvaluationContext(prepared.days, prepared.frames, prepared.timing, grid=grid)
    return assemble(
        ruleset,
        grid,
        results,
        pd.DataFrame(firing, index=grid, dtype=bool),
        pd.DataFrame(pending, index=grid, dtype=bool),
        prepared.frames,
        prepared.errors,
        ctx,
        step,
    )


def _merged_rule(rule: Rule, parts: list[RulePart], rows: np.ndarray) -> RuleResult:
    def joined(frames: list[pd.DataFrame]) -> pd.DataFrame:
        frame = pd.concat(frames, axis=1)
        return frame[_order(frame.columns, rule)]

    table = StateTable(joined([p.states for p in parts]), joined([p.since for p in parts]))
    return RuleResult(
        rule,
        joined([p.condition for p in parts]),
        joined([p.measure for p in parts]),
        table,
        parts[0].error,
        rows,
        joined([p.last_true for p in parts]),
    )


def _order(columns: pd.Index, rule: Rule) -> list[str]:
    """The unchunked column order: the rule's listed entities, else sorted ids."""
    if rule.entities:
        listed = [e for e in rule.entities if e in columns]
        return listed + sorted(c for c in columns if c not in set(listed))
    return sorted(columns)
