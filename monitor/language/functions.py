"""The whitelisted functions of the rule language: one table entry per function.

Each :class:`Function` holds everything about one function: its signature and meaning
(the rule-language reference is generated from them), the kind of series it reads,
its window, its result unit, and its implementation. Adding ``slope(x, 12mo)`` means
adding one entry and one implementation here, plus its test.

Level functions read the known-value path of an indicator (what was known at each
evaluation time); event functions read the announcements themselves. The first
argument may be left out, meaning the rule's own indicator, except for elementwise
functions such as ``abs``, which take any number or series.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from lark import Tree

from monitor.core.durations import Duration
from monitor.core.units import DIMENSIONLESS, Unit, indicator_unit
from monitor.language import windows
from monitor.language.nodes import CompilerAPI, Context, Node

PERCENT = Unit("percent")
MAX_WINDOW_DAYS = 365.25 * 50

SeriesRun = Callable[[Context, str, Duration | None], pd.DataFrame]


@dataclass(frozen=True)
class Function:
    """A whitelisted function: signature, meaning and implementation in one place.

    ``run`` computes a series function from the indicator's name and window;
    ``elementwise`` applies to one number or series (its first argument is never
    implicit).
    """

    name: str
    signature: str
    series_kind: str  # "level", "event" or "any"
    window: str  # "required", "optional" or "none"
    result_unit: str  # "same", "percent", "count", "months", "none"
    doc: str
    run: SeriesRun | None = None
    elementwise: Callable[[Any], Any] | None = None

    @property
    def implicit_series(self) -> bool:
        """Whether the first argument may be left out (meaning the rule's indicator)."""
        return self.elementwise is None


def _window(window: Duration | None) -> Duration:
    assert window is not None, "the compiler checks required windows"
    return window


def _change(ctx: Context, name: str, window: Duration | None) -> pd.DataFrame:
    return ctx.known(name) - ctx.known_before(name, _window(window))


def _pct_change(ctx: Context, name: str, window: Duration | None) -> pd.DataFrame:
    before = ctx.known_before(name, _window(window))
    return (ctx.known(name) / before.where(before != 0) - 1.0) * 100.0


def _at_evaluations(ctx: Context, daily: pd.DataFrame) -> pd.DataFrame:
    """A statistic of the daily path, read at the evaluation times."""
    return daily if daily.index.equals(ctx.grid) else daily.reindex(ctx.grid)


def _drawdown(ctx: Context, name: str, window: Duration | None) -> pd.DataFrame:
    path = ctx.known_path(name)
    peak = windows.rolling(path, window, "max") if window else path.cummax()
    return _at_evaluations(ctx, (path / peak.where(peak != 0) - 1.0) * 100.0)


def _rolling(how: str) -> SeriesRun:
    def run(ctx: Context, name: str, window: Duration | None) -> pd.DataFrame:
        return _at_evaluations(ctx, windows.rolling(ctx.known_path(name), _window(window), how))

    return run


def _zscore(ctx: Context, name: str, window: Duration | None) -> pd.DataFrame:
    path = ctx.known_path(name)
    mean = windows.rolling(path, _window(window), "mean")
    std = windows.rolling(path, _window(window), "std")
    return _at_evaluations(ctx, (path - mean) / std.where(std > 0))


def _count(ctx: Context, name: str, window: Duration | None) -> pd.DataFrame:
    return windows.event_counts(ctx.panel(name), ctx.grid, _window(window), weighted=False)


def _sum(ctx: Context, name: str, window: Duration | None) -> pd.DataFrame:
    return windows.event_counts(ctx.panel(name), ctx.grid, _window(window), weighted=True)


def _months_since(ctx: Context, name: str, window: Duration | None) -> pd.DataFrame:
    return windows.months_since(ctx.panel(name), ctx.grid)


FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in [
        Function(
            "change",
            "change([x,] window)",
            "level",
            "required",
            "same",
            "Latest known value minus the value known one window earlier.",
            run=_change,
        ),
        Function(
            "pct_change",
            "pct_change([x,] window)",
            "level",
            "required",
            "percent",
            "Percentage change of the known value over the window.",
            run=_pct_change,
        ),
        Function(
            "drawdown",
            "drawdown([x] [, window])",
            "level",
            "optional",
            "percent",
            "Percent below the highest known value (within the window, or ever).",
            run=_drawdown,
        ),
        Function(
            "rolling_mean",
            "rolling_mean([x,] window)",
            "level",
            "required",
            "same",
            "Time-weighted mean of the known value over the window.",
            run=_rolling("mean"),
        ),
        Function(
            "zscore",
            "zscore([x,] window)",
            "level",
            "required",
            "none",
            "Standard score of the known value against the window's mean and spread.",
            run=_zscore,
        ),
        Function(
            "max",
            "max([x,] window)",
            "level",
            "required",
            "same",
            "Highest value known during the window.",
            run=_rolling("max"),
        ),
        Function(
            "min",
            "min([x,] window)",
            "level",
            "required",
            "same",
            "Lowest value known during the window.",
            run=_rolling("min"),
        ),
        Function("abs", "abs(x)", "any", "none", "same", "Absolute value.", elementwise=abs),
        Function(
            "count",
            "count([event,] window)",
            "event",
            "required",
            "count",
            "Number of events announced within the window.",
            run=_count,
        ),
        Function(
            "sum",
            "sum([event,] window)",
            "event",
            "required",
            "same",
            "Total size of the events announced within the window.",
            run=_sum,
        ),
        Function(
            "months_since",
            "months_since([event])",
            "event",
            "none",
            "months",
            "Months since the latest event was announced (missing before the first).",
            run=_months_since,
        ),
    ]
}

# functions whose result is a difference of two readings of the series
DIFFERENCES = frozenset({"change"})

RESULT_UNITS = {
    "percent": (PERCENT, "%"),
    "count": (Unit("count"), "count"),
    "months": (Unit("months"), "months"),
    "none": (DIMENSIONLESS, ""),
}


def build_call(compiler: CompilerAPI, tree: Tree[Any], spec: Function, args: list[Any]) -> Node:
    """Check a call's arguments against its table entry and build its node."""
    nodes = [_argument(compiler, a) for a in args]
    if spec.elementwise is not None:
        return _elementwise(compiler, tree, spec, nodes)
    series_name, window, rest = _split_args(compiler, tree, spec, args, nodes)
    if rest:
        raise compiler.error(
            args[len(args) - len(rest)], f"too many arguments; expected {spec.signature}"
        )
    info = compiler.indicators[series_name]
    compiler.used.add(series_name)
    if spec.series_kind == "event" and info.kind != "event":
        raise compiler.error(
            tree,
            f"{spec.name}() counts events, but {series_name!r} is a level "
            "indicator; use change(), max() or similar",
        )
    if spec.series_kind == "level" and info.kind == "event":
        raise compiler.error(
            tree,
            f"{spec.name}() needs a level indicator, but {series_name!r} "
            "is an event indicator; use count(), sum() or months_since()",
        )
    if spec.result_unit == "same":
        unit, label = indicator_unit(info.unit), info.unit
        if spec.name in DIFFERENCES and info.unit == "%":
            label = "pp"  # a change of a rate is in percentage points, never %
    else:
        unit, label = RESULT_UNITS[spec.result_unit]
    implementation = spec.run
    assert implementation is not None

    def run(ctx: Context) -> pd.DataFrame:
        return implementation(ctx, series_name, window)

    return Node("series", unit, run, compiler.snippet(tree), label=label)


def _elementwise(compiler: CompilerAPI, tree: Tree[Any], spec: Function, nodes: list[Node]) -> Node:
    apply = spec.elementwise
    assert apply is not None
    if len(nodes) != 1 or nodes[0].kind not in ("series", "number"):
        raise compiler.error(tree, f"{spec.name}() takes one number or series: {spec.signature}")
    inner = nodes[0]
    if inner.indicator and compiler.indicators[inner.indicator].kind == "event":
        raise compiler.error(
            tree,
            f"{inner.indicator!r} is an event indicator: use count(), sum() or "
            "months_since() on it",
        )
    literal = None if inner.literal is None else apply(inner.literal)
    return Node(
        inner.kind,
        inner.unit,
        lambda ctx: apply(inner.run(ctx)),
        compiler.snippet(tree),
        literal=literal,
        label=inner.label,
    )


def _argument(compiler: CompilerAPI, arg: Any) -> Node:
    """Compile one argument; a bare indicator name stays a reference, events included."""
    if isinstance(arg, Tree) and arg.data == "name":
        name = compiler.resolve_name(arg.children[0])
        unit = indicator_unit(compiler.indicators[name].unit)
        return Node(
            "series",
            unit,
            lambda ctx: ctx.known(name),
            name,
            indicator=name,
            label=compiler.indicators[name].unit,
        )
    return compiler.compile(arg)


def _split_args(
    compiler: CompilerAPI,
    tree: Tree[Any],
    spec: Function,
    args: list[Any],
    nodes: list[Node],
) -> tuple[str, Duration | None, list[Node]]:
    series_name: str | None = None
    remaining = list(zip(args, nodes, strict=True))
    if remaining and remaining[0][1].kind != "duration":
        arg, node = remaining.pop(0)
        if node.indicator is None:
            raise compiler.error(
                arg, f"the first argument of {spec.name}() must be an indicator name"
            )
        series_name = node.indicator
    if series_name is None:
        if compiler.primary is None:
            raise compiler.error(tree, f"{spec.name}() needs an indicator: {spec.signature}")
        series_name = compiler.primary
    window: Duration | None = None
    if remaining and remaining[0][1].kind == "duration":
        window = remaining.pop(0)[1].duration
    if spec.window == "required" and window is None:
        raise compiler.error(tree, f"{spec.name}() needs a window such as 12mo: {spec.signature}")
    if spec.window == "none" and window is not None:
        raise compiler.error(tree, f"{spec.name}() takes no window: {spec.signature}")
    if window is not None and window.days <= 0:
        raise compiler.error(tree, f"the window of {spec.name}() must be longer than zero")
    if window is not None and window.days > MAX_WINDOW_DAYS:
        raise compiler.error(tree, f"the window of {spec.name}() is longer than 50 years")
    return series_name, window, [n for _, n in remaining]
