"""Options shared by several commands, defined once so their help stays the same."""

from __future__ import annotations

from pathlib import Path

import click

PLUGINS = click.option(
    "--plugins",
    "plugin_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Folder of extra indicator modules (repeatable).",
)
