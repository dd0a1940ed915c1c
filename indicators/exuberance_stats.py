"""Right-tailed recursive ADF statistics and PSY bubble date-stamping (numpy only).

After Phillips, Wu and Yu (2011, International Economic Review 52(1), "Explosive
behavior in the 1990s Nasdaq": forward-recursive ADF, SADF) and Phillips, Shi and Yu
(2015, International Economic Review 56(4), "Testing for multiple bubbles": backward
sup ADF (BSADF), generalised sup ADF (GSADF), date-stamping).

Conventions (0-based indices, windows inclusive). A window ``y[s..t]`` holds
``t - s + 1`` levels; its ADF regression is

    dy_j = a + b y_{j-1} + sum_{i=1..k} psi_i dy_{j-i} + e_j,   j = s+1+k .. t

with ``n = t - s - k`` rows and ``p = 2 + k`` regressors; ADF = b_hat / se(b_hat),
large positive values being evidence of explosiveness.
``bsadf(y, w0)[t] = max_{0 <= s <= t - w0 + 1} ADF(y[s..t])`` (NaN before
``w0 - 1``), ``gsadf = max_t bsadf[t]``, ``sadf = max_t ADF(y[0..t])``.

Why it is cheap: every window ending at ``t`` reuses one prefix sum of the augmented
cross-product matrix, ``M(s, t) = P[t] - P[s + k]``, so a window costs O(p^3) (O(1)
for ``k = 0``) instead of one regression from scratch; the t-ratio follows from the
Cholesky factor of ``M``. Why it is point in time: the prefix sums are sequential and
every window statistic is an element-wise function of ``P[t]`` and ``P[s + k]``, so
truncating the series after ``t`` leaves ``bsadf[..t]`` bit-for-bit unchanged (the
tests check it). The series is shifted by its first value (the intercept makes ADF
invariant to level shifts) to limit cancellation; that uses no later data either.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "adf_stat",
    "badf",
    "bsadf",
    "bsadf_matrix",
    "date_stamp",
    "gsadf",
    "min_duration_for",
    "min_window_for",
    "sadf",
]

Prepared = Any  # tuple of (R, T) arrays for lags = 0, else a (R, T, q, q) array


def _as_2d(y: Any) -> tuple[np.ndarray, bool]:
    a = np.asarray(y, dtype=np.float64)
    if a.ndim == 1:
        return a[None, :], True
    if a.ndim == 2:
        return a, False
    raise ValueError("y must be 1-D (one series) or 2-D (replications x time)")


def _check(length: int, min_window: int, lags: int) -> None:
    if lags < 0 or int(lags) != lags:
        raise ValueError("lags must be a non-negative integer")
    if min_window < 2 * lags + 4:
        # n - p = (w - 1 - lags) - (2 + lags) must be >= 1
        raise ValueError(
            f"min_window={min_window} too small for lags={lags}: need >= {2 * lags + 4}"
            " (window - 1 - lags regression rows, 2 + lags regressors, >= 1 d.o.f.)"
        )
    if length < min_window:
        raise ValueError(f"series length {length} shorter than min_window {min_window}")


def _prefix_moments(levels: np.ndarray, lags: int) -> np.ndarray:
    """Prefix sums P (R, T, q, q), q = lags + 3, of z_i z_i' with
    z_i = (1, dy_{i-1}, ..., dy_{i-lags}, y_{i-1}, dy_i); rows i <= lags are zero."""
    reps, length = levels.shape
    k = lags
    q = k + 3
    y = levels - levels[:, :1]  # level shift, point-in-time safe
    dy = np.zeros_like(y)
    dy[:, 1:] = np.diff(y, axis=1)
    z = np.zeros((reps, length, q))
    z[:, :, 0] = 1.0
    for i in range(1, k + 1):
        z[:, i:, i] = dy[:, :-i]
    z[:, 1:, k + 1] = y[:, :-1]
    z[:, :, k + 2] = dy
    z[:, : k + 1, :] = 0.0  # rows without a full set of lags contribute nothing
    outer = z[:, :, :, None] * z[:, :, None, :]
    return np.cumsum(outer, axis=1)


def _adf_from_moments(m: np.ndarray, n: np.ndarray) -> np.ndarray:
    """ADF t-ratio from augmented cross-product matrices (..., q, q) ordered
    (1, lags..., y_{-1}, dy): an unrolled Cholesky vectorised over leading axes."""
    q = m.shape[-1]
    p = q - 1
    chol = np.zeros_like(m)
    with np.errstate(invalid="ignore", divide="ignore"):
        for j in range(q):
            d = np.sqrt(m[..., j, j] - np.sum(chol[..., j, :j] ** 2, axis=-1))
            chol[..., j, j] = d
            for i in range(j + 1, q):
                chol[..., i, j] = (
                    m[..., i, j] - np.sum(chol[..., i, :j] * chol[..., j, :j], axis=-1)
                ) / d
        out: np.ndarray = chol[..., p, p - 1] * np.sqrt(n - p) / chol[..., p, p]
    return out


def _adf_k0(c: tuple[np.ndarray, ...], t: int, starts: int) -> np.ndarray:
    """Fast path for lags = 0: windows y[s..t], s < ``starts``, shape (R, starts).

    With x = y_{j-1}, z = dy_j over rows j = s+1..t (n = t - s):
    Cxx = Sxx - Sx^2/n, Cxz = Sxz - Sx Sz/n, Czz = Szz - Sz^2/n,
    SSR = Czz - Cxz^2/Cxx, ADF = Cxz / sqrt(Cxx SSR / (n - 2)).
    """
    psx, psz, psxx, psxz, pszz = c
    n = (t - np.arange(starts)).astype(np.float64)[None, :]
    sx = psx[:, t : t + 1] - psx[:, :starts]
    sz = psz[:, t : t + 1] - psz[:, :starts]
    sxx = psxx[:, t : t + 1] - psxx[:, :starts]
    sxz = psxz[:, t : t + 1] - psxz[:, :starts]
    szz = pszz[:, t : t + 1] - pszz[:, :starts]
    with np.errstate(invalid="ignore", divide="ignore"):
        cxx = sxx - sx * sx / n
        cxz = sxz - sx * sz / n
        czz = szz - sz * sz / n
        ssr = czz - cxz * cxz / cxx
        out: np.ndarray = cxz / np.sqrt(cxx * ssr / (n - 2.0))
    return out


def _prepare(levels: np.ndarray, lags: int) -> Prepared:
    p = _prefix_moments(levels, lags)
    if lags:
        return p
    pairs = ((0, 1), (0, 2), (1, 1), (1, 2), (2, 2))
    return tuple(np.ascontiguousarray(p[:, :, i, j]) for i, j in pairs)


def _window_adf(prepared: Prepared, t: int, starts: int, lags: int) -> np.ndarray:
    """ADF statistics of windows y[s..t], s = 0..starts-1: shape (R, starts)."""
    if lags == 0:
        return _adf_k0(prepared, t, starts)
    m = prepared[:, t][:, None] - prepared[:, lags : lags + starts]
    n = (t - np.arange(starts) - lags).astype(np.float64)
    return _adf_from_moments(m, n[None, :])


def adf_stat(y: Sequence[float] | np.ndarray, lags: int = 0) -> float:
    """Right-tailed ADF t-statistic over the whole of ``y`` (intercept, no trend)."""
    levels, _ = _as_2d(y)
    if levels.shape[0] != 1:
        raise ValueError("adf_stat takes a single 1-D series")
    length = levels.shape[1]
    _check(length, length, lags)
    return float(_window_adf(_prepare(levels, lags), length - 1, 1, lags)[0, 0])


def bsadf_matrix(y: np.ndarray, min_window: int, lags: int = 0) -> np.ndarray:
    """BSADF sequences for a batch of series (one per row); NaN for t < min_window - 1.

    The Monte Carlo of the critical values runs many replications at once through it.
    """
    levels, _ = _as_2d(y)
    reps, length = levels.shape
    min_window = int(min_window)
    _check(length, min_window, lags)
    prepared = _prepare(levels, lags)
    out = np.full((reps, length), np.nan)
    for t in range(min_window - 1, length):
        out[:, t] = np.max(_window_adf(prepared, t, t - min_window + 2, lags), axis=1)
    return out


def bsadf(y: Sequence[float] | np.ndarray, min_window: int, lags: int = 0) -> np.ndarray:
    """Backward sup ADF sequence of PSY (2015); ``out[t]`` depends on ``y[0..t]`` only."""
    levels, one = _as_2d(y)
    if not one:
        raise ValueError("bsadf takes a single 1-D series; use bsadf_matrix")
    return bsadf_matrix(levels, min_window, lags)[0]


def gsadf(y: Sequence[float] | np.ndarray, min_window: int, lags: int = 0) -> float:
    """Generalised sup ADF statistic of PSY (2015): the largest BSADF of the sample."""
    return float(np.nanmax(bsadf(y, min_window, lags)))


def badf(y: Sequence[float] | np.ndarray, min_window: int, lags: int = 0) -> np.ndarray:
    """Forward-recursive ADF sequence of PWY (2011): ``out[t] = ADF(y[0..t])``."""
    levels, one = _as_2d(y)
    reps, length = levels.shape
    _check(length, int(min_window), lags)
    prepared = _prepare(levels, lags)
    out = np.full((reps, length), np.nan)
    for t in range(int(min_window) - 1, length):
        out[:, t] = _window_adf(prepared, t, 1, lags)[:, 0]
    return out[0] if one else out


def sadf(y: Sequence[float] | np.ndarray, min_window: int, lags: int = 0) -> float:
    """Sup ADF statistic of PWY (2011) = max_t ADF(y[0..t])."""
    return float(np.nanmax(badf(y, min_window, lags)))


def min_window_for(length: int) -> int:
    """PSY (2015) rule of thumb r0 = 0.01 + 1.8/sqrt(T), as observations: floor(T r0)."""
    length = int(length)
    if length <= 0:
        raise ValueError("T must be positive")
    return int(math.floor(length * (0.01 + 1.8 / math.sqrt(length))))


def min_duration_for(length: int, delta: float = 1.0) -> int:
    """PSY (2015) minimum bubble duration ``delta log(T)`` observations, at least 1."""
    return max(1, int(round(delta * math.log(int(length)))))


def date_stamp(
    bsadf_seq: Sequence[float] | np.ndarray, cv: Any, min_duration: int
) -> list[tuple[int, int | None]]:
    """Runs of at least ``min_duration`` consecutive points with BSADF above ``cv``.

    Returns ``(start, end)`` index pairs: ``start`` is the origination (first point
    above), ``end`` the last point above (PSY's collapse date is ``end + 1``), or None
    when the run is still open at the last point. NaN never counts as an exceedance.
    PSY keep an episode once it lasts ``delta log(T)``; here a dip below the critical
    value ends a run, so short blips are dropped rather than bridged. An open run is
    reported once it has lasted ``min_duration`` points, so at each date the function
    reports only what was knowable then.
    """
    b = np.asarray(bsadf_seq, dtype=np.float64)
    c = np.broadcast_to(np.asarray(cv, dtype=np.float64), b.shape)
    if min_duration < 1:
        raise ValueError("min_duration must be >= 1")
    with np.errstate(invalid="ignore"):
        above = b > c
    episodes: list[tuple[int, int | None]] = []
    n = len(above)
    i = 0
    while i < n:
        if not above[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and above[j + 1]:
            j += 1
        if j - i + 1 >= min_duration:
            episodes.append((i, None if j == n - 1 else j))
        i = j + 1
    return episodes
