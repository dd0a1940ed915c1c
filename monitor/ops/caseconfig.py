"""``[[case]]`` tables of monitor.toml: store-backed cases, judged today on live data.

```toml
[monitor]
store = "sqlite:///monitor.db"        # the store the case reads (and its sources fill)
cases = ["ai-live"]                   # what `monitor run` and schedules run by default

[[case]]
name = "ai-live"                      # letters, digits, '.', '_', '-'; names report files
title = "AI cycle on live data"
description = "FRED macro series refreshed before every scheduled run."
sources = ["fred"]                    # [[source]] names refreshed first [default: all]
entities = {US = {name = "United States"}}
episodes = [{id = "dotcom", onset = 2000-03-10, end = 2002-10-09, title = "Dot-com bust"}]
crisis_events = [{date = 2001-03-01, title = "Recession begins", source = "NBER"}]

[case.series]                         # the series the case reads, as in case.yaml
fed_funds_effective = {unit = "%", frequency = "monthly", publication_lag_days = 32}
payrolls = {from = "payems", unit = "k persons", frequency = "monthly"}
fomc_target_upper = {unit = "%", frequency = "event", decision = true}
```

A series' keys are those of ``case.yaml`` (title, unit, frequency, kind,
publication_lag_days, decision, source, note, history) plus ``from``, the stored series
it is read from when the names differ. Bundled cases stay folders of files; a
``[[case]]`` may not take a bundled case's name (one name, one meaning).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from monitor.data.case import (
    EPISODE_KEYS,
    NAME_PATTERN,
    SERIES_KEYS,
    CrisisEvent,
    Episode,
    bundled_names,
)
from monitor.data.storecase import StoreCaseSpec

CASE_TABLE_KEYS = {
    "name", "title", "description", "sources", "entities", "series", "crisis_events",
    "episodes",
}  # fmt: skip
STORE_SERIES_KEYS = SERIES_KEYS | {"from"}
TEXT_SERIES_KEYS = ("unit", "source", "title", "frequency", "kind", "note", "from")
T = "case"


def _date(value: Any) -> pd.Timestamp | None:
    """A TOML date (``2000-03-10``) or an ISO date string."""
    if isinstance(value, dt.date):
        return pd.Timestamp(value.isoformat()[:10])
    if not isinstance(value, str):
        return None
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        return None
    return None if pd.isna(stamp) else stamp


def parse_cases(
    check: Any, tables: Any, source_names: list[str], path: Path
) -> list[StoreCaseSpec]:
    """The ``[[case]]`` tables; every problem is reported through ``check`` (config's)."""
    if not isinstance(tables, list):
        check.error(None, "case", "declare store-backed cases as [[case]] tables (docs/store.md)")
        return []
    out: list[StoreCaseSpec] = []
    bundled = set(bundled_names())
    for i, table in enumerate(tables):
        if not isinstance(table, dict):
            check.error(None, "case", "declare store-backed cases as [[case]] tables")
            continue
        spec = _case(check, table, i, source_names, bundled, path)
        if spec is not None:
            out.append(spec)
    names = [c.name for c in out]
    for i, name in enumerate(names):
        if name in names[:i]:
            check.error(T, "name", f"duplicate case name {name!r}", i)
    return out


def _case(
    check: Any,
    table: dict[str, Any],
    i: int,
    source_names: list[str],
    bundled: set[str],
    path: Path,
) -> StoreCaseSpec | None:
    check.unknown(table, CASE_TABLE_KEYS, T, i)
    name = check.get(table, "name", str, T, None, i)
    if not name or not NAME_PATTERN.match(name):
        check.error(T, "name", "required: letters, digits, '.', '_' or '-' (names reports)", i)
        name = None
    elif name in bundled:
        check.error(T, "name", f"{name!r} is a bundled case (a folder); choose another name", i)
    sources = check.strings(table, "sources", T, list(source_names), i)
    for source in sources:
        if source not in source_names:
            known = ", ".join(source_names) or "none declared"
            check.error(T, "sources", f"no [[source]] named {source!r} ({known})", i)
    series = _series(check, table.get("series"), i)
    entities = check.get(table, "entities", dict, T, {}, i)
    if not all(isinstance(v, dict) for v in entities.values()):
        check.error(T, "entities", 'each entity is a table such as {name = "NVIDIA"}', i)
        entities = {}
    events = _events(check, check.get(table, "crisis_events", list, T, [], i), i)
    episodes = _episodes(check, check.get(table, "episodes", list, T, [], i), i)
    if name is None or series is None:
        return None
    return StoreCaseSpec(
        name=name,
        title=str(check.get(table, "title", str, T, name, i)),
        description=str(check.get(table, "description", str, T, "", i)).strip(),
        series=series,
        sources=sources,
        entities={str(k): dict(v) for k, v in entities.items()},
        crisis_events=events,
        episodes=episodes,
        origin=path,
    )


def _series(check: Any, series: Any, i: int) -> dict[str, dict[str, Any]] | None:
    if not isinstance(series, dict) or not series:
        check.error(
            T, "series", "name the series the case reads: [case.series] x = {unit = ...}", i
        )
        return None
    out: dict[str, dict[str, Any]] = {}
    for series_id, spec in series.items():
        if not isinstance(spec, dict):
            check.error(T, "series", f"series {series_id!r} must be a table {{unit = ...}}", i)
            continue
        for key in sorted(set(spec) - STORE_SERIES_KEYS):
            allowed = ", ".join(sorted(STORE_SERIES_KEYS))
            check.error(T, "series", f"series {series_id!r}: unknown key {key!r} ({allowed})", i)
        lag = spec.get("publication_lag_days")
        if lag is not None and (isinstance(lag, bool) or not isinstance(lag, int) or lag < 0):
            check.error(
                T, "series", f"series {series_id!r}: publication_lag_days must be a whole "
                "number >= 0", i,
            )  # fmt: skip
        for flag in ("history", "decision"):
            if flag in spec and not isinstance(spec[flag], bool):
                check.error(T, "series", f"series {series_id!r}: {flag} must be true or false", i)
        for key in TEXT_SERIES_KEYS:
            if key in spec and not isinstance(spec[key], str):
                check.error(T, "series", f"series {series_id!r}: {key} must be text", i)
        out[str(series_id)] = dict(spec)
    stored = [str(s.get("from", k)) for k, s in out.items()]
    for name in sorted({s for s in stored if stored.count(s) > 1}):
        check.error(T, "series", f"stored series {name!r} is read twice", i)
    return out


def _events(check: Any, events: list[Any], i: int) -> list[CrisisEvent]:
    out = []
    for event in events:
        when = _date(event.get("date")) if isinstance(event, dict) else None
        if when is None or not isinstance(event.get("title"), str):
            check.error(T, "crisis_events", 'each event is {date = 2001-03-01, title = "..."}', i)
            continue
        out.append(CrisisEvent(when, str(event["title"]), str(event.get("source", ""))))
    return out


def _episodes(check: Any, episodes: list[Any], i: int) -> list[Episode]:
    out: list[Episode] = []
    for episode in episodes:
        if not isinstance(episode, dict):
            check.error(T, "episodes", "each episode is {id, onset, end, title, source}", i)
            continue
        for key in sorted(set(episode) - EPISODE_KEYS):
            allowed = ", ".join(sorted(EPISODE_KEYS))
            check.error(T, "episodes", f"episode: unknown key {key!r} ({allowed})", i)
        ident = episode.get("id")
        onset, end = _date(episode.get("onset")), _date(episode.get("end"))
        if not isinstance(ident, str) or not NAME_PATTERN.match(ident):
            check.error(
                T, "episodes", "an episode needs an id of letters, digits, '.', '_', '-'", i
            )
            continue
        if ident in {e.id for e in out}:
            check.error(T, "episodes", f"duplicate episode {ident!r}", i)
            continue
        if onset is None or end is None:
            check.error(T, "episodes", f"episode {ident!r}: onset and end must be dates", i)
            continue
        if end < onset:
            check.error(T, "episodes", f"episode {ident!r}: end is before its onset", i)
            continue
        title, source = episode.get("title", ""), episode.get("source", "")
        out.append(Episode(ident, onset, end, str(title), str(source)))
    return out
