"""Run history: one row per (run, case) in SQLite by default, any SQLAlchemy URL.

The row is written *before* the pipeline starts (status ``running``) and completed
afterwards, so a run killed half-way still leaves a trace, and the previous
assessment used for change detection (stage, firing rule ids) comes from here
rather than from report files another process may be rewriting. The scheduler's
persistent job table (APScheduler's ``apscheduler_jobs``) and the observation store
live in the same database; :func:`make_engine` (``monitor.core.database``) opens it and
the schema is migrated by Alembic (``monitor.core.migrations``) for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    select,
    update,
)

from monitor.core.database import make_engine
from monitor.core.migrations import upgrade

__all__ = ["Previous", "RunStore", "make_engine", "metadata", "runs"]

STATUSES = ("running", "ok", "degraded", "failed")
metadata = MetaData()
runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job_id", String(100), nullable=False),
    Column("trigger", String(20), nullable=False),  # scheduled | run-now | manual | test
    Column("case", String(300), nullable=False),
    Column("started", String(40), nullable=False),  # ISO 8601, UTC
    Column("finished", String(40)),
    Column("status", String(20), nullable=False),
    Column("as_of", String(20)),
    Column("stage", Integer),
    Column("score", Float),
    Column("firing", JSON),  # rule ids firing
    Column("critical", JSON),  # the critical ones among them
    Column("report", Text),
    Column("json_report", Text),
    Column("errors", JSON),
    Column("notifications", JSON),
    Column("fingerprint", JSON),  # rules, plugins, data snapshot, version (0004)
)


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Previous:
    """What the last completed run of a case concluded: the base for notifications."""

    run_id: int
    stage: int
    firing: frozenset[str]
    critical: frozenset[str]


class RunStore:
    def __init__(self, url: str | None = None, engine: Engine | None = None) -> None:
        if engine is None:
            if url is None:
                raise ValueError("give a store URL or an engine")
            engine = make_engine(url)
        self.engine = engine
        upgrade(engine)  # the one migration setup for the run history and the store

    def start(self, job_id: str, trigger: str, case: str) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(
                runs.insert().values(
                    job_id=job_id,
                    trigger=trigger,
                    case=case,
                    started=now_utc(),
                    status="running",
                    errors=[],
                    notifications=[],
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def finish(self, run_id: int, status: str, **values: Any) -> None:
        """Complete a row; ``values`` are column names (stage, score, firing, ...)."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        with self.engine.begin() as conn:
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(status=status, finished=now_utc(), **values)
            )

    def previous(self, case: str, before_id: int) -> Previous | None:
        """The last run of ``case`` before ``before_id`` that produced an assessment."""
        query = (
            select(runs.c.id, runs.c.stage, runs.c.firing, runs.c.critical)
            .where(runs.c.case == case, runs.c.id < before_id, runs.c.stage.is_not(None))
            .where(runs.c.status.in_(("ok", "degraded")))
            .order_by(runs.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return Previous(
            row.id, int(row.stage), frozenset(row.firing or ()), frozenset(row.critical or ())
        )

    def get(self, run_id: int) -> dict[str, Any] | None:
        """One run's row as a plain dict, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(runs).where(runs.c.id == run_id)).first()
        return None if row is None else dict(row._mapping)

    def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        """The newest ``limit`` rows, newest first, as plain dicts (the ``--json`` shape)."""
        query = select(runs).order_by(runs.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def last_success(self) -> dict[str, Any] | None:
        """The newest finished run that produced a report (status ok or degraded)."""
        query = (
            select(runs)
            .where(runs.c.status.in_(("ok", "degraded")), runs.c.finished.is_not(None))
            .order_by(runs.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else dict(row._mapping)

    def count(self, job_id: str | None = None) -> int:
        query = select(runs.c.id)
        if job_id is not None:
            query = query.where(runs.c.job_id == job_id)
        with self.engine.connect() as conn:
            return len(conn.execute(query).all())

    def close_interrupted(self) -> int:
        """Mark rows a killed daemon left ``running`` as failed (called under the daemon lock)."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(runs)
                .where(runs.c.status == "running", runs.c.trigger != "manual")
                .values(
                    status="failed",
                    finished=now_utc(),
                    errors=["interrupted: the daemon stopped before the run finished"],
                )
            )
            return int(result.rowcount or 0)
