"""``monitor rules list`` and ``monitor rules explain``: what a rule says and why it fires.

``explain`` answers the reviewer's question about one card of a report: which text the
rule has, how the grammar read it (every implicit argument made explicit), the values
it saw, which part of the condition holds or fails for each entity, how far each
comparison is from its threshold, and the 2000 precedent beside it. It evaluates the
same timeline ``monitor run`` does, so the answer cannot differ from the report.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from lark import Token, Tree

from monitor.core.errors import ExpressionError
from monitor.core.plaindata import display_number
from monitor.engine.context import EvaluationContext
from monitor.engine.states import AlertState
from monitor.engine.timeline import Timeline
from monitor.language.compiler import IndicatorInfo, compile_condition
from monitor.language.functions import FUNCTIONS
from monitor.language.parser import parse_condition
from monitor.rulebook.model import Rule, RuleSet


def list_rows(ruleset: RuleSet) -> list[dict[str, Any]]:
    return [
        {
            "id": r.id,
            "stage": r.stage,
            "severity": r.severity,
            "counter": r.counter,
            "indicator": r.indicator or "",
            "file": f"{r.file}:{r.line}",
        }
        for r in ruleset.rules
    ]


def canonical(tree: Tree[Any] | Token, primary: str | None) -> str:
    """The parsed condition, fully parenthesised, with implicit indicators written out."""
    if isinstance(tree, Token):
        return str(tree)
    kind, kids = tree.data, tree.children
    if kind == "number":
        return "".join(str(k) for k in kids)
    if kind == "duration":
        return str(kids[0])
    if kind == "name":
        name = str(kids[0])
        return primary if name == "value" and primary else name
    if kind == "neg":
        return f"-{canonical(kids[0], primary)}"
    if kind in ("and_", "or_"):
        word = " and " if kind == "and_" else " or "
        return "(" + word.join(canonical(k, primary) for k in kids) + ")"
    if kind == "not_":
        return f"(not {canonical(kids[0], primary)})"
    if kind in ("compare", "arith"):
        return "(" + " ".join(canonical(k, primary) for k in kids) + ")"
    if kind == "call":
        name = str(kids[0])
        args = [canonical(a, primary) for a in kids[1].children] if len(kids) > 1 else []
        spec = FUNCTIONS.get(name)
        first_is_window = not args or (
            isinstance(kids[1].children[0], Tree) and kids[1].children[0].data == "duration"
        )
        if spec and spec.implicit_series and primary and first_is_window:
            args.insert(0, primary)
        return f"{name}({', '.join(args)})"
    return " ".join(canonical(k, primary) for k in kids)


def comparisons(tree: Tree[Any] | Token, text: str) -> list[str]:
    """Source text of every comparison in the condition, left to right."""
    if isinstance(tree, Token):
        return []
    if tree.data == "compare":
        meta = tree.meta
        return [text[meta.start_pos : meta.end_pos]]
    return [c for child in tree.children for c in comparisons(child, text)]


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None or pd.isna(value):
        return "no value"
    return f"{display_number(value)}{(' ' + unit) if unit else ''}"


def _distance(value: float, threshold: float, comparator: str) -> str:
    gap = value - threshold
    if comparator in (">=", ">"):
        return f"met by {display_number(gap)}" if gap >= 0 else f"{display_number(-gap)} short"
    if comparator in ("<=", "<"):
        return f"met by {display_number(-gap)}" if gap <= 0 else f"{display_number(gap)} short"
    return f"difference {display_number(gap)}"


def why(
    rule: Rule, ctx: EvaluationContext, infos: Mapping[str, IndicatorInfo], entity: str, pos: int
) -> list[str]:
    """One line per comparison: does it hold for ``entity`` now, and by how much."""
    lines = []
    tree = parse_condition(rule.when)
    for text in comparisons(tree, rule.when):
        try:
            part = compile_condition(text, rule.indicator, infos)
            holds_frame = part.evaluate(ctx)
            measured = part.measured(ctx)
        except (ExpressionError, KeyError) as exc:
            lines.append(f"      {text}: cannot evaluate ({exc})")
            continue
        holds = entity in holds_frame.columns and bool(holds_frame[entity].iloc[pos])
        value = measured[entity].iloc[pos] if entity in measured.columns else None
        unit = part.measure.label if part.measure else ""
        detail = f"value {_fmt(value, unit)}"
        if value is not None and not pd.isna(value) and part.threshold is not None:
            detail += f", threshold {_fmt(part.threshold, unit)}: "
            detail += _distance(float(value), part.threshold, part.comparator or ">=")
        lines.append(f"      {text}: {'true ' if holds else 'false'}  ({detail})")
    return lines


def recent_values(timeline: Timeline, rule: Rule, entity: str, pos: int) -> list[str]:
    """The indicator readings the rule saw for ``entity`` (last five known by as-of)."""
    lines = []
    at = timeline.grid[pos]
    for name in sorted(rule.condition.indicators):
        frame = timeline.indicators.get(name)
        if frame is None:
            continue
        rows = frame[(frame["entity"] == entity) & (frame["published"] <= at)].tail(5)
        for row in rows.itertuples(index=False):
            lines.append(
                f"      {name:<24} {row.date.date()}  {row.value:>10.4g}"
                f"   published {row.published.date()}"
            )
    return lines


def explain(
    timeline: Timeline,
    rule_id: str,
    infos: Mapping[str, IndicatorInfo],
    as_of: pd.Timestamp,
    entity: str | None = None,
) -> list[str]:
    result = timeline.results[rule_id]
    rule = result.rule
    pos = timeline.position(as_of)
    tree = parse_condition(rule.when)
    out = [
        f"{rule.id}: {rule.title}",
        f"  file:      {rule.file}:{rule.line}",
        f"  stage:     {rule.stage}   severity: {rule.severity}"
        + ("   counter-signal (lowers the score)" if rule.counter else ""),
        f"  indicator: {rule.indicator or '(none)'}",
        f"  when:      {rule.when}",
        f"  parsed:    {canonical(tree, rule.indicator)}",
        f"  for:       {rule.for_}   keep_firing_for: {rule.keep_firing_for}",
        "",
        f"As of {timeline.grid[pos].date()}:",
    ]
    if result.error:
        out.append(f"  cannot evaluate: {result.error}")
    ctx = timeline.context or EvaluationContext(timeline.grid, timeline.indicators)
    day = int(ctx.grid.searchsorted(timeline.grid[pos], side="right")) - 1
    entities = [str(e) for e in result.table.states.columns]
    if entity is not None:
        entities = [e for e in entities if e == entity] or [entity]
    if not entities:
        out.append("  no entity has data for this rule's indicators (state: inactive)")
    for name in entities:
        states = result.table.states
        code = int(states[name].iloc[pos]) if name in states.columns else 0
        state = AlertState(code).label
        since = result.table.since[name].iloc[pos] if name in states.columns else None
        when = (
            f" since {pd.Timestamp(since).date()}"
            if since is not None and not pd.isna(since)
            else ""
        )
        out.append(f"  {name}: {state}{when}")
        out += why(rule, ctx, infos, name, day)
        if state == "pending":
            out.append(f"      pending: the condition must hold for {rule.for_} before firing")
        seen = recent_values(timeline, rule, name, pos)
        if seen:
            out.append("    values seen (latest five known):")
            out += seen
    out.append("")
    if rule.precedent is not None:
        p = rule.precedent
        where = f" ({p.entity})" if p.entity else ""
        out.append(f"Precedent: {p.date.date()}{where}: {_fmt(p.value)}  {p.note}")
    else:
        out.append("Precedent: (none)")
    if rule.description:
        out += ["", rule.description]
    for reference in rule.references:
        out.append(f"  - {reference}")
    return out


def find_rule(ruleset: RuleSet, rule_id: str) -> Rule | None:
    return ruleset.by_id().get(rule_id)
