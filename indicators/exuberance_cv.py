"""Monte Carlo critical values of the BSADF sequence and the GSADF statistic (PSY 2015).

Null DGP of PSY (2015) and PWY (2011): ``y_t = d T^-eta + y_{t-1} + e_t``, ``e_t ~ N(0,
1)``, ``d = eta = 1`` (a random walk with an asymptotically negligible drift). The ADF
regression has an intercept, so the statistics do not depend on the start or scale.

Tabulated for every end point ``t`` (``n_obs = t + 1`` observations):

* ``cv90, cv95, cv99``: quantiles over replications of BSADF(t) itself, the
  date-stamping critical-value sequence of PSY (one quantile per ``t``);
* ``gsadf_cv90, gsadf_cv95, gsadf_cv99``: quantiles of ``max_{u <= t} BSADF(u)``, the
  GSADF critical value of a sample made of the first ``n_obs`` observations.

Why one table serves every case: BSADF(t) uses only ``y[0..t]``, so under the null its
distribution depends only on ``n_obs``, the minimum window and the lag order, not on
how much data follows. With the minimum window held fixed (as the monitor does, so the
statistic at t never moves when data arrive), row ``n_obs`` is valid for any series up
to the table's length. :func:`lookup` refuses a table made for another window or lag.

Reproduce the committed table (its header records the command)::

    python -m monitor.indicators.exuberance_cv --T 720 --min-window 38 --reps 5000 \
        --seed 20240601 --out indicators/data/explosive_root_cv.csv

Replications run in chunks of ``--chunk``, chunk i seeded with
``numpy.random.SeedSequence(seed).spawn(n_chunks)[i]``, so the table depends on
(seed, reps, chunk) only.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from monitor.indicators.exuberance_stats import bsadf_matrix, min_window_for

LEVELS = (0.90, 0.95, 0.99)
COLUMNS = [
    "T",
    "min_window",
    "lags",
    "t",
    "n_obs",
    "cv90",
    "cv95",
    "cv99",
    "gsadf_cv90",
    "gsadf_cv95",
    "gsadf_cv99",
    "reps",
    "seed",
]
TABLE_PATH = Path(__file__).parent / "data" / "explosive_root_cv.csv"


def simulate_null(length: int, reps: int, rng: np.random.Generator) -> np.ndarray:
    """(reps, T) paths of y_t = 1/T + y_{t-1} + e_t, e ~ N(0, 1)."""
    e = rng.standard_normal((reps, length))
    out: np.ndarray = np.cumsum(e + 1.0 / float(length), axis=1)
    return out


def simulate_bsadf(
    length: int, min_window: int, reps: int, seed: int, lags: int = 0, chunk: int = 250
) -> np.ndarray:
    """Simulated BSADF sequences under the null, shape (reps, T)."""
    n_chunks = -(-reps // chunk)
    seeds = np.random.SeedSequence(seed).spawn(n_chunks)
    parts = []
    for i, seq in enumerate(seeds):
        size = min(chunk, reps - i * chunk)
        paths = simulate_null(length, size, np.random.default_rng(seq))
        parts.append(bsadf_matrix(paths, min_window, lags))
    return np.concatenate(parts, axis=0)


def simulate_cv(
    length: int,
    min_window: int | None = None,
    reps: int = 2000,
    seed: int = 20240601,
    lags: int = 0,
    chunk: int = 250,
) -> pd.DataFrame:
    """Critical-value table, one row per end point ``t >= min_window - 1``."""
    if min_window is None:
        min_window = min_window_for(length)
    draws = simulate_bsadf(length, min_window, reps, seed, lags=lags, chunk=chunk)
    t0 = min_window - 1
    valid = draws[:, t0:]
    q = np.quantile(valid, LEVELS, axis=0)
    qg = np.quantile(np.maximum.accumulate(valid, axis=1), LEVELS, axis=0)
    ts = np.arange(t0, length)
    frame = pd.DataFrame(
        {
            "T": length,
            "min_window": min_window,
            "lags": lags,
            "t": ts,
            "n_obs": ts + 1,
            "cv90": q[0],
            "cv95": q[1],
            "cv99": q[2],
            "gsadf_cv90": qg[0],
            "gsadf_cv95": qg[1],
            "gsadf_cv99": qg[2],
            "reps": reps,
            "seed": seed,
        }
    )
    return frame[COLUMNS]


def load_table(path: Path = TABLE_PATH) -> pd.DataFrame:
    """The table without its ``#`` header lines."""
    return pd.read_csv(path, comment="#")


def lookup(
    table: pd.DataFrame,
    n_obs: Sequence[int] | np.ndarray,
    min_window: int,
    lags: int = 0,
    level: float = 0.95,
    kind: str = "bsadf",
) -> np.ndarray:
    """Critical values for end points with ``n_obs`` observations (NaN below the window).

    ``kind="bsadf"`` gives the per-t BSADF critical value, ``kind="gsadf"`` the GSADF
    critical value of a sample of ``n_obs`` observations.
    """
    made_for = (int(table["min_window"].iloc[0]), int(table["lags"].iloc[0]))
    if made_for != (int(min_window), int(lags)):
        raise ValueError(
            f"critical-value table is for min_window={made_for[0]}, lags={made_for[1]}; "
            f"requested min_window={min_window}, lags={lags}: simulate a matching table"
        )
    columns = {0.90: "cv90", 0.95: "cv95", 0.99: "cv99"}
    col = columns[round(float(level), 2)]
    if kind == "gsadf":
        col = "gsadf_" + col
    elif kind != "bsadf":
        raise ValueError("kind must be 'bsadf' or 'gsadf'")
    series = pd.Series(table[col].to_numpy(), index=table["n_obs"].to_numpy())
    n = np.asarray(n_obs, dtype=np.int64)
    if n.size and int(n.max()) > int(series.index.max()):
        raise ValueError(
            f"critical-value table covers n_obs <= {int(series.index.max())}; "
            f"requested {int(n.max())}: simulate a longer table"
        )
    out: np.ndarray = series.reindex(n).to_numpy(dtype=np.float64)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Monte Carlo critical values for BSADF / GSADF")
    ap.add_argument("--T", type=int, default=720, help="sample length of the null DGP")
    ap.add_argument("--min-window", type=int, default=None, help="default PSY floor(T r0)")
    ap.add_argument("--reps", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--lags", type=int, default=0)
    ap.add_argument("--chunk", type=int, default=250, help="replications per chunk (seeding)")
    ap.add_argument("--out", type=Path, default=TABLE_PATH)
    args = ap.parse_args(argv)
    window = args.min_window if args.min_window is not None else min_window_for(args.T)
    started = time.perf_counter()
    table = simulate_cv(args.T, window, args.reps, args.seed, args.lags, args.chunk)
    elapsed = time.perf_counter() - started
    words = sys.argv[1:] if argv is None else argv
    command = "python -m monitor.indicators.exuberance_cv " + shlex.join(words)
    header = [
        "PSY (2015) BSADF / GSADF Monte Carlo critical values (indicators/exuberance_cv.py)",
        f"command: {command}",
        f"null DGP: y_t = 1/T + y_(t-1) + e_t, e ~ N(0,1), T={args.T}; ADF with intercept, "
        f"lags={args.lags}",
        f"min_window={window}, reps={args.reps}, seed={args.seed}, chunk={args.chunk} "
        "(SeedSequence(seed).spawn per chunk)",
        "cv* = quantile over reps of BSADF(t); gsadf_cv* = quantile of max_{u<=t} BSADF(u)",
        f"numpy {np.__version__}, {elapsed:.1f}s",
    ]
    with open(args.out, "w", newline="") as fh:
        for line in header:
            fh.write("# " + line + "\n")
        table.to_csv(fh, index=False, float_format="%.6f", lineterminator="\n")
    print(f"wrote {args.out}: {len(table)} rows in {elapsed:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
