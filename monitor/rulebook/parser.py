"""Parsing one rule file into compiled rules, collecting every problem in it.

One concept: a YAML document in, rules plus positioned problems out. Assembling files
into a rule set (duplicate ids across files, stage activations) is
:mod:`monitor.rulebook.loader`'s job.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from monitor.core.durations import Duration, parse_duration
from monitor.core.errors import ExpressionError, YamlSyntaxError
from monitor.core.limits import MAX_MAGNITUDE, finite_number
from monitor.core.problems import Problems
from monitor.core.yamlio import Position, key_position, load_file, value_position
from monitor.language.compiler import CompiledCondition, IndicatorInfo, compile_condition
from monitor.rulebook.model import (
    ACTIVATE_KEYS,
    FILE_KEYS,
    MAX_DURATION_DAYS,
    PRECEDENT_KEYS,
    RULE_ID,
    RULE_KEYS,
    RULE_REQUIRED,
    SEVERITIES,
    STAGES,
    Activation,
    Precedent,
    Rule,
    short,
)
from monitor.rulebook.positions import expression_position


class FileParser:
    """Reads one rule file; ``problems`` lists everything wrong with it."""

    def __init__(self, path: Path, indicators: Mapping[str, IndicatorInfo]):
        self.path = path
        self.file = str(path)
        self.indicators = indicators
        self.problems = Problems()
        self.rules: list[Rule] = []
        self.ids: list[tuple[str, Position]] = []  # every string id met, valid rule or not
        self.nodes: dict[str, CommentedMap] = {}  # rule id -> its YAML node (for lint)
        self.activation: Activation | None = None
        self.stage: int | None = None
        self.title = ""
        self._activation_node: CommentedMap | None = None
        self._bad_numbers: set[Position] = set()

    def problem(self, position: Position, message: str, rule: str | None = None) -> None:
        if position in self._bad_numbers:  # already reported by _non_finite, once is enough
            return
        self.problems.add(position, message, rule)

    def load(self) -> None:
        try:
            document = load_file(self.path)
        except YamlSyntaxError as exc:
            self.problem(exc.position, f"YAML syntax: {exc.message}")
            return
        except OSError as exc:
            self.problem(Position(self.file, 1, 1), f"cannot read: {exc.strerror}")
            return
        if not isinstance(document, CommentedMap):
            self.problem(Position(self.file, 1, 1), "a rule file must be a mapping with 'rules'")
            return
        self._non_finite(document)
        self._unknown_keys(document, FILE_KEYS, None)
        self.stage = self._stage(document, "stage", None, optional=True)
        title = document.get("title", "")
        if not isinstance(title, str):
            self.problem(value_position(document, "title", self.file), "title must be text")
            title = ""
        self.title = title
        counter_default = self._bool(document, "counter", None, False)
        if "activate" in document:
            self._activation(document)
        rules = document.get("rules")
        if not isinstance(rules, CommentedSeq):
            self.problem(
                key_position(document, "rules", self.file)
                if "rules" in document
                else Position(self.file, 1, 1),
                "'rules' must be a list of rules",
            )
            return
        for index, node in enumerate(rules):
            if not isinstance(node, CommentedMap):
                self.problem(value_position(rules, index, self.file), "a rule must be a mapping")
                continue
            self._rule(node, counter_default)

    def _non_finite(self, document: CommentedMap) -> None:
        """Report every NaN, infinity or absurd number anywhere in the file, where it is.

        ``weight: .nan`` would otherwise zero the whole score and ``1e999`` reads as
        infinity; one walk catches them in every key, present or future.
        """
        pending: list[Any] = [document]
        seen: set[int] = set()
        while pending:
            node = pending.pop()
            if id(node) in seen:  # an anchor reused: its values are checked once
                continue
            seen.add(id(node))
            items = node.items() if isinstance(node, CommentedMap) else enumerate(node)
            for key, value in items:
                if isinstance(value, CommentedMap | CommentedSeq):
                    pending.append(value)
                elif (
                    isinstance(value, int | float)
                    and not isinstance(value, bool)
                    and finite_number(value) is None
                ):
                    where = value_position(node, key, self.file)
                    self.problem(
                        where, f"number {short(value)} is not finite or beyond ±{MAX_MAGNITUDE:g}"
                    )
                    self._bad_numbers.add(where)

    def _unknown_keys(self, node: CommentedMap, allowed: set[str], rule: str | None) -> None:
        for key in node:
            if str(key) not in allowed:
                hint = ", ".join(sorted(allowed))
                self.problem(
                    key_position(node, key, self.file),
                    f"unknown key {short(key)} (allowed: {hint})",
                    rule,
                )

    def _stage(self, node: CommentedMap, key: str, rule: str | None, optional: bool) -> int | None:
        if key not in node:
            if not optional:
                self.problem(
                    Position(self.file, *self._line_col(node)), "missing key 'stage'", rule
                )
            return None
        value = node[key]
        if isinstance(value, bool) or not isinstance(value, int) or value not in STAGES:
            self.problem(
                value_position(node, key, self.file),
                f"stage must be one of 0, 1, 2, 3 (got {short(value)})",
                rule,
            )
            return None
        return int(value)

    def _line_col(self, node: Any) -> tuple[int, int]:
        lc = getattr(node, "lc", None)
        return (lc.line + 1, lc.col + 1) if lc is not None and lc.line is not None else (1, 1)

    def _bool(self, node: CommentedMap, key: str, rule: str | None, default: bool) -> bool:
        if key not in node:
            return default
        if not isinstance(node[key], bool):
            self.problem(value_position(node, key, self.file), f"{key} must be true or false", rule)
            return default
        return bool(node[key])

    def _activation(self, document: CommentedMap) -> None:
        node = document["activate"]
        where = value_position(document, "activate", self.file)
        if self.stage is None or self.stage == 0:
            self.problem(where, "'activate' needs a file-level stage of 1, 2 or 3")
            return
        if not isinstance(node, CommentedMap) or len(node) != 1:
            self.problem(
                where, "activate must be {min_firing: N} or {when: <expression over rule ids>}"
            )
            return
        self._unknown_keys(node, ACTIVATE_KEYS, None)
        if "min_firing" in node:
            count = node["min_firing"]
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                self.problem(
                    value_position(node, "min_firing", self.file),
                    f"min_firing must be a whole number >= 1 (got {short(count)})",
                )
                return
            self.activation = Activation(self.stage, min_firing=count, file=self.file)
        elif "when" in node:
            text = node["when"]
            if not isinstance(text, str):
                self.problem(value_position(node, "when", self.file), "when must be text")
                return
            self.activation = Activation(self.stage, when=text, file=self.file)
            self._activation_node = node

    def _rule(self, node: CommentedMap, counter_default: bool) -> None:
        rule_id = node.get("id")
        # a label goes into every message: only a valid id is shown as written
        valid = isinstance(rule_id, str) and RULE_ID.match(rule_id) is not None
        label = rule_id if valid else None if rule_id is None else short(rule_id)
        if valid:
            self.nodes.setdefault(str(rule_id), node)
        if isinstance(rule_id, str):
            self.ids.append((rule_id, value_position(node, "id", self.file)))
        before = len(self.problems)
        self._unknown_keys(node, RULE_KEYS, label)
        for key in RULE_REQUIRED:
            if key not in node:
                self.problem(
                    Position(self.file, *self._line_col(node)), f"missing key {key!r}", label
                )
        if "id" in node and (not isinstance(rule_id, str) or not RULE_ID.match(rule_id)):
            self.problem(
                value_position(node, "id", self.file),
                "id must be lower-case letters, digits, '-' or '_'",
                label,
            )
        stage = self._stage(node, "stage", label, optional=True)
        if stage is None and "stage" not in node:
            stage = self.stage
            if stage is None:
                self.problem(
                    Position(self.file, *self._line_col(node)),
                    "missing key 'stage' (and the file sets no stage)",
                    label,
                )
        severity = node.get("severity")
        if "severity" in node and not (isinstance(severity, str) and severity in SEVERITIES):
            self.problem(
                value_position(node, "severity", self.file),
                f"severity must be one of {', '.join(SEVERITIES)} (got {short(severity)})",
                label,
            )
        indicator = self._indicator(node, label)
        durations = {k: self._duration(node, k, label) for k in ("for", "keep_firing_for")}
        condition = self._condition(node, indicator, label)
        precedent = self._precedent(node, label)
        references = node.get("references", [])
        if not isinstance(references, list) or not all(isinstance(r, str) for r in references):
            self.problem(
                value_position(node, "references", self.file),
                "references must be a list of text",
                label,
            )
            references = []
        entities = node.get("entities")
        if entities is not None and (
            not isinstance(entities, list) or not all(isinstance(e, str) for e in entities)
        ):
            self.problem(
                value_position(node, "entities", self.file),
                "entities must be a list of entity ids",
                label,
            )
            entities = None
        weight = finite_number(node.get("weight", 1.0))
        if weight is None or weight <= 0:
            self.problem(
                value_position(node, "weight", self.file),
                f"weight must be a number > 0 (finite, at most {MAX_MAGNITUDE:g})",
                label,
            )
            weight = 1.0
        for key in ("title", "description"):
            if key in node and not isinstance(node[key], str):
                self.problem(value_position(node, key, self.file), f"{key} must be text", label)
        counter = self._bool(node, "counter", label, counter_default)
        if len(self.problems) > before or condition is None or stage is None:
            return
        self.rules.append(
            Rule(
                id=str(rule_id),
                title=str(node["title"]),
                stage=stage,
                severity=str(severity),
                indicator=indicator,
                condition=condition,
                for_=durations["for"] or Duration(0, "d"),
                keep_firing_for=durations["keep_firing_for"] or Duration(0, "d"),
                file=self.file,
                line=self._line_col(node)[0],
                precedent=precedent,
                description=str(node.get("description", "")).strip(),
                references=[str(r) for r in references],
                counter=counter,
                weight=float(weight),
                entities=[str(e) for e in entities] if entities else None,
            )
        )

    def _indicator(self, node: CommentedMap, label: str | None) -> str | None:
        names: list[str] = []
        if "indicator" in node:
            if not isinstance(node["indicator"], str):
                self.problem(
                    value_position(node, "indicator", self.file),
                    "indicator must be an indicator name",
                    label,
                )
            else:
                names.append(node["indicator"])
        extra = node.get("indicators", [])
        if not isinstance(extra, list) or not all(isinstance(n, str) for n in extra):
            self.problem(
                value_position(node, "indicators", self.file),
                "indicators must be a list of indicator names",
                label,
            )
            extra = []
        for name in [*names, *extra]:
            if name not in self.indicators:
                key = "indicator" if name in names else "indicators"
                known = ", ".join(sorted(self.indicators))
                self.problem(
                    value_position(node, key, self.file),
                    f"unknown indicator {name!r}; known: {known}",
                    label,
                )
        if names and names[0] in self.indicators:
            return names[0]
        if not names and extra and extra[0] in self.indicators:
            return str(extra[0])
        return None

    def _duration(self, node: CommentedMap, key: str, label: str | None) -> Duration | None:
        if key not in node:
            return None
        try:
            duration = parse_duration(node[key] if isinstance(node[key], int | str) else "?")
        except ValueError:
            self.problem(
                value_position(node, key, self.file),
                f"invalid duration {short(node[key])}: use a number and one of mo, y, q, w, d "
                "(e.g. 6mo, 90d)",
                label,
            )
            return None
        if duration.days > MAX_DURATION_DAYS:
            self.problem(
                value_position(node, key, self.file), f"{key} is longer than 50 years", label
            )
            return None
        return duration

    def _condition(
        self, node: CommentedMap, indicator: str | None, label: str | None
    ) -> CompiledCondition | None:
        text = node.get("when")
        if "when" not in node:
            return None
        if not isinstance(text, str):
            self.problem(value_position(node, "when", self.file), "when must be text", label)
            return None
        indicators = self.indicators
        named = node.get("indicator")
        if indicator is None and isinstance(named, str) and named not in indicators:
            # already reported as unknown: stand in for it so the expression's own
            # mistakes are still found, without a cascade of "'value' needs ..." errors
            indicators = {**indicators, named: IndicatorInfo("")}
            indicator = named
        try:
            return compile_condition(text, indicator, indicators)
        except ExpressionError as exc:
            self.problem(self._expression_position(node, "when", exc), exc.message, label)
            return None

    def activation_position(self, exc: ExpressionError) -> Position:
        """Where in this file an error inside the ``activate: {when: ...}`` text points."""
        assert self._activation_node is not None, "only an activation with 'when' compiles"
        return self._expression_position(self._activation_node, "when", exc)

    def _expression_position(self, node: CommentedMap, key: str, exc: ExpressionError) -> Position:
        return expression_position(node, key, exc, self.file)

    def _precedent(self, node: CommentedMap, label: str | None) -> Precedent | None:
        if "precedent" not in node:
            return None
        value = node["precedent"]
        where = value_position(node, "precedent", self.file)
        if not isinstance(value, CommentedMap):
            self.problem(where, "precedent must be a mapping {date, value, note}", label)
            return None
        self._unknown_keys(value, PRECEDENT_KEYS, label)
        try:
            date = pd.Timestamp(str(value.get("date")))
            if pd.isna(date):
                raise ValueError("no date")
        except (ValueError, TypeError, OverflowError):
            self.problem(
                value_position(value, "date", self.file),
                f"precedent date must be an ISO date (got {short(value.get('date'))})",
                label,
            )
            return None
        numbers: dict[str, float | None] = {}
        for key in ("value", "low", "high"):
            number = value.get(key)
            if number is not None and finite_number(number) is None:
                self.problem(
                    value_position(value, key, self.file),
                    f"precedent {key} must be a finite number",
                    label,
                )
                return None
            numbers[key] = finite_number(number)
        low, high = numbers["low"], numbers["high"]
        if (low is None) != (high is None) or (low is not None and high is not None and low > high):
            self.problem(where, "precedent low and high go together, low <= high", label)
            return None
        entity, unit, note = value.get("entity"), value.get("unit"), value.get("note", "")
        for key, text in (("entity", entity), ("unit", unit), ("note", note)):
            if text is not None and not isinstance(text, str):
                self.problem(
                    value_position(value, key, self.file), f"precedent {key} must be text", label
                )
                return None
        return Precedent(
            date,
            numbers["value"],
            str(note),
            None if entity is None else str(entity),
            None if unit is None else str(unit),
            low,
            high,
        )
