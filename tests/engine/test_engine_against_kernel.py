"""The engine and the benchmark's independent NumPy kernel agree on every firing cell.

``benchmarks/numpy_kernel.py`` implements the documented semantics (point in time,
period and calendar windows, event counts, tolerance, Prometheus states) directly
for the synthetic rule shapes, importing nothing of the product; on a small synthetic
panel both must name the same (rule, entity, time) cells at both evaluation steps.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import bench_engine  # noqa: E402
import numpy_kernel  # noqa: E402
import synthetic_panel  # noqa: E402


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic_panel.write_panel(tmp_path_factory.mktemp("panel"), 25, 48, 12, seed=3)


@pytest.mark.parametrize("step", ["month-end", "daily"])
def test_engine_and_kernel_fire_on_the_same_cells(panel: Path, step: str) -> None:
    timeline = bench_engine.engine_run(panel / "case", panel / "rules", step)
    ours = bench_engine.engine_cells(timeline)
    kernel = numpy_kernel.firing_cells(panel / "case", synthetic_panel.rule_specs(12), step)
    assert ours, "the synthetic rules fire somewhere"
    assert ours == kernel, (sorted(ours - kernel)[:5], sorted(kernel - ours)[:5])
