"""The rule set's vocabulary: keys, severities, and the compiled rule objects.

Kept apart from the loader so the documentation generator, the checker and the
evaluator can share one definition of what a rule file may say.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from monitor.core import yamlio
from monitor.core.durations import Duration
from monitor.language.compiler import CompiledCondition

SEVERITIES = {"info": 1.0, "watch": 2.0, "warning": 3.0, "critical": 5.0}
STAGES = (0, 1, 2, 3)
RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]*\Z")  # \Z: "$" accepts a trailing newline

FILE_KEYS = {"stage", "title", "description", "activate", "rules", "counter"}
ACTIVATE_KEYS = {"min_firing", "when"}
RULE_REQUIRED = ("id", "title", "severity", "when")
RULE_KEYS = {
    "id",
    "title",
    "stage",
    "severity",
    "indicator",
    "indicators",
    "when",
    "for",
    "keep_firing_for",
    "precedent",
    "description",
    "references",
    "counter",
    "weight",
    "entities",
}
PRECEDENT_KEYS = {"date", "value", "low", "high", "note", "entity", "unit"}
MAX_DURATION_DAYS = 365.25 * 50

# What each key means: the rule-language reference is generated from these tables
# (``python -m monitor.cli.reference``), and a test keeps them equal to the key sets above.
FILE_KEY_DOCS = {
    "stage": "Default stage (0-3) of the file's rules; 0 = structural vulnerability.",
    "title": "Title of the file; for a stage file also the stage's title in reports.",
    "description": "Free text: what the file encodes and why.",
    "activate": "When the file's stage is active: `{min_firing: N}` or `{when: <ids>}`.",
    "rules": "The list of rules (required).",
    "counter": "Default of `counter` for every rule of the file (`true`: counter-signals).",
}
ACTIVATE_KEY_DOCS = {
    "min_firing": "The stage is active when at least N of its non-counter rules fire.",
    "when": "An expression over rule ids: `rule-a and (rule-b or not rule-c)`.",
}
RULE_KEY_DOCS = {
    "id": "Unique id (lower-case letters, digits, `-`, `_`), unique across all files.",
    "title": "One line shown on the report card.",
    "stage": "Stage 0-3; defaults to the file's `stage`.",
    "severity": "One of info, watch, warning, critical (score weights 1, 2, 3, 5).",
    "indicator": "The rule's own indicator: what `value` and argument-less functions read.",
    "indicators": "Further indicators the condition names (documentation; all are checked).",
    "when": "The condition, in the expression language below.",
    "for": "Pending until the condition has held this long (Prometheus `for`); default 0d.",
    "keep_firing_for": "Keep firing this long after the condition stops (anti-flapping).",
    "precedent": "The 2000 reading: `{date, value, note, entity, unit}`.",
    "description": "Why this matters, citing the source.",
    "references": "List of sources (text).",
    "counter": "`true` for a reason for optimism: a firing counter rule lowers the score.",
    "weight": "Multiplies the severity weight in the score (number > 0, default 1).",
    "entities": "Only evaluate these entity ids (default: every entity the data has).",
}
PRECEDENT_KEY_DOCS = {
    "date": "ISO date of the precedent reading (required).",
    "value": "The reading, in the indicator's unit.",
    "low": "Low end, where the brief gives a range instead of a point (with high).",
    "high": "High end of the range (with low); a range is never replaced by a midpoint.",
    "note": "What happened, with its source.",
    "entity": "Which entity the reading is about (e.g. LU).",
    "unit": "The reading's unit, if it is not the indicator's.",
}


def short(value: object) -> str:
    """A bounded repr for messages: a fuzzed or aliased value must not flood the output."""
    return yamlio.short(value)


@dataclass(frozen=True)
class Precedent:
    """The 2000 reading a rule is calibrated on, shown beside today's value."""

    date: pd.Timestamp
    value: float | None
    note: str
    entity: str | None = None
    unit: str | None = None
    low: float | None = None
    high: float | None = None


@dataclass
class Rule:
    id: str
    title: str
    stage: int
    severity: str
    indicator: str | None
    condition: CompiledCondition
    for_: Duration
    keep_firing_for: Duration
    file: str
    line: int
    precedent: Precedent | None = None
    description: str = ""
    references: list[str] = field(default_factory=list)
    counter: bool = False
    weight: float = 1.0
    entities: list[str] | None = None

    @property
    def when(self) -> str:
        return self.condition.text


@dataclass
class Activation:
    """How a stage becomes active: enough firing rules, or an expression over ids."""

    stage: int
    min_firing: int | None = None
    when: str | None = None
    file: str = ""
    evaluate: Callable[[pd.DataFrame], pd.Series] | None = None

    def describe(self) -> str:
        if self.when:
            return self.when
        return f"at least {self.min_firing} firing rule(s)"


@dataclass
class RuleSet:
    rules: list[Rule]
    activations: dict[int, Activation]
    files: list[str]
    titles: dict[int, str] = field(default_factory=dict)

    def by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}
