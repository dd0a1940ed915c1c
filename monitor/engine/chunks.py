"""Entities in chunks: the plan, the task a chunk is, and one chunk's evaluation.

Memory of an evaluation grows with days x entities x rules (every rule keeps its
condition, value and states per day and entity). Evaluating the entities a chunk at a
time bounds that by the chunk. A chunk's answers must equal the unchunked ones, which
needs three things:

- *Shared entities reach every chunk.* An entity that is an indicator's only entity (the
  US of the macro series: policy rate, PMI, spreads) is broadcast by the compiler
  across the entities of the other operand, so its rows go to every chunk, with all
  of its other series. Every chunk computes the same columns for it; the first chunk
  reports them.
- *Broadcasting decides as it would on the universe.* The compiler broadcasts a single
  column across a wider operand; a chunk holding one entity of a multi-entity
  indicator would make that indicator look single. Such a frame gets padding entities
  (rows with no value) up to the width it has in the universe, at most two; their
  columns never leave the chunk.
- *Each entity is reported by one chunk*, its owner (``own``), so merging is a
  concatenation of columns.

A :class:`ChunkTask` is plain data (rule texts, indicator rows, timing as text), so a
remote worker needs no file of the client: not the case folder, not the rule files,
not the indicator plugins (the indicators are computed once, on the client, over the
universe, which also keeps an indicator that looks across entities exact).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from monitor.core.durations import parse_duration
from monitor.engine.context import EvaluationContext, SeriesTiming
from monitor.engine.scaling import DEFAULT_CHUNK_SIZE as DEFAULT_CHUNK_SIZE
from monitor.engine.states import AlertState
from monitor.engine.steps import step_times
from monitor.engine.timeline import RuleResult, evaluate_rule
from monitor.language.compiler import compile_condition
from monitor.language.nodes import IndicatorInfo
from monitor.language.windows import evaluation_grid
from monitor.rulebook.model import Rule, RuleSet

PADDING = ("~chunk-pad-1", "~chunk-pad-2")  # not a valid entity id, never reported


@dataclass(frozen=True)
class ChunkPlan:
    """Which entities each chunk owns, and which reach every chunk."""

    chunks: tuple[tuple[str, ...], ...]
    shared: frozenset[str]
    widths: dict[str, int]  # indicator -> its number of entities in the universe

    def own(self, number: int) -> frozenset[str]:
        """The entities chunk ``number`` reports: its own, and the shared ones for the first."""
        mine = frozenset(self.chunks[number])
        return mine | self.shared if number == 0 else mine


def plan_chunks(frames: dict[str, pd.DataFrame], chunk_size: int) -> ChunkPlan:
    """Split the indicators' entities into chunks of ``chunk_size`` (sorted by id)."""
    if chunk_size < 1:
        raise ValueError(f"chunk size must be at least 1, not {chunk_size}")
    per = {name: set(frame["entity"].astype(str).unique()) for name, frame in frames.items()}
    shared = {e for entities in per.values() if len(entities) == 1 for e in entities}
    everyone = sorted(set().union(*per.values()) - shared) if per else []
    chunks = tuple(tuple(everyone[i : i + chunk_size]) for i in range(0, len(everyone), chunk_size))
    widths = {name: len(entities) for name, entities in per.items()}
    return ChunkPlan(chunks or ((),), frozenset(shared), widths)


def split_frames(
    frames: dict[str, pd.DataFrame], plan: ChunkPlan
) -> Iterator[dict[str, pd.DataFrame]]:
    """Each chunk's indicator rows (its entities and the shared ones), padded; lazily."""
    rows = {name: frame.groupby("entity", sort=False).indices for name, frame in frames.items()}
    for chunk in plan.chunks:
        wanted = set(chunk) | plan.shared
        out = {}
        for name, frame in frames.items():
            picked = [rows[name][e] for e in wanted if e in rows[name]]
            positions = np.sort(np.concatenate(picked)) if picked else np.array([], dtype=int)
            part = frame.iloc[positions]
            missing = min(plan.widths[name], len(PADDING)) - len(picked)
            out[name] = _padded(part, frame, missing) if missing > 0 else part
        yield out


def _padded(part: pd.DataFrame, frame: pd.DataFrame, missing: int) -> pd.DataFrame:
    """``part`` plus ``missing`` entities with one row and no value (NaN or NaT)."""
    pad = frame.iloc[[0] * missing].copy()
    pad["entity"] = list(PADDING[:missing])
    pad["value"] = pd.NaT if pad["value"].dtype.kind == "M" else np.nan
    return pd.concat([part, pad], ignore_index=True)


@dataclass(frozen=True)
class RuleSpec:
    """A rule as plain data: what a worker compiles and evaluates."""

    id: str
    when: str
    indicator: str | None
    for_: str
    keep_firing_for: str
    entities: tuple[str, ...] | None

    @classmethod
    def of(cls, rule: Rule) -> RuleSpec:
        entities = tuple(rule.entities) if rule.entities else None
        return cls(
            rule.id, rule.when, rule.indicator, str(rule.for_), str(rule.keep_firing_for), entities
        )

    def compile(self, infos: dict[str, IndicatorInfo]) -> Rule:
        return Rule(
            id=self.id,
            title=self.id,
            stage=0,
            severity="info",
            indicator=self.indicator,
            condition=compile_condition(self.when, self.indicator, infos),
            for_=parse_duration(self.for_),
            keep_firing_for=parse_duration(self.keep_firing_for),
            file="(chunk task)",
            line=0,
            entities=list(self.entities) if self.entities else None,
        )


@dataclass
class ChunkTask:
    """One chunk's evaluation, self-contained: rules, indicator rows, timing, range."""

    number: int
    rules: tuple[RuleSpec, ...]
    infos: dict[str, tuple[str, str]]  # indicator -> (unit, kind)
    timing: dict[str, tuple[str | None, str, bool]]  # indicator -> (max_age, axis, short)
    frames: dict[str, pd.DataFrame]
    errors: dict[str, str]
    start: pd.Timestamp
    end: pd.Timestamp
    step: str
    keep: pd.DatetimeIndex  # the grid times results keep
    own: frozenset[str]


def make_tasks(
    ruleset: RuleSet,
    infos: dict[str, IndicatorInfo],
    timing: dict[str, SeriesTiming],
    frames: dict[str, pd.DataFrame],
    errors: dict[str, str],
    plan: ChunkPlan,
    days: pd.DatetimeIndex,
    step: str,
    keep: pd.DatetimeIndex,
) -> Iterator[ChunkTask]:
    """One task per chunk, built only when asked for (one chunk's rows at a time)."""
    rules = tuple(RuleSpec.of(rule) for rule in ruleset.rules)
    plain_infos = {name: (info.unit, info.kind) for name, info in infos.items()}
    plain_timing = {
        name: (str(t.max_age) if t.max_age else None, t.axis, t.short_periods)
        for name, t in timing.items()
    }
    for number, chunk_frames in enumerate(split_frames(frames, plan)):
        yield ChunkTask(
            number,
            rules,
            plain_infos,
            plain_timing,
            chunk_frames,
            errors,
            days[0],
            days[-1],
            step,
            keep,
            plan.own(number),
        )


@dataclass
class RulePart:
    """One rule on one chunk: kept rows of the owned columns, whole any-entity paths."""

    condition: pd.DataFrame
    measure: pd.DataFrame
    states: pd.DataFrame
    since: pd.DataFrame
    last_true: pd.DataFrame
    firing: np.ndarray  # per grid time: does any owned entity fire
    pending: np.ndarray
    error: str | None


@dataclass
class ChunkResult:
    number: int
    parts: dict[str, RulePart]


def run_chunk(task: ChunkTask) -> ChunkResult:
    """Evaluate every rule on one chunk; what a worker runs."""
    days = evaluation_grid(task.start, task.end)
    grid = step_times(days, task.step)
    timing = {
        name: SeriesTiming(parse_duration(age) if age else None, axis, short)
        for name, (age, axis, short) in task.timing.items()
    }
    infos = {name: IndicatorInfo(unit, kind) for name, (unit, kind) in task.infos.items()}
    ctx = EvaluationContext(days, task.frames, timing, grid=grid)
    rows = grid.get_indexer(task.keep)
    parts = {}
    for spec in task.rules:
        result = evaluate_rule(spec.compile(infos), ctx, task.errors, grid)
        parts[spec.id] = _kept(result, rows, task.own)
    return ChunkResult(task.number, parts)


def _kept(result: RuleResult, rows: np.ndarray, own: frozenset[str]) -> RulePart:
    table = result.table
    columns = [c for c in table.states.columns if str(c) in own]
    measured = [c for c in result.measure.columns if str(c) in own]
    states = table.states[columns]
    codes = states.to_numpy()
    condition = result.condition.reindex(columns=columns).fillna(False).astype(bool)
    return RulePart(
        condition.iloc[rows],
        result.measure[measured].iloc[rows],
        states.iloc[rows],
        table.since[columns].iloc[rows],
        _last_true(condition).iloc[rows],
        (codes == int(AlertState.FIRING)).any(axis=1),
        (codes == int(AlertState.PENDING)).any(axis=1),
        result.error,
    )


def _last_true(condition: pd.DataFrame) -> pd.DataFrame:
    """Per time and entity, the last time at or before it the condition held (NaT before)."""
    index = pd.DatetimeIndex(condition.index)
    positions = np.arange(len(index))[:, None]
    last = np.maximum.accumulate(np.where(condition.to_numpy(), positions, -1), axis=0)
    times = index.to_numpy()[np.clip(last, 0, None)]
    stamps = np.where(last >= 0, times, np.datetime64("NaT"))
    return pd.DataFrame(stamps, index=condition.index, columns=condition.columns)
