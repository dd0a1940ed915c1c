"""An assessment: the timeline read at one date, in the shape reports and tools use.

``to_json`` is a stable contract (``monitor run --json``): ``as_of``, ``case``,
``stage``, ``score``, ``stages``, ``alerts``, ``data``, ``report`` at least. Everything
here is plain data; templates format it, they do not compute it.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from monitor.case import Case
from monitor.evaluate import RuleResult, Timeline, rule_weight
from monitor.states import AlertState

STALE_AFTER_DAYS = {
    "daily": 10,
    "weekly": 21,
    "monthly": 70,
    "quarterly": 200,
    "annual": 460,
    "fiscal-annual": 460,
}
STATE_ORDER = {"firing": 3, "pending": 2, "resolved": 1, "inactive": 0}


@dataclass
class EntityState:
    entity: str
    state: str
    value: float | None
    since: str | None


@dataclass
class RuleAssessment:
    id: str
    title: str
    stage: int
    severity: str
    counter: bool
    indicator: str | None
    when: str
    state: str
    value: float | None
    entity: str | None
    unit: str
    threshold: float | None
    comparator: str | None
    distance: float | None
    since: str | None
    contribution: float
    weight: float
    precedent: dict[str, Any] | None
    description: str
    references: list[str]
    file: str
    entities: list[EntityState] = field(default_factory=list)
    error: str | None = None


@dataclass
class StageAssessment:
    stage: int
    title: str
    active: bool
    firing: list[str]
    activation: str
    since: str | None


@dataclass
class Assessment:
    as_of: str
    case: str
    case_title: str
    stage: int
    score: float
    stages: list[StageAssessment]
    rules: list[RuleAssessment]
    alerts: list[dict[str, Any]]
    data: list[dict[str, Any]]
    quarantined: list[dict[str, Any]]
    score_history: list[dict[str, Any]]
    problems: list[str]
    report: str | None = None

    def to_json(self) -> dict[str, Any]:
        return _clean(asdict(self))


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _iso(value: Any) -> str | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date().isoformat()


def _number(value: Any) -> float | None:
    if value is None or pd.isna(value):
        return None
    return round(float(value), 6)


def _rule_entities(result: RuleResult, pos: int) -> list[EntityState]:
    table = result.table
    out = []
    for entity in table.states.columns:
        code = int(table.states[entity].iloc[pos])
        value = result.measure[entity].iloc[pos] if entity in result.measure.columns else None
        out.append(
            EntityState(
                str(entity),
                AlertState(code).label,
                _number(value),
                _iso(table.since[entity].iloc[pos]),
            )
        )
    # entities the measure knows but the condition never touched are inactive
    for entity in result.measure.columns:
        if entity not in table.states.columns:
            out.append(
                EntityState(
                    str(entity), "inactive", _number(result.measure[entity].iloc[pos]), None
                )
            )
    return out


def _headline(entities: list[EntityState], comparator: str | None) -> EntityState | None:
    """The entity a card leads with: the most serious state, then the most extreme value.

    "Most extreme" follows the rule's comparison: the largest value for ``>=``, the
    smallest for ``<=``, so a card shows the reading furthest past its threshold.
    """
    if not entities:
        return None
    sign = -1.0 if comparator in ("<", "<=") else 1.0

    def key(e: EntityState) -> tuple[int, bool, float]:
        return (STATE_ORDER[e.state], e.value is not None, sign * (e.value or 0.0))

    return max(entities, key=key)


def assess(timeline: Timeline, case: Case, as_of: pd.Timestamp) -> Assessment:
    pos = timeline.position(as_of)
    at = timeline.grid[pos]
    rules = [_assess_rule(timeline, rid, pos) for rid in timeline.results]
    stages = []
    for number in sorted(timeline.stage_active.columns):
        active_series = timeline.stage_active[number].iloc[: pos + 1]
        activation = timeline.ruleset.activations[number]
        members = [
            r.id for r in rules if r.stage == number and r.state == "firing" and not r.counter
        ]
        stages.append(
            StageAssessment(
                stage=int(number),
                title=timeline.ruleset.titles.get(number, f"Stage {number}"),
                active=bool(active_series.iloc[-1]),
                firing=members,
                activation=activation.describe(),
                since=_iso(_run_start(active_series)),
            )
        )
    alerts = [
        {
            "rule": r.id,
            "stage": r.stage,
            "indicator": r.indicator,
            "entity": e.entity,
            "state": e.state,
            "value": e.value,
            "unit": r.unit,
            "since": e.since,
        }
        for r in rules
        for e in r.entities
        if e.state != "inactive"
    ]
    problems = [f"indicator {n!r} failed: {m}" for n, m in timeline.indicator_errors.items()]
    return Assessment(
        as_of=at.date().isoformat(),
        case=case.name,
        case_title=case.title,
        stage=int(timeline.stage.iloc[pos]),
        score=round(float(timeline.score.iloc[pos]), 1),
        stages=stages,
        rules=rules,
        alerts=alerts,
        data=data_freshness(case, at),
        quarantined=[b.as_dict() for b in case.data.bad_rows],
        score_history=_score_history(timeline, pos),
        problems=problems,
    )


def _run_start(flags: pd.Series) -> pd.Timestamp | None:
    if flags.empty or not bool(flags.iloc[-1]):
        return None
    starts = flags & ~flags.shift(1, fill_value=False)
    return pd.Timestamp(starts[starts].index[-1])


def _assess_rule(timeline: Timeline, rule_id: str, pos: int) -> RuleAssessment:
    result = timeline.results[rule_id]
    rule = result.rule
    entities = _rule_entities(result, pos)
    condition = rule.condition
    lead = _headline(entities, condition.comparator)
    value = lead.value if lead else None
    threshold = condition.threshold
    distance = None if value is None or threshold is None else round(value - threshold, 6)
    precedent = None
    if rule.precedent is not None:
        precedent = {
            "date": rule.precedent.date.date().isoformat(),
            "value": rule.precedent.value,
            "note": rule.precedent.note,
            "entity": rule.precedent.entity,
        }
    contribution = 0.0
    if rule_id in timeline.contributions.columns:
        contribution = round(float(timeline.contributions[rule_id].iloc[pos]), 2)
    return RuleAssessment(
        id=rule.id,
        title=rule.title,
        stage=rule.stage,
        severity=rule.severity,
        counter=rule.counter,
        indicator=rule.indicator,
        when=rule.when,
        state=lead.state if lead else "inactive",
        value=value,
        entity=lead.entity if lead else None,
        unit=condition.measure.label if condition.measure is not None else "",
        threshold=threshold,
        comparator=condition.comparator,
        distance=distance,
        since=lead.since if lead else None,
        contribution=contribution,
        weight=rule_weight(rule),
        precedent=precedent,
        description=rule.description,
        references=rule.references,
        file=rule.file,
        entities=entities,
        error=result.error,
    )


def _score_history(timeline: Timeline, pos: int) -> list[dict[str, Any]]:
    """Month-end score and stage up to the as-of date, for the trend line."""
    score = timeline.score.iloc[: pos + 1]
    stage = timeline.stage.iloc[: pos + 1]
    monthly = pd.DataFrame({"score": score, "stage": stage}).resample("ME").last().dropna()
    return [
        {"date": d.date().isoformat(), "score": round(float(r.score), 1), "stage": int(r.stage)}
        for d, r in monthly.iterrows()
    ]


def data_freshness(case: Case, as_of: pd.Timestamp) -> list[dict[str, Any]]:
    """Per series and entity: the latest period known at ``as_of`` and whether it is stale."""
    frame = case.observations
    frame = frame[frame["published"] <= as_of]
    if frame.empty:
        return []
    last = frame.groupby(["series", "entity"]).agg(
        last_date=("date", "max"), last_published=("published", "max"), source=("source", "last")
    )
    out = []
    for (series, entity), row in last.iterrows():
        meta = case.series.get(str(series), {})
        limit = STALE_AFTER_DAYS.get(str(meta.get("frequency", "")))
        age = int((as_of - row.last_published).days)
        out.append(
            {
                "series": str(series),
                "entity": str(entity),
                "last_date": _iso(row.last_date),
                "last_published": _iso(row.last_published),
                "age_days": age,
                "stale": bool(limit is not None and age > limit),
                "source": str(row.source),
            }
        )
    return out
