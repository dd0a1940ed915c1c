"""Alembic migrations: a run history made by the first release upgrades in place.

``fixtures/history-before-migrations.db`` was written by the first release's
``RunStore`` (``runs`` table, no Alembic version) with one finished run; upgrading must
keep that run and add the observation store beside it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from alembic import command
from sqlalchemy import inspect

from monitor.core.migrations import config, current, head
from monitor.data.store import ObservationStore
from monitor.ops.runhistory import RunStore
from monitor.ops.silences import SilenceStore

FIXTURE = Path(__file__).with_name("fixtures") / "history-before-migrations.db"


def test_a_database_of_the_first_release_upgrades_and_keeps_its_runs(tmp_path):
    path = tmp_path / "history.db"
    shutil.copy(FIXTURE, path)
    store = RunStore(f"sqlite:///{path}")
    assert current(store.engine) == head()
    (row,) = store.recent()
    assert (row["case"], row["status"], row["as_of"], row["firing"]) == (
        "ai-cycle",
        "ok",
        "2026-08-07",
        ["fed-easing"],
    )
    new = store.start("ai-cycle-weekly", "scheduled", "ai-cycle")
    previous = store.previous("ai-cycle", new)
    assert previous is not None and previous.firing == frozenset({"fed-easing"})
    assert ObservationStore(f"sqlite:///{path}").count() == 0


def test_upgrading_twice_changes_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    RunStore(url).start("j", "manual", "ai-cycle")
    again = RunStore(url)
    assert again.count() == 1 and current(again.engine) == head()


def test_runs_gain_a_fingerprint_column_and_old_runs_keep_none(tmp_path):
    path = tmp_path / "history.db"
    shutil.copy(FIXTURE, path)
    store = RunStore(f"sqlite:///{path}")
    assert head() == "0004_run_fingerprint"
    columns = {c["name"] for c in inspect(store.engine).get_columns("runs")}
    assert "fingerprint" in columns
    (old,) = store.recent()
    assert old["fingerprint"] is None  # recorded before fingerprints: nothing invented
    new = store.start("daily", "scheduled", "ai-cycle")
    store.finish(new, "ok", stage=0, score=0.0, fingerprint={"digest": "ab" * 32})
    row = store.get(new)
    assert row is not None and row["fingerprint"] == {"digest": "ab" * 32}


def test_the_fingerprint_migration_goes_down_and_up_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    store = RunStore(url)
    cfg = config()
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002_observations")
    assert "fingerprint" not in {c["name"] for c in inspect(store.engine).get_columns("runs")}
    assert current(RunStore(url).engine) == "0004_run_fingerprint"  # opening upgrades again


def test_the_silences_migration_adds_its_tables_and_reverts_cleanly(tmp_path):
    path = tmp_path / "history.db"
    shutil.copy(FIXTURE, path)  # a first-release history gains the silence tables too
    store = RunStore(f"sqlite:///{path}")
    tables = set(inspect(store.engine).get_table_names())
    assert {"silences", "alert_notices", "runs"} <= tables
    SilenceStore(store.engine).add("fed-easing", None, "2026-12-15", "seen", "alice")
    cfg = config()
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003_silences-1")
    assert current(store.engine) != "0003_silences"
    tables = set(inspect(store.engine).get_table_names())
    assert "silences" not in tables and "alert_notices" not in tables and "runs" in tables
    again = RunStore(f"sqlite:///{path}")  # upgrading again recreates them, empty
    assert current(again.engine) == head() and SilenceStore(again.engine).all() == []
    assert [r["case"] for r in again.recent()] == ["ai-cycle"]
