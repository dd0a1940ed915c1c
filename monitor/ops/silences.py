"""Silences: a desk quiets an alert it has seen, until a date, with a reason.

A silence names a rule and optionally one entity (``RULE[:ENTITY]``). While it is
active, that alert still shows in the report (marked, with reason, author and expiry)
but notifies nobody; :mod:`monitor.ops.alerting` decides what that means for a run.
Silences live in the run history's database (table ``silences``, migration
``0003_silences``), so the daemon, ``monitor silence`` and every one-shot run share
them. ``until`` is a date: the silence holds on every day before it and ends at the
start of that day (UTC, or the day ``MONITOR_TODAY`` pins), so a run on that day
notifies again. Expiring by hand keeps the row (who and when) for the audit trail.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Engine, Integer, MetaData, String, Table, Text, select, update

from monitor.core.clock import today
from monitor.core.errors import MonitorError
from monitor.core.migrations import upgrade
from monitor.core.terminal import safe

metadata = MetaData()
silences = Table(
    "silences",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule", String(200), nullable=False),
    Column("entity", String(200)),
    Column("until", String(10), nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created", String(40), nullable=False),
    Column("expired", String(40)),
    Column("expired_by", String(200)),
)
alert_notices = Table(
    "alert_notices",
    metadata,
    Column("run_id", Integer, primary_key=True),
    Column("case", String(300), nullable=False),
    Column("stages", JSON, nullable=False),
    Column("withheld", JSON, nullable=False),
)

MAX_REASON = 500  # characters: a reason is a sentence, not a document


class SilenceError(MonitorError):
    """A silence that cannot be added or expired (unknown rule, past date, no reason)."""


@dataclass(frozen=True)
class Silence:
    id: int
    rule: str
    entity: str | None
    until: str  # ISO date: the first day the alert notifies again
    reason: str
    created_by: str
    created: str
    expired: str | None = None
    expired_by: str | None = None

    @property
    def target(self) -> str:
        return self.rule if self.entity is None else f"{self.rule}:{self.entity}"

    def active(self, on: date) -> bool:
        """Whether the silence holds on day ``on`` (not expired by hand, before ``until``)."""
        return self.expired is None and on.isoformat() < self.until

    def status(self, on: date) -> str:
        if self.expired is not None:
            return "expired"
        return "active" if self.active(on) else "ended"

    def covers(self, rule: str, entity: str | None) -> bool:
        return self.rule == rule and (self.entity is None or self.entity == entity)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_target(text: str) -> tuple[str, str | None]:
    """``RULE`` or ``RULE:ENTITY`` (rule ids never contain a colon; entities may)."""
    rule, sep, entity = text.strip().partition(":")
    if not rule:
        raise SilenceError(f"silence target {text!r}: expected RULE or RULE:ENTITY")
    if sep and not entity.strip():
        raise SilenceError(f"silence target {text!r}: the entity after ':' is empty")
    return rule.strip(), entity.strip() if sep else None


def parse_until(text: str, now: date) -> str:
    """An ISO date after today; returned as ``YYYY-MM-DD``."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise SilenceError(f"--until {text!r}: expected a date such as 2026-12-31") from None
    if day <= now:
        raise SilenceError(
            f"--until {day.isoformat()} is not after today ({now.isoformat()}): "
            "a silence must end in the future"
        )
    return day.isoformat()


def check_target(rule: str, entity: str | None, rules: Iterable[str], entities: set[str]) -> None:
    """The rule must be in the configured rule set and the entity in the configured data.

    ``entities`` are the entities the configured cases hold; a typo would otherwise
    silence nothing, and nobody would notice until the alert they meant to quiet went out.
    """
    known = sorted(rules)
    if rule not in known:
        close = [r for r in known if rule.lower() in r.lower() or r.lower() in rule.lower()]
        hint = f" (did you mean {', '.join(close[:3])}?)" if close else ""
        raise SilenceError(f"unknown rule {rule!r} in the configured rule set{hint}")
    if entity is not None and entity not in entities:
        have = ", ".join(sorted(entities)[:12]) or "none"
        more = f", ... ({len(entities)} in all)" if len(entities) > 12 else ""
        raise SilenceError(
            f"unknown entity {entity!r} in the configured cases (known: {have}{more})"
        )


def current_user() -> str:
    """Who adds or expires a silence: ``MONITOR_USER``, else the login name."""
    name = os.environ.get("MONITOR_USER", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def today_date() -> date:
    return today().date()


class SilenceStore:
    """The ``silences`` table of the run history's database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        upgrade(engine)

    def add(self, rule: str, entity: str | None, until: str, reason: str, by: str) -> Silence:
        reason = " ".join(reason.split())
        if not reason:
            raise SilenceError("--reason is empty: say why the alert is silenced")
        if safe(reason) != reason:
            raise SilenceError("--reason contains control characters; write plain text")
        if len(reason) > MAX_REASON:
            raise SilenceError(f"--reason is {len(reason)} characters; at most {MAX_REASON}")
        created = _now()
        with self.engine.begin() as conn:
            result = conn.execute(
                silences.insert().values(
                    rule=rule,
                    entity=entity,
                    until=until,
                    reason=reason,
                    created_by=by,
                    created=created,
                )
            )
            key = result.inserted_primary_key
            assert key is not None
        return Silence(int(key[0]), rule, entity, until, reason, by, created)

    def all(self) -> list[Silence]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(silences).order_by(silences.c.id)).all()
        return [Silence(**dict(row._mapping)) for row in rows]

    def active(self, on: date) -> list[Silence]:
        return [s for s in self.all() if s.active(on)]

    def get(self, silence_id: int) -> Silence | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(silences).where(silences.c.id == silence_id)).first()
        return None if row is None else Silence(**dict(row._mapping))

    def expire(self, silence_id: int, by: str, on: date) -> Silence:
        found = self.get(silence_id)
        if found is None:
            raise SilenceError(f"no silence #{silence_id} (see `monitor silence list --all`)")
        if not found.active(on):
            raise SilenceError(f"silence #{silence_id} has already {found.status(on)}")
        with self.engine.begin() as conn:
            conn.execute(
                update(silences)
                .where(silences.c.id == silence_id)
                .values(expired=_now(), expired_by=by)
            )
        done = self.get(silence_id)
        assert done is not None
        return done
