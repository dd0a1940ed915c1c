"""Chunks as tasks on a 2-worker Dask cluster give the answers of one process.

The workers are separate processes, each started in its own working folder
(``local_directory``), and the case folder is deleted before the chunks run: a task
must carry its rules and data with it, as it must to reach a machine that shares no
filesystem with the client.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from monitor.data.case import load_case
from monitor.engine.chunked import evaluate_chunked
from monitor.engine.distributed import dask_runner
from monitor.engine.steps import DAILY, MONTH_END
from monitor.pipeline.inputs import load_inputs

distributed = pytest.importorskip("distributed")

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import synthetic_panel  # noqa: E402


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    folders = [tmp_path_factory.mktemp(f"worker{i}") for i in range(2)]
    workers = {
        f"w{i}": {
            "cls": distributed.Nanny,
            "options": {"nthreads": 1, "local_directory": str(folder)},
        }
        for i, folder in enumerate(folders)
    }
    scheduler = {"cls": distributed.Scheduler, "options": {"dashboard_address": None}}
    with (
        distributed.SpecCluster(workers=workers, scheduler=scheduler) as cluster,
        distributed.Client(cluster) as c,
    ):
        c.wait_for_workers(2)
        dirs = c.run(lambda dask_worker: dask_worker.local_directory)
        assert len(set(dirs.values())) == 2, "each worker has its own working folder"
        assert all(any(str(f) in d for f in folders) for d in dirs.values())
        yield c


@pytest.mark.parametrize("step", [MONTH_END, DAILY])
def test_two_workers_equal_one_process(client: Any, tmp_path: Path, step: str) -> None:
    folder = synthetic_panel.write_panel(tmp_path / "panel", 20, 36, 12, seed=11)
    inputs = load_inputs(load_case(str(folder / "case")), [folder / "rules"])
    shutil.rmtree(folder)  # nothing on disk for a worker to read
    c = inputs.case
    end = c.latest_date()
    args = (c.observations, inputs.ruleset, inputs.registry, end)
    here = evaluate_chunked(*args, step=step, chunk_size=5)
    with distributed.get_task_stream(client) as stream:
        there = evaluate_chunked(*args, step=step, chunk_size=5, runner=dask_runner(client))
    assert len(stream.data) == 4  # 20 entities in chunks of 5, one task each
    assert len({task["worker"] for task in stream.data}) == 2, "both workers evaluated chunks"
    pd.testing.assert_frame_equal(here.firing, there.firing)
    pd.testing.assert_series_equal(here.score, there.score)
    for rule_id, want in here.results.items():
        got = there.results[rule_id]
        pd.testing.assert_frame_equal(want.table.states, got.table.states)
        pd.testing.assert_frame_equal(want.table.since, got.table.since)
        pd.testing.assert_frame_equal(want.measure, got.measure)
        pd.testing.assert_frame_equal(want.last_true, got.last_true)
    assert here.firing.to_numpy().any()


def test_bundled_case_on_two_workers(client: Any) -> None:
    inputs = load_inputs("ai-cycle")  # the US and market series reach both chunks
    c = inputs.case
    args = (c.observations, inputs.ruleset, inputs.registry, c.latest_date())
    here = evaluate_chunked(*args, start=c.evaluation_start(), step=DAILY, chunk_size=1)
    there = evaluate_chunked(
        *args, start=c.evaluation_start(), step=DAILY, chunk_size=1, runner=dask_runner(client)
    )
    pd.testing.assert_frame_equal(here.firing, there.firing)
    pd.testing.assert_frame_equal(here.stage_active, there.stage_active)
    for rule_id, want in here.results.items():
        pd.testing.assert_frame_equal(want.table.states, there.results[rule_id].table.states)
