"""``monitor run --reproduce RUN_ID``: the command side of :mod:`monitor.ops.reproduce`."""

from __future__ import annotations

from typing import Any

import click

from monitor.cli.options import fail


def reproduce_run(config: Any, run_id: int) -> None:
    """Print whether run ``run_id`` reproduces; exit 1 (with the differences) if not."""
    from monitor.core.errors import MonitorError
    from monitor.ops.reproduce import reproduce

    if config is None:
        fail("--reproduce reads the run history of a monitor.toml: pass --config or run it here")
    try:
        outcome = reproduce(config, run_id)
    except (MonitorError, ValueError) as exc:
        fail(str(exc))
        return
    for line in outcome.lines():
        click.echo(line)
    if not outcome.matches:
        raise SystemExit(1)
