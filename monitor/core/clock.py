"""Today's date, in one place, so runs and tests can pin it.

Freshness ("data as of 2026-08-07, 116 days before today") depends on the day a run
happens. ``MONITOR_TODAY`` (an ISO date) pins that day: tests set it so no test
depends on the day it runs, and a re-run of an archived report can state the day it
was first made. Without it, today is the current UTC date.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pandas as pd

from monitor.core.errors import MonitorError

ENV = "MONITOR_TODAY"


def today() -> pd.Timestamp:
    """Midnight of today (UTC), or of the date ``MONITOR_TODAY`` names."""
    pinned = os.environ.get(ENV, "").strip()
    if pinned:
        try:
            stamp = pd.Timestamp(pinned)
        except (ValueError, TypeError) as exc:
            raise MonitorError(f"{ENV}={pinned!r} is not an ISO date") from exc
        if pd.isna(stamp):
            raise MonitorError(f"{ENV}={pinned!r} is not an ISO date")
        return stamp.normalize()
    return pd.Timestamp(datetime.now(UTC).date())
