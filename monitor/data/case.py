"""Cases: a folder of observation files plus a small metadata file.

A case is what one assessment looks at: the bundled ``telecom-2000`` episode for
backtesting and the ``ai-cycle`` for today's report, or a user's own folder laid out
the same way. The metadata gives each series its unit, source and usual publication
lag, so a data file only has to state what differs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from monitor.core.clock import today
from monitor.core.errors import CaseError, YamlSyntaxError
from monitor.core.problems import Problems
from monitor.core.yamlio import (
    Position,
    key_position,
    load_file,
    plain,
    value_position,
)
from monitor.data.observations import ValidatedObservations, combine, empty_frame, read_csv

CASE_KEYS = {
    "name",
    "title",
    "description",
    "as_of",
    "files",
    "entities",
    "series",
    "crisis_events",
    "episodes",
}
EPISODE_KEYS = {"id", "onset", "end", "title", "source"}
SERIES_KEYS = {
    "title",
    "unit",
    "frequency",
    "kind",
    "publication_lag_days",
    "decision",
    "source",
    "note",
    "history",
}


@dataclass(frozen=True)
class CrisisEvent:
    date: pd.Timestamp
    title: str
    source: str = ""


@dataclass(frozen=True)
class Episode:
    """A crisis episode a backtest scores against: from its onset to its end.

    Kept apart from ``crisis_events`` on purpose: events are rule inputs (a profit
    warning), and scoring rules against their own inputs would make hits by construction.
    """

    id: str
    onset: pd.Timestamp
    end: pd.Timestamp
    title: str = ""
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
    episodes: list[Episode] = field(default_factory=list)
    data: ValidatedObservations = field(
        default_factory=lambda: ValidatedObservations(empty_frame())
    )
    files: list[Path] = field(default_factory=list)  # case.yaml and the data files read
    # a store-backed case (monitor.data.storecase): when each series' source was last
    # checked successfully, and the store snapshot the data was read from
    checked: dict[str, pd.Timestamp] = field(default_factory=dict)
    snapshot: dict[str, Any] | None = None

    @property
    def live(self) -> bool:
        """Read from the observation store (judged today), not a folder of files."""
        return self.snapshot is not None

    @property
    def observations(self) -> pd.DataFrame:
        return self.data.frame

    def history_series(self) -> set[str]:
        """Series marked ``history: true``: long look-backs an indicator reads (the
        1973-2003 Nasdaq of the exuberance tests) that do not stretch the evaluated
        period back to their first row."""
        return {name for name, spec in self.series.items() if spec.get("history") is True}

    def evaluation_start(self) -> pd.Timestamp | None:
        """The first day anything that is not a history series became known."""
        frame = self.observations
        frame = frame[~frame["series"].isin(self.history_series())]
        return None if frame.empty else frame["published"].min()

    def latest_date(self) -> pd.Timestamp:
        """The last day anything in the case became known."""
        frame = self.observations
        return self.as_of if frame.empty else max(self.as_of, frame["published"].max())


def bundled_root() -> Path:
    return Path(str(resources.files("monitor.data") / "cases"))


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


NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*\Z")  # \Z: no trailing newline


class _MetaChecker:
    """Collects every problem in a case.yaml with its position, then raises once."""

    def __init__(self, path: Path, node: Any) -> None:
        self.path = path
        self.file = str(path)
        self.node = node
        self.problems = Problems()

    def problem(self, where: Position, message: str) -> None:
        self.problems.add(where, message)

    def check(self) -> None:
        node = self.node
        for key in node:
            if str(key) not in CASE_KEYS:
                allowed = ", ".join(sorted(CASE_KEYS))
                self.problem(key_position(node, key, self.file), f"unknown key {key!r} ({allowed})")
        name = node.get("name", self.path.parent.name)
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            self.problem(
                value_position(node, "name", self.file),
                "name must be letters, digits, '.', '_' or '-' (it names report files)",
            )
        if node.get("as_of") is not None and _date(node["as_of"]) is None:
            self.problem(value_position(node, "as_of", self.file), "as_of must be an ISO date")
        self._series(node.get("series"))
        self._files(node.get("files"))
        self._events(node.get("crisis_events"))
        self._episodes(node.get("episodes"))
        self.problems.raise_if_any(lambda messages: CaseError("\n".join(messages)))

    def _series(self, series: Any) -> None:
        if series is None:
            return
        if not isinstance(series, dict):
            self.problem(value_position(self.node, "series", self.file), "series must be a mapping")
            return
        for series_id, spec in series.items():
            where = key_position(series, series_id, self.file)
            if not isinstance(spec, dict):
                self.problem(where, f"series {series_id!r} must be a mapping")
                continue
            for key in spec:
                if str(key) not in SERIES_KEYS:
                    self.problem(
                        key_position(spec, key, self.file),
                        f"series {series_id!r}: unknown key {key!r}",
                    )
            lag = spec.get("publication_lag_days")
            if lag is not None and (isinstance(lag, bool) or not isinstance(lag, int) or lag < 0):
                self.problem(
                    value_position(spec, "publication_lag_days", self.file),
                    f"series {series_id!r}: publication_lag_days must be a whole number >= 0",
                )
            for flag in ("history", "decision"):
                if flag in spec and not isinstance(spec[flag], bool):
                    self.problem(
                        value_position(spec, flag, self.file),
                        f"series {series_id!r}: {flag} must be true or false",
                    )
            for key in ("unit", "source", "title", "frequency", "kind"):
                if key in spec and not isinstance(spec[key], str):
                    self.problem(
                        value_position(spec, key, self.file),
                        f"series {series_id!r}: {key} must be text",
                    )

    def _files(self, files: Any) -> None:
        if files is None:
            return
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            self.problem(
                value_position(self.node, "files", self.file), "files must be a list of file names"
            )
            return
        folder = self.path.parent.resolve()
        for index, name in enumerate(files):
            target = (self.path.parent / name).resolve()
            where = value_position(self.node["files"], index, self.file)
            if not target.is_relative_to(folder):
                self.problem(where, f"data file {name!r} must be inside the case folder")
            elif not target.is_file():
                self.problem(where, f"listed data file {name!r} does not exist")

    def _events(self, events: Any) -> None:
        if events is None:
            return
        if not isinstance(events, list):
            self.problem(
                value_position(self.node, "crisis_events", self.file),
                "crisis_events must be a list of {date, title, source}",
            )
            return
        for index, event in enumerate(events):
            where = value_position(events, index, self.file)
            if not isinstance(event, dict) or _date(event.get("date")) is None:
                self.problem(where, "a crisis event needs an ISO date and a title")
            elif not isinstance(event.get("title"), str):
                self.problem(where, "a crisis event needs a title")

    def _episodes(self, episodes: Any) -> None:
        if episodes is None:
            return
        if not isinstance(episodes, list):
            self.problem(
                value_position(self.node, "episodes", self.file),
                "episodes must be a list of {id, onset, end, title, source}",
            )
            return
        seen: set[str] = set()
        for index, episode in enumerate(episodes):
            where = value_position(episodes, index, self.file)
            if not isinstance(episode, dict):
                self.problem(where, "an episode must be a mapping {id, onset, end, title, source}")
                continue
            for key in episode:
                if str(key) not in EPISODE_KEYS:
                    allowed = ", ".join(sorted(EPISODE_KEYS))
                    self.problem(
                        key_position(episode, key, self.file),
                        f"episode: unknown key {key!r} ({allowed})",
                    )
            ident = episode.get("id")
            if not isinstance(ident, str) or not NAME_PATTERN.match(ident):
                self.problem(
                    value_position(episode, "id", self.file) if "id" in episode else where,
                    "an episode needs an id of letters, digits, '.', '_' or '-'",
                )
            elif ident in seen:
                self.problem(
                    value_position(episode, "id", self.file), f"duplicate episode {ident!r}"
                )
            else:
                seen.add(ident)
            dates = {}
            for key in ("onset", "end"):
                stamp = _date(episode.get(key))
                if stamp is None:
                    at = value_position(episode, key, self.file) if key in episode else where
                    self.problem(at, f"episode {ident!r}: {key} must be an ISO date")
                dates[key] = stamp
            onset, end = dates["onset"], dates["end"]
            if onset is not None and end is not None and end < onset:
                self.problem(
                    value_position(episode, "end", self.file),
                    f"episode {ident!r}: end {end.date()} is before its onset {onset.date()}",
                )
            for key in ("title", "source"):
                if key in episode and not isinstance(episode[key], str):
                    self.problem(
                        value_position(episode, key, self.file),
                        f"episode {ident!r}: {key} must be text",
                    )


def _date(value: Any) -> pd.Timestamp | None:
    try:
        stamp = pd.Timestamp(str(value))
    except (ValueError, TypeError, OverflowError):
        return None
    return None if pd.isna(stamp) else stamp


def _globbed(folder: Path) -> list[str]:
    """The case's ``*.csv`` files; one that resolves outside the folder is refused.

    A symlink (or a link in a parent) could otherwise pull any readable file on the
    machine into the report, its JSON and the e-mail.
    """
    root = folder.resolve()
    names = sorted(p.name for p in folder.glob("*.csv"))
    outside = [n for n in names if not (folder / n).resolve().is_relative_to(root)]
    if outside:
        raise CaseError(
            "\n".join(
                f"{folder / n}:1: data file {n!r} resolves outside the case folder (a symlink?)"
                for n in outside
            )
        )
    return [n for n in names if (folder / n).is_file()]


def load_case(name_or_path: str) -> Case:
    """Load a case; bad data rows are quarantined, a bad metadata file is an error.

    Every problem in ``case.yaml`` is reported at once with its line and column; data
    files must sit inside the case folder (a case cannot pull in other files).
    """
    folder = resolve(name_or_path)
    meta_path = folder / "case.yaml"
    try:
        node = load_file(meta_path)
    except YamlSyntaxError as exc:
        raise CaseError(str(exc)) from None
    if not isinstance(node, dict):
        raise CaseError(f"{meta_path}:1:1: a case file must be a mapping")
    _MetaChecker(meta_path, node).check()
    meta = plain(node)
    series: dict[str, dict[str, Any]] = meta.get("series") or {}
    names = meta.get("files") or _globbed(folder)
    parts = [ValidatedObservations(empty_frame())]
    parts += [read_csv(folder / name, series) for name in names]
    data = combine(parts)
    events = [
        CrisisEvent(pd.Timestamp(str(e["date"])), str(e["title"]), str(e.get("source", "")))
        for e in meta.get("crisis_events") or []
    ]
    episodes = [
        Episode(
            str(e["id"]),
            pd.Timestamp(str(e["onset"])),
            pd.Timestamp(str(e["end"])),
            str(e.get("title", "")),
            str(e.get("source", "")),
        )
        for e in meta.get("episodes") or []
    ]
    as_of = _date(meta["as_of"]) if meta.get("as_of") is not None else None
    return Case(
        name=str(meta.get("name", folder.name)),
        title=str(meta.get("title", folder.name)),
        description=str(meta.get("description", "")).strip(),
        path=folder,
        as_of=as_of if as_of is not None else today(),
        entities={str(k): dict(v or {}) for k, v in (meta.get("entities") or {}).items()},
        series=series,
        crisis_events=events,
        episodes=sorted(episodes, key=lambda e: e.onset),
        data=data,
        files=[meta_path, *(folder / name for name in names)],
    )
