"""An assessment: the timeline read at one date, in the shape reports and tools use.

``to_json`` is a stable contract (``monitor run --json``): ``as_of``, ``case``,
``stage``, ``score``, ``stages``, ``alerts``, ``data``, ``report`` at least. Everything
here is plain data; templates format it, they do not compute it. That is why an
assessment also carries what a report shows beyond the contract: each rule's month-end
history (for its chart), its margin to the threshold in the rule's own direction, the
score's trend and breakdown, the series' sources, and (filled in by the pipeline) what
changed since the previous report and the "today against 2000" analogies.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from monitor.assessment.entities import entity_ranking
from monitor.assessment.freshness import series_freshness, summarise
from monitor.assessment.history import (
    month_end_positions,
    rule_heat,
    rule_history,
    score_history,
    score_trend,
)
from monitor.assessment.reading import held, mark_carried, missing_reason
from monitor.core.clock import today as clock_today
from monitor.core.limits import HISTORY_ENTITIES
from monitor.core.plaindata import iso_date, number
from monitor.data.case import Case
from monitor.engine.scoring import max_points, rule_weight, score_parts
from monitor.engine.states import AlertState
from monitor.engine.timeline import RuleResult, Timeline

SCHEMA_VERSION = "1.0"  # of to_json(); docs/report.schema.json describes it
STATE_ORDER = {"firing": 3, "pending": 2, "resolved": 1, "inactive": 0}


@dataclass
class EntityState:
    entity: str
    state: str
    value: float | None
    since: str | None
    name: str = ""


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
    indicator_title: str = ""
    entity_name: str | None = None
    margin: float | None = None  # distance past the threshold in the rule's direction
    max_points: float = 0.0  # score points the rule adds (or removes) when firing
    for_: str = "0d"
    keep_firing_for: str = "0d"
    line: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    measure: str = ""  # what the value and chart are: "change(12mo)" or the indicator
    held: dict[str, Any] | None = None  # firing only by keep_firing_for: until, last_true
    missing: str | None = None  # why there is no value now
    series: list[str] = field(default_factory=list)  # observation series the indicator reads
    level: dict[str, Any] | None = None  # compound rules: the part on the measured series
    # both ends where the indicator keeps a range (GPU utilisation 50-70%, the return test)
    low: float | None = None
    high: float | None = None
    silences: list[dict[str, Any]] = field(default_factory=list)  # active, scheduled runs only
    history_omitted: int = 0  # entities past HISTORY_ENTITIES whose history is not kept


@dataclass
class StageAssessment:
    stage: int
    title: str
    active: bool
    firing: list[str]
    activation: str
    since: str | None
    needs: int | None = None  # firing rules the stage needs (None: an expression decides)


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
    case_description: str = ""
    trend: dict[str, Any] = field(default_factory=dict)
    breakdown: dict[str, Any] = field(default_factory=dict)
    sources: list[dict[str, Any]] = field(default_factory=list)
    changes: dict[str, Any] | None = None
    analogies: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)  # the first screen, see briefing
    entities: list[dict[str, Any]] = field(default_factory=list)  # ranked, see entities
    heat: dict[str, Any] = field(default_factory=dict)  # rules x months up to the as-of
    schema_version: str = SCHEMA_VERSION
    # freshness against the day the run is made (see monitor.assessment.freshness)
    data_as_of: str | None = None
    days_behind_today: int | None = None
    today: str = ""
    stale_inputs: int = 0
    data_line: str = ""
    # a store-backed case whose sources failed to refresh (see monitor.assessment.degraded)
    degraded: dict[str, Any] | None = None
    # what the run depended on: rules, plugins, data snapshot, version (pipeline.provenance)
    fingerprint: dict[str, Any] = field(default_factory=dict)
    # scheduled runs: notices due, withheld (silenced or inhibited) and why; see ops.alerting
    notices: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        document = _clean(asdict(self))
        if not self.notices:  # not a scheduled run: no silences, no notices to show
            del document["notices"]
            for rule in document["rules"]:
                del rule["silences"]
        for rule in document["rules"]:
            if not rule["history_omitted"]:  # a universe only: most cases keep every history
                del rule["history_omitted"]
        return document


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _rule_entities(
    result: RuleResult, pos: int, names: dict[str, str] | None = None
) -> list[EntityState]:
    names = names or {}
    table = result.table
    out = []
    row = result.at(pos)
    for entity in table.states.columns:
        code = int(table.states[entity].iloc[row])
        value = result.measure[entity].iloc[row] if entity in result.measure.columns else None
        out.append(
            EntityState(
                str(entity),
                AlertState(code).label,
                number(value),
                iso_date(table.since[entity].iloc[row]),
                names.get(str(entity), str(entity)),
            )
        )
    # entities the measure knows but the condition never touched are inactive
    for entity in result.measure.columns:
        if entity not in table.states.columns:
            out.append(
                EntityState(
                    str(entity),
                    "inactive",
                    number(result.measure[entity].iloc[row]),
                    None,
                    names.get(str(entity), str(entity)),
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


def entity_names(case: Case) -> dict[str, str]:
    """Entity id -> display name from the case metadata (the id where none is given)."""
    return {k: str(v.get("name", k)) for k, v in case.entities.items()}


def assess(
    timeline: Timeline,
    case: Case,
    as_of: pd.Timestamp,
    indicator_titles: dict[str, str] | None = None,
    frequencies: dict[str, str] | None = None,
    series_read: dict[str, list[str]] | None = None,
    today: pd.Timestamp | None = None,
) -> Assessment:
    """Read the timeline at ``as_of``; ``indicator_titles`` labels charts and cards.

    ``frequencies`` (indicator name -> its publication rhythm) tells which chart
    points merely carry an old reading forward. ``today`` (default: the clock's,
    which ``MONITOR_TODAY`` pins) is what the data's age is stated against:
    "data as of 2026-08-07, 116 days before today".
    """
    pos = timeline.position(as_of)
    at = timeline.grid[pos]
    names = entity_names(case)
    titles = indicator_titles or {}
    rules = [_assess_rule(timeline, rid, pos, names, titles) for rid in timeline.results]
    for r in rules:
        r.series = list((series_read or {}).get(r.indicator or "", []))
        frame = timeline.indicators.get(r.indicator or "")
        mark_carried(r.history, frame, (frequencies or {}).get(r.indicator or "", ""))
        if r.precedent is not None:
            r.precedent["known_later"] = r.precedent["date"] > at.date().isoformat()
    parts = _parts(timeline, pos)
    for r in rules:
        r.contribution = parts["rules"].get(r.id, 0.0)
    stages = []
    for stage_no in sorted(timeline.stage_active.columns):
        active_series = timeline.stage_active[stage_no].iloc[: pos + 1]
        activation = timeline.ruleset.activations[stage_no]
        members = [
            r.id for r in rules if r.stage == stage_no and r.state == "firing" and not r.counter
        ]
        stages.append(
            StageAssessment(
                stage=int(stage_no),
                title=timeline.ruleset.titles.get(stage_no, f"Stage {stage_no}"),
                active=bool(active_series.iloc[-1]),
                firing=members,
                activation=activation.describe(),
                since=iso_date(_run_start(active_series)),
                needs=activation.min_firing if activation.when is None else None,
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
    data = data_freshness(case, at)
    fresh = summarise(case, at, today if today is not None else clock_today(), data)
    return Assessment(
        as_of=at.date().isoformat(),
        case=case.name,
        case_title=case.title,
        stage=int(timeline.stage.iloc[pos]),
        score=parts["score"],
        stages=stages,
        rules=rules,
        alerts=alerts,
        data=data,
        quarantined=[b.as_dict() for b in case.data.bad_rows],
        score_history=score_history(timeline, pos),
        heat=rule_heat(timeline, timeline.grid[month_end_positions(timeline.grid, pos)]),
        problems=problems,
        case_description=case.description,
        trend=score_trend(timeline, pos),
        breakdown={k: v for k, v in parts.items() if k != "rules"},
        sources=_sources(data),
        entities=entity_ranking(timeline, pos, names),
        data_as_of=fresh.data_as_of,
        days_behind_today=fresh.days_behind_today,
        today=fresh.today,
        stale_inputs=fresh.stale_inputs,
        data_line=fresh.line,
    )


def _parts(timeline: Timeline, pos: int) -> dict[str, Any]:
    """The score's parts at ``pos``, rounded once by the one score formula."""
    if timeline.contributions.empty:
        row = pd.Series(dtype="float64")
    else:
        row = timeline.contributions.iloc[pos]
    return score_parts(timeline.ruleset, row)


def _sources(data: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each distinct source with the series/entity pairs it feeds, in first-seen order."""
    grouped: dict[str, list[str]] = {}
    for row in data:
        grouped.setdefault(row["source"], []).append(f"{row['series']}/{row['entity']}")
    return [{"source": s, "series": v} for s, v in grouped.items()]


def _run_start(flags: pd.Series) -> pd.Timestamp | None:
    if flags.empty or not bool(flags.iloc[-1]):
        return None
    starts = flags & ~flags.shift(1, fill_value=False)
    return pd.Timestamp(starts[starts].index[-1])


def _margin(distance: float | None, comparator: str | None) -> float | None:
    """The distance signed so that positive means past the threshold (either direction)."""
    if distance is None or comparator is None:
        return None
    return round(-distance if comparator in ("<", "<=") else distance, 6)


SERIOUSNESS = {"firing": 3, "pending": 2, "resolved": 1, "inactive": 0}


def serious_first(entities: list[EntityState], lead: str | None) -> list[EntityState]:
    """The rule's entities, the lead first, then firing, pending, resolved, inactive.

    One order for what a history keeps and what a chart draws, so a chart's lines are
    always among the kept histories.
    """
    return sorted(entities, key=lambda e: (e.entity != lead, -SERIOUSNESS[e.state]))


def _history_entities(entities: list[EntityState], lead: EntityState | None) -> set[str] | None:
    """The entities whose history is kept: all of a few, else the lead and the most serious."""
    if len(entities) <= HISTORY_ENTITIES:
        return None
    ranked = serious_first(entities, lead.entity if lead else None)
    return {e.entity for e in ranked[:HISTORY_ENTITIES]}


def _assess_rule(
    timeline: Timeline,
    rule_id: str,
    pos: int,
    names: dict[str, str],
    titles: dict[str, str],
) -> RuleAssessment:
    result = timeline.results[rule_id]
    rule = result.rule
    entities = _rule_entities(result, pos, names)
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
            # the precedent's own unit where the rule file gives one (an event's size in
            # $bn beside a count rule), else the unit of what the rule measures
            "unit": rule.precedent.unit
            or (condition.measure.label if condition.measure is not None else ""),
            "low": rule.precedent.low,
            "high": rule.precedent.high,
        }
    contribution = 0.0  # set from the score's parts by assess()
    span = _range(timeline, rule.indicator, condition.measure, lead, timeline.grid[pos])
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
        indicator_title=titles.get(rule.indicator or "", rule.indicator or ""),
        entity_name=lead.name if lead else None,
        margin=_margin(distance, condition.comparator),
        max_points=round(max_points(rule, timeline.ruleset), 2),
        for_=str(rule.for_),
        keep_firing_for=str(rule.keep_firing_for),
        line=rule.line,
        history=rule_history(result, timeline.grid, pos, names, _history_entities(entities, lead)),
        history_omitted=max(0, len(entities) - HISTORY_ENTITIES),
        measure=condition.measure.text if condition.measure is not None else "",
        level=None
        if condition.level is None
        else {"comparator": condition.level[0], "value": condition.level[1]},
        held=held(timeline, result, lead.entity if lead else None, pos),
        missing=None
        if value is not None
        else missing_reason(timeline, result, lead.entity if lead else None, pos),
        low=span.get("low"),
        high=span.get("high"),
    )


def _range(
    timeline: Timeline,
    indicator: str | None,
    measure: Any,
    lead: EntityState | None,
    at: pd.Timestamp,
) -> dict[str, float | None]:
    """The low and high end of the reading a card shows, where its indicator has both.

    Only when the rule compares the indicator itself (``value >= 1x``): the range of a
    level says nothing about, say, its 12-month change.
    """
    frame = timeline.indicators.get(indicator or "")
    if (
        frame is None
        or lead is None
        or measure is None
        or getattr(measure, "indicator", None) != indicator
        or not {"low", "high"} <= set(frame.columns)
    ):
        return {}
    rows = frame[(frame["entity"] == lead.entity) & (frame["published"] <= at)]
    if rows.empty:
        return {}
    last = rows.sort_values(["date", "published"]).iloc[-1]
    low, high = number(last["low"]), number(last["high"])
    if low is None or high is None:
        return {}
    return {"low": low, "high": high}


def data_freshness(case: Case, as_of: pd.Timestamp) -> list[dict[str, Any]]:
    """Per series and entity: the latest period known at ``as_of`` and whether it is stale."""
    return series_freshness(case, as_of)
