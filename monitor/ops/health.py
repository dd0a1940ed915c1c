"""Is the monitor itself alive? The last successful run, judged against a maximum age.

An outside monitor (cron, a healthchecks service, Nagios) runs ``monitor runs --check``
and alerts on a non-zero exit: a daemon that died, or whose runs all fail, stops
recording successful runs, and that is what this check sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from monitor.core.durations import Duration
from monitor.ops.runhistory import RunStore


@dataclass(frozen=True)
class Health:
    ok: bool
    message: str


def check_last_success(store: RunStore, max_age: Duration, now: datetime | None = None) -> Health:
    """Healthy when the newest successful run finished no longer than ``max_age`` ago."""
    now = now or datetime.now(UTC)
    last = store.last_success()
    if last is None:
        return Health(False, "no successful run recorded")
    finished = pd.Timestamp(last["finished"])
    if finished.tzinfo is None:
        finished = finished.tz_localize(UTC)
    oldest = pd.Timestamp(now) - max_age.offset()
    age_hours = (pd.Timestamp(now) - finished).total_seconds() / 3600
    what = f"last successful run #{last['id']} ({last['case']}) finished {last['finished']}"
    if finished < oldest:
        return Health(False, f"stale: {what}, {age_hours:.1f} h ago, more than {max_age}")
    return Health(True, f"ok: {what}, {age_hours:.1f} h ago (limit {max_age})")
