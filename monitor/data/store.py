"""The vintaged observation store: every value ever imported, never overwritten.

A revised value is a new row with a later ``published`` (a vintage), so any past
evaluation can be reproduced exactly: at each date it sees the values published by
then. Importing the same rows again adds nothing. A different value for a vintage
already stored (same series, entity, date and published) is a conflict: it is reported
and the stored value is kept, since two sources disagreeing about one release is
something a person must decide.

SQLite by default; PostgreSQL through the same SQLAlchemy URL (its password from
``MONITOR_DB_PASSWORD``); the schema is migrated by ``monitor.core.migrations``
together with the run history.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    select,
)

from monitor.core.database import make_engine
from monitor.core.migrations import upgrade
from monitor.data.observations import COLUMNS, ValidatedObservations, empty_frame

metadata = MetaData()
observations = Table(
    "observations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("series", String(100), nullable=False),
    Column("entity", String(100), nullable=False),
    Column("date", String(10), nullable=False),
    Column("published", String(10), nullable=False),
    Column("value", Float, nullable=False),
    Column("unit", String(50), nullable=False),
    Column("source", Text, nullable=False),
    Column("note", Text),
    Column("origin", Text),
    Column("imported", String(40), nullable=False),
)
source_checks = Table(
    "source_checks",
    metadata,
    Column("source", String(100), primary_key=True),
    Column("checked", String(40), nullable=False),
    Column("status", String(20), nullable=False),
    Column("message", Text),
)
KEY = ("series", "entity", "date", "published")


@dataclass
class Imported:
    """What one import did: rows added, rows already there, conflicting vintages."""

    added: int = 0
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)


def _latest(stored: dict[tuple[str, str, str, str], float], key: tuple[str, ...]) -> float | None:
    """The newest stored vintage's value of the period ``key`` names."""
    vintages = sorted(k for k in stored if k[:3] == key[:3])
    return stored[vintages[-1]] if vintages else None


def _iso(stamp: pd.Timestamp) -> str:
    return pd.Timestamp(stamp).date().isoformat()


class ObservationStore:
    def __init__(self, url: str | None = None, engine: Engine | None = None) -> None:
        if engine is None:
            if url is None:
                raise ValueError("give a store URL or an engine")
            engine = make_engine(url)
        self.engine = engine
        upgrade(engine)

    def add(
        self,
        data: ValidatedObservations | pd.DataFrame,
        origin: str = "",
        revised_on: pd.Timestamp | None = None,
    ) -> Imported:
        """Store new vintages; rows already stored are skipped, never rewritten.

        ``revised_on`` is the day a current-vintage download was made (a FRED CSV
        carries no vintages): a value that differs from the stored one for the same
        ``published`` is then a revision known by that day, stored as a new vintage
        published on it, instead of a conflict.
        """
        frame = data.frame if isinstance(data, ValidatedObservations) else data
        result = Imported()
        if frame.empty:
            return result
        stored = self._stored(set(frame["series"]))
        now = datetime.now(UTC).isoformat(timespec="seconds")
        new = []
        for row in frame.itertuples(index=False):
            key = (row.series, row.entity, _iso(row.date), _iso(row.published))
            value = float(row.value)
            if key in stored and revised_on is not None and not _same(stored[key], value):
                later = _iso(revised_on)
                latest = _latest(stored, key)
                if later > key[3] and latest is not None and _same(latest, value):
                    result.unchanged += 1  # the revision is stored already
                    continue
                if later > key[3]:
                    key = (key[0], key[1], key[2], later)
            if key in stored:
                if _same(stored[key], value):
                    result.unchanged += 1
                else:
                    result.conflicts.append(
                        f"{'/'.join(key[:2])} {key[2]} published {key[3]}: stored "
                        f"{stored[key]:g}, {origin or 'import'} has {value:g} (kept the stored)"
                    )
                continue
            stored[key] = value
            note = getattr(row, "note", None)
            new.append(
                {
                    "series": key[0],
                    "entity": key[1],
                    "date": key[2],
                    "published": key[3],
                    "value": value,
                    "unit": row.unit,
                    "source": row.source,
                    "note": None if note is None or pd.isna(note) else str(note),
                    "origin": origin,
                    "imported": now,
                }
            )
        if new:
            with self.engine.begin() as conn:
                conn.execute(observations.insert(), new)
        result.added = len(new)
        return result

    def _stored(self, series: set[str]) -> dict[tuple[str, str, str, str], float]:
        query = select(*(observations.c[k] for k in KEY), observations.c.value).where(
            observations.c.series.in_(sorted(series))
        )
        with self.engine.connect() as conn:
            return {(r[0], r[1], r[2], r[3]): float(r[4]) for r in conn.execute(query)}

    def frame(
        self,
        series: str | None = None,
        entity: str | None = None,
        as_of: pd.Timestamp | None = None,
        upto_id: int | None = None,
    ) -> pd.DataFrame:
        """Every vintage (published by ``as_of`` if given) as an observation frame.

        ``upto_id`` keeps the store as it stood when a run saw at most that row id
        (:meth:`max_id`): rows recorded later, a revision imported after the run, are
        left out, which is what reproducing a past run needs.
        """
        query = select(*(observations.c[c] for c in COLUMNS), observations.c.note)
        if upto_id is not None:
            query = query.where(observations.c.id <= upto_id)
        if series is not None:
            query = query.where(observations.c.series == series)
        if entity is not None:
            query = query.where(observations.c.entity == entity)
        if as_of is not None:
            query = query.where(observations.c.published <= _iso(as_of))
        query = query.order_by(
            observations.c.series,
            observations.c.entity,
            observations.c.date,
            observations.c.published,
        )
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        if not rows:
            return empty_frame()
        out = pd.DataFrame(rows)
        for column in ("date", "published"):
            out[column] = pd.to_datetime(out[column], format="ISO8601").astype("datetime64[us]")
        out["value"] = out["value"].astype("float64")
        return out

    def series_by_origin(self) -> dict[str, set[str]]:
        """Each origin (a source's name, an imported file) and the series it stored."""
        query = select(observations.c.origin, observations.c.series).distinct()
        out: dict[str, set[str]] = {}
        with self.engine.connect() as conn:
            for origin, series in conn.execute(query):
                out.setdefault(str(origin or ""), set()).add(str(series))
        return out

    def max_id(self) -> int:
        """The highest row id stored (0 when empty): the store's snapshot marker."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.max(observations.c.id))).scalar() or 0)

    def count(self) -> int:
        with self.engine.connect() as conn:
            return len(conn.execute(select(observations.c.id)).all())

    def checked(self, source: str, status: str = "ok", message: str = "") -> None:
        """Record that a source was just asked (what a decision series' age counts from)."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.engine.begin() as conn:
            conn.execute(source_checks.delete().where(source_checks.c.source == source))
            conn.execute(
                source_checks.insert().values(
                    source=source, checked=now, status=status, message=message
                )
            )

    def last_checked(self, source: str) -> dict[str, str] | None:
        query = select(source_checks).where(source_checks.c.source == source)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else {k: str(v) for k, v in row._mapping.items()}
