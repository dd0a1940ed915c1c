"""Chunked evaluation gives the unchunked answers, and keeps only what readers use.

Entities evaluated a chunk at a time must not change a single state, value, date,
stage or score: on both bundled cases (whose US macro series every chunk needs) and
on a synthetic panel, at both evaluation steps, the chunked timeline is compared
cell by cell with the unchunked one at every kept time, and the paths (firing,
pending, stages, score) at every step time.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from monitor.assessment.model import assess
from monitor.core.errors import MissingExtra
from monitor.data.case import load_case
from monitor.engine.chunked import evaluate_chunked, kept_times
from monitor.engine.chunks import PADDING, plan_chunks
from monitor.engine.distributed import runner_for
from monitor.engine.scaling import Scaling
from monitor.engine.steps import DAILY, MONTH_END
from monitor.engine.timeline import Timeline, evaluate, prepare
from monitor.pipeline.inputs import load_inputs

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import synthetic_panel  # noqa: E402


def assert_same(full: Timeline, chunked: Timeline) -> None:
    """Every kept row of every rule frame, and every path, equal to the unchunked run."""
    for name in ("firing", "pending", "stage_active", "contributions"):
        pd.testing.assert_frame_equal(getattr(full, name), getattr(chunked, name))
    pd.testing.assert_series_equal(full.score, chunked.score)
    pd.testing.assert_series_equal(full.stage, chunked.stage)
    for rule_id, want in full.results.items():
        got = chunked.results[rule_id]
        assert got.rows is not None, "a chunked result keeps rows"
        kept = np.flatnonzero(got.rows >= 0)
        pairs = [
            (want.condition, got.condition),
            (want.measure, got.measure),
            (want.table.states, got.table.states),
            (want.table.since, got.table.since),
        ]
        for a, b in pairs:
            pd.testing.assert_frame_equal(a.iloc[kept], b, obj=rule_id)
        assert got.error == want.error


def inputs_for(case: str):  # noqa: ANN201 - the pipeline's Inputs
    return load_inputs(case)


@pytest.mark.parametrize("case", ["telecom-2000", "ai-cycle"])
@pytest.mark.parametrize("step", [MONTH_END, DAILY])
def test_bundled_cases_chunked_equal_unchunked(case: str, step: str) -> None:
    inputs = inputs_for(case)
    c = inputs.case
    end, start = c.latest_date(), c.evaluation_start()
    full = evaluate(c.observations, inputs.ruleset, inputs.registry, end, start, step)
    chunked = evaluate_chunked(
        c.observations, inputs.ruleset, inputs.registry, end, start, step, chunk_size=1
    )
    assert_same(full, chunked)
    # the assessment a report is made of is the same, to the last field
    as_of = full.grid[-1]
    assert assess(chunked, c, as_of).to_json() == assess(full, c, as_of).to_json()


def test_the_us_macro_series_reach_every_chunk() -> None:
    inputs = inputs_for("telecom-2000")
    c = inputs.case
    prepared = prepare(c.observations, inputs.ruleset, inputs.registry, c.latest_date())
    plan = plan_chunks(prepared.frames, chunk_size=1)
    assert len(plan.chunks) == 2  # ENE and WCOM, the two entities sharing every series
    assert "US" in plan.shared  # policy rate, PMI, spreads: one entity each
    assert plan.own(0) >= {"US"} and "US" not in plan.own(1)


@pytest.mark.parametrize("step", [MONTH_END, DAILY])
def test_synthetic_panel_chunked_equal_unchunked(tmp_path: Path, step: str) -> None:
    folder = synthetic_panel.write_panel(tmp_path, 25, 48, 12, seed=3)
    inputs = load_inputs(load_case(str(folder / "case")), [folder / "rules"])
    c = inputs.case
    end = c.latest_date()
    full = evaluate(c.observations, inputs.ruleset, inputs.registry, end, step=step)
    chunked = evaluate_chunked(
        c.observations, inputs.ruleset, inputs.registry, end, step=step, chunk_size=7
    )
    assert_same(full, chunked)
    assert full.firing.to_numpy().any(), "the synthetic rules fire somewhere"
    entities = {str(e) for r in chunked.results.values() for e in r.table.states.columns}
    assert len(entities) == 25 and not entities & set(PADDING)


def test_daily_chunked_results_keep_month_ends_and_the_assessed_dates(tmp_path: Path) -> None:
    folder = synthetic_panel.write_panel(tmp_path, 12, 24, 6, seed=5)
    inputs = load_inputs(load_case(str(folder / "case")), [folder / "rules"])
    c = inputs.case
    end = c.latest_date()
    asked = pd.Timestamp(end) - pd.Timedelta(days=40)
    timeline = evaluate_chunked(
        c.observations,
        inputs.ruleset,
        inputs.registry,
        end,
        step=DAILY,
        chunk_size=4,
        dates=[asked],
    )
    kept = kept_times(timeline.grid, [asked])
    month_ends = int(timeline.grid.is_month_end.sum())
    assert len(timeline.grid) > 600  # two years of days
    # month ends, the as-of day and the asked date (neither a month end here)
    assert len(kept) == month_ends + 2
    for result in timeline.results.values():
        assert len(result.table.states) == len(kept)
        assert len(result.condition) == len(kept)
    with pytest.raises(ValueError, match="not kept"):
        timeline.results[next(iter(timeline.results))].at(1)


def test_scaling_rejects_workers_and_scheduler_together() -> None:
    with pytest.raises(ValueError, match="not both"):
        Scaling(workers=2, scheduler="tcp://127.0.0.1:8786")


def test_missing_dask_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if not installed
    extra = r"bubble-monitor\[dask\]"
    with pytest.raises(MissingExtra, match=extra), runner_for(Scaling(workers=2)):
        pass
