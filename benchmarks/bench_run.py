"""``monitor run`` on the bundled default, phase by phase, with and without the file cache.

Run: ``python benchmarks/bench_run.py [--quick] [--json] [--repeat N] [--case NAME]``.

In process (imports warm; the process's own caches cleared before each run, as a new
``monitor run`` starts without them; a fresh output folder each time), every run is
split into phases by wrapping the functions that do them, each second counted once,
in the innermost phase running (so ``load`` excludes the validation inside it):

- ``load``       case files and metadata, indicator plugins, rule files
- ``validate``   observation validation (pandera and the loader's checks)
- ``indicators`` indicator computation (the run's, and the 2000 case's when uncached)
- ``evaluate``   the timeline and the assessment read from it (and the 2000 peak's)
- ``context``    the rest of changes, analogies and the calibration against 2000
- ``render``     charts and templates
- ``write``      the archive: JSON, CSVs, index, latest, written atomically
- ``other``      the rest of ``run()``

``uncached`` runs with ``MONITOR_CACHE_DIR=off``; ``cached`` with it set to a folder
warmed by one run first. Then, as a user sees them, in fresh processes (median wall
seconds, and the child's CPU seconds): ``monitor --help``, ``monitor run`` uncached and
cached, against the start of a bare interpreter (``python -c pass``) as the in-run
baseline. Targets (issue 10):
``monitor run`` under 3 s wall, ``monitor --help`` under 0.2 s. Not a test: the
numbers depend on the machine (and on whoever else is using it).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PHASES = ("load", "validate", "indicators", "evaluate", "context", "render", "write", "other")
WRAPPED = [  # (module, attribute, phase): what each phase is made of
    ("monitor.pipeline.publish", "load_inputs", "load"),
    ("monitor.assessment.analogies", "load_case", "load"),
    ("monitor.data.observations", "validate", "validate"),
    ("monitor.engine.timeline", "compute_indicators", "indicators"),
    ("monitor.assessment.analogies", "compute_indicators", "indicators"),
    ("monitor.pipeline.publish", "assess_inputs", "evaluate"),
    ("monitor.pipeline.calibration", "evaluate", "evaluate"),
    ("monitor.pipeline.publish", "add_report_context", "context"),
    ("monitor.pipeline.publish", "render_report", "render"),
    ("monitor.pipeline.publish", "publish", "write"),
]
RUN_TARGET_S, HELP_TARGET_S = 3.0, 0.2


class PhaseClock:
    """Exclusive CPU and wall seconds per phase: a nested phase's time leaves its parent."""

    def __init__(self) -> None:
        self.cpu = dict.fromkeys(PHASES, 0.0)
        self.wall = dict.fromkeys(PHASES, 0.0)
        self.stack: list[str] = []

    def wrap(self, phase: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            cpu, wall = time.process_time(), time.perf_counter()
            parent = self.stack[-1] if self.stack else "other"
            self.stack.append(phase)
            try:
                return fn(*args, **kwargs)
            finally:
                self.stack.pop()
                spent_cpu, spent_wall = time.process_time() - cpu, time.perf_counter() - wall
                self.cpu[phase] += spent_cpu
                self.wall[phase] += spent_wall
                self.cpu[parent] -= spent_cpu
                self.wall[parent] -= spent_wall

        return timed


@contextmanager
def phases(clock: PhaseClock):  # type: ignore[no-untyped-def]
    saved = []
    for module_name, attribute, phase in WRAPPED:
        module = importlib.import_module(module_name)
        original = getattr(module, attribute)
        saved.append((module, attribute, original))
        setattr(module, attribute, clock.wrap(phase, original))
    try:
        yield
    finally:
        for module, attribute, original in saved:
            setattr(module, attribute, original)


def fresh_process() -> None:
    """Forget the in-process caches, as a new ``monitor run`` process starts without them."""
    from monitor.assessment import analogies
    from monitor.pipeline import calibration

    analogies._CACHE.clear()
    calibration._CACHE.clear()


def one_run(case: str) -> PhaseClock:
    from monitor.pipeline import run

    fresh_process()
    clock = PhaseClock()
    out = Path(tempfile.mkdtemp(prefix="bench-run-"))
    try:
        with phases(clock):
            cpu, wall = time.process_time(), time.perf_counter()
            run(case, out_dir=out)
            clock.cpu["other"] += time.process_time() - cpu
            clock.wall["other"] += time.perf_counter() - wall
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return clock


def in_process(case: str, repeat: int, cache: Path | None) -> dict[str, Any]:
    if cache is None:
        os.environ["MONITOR_CACHE_DIR"] = "off"
    else:
        os.environ["MONITOR_CACHE_DIR"] = str(cache)
        one_run(case)  # warm the cache
    clocks = [one_run(case) for _ in range(repeat)]
    os.environ["MONITOR_CACHE_DIR"] = "off"
    cpu = {p: statistics.median(c.cpu[p] for c in clocks) for p in PHASES}
    wall = {p: statistics.median(c.wall[p] for c in clocks) for p in PHASES}
    return {
        "cpu_s": {p: round(v, 3) for p, v in cpu.items()},
        "wall_s": {p: round(v, 3) for p, v in wall.items()},
        "total_cpu_s": round(statistics.median(sum(c.cpu.values()) for c in clocks), 3),
        "total_wall_s": round(statistics.median(sum(c.wall.values()) for c in clocks), 3),
    }


def wall(command: list[str], repeat: int, env: dict[str, str] | None = None) -> list[float]:
    """Median wall seconds and median CPU seconds (user + system) of the child process."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        walls.append(time.perf_counter() - began)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return [round(statistics.median(walls), 3), round(statistics.median(cpus), 3)]


def processes(case: str, repeat: int, cache: Path) -> dict[str, list[float]]:
    monitor = shutil.which("monitor") or str(Path(sys.executable).with_name("monitor"))
    out = Path(tempfile.mkdtemp(prefix="bench-run-cli-"))
    plain = {**os.environ, "MONITOR_CACHE_DIR": "off"}
    cached = {**plain, "MONITOR_CACHE_DIR": str(cache)}
    run = [monitor, "run", "--case", case, "--out", str(out)]
    try:
        return {
            "python_c_pass_s": wall([sys.executable, "-c", "pass"], max(3, repeat)),
            "help_s": wall([monitor, "--help"], max(3, repeat)),
            "run_uncached_s": wall(run, repeat, plain),
            "run_cached_s": wall(run, repeat, cached),
        }
    finally:
        shutil.rmtree(out, ignore_errors=True)


def report(result: dict[str, Any]) -> None:
    uncached, cached = result["uncached"], result["cached"]
    print(f"monitor run --case {result['case']}, in process (CPU s, median of {result['repeat']})")
    print(f"{'phase':<11} {'uncached':>9} {'cached':>9}")
    for phase in PHASES:
        print(f"{phase:<11} {uncached['cpu_s'][phase]:9.3f} {cached['cpu_s'][phase]:9.3f}")
    ratio = uncached["total_cpu_s"] / cached["total_cpu_s"]
    print(f"{'total':<11} {uncached['total_cpu_s']:9.3f} {cached['total_cpu_s']:9.3f}"
          f"   cached is {ratio:.2f}x faster")  # fmt: skip
    cli = result["processes"]
    base = cli["python_c_pass_s"][0]
    print("fresh processes (median wall s and CPU s), wall against python -c pass:")
    for name, target in (("help_s", HELP_TARGET_S), ("run_uncached_s", RUN_TARGET_S),
                         ("run_cached_s", RUN_TARGET_S)):  # fmt: skip
        seconds, cpu = cli[name]
        verdict = "ok" if seconds < target else "OVER"
        print(f"  {name:<15} wall {seconds:6.2f}  cpu {cpu:6.2f}  {seconds / base:5.1f}x baseline"
              f"  target < {target:g} s wall: {verdict}")  # fmt: skip
    print(f"  {'python_c_pass_s':<15} wall {base:6.2f}  cpu {cli['python_c_pass_s'][1]:6.2f}")
    print("(a shared machine stretches wall time; CPU seconds show what a run costs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run per measurement")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--case", default="ai-cycle", help="the case (default: the bundled one)")
    args = parser.parse_args()
    repeat = 1 if args.quick else args.repeat
    os.environ.setdefault("MONITOR_TODAY", "2026-01-05")  # the same day for every run
    cache = Path(tempfile.mkdtemp(prefix="bench-run-cache-"))
    try:
        result = {
            "case": args.case,
            "repeat": repeat,
            "uncached": in_process(args.case, repeat, None),
            "cached": in_process(args.case, repeat, cache),
            "processes": processes(args.case, repeat, cache),
        }
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        report(result)


if __name__ == "__main__":
    main()
