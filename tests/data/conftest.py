"""One store fixture for the store tests: SQLite always, PostgreSQL where a server is given.

Every PostgreSQL test starts from an empty database: all tables are reflected and
dropped, so a table a later migration adds (silences, notices, ...) never survives
from an earlier test and makes the next migration fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import MetaData

from monitor.core.database import make_engine

PG_ENV = "MONITOR_TEST_POSTGRES_URL"


def postgres_url() -> str:
    """The test server's URL; CI must have one, elsewhere the test is skipped."""
    url = os.environ.get(PG_ENV)
    if url:
        return url
    reason = f"no PostgreSQL server: set {PG_ENV} (.ci/run starts one)"
    if os.environ.get("CI"):
        pytest.fail(f"CI must test PostgreSQL: {reason}")
    pytest.skip(reason)


def empty_database(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        tables = MetaData()
        tables.reflect(conn)
        tables.drop_all(conn)
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url = postgres_url()
    empty_database(url)
    return url
