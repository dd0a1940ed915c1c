"""``monitor indicators list|show``: the registered indicator plugins and their series."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from monitor.cli.options import PLUGINS, fail


@click.group()
def indicators() -> None:
    """Inspect the registered indicator plugins."""


@indicators.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@PLUGINS
def indicators_list(as_json: bool, plugin_dirs: tuple[Path, ...]) -> None:
    """List registered indicators: unit, kind, frequency, window axis, max_age, inputs."""
    from monitor.indicator.registry import load_registry

    registry = load_registry(plugin_dirs)
    rows: list[dict[str, Any]] = [
        {
            "name": name,
            "title": ind.title,
            "unit": ind.unit,
            "kind": ind.kind,
            "frequency": ind.frequency,
            "window_axis": ind.axis(),
            "max_age": ind.max_age,
            "inputs": list(ind.inputs),
            "plugin": registry.origins[name],
            "summary": ind.summary(),
        }
        for name, ind in sorted(registry.indicators.items())
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    else:
        header = {"name": "name", "unit": "unit", "kind": "kind", "frequency": "frequency",
                  "window_axis": "axis", "max_age": "max_age", "inputs": "inputs"}  # fmt: skip
        table = [header] + [
            {**r, "max_age": r["max_age"] or "-", "inputs": ", ".join(r["inputs"]) or "-"}
            for r in rows
        ]
        widths = {k: max(len(str(r[k])) for r in table) for k in header}
        for r in table:
            click.echo("  ".join(f"{str(r[k]):<{widths[k]}}" for k in header).rstrip())
    for failure in registry.failures:
        click.echo(f"warning: {failure}", err=True)


@indicators.command("show")
@click.argument("name")
@click.option("--case", "case_name", default="ai-cycle", show_default=True)
@click.option("--entity", default=None, help="Only this entity.")
@click.option(
    "--as-of", "as_of", default=None, metavar="DATE", help="Only what was published by this date."
)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@PLUGINS
def indicators_show(
    name: str,
    case_name: str,
    entity: str | None,
    as_of: str | None,
    as_json: bool,
    plugin_dirs: tuple[Path, ...],
) -> None:
    """Compute one indicator on a case and print its series."""
    import pandas as pd

    from monitor.core.errors import MonitorError
    from monitor.data.case import load_case
    from monitor.engine.timeline import compute_indicators
    from monitor.indicator.registry import load_registry

    try:
        registry = load_registry(plugin_dirs)
        indicator = registry.get(name)
        case = load_case(case_name)
    except MonitorError as exc:
        fail(str(exc))
        return
    observations = case.observations
    if as_of:
        observations = observations[observations["published"] <= pd.Timestamp(as_of)]
    companions = [c for c in indicator.companions if c in registry.indicators]
    frames, errors = compute_indicators(observations, registry, {name, *companions})
    if name in errors:
        fail(f"indicator {name!r} failed: {errors[name]}")
    frame = frames[name]
    if entity:
        frame = frame[frame["entity"] == entity]
    # companions (e.g. a statistic's critical value) joined on entity and date
    extra = {c: frames[c].set_index(["entity", "date"])["value"] for c in companions if c in frames}
    rows: list[dict[str, Any]] = []
    for r in frame.itertuples(index=False):
        row: dict[str, Any] = {
            "entity": str(r.entity),
            "date": r.date.date().isoformat(),
            "value": round(float(r.value), 6),
            "unit": indicator.unit,
            "published": r.published.date().isoformat(),
        }
        for c, values in extra.items():
            v = values.get((r.entity, r.date))
            row[c] = None if v is None or pd.isna(v) else round(float(v), 6)
        rows.append(row)
    if {"low", "high"} <= set(frame.columns):  # a range (GPU utilisation, the return test)
        for row, low, high in zip(rows, frame["low"], frame["high"], strict=True):
            if pd.notna(low) and pd.notna(high):
                row.update(low=round(float(low), 6), high=round(float(high), 6))
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(f"{indicator.name}: {indicator.title} ({indicator.unit})")
    if extra:
        names = "".join(f"  {c:>{max(12, len(c))}}" for c in extra)
        click.echo(f"  {'':<8} {'date':<10}  {'value':>12} {'':<6}{names}")
    for row in rows:
        cells = "".join(
            f"  {'-' if row[c] is None else format(row[c], '.4g'):>{max(12, len(c))}}"
            for c in extra
        )
        span = f"  range {row['low']:.4g}-{row['high']:.4g}" if "high" in row else ""
        click.echo(
            f"  {row['entity']:<8} {row['date']}  {row['value']:>12.4g} {row['unit']:<6}"
            f"{cells}  published {row['published']}{span}"
        )
    if rows and extra:
        last = rows[-1]
        click.echo(
            "  latest: "
            + ", ".join(f"{c} = {last[c]:.4g}" for c in extra if last[c] is not None)
            + f" ({last['date']}; a cumulative companion's latest value covers the sample)"
        )
    if not rows:
        click.echo("  (no values: the case lacks this indicator's inputs)")
