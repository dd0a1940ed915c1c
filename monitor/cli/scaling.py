"""``--chunk-size``, ``--workers``, ``--scheduler``: how ``run`` and ``backtest`` scale.

One decorator adds the three options and runs the command with them in force
(:mod:`monitor.engine.scaling`), so a command only gains a line.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from monitor.engine.scaling import DEFAULT_CHUNK_SIZE


def scaling_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the scaling options to ``command`` and evaluate under them."""

    @functools.wraps(command)
    def wrapper(
        *args: Any,
        chunk_size: int | None,
        workers: int | None,
        scheduler: str | None,
        **kwargs: Any,
    ) -> Any:
        from monitor.engine.scaling import Scaling, use

        try:
            scaling = Scaling(chunk_size or DEFAULT_CHUNK_SIZE, workers, scheduler)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
        if chunk_size is None and workers is None and scheduler is None:
            scaling = _from_config(kwargs.get("config_path"), scaling)
        with use(scaling):
            return command(*args, **kwargs)

    options = [
        click.option(
            "--chunk-size",
            type=click.IntRange(min=1),
            default=None,
            help="Entities evaluated together; memory follows the chunk, not the universe. "
            f"[default: {DEFAULT_CHUNK_SIZE}]",
        ),
        click.option(
            "--workers",
            type=click.IntRange(min=1),
            default=None,
            help="Run the chunks on a local Dask cluster of N worker processes (the dask extra).",
        ),
        click.option(
            "--scheduler",
            metavar="ADDRESS",
            default=None,
            help="Run the chunks on the Dask scheduler at ADDRESS, e.g. "
            "tcp://10.0.0.5:8786 (the dask extra; workers need only this package).",
        ),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def _from_config(config_path: Any, fallback: Any) -> Any:
    """The config's ``chunk_size``/``workers``/``scheduler`` when no option was given.

    A broken config is left to the command, which reports it with every problem.
    """
    from monitor.ops.config import ConfigError, find_config, scaling_of

    try:
        config = find_config(config_path)
    except ConfigError:
        return fallback
    return scaling_of(config) if config is not None else fallback
