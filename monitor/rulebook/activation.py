"""Stage activation expressions: ``rule-a and (rule-b or not rule-c)`` over rule ids.

A stage may declare when it is active as a boolean expression over the firing of its
rules; it is parsed by the same grammar as conditions and compiled to column logic
over the table of firing rules, never evaluated as text.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import pandas as pd
from lark import Token

from monitor.core.errors import ExpressionError
from monitor.language.parser import parse_activation, position


def compile_activation(
    text: str, rule_ids: set[str]
) -> tuple[Callable[[pd.DataFrame], pd.Series], set[str]]:
    """Compile ``a and (b or not c)`` over rule ids into a function of a firing table."""
    tree = parse_activation(text)
    used: set[str] = set()

    def build(node: Any) -> Callable[[pd.DataFrame], pd.Series]:
        if isinstance(node, Token):
            raise ExpressionError(f"unexpected {node!s}", *position(node))
        if node.data == "rule_ref":
            token = node.children[0]
            rule_id = str(token)
            if rule_id not in rule_ids:
                raise ExpressionError(f"unknown rule id {rule_id!r}", *position(token))
            used.add(rule_id)
            return lambda table: table[rule_id].astype(bool)
        parts = [build(c) for c in node.children]
        if node.data == "not_":
            return lambda table: ~parts[0](table)
        op = operator.and_ if node.data == "and_" else operator.or_

        def combined(table: pd.DataFrame) -> pd.Series:
            result = parts[0](table)
            for part in parts[1:]:
                result = op(result, part(table))
            return result

        return combined

    return build(tree), used
