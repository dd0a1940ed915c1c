"""The vintaged observation store, on SQLite always and on a real PostgreSQL in CI.

Revisions are new rows, never overwrites; importing the same data twice adds nothing;
a query as of a date sees what was published by then. PostgreSQL runs when
``MONITOR_TEST_POSTGRES_URL`` names a server (``.ci/run`` starts one); outside CI the
PostgreSQL cases skip with that reason, under CI they fail instead.
"""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import inspect

from monitor.core.database import DatabaseError, make_engine
from monitor.data.observations import validate
from monitor.data.store import ObservationStore


def rows(*items: tuple[str, float, str]):
    """ISM PMI rows: (month, value, published)."""
    raw = pd.DataFrame(
        [
            {
                "series": "ism_pmi",
                "entity": "US",
                "date": d,
                "value": str(v),
                "published": p,
                "unit": "index",
                "source": "ISM",
            }
            for d, v, p in items
        ]
    )
    return validate(raw, "test")


# ISM releases as bundled (2026-01 52.6 on 2026-02-02, 2026-02 52.4 on 2026-03-02)
RELEASES = rows(("2026-01-01", 52.6, "2026-02-02"), ("2026-02-01", 52.4, "2026-03-02"))


def test_importing_the_same_rows_twice_adds_nothing(store_url):
    store = ObservationStore(store_url)
    assert store.add(RELEASES, "pmi.csv").added == 2
    again = store.add(RELEASES, "pmi.csv")
    assert (again.added, again.unchanged, again.conflicts) == (0, 2, [])
    assert store.count() == 2


def test_a_revised_value_is_a_new_vintage_and_the_old_one_stays(store_url):
    store = ObservationStore(store_url)
    store.add(RELEASES)
    # hypothetical revision of January, published with the March report
    revised = store.add(rows(("2026-01-01", 52.8, "2026-03-02")))
    assert revised.added == 1
    january = store.frame("ism_pmi", "US")
    january = january[january["date"] == "2026-01-01"]
    assert list(january["value"]) == [52.6, 52.8]
    before = store.frame("ism_pmi", as_of=pd.Timestamp("2026-03-01"))
    assert list(before["value"]) == [52.6]  # neither February nor the revision yet


def test_a_conflicting_value_for_a_stored_vintage_is_reported_and_not_written(store_url):
    store = ObservationStore(store_url)
    store.add(RELEASES)
    clash = store.add(rows(("2026-01-01", 50.0, "2026-02-02")), "other.csv")
    assert clash.added == 0 and len(clash.conflicts) == 1
    assert "stored 52.6, other.csv has 50" in clash.conflicts[0]
    assert store.frame("ism_pmi")["value"].iloc[0] == 52.6


def test_source_checks_are_recorded(store_url):
    store = ObservationStore(store_url)
    assert store.last_checked("fred") is None
    store.checked("fred")
    assert store.last_checked("fred")["status"] == "ok"


def test_a_password_never_sits_in_the_url(monkeypatch):
    with pytest.raises(DatabaseError, match="MONITOR_DB_PASSWORD"):
        make_engine("postgresql+psycopg://monitor:secret@127.0.0.1/monitor")
    monkeypatch.setenv("MONITOR_DB_PASSWORD", "from-the-environment")
    engine = make_engine("postgresql+psycopg://monitor@127.0.0.1/monitor")
    assert engine.url.password == "from-the-environment"
    assert "from-the-environment" not in str(engine.url)


def test_store_and_run_history_share_one_migrated_database(store_url):
    ObservationStore(store_url)
    engine = make_engine(store_url)
    names = set(inspect(engine).get_table_names())
    assert {"observations", "source_checks", "runs", "alembic_version"} <= names


def test_a_changed_value_in_a_later_download_is_a_revision_on_its_day(store_url):
    store = ObservationStore(store_url)
    store.add(RELEASES)
    later = rows(("2026-01-01", 52.9, "2026-02-02"))  # re-downloaded, January changed
    result = store.add(later, "download", revised_on=pd.Timestamp("2026-04-10"))
    assert (result.added, result.conflicts) == (1, [])
    again = store.add(later, "download", revised_on=pd.Timestamp("2026-04-11"))
    assert (again.added, again.unchanged) == (0, 1)  # the revision is stored already
    january = store.frame("ism_pmi")
    january = january[january["date"] == "2026-01-01"]
    published = january["published"].dt.strftime("%Y-%m-%d")
    assert list(zip(january["value"], published, strict=True)) == [
        (52.6, "2026-02-02"),
        (52.9, "2026-04-10"),
    ]
