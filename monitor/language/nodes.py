"""The compiled form of a rule condition: nodes, the context they run in, and the
compiler interface function entries build on.

Kept apart from the compiler so the table of functions can build nodes without
importing the compiler, and the compiler can import the table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias

import pandas as pd
from lark import Token, Tree

from monitor.core.durations import Duration
from monitor.core.errors import ExpressionError
from monitor.core.units import Unit
from monitor.language.panel import Panel

Value: TypeAlias = Any  # a frame (times x entities) or a plain number


class Context(Protocol):
    grid: pd.DatetimeIndex

    def frame(self, name: str) -> pd.DataFrame: ...

    def panel(self, name: str) -> Panel: ...

    def known(self, name: str) -> pd.DataFrame: ...

    def known_path(self, name: str) -> pd.DataFrame: ...

    def known_before(self, name: str, back: Duration) -> pd.DataFrame: ...


@dataclass(frozen=True)
class IndicatorInfo:
    """What the compiler needs to know of an indicator: its unit and kind."""

    unit: str
    kind: str = "level"


@dataclass
class Node:
    kind: str  # "series", "number", "duration", "bool"
    unit: Unit
    run: Callable[[Context], Any]
    text: str
    literal: float | None = None
    duration: Duration | None = None
    indicator: str | None = None  # set when the node is a bare indicator name
    label: str = ""  # the unit as people write it, e.g. "%" or "$bn"


class CompilerAPI(Protocol):
    """What a function entry may ask of the compiler while it builds its node."""

    primary: str | None
    indicators: Mapping[str, IndicatorInfo]
    used: set[str]

    def error(self, node: Tree[Any] | Token, message: str) -> ExpressionError: ...

    def snippet(self, node: Tree[Any] | Token) -> str: ...

    def compile(self, tree: Tree[Any] | Token) -> Node: ...

    def resolve_name(self, token: Any) -> str: ...
