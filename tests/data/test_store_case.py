"""A store-backed case read from the store now, or as it stood at a past row id.

Runs on SQLite always and on PostgreSQL where ``MONITOR_TEST_POSTGRES_URL`` names a
server (``.ci/run`` starts one; under CI a missing server fails instead of skipping),
since "rows recorded after the run are excluded" rests on the database's row ids.
ISM releases as bundled in ai-cycle (2026-01 52.6 published 2026-02-02, 2026-02 52.4
published 2026-03-02); the revision is hypothetical, for the test.
"""

from __future__ import annotations

import pandas as pd

from monitor.assessment.freshness import series_freshness
from monitor.data.observations import validate
from monitor.data.store import ObservationStore
from monitor.data.storecase import StoreCaseSpec, load_store_case


def rows(series: str, *items: tuple[str, float, str]):
    raw = pd.DataFrame(
        [
            {"series": series, "entity": "US", "date": d, "value": str(v), "published": p,
             "unit": "index", "source": "ISM"}
            for d, v, p in items
        ]
    )  # fmt: skip
    return validate(raw, "test")


SPEC = StoreCaseSpec(
    name="pmi-live",
    title="PMI on live data",
    description="",
    series={"ism_pmi": {"from": "pmi", "unit": "index", "frequency": "monthly"}},
    sources=[],
)


def test_a_past_snapshot_leaves_out_rows_recorded_later(store_url, monkeypatch):
    monkeypatch.setenv("MONITOR_TODAY", "2026-03-10")
    store = ObservationStore(store_url)
    store.add(rows("pmi", ("2026-01-01", 52.6, "2026-02-02"), ("2026-02-01", 52.4, "2026-03-02")))
    store.add(rows("other", ("2026-01-01", 1.0, "2026-02-02")))  # not a series of the case
    then = load_store_case(SPEC, store)
    assert then.as_of == pd.Timestamp("2026-03-10")  # judged today
    assert then.snapshot is not None and then.snapshot["rows"] == 2
    assert list(then.observations["series"].unique()) == ["ism_pmi"]  # read from "pmi"
    store.add(rows("pmi", ("2026-01-01", 52.8, "2026-03-05")))  # a later revision
    now = load_store_case(SPEC, store)
    assert now.snapshot is not None and now.snapshot["rows"] == 3
    again = load_store_case(SPEC, store, upto_id=then.snapshot["max_id"])
    assert again.snapshot == then.snapshot  # same rows, same digest
    assert list(again.observations["value"]) == [52.6, 52.4]


def test_a_live_decision_series_counts_from_its_last_successful_check(store_url):
    store = ObservationStore(store_url)
    store.add(rows("target", ("2025-12-10", 3.75, "2025-12-10")))
    spec = StoreCaseSpec(
        name="fed-live",
        title="Fed",
        description="",
        series={"target": {"unit": "%", "frequency": "event", "decision": True}},
        sources=[],
    )
    as_of = pd.Timestamp("2026-03-10")
    checked = load_store_case(spec, store, {"target": pd.Timestamp("2026-03-09")})
    [fresh] = series_freshness(checked, as_of)
    assert (fresh["age_days"], fresh["stale"], fresh["checked"]) == (1, False, "2026-03-09")
    never = load_store_case(spec, store, {})  # its source only failed: since 2025-12-10
    [old] = series_freshness(never, as_of)
    assert (old["age_days"], old["stale"]) == (90, True)
