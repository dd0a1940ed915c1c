"""The evaluator: observations -> indicators -> rule states, stages and score over time.

One call evaluates every rule for every entity at every day of a range, point in
time: each day only sees what had been published by then. An assessment at a date
is a row of this timeline, so a backtest reuses it without re-running anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from monitor.core.durations import parse_duration
from monitor.data.observations import visible_at
from monitor.engine.context import EvaluationContext, SeriesTiming
from monitor.engine.scoring import score_contributions, total_score
from monitor.engine.states import AlertState, StateTable, compute_states
from monitor.engine.steps import DAILY, step_times
from monitor.indicator.base import SHORT_PERIODS, Indicator
from monitor.indicator.registry import Registry
from monitor.indicator.validation import validate_output
from monitor.language.windows import evaluation_grid
from monitor.rulebook.model import Rule, RuleSet


@dataclass
class RuleResult:
    rule: Rule
    condition: pd.DataFrame
    measure: pd.DataFrame
    table: StateTable
    error: str | None = None

    def firing_any(self) -> pd.Series:
        states = self.table.states
        if states.shape[1] == 0:
            return pd.Series(False, index=self.condition.index)
        return (states == AlertState.FIRING).any(axis=1)


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
    visible = visible_at(observations, end)
    if start is None:
        start = visible["published"].min() if not visible.empty else end
    days = evaluation_grid(min(start, end), end)
    grid = step_times(days, step)
    needed = {name for rule in ruleset.rules for name in rule.condition.indicators}
    frames, errors = compute_indicators(visible, registry, needed)
    timing = {name: series_timing(registry.get(name)) for name in frames}
    ctx = EvaluationContext(days, frames, timing)
    results = {rule.id: _evaluate_rule(rule, ctx, errors, grid) for rule in ruleset.rules}
    firing = pd.DataFrame({rid: r.firing_any() for rid, r in results.items()}, index=grid)
    stage_active = stage_activity(ruleset, firing)
    stage = pd.Series(0, index=grid, dtype="int64")
    for number in sorted(stage_active.columns):
        stage = stage.where(~stage_active[number], number)
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
    )


def _evaluate_rule(
    rule: Rule, ctx: EvaluationContext, errors: dict[str, str], grid: pd.DatetimeIndex
) -> RuleResult:
    failed = sorted(rule.condition.indicators & set(errors))
    empty = pd.DataFrame(index=grid)
    if failed:
        message = "; ".join(f"indicator {n!r} failed: {errors[n]}" for n in failed)
        return RuleResult(
            rule, empty, empty, compute_states(empty, rule.for_, rule.keep_firing_for), message
        )
    condition = rule.condition.evaluate(ctx).reindex(grid)
    measure = rule.condition.measured(ctx).reindex(grid)
    if rule.entities:
        condition = condition.reindex(columns=rule.entities, fill_value=False)
        measure = measure.reindex(columns=rule.entities)
    table = compute_states(condition, rule.for_, rule.keep_firing_for)
    return RuleResult(rule, condition, measure, table)


def stage_activity(ruleset: RuleSet, firing: pd.DataFrame) -> pd.DataFrame:
    """Per evaluation time and stage, whether the stage is active given which rules fire."""
    active: dict[int, pd.Series] = {}
    for number, activation in sorted(ruleset.activations.items()):
        if activation.evaluate is not None:
            active[number] = activation.evaluate(firing).astype(bool)
            continue
        members = [r.id for r in ruleset.rules if r.stage == number and not r.counter]
        count = firing[members].sum(axis=1) if members else pd.Series(0, index=firing.index)
        active[number] = count >= (activation.min_firing or 1)
    return pd.DataFrame(active, index=firing.index)
