"""The whitelisted window functions of the rule language, compiled to pandas.

Level functions read the known-value path of an indicator (what was known at each
evaluation time); event functions read the announcements themselves. The first
argument may be left out, meaning the rule's own indicator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from lark import Tree

from monitor import windows
from monitor.core.durations import Duration
from monitor.core.units import DIMENSIONLESS, Unit, indicator_unit

if TYPE_CHECKING:
    from monitor.compiler import Context, Node, _Compiler
    from monitor.expression import FunctionSpec

PERCENT = Unit("percent")


def build_call(compiler: _Compiler, tree: Tree[Any], spec: FunctionSpec, args: list[Any]) -> Node:
    from monitor.compiler import Node

    nodes = [_argument(compiler, a) for a in args]
    if spec.name == "abs":
        if len(nodes) != 1 or nodes[0].kind not in ("series", "number"):
            raise compiler.error(tree, "abs() takes one number or series: abs(x)")
        inner = nodes[0]
        if inner.indicator and compiler.indicators[inner.indicator].kind == "event":
            raise compiler.error(
                tree,
                f"{inner.indicator!r} is an event indicator: use count(), sum() or "
                "months_since() on it",
            )
        literal = None if inner.literal is None else abs(inner.literal)
        return Node(
            inner.kind,
            inner.unit,
            lambda ctx: abs(inner.run(ctx)),
            compiler.snippet(tree),
            literal=literal,
            label=inner.label,
        )
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
    unit = {
        "same": indicator_unit(info.unit),
        "percent": PERCENT,
        "count": Unit("count"),
        "months": Unit("months"),
        "none": DIMENSIONLESS,
    }[spec.result_unit]
    run = _runner(spec.name, series_name, window)
    label = {"same": info.unit, "percent": "%", "count": "count", "months": "months", "none": ""}[
        spec.result_unit
    ]
    return Node("series", unit, run, compiler.snippet(tree), label=label)


def _argument(compiler: _Compiler, arg: Any) -> Node:
    """Compile one argument; a bare indicator name stays a reference, events included."""
    from monitor.compiler import Node

    if isinstance(arg, Tree) and arg.data == "name":
        name = compiler._resolve_name(arg.children[0])
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
    compiler: _Compiler,
    tree: Tree[Any],
    spec: FunctionSpec,
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
    if window is not None and window.days > 365.25 * 50:
        raise compiler.error(tree, f"the window of {spec.name}() is longer than 50 years")
    return series_name, window, [n for _, n in remaining]


def _runner(function: str, name: str, window: Duration | None):  # type: ignore[no-untyped-def]
    def known(ctx: Context) -> pd.DataFrame:
        return ctx.known(name)

    def windowed(how: str):  # type: ignore[no-untyped-def]
        assert window is not None
        return lambda ctx: windows.rolling(known(ctx), window, how)

    if function == "change":
        assert window is not None
        return lambda ctx: known(ctx) - ctx.known_before(name, window)
    if function == "pct_change":
        assert window is not None

        def pct(ctx: Context) -> pd.DataFrame:
            before = ctx.known_before(name, window)
            return (known(ctx) / before.where(before != 0) - 1.0) * 100.0

        return pct
    if function == "drawdown":

        def drawdown(ctx: Context) -> pd.DataFrame:
            current = known(ctx)
            peak = windows.rolling(current, window, "max") if window else current.cummax()
            return (current / peak.where(peak != 0) - 1.0) * 100.0

        return drawdown
    if function == "rolling_mean":
        return windowed("mean")
    if function in ("max", "min"):
        return windowed(function)
    if function == "zscore":

        def zscore(ctx: Context) -> pd.DataFrame:
            assert window is not None
            current = known(ctx)
            mean = windows.rolling(current, window, "mean")
            std = windows.rolling(current, window, "std")
            return (current - mean) / std.where(std > 0)

        return zscore
    if function in ("count", "sum"):
        assert window is not None
        weighted = function == "sum"
        return lambda ctx: windows.event_counts(ctx.frame(name), ctx.grid, window, weighted)
    if function == "months_since":
        return lambda ctx: windows.months_since(ctx.frame(name), ctx.grid)
    raise AssertionError(function)


__all__ = ["build_call", "np"]
