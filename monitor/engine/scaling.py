"""How an evaluation scales: entities per chunk, and where the chunks run.

One setting for the whole run, so the commands that evaluate (``monitor run``,
``monitor backtest``) take the same three options and the pipeline reads them here
instead of threading them through every call: :func:`use` sets them for a block,
:func:`current` is what is in force (the defaults outside any block). Importing this
module imports no pandas, so ``monitor --help`` can show the default chunk size.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

DEFAULT_CHUNK_SIZE = 250  # entities per chunk: about 0.1 GB for 40 rules over 30 years daily


@dataclass(frozen=True)
class Scaling:
    """``chunk_size`` entities per chunk; chunks on ``workers`` local Dask processes,
    on the Dask scheduler at ``scheduler``, or (neither given) in this process."""

    chunk_size: int = DEFAULT_CHUNK_SIZE
    workers: int | None = None
    scheduler: str | None = None

    def __post_init__(self) -> None:
        if self.chunk_size < 1:
            raise ValueError(f"chunk size must be at least 1, not {self.chunk_size}")
        if self.workers is not None and self.workers < 1:
            raise ValueError(f"workers must be at least 1, not {self.workers}")
        if self.workers is not None and self.scheduler is not None:
            raise ValueError("give workers (a local cluster) or a scheduler address, not both")

    @property
    def distributed(self) -> bool:
        return self.workers is not None or self.scheduler is not None


_CURRENT: ContextVar[Scaling | None] = ContextVar("scaling", default=None)


def current() -> Scaling:
    return _CURRENT.get() or Scaling()


@contextmanager
def use(scaling: Scaling) -> Iterator[Scaling]:
    token = _CURRENT.set(scaling)  # a frozen value: every reader sees the same
    try:
        yield scaling
    finally:
        _CURRENT.reset(token)
