"""A backtest: the timeline read at every step of a range, scored against the case's episodes.

Plain data, built once from one :class:`~monitor.engine.timeline.Timeline` (the same
one ``monitor run`` reads at a single date, so a rule's state at any step here is the
state ``monitor run --as-of`` reports for that date at the same step). Nothing is
re-evaluated per date.

``to_json`` is the ``monitor backtest --json`` contract: ``schema_version``, ``case``,
``from``, ``to``, ``step``, ``horizon_months``, ``stage_entries``, ``rules``,
``metrics`` and ``report``. The rest (stage periods, the composite, the heat map, the
false alarms named, the source report's figures) is what the HTML report shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from monitor.assessment import klr
from monitor.assessment.alarms import name_signal_periods
from monitor.assessment.figures import fed_and_pmi, lucent_reserves
from monitor.assessment.history import rule_heat
from monitor.assessment.periods import (
    Period,
    duration_months,
    lead_months,
    periods,
)
from monitor.core.errors import BacktestError
from monitor.core.plaindata import number
from monitor.data.case import Case
from monitor.engine.states import AlertState
from monitor.engine.timeline import Timeline

SCHEMA_VERSION = 1
DEFAULT_HORIZON_MONTHS = 24


@dataclass
class RuleRecord:
    rule: str
    entity: str | None
    title: str
    stage: int
    counter: bool
    first_firing: str | None
    firing_periods: list[list[str | None]]
    lead_months: dict[str, float | None]

    def contract(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "entity": self.entity,
            "first_firing": self.first_firing,
            "firing_periods": self.firing_periods,
            "lead_months": self.lead_months,
        }


@dataclass
class StageRecord:
    stage: int
    title: str
    first_active: str | None
    periods: list[dict[str, Any]]  # {start, end, months}
    months_active: float
    lead_months: dict[str, float | None]


@dataclass
class Metric:
    rule: str  # a rule id, or "stage N" for a stage (no rule id has a space)
    title: str
    stage: int
    a: int
    b: int
    c: int
    d: int
    hit_rate: float | None
    false_alarm_rate: float | None
    nsr: float | None
    noisy: bool
    weight: float

    def contract(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "a": self.a,
            "b": self.b,
            "c": self.c,
            "d": self.d,
            "hit_rate": self.hit_rate,
            "false_alarm_rate": self.false_alarm_rate,
            "nsr": self.nsr,
        }


@dataclass
class Backtest:
    case: str
    case_title: str
    start: str
    end: str
    step: str
    horizon_months: int
    episodes: list[dict[str, Any]]
    events: list[dict[str, Any]]
    stage_entries: dict[str, str | None]
    stages: list[StageRecord]
    rules: list[RuleRecord]
    metrics: list[Metric]
    timeline: list[dict[str, Any]]  # per step: date, stage, score, composite
    heat: dict[str, Any]  # months and one row of month cells per rule
    false_alarms: list[dict[str, Any]]
    early_hits: list[dict[str, Any]]
    figures: dict[str, Any] = field(default_factory=dict)
    calibration: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)
    report: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "case": self.case,
            "from": self.start,
            "to": self.end,
            "step": self.step,
            "horizon_months": self.horizon_months,
            "stage_entries": self.stage_entries,
            "rules": [r.contract() for r in self.rules],
            "metrics": [m.contract() for m in self.metrics],
            "report": self.report,
        }


def _iso(stamp: pd.Timestamp) -> str:
    return stamp.date().isoformat()


def _windows(case: Case) -> list[klr.Window]:
    return [klr.Window(e.onset, e.end) for e in case.episodes]


def _leads(runs: list[Period], case: Case, horizon: int, last: pd.Timestamp) -> dict[str, Any]:
    return {e.id: lead_months(runs, e.onset, horizon, last) for e in case.episodes}


def _rule_records(
    timeline: Timeline, grid: pd.DatetimeIndex, case: Case, horizon: int
) -> list[RuleRecord]:
    records = []
    last = grid[-1]
    for rid, result in timeline.results.items():
        rule = result.rule
        states = result.table.states.reindex(grid)
        entities: list[str | None] = [str(c) for c in states.columns] or [None]
        for entity in entities:
            if entity is None:
                runs: list[Period] = []
            else:
                runs = periods(states[entity] == int(AlertState.FIRING))
            records.append(
                RuleRecord(
                    rule=rid,
                    entity=entity,
                    title=rule.title,
                    stage=rule.stage,
                    counter=rule.counter,
                    first_firing=_iso(runs[0].start) if runs else None,
                    firing_periods=[r.as_list() for r in runs],
                    lead_months=_leads(runs, case, horizon, last),
                )
            )
    return records


def _stage_records(
    timeline: Timeline, grid: pd.DatetimeIndex, case: Case, horizon: int
) -> list[StageRecord]:
    out = []
    for number_ in sorted(timeline.stage_active.columns):
        runs = periods(timeline.stage_active[number_].reindex(grid, fill_value=False))
        spans: list[dict[str, Any]] = [
            {
                "start": _iso(r.start),
                "end": None if r.end is None else _iso(r.end),
                "months": duration_months(r, grid),
            }
            for r in runs
        ]
        out.append(
            StageRecord(
                stage=int(number_),
                title=timeline.ruleset.titles.get(number_, f"Stage {number_}"),
                first_active=_iso(runs[0].start) if runs else None,
                periods=spans,
                months_active=round(sum(float(s["months"]) for s in spans), 1),
                lead_months=_leads(runs, case, horizon, grid[-1]),
            )
        )
    return out


def _signals(timeline: Timeline, grid: pd.DatetimeIndex) -> dict[str, tuple[str, int, pd.Series]]:
    """What KLR scores: each risk rule (any entity firing) and each stage being active.

    Counter-signals are left out: they say "calm", so a crisis after one is not a miss.
    """
    out: dict[str, tuple[str, int, pd.Series]] = {}
    for rid, result in timeline.results.items():
        if not result.rule.counter:
            out[rid] = (result.rule.title, result.rule.stage, timeline.firing[rid].reindex(grid))
    for number_ in sorted(timeline.stage_active.columns):
        title = timeline.ruleset.titles.get(number_, f"Stage {number_}")
        out[f"stage {number_}"] = (
            title,
            int(number_),
            timeline.stage_active[number_].reindex(grid),
        )
    return out


def _metric(key: str, title: str, stage: int, counts: klr.Counts) -> Metric:
    return Metric(
        rule=key,
        title=title,
        stage=stage,
        a=counts.a,
        b=counts.b,
        c=counts.c,
        d=counts.d,
        hit_rate=number(counts.hit_rate, 4),
        false_alarm_rate=number(counts.false_alarm_rate, 4),
        nsr=number(counts.nsr, 4),
        noisy=counts.noisy,
        weight=round(klr.weight(counts), 4),
    )


def build(
    timeline: Timeline,
    case: Case,
    start: pd.Timestamp,
    end: pd.Timestamp,
    horizon_months: int = DEFAULT_HORIZON_MONTHS,
) -> Backtest:
    """Read ``timeline`` at every step from ``start`` to ``end`` and score it."""
    grid = timeline.grid[(timeline.grid >= start) & (timeline.grid <= end)]
    if len(grid) == 0:
        raise BacktestError(f"no evaluation step between {start.date()} and {end.date()}")
    windows = _windows(case)
    signals = _signals(timeline, grid)
    metrics: list[Metric] = []
    if windows:
        metrics = [
            _metric(key, title, stage, klr.score(signal, windows, horizon_months))
            for key, (title, stage, signal) in signals.items()
        ]
    weights = {m.rule: m.weight for m in metrics if not m.rule.startswith("stage ")}
    composite = klr.composite(timeline.firing.reindex(grid), weights)
    stages = _stage_records(timeline, grid, case, horizon_months)
    false_alarms, early = name_signal_periods(signals, case, horizon_months)
    steps = [
        {
            "date": _iso(t),
            "stage": int(timeline.stage.loc[t]),
            "score": round(float(timeline.score.loc[t]), 1),
            "composite": number(composite.loc[t], 1),
        }
        for t in grid
    ]
    return Backtest(
        case=case.name,
        case_title=case.title,
        start=_iso(grid[0]),
        end=_iso(grid[-1]),
        step=timeline.step,
        horizon_months=horizon_months,
        episodes=[
            {
                "id": e.id,
                "onset": _iso(e.onset),
                "end": _iso(e.end),
                "title": e.title,
                "source": e.source,
            }
            for e in case.episodes
        ],
        events=[
            {"date": _iso(e.date), "title": e.title, "source": e.source}
            for e in case.crisis_events
            if grid[0] <= e.date <= grid[-1]
        ],
        stage_entries={
            **{str(n): None for n in (1, 2, 3)},
            **{str(s.stage): s.first_active for s in stages},
        },
        stages=stages,
        rules=_rule_records(timeline, grid, case, horizon_months),
        metrics=metrics,
        timeline=steps,
        heat=rule_heat(timeline, grid),
        false_alarms=false_alarms,
        early_hits=early,
        figures={
            "fed_pmi": fed_and_pmi(case, grid[-1]),
            "lucent": lucent_reserves(case, grid[-1]),
        },
        problems=[f"indicator {n!r} failed: {m}" for n, m in timeline.indicator_errors.items()],
    )
