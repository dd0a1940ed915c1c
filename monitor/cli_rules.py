"""``monitor rules ...``: authoring tools for rule files (check, test, list, explain, new)."""

from __future__ import annotations

import click


@click.group()
def rules() -> None:
    """Check, test, list and explain rule files."""
