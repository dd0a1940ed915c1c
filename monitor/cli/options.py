"""Options shared by several commands, defined once so their help stays the same."""

from __future__ import annotations

import sys
from pathlib import Path

import click

PLUGINS = click.option(
    "--plugins",
    "plugin_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Folder of extra indicator modules (repeatable).",
)

EXIT_ERROR = 1


def fail(message: str) -> None:
    """Print a one-line error (no traceback) and exit 1."""
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_ERROR)
