"""``monitor run --schedule ID``: one run of a configured schedule, for outside schedulers.

cron, a systemd timer or Airflow then decide *when*; the run itself is the daemon's:
:func:`monitor.ops.jobs.run_schedule` takes the output folder's run lock, records one
history row per case (trigger ``scheduled``, as the daemon's timed run), notifies on
change, failure and recovery, and pings the heartbeat. Nothing here evaluates or
records by itself, so the two can never drift apart. The exit code tells the outside
scheduler how it went: 0 when every case published a report (``ok`` or ``degraded``),
1 when a case failed (its row says why), as for any error before the run.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click

from monitor.cli.options import fail

# What the daemon records for a timed run; a one-shot run *is* the schedule's timed run.
TRIGGER = "scheduled"


def run_once(
    schedule_id: str, config_path: Path | None, as_of: str | None, as_json: bool, **given: Any
) -> None:
    """Run ``schedule_id`` from the config once; exit 1 if a case failed."""
    from monitor.ops.config import ConfigError, find_config
    from monitor.ops.jobs import run_schedule
    from monitor.ops.notify import secrets
    from monitor.ops.scheduler import setup_logging

    clashing = sorted(f"--{name.replace('_', '-')}" for name, value in given.items() if value)
    if clashing:
        fail(
            f"--schedule runs the schedule exactly as configured; drop {', '.join(clashing)} "
            "(change the config instead)"
        )
    if as_of is not None:
        try:
            date.fromisoformat(as_of)
        except ValueError:
            raise click.BadParameter(
                f"{as_of!r} is not a date (YYYY-MM-DD)", param_hint="--as-of"
            ) from None
    try:
        config = find_config(config_path)
    except ConfigError as exc:
        fail("\n".join(exc.problems))
        return
    if config is None:
        fail("--schedule needs a config: no monitor.toml here (pass --config FILE)")
        return
    schedule = next((s for s in config.schedules if s.id == schedule_id), None)
    if schedule is None:
        known = ", ".join(s.id for s in config.schedules) or "none"
        fail(f"{config.path}: no [[schedule]] with id {schedule_id!r} (schedules: {known})")
        return
    setup_logging(hidden=secrets(config))
    outcomes = run_schedule(config, schedule, TRIGGER, as_of=as_of)
    if as_json:
        rows = [
            {
                "run_id": o.run_id,
                "case": o.case,
                "status": o.status,
                "stage": o.stage,
                "report": o.report,
                "errors": o.errors,
                "notifications": o.notifications,
            }
            for o in outcomes
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for o in outcomes:
            stage = "-" if o.stage is None else o.stage
            line = f"run {o.run_id}: {o.case} {o.status}, stage {stage}"
            click.echo(line + (f", report {o.report}" if o.report else ""))
            for error in o.errors[:3]:
                click.echo(f"  ! {error.splitlines()[0]}")
    if any(o.status == "failed" for o in outcomes):
        raise SystemExit(1)
