"""One way to open a database: SQLite by default, PostgreSQL through the same URL.

The run history and the observation store share it. A password never sits in the URL
or a config file: it comes from ``MONITOR_DB_PASSWORD`` and is put into the URL object
here, so it never appears in a printed URL or an error.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from monitor.core.errors import MonitorError

PASSWORD_ENV = "MONITOR_DB_PASSWORD"


class DatabaseError(MonitorError):
    """A database URL or schema problem, said plainly."""


def database_url(url: str) -> URL:
    """The URL with its password from the environment; a password in the URL is refused."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"not a database URL: {url!r}") from None
    if parsed.password:
        raise DatabaseError(
            f"a database URL must not hold a password ({parsed.render_as_string()}): "
            f"set {PASSWORD_ENV} instead"
        )
    password = os.environ.get(PASSWORD_ENV)
    if password and not parsed.get_backend_name().startswith("sqlite"):
        parsed = parsed.set(password=password)
    return parsed


def make_engine(url: str) -> Engine:
    """An engine that tolerates a second writer (WAL, busy timeout) on SQLite."""
    parsed = database_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(parsed, pool_pre_ping=True)
