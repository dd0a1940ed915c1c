"""One telecom-2000 backtest (120 month ends) against one ``monitor run``, side by side.

Run: ``python benchmarks/bench_backtest.py [--repeat N]``. Not a test: timings depend on
the machine, so the target (a backtest takes at most twice the wall time of a single
run on the same case) is printed as a ratio, not asserted. Both are timed in this same
process with warm imports, best of N, alternating so that neither gets a warmer cache:

- ``run``       ``monitor.pipeline.run`` as of 2003-12-31: load, evaluate, assess, publish
- ``backtest``  ``monitor.pipeline.backtest.backtest`` 1994-01 .. 2003-12 at month ends:
                load, one timeline, the model (every step scored), its report, written
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--step", default="daily", help="the run's step (month-end or daily)")
    args = parser.parse_args()

    from monitor.pipeline import run
    from monitor.pipeline.backtest import backtest

    out = Path(tempfile.mkdtemp(prefix="bench-backtest-"))
    run("telecom-2000", as_of="2003-12-31", out_dir=out / "warm")  # warm imports and caches
    runs, backtests = [], []
    model = None
    for i in range(args.repeat):
        start = time.perf_counter()
        run("telecom-2000", as_of="2003-12-31", out_dir=out / f"run{i}", step=args.step)
        runs.append(time.perf_counter() - start)
        start = time.perf_counter()
        model = backtest("telecom-2000", end="2003-12-31", out_dir=out / f"bt{i}").model
        backtests.append(time.perf_counter() - start)
    assert model is not None
    steps = len(model.timeline)
    best_run, best_bt = min(runs), min(backtests)
    ratio = best_bt / best_run
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    print(f"monitor run (telecom-2000, as of 2003-12-31, step {args.step}): {best_run:.3f} s")
    print(f"backtest ({steps} month ends, 1994-01 .. 2003-12):            {best_bt:.3f} s")
    print(f"ratio backtest / run: {ratio:.2f} ({verdict} the target of {TARGET_RATIO:g}x)")


if __name__ == "__main__":
    main()
