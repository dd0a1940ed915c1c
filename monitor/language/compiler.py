"""Compiling parsed conditions into vectorised pandas operations.

Each node of the tree becomes a small closure that, given an evaluation context,
returns a frame (evaluation times x entities) or a number. Names, functions, argument
shapes and units are all checked here, once, when a rule file loads, so a rule that
loads is a rule that can run.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from lark import Token, Tree

from monitor.core.durations import parse_duration
from monitor.core.errors import ExpressionError
from monitor.core.limits import MAX_MAGNITUDE as MAX_LITERAL
from monitor.core.units import DIMENSIONLESS, LITERAL_UNITS, describe, indicator_unit
from monitor.language.functions import FUNCTIONS, build_call
from monitor.language.nodes import Context, IndicatorInfo, Node, Value
from monitor.language.parser import parse_condition, position


@dataclass
class CompiledCondition:
    """A rule's condition, ready to run, plus what a report needs to explain it."""

    text: str
    predicate: Node
    measure: Node | None
    threshold: float | None
    comparator: str | None
    indicators: set[str] = field(default_factory=set)
    # in a compound condition, a comparison of the measured series itself with a number
    # ("value >= 6" in "value >= 6 and change(6mo) >= 100bp"): what a chart can draw
    level: tuple[str, float] | None = None

    def evaluate(self, ctx: Context) -> pd.DataFrame:
        result = self.predicate.run(ctx)
        if not isinstance(result, pd.DataFrame):
            return pd.DataFrame(index=ctx.grid)
        return result.fillna(False).astype(bool)

    def measured(self, ctx: Context) -> pd.DataFrame:
        if self.measure is None:
            return pd.DataFrame(index=ctx.grid)
        value = self.measure.run(ctx)
        if isinstance(value, pd.DataFrame):
            return value
        return pd.DataFrame(index=ctx.grid)


# Comparisons treat two numbers closer than one part in a billion of the larger
# magnitude as equal, so decimal data and decimal thresholds behave as written:
# 1.13 - 0.13 >= 1 holds, though binary floating point makes the left 0.99999...
RELATIVE_TOLERANCE = 1e-9


def _slack(a: Any, b: Any) -> Any:
    return RELATIVE_TOLERANCE * np.maximum(abs(a), abs(b))


COMPARATORS: dict[str, Callable[[Any, Any], Any]] = {
    ">=": lambda a, b: a >= b - _slack(a, b),
    "<=": lambda a, b: a <= b + _slack(a, b),
    ">": lambda a, b: a > b + _slack(a, b),
    "<": lambda a, b: a < b - _slack(a, b),
    "==": lambda a, b: abs(a - b) <= _slack(a, b),
    "!=": lambda a, b: abs(a - b) > _slack(a, b),
}
ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
}


def _align(a: Value, b: Value) -> tuple[Value, Value]:
    """Align two operands; a single macro column broadcasts across entities."""
    if isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame):
        if a.shape[1] == 1 and b.shape[1] > 1 and a.columns[0] not in b.columns:
            a = pd.DataFrame({c: a.iloc[:, 0] for c in b.columns}, index=a.index)
        elif b.shape[1] == 1 and a.shape[1] > 1 and b.columns[0] not in a.columns:
            b = pd.DataFrame({c: b.iloc[:, 0] for c in a.columns}, index=b.index)
        a, b = a.align(b, join="outer")
    return a, b


class _Compiler:
    def __init__(self, text: str, primary: str | None, indicators: Mapping[str, IndicatorInfo]):
        self.text = text
        self.primary = primary
        self.indicators = indicators
        self.used: set[str] = set()
        self.last_comparison: tuple[Node, str, Node] | None = None
        self.comparisons: list[tuple[Node, str, Node]] = []

    def error(self, node: Tree[Any] | Token, message: str) -> ExpressionError:
        line, col = position(node)
        return ExpressionError(message, line, col)

    def snippet(self, node: Tree[Any] | Token) -> str:
        if isinstance(node, Token):
            return str(node)
        meta = node.meta
        if getattr(meta, "empty", True):
            return self.text
        return self.text[meta.start_pos : meta.end_pos]

    def compile(self, tree: Tree[Any] | Token) -> Node:
        if isinstance(tree, Token):
            raise self.error(tree, f"unexpected {tree!s}")
        handler = getattr(self, f"_{tree.data}", None)
        if handler is None:
            raise self.error(tree, f"unsupported construct {tree.data}")
        node: Node = handler(tree)
        return node

    # literals and names -------------------------------------------------
    def _number(self, tree: Tree[Any]) -> Node:
        number = float(str(tree.children[0]))
        if not math.isfinite(number) or abs(number) > MAX_LITERAL:
            written = str(tree.children[0])[:40]
            raise self.error(tree, f"number {written} is out of range (at most {MAX_LITERAL:g})")
        unit = DIMENSIONLESS
        if len(tree.children) > 1:
            unit = LITERAL_UNITS[str(tree.children[1])][0]
        return Node("number", unit, lambda ctx: number, self.snippet(tree), literal=number)

    def _duration(self, tree: Tree[Any]) -> Node:
        duration = parse_duration(str(tree.children[0]))
        return Node(
            "duration", DIMENSIONLESS, lambda ctx: duration, str(duration), duration=duration
        )

    def _name(self, tree: Tree[Any]) -> Node:
        token = tree.children[0]
        name = self.resolve_name(token)
        info = self.indicators[name]
        if info.kind == "event":
            raise self.error(
                token,
                f"{name!r} is an event indicator: use count({name}, window), "
                f"sum({name}, window) or months_since({name})",
            )
        self.used.add(name)
        return Node(
            "series",
            indicator_unit(info.unit),
            lambda ctx: ctx.known(name),
            str(token),
            indicator=name,
            label=info.unit,
        )

    def resolve_name(self, token: Any) -> str:
        name = str(token)
        if name == "value":
            if self.primary is None:
                raise self.error(token, "'value' needs the rule to name an indicator")
            name = self.primary
        if name in FUNCTIONS:
            raise self.error(
                token, f"{name!r} is a function: call it as {FUNCTIONS[name].signature}"
            )
        if name not in self.indicators:
            known = ", ".join(sorted(self.indicators)) or "none"
            raise self.error(token, f"unknown indicator {name!r}; known: {known}")
        return name

    # boolean logic ------------------------------------------------------
    def _bools(self, tree: Tree[Any]) -> list[Node]:
        nodes = [self.compile(c) for c in tree.children]
        for child, node in zip(tree.children, nodes, strict=True):
            if node.kind != "bool":
                raise self.error(
                    child, f"{node.text!r} is not a condition; compare it, e.g. {node.text} > 0"
                )
        return nodes

    def _or_(self, tree: Tree[Any]) -> Node:
        return self._logic(tree, operator.or_, "or")

    def _and_(self, tree: Tree[Any]) -> Node:
        return self._logic(tree, operator.and_, "and")

    def _logic(self, tree: Tree[Any], op: Callable[[Any, Any], Any], word: str) -> Node:
        nodes = self._bools(tree)

        def run(ctx: Context) -> pd.DataFrame:
            result = nodes[0].run(ctx)
            for node in nodes[1:]:
                left, right = _align(result, node.run(ctx))
                result = op(left.fillna(False).astype(bool), right.fillna(False).astype(bool))
            return result

        return Node("bool", DIMENSIONLESS, run, self.snippet(tree))

    def _not_(self, tree: Tree[Any]) -> Node:
        (inner,) = self._bools(tree)
        return Node(
            "bool",
            DIMENSIONLESS,
            lambda ctx: ~inner.run(ctx).fillna(False).astype(bool),
            self.snippet(tree),
        )

    # comparisons and arithmetic ----------------------------------------
    def _numeric(self, child: Tree[Any] | Token, node: Node) -> None:
        if node.kind not in ("series", "number"):
            raise self.error(child, f"{node.text!r} is a {node.kind}, not a number or series")

    def _compare(self, tree: Tree[Any]) -> Node:
        if len(tree.children) == 1:
            return self.compile(tree.children[0])
        left_tree, comparator, right_tree = tree.children
        left, right = self.compile(left_tree), self.compile(right_tree)
        self._numeric(left_tree, left)
        self._numeric(right_tree, right)
        if left.kind == "number" and right.kind == "number":
            raise self.error(tree, "comparison of two constants: name an indicator or function")
        left, right = self._unify(tree, left, right)
        compare = COMPARATORS[str(comparator)]

        def run(ctx: Context) -> pd.DataFrame:
            a, b = _align(left.run(ctx), right.run(ctx))
            result = compare(a, b)
            missing = (a.isna() if isinstance(a, pd.DataFrame) else False) | (
                b.isna() if isinstance(b, pd.DataFrame) else False
            )
            return result & ~missing

        node = Node("bool", DIMENSIONLESS, run, self.snippet(tree))
        self.last_comparison = (left, str(comparator), right)
        self.comparisons.append(self.last_comparison)
        return node

    def _unify(self, where: Tree[Any], left: Node, right: Node) -> tuple[Node, Node]:
        """Check units agree and rescale a literal to the series' scale."""
        if not left.unit.compatible(right.unit):
            raise self.error(
                where,
                f"unit mismatch: {left.text!r} is {describe(left.unit)}, "
                f"{right.text!r} is {describe(right.unit)}",
            )
        if left.unit.dimension is None or right.unit.dimension is None:
            return left, right
        factor = right.unit.scale / left.unit.scale
        if factor == 1.0:
            return left, right
        if right.kind == "number" and right.literal is not None:
            scaled = right.literal * factor
            return left, Node("number", left.unit, lambda ctx: scaled, right.text, literal=scaled)
        inner = right.run
        return left, Node(
            right.kind, left.unit, lambda ctx: inner(ctx) * factor, right.text, label=left.label
        )

    def _arith(self, tree: Tree[Any]) -> Node:
        children = tree.children
        node = self.compile(children[0])
        self._numeric(children[0], node)
        for i in range(1, len(children), 2):
            op_token, right_tree = children[i], children[i + 1]
            right = self.compile(right_tree)
            self._numeric(right_tree, right)
            node = self._combine(tree, node, str(op_token), right)
        return node

    def _combine(self, tree: Tree[Any], left: Node, op: str, right: Node) -> Node:
        if op in "+-":
            left, right = self._unify(tree, left, right)
            unit = left.unit if left.unit.dimension else right.unit
        elif left.unit.dimension is None:
            unit = right.unit
        elif right.unit.dimension is None:
            unit = left.unit
        else:
            unit = DIMENSIONLESS
        fn = ARITHMETIC[op]
        kind = "number" if left.kind == right.kind == "number" else "series"
        literal = None
        if kind == "number" and left.literal is not None and right.literal is not None:
            if op == "/" and right.literal == 0:
                raise self.error(tree, "division by zero")
            literal = fn(left.literal, right.literal)

        def run(ctx: Context) -> Value:
            a, b = _align(left.run(ctx), right.run(ctx))
            if op == "/" and isinstance(b, pd.DataFrame):
                b = b.where(b != 0)
            return fn(a, b)

        label = left.label if op in "+-" or not right.label else right.label
        if op in "*/" and left.label and right.label:
            label = ""
        return Node(kind, unit, run, f"{left.text} {op} {right.text}", literal=literal, label=label)

    def _neg(self, tree: Tree[Any]) -> Node:
        inner = self.compile(tree.children[0])
        self._numeric(tree.children[0], inner)
        literal = -inner.literal if inner.literal is not None else None
        return Node(
            inner.kind,
            inner.unit,
            lambda ctx: -inner.run(ctx),
            f"-{inner.text}",
            literal=literal,
            label=inner.label,
        )

    # function calls -----------------------------------------------------
    def _call(self, tree: Tree[Any]) -> Node:
        name_token = tree.children[0]
        name = str(name_token)
        spec = FUNCTIONS.get(name)
        if spec is None:
            allowed = ", ".join(sorted(FUNCTIONS))
            raise self.error(name_token, f"unknown function {name!r}; allowed: {allowed}")
        args = tree.children[1].children if len(tree.children) > 1 else []
        return build_call(self, tree, spec, list(args))


def compile_condition(
    text: str, primary: str | None, indicators: Mapping[str, IndicatorInfo]
) -> CompiledCondition:
    """Parse and compile a ``when`` expression against the known indicators."""
    tree = parse_condition(text)
    compiler = _Compiler(text, primary, indicators)
    try:
        predicate = compiler.compile(tree)
    except RecursionError:
        raise ExpressionError("expression nested too deeply") from None
    if predicate.kind != "bool":
        raise ExpressionError(
            f"the condition must be a comparison, e.g. {predicate.text} > 0", *position(tree)
        )
    measure, threshold, comparator = None, None, None
    if tree.data == "compare" and compiler.last_comparison is not None:
        left, comparator, right = compiler.last_comparison
        if left.kind == "series":
            measure = left
            threshold = right.literal
    if measure is None and primary is not None and primary in compiler.used:
        measure = Node(
            "series",
            indicator_unit(indicators[primary].unit),
            lambda ctx: ctx.known(primary),
            primary,
            indicator=primary,
            label=indicators[primary].unit,
        )
    level = None
    if threshold is None and measure is not None:
        for left, op, right in compiler.comparisons:
            if left.indicator == measure.indicator and right.literal is not None:
                level = (op, right.literal)
                break
    return CompiledCondition(text, predicate, measure, threshold, comparator, compiler.used, level)
