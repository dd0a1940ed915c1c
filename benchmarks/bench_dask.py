"""Chunks in this process against chunks on a Dask LocalCluster, wall time side by side.

Run: ``python benchmarks/bench_dask.py [--quick] [--json] [--sizes N:T:R ...]
[--workers 1 2] [--chunk-size K] [--step month-end|daily]`` (the ``[dask]`` extra).

A synthetic panel (``synthetic_panel.py``) is validated once; then the same chunked
evaluation runs in process (``in_process``) and on a local cluster of 1, 2, ...
single-threaded worker processes (``dask_runner``). The cluster's start is timed
apart from the evaluation (a long-lived cluster or a remote scheduler pays it once).
Wall seconds (``perf_counter``), since the work happens in other processes. Before a
time is printed, the cluster's firing path must equal the in-process one.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic_panel  # noqa: E402

from monitor.core.optional import require  # noqa: E402
from monitor.data.observations import validate  # noqa: E402
from monitor.engine.chunked import evaluate_chunked, in_process  # noqa: E402
from monitor.engine.distributed import dask_runner  # noqa: E402
from monitor.indicator.registry import load_registry  # noqa: E402
from monitor.rulebook.loader import indicator_infos, load_rules  # noqa: E402

QUICK = ["300:120:6"]
FULL = ["500:240:12", "2000:240:12"]


def measure(size: str, workers: list[int], chunk_size: int, step: str) -> list[dict[str, Any]]:
    distributed = require("distributed", "dask")
    entities, months, rule_count = (int(x) for x in size.split(":"))
    registry = load_registry()
    with tempfile.TemporaryDirectory() as tmp:
        synthetic_panel.write_panel(Path(tmp), 2, 12, rule_count)
        ruleset = load_rules([Path(tmp) / "rules"], indicator_infos(registry))
    observations = validate(synthetic_panel.panel(entities, months), "synthetic").frame
    end = observations["published"].max()
    args = (observations, ruleset, registry, end)

    def run(runner: Any) -> tuple[float, Any]:
        began = time.perf_counter()
        timeline = evaluate_chunked(*args, step=step, chunk_size=chunk_size, runner=runner)
        return time.perf_counter() - began, timeline

    base_s, base = run(in_process)
    row = {"size": size, "observations": len(observations), "step": step}
    rows = [{**row, "runner": "in process", "workers": 0, "start_s": 0.0, "wall_s": base_s}]
    for count in workers:
        began = time.perf_counter()
        with (
            distributed.LocalCluster(
                n_workers=count, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            start_s = time.perf_counter() - began
            wall_s, timeline = run(dask_runner(client))
        if not timeline.firing.equals(base.firing):
            raise SystemExit(f"{size}: {count} workers and one process disagree")
        cluster_row = {"runner": "LocalCluster", "workers": count, "start_s": start_s}
        rows.append({**row, **cluster_row, "wall_s": wall_s})
    for r in rows:
        r["over_in_process"] = round(r["wall_s"] / base_s, 2)
        r["start_s"], r["wall_s"] = round(r["start_s"], 2), round(r["wall_s"], 2)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one small size, under a minute")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--sizes", nargs="*", help="N:T:R sizes instead of the defaults")
    parser.add_argument("--workers", nargs="*", type=int, default=[1, 2])
    parser.add_argument("--chunk-size", type=int, default=250)
    parser.add_argument("--step", default="month-end", choices=["month-end", "daily"])
    args = parser.parse_args()
    rows = []
    for size in args.sizes or (QUICK if args.quick else FULL):
        for row in measure(size, args.workers, args.chunk_size, args.step):
            rows.append(row)
            print(
                f"{row['size']:>12} {row['step']:>9} {row['observations']:>9} obs  "
                f"{row['runner']:>12} {row['workers']} workers  start {row['start_s']:6.2f}s  "
                f"evaluate {row['wall_s']:7.2f}s ({row['over_in_process']:.2f}x in process)",
                flush=True,
                file=sys.stderr if args.json else sys.stdout,
            )
    if args.json:
        print(json.dumps({"rows": rows, "cpus": os.cpu_count()}, indent=2))


if __name__ == "__main__":
    main()
