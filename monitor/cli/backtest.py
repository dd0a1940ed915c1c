"""``monitor backtest``: replay a case at every step, point in time, and score it."""

from __future__ import annotations

import json
from pathlib import Path

import click

from monitor.cli.options import PLUGINS, fail, rule_dirs_option
from monitor.cli.scaling import scaling_options


@click.command()
@click.option(
    "--case",
    "case_name",
    default="telecom-2000",
    show_default=True,
    help="Bundled case name or path to a case folder.",
)
@click.option(
    "--from", "start", default=None, metavar="DATE", help="First date (default: the first data)."
)
@click.option(
    "--to", "end", default=None, metavar="DATE", help="Last date (default: the latest data)."
)
@click.option(
    "--step",
    type=click.Choice(["month-end", "daily"]),
    default="month-end",
    show_default=True,
    help="Evaluation step: month ends (and the last date), or every day.",
)
@click.option(
    "--horizon",
    default="24mo",
    show_default=True,
    metavar="DURATION",
    help="Signal horizon before an episode's onset (whole months: 24mo, 2y, 8q).",
)
@rule_dirs_option("backtest")
@PLUGINS
@click.option(
    "--calibrate",
    "calibrate_rule",
    default=None,
    metavar="RULE",
    help="Search this rule's threshold over a grid (in-sample), each with NSR, hit rate, lead.",
)
@click.option(
    "--literal",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Which numeric literal of the rule's condition --calibrate varies (1 = first).",
)
@click.option(
    "--out",
    "out_dir",
    default=Path("out"),
    show_default=True,
    type=click.Path(path_type=Path),
    help="Folder for the HTML report.",
)
@click.option(
    "--templates",
    "template_dir",
    default=None,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of templates overriding the built-in report templates by name.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the backtest as JSON.")
@scaling_options
def backtest(
    case_name: str,
    start: str | None,
    end: str | None,
    step: str,
    horizon: str,
    rule_dirs: tuple[Path, ...],
    plugin_dirs: tuple[Path, ...],
    calibrate_rule: str | None,
    literal: int,
    out_dir: Path,
    template_dir: Path | None,
    as_json: bool,
) -> None:
    """Backtest rules on a case: when each rule and stage fired, lead times, KLR scores.

    One process and one timeline: every step is point in time (a figure counts from
    its publication), and a case's crisis episodes (case.yaml ``episodes:``) are what
    hits and false alarms are scored against.
    """
    import pandas as pd

    from monitor.core.durations import parse_duration
    from monitor.core.errors import MonitorError
    from monitor.pipeline.backtest import backtest as run_backtest

    try:
        duration = parse_duration(horizon)
    except (MonitorError, ValueError) as exc:
        fail(f"--horizon: {exc}")
        return
    months = duration.months
    if months is None or not float(months).is_integer() or months <= 0:
        fail(f"--horizon {horizon!r}: give whole months, quarters or years (e.g. 24mo, 2y)")
        return
    dates = {}
    for option, text in (("--from", start), ("--to", end)):
        if text is None:
            continue
        try:
            dates[option] = pd.Timestamp(text)
        except (ValueError, TypeError):
            fail(f"{option} {text!r}: not a date (use YYYY-MM-DD)")
            return
    if "--from" in dates and "--to" in dates and dates["--from"] > dates["--to"]:
        fail(f"--from {start} is after --to {end}")
        return
    try:
        result = run_backtest(
            case_name,
            dates.get("--from"),
            dates.get("--to"),
            step,
            int(months),
            rule_dirs,
            plugin_dirs,
            out_dir,
            calibrate_rule,
            literal,
            template_dir,
        )
    except (MonitorError, ValueError) as exc:
        fail(str(exc))
        return
    model = result.model
    if as_json:
        click.echo(json.dumps(model.to_json(), indent=2, ensure_ascii=False))
        return
    click.echo(f"{model.case_title}: {model.start} to {model.end}, step {model.step}")
    for stage, first in model.stage_entries.items():
        click.echo(f"  stage {stage} first active: {first or 'never'}")
    for metric in model.metrics:
        nsr = "undefined" if metric.nsr is None else f"{metric.nsr:.2f}"
        flag = "  no better than noise" if metric.noisy else ""
        click.echo(
            f"  {metric.rule:<40} A={metric.a:<3} B={metric.b:<3} C={metric.c:<3} "
            f"D={metric.d:<3} NSR={nsr}{flag}"
        )
    if model.calibration is not None:
        cal = model.calibration
        click.echo(
            f"calibration of {cal['rule']} (in-sample): {cal['when']}, literal {cal['literal']}"
        )
        for row in cal["rows"]:
            nsr = "undefined" if row["nsr"] is None else f"{row['nsr']:.2f}"
            mark = "  (current)" if row["current"] else ""
            click.echo(
                f"  {row['threshold']:>10g}  A={row['a']} B={row['b']} C={row['c']} D={row['d']} "
                f"NSR={nsr} first firing {row['first_firing'] or 'never'}{mark}"
            )
    if not model.episodes:
        click.echo("  no crisis episode declared in the case: signal periods only, no KLR counts")
    click.echo(f"report: {result.html_path}")
