"""Peak memory of validating and evaluating a universe: unchunked against chunked.

Run: ``python benchmarks/bench_memory.py [--quick] [--json] [--sizes N:T:R ...]
[--chunk-size K] [--modes unchunked chunked] [--steps month-end daily]``.

Each measurement runs in a fresh interpreter (so one peak never inherits another's
heap) on a synthetic panel (``synthetic_panel.py``) held as text rows, the way a CSV
reader hands them over; reading the CSV files themselves is the loader's part and is
timed by its own benchmark. Phases, each with its own peak (``tracemalloc``, which
sees NumPy and pandas buffers):

- **validate**: ``monitor.data.observations.validate`` (parsing, pandera, quarantine);
- **evaluate**: the indicators and every rule at every step time, unchunked
  (``engine.timeline.evaluate``) or in chunks of ``--chunk-size`` entities
  (``engine.chunked.evaluate_chunked``), the timeline kept as a run keeps it.

Also printed: the process's peak resident set (``ru_maxrss``, everything included)
and CPU seconds of the evaluation. Before a chunked peak is printed, its firing path
must equal the unchunked one wherever both were run at one size.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic_panel  # noqa: E402

from monitor.data.observations import validate  # noqa: E402
from monitor.engine.chunked import evaluate_chunked  # noqa: E402
from monitor.engine.timeline import evaluate  # noqa: E402
from monitor.indicator.registry import load_registry  # noqa: E402
from monitor.rulebook.loader import indicator_infos, load_rules  # noqa: E402

QUICK = ["200:120:6"]
FULL = ["300:360:5", "1000:360:5", "8550:360:5"]  # ~0.35 M, 1.2 M, 10 M observations
MB = 2**20


def _rules(folder: Path, count: int) -> Path:
    """The synthetic rule folder (the panel's data is generated in memory instead)."""
    synthetic_panel.write_panel(folder, 2, 12, count)
    return folder / "rules"


def one(size: str, step: str, mode: str, chunk_size: int) -> dict[str, Any]:
    """One measurement, in this process (the parent runs each in a fresh one)."""
    entities, months, rule_count = (int(x) for x in size.split(":"))
    registry = load_registry()
    with tempfile.TemporaryDirectory() as tmp:
        ruleset = load_rules([_rules(Path(tmp), rule_count)], indicator_infos(registry))
    raw = synthetic_panel.panel(entities, months)
    rows = len(raw)
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    checked = validate(raw, "synthetic")
    validate_peak = tracemalloc.get_traced_memory()[1] - base
    observations = checked.frame if hasattr(checked, "frame") else checked[0]
    del raw, checked
    end = observations["published"].max()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    began = time.process_time()
    if mode == "unchunked":
        timeline = evaluate(observations, ruleset, registry, end=end, step=step)
    else:
        timeline = evaluate_chunked(
            observations, ruleset, registry, end=end, step=step, chunk_size=chunk_size
        )
    seconds = time.process_time() - began
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    firing = timeline.firing.to_numpy()
    return {
        "size": size,
        "entities": entities,
        "months": months,
        "rules": rule_count,
        "observations": rows,
        "step": step,
        "mode": mode,
        "chunk_size": chunk_size if mode == "chunked" else None,
        "validate_peak_mb": round(validate_peak / MB, 1),
        "evaluate_peak_mb": round((peak - base) / MB, 1),
        "timeline_kept_mb": round((current - base) / MB, 1),
        "evaluate_mb_per_million": round((peak - base) / MB / (rows / 1e6), 1),
        "process_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "evaluate_cpu_s": round(seconds, 2),
        "firing_digest": int(np.packbits(firing).sum()) if firing.size else 0,
        "firing_cells": int(firing.sum()),
    }


def _line(row: dict[str, Any]) -> str:
    mode = row["mode"] + (f" {row['chunk_size']}" if row["chunk_size"] else "")
    return (
        f"{row['size']:>12} {row['step']:>9} {mode:>13} {row['observations']:>9} obs  "
        f"validate {row['validate_peak_mb']:7.1f} MB  evaluate {row['evaluate_peak_mb']:7.1f} MB"
        f" ({row['evaluate_mb_per_million']:6.1f} MB/M obs, kept {row['timeline_kept_mb']:6.1f})"
        f"  rss {row['process_peak_rss_mb']:7.1f} MB  cpu {row['evaluate_cpu_s']:7.2f}s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one small size, under a minute")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--sizes", nargs="*", help="N:T:R sizes instead of the defaults")
    parser.add_argument("--chunk-size", type=int, default=250)
    parser.add_argument("--modes", nargs="*", default=["unchunked", "chunked"])
    parser.add_argument("--steps", nargs="*", default=["month-end", "daily"])
    parser.add_argument("--one", nargs=3, metavar=("SIZE", "STEP", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(*args.one, args.chunk_size)))
        return
    sizes = args.sizes or (QUICK if args.quick else FULL)
    rows = []
    for size in sizes:
        for step in args.steps:
            seen: dict[str, dict[str, Any]] = {}
            for mode in args.modes:
                command = [sys.executable, __file__, "--one", size, step, mode]
                command += ["--chunk-size", str(args.chunk_size)]
                done = subprocess.run(command, capture_output=True, text=True, check=False)
                if done.returncode != 0:
                    print(f"{size} {step} {mode}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
                    continue
                row = json.loads(done.stdout.strip().splitlines()[-1])
                seen[mode] = row
                if len(seen) == 2:
                    a, b = seen.values()
                    keys = ("firing_digest", "firing_cells")
                    if any(a[k] != b[k] for k in keys):
                        raise SystemExit(f"{size} {step}: chunked and unchunked firing differ")
                rows.append(row)
                print(_line(row), flush=True, file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps({"rows": rows}, indent=2))


if __name__ == "__main__":
    main()
