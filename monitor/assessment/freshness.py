"""Data freshness: how far the data is behind today and which inputs are overdue.

Each series has an expected frequency and publication lag (``publication_lag_days``
in the case, else the usual lag of its frequency). Its next value is due one period
after the last one plus that lag; a series is stale once the evaluation date is past
that due date by more than a small grace for release-day jitter. Announcements
(``frequency: event``) are never due. A decision series (``decision: true``, a policy
target) keeps its value until a decision changes it, so its age is counted from when
its source was last checked, not from the last change; for a bundled snapshot that is
the snapshot's own date (the case's ``as_of`` or its newest publication), for a
store-backed case the last successful check of its source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from monitor.core.plaindata import iso_date
from monitor.data.case import Case

PERIOD_DAYS = {
    "daily": 1,
    "weekly": 7,
    "monthly": 31,
    "quarterly": 92,
    "annual": 366,
    "fiscal-annual": 366,
}
# usual gap between the end of a period and its first publication, where a case gives none
DEFAULT_LAG_DAYS = {
    "daily": 1,
    "weekly": 7,
    "monthly": 35,
    "quarterly": 45,  # a 10-Q is due 40-45 days after the quarter
    "annual": 90,  # a 10-K is due 60-90 days after the year
    "fiscal-annual": 90,
}
# slack for release days that move (holidays, weekends, a delayed report)
GRACE_DAYS = {
    "daily": 4,
    "weekly": 4,
    "monthly": 10,
    "quarterly": 30,
    "annual": 60,
    "fiscal-annual": 60,
}
DECISION_STALE_AFTER_DAYS = 14  # a decision source unchecked for two weeks may miss one


@dataclass(frozen=True)
class Freshness:
    """The data behind one assessment, against the day it is made."""

    data_as_of: str | None  # the newest publication used
    days_behind_today: int | None
    today: str
    stale_inputs: int
    line: str  # the sentence the summary and the report headline lead with


def lag_days(meta: dict[str, Any]) -> int | None:
    """The series' publication lag: the case's, else the usual one for its frequency."""
    lag = meta.get("publication_lag_days")
    if isinstance(lag, int) and not isinstance(lag, bool):
        return lag
    return DEFAULT_LAG_DAYS.get(str(meta.get("frequency", "")))


def snapshot_checked(case: Case, known: pd.DataFrame, as_of: pd.Timestamp) -> pd.Timestamp:
    """When a bundled snapshot's sources were last looked at, as seen at ``as_of``.

    The snapshot's date is its declared ``as_of`` or its newest publication, whichever
    is later; evaluating an earlier date, the sources count as checked that day.
    """
    newest = known["published"].max() if not known.empty else as_of
    return min(as_of, max(case.as_of, newest))


def _checked(
    case: Case,
    series: str,
    snapshot: pd.Timestamp,
    last_published: pd.Timestamp,
    as_of: pd.Timestamp,
) -> pd.Timestamp:
    """When a decision series was last known to be current, as seen at ``as_of``.

    A store-backed case knows when each source last answered; a series whose source
    never answered (or only failed) counts from its last publication, so a source that
    is down shows as stale instead of passing for checked today.
    """
    if not case.live:
        return snapshot
    seen = case.checked.get(series, last_published)
    return min(as_of, seen)


def series_freshness(case: Case, as_of: pd.Timestamp) -> list[dict[str, Any]]:
    """Per series and entity: the latest period known at ``as_of``, its age and staleness."""
    frame = case.observations
    known = frame[frame["published"] <= as_of]
    if known.empty:
        return []
    checked = snapshot_checked(case, known, as_of)
    last = known.groupby(["series", "entity"]).agg(
        last_date=("date", "max"), last_published=("published", "max"), source=("source", "last")
    )
    out = []
    for (series, entity), row in last.iterrows():
        meta = case.series.get(str(series), {})
        frequency = str(meta.get("frequency", ""))
        lag = lag_days(meta)
        due = None
        seen: pd.Timestamp | None = None
        if meta.get("decision") is True:
            seen = _checked(case, str(series), checked, row.last_published, as_of)
            age = int((as_of - seen).days)
            stale = age > DECISION_STALE_AFTER_DAYS
        else:
            age = int((as_of - row.last_published).days)
            period = PERIOD_DAYS.get(frequency)
            if period is not None and lag is not None:
                due = row.last_date + pd.Timedelta(days=period + lag)
                stale = as_of > due + pd.Timedelta(days=GRACE_DAYS[frequency])
            else:
                stale = False
        out.append(
            {
                "series": str(series),
                "entity": str(entity),
                "last_date": iso_date(row.last_date),
                "last_published": iso_date(row.last_published),
                "age_days": age,
                "stale": bool(stale),
                "source": str(row.source),
                "title": str(meta.get("title", series)),
                "frequency": frequency,
                "lag_days": lag,
                "next_due": iso_date(due),
                "checked": iso_date(seen) if meta.get("decision") is True else None,
            }
        )
    return out


def summarise(
    case: Case, as_of: pd.Timestamp, today: pd.Timestamp, data: list[dict[str, Any]]
) -> Freshness:
    """The newest publication used, its distance to today and the stale count, in words."""
    frame = case.observations
    known = frame[frame["published"] <= as_of]
    newest = None if known.empty else pd.Timestamp(known["published"].max())
    stale = sum(1 for d in data if d["stale"])
    inputs = f"{stale} input{'' if stale == 1 else 's'} stale"
    if newest is None:
        return Freshness(None, None, iso_date(today) or "", stale, f"no data as of {as_of.date()}")
    behind = int((today - newest).days)
    if behind > 0:
        gap = f"{behind} day{'' if behind == 1 else 's'} before today"
    elif behind == 0:
        gap = "published today"
    else:
        gap = f"{-behind} day{'' if behind == -1 else 's'} after today"
    line = f"data as of {newest.date().isoformat()}, {gap}; {inputs}"
    return Freshness(iso_date(newest), behind, iso_date(today) or "", stale, line)
