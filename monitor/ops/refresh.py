"""Refreshing the store from configured sources: one path for `monitor data fetch` and
for a scheduled run of a store-backed case.

A source that fails (after the retries of ``monitor.core.retry`` inside its fetcher)
is recorded as failed in the store's source checks and reported; the stored data stays
as it was, and the other sources still run. A changed value in today's answer is a
revision known today (a new vintage), never an overwrite.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from monitor.core.clock import today
from monitor.core.errors import MonitorError
from monitor.data.store import ObservationStore
from monitor.ops.sourceconfig import SourceConfig


@dataclass
class Refreshed:
    """What asking one source did."""

    source: str
    ok: bool
    added: int = 0
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)
    bad_rows: int = 0
    error: str = ""

    def line(self) -> str:
        if not self.ok:
            return f"{self.source}: {self.error}"
        return (
            f"{self.source}: {self.added} added, {self.unchanged} already stored, "
            f"{len(self.conflicts)} conflicting, {self.bad_rows} bad row(s)"
        )


def refresh_source(
    store: ObservationStore, source: SourceConfig, since: pd.Timestamp | None = None
) -> Refreshed:
    """Fetch one source into ``store`` and record the check (``ok`` or ``failed``)."""
    try:
        observations = source.build().fetch(since)
        # a changed value in today's answer is a revision known today
        result = store.add(observations, source.name, revised_on=today())
    except MonitorError as exc:
        store.checked(source.name, "failed", str(exc))
        return Refreshed(source.name, False, error=str(exc))
    store.checked(source.name)
    return Refreshed(
        source.name,
        True,
        result.added,
        result.unchanged,
        list(result.conflicts),
        len(observations.bad_rows),
    )
