"""``monitor run``: evaluate a case and publish its report."""

from __future__ import annotations

import json
from pathlib import Path

import click

from monitor.cli.options import CONFIG, PLUGINS, fail, rule_dirs_option
from monitor.cli.scaling import scaling_options


@click.command()
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
@rule_dirs_option("evaluate")
@click.option(
    "--out",
    "out_dir",
    default=None,
    type=click.Path(path_type=Path),
    help="Folder for the HTML and JSON outputs. [default: the config's, else out]",
)
@PLUGINS
@CONFIG
@click.option(
    "--templates",
    "template_dir",
    default=None,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of templates overriding the built-in report templates by name.",
)
@click.option(
    "--step",
    type=click.Choice(["daily", "month-end"]),
    default=None,
    help="Evaluation step: alert states advance every day, or at month ends and the "
    "as-of date. [default: the config's, else daily]",
)
@click.option(
    "--pdf",
    is_flag=True,
    default=None,
    help="Also print the report to a PDF beside the HTML (the pdf extra and Debian's "
    "chromium). [default: the config's, else off]",
)
@click.option("--json", "as_json", is_flag=True, help="Print the assessment as JSON.")
@click.option(
    "--schedule",
    "schedule_id",
    default=None,
    metavar="ID",
    help="Run the config's [[schedule]] ID once exactly as the daemon would (run lock, "
    "history, notifications, heartbeat), for cron, systemd timers and Airflow; combines "
    "only with --config, --as-of and --json. Exit 1 if a case failed.",
)
@click.option(
    "--reproduce",
    "reproduce_id",
    type=int,
    default=None,
    metavar="RUN_ID",
    help="Re-evaluate run RUN_ID of the history (store as it stood then) and compare its "
    "stage, score and firing rules; exit 1 with the differences.",
)
@scaling_options
def run(
    case_name: str | None,
    as_of: str | None,
    rule_dirs: tuple[Path, ...],
    out_dir: Path | None,
    plugin_dirs: tuple[Path, ...],
    config_path: Path | None,
    template_dir: Path | None,
    step: str | None,
    pdf: bool | None,
    as_json: bool,
    schedule_id: str | None,
    reproduce_id: int | None,
) -> None:
    """Evaluate a case and write its report (HTML and JSON).

    Explicit options win over the config file; a run waits for a scheduled run
    writing to the same folder, so the two never interleave their files. A case
    declared as [[case]] in monitor.toml is read from the store, as of today.
    """
    from monitor.core.errors import MonitorError
    from monitor.ops.config import ConfigError, find_config
    from monitor.ops.lock import run_lock
    from monitor.pipeline import run as run_pipeline

    if schedule_id is not None and reproduce_id is not None:
        fail("--schedule and --reproduce do not combine: run a schedule, or reproduce a run")
        return
    if schedule_id is not None:
        from monitor.cli.oneshot import run_once

        run_once(
            schedule_id,
            config_path,
            as_of,
            as_json,
            case=case_name,
            rules=rule_dirs,
            out=out_dir,
            plugins=plugin_dirs,
            templates=template_dir,
            step=step,
            pdf=pdf,
        )
        return
    try:
        config = find_config(config_path)
    except ConfigError as exc:
        fail("\n".join(exc.problems))
        return
    if reproduce_id is not None:
        from monitor.cli.reproduce import reproduce_run

        reproduce_run(config, reproduce_id)
        return
    if config is not None:
        case_name = case_name or (config.cases[0] if config.cases else None)
        rule_dirs = rule_dirs or tuple(config.rules)
        out_dir = out_dir or config.out
        plugin_dirs = plugin_dirs or tuple(config.plugins)
        step = step or config.step
        pdf = pdf if pdf else config.pdf
    case_name = case_name or "ai-cycle"
    out_dir = out_dir or Path("out")
    try:
        from monitor.ops.livecase import case_for

        with run_lock(out_dir):
            result = run_pipeline(
                case_for(config, case_name),
                as_of,
                rule_dirs,
                out_dir,
                plugin_dirs,
                template_dir=template_dir,
                step=step or "daily",
                pdf=bool(pdf),
            )
    except (MonitorError, ValueError) as exc:
        fail(str(exc))
        return
    from monitor.assessment.summary import print_quarantine, print_summary

    if as_json:
        click.echo(json.dumps(result.assessment.to_json(), indent=2, ensure_ascii=False))
        report = result.assessment.report
        full = report.removesuffix(".html") + ".quarantine.csv" if report else None
        print_quarantine(result.assessment.quarantined, full)  # never only inside the JSON
        return

    print_summary(result.assessment)
