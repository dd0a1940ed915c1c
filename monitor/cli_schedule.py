"""Scheduled operation commands: init, schedule, runs, notify."""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    """Attach the scheduling commands to the top-level group."""
