"""The engine against a hand-written NumPy kernel and a per-date loop, side by side.

Run: ``python benchmarks/bench_engine.py [--quick] [--json] [--sizes N:T:R ...]``.

For each size (entities x months x rules) a synthetic panel is written as a case
folder and a rule folder (``synthetic_panel.py``), then, at both evaluation steps:

- **engine**: ``load_case`` + ``evaluate`` (CSV in, firing cells out);
- **kernel**: ``numpy_kernel.py``, the same semantics written directly in NumPy for
  these rule shapes, from the same CSV files; the baseline the ratios are against;
- **loop**: what hand-written backtests do, the pipeline re-run for each step date
  with data up to it; timed on a few dates and extrapolated to all of them.

Before any time is printed, engine and kernel must agree on every firing cell, and
the loop on every sampled date. CPU seconds (``process_time``), median of
``--repeat`` runs; peak memory of each engine run from ``tracemalloc``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy_kernel  # noqa: E402
import synthetic_panel  # noqa: E402

from monitor.data.case import load_case  # noqa: E402
from monitor.engine.states import AlertState  # noqa: E402
from monitor.engine.timeline import Timeline, evaluate  # noqa: E402
from monitor.indicator.registry import load_registry  # noqa: E402
from monitor.rulebook.loader import indicator_infos, load_rules  # noqa: E402

QUICK = ["30:60:6", "60:60:6", "30:120:6", "30:60:12"]
FULL = [
    "100:120:12", "300:120:12", "1000:120:12",
    "100:60:12", "100:240:12", "100:360:12",
    "100:120:6", "100:120:24", "100:120:40",
    "1000:360:40",
]  # fmt: skip
STEPS = ("month-end", "daily")


def cpu(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        began = time.process_time()
        result = fn()
        times.append(time.process_time() - began)
    return statistics.median(times), result


def engine_run(case: Path, rules: Path, step: str, end: pd.Timestamp | None = None) -> Timeline:
    loaded = load_case(str(case))
    registry = load_registry()
    ruleset = load_rules([rules], indicator_infos(registry))
    end = end if end is not None else loaded.observations["published"].max()
    return evaluate(loaded.observations, ruleset, registry, end=end, step=step)


def engine_cells(timeline: Timeline) -> set[tuple[str, str, int]]:
    cells: set[tuple[str, str, int]] = set()
    days = timeline.grid.to_numpy().astype("datetime64[D]").astype(np.int64)
    for rule_id, result in timeline.results.items():
        states = result.table.states
        rows, cols = np.nonzero(states.to_numpy() == int(AlertState.FIRING))
        names = [str(c) for c in states.columns]
        cells.update((rule_id, names[c], int(days[r])) for r, c in zip(rows, cols, strict=True))
    return cells


def loop_run(case: Path, rules: Path, step: str, grid: pd.DatetimeIndex, sample: int):
    """Seconds per date of a re-run per date, and the states it saw, on ``sample`` dates."""
    picked = grid[:: max(1, len(grid) // sample)][:sample]
    seen: dict[pd.Timestamp, dict[str, np.ndarray]] = {}
    began = time.process_time()
    for day in picked:
        timeline = engine_run(case, rules, step, end=day)
        seen[day] = {r: res.table.states.iloc[-1].to_dict() for r, res in timeline.results.items()}
    return (time.process_time() - began) / len(picked), seen


def observations_in(case: Path) -> int:
    return sum(max(0, sum(1 for _ in open(p, encoding="utf-8")) - 1) for p in case.glob("*.csv"))


def measure(size: str, repeat: int, loop_sample: int, quiet: bool) -> list[dict[str, Any]]:
    entities, months, rule_count = (int(x) for x in size.split(":"))
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = synthetic_panel.write_panel(Path(tmp), entities, months, rule_count)
        case, rules = folder / "case", folder / "rules"
        specs = synthetic_panel.rule_specs(rule_count)
        rows = observations_in(case)
        for step in STEPS:
            tracemalloc.start()
            engine_s, timeline = cpu(lambda: engine_run(case, rules, step), repeat)  # noqa: B023
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            kernel_s, kernel = cpu(
                lambda: numpy_kernel.firing_cells(case, specs, step),  # noqa: B023
                repeat,
            )
            ours = engine_cells(timeline)
            if ours != kernel:
                only_engine, only_kernel = sorted(ours - kernel)[:5], sorted(kernel - ours)[:5]
                raise SystemExit(
                    f"{size} {step}: engine and kernel disagree on "
                    f"{len(ours ^ kernel)} cells; engine only {only_engine}, "
                    f"kernel only {only_kernel}"
                )
            row: dict[str, Any] = {
                "size": size, "entities": entities, "months": months, "rules": rule_count,
                "observations": rows, "step": step, "engine_s": round(engine_s, 3),
                "kernel_s": round(kernel_s, 3), "engine_over_kernel": round(engine_s / kernel_s, 2),
                "engine_peak_mb": round(peak / 2**20, 1), "firing_cells": len(ours),
            }  # fmt: skip
            if loop_sample and step == "month-end":
                per_date, seen = loop_run(case, rules, step, timeline.grid, loop_sample)
                for day, states in seen.items():
                    pos = timeline.position(day)
                    for rule_id, codes in states.items():
                        full = timeline.results[rule_id].table.states.iloc[pos].to_dict()
                        known = {e: int(c) for e, c in full.items() if int(c) or e in codes}
                        if known != {e: int(c) for e, c in codes.items()}:
                            raise SystemExit(f"{size}: the loop disagrees at {day.date()}")
                loop_s = per_date * len(timeline.grid)
                row["loop_s"] = round(loop_s, 1)
                row["loop_over_engine"] = round(loop_s / engine_s, 1)
            out.append(row)
            print(_line(row), flush=True, file=sys.stderr if quiet else sys.stdout)
    return out


def _line(row: dict[str, Any]) -> str:
    loop = (
        f"  loop {row['loop_s']:8.1f}s ({row['loop_over_engine']:.0f}x)" if "loop_s" in row else ""
    )
    return (
        f"{row['size']:>12} {row['step']:>9} {row['observations']:>9} obs  engine "
        f"{row['engine_s']:7.2f}s  kernel {row['kernel_s']:7.2f}s  ratio "
        f"{row['engine_over_kernel']:5.2f}  peak {row['engine_peak_mb']:7.1f} MB{loop}"
    )


def growth(rows: list[dict[str, Any]], axis: str) -> dict[str, float]:
    """Fitted exponent of engine time in ``axis`` (entities, months or rules), per step."""
    out = {}
    for step in STEPS:
        points = [(r[axis], r["engine_s"]) for r in rows if r["step"] == step]
        others = {k for k in ("entities", "months", "rules") if k != axis}
        base = [r for r in rows if r["step"] == step]
        groups: dict[tuple[int, ...], list[tuple[int, float]]] = {}
        for r in base:
            groups.setdefault(tuple(r[k] for k in sorted(others)), []).append(
                (r[axis], r["engine_s"])
            )
        series = max(groups.values(), key=len) if groups else points
        if len(series) >= 2:
            x = np.log([p[0] for p in series])
            y = np.log([max(p[1], 1e-6) for p in series])
            out[step] = round(float(np.polyfit(x, y, 1)[0]), 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, under a minute")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--sizes", nargs="*", help="N:T:R sizes instead of the defaults")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (median)")
    parser.add_argument("--loop-dates", type=int, default=3, help="dates the loop is timed on")
    args = parser.parse_args()
    sizes = args.sizes or (QUICK if args.quick else FULL)
    rows = [row for size in sizes for row in measure(size, args.repeat, args.loop_dates, args.json)]
    summary = {axis: growth(rows, axis) for axis in ("entities", "months", "rules")}
    if args.json:
        print(json.dumps({"rows": rows, "growth_exponents": summary}, indent=2))
    else:
        print("growth exponents of engine time:", summary)


if __name__ == "__main__":
    main()
