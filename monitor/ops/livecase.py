"""Running a store-backed case: which sources feed it, refreshing them, loading it.

A scheduled run of a ``[[case]]`` refreshes the case's sources first, through the
same code as ``monitor data fetch`` (:func:`monitor.ops.refresh.refresh_source`). A
source that fails after its retries does not stop the run: the case is judged on the
stored data and the failure travels with the run (its source, the redacted error and
the series it feeds), so the history, the JSON and the report say the run is degraded
and name what could not be brought up to date.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from monitor.core.redaction import redact
from monitor.data.case import Case
from monitor.data.store import ObservationStore
from monitor.data.storecase import StoreCaseSpec, load_store_case
from monitor.ops.config import Config
from monitor.ops.notify import secrets
from monitor.ops.refresh import refresh_source
from monitor.ops.sourceconfig import SourceConfig

SECRET_ENV = ("FRED_API_KEY", "MONITOR_DB_PASSWORD")  # the sources' and the store's own


@dataclass
class LiveCase:
    """A store-backed case loaded for a run, and the sources that failed to refresh."""

    case: Case
    failed: list[dict[str, Any]] = field(default_factory=list)


def store_case(config: Config | None, name: str) -> StoreCaseSpec | None:
    """The ``[[case]]`` called ``name``, if the config declares one."""
    if config is None:
        return None
    return next((c for c in config.store_cases if c.name == name), None)


def case_for(config: Config | None, name: str) -> str | Case:
    """A store-backed case loaded from the store as it is now, else the name unchanged
    (a bundled case or a folder, loaded by the pipeline)."""
    spec = store_case(config, name)
    if spec is None or config is None:
        return name
    return load_live(config, spec, ObservationStore(config.store))


def case_sources(config: Config, spec: StoreCaseSpec) -> list[SourceConfig]:
    return [s for s in config.sources if s.name in spec.sources]


def series_sources(
    config: Config, spec: StoreCaseSpec, store: ObservationStore
) -> dict[str, list[str]]:
    """Case series -> the names of the case's sources that feed it.

    A FRED or file source names its series in the config; a facts file names them in
    the file, so they are found by the origin its rows were stored under.
    """
    origins = store.series_by_origin()
    out: dict[str, list[str]] = {}
    for source in case_sources(config, spec):
        fed = set(source.series_ids()) | origins.get(source.name, set())
        for series in spec.series:
            if spec.stored_name(series) in fed:
                out.setdefault(series, []).append(source.name)
    return out


def checked_times(
    config: Config, spec: StoreCaseSpec, store: ObservationStore
) -> dict[str, pd.Timestamp]:
    """Case series -> the day its sources last all answered (a failed check counts not)."""
    out: dict[str, pd.Timestamp] = {}
    for series, names in series_sources(config, spec, store).items():
        days = []
        for name in names:
            last = store.last_checked(name)
            if last is None or last["status"] != "ok":
                break
            days.append(pd.Timestamp(last["checked"]).tz_localize(None).normalize())
        else:
            if days:
                out[series] = min(days)
    return out


def load_live(
    config: Config,
    spec: StoreCaseSpec,
    store: ObservationStore,
    upto_id: int | None = None,
    checked: dict[str, pd.Timestamp] | None = None,
) -> Case:
    """The case from the store (as it stood at row ``upto_id`` when given)."""
    known = checked if checked is not None else checked_times(config, spec, store)
    return load_store_case(spec, store, known, upto_id)


def refresh_and_load(config: Config, spec: StoreCaseSpec) -> LiveCase:
    """Refresh the case's sources, then load it; a failed source degrades, never stops."""
    store = ObservationStore(config.store)
    fed = series_sources(config, spec, store)
    failed = []
    for source in case_sources(config, spec):
        outcome = refresh_source(store, source)
        if not outcome.ok:
            failed.append(
                {
                    "source": source.name,
                    "error": redact(outcome.error, _secrets(config))[:500],
                    "series": sorted(s for s, names in fed.items() if source.name in names),
                }
            )
    return LiveCase(load_live(config, spec, store), failed)


def _secrets(config: Config) -> list[str]:
    return secrets(config) + [v for v in (os.environ.get(n) for n in SECRET_ENV) if v]
