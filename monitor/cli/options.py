"""Options shared by several commands, defined once so their help stays the same."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

PLUGINS = click.option(
    "--plugins",
    "plugin_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Folder of extra indicator modules (repeatable).",
)

CONFIG = click.option(
    "--config",
    "config_path",
    default=None,
    type=click.Path(path_type=Path),
    help="Config file (default: monitor.toml in the current folder, if any).",
)


def rule_dirs_option(verb: str) -> Any:
    """``--rules DIR ...``: the rule folders to ``verb`` instead of the bundled set."""
    return click.option(
        "--rules",
        "rule_dirs",
        multiple=True,
        type=click.Path(path_type=Path),
        help=f"Rule folder or file to {verb} instead of the bundled set (repeatable).",
    )


EXIT_ERROR = 1


def fail(message: str) -> None:
    """Print a one-line error (no traceback) and exit 1."""
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_ERROR)
