"""A store-backed case: a case whose observations come from the vintaged store.

Bundled cases are folders of files, judged as of their newest data. A user running the
monitor on live data declares a case in ``monitor.toml`` instead (``[[case]]``, parsed
by ``monitor.ops.caseconfig``): its name, entities, episodes and the series it reads
from the store, each with the metadata a ``case.yaml`` gives (unit, frequency,
publication lag, decision). Its default ``as_of`` is today, and its snapshot (the
highest store row id it saw, the row count and a digest of the rows) is what a run
records so that ``monitor run --reproduce`` can read the store exactly as it stood.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from monitor.core.clock import today
from monitor.core.fingerprint import Fingerprint
from monitor.data.case import Case, CrisisEvent, Episode
from monitor.data.observations import validate
from monitor.data.store import ObservationStore


@dataclass(frozen=True)
class StoreCaseSpec:
    """What ``[[case]]`` declares; ``series`` maps a case series to its metadata.

    A series' ``from`` names the stored series it is read from when the names differ
    (a FRED import stored as ``fedfunds`` read as ``fed_funds_effective``).
    """

    name: str
    title: str
    description: str
    series: dict[str, dict[str, Any]]
    sources: list[str]
    entities: dict[str, dict[str, Any]] = field(default_factory=dict)
    crisis_events: list[CrisisEvent] = field(default_factory=list)
    episodes: list[Episode] = field(default_factory=list)
    origin: Path = Path("monitor.toml")

    def stored_name(self, series: str) -> str:
        return str(self.series[series].get("from", series))


def rows_digest(frame: pd.DataFrame) -> str:
    """A digest of observation rows in the store's order (what a reproduction compares)."""
    columns = ["series", "entity", "date", "published", "value", "unit", "source"]
    rows = [
        [str(v) if not isinstance(v, float) else repr(v) for v in row]
        for row in frame[columns].itertuples(index=False)
    ]
    return Fingerprint().add_value("rows", rows).hexdigest()


def load_store_case(
    spec: StoreCaseSpec,
    store: ObservationStore,
    checked: dict[str, pd.Timestamp] | None = None,
    upto_id: int | None = None,
) -> Case:
    """The case as the store holds it now, or as it stood at row ``upto_id``.

    ``checked`` is when each case series' source last answered (freshness of a
    decision series counts from it). Rows fail validation only if the store was
    written around the import path; they are quarantined with the origin ``store``.
    """
    marker = store.max_id() if upto_id is None else upto_id
    frame = store.frame(upto_id=marker)
    names = {spec.stored_name(s): s for s in spec.series}
    frame = frame[frame["series"].isin(list(names))].reset_index(drop=True)
    frame["series"] = frame["series"].map(names)
    data = validate(frame, f"store {spec.name}", first_line=1)
    series = {k: {m: v for m, v in meta.items() if m != "from"} for k, meta in spec.series.items()}
    snapshot = {
        "kind": "store",
        "max_id": marker,
        "rows": len(frame),
        "digest": rows_digest(frame),
        "checked": {k: v.date().isoformat() for k, v in sorted((checked or {}).items())},
    }
    return Case(
        name=spec.name,
        title=spec.title,
        description=spec.description,
        path=spec.origin,
        as_of=today(),
        entities=spec.entities,
        series=series,
        crisis_events=spec.crisis_events,
        episodes=sorted(spec.episodes, key=lambda e: e.onset),
        data=data,
        checked=dict(checked or {}),
        snapshot=snapshot,
    )
