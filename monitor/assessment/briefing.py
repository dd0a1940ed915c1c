"""The executive summary: what a desk reads before deciding anything.

Per firing or pending alert one line each of why it fires, what would clear it and
what would escalate it (activate the next stage), plus the rules closest to
triggering. Everything is phrased from figures the assessment already holds (values,
thresholds, margins, stage activations, keep_firing_for holds); nothing is recomputed.
"""

from __future__ import annotations

from typing import Any

from monitor.assessment.model import Assessment, RuleAssessment, StageAssessment
from monitor.core.plaindata import short_number

WORDS = {">=": "at or above", ">": "above", "<=": "at or below", "<": "below", "==": "at"}
OPPOSITE = {
    ">=": "falls below",
    ">": "falls to or below",
    "<=": "rises above",
    "<": "rises to or above",
    "==": "moves off",
}
CLOSEST = 3


def _num(value: float | None) -> str:
    """A short number with a typographic minus, as the report prints numbers."""
    return short_number(value).replace("-", "\u2212")


def _with_unit(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    return _num(value) if unit == "count" else f"{_num(value)} {unit}".strip()


def _why(r: RuleAssessment) -> str:
    who = f" ({r.entity_name or r.entity})" if r.entity else ""
    if r.held:
        return (
            f"held by keep_firing_for {r.held['keep']} until {r.held['until']}; the condition "
            f"last held on {r.held['last_true']} (now {_with_unit(r.value, r.unit)}{who})"
        )
    if r.threshold is not None and r.comparator in WORDS:
        line = (
            f"{_with_unit(r.value, r.unit)}{who} is {WORDS[r.comparator]} "
            f"{_with_unit(r.threshold, r.unit)}"
        )
        return f"{line}; it must hold for {r.for_} to fire" if r.state == "pending" else line
    return f"{r.when} holds (now {_with_unit(r.value, r.unit)}{who})"


def _clear(r: RuleAssessment) -> str:
    if r.threshold is not None and r.comparator in OPPOSITE:
        back = f"{r.measure if r.measure not in ('', 'value') else 'the value'} "
        base = f"{back}{OPPOSITE[r.comparator]} {_with_unit(r.threshold, r.unit)}"
    else:
        base = f"{r.when} stops holding"
    if r.state == "pending":
        return f"{base} before {r.for_} have passed"
    if r.held:
        return f"nothing to do: it clears after {r.held['until']} unless the condition returns"
    if r.keep_firing_for not in ("0d", "0s", ""):
        return f"{base} and stays so for {r.keep_firing_for} (keep_firing_for)"
    return base


def _escalate(r: RuleAssessment, stages: dict[int, StageAssessment]) -> str:
    if r.counter:
        return f"if it stops, {abs(r.max_points):.1f} points come back on the score"
    if r.stage == 0:
        return "structural: adds to the score, activates no stage"
    quiet = [stages[n] for n in sorted(stages) if n >= r.stage and not stages[n].active]
    if r.stage not in stages:
        return "no stage to activate"
    if not quiet:
        return f"stage {max(stages)} is the last stage and is already active"
    target = quiet[0]
    if target.needs is None:
        return f"stage {target.stage} activates when {target.activation}"
    missing = max(target.needs - len(target.firing), 1)
    if target.stage == r.stage and r.state == "pending":
        missing -= 1
        if missing == 0:
            return f"firing would activate stage {target.stage}"
        return f"firing, plus {missing} more stage-{target.stage} rule(s), would activate it"
    word = "rule" if missing == 1 else "rules"
    return f"{missing} more stage-{target.stage} {word} firing would activate stage {target.stage}"


def _closest(rules: list[RuleAssessment]) -> list[dict[str, Any]]:
    """Quiet risk rules nearest their threshold, by the gap relative to the threshold."""
    quiet = [
        r
        for r in rules
        if not r.counter
        and r.state in ("inactive", "resolved")
        and r.margin is not None
        and r.margin < 0
        and r.threshold not in (None, 0)
    ]
    quiet.sort(key=lambda r: abs(r.margin or 0) / abs(r.threshold or 1))
    return [
        {
            "rule": r.id,
            "title": r.title,
            "value": r.value,
            "threshold": r.threshold,
            "comparator": r.comparator,
            "unit": r.unit,
            "gap": -(r.margin or 0.0),
            "gap_pct_of_threshold": round(abs(r.margin or 0) / abs(r.threshold or 1) * 100),
        }
        for r in quiet[:CLOSEST]
    ]


def _changed(a: Assessment) -> str:
    c = a.changes
    if c and c.get("previous"):
        started, stopped = len(c["started"]), len(c["stopped"])
        return (
            f"Since the report of {c['previous']['as_of']}: stage {c['stage_from']} \u2192 "
            f"{c['stage_to']}, score {_num(c['previous']['score'])} \u2192 {_num(a.score)}; "
            f"{started} alert(s) started and {stopped} stopped firing."
        )
    change = a.trend.get("change_3mo")
    moved = "" if change is None else f" Over 3 months the score moved by {_num(change)}."
    return f"No earlier report of this case in the archive.{moved}"


def summarise(a: Assessment, calibration: dict[str, Any] | None = None) -> dict[str, Any]:
    """The first screen's content as plain data (the template only lays it out)."""
    stages = {s.stage: s for s in a.stages}
    alerts = [
        {
            "rule": r.id,
            "title": r.title,
            "state": r.state,
            "counter": r.counter,
            "why": _why(r),
            "clears_if": _clear(r),
            "escalates": _escalate(r, stages),
        }
        for r in sorted(a.rules, key=lambda r: (r.counter, r.state != "firing", -r.stage))
        if r.state in ("firing", "pending")
    ]
    return {
        "calibration": calibration,
        "changed": _changed(a),
        "alerts": alerts,
        "closest": _closest(a.rules),
    }
