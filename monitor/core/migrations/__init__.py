"""Schema migrations (Alembic) for every table the monitor keeps: one setup, one history.

The run history (``runs``) and the observation store (``observations``,
``source_checks``) live in the same database and migrate together. A database made
by the first release has the ``runs`` table but no Alembic version: it is recognised
and stamped at the first revision before upgrading, so nothing is recreated or lost.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

HERE = Path(__file__).resolve().parent
FIRST = "0001_runs"


def config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    return cfg


def head() -> str:
    return str(ScriptDirectory.from_config(config()).get_current_head())


def current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema (a no-op when it is there)."""
    cfg = config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        revision = MigrationContext.configure(conn).get_current_revision()
        if revision is None and inspect(conn).has_table("runs"):
            command.stamp(cfg, FIRST)  # made by the first release, before migrations
        if revision != head():
            command.upgrade(cfg, "head")
