"""The ``monitor`` command line.

Heavy imports (pandas, pandera, matplotlib) happen inside the commands, never at
module level, so ``monitor --help`` answers instantly.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from monitor.cli_options import PLUGINS

EXIT_ERROR = 1


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_ERROR)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="bubble-monitor", prog_name="monitor")
def main() -> None:
    """Early-warning monitor for investment bubbles.

    Evaluates rule files that encode the three stages of the 2000 telecom bust
    against indicator series, point in time, and writes HTML and JSON reports.
    """


@main.command()
@click.option(
    "--case",
    "case_name",
    default=None,
    help="Bundled case name or path to a case folder. [default: the config's first case, "
    "else ai-cycle]",
)
@click.option(
    "--as-of",
    "as_of",
    default=None,
    metavar="DATE",
    help="Evaluate as of this date (default: the case's latest data).",
)
@click.option(
    "--rules",
    "rule_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Rule folder or file to evaluate instead of the bundled set (repeatable).",
)
@click.option(
    "--out",
    "out_dir",
    default=None,
    type=click.Path(path_type=Path),
    help="Folder for the HTML and JSON outputs. [default: the config's, else out]",
)
@PLUGINS
@click.option(
    "--config",
    "config_path",
    default=None,
    type=click.Path(path_type=Path),
    help="Config file (default: monitor.toml in the current folder, if any).",
)
@click.option(
    "--templates",
    "template_dir",
    default=None,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of templates overriding the built-in report templates by name.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the assessment as JSON.")
def run(
    case_name: str | None,
    as_of: str | None,
    rule_dirs: tuple[Path, ...],
    out_dir: Path | None,
    plugin_dirs: tuple[Path, ...],
    config_path: Path | None,
    template_dir: Path | None,
    as_json: bool,
) -> None:
    """Evaluate a case and write its report (HTML and JSON).

    Explicit options win over the config file; a run waits for a scheduled run
    writing to the same folder, so the two never interleave their files.
    """
    from monitor.core.errors import MonitorError
    from monitor.ops.config import ConfigError, find_config
    from monitor.ops.lock import run_lock
    from monitor.pipeline import run as run_pipeline

    try:
        config = find_config(config_path)
    except ConfigError as exc:
        _fail("\n".join(exc.problems))
        return
    if config is not None:
        case_name = case_name or (config.cases[0] if config.cases else None)
        rule_dirs = rule_dirs or tuple(config.rules)
        out_dir = out_dir or config.out
        plugin_dirs = plugin_dirs or tuple(config.plugins)
    case_name = case_name or "ai-cycle"
    out_dir = out_dir or Path("out")
    try:
        with run_lock(out_dir):
            result = run_pipeline(
                case_name, as_of, rule_dirs, out_dir, plugin_dirs, template_dir=template_dir
            )
    except (MonitorError, ValueError) as exc:
        _fail(str(exc))
        return
    if as_json:
        click.echo(json.dumps(result.assessment.to_json(), indent=2, ensure_ascii=False))
        return
    from monitor.assessment.summary import print_summary

    print_summary(result.assessment)


@main.group()
def indicators() -> None:
    """Inspect the registered indicator plugins."""


@indicators.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@PLUGINS
def indicators_list(as_json: bool, plugin_dirs: tuple[Path, ...]) -> None:
    """List registered indicators with unit, kind and origin."""
    from monitor.indicator.registry import load_registry

    registry = load_registry(plugin_dirs)
    rows = [
        {
            "name": name,
            "title": ind.title,
            "unit": ind.unit,
            "kind": ind.kind,
            "frequency": ind.frequency,
            "inputs": list(ind.inputs),
            "plugin": registry.origins[name],
            "summary": ind.summary(),
        }
        for name, ind in sorted(registry.indicators.items())
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    else:
        width = max(len(r["name"]) for r in rows) if rows else 10
        for r in rows:
            click.echo(f"{r['name']:<{width}}  {r['unit']:<9}  {r['kind']:<5}  {r['title']}")
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
        _fail(str(exc))
        return
    observations = case.observations
    if as_of:
        observations = observations[observations["published"] <= pd.Timestamp(as_of)]
    frames, errors = compute_indicators(observations, registry, {name})
    if name in errors:
        _fail(f"indicator {name!r} failed: {errors[name]}")
    frame = frames[name]
    if entity:
        frame = frame[frame["entity"] == entity]
    rows: list[dict[str, Any]] = [
        {
            "entity": str(r.entity),
            "date": r.date.date().isoformat(),
            "value": round(float(r.value), 6),
            "unit": indicator.unit,
            "published": r.published.date().isoformat(),
        }
        for r in frame.itertuples(index=False)
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(f"{indicator.name}: {indicator.title} ({indicator.unit})")
    for row in rows:
        click.echo(
            f"  {row['entity']:<8} {row['date']}  {row['value']:>12.4g} {row['unit']:<6}"
            f"  published {row['published']}"
        )
    if not rows:
        click.echo("  (no values: the case lacks this indicator's inputs)")


@main.command()
@click.argument("fred_id")
@click.option("--series", "series", required=True, help="Series id in the observation frame.")
@click.option("--unit", required=True, help="Unit of the values, e.g. % or index.")
@click.option("--entity", default="US", show_default=True)
@click.option(
    "--lag",
    "lag_days",
    default=0,
    show_default=True,
    type=int,
    help="Usual publication lag in days (published = date + lag).",
)
@click.option(
    "--from-file",
    "from_file",
    type=click.Path(exists=True, path_type=Path),
    help="Read a raw FRED CSV download instead of calling the API.",
)
@click.option("--start", default=None, metavar="DATE", help="First observation date (API).")
@click.option("--end", default=None, metavar="DATE", help="Last observation date (API).")
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path),
    help="Write the tidy CSV here (default: standard output).",
)
def fred(
    fred_id: str,
    series: str,
    unit: str,
    entity: str,
    lag_days: int,
    from_file: Path | None,
    start: str | None,
    end: str | None,
    out_file: Path | None,
) -> None:
    """Turn a FRED series (API or raw CSV download) into tidy observation rows.

    The API key is read from FRED_API_KEY and never printed. Bad rows are reported
    on standard error and left out of the output; blank holiday cells are skipped.
    """
    from monitor.core.atomic import write_text
    from monitor.data.sources import fred as fred_source

    spec = fred_source.FredSeries(fred_id, series, unit, entity, lag_days)
    try:
        if from_file is not None:
            data = fred_source.read_csv(from_file, spec)
        else:
            data = fred_source.fetch(spec, start, end)
    except fred_source.FredError as exc:
        _fail(str(exc))
        return
    for bad in data.bad_rows:
        click.echo(f"bad row: {bad}", err=True)
    text = fred_source.to_csv(data)
    if out_file is None:
        click.echo(text, nl=False)
    else:
        write_text(out_file, text)
        click.echo(f"{len(data.frame)} rows written to {out_file}", err=True)


def _register_subcommands() -> None:
    """Command groups live in their own modules; each imports only click at load."""
    from monitor.cli_rules import rules
    from monitor.cli_schedule import register as register_schedule

    main.add_command(rules)
    register_schedule(main)


_register_subcommands()
