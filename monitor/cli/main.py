"""The ``monitor`` command line.

Heavy imports (pandas, pandera, matplotlib) happen inside the commands, never at
module level, so ``monitor --help`` answers instantly.
"""

from __future__ import annotations

import click

from monitor.cli.backtest import backtest
from monitor.cli.data import data
from monitor.cli.fred import fred
from monitor.cli.indicators import indicators
from monitor.cli.rules import rules
from monitor.cli.run import run
from monitor.cli.schedule import register as register_schedule
from monitor.cli.silence import silence


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="bubble-monitor", prog_name="monitor")
def main() -> None:
    """Early-warning monitor for investment bubbles.

    Evaluates rule files that encode the three stages of the 2000 telecom bust
    against indicator series, point in time, and writes HTML and JSON reports.
    """


def _register_commands() -> None:
    """Each command (group) lives in its own module; each imports only click at load."""
    main.add_command(run)
    main.add_command(backtest)
    main.add_command(indicators)
    main.add_command(fred)
    main.add_command(data)
    main.add_command(rules)
    register_schedule(main)
    main.add_command(silence)


_register_commands()
