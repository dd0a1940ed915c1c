"""Why the evaluator is vectorised: one timeline against a per-date loop, same run.

Run: ``python benchmarks/bench_evaluate.py [--dates N]``. A backtest needs the
assessment at every month end. The evaluator computes every rule, entity and day in
one pass; the naive alternative re-runs the pipeline once per date with the data cut
off there. Both are timed here on the bundled telecom-2000 case and the ratio is
printed (the baseline is the loop, measured in this same process), so the figure is
comparable across machines. The loop is timed on ``--dates`` month ends and scaled to
all of them; the two answers are also checked to agree on those dates.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from monitor.data.case import load_case
from monitor.engine.timeline import evaluate
from monitor.indicator.registry import load_registry
from monitor.pipeline import load_ruleset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dates", type=int, default=12, help="month ends timed in the loop")
    args = parser.parse_args()

    case = load_case("telecom-2000")
    registry = load_registry()
    ruleset = load_ruleset(registry)
    observations = case.observations
    start, end = case.evaluation_start(), case.latest_date()  # history series do not start it
    month_ends = pd.date_range(start, end, freq="ME")

    began = time.perf_counter()
    timeline = evaluate(observations, ruleset, registry, end=end, start=start)
    stages = timeline.stage.reindex(month_ends, method="ffill")
    vectorised = time.perf_counter() - began

    sample = month_ends[:: max(1, len(month_ends) // args.dates)][: args.dates]
    began = time.perf_counter()
    looped = {}
    for as_of in sample:
        cut = evaluate(observations, ruleset, registry, end=as_of, start=start)
        looped[as_of] = int(cut.stage.iloc[-1])
    per_date = (time.perf_counter() - began) / len(sample)
    loop_total = per_date * len(month_ends)

    disagreements = [d for d in sample if looped[d] != int(stages.loc[d])]
    print(f"month ends evaluated:        {len(month_ends)}")
    print(f"vectorised timeline:         {vectorised:8.2f} s")
    print(
        f"per-date loop (baseline):    {loop_total:8.2f} s  ({per_date:.2f} s a date, "
        f"timed on {len(sample)} dates)"
    )
    print(f"ratio timeline / loop:       {vectorised / loop_total:8.3f}  (lower is better)")
    print(f"speed-up:                    {loop_total / vectorised:8.1f}x")
    print(f"stage disagreements:         {len(disagreements)} of {len(sample)} sampled dates")


if __name__ == "__main__":
    main()
