"""Cases: a folder of observation files plus a small metadata file.

A case is what one assessment looks at: the bundled ``telecom-2000`` episode for
backtesting and the ``ai-cycle`` for today's report, or a user's own folder laid out
the same way. The metadata gives each series its unit, source and usual publication
lag, so a data file only has to state what differs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from monitor.errors import CaseError
from monitor.observations import ValidatedObservations, empty_frame, read_csv
from monitor.yamlio import YamlSyntaxError, load_file, plain

CASE_KEYS = {
    "name",
    "title",
    "description",
    "as_of",
    "files",
    "entities",
    "series",
    "crisis_events",
}
SERIES_KEYS = {
    "title",
    "unit",
    "frequency",
    "kind",
    "publication_lag_days",
    "source",
    "note",
}


@dataclass(frozen=True)
class CrisisEvent:
    date: pd.Timestamp
    title: str
    source: str = ""


@dataclass
class Case:
    """A loaded case: validated observations, quarantined rows and metadata."""

    name: str
    title: str
    description: str
    path: Path
    as_of: pd.Timestamp
    entities: dict[str, dict[str, Any]]
    series: dict[str, dict[str, Any]]
    crisis_events: list[CrisisEvent]
    data: ValidatedObservations = field(
        default_factory=lambda: ValidatedObservations(empty_frame())
    )

    @property
    def observations(self) -> pd.DataFrame:
        return self.data.frame

    def latest_date(self) -> pd.Timestamp:
        """The last day anything in the case became known."""
        frame = self.observations
        return self.as_of if frame.empty else max(self.as_of, frame["published"].max())


def bundled_root() -> Path:
    return Path(str(resources.files("monitor") / "cases"))


def bundled_names() -> list[str]:
    root = bundled_root()
    return sorted(p.name for p in root.iterdir() if (p / "case.yaml").is_file())


def resolve(name_or_path: str) -> Path:
    """A bundled case name, or a path to a folder holding ``case.yaml``."""
    candidate = Path(name_or_path)
    if (candidate / "case.yaml").is_file():
        return candidate
    bundled = bundled_root() / name_or_path
    if (bundled / "case.yaml").is_file():
        return bundled
    known = ", ".join(bundled_names())
    raise CaseError(f"unknown case {name_or_path!r}: not a bundled case ({known}) nor a folder")


def load_case(name_or_path: str) -> Case:
    """Load a case; bad data rows are quarantined, a bad metadata file is an error."""
    folder = resolve(name_or_path)
    meta_path = folder / "case.yaml"
    try:
        meta = plain(load_file(meta_path))
    except YamlSyntaxError as exc:
        raise CaseError(str(exc)) from None
    if not isinstance(meta, dict):
        raise CaseError(f"{meta_path}:1:1: a case file must be a mapping")
    unknown = sorted(set(meta) - CASE_KEYS)
    if unknown:
        raise CaseError(f"{meta_path}: unknown keys {', '.join(unknown)}")
    series: dict[str, dict[str, Any]] = meta.get("series") or {}
    for series_id, spec in series.items():
        bad = sorted(set(spec or {}) - SERIES_KEYS)
        if bad:
            raise CaseError(f"{meta_path}: series {series_id!r}: unknown keys {', '.join(bad)}")
    data = ValidatedObservations(empty_frame())
    for name in meta.get("files") or sorted(p.name for p in folder.glob("*.csv")):
        path = folder / name
        if not path.is_file():
            raise CaseError(f"{meta_path}: listed data file {name!r} does not exist")
        data = data.extend(read_csv(path, series))
    events = [
        CrisisEvent(pd.Timestamp(e["date"]), str(e["title"]), str(e.get("source", "")))
        for e in meta.get("crisis_events") or []
    ]
    return Case(
        name=str(meta.get("name", folder.name)),
        title=str(meta.get("title", folder.name)),
        description=str(meta.get("description", "")).strip(),
        path=folder,
        as_of=pd.Timestamp(meta["as_of"]) if meta.get("as_of") else pd.Timestamp.now().normalize(),
        entities={str(k): dict(v or {}) for k, v in (meta.get("entities") or {}).items()},
        series=series,
        crisis_events=events,
        data=data,
    )
