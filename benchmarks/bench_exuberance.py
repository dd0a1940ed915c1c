"""What the exuberance indicators cost, and the size of the test, in one run.

Run: ``python benchmarks/bench_exuberance.py [--series N]``.

* Cost. The BSADF path of the bundled monthly Nasdaq (telecom-2000: 372 months from
  1973; ai-cycle: 662 months from 1971) by the recursive prefix-sum OLS of
  indicators/exuberance_stats.py, against the baseline of one least-squares regression
  per window (numpy lstsq), timed in this same process so the ratio is comparable
  across machines; then the indicator through the registry with the data-fingerprint
  cache cold and warm (``MONITOR_CACHE_DIR`` pointed at a temporary folder).
* Size. ``--series`` random walks of 372 months (drift 1/T, seeds independent of the
  table's): the share whose GSADF exceeds the committed 95% GSADF critical value
  (should be near 5%), and the share on which the rule's reading (BSADF above its
  per-month 95% value for 3 months running) fires somewhere (a family-wise rate,
  larger by construction: the per-month value tests each month at 5%).
* Power. A planted explosive episode (1.05 a month for 30 months inside a random walk)
  must be flagged inside the episode.
* LPPLS (``--lppls-walks N``, 0 to skip). One month-end of the confidence (19 nested
  windows) fitted in one batch against the baseline of one window at a time, and the
  monitor's search effort against the reference effort (1024 candidates, 32 starts);
  the three LPPLS indicators on telecom-2000 with the per-date cache cold, warm, and
  with one more month (only that month is fitted); and how often random walks with the
  Nasdaq's monthly drift and volatility reach the rule's level (confidence > 0.5).
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time

import numpy as np

from monitor.data.case import load_case
from monitor.engine.timeline import compute_indicators
from monitor.indicator import cache
from monitor.indicator.registry import load_registry
from monitor.indicators import exuberance_lppls
from monitor.indicators.exuberance import MIN_WINDOW_MONTHS
from monitor.indicators.exuberance_cv import load_table, lookup
from monitor.indicators.exuberance_lppls_conf import MONTHLY_WINDOWS, confidence
from monitor.indicators.exuberance_lppls_fit import SearchEffort, fit_windows
from monitor.indicators.exuberance_stats import bsadf, bsadf_matrix, date_stamp

NAMES = {"explosive_root", "explosive_root_cv95", "explosive_root_gsadf"}
LPPLS = {"lppls_confidence", "lppls_confidence_negative", "lppls_critical_time"}


def naive_bsadf(y: np.ndarray, w0: int) -> np.ndarray:
    """The baseline: one OLS regression per window."""
    out = np.full(len(y), np.nan)
    for t in range(w0 - 1, len(y)):
        best = -math.inf
        for s in range(t - w0 + 2):
            w = y[s : t + 1]
            x = np.column_stack([np.ones(len(w) - 1), w[:-1]])
            dy = np.diff(w)
            beta, *_ = np.linalg.lstsq(x, dy, rcond=None)
            r = dy - x @ beta
            cov = (r @ r / (len(dy) - 2)) * np.linalg.inv(x.T @ x)
            best = max(best, beta[1] / math.sqrt(cov[1, 1]))
        out[t] = best
    return out


def timed(fn, repeat: int = 1):
    began = time.perf_counter()
    for _ in range(repeat):
        result = fn()
    return (time.perf_counter() - began) / repeat, result


def closes(case_name: str) -> np.ndarray:
    obs = load_case(case_name).observations
    rows = obs[obs["series"] == "nasdaq_close_long"].sort_values("date")
    return np.log(rows["value"].to_numpy(dtype=float))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=2000, help="random walks in the size check")
    parser.add_argument("--lppls-walks", type=int, default=4, help="random walks, LPPLS check")
    args = parser.parse_args()
    w0 = MIN_WINDOW_MONTHS

    print("cost (seconds)")
    for name in ("telecom-2000", "ai-cycle"):
        y = closes(name)
        fast, path = timed(lambda y=y: bsadf(y, w0), repeat=20)
        line = f"  {name:<13} T={len(y)}: recursive {fast:.4f}"
        if name == "telecom-2000":
            slow, ref = timed(lambda y=y: naive_bsadf(y, w0))
            assert np.allclose(path, ref, equal_nan=True, atol=1e-8)
            line += f"  per-window OLS (baseline) {slow:.2f}  ratio {fast / slow:.5f}"
        print(line)

    os.environ["MONITOR_CACHE_DIR"] = "off"  # "no cache" means none, not the user's
    registry = load_registry()
    case = load_case("ai-cycle")
    compute_indicators(case.observations, registry, NAMES)  # warm-up: imports, table
    off, _ = timed(lambda: compute_indicators(case.observations, registry, NAMES), 5)
    with tempfile.TemporaryDirectory() as folder:
        os.environ["MONITOR_CACHE_DIR"] = folder
        cold, _ = timed(lambda: compute_indicators(case.observations, registry, NAMES))
        warm, _ = timed(lambda: compute_indicators(case.observations, registry, NAMES), 5)
        os.environ["MONITOR_CACHE_DIR"] = "off"
    print(
        f"  three indicators on ai-cycle: no cache {off:.4f}, cache cold {cold:.4f}, "
        f"warm {warm:.4f} (warm / no cache {warm / off:.2f})"
    )

    table = load_table()
    T = 372
    cv = lookup(table, np.arange(1, T + 1), w0)
    gcv = lookup(table, [T], w0, kind="gsadf")[0]
    rng = np.random.default_rng(20261201)  # independent of the table's seed 20240601
    walks = np.cumsum(rng.standard_normal((args.series, T)) + 1.0 / T, axis=1)
    began = time.perf_counter()
    paths = np.concatenate(
        [bsadf_matrix(walks[i : i + 250], w0) for i in range(0, args.series, 250)]
    )
    sim = time.perf_counter() - began
    gsadf_rate = float(np.mean(np.nanmax(paths, axis=1) > gcv))
    runs = [date_stamp(p, cv, 3) for p in paths]
    rule_rate = float(np.mean([bool(r) for r in runs]))
    # months in the firing state: from the third month of a run to its last month
    firing = [sum((T - 1 if e is None else e) - s - 1 for s, e in r) for r in runs]
    month_rate = float(np.sum(firing)) / (args.series * (T - w0 + 1))
    se = math.sqrt(0.05 * 0.95 / args.series)
    print(f"size ({args.series} random walks of {T} months, {sim:.1f} s)")
    print(f"  GSADF > 95% critical value: {gsadf_rate:.3f} (nominal 0.050, binomial sd {se:.3f})")
    print(f"  BSADF > per-month 95% value for 3 months somewhere: {rule_rate:.3f}")
    print(f"  share of months the rule (for: 3mo) would be firing: {month_rate:.3f}")

    rng = np.random.default_rng(7)
    y = [100.0]
    for _ in range(99):
        y.append(y[-1] + rng.normal())
    for _ in range(30):
        y.append(1.05 * y[-1] + rng.normal())
    for _ in range(60):
        y.append(y[-1] + rng.normal())
    path = bsadf(np.array(y), w0)
    episodes = date_stamp(path, lookup(table, np.arange(1, len(y) + 1), w0), 3)
    inside = [e for e in episodes if 100 <= e[0] < 130]
    print(f"power: planted explosive months 100-129; episodes {episodes}; inside: {bool(inside)}")
    if args.lppls_walks:
        bench_lppls(args.lppls_walks)


def bench_lppls(walks: int) -> None:
    """Cost of the LPPLS confidence, its cache, and its rate on random walks."""
    y = closes("telecom-2000")
    t = 1973 * 12 + np.arange(len(y), dtype=float)
    end = 325  # 2000-02: the precedent month
    seed, effort = exuberance_lppls.SEED, exuberance_lppls.EFFORT
    part = (t[: end + 1], y[: end + 1])
    batched, _ = timed(lambda: fit_windows(*part, MONTHLY_WINDOWS, seed, effort), 3)
    one, _ = timed(lambda: [fit_windows(*part, [n], seed, effort) for n in MONTHLY_WINDOWS], 3)
    ref, _ = timed(lambda: fit_windows(*part, MONTHLY_WINDOWS, seed, SearchEffort()))
    print("LPPLS confidence (19 windows of 24-60 months, one month-end)")
    print(
        f"  batched {batched:.3f} s, one window at a time (baseline) {one:.3f} s, "
        f"ratio {batched / one:.2f}; reference effort 1024/32 {ref:.3f} s, "
        f"ratio {batched / ref:.2f}"
    )
    registry = load_registry()
    case = load_case("telecom-2000")
    obs = case.observations
    short = obs[~((obs["series"] == "nasdaq_close_long") & (obs["date"] > "2003-11-30"))]
    with tempfile.TemporaryDirectory() as folder:
        os.environ["MONITOR_CACHE_DIR"] = folder
        cold, _ = timed(lambda: compute_indicators(short, registry, LPPLS))
        cache.clear_memo()
        warm, _ = timed(lambda: compute_indicators(short, registry, LPPLS))
        cache.clear_memo()
        more, _ = timed(lambda: compute_indicators(obs, registry, LPPLS))
        os.environ["MONITOR_CACHE_DIR"] = "off"
    print(
        f"  three indicators on telecom-2000 (125 months to 2003-11): cache cold {cold:.1f} s, "
        f"warm {warm:.3f} s (ratio {warm / cold:.4f}); one month more {more:.2f} s"
    )
    rng = np.random.default_rng(20261202)
    shares = []
    began = time.perf_counter()
    for _ in range(walks):
        walk = np.log(100.0) + np.cumsum(rng.normal(0.009, 0.065, 96))
        tw = 1990 * 12 + np.arange(96, dtype=float)
        for e in range(60, 96):
            shares.append(confidence(tw[: e + 1], walk[: e + 1], seed=seed, effort=effort))
    arr = np.array([(c.positive, c.negative) for c in shares])
    print(
        f"  {walks} random walks x 36 month-ends ({time.perf_counter() - began:.0f} s): mean "
        f"confidence {arr[:, 0].mean():.3f} / negative {arr[:, 1].mean():.3f}; months above "
        f"the rule's 0.5: {np.mean(arr[:, 0] > 0.5):.3f} (negative {np.mean(arr[:, 1] > 0.5):.3f})"
    )


if __name__ == "__main__":
    main()
