"""Scheduled operation commands: init, schedule, runs, notify.

Only click is imported at module level; apscheduler, SQLAlchemy and pandas load
inside the commands, so ``monitor --help`` stays instant.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from monitor.ops.config import Config

CONFIG_OPTION = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Config file (default: ./monitor.toml).",
)

TEMPLATE = """\
# monitor.toml - what the monitor runs, when, where, and whom it tells.
# Relative paths are relative to this file. Secrets never go here: name the
# environment variable that holds them (password_env, token_env, url_env).

[monitor]
timezone = "UTC"                 # IANA zone the schedules are read in, e.g. "Europe/Berlin"
cases = ["ai-cycle"]             # bundled case names or case folders
out = "out"                      # reports: dated files, index.html, latest.html
rules = []                       # rule folders; empty = the bundled rules
plugins = []                     # folders of extra indicator modules
store = "sqlite:///monitor.db"   # run history + scheduler state (any SQLAlchemy URL)
misfire_grace_seconds = 604800   # a run missed while down still runs (once) within 7 days
step = "daily"                   # alert states advance every day, or "month-end"

# Fixed ids: the id is the job's key in the store; renaming it starts it afresh.
# cron = "minute hour day month weekday"; weekdays by name (mon-fri, sun):
# APScheduler 3 reads a digit 0 as Monday, crontab as Sunday, so digits are refused.
[[schedule]]
id = "weekday-morning"
cron = "30 7 * * mon-fri"
# cases = ["ai-cycle"]           # default: [monitor] cases
# second = "0"                   # optional seconds field (testing)
# For tests only, instead of cron:  interval_seconds = 5

[notify]
retries = 3                      # attempts per target
backoff_seconds = 2              # 2 s, 4 s, 8 s, ...
after_failures = 1               # notify when a case failed this many runs in a row
inhibit = true                   # hold lower-stage news while a higher stage is active

# Sent when the overall stage changes or a critical rule starts firing.
# [notify.email]
# host = "smtp.example.org"
# port = 587
# security = "starttls"          # starttls | ssl | none
# from = "monitor@example.org"
# to = ["risk-team@example.org"]
# username = "monitor"
# password_env = "MONITOR_SMTP_PASSWORD"

# [notify.webhook]               # JSON POST with a Slack-compatible "text" field
# url_env = "MONITOR_WEBHOOK_URL"  # or url = "https://..." when the URL holds no secret
# token_env = "MONITOR_WEBHOOK_TOKEN"  # optional: sent as "Authorization: Bearer ..."

# [notify.teams]                 # an Adaptive Card to a Teams Workflows webhook
# url_env = "MONITOR_TEAMS_URL"  # the Workflows URL is signed: only from the environment

# Message text may be reworded per target with *_template keys (Jinja2 sandbox),
# e.g. subject_template = "{{ case }}: stage {{ stage }}"; see docs/deployment.md.

# [heartbeat]                    # pinged after every run (URL + "/fail" when a run failed)
# url_env = "MONITOR_HEARTBEAT_URL"  # or url = "https://hc-ping.com/<uuid>"
"""


def _config(config_path: Path | None, required: bool = True) -> Config:
    from monitor.ops.config import CONFIG_NAME, Config, ConfigError, find_config

    try:
        config = find_config(config_path)
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(1)
    if config is None:
        if required:
            click.echo(
                f"error: no {CONFIG_NAME} here; run `monitor init` or pass --config FILE", err=True
            )
            sys.exit(1)
        return Config(path=Path.cwd() / CONFIG_NAME)
    return config


def register(main: click.Group) -> None:
    """Attach the scheduling commands to the top-level group."""
    for command in (init, schedule, runs, notify):
        main.add_command(command)


@click.command()
@click.option("--force", is_flag=True, help="Overwrite an existing monitor.toml.")
def init(force: bool) -> None:
    """Write a commented monitor.toml into the current folder."""
    from monitor.core.atomic import write_text
    from monitor.ops.config import CONFIG_NAME

    target = Path.cwd() / CONFIG_NAME
    if target.exists() and not force:
        click.echo(f"error: {target} exists (use --force to overwrite)", err=True)
        sys.exit(1)
    write_text(target, TEMPLATE)
    click.echo(f"wrote {target}; try `monitor schedule --list`, then `monitor schedule --run-now`")


@click.command()
@CONFIG_OPTION
@click.option("--run-now", is_flag=True, help="Also run every schedule once at start.")
@click.option("--list", "list_only", is_flag=True, help="Print the next fire times and exit.")
def schedule(config_path: Path | None, run_now: bool, list_only: bool) -> None:
    """Run the scheduler in the foreground (stop with SIGTERM or Ctrl-C)."""
    config = _config(config_path)
    if not config.schedules:
        click.echo(f"error: {config.path}: no [[schedule]] tables", err=True)
        sys.exit(1)
    if list_only:
        _list(config)
        return
    from monitor.ops.lock import AlreadyRunning
    from monitor.ops.notify import secrets
    from monitor.ops.scheduler import serve, setup_logging

    setup_logging(hidden=secrets(config))
    try:
        code = serve(config, run_now=run_now)
    except AlreadyRunning as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    sys.exit(code)


def _list(config: Config) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from monitor.ops.scheduler import stored_next_run_times
    from monitor.ops.triggers import build_trigger, next_fire_times

    now = datetime.now(ZoneInfo(config.timezone))
    stored = stored_next_run_times(config)
    for sched in config.schedules:
        trigger = build_trigger(sched, config.timezone)
        times = [t.isoformat(sep=" ") for t in next_fire_times(trigger, now)]
        click.echo(
            f"{sched.id}: {sched.describe()} [{config.timezone}] cases: {', '.join(sched.cases)}"
        )
        pending = stored.get(sched.id)
        if pending is not None and pending <= now:
            click.echo(f"  missed run due at {pending.isoformat(sep=' ')} runs once on start")
        for t in times:
            click.echo(f"  next: {t}")


@click.command()
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option(
    "--check",
    is_flag=True,
    help="Exit 1 when the last successful run is older than --max-age (for outside monitors).",
)
@click.option(
    "--max-age",
    "max_age",
    default="2d",
    show_default=True,
    metavar="DURATION",
    help="With --check: how old the last successful run may be (90d, 2w, 1mo, 2d).",
)
def runs(config_path: Path | None, as_json: bool, limit: int, check: bool, max_age: str) -> None:
    """List recorded runs, newest first; with --check, judge whether the monitor is alive."""
    from monitor.core.durations import parse_duration
    from monitor.ops.health import check_last_success
    from monitor.ops.runhistory import RunStore

    config = _config(config_path, required=False)
    store = RunStore(config.store)
    if check:
        try:
            limit_age = parse_duration(max_age)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--max-age") from None
        health = check_last_success(store, limit_age)
        click.echo(health.message, err=not health.ok)
        sys.exit(0 if health.ok else 1)
    rows = store.recent(limit)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("no runs recorded yet")
    for row in rows:
        click.echo(_row_line(row))


def _row_line(row: dict[str, Any]) -> str:
    stage = "-" if row["stage"] is None else row["stage"]
    score = "-" if row["score"] is None else f"{row['score']:.1f}"
    firing = len(row["firing"] or [])
    line = (
        f"#{row['id']:<4} {row['started']}  {row['status']:<8} {row['case']:<14} "
        f"stage {stage} score {score:>5} firing {firing:<2} {row['job_id']}"
    )
    if row["report"]:
        line += f"  {row['report']}"
    for error in (row["errors"] or [])[:3]:
        line += f"\n      ! {error.splitlines()[0]}"
    for note in row["notifications"] or []:
        if not note.get("ok"):
            line += f"\n      ! {note.get('channel')} notification failed: {note.get('error')}"
    return line


@click.command()
@CONFIG_OPTION
@click.option(
    "--test",
    "send_test",
    is_flag=True,
    required=True,
    help="Send a test message to every configured target.",
)
def notify(config_path: Path | None, send_test: bool) -> None:
    """Send a test notification (email, webhook and/or Teams from the config)."""
    from monitor.ops.notify import probe_message, send_all

    config = _config(config_path)
    if not config.has_targets():
        click.echo(
            "error: no [notify.email], [notify.webhook] or [notify.teams] configured", err=True
        )
        sys.exit(1)
    deliveries = send_all(config, probe_message())
    for d in deliveries:
        state = "ok" if d.ok else f"FAILED: {d.error}"
        click.echo(f"{d.channel}: {state} ({d.attempts} attempt(s))")
    sys.exit(0 if all(d.ok for d in deliveries) else 1)
