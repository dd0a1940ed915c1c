"""An evaluation on stored data with a revised value uses, at each date, the value
published by then (the store keeps both vintages)."""

from __future__ import annotations

import pandas as pd

from monitor.data.case import Case
from monitor.data.observations import ValidatedObservations, validate
from monitor.data.store import ObservationStore
from monitor.pipeline import assess_case


def pmi(month: str, value: float, published: str) -> dict[str, str]:
    return {
        "series": "ism_pmi",
        "entity": "US",
        "date": month,
        "value": str(value),
        "published": published,
        "unit": "index",
        "source": "ISM",
    }


def test_a_revision_counts_only_from_its_publication(tmp_path):
    store = ObservationStore(f"sqlite:///{tmp_path / 'store.db'}")
    # the bundled 2025-11 PMI as first published, and a hypothetical later revision
    store.add(validate(pd.DataFrame([pmi("2025-11-01", 48.2, "2025-12-01")]), "first"))
    store.add(validate(pd.DataFrame([pmi("2025-11-01", 50.5, "2025-12-20")]), "revised"))
    case = Case(
        name="stored",
        title="stored",
        description="",
        path=tmp_path,
        as_of=pd.Timestamp("2025-12-31"),
        entities={"US": {"name": "US"}},
        series={"ism_pmi": {"unit": "index", "frequency": "monthly"}},
        crisis_events=[],
        data=ValidatedObservations(store.frame()),
    )
    before = assess_case(case, pd.Timestamp("2025-12-10")).assessment
    after = assess_case(case, pd.Timestamp("2025-12-31")).assessment
    rule = "pmi-contraction"
    value = {a.as_of: next(r.value for r in a.rules if r.id == rule) for a in (before, after)}
    assert value == {"2025-12-10": 48.2, "2025-12-31": 50.5}
