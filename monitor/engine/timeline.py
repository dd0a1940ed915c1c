"""The evaluator: observations -> indicators -> rule states, stages and score over time.

One call evaluates every rule for every entity at every day of a range, point in
time: each day only sees what had been published by then. An assessment at a date
is a row of this timeline, so a backtest reuses it without re-running anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from monitor.core.durations import parse_duration
from monitor.data.observations import visible_at
from monitor.engine.context import EvaluationContext, SeriesTiming
from monitor.engine.scoring import score_contributions, total_score
from monitor.engine.stages import overall_stage, stage_activity
from monitor.engine.states import AlertState, StateTable, compute_states
from monitor.engine.steps import DAILY, step_times
from monitor.indicator.base import SHORT_PERIODS, Indicator
from monitor.indicator.registry import Registry
from monitor.indicator.validation import validate_output
from monitor.language.windows import evaluation_grid
from monitor.rulebook.model import Rule, RuleSet


@dataclass
class RuleResult:
    """One rule's condition, measured value and states per evaluation time and entity.

    A full result has one row per grid time. A kept result (chunked evaluation,
    :mod:`monitor.engine.chunks`) has rows only at the times readers use (month ends
    and the assessed dates): ``rows`` maps a grid position to its row (-1 where not
    kept) and ``last_true`` holds, per kept row, when the condition last held.
    """

    rule: Rule
    condition: pd.DataFrame
    measure: pd.DataFrame
    table: StateTable
    error: str | None = None
    rows: np.ndarray | None = None
    last_true: pd.DataFrame | None = None

    def at(self, pos: int) -> int:
        """The row of grid position ``pos`` in this result's frames."""
        if self.rows is None:
            return pos
        row = int(self.rows[pos])
        if row < 0:
            raise ValueError(
                f"rule {self.rule.id!r}: grid position {pos} was not kept by the chunked "
                "evaluation (keep it by passing the date to assess)"
            )
        return row

    def last_true_before(self, entity: str, pos: int, grid: pd.DatetimeIndex) -> int | None:
        """Grid position of the last time at or before ``pos`` the condition held."""
        if self.last_true is not None:
            stamp = self.last_true[entity].iloc[self.at(pos)]
            return None if pd.isna(stamp) else int(grid.get_loc(pd.Timestamp(stamp)))
        held = self.condition[entity].iloc[: pos + 1].fillna(False).astype(bool).to_numpy()
        true_at = np.flatnonzero(held)
        return int(true_at[-1]) if len(true_at) else None

    def firing_any(self) -> pd.Series:
        states = self.table.states
        if states.shape[1] == 0:
            return pd.Series(False, index=self.condition.index)
        return (states == AlertState.FIRING).any(axis=1)

    def pending_any(self) -> pd.Series:
        states = self.table.states
        if states.shape[1] == 0:
            return pd.Series(False, index=self.condition.index)
        return (states == AlertState.PENDING).any(axis=1)


@dataclass
class Timeline:
    """Everything evaluated, per day: rule states, stage activity, stage and score."""

    grid: pd.DatetimeIndex
    ruleset: RuleSet
    results: dict[str, RuleResult]
    firing: pd.DataFrame  # grid x rule id, any entity firing
    stage_active: pd.DataFrame  # grid x stage (1..3)
    stage: pd.Series
    contributions: pd.DataFrame  # grid x rule id, score points
    score: pd.Series
    indicators: dict[str, pd.DataFrame] = field(default_factory=dict)
    indicator_errors: dict[str, str] = field(default_factory=dict)
    context: EvaluationContext | None = None  # the daily views the conditions ran on
    step: str = DAILY
    pending: pd.DataFrame | None = None  # grid x rule id, any entity pending

    def position(self, as_of: pd.Timestamp) -> int:
        """Index of the last evaluation time at or before ``as_of``."""
        pos = int(self.grid.searchsorted(as_of, side="right")) - 1
        if pos < 0:
            raise ValueError(f"{as_of.date()} is before the evaluated range")
        return pos


def compute_indicators(
    observations: pd.DataFrame, registry: Registry, names: set[str]
) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Run the needed indicator plugins; a failing plugin is reported, not fatal."""
    frames: dict[str, pd.DataFrame] = {}
    errors: dict[str, str] = {}
    for name in sorted(names):
        indicator = registry.get(name)
        try:
            frames[name] = validate_output(indicator, indicator.compute(observations))
        except Exception as exc:  # noqa: BLE001 - one broken plugin must not stop a run
            errors[name] = f"{type(exc).__name__}: {exc}"
    return frames, errors


def series_timing(indicator: Indicator) -> SeriesTiming:
    """How the indicator's windows look back (its ``max_age`` and window axis)."""
    text = getattr(indicator, "max_age", None)
    return SeriesTiming(
        max_age=parse_duration(text) if text else None,
        axis=indicator.axis(),
        short_periods=indicator.frequency in SHORT_PERIODS,
    )


@dataclass
class Prepared:
    """What every rule of one evaluation shares: the grids and the indicator frames."""

    days: pd.DatetimeIndex
    grid: pd.DatetimeIndex
    frames: dict[str, pd.DataFrame]
    errors: dict[str, str]
    timing: dict[str, SeriesTiming]


def prepare(
    observations: pd.DataFrame,
    ruleset: RuleSet,
    registry: Registry,
    end: pd.Timestamp,
    start: pd.Timestamp | None = None,
    step: str = DAILY,
) -> Prepared:
    """The grids and the indicators the rules need, from rows published by ``end``."""
    visible = visible_at(observations, end)
    if start is None:
        start = visible["published"].min() if not visible.empty else end
    days = evaluation_grid(min(start, end), end)
    grid = step_times(days, step)
    needed = {name for rule in ruleset.rules for name in rule.condition.indicators}
    frames, errors = compute_indicators(visible, registry, needed)
    timing = {name: series_timing(registry.get(name)) for name in frames}
    return Prepared(days, grid, frames, errors, timing)


def evaluate(
    observations: pd.DataFrame,
    ruleset: RuleSet,
    registry: Registry,
    end: pd.Timestamp,
    start: pd.Timestamp | None = None,
    step: str = DAILY,
) -> Timeline:
    """Evaluate every rule from ``start`` to ``end`` using only rows published by ``end``.

    Conditions are computed on every day (values, windows and events are exact to the
    day); alert states advance only at the step times (every day, or month ends plus
    ``end``), so ``for`` and ``keep_firing_for`` are compared at those times.
    """
    prepared = prepare(observations, ruleset, registry, end, start, step)
    return evaluate_prepared(prepared, ruleset, step)


def evaluate_prepared(prepared: Prepared, ruleset: RuleSet, step: str = DAILY) -> Timeline:
    """Every rule over every entity at once, full frames on the whole grid."""
    days, grid, frames, errors = prepared.days, prepared.grid, prepared.frames, prepared.errors
    ctx = EvaluationContext(days, frames, prepared.timing, grid=grid)
    results = {rule.id: evaluate_rule(rule, ctx, errors, grid) for rule in ruleset.rules}
    firing = pd.DataFrame({rid: r.firing_any() for rid, r in results.items()}, index=grid)
    pending = pd.DataFrame({rid: r.pending_any() for rid, r in results.items()}, index=grid)
    # the views the conditions ran on are days x entities per indicator and window (half
    # of what an evaluation holds); readers that need them again (calibration, explain)
    # recompute them lazily from a context of the same frames
    fresh = EvaluationContext(days, frames, prepared.timing, grid=grid)
    return assemble(ruleset, grid, results, firing, pending, frames, errors, fresh, step)


def assemble(
    ruleset: RuleSet,
    grid: pd.DatetimeIndex,
    results: dict[str, RuleResult],
    firing: pd.DataFrame,
    pending: pd.DataFrame,
    frames: dict[str, pd.DataFrame],
    errors: dict[str, str],
    ctx: EvaluationContext,
    step: str,
) -> Timeline:
    """Stages and score from the rules' firing paths: one formula, chunked or not."""
    stage_active = stage_activity(ruleset, firing)
    stage = overall_stage(stage_active)
    contributions = score_contributions(ruleset, firing)
    score = total_score(contributions, grid)
    return Timeline(
        grid,
        ruleset,
        results,
        firing,
        stage_active,
        stage,
        contributions,
        score.astype("float64"),
        frames,
        errors,
        ctx,
        step,
        pending,
    )


def evaluate_rule(
    rule: Rule, ctx: EvaluationContext, errors: dict[str, str], grid: pd.DatetimeIndex
) -> RuleResult:
    failed = sorted(rule.condition.indicators & set(errors))
    empty = pd.DataFrame(index=grid)
    if failed:
        message = "; ".join(f"indicator {n!r} failed: {errors[n]}" for n in failed)
        return RuleResult(
            rule, empty, empty, compute_states(empty, rule.for_, rule.keep_firing_for), message
        )
    condition = rule.condition.evaluate(ctx)
    measure = rule.condition.measured(ctx)
    if rule.entities:
        condition = condition.reindex(columns=rule.entities, fill_value=False)
        measure = measure.reindex(columns=rule.entities)
    table = compute_states(condition, rule.for_, rule.keep_firing_for)
    return RuleResult(rule, condition, measure, table)
