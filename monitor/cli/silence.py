"""``monitor silence add / list / expire``: quiet an alert the desk has seen.

Silences are stored in the run history's database (the config's ``store``), so the
daemon sees them at its next run without a restart. Only click loads at import time.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from monitor.cli.schedule import CONFIG_OPTION, _config

if TYPE_CHECKING:
    from monitor.ops.config import Config
    from monitor.ops.silences import Silence, SilenceStore


@click.group()
def silence() -> None:
    """Silence an alert until a date: it stays in the report but notifies nobody."""


def _store(config: Config) -> SilenceStore:
    from monitor.core.database import make_engine
    from monitor.ops.silences import SilenceStore

    return SilenceStore(make_engine(config.store))


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _known(config: Config) -> tuple[set[str], set[str]]:
    """Rule ids of the configured rule set, entities of the configured cases."""
    from monitor.data.case import load_case
    from monitor.indicator.registry import load_registry
    from monitor.pipeline import load_ruleset

    ruleset = load_ruleset(load_registry(config.plugins), config.rules)
    entities: set[str] = set()
    for name in config.cases:
        case = load_case(name)
        entities |= set(case.entities)
        entities |= {str(e) for e in case.observations["entity"].unique()}
    return {r.id for r in ruleset.rules}, entities


@silence.command()
@click.argument("target", metavar="RULE[:ENTITY]")
@click.option(
    "--until",
    "until",
    required=True,
    metavar="DATE",
    help="First day it notifies again (YYYY-MM-DD, after today).",
)
@click.option("--reason", required=True, help="Why the alert is silenced (shown in the report).")
@click.option(
    "--by", "by", default=None, help="Who silences it. [default: $MONITOR_USER, else the login]"
)
@CONFIG_OPTION
def add(target: str, until: str, reason: str, by: str | None, config_path: Path | None) -> None:
    """Silence RULE (every entity) or RULE:ENTITY until DATE."""
    from monitor.core.errors import MonitorError
    from monitor.core.terminal import safe
    from monitor.ops.silences import (
        check_target,
        current_user,
        parse_target,
        parse_until,
        today_date,
    )

    config = _config(config_path, required=False)
    try:
        rule, entity = parse_target(target)
        day = parse_until(until, today_date())
        if not reason.strip():
            _fail("--reason is empty: say why the alert is silenced")
        rules, entities = _known(config)
        check_target(rule, entity, rules, entities)
        made = _store(config).add(rule, entity, day, reason, by or current_user())
    except MonitorError as exc:
        _fail(str(exc))
        return
    click.echo(safe(f"silence #{made.id}: {made.target} until {made.until} ({made.reason})"))


@silence.command(name="list")
@click.option("--all", "show_all", is_flag=True, help="Also list expired and ended silences.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@CONFIG_OPTION
def list_(show_all: bool, as_json: bool, config_path: Path | None) -> None:
    """List active silences (with --all, every silence ever added)."""
    from monitor.core.terminal import safe
    from monitor.ops.silences import today_date

    config = _config(config_path, required=False)
    on = today_date()
    found = [s for s in _store(config).all() if show_all or s.active(on)]
    if as_json:
        click.echo(json.dumps([{**s.as_dict(), "status": s.status(on)} for s in found], indent=2))
        return
    if not found:
        click.echo("no active silences" if not show_all else "no silences recorded")
    for s in found:
        click.echo(safe(_line(s, on)))


def _line(s: Silence, on: date) -> str:
    line = (
        f"#{s.id:<4} {s.status(on):<8} {s.target}  until {s.until}  "
        f"by {s.created_by} at {s.created}: {s.reason}"
    )
    if s.expired:
        line += f"  (expired by {s.expired_by} at {s.expired})"
    return line


@silence.command()
@click.argument("silence_id", metavar="ID", type=int)
@click.option(
    "--by", "by", default=None, help="Who expires it. [default: $MONITOR_USER, else the login]"
)
@CONFIG_OPTION
def expire(silence_id: int, by: str | None, config_path: Path | None) -> None:
    """End silence ID now: the next run notifies the alert again if it still fires."""
    from monitor.core.errors import MonitorError
    from monitor.core.terminal import safe
    from monitor.ops.silences import current_user, today_date

    config = _config(config_path, required=False)
    try:
        done = _store(config).expire(silence_id, by or current_user(), today_date())
    except MonitorError as exc:
        _fail(str(exc))
        return
    click.echo(safe(f"silence #{done.id} ({done.target}) expired"))
