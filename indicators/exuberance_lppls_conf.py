"""The LPPLS confidence indicator: the share of nested-window fits that pass the filter.

After Sornette, Demos, Zhang, Cauwels, Filimonov and Zhang (2015), "Real-time prediction
and post-mortem analysis of the Shanghai 2015 stock market bubble and crash", Journal of
Investment Strategies 4(4), Section 2.2 and Table 1 ("DS LPPLS Confidence"). At an end
date t2 the LPPLS model is fitted on nested windows [t1, t2] of several lengths
(indicators/exuberance_lppls_fit.py); a fit *qualifies* when it passes filter condition 1
of their Table 1, with dt = t2 - t1:

- m in [0.01, 1.2] and omega in [2, 25];
- tc in [t2 - 0.05 dt, t2 + 0.1 dt] (the crash is near, not long past or far off);
- oscillations (omega / pi) ln|(tc - t1)/(tc - t2)| >= 2.5;
- damping m |B| / (omega |C|) >= 0.8, with C = sqrt(C1^2 + C2^2);
- relative error |p - p_hat| / p_hat <= 0.05 (prices, averaged over the window).

Where this departs from a literal reading (each measured, see docs/market-exuberance.md):
Table 1 prints the oscillation count as (omega/2) ln|(tc - t1)/(t2 - t1)|, which inside
the tc filter is at most 1.2 and so can never reach 2.5; the half-period count of Shu and
Zhu (2020, Physica A, Section 2.2) is used. The table does not say how the relative error
is aggregated; requiring every point within 5% rejected every real-data fit, so the mean
is used. One safeguard of ours: a tc within 0.05 sampling steps of an observation is a
degenerate cusp fit and fails.

Confidence: positive-bubble confidence = #(qualified and B < 0) / #(windows fitted);
negative-bubble confidence the same with B > 0 (a super-exponential fall). The
denominator is every fitted window, as in the paper (the ``lppls`` package divides by the
fits of the same sign, which inflates the share). The critical time is the median tc of
the qualified fits of the dominant sign, reported only when at least half of them lie
within 2.5% of the longest window's span of that median ("fits agree").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

from monitor.indicators.exuberance_lppls_fit import DEFAULT_EFFORT, SearchEffort, fit_windows

#: Nested windows for month-end data: 24..60 months in steps of 2 (19 windows). Sornette
#: et al. use 125..750 trading days; its monthly image, 6..36 months, leaves 6-12 points
#: for 7 parameters, so the range starts at 24 (at least 3.4 points per parameter).
MONTHLY_WINDOWS: tuple[int, ...] = tuple(range(24, 61, 2))


@dataclass(frozen=True)
class FilterConditions:
    """The qualification filter for one fit (Sornette et al. 2015, Table 1)."""

    m: tuple[float, float] = (0.01, 1.2)
    omega: tuple[float, float] = (2.0, 25.0)
    tc_before: float = 0.05  # tc >= t2 - tc_before dt
    tc_after: float = 0.1  # tc <= t2 + tc_after dt
    min_oscillations: float = 2.5
    min_damping: float = 0.8
    max_rel_error: float | None = 0.05  # None: no relative-error condition
    rel_error: Literal["mean", "max", "last"] = "mean"
    min_tc_gap: float | None = 0.05  # our safeguard against cusp fits; None: off


#: Condition 1 of Table 1: the "DS LPPLS Confidence" filter (the default).
CONDITION_1 = FilterConditions()
#: Condition 2 of Table 1 (their "Trust" filter): stricter m and damping, looser error.
CONDITION_2 = FilterConditions(m=(0.01, 0.99), min_damping=1.0, max_rel_error=0.2)


class Confidence(NamedTuple):
    positive: float
    negative: float
    critical_time: float


def damping(fits: pd.DataFrame) -> pd.Series:
    """m |B| / (omega |C|): the power law must dominate the oscillations."""
    c = np.hypot(fits["C1"], fits["C2"])
    with np.errstate(divide="ignore", invalid="ignore"):
        out = fits["m"] * fits["B"].abs() / (fits["omega"] * c)
    return out.where(c > 0, math.inf)


def oscillations(fits: pd.DataFrame) -> pd.Series:
    """Half-periods between t1 and tc's approach: (omega/pi) ln|(tc - t1)/(tc - t2)|."""
    den = fits["tc"] - fits["t2"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out = fits["omega"] / math.pi * np.log(np.abs((fits["tc"] - fits["t1"]) / den))
    return out.where(den != 0, math.inf)


def qualified(fits: pd.DataFrame, cond: FilterConditions = CONDITION_1) -> pd.Series:
    """Which fits pass every condition (NaN, a failed fit, fails)."""
    dt = fits["t2"] - fits["t1"]
    ok = fits["success"].astype(bool)
    ok &= fits["m"].between(*cond.m) & fits["omega"].between(*cond.omega)
    ok &= (fits["tc"] >= fits["t2"] - cond.tc_before * dt) & (
        fits["tc"] <= fits["t2"] + cond.tc_after * dt
    )
    ok &= oscillations(fits) >= cond.min_oscillations
    ok &= damping(fits) >= cond.min_damping
    if cond.min_tc_gap is not None:
        ok &= fits["tc_gap"] >= cond.min_tc_gap
    if cond.max_rel_error is not None:
        ok &= fits[f"rel_error_{cond.rel_error}"] <= cond.max_rel_error
    return ok.fillna(False).astype(bool)


def summarise(
    fits: pd.DataFrame, cond: FilterConditions = CONDITION_1, tc_agree: float = 0.025
) -> Confidence:
    """Positive and negative confidence and the agreed critical time of fitted windows."""
    nan = float("nan")
    if fits.empty:
        return Confidence(nan, nan, nan)
    passed = qualified(fits, cond)
    pos, neg = passed & (fits["B"] < 0), passed & (fits["B"] > 0)
    sel = pos if pos.sum() >= neg.sum() else neg
    critical = nan
    if sel.any():
        tcs = fits.loc[sel, "tc"].to_numpy()
        median = float(np.median(tcs))
        longest = fits.loc[fits["window"].idxmax()]
        tol = tc_agree * float(longest["t2"] - longest["t1"])
        if np.mean(np.abs(tcs - median) <= tol) >= 0.5:
            critical = median
    n = float(len(fits))
    return Confidence(float(pos.sum()) / n, float(neg.sum()) / n, critical)


def confidence(
    t: Sequence[float] | np.ndarray,
    log_price: Sequence[float] | np.ndarray,
    windows: Sequence[int] = MONTHLY_WINDOWS,
    seed: int = 0,
    cond: FilterConditions = CONDITION_1,
    effort: SearchEffort = DEFAULT_EFFORT,
) -> Confidence:
    """LPPLS confidence at the last point of ``t`` from the nested windows ending there.

    Reads only the points passed, so the value at a date is computed from the prices
    up to it (pass ``t[: e + 1]``). NaN when no window fits into the data.
    """
    return summarise(fit_windows(t, log_price, windows, seed, effort), cond)
