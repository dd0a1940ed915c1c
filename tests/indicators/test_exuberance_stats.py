"""The PSY numerics (indicators/exuberance_stats.py) and the critical-value script.

The recursive statistics are checked against a naive regression per window (numpy
lstsq), bit-for-bit truncation, a planted explosive episode and the size of the GSADF
test on random walks (the many-seed size check runs in benchmarks/bench_exuberance.py).
"""

import math

import numpy as np
import pandas as pd
import pytest

from monitor.indicators import exuberance_cv as cvmod
from monitor.indicators import exuberance_stats as psy


# --------------------------------------------------------------------------- #
# naive reference: one numpy lstsq regression per window
# --------------------------------------------------------------------------- #
def naive_adf(w, k=0):
    w = np.asarray(w, dtype=float)
    dy = np.diff(w)  # dy[j-1] = w[j] - w[j-1]
    rows = range(k + 1, len(w))
    X = np.array([[1.0, w[j - 1]] + [dy[j - 1 - i] for i in range(1, k + 1)] for j in rows])
    z = np.array([dy[j - 1] for j in rows])
    beta, *_ = np.linalg.lstsq(X, z, rcond=None)
    r = z - X @ beta
    n, p = X.shape
    s2 = r @ r / (n - p)
    cov = s2 * np.linalg.inv(X.T @ X)
    return beta[1] / math.sqrt(cov[1, 1])


def naive_bsadf(y, w0, k=0):
    out = np.full(len(y), np.nan)
    for t in range(w0 - 1, len(y)):
        out[t] = max(naive_adf(y[s : t + 1], k) for s in range(0, t - w0 + 2))
    return out


def planted_bubble(seed=7, n_pre=100, n_bub=30, n_post=40, level=100.0, rho=1.05):
    rng = np.random.default_rng(seed)
    y = [level]
    for _ in range(n_pre - 1):
        y.append(y[-1] + rng.normal())
    for _ in range(n_bub):
        y.append(rho * y[-1] + rng.normal())
    peak = y[-1]
    target = y[n_pre - 1]
    for i in range(1, 4):  # collapse back to the pre-bubble level in 3 steps
        y.append(peak + (target - peak) * i / 3 + rng.normal())
    for _ in range(n_post - 3):
        y.append(y[-1] + rng.normal())
    return np.array(y)


def series_zoo():
    rng = np.random.default_rng(123)
    rw = np.cumsum(rng.normal(size=90)) + 5.0
    logp = np.log(100.0) + np.cumsum(rng.normal(0.005, 0.04, size=90))  # log-price scale
    bub = planted_bubble(seed=3, n_pre=40, n_bub=25, n_post=20)
    return {"rw": rw, "logp": logp, "bubble": bub}


# --------------------------------------------------------------------------- #
# recursive == naive
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("name", ["rw", "logp", "bubble"])
@pytest.mark.parametrize("k,w0", [(0, 10), (0, 19), (1, 12), (2, 15)])
def test_bsadf_matches_naive(name, k, w0):
    y = series_zoo()[name]
    fast = psy.bsadf(y, w0, lags=k)
    slow = naive_bsadf(y, w0, k)
    assert np.array_equal(np.isnan(fast), np.isnan(slow))
    assert np.all(np.isnan(fast[: w0 - 1]))
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-8)


@pytest.mark.parametrize("k", [0, 1, 3])
def test_adf_stat_matches_naive(k):
    for y in series_zoo().values():
        assert abs(psy.adf_stat(y, lags=k) - naive_adf(y, k)) < 1e-8


def test_badf_sadf_match_naive():
    y = series_zoo()["logp"]
    w0 = 15
    b = psy.badf(y, w0)
    ref = np.array([naive_adf(y[: t + 1]) if t >= w0 - 1 else np.nan for t in range(len(y))])
    np.testing.assert_allclose(b, ref, atol=1e-8)
    assert abs(psy.sadf(y, w0) - np.nanmax(ref)) < 1e-8


def test_gsadf_is_max_of_bsadf():
    y = series_zoo()["bubble"]
    assert psy.gsadf(y, 12) == np.nanmax(psy.bsadf(y, 12))


def test_bsadf_matrix_rows_equal_single_series():
    rng = np.random.default_rng(5)
    Y = np.cumsum(rng.normal(size=(4, 60)), axis=1)
    B = psy.bsadf_matrix(Y, 12)
    for i in range(4):
        np.testing.assert_array_equal(B[i], psy.bsadf(Y[i], 12))


def test_level_and_scale_invariance():
    y = series_zoo()["rw"]
    a = psy.bsadf(y, 15)
    b = psy.bsadf(3.0 * y + 1000.0, 15)
    np.testing.assert_allclose(a, b, atol=1e-8)


def test_input_validation():
    with pytest.raises(ValueError):
        psy.bsadf(np.arange(10.0), 20)
    with pytest.raises(ValueError):
        psy.bsadf(np.arange(50.0), 5, lags=1)  # needs >= 2*lags + 4 = 6
    psy.bsadf(np.random.default_rng(0).normal(size=50).cumsum(), 6, lags=1)
    with pytest.raises(ValueError):
        psy.bsadf(np.arange(50.0), 10, lags=-1)


# --------------------------------------------------------------------------- #
# point in time
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("k", [0, 2])
def test_truncation_invariance_exact(k):
    y = planted_bubble(seed=11)
    w0 = psy.min_window_for(len(y))
    full = psy.bsadf(y, w0, lags=k)
    for t in [w0 - 1, w0, 57, 101, 120, 133, len(y) - 2]:
        part = psy.bsadf(y[: t + 1], w0, lags=k)
        # bit-for-bit identical, NaNs included
        np.testing.assert_array_equal(part, full[: t + 1])


def test_future_changes_do_not_move_past():
    y = planted_bubble(seed=12)
    w0 = 20
    full = psy.bsadf(y, w0)
    y2 = y.copy()
    y2[90:] = -y2[90:] * 7.0 + 3.0
    np.testing.assert_array_equal(psy.bsadf(y2, w0)[:90], full[:90])


# --------------------------------------------------------------------------- #
# rules of thumb
# --------------------------------------------------------------------------- #
def test_min_window_for():
    assert psy.min_window_for(400) == 40  # 400 * (0.01 + 0.09)
    assert psy.min_window_for(100) == 19  # floor(100 * 0.19)
    assert psy.min_window_for(1680) == math.floor(1680 * (0.01 + 1.8 / math.sqrt(1680)))
    assert psy.min_duration_for(400) == round(math.log(400))


# --------------------------------------------------------------------------- #
# date stamping
# --------------------------------------------------------------------------- #
def test_date_stamp_basic():
    b = np.array([np.nan, np.nan, 0, 2, 2, 2, 0, 3, 0, 2, 2, 2, 2])
    assert psy.date_stamp(b, 1.0, 3) == [(3, 5), (9, None)]
    assert psy.date_stamp(b, 1.0, 1) == [(3, 5), (7, 7), (9, None)]
    assert psy.date_stamp(b, 1.0, 5) == []
    # array critical values, NaN cv never counts as exceedance
    cv = np.full(len(b), 1.0)
    cv[4] = np.nan
    assert psy.date_stamp(b, cv, 1) == [(3, 3), (5, 5), (7, 7), (9, None)]
    with pytest.raises(ValueError):
        psy.date_stamp(b, 1.0, 0)


def test_date_stamp_is_real_time():
    # An open episode shorter than min_duration is not reported yet.
    b = np.array([0, 0, 2, 2])
    assert psy.date_stamp(b, 1.0, 3) == []
    assert psy.date_stamp(np.append(b, 2), 1.0, 3) == [(2, None)]


@pytest.fixture(scope="module")
def bubble_case():
    y = planted_bubble(seed=7)
    T = len(y)
    w0 = psy.min_window_for(T)
    table = cvmod.simulate_cv(T, w0, reps=1000, seed=99)
    cv95 = np.full(T, np.nan)
    cv95[w0 - 1 :] = table["cv95"].to_numpy()
    return y, w0, psy.bsadf(y, w0), cv95


def test_planted_bubble_is_flagged_inside_episode(bubble_case):
    y, w0, b, cv95 = bubble_case
    start, end = 100, 130  # explosive stretch y_t = 1.05 y_{t-1} + e
    eps = psy.date_stamp(b, cv95, psy.min_duration_for(len(y)))
    assert eps, "no episode flagged"
    inside = [e for e in eps if start <= e[0] < end]
    assert inside, f"no episode starting inside [{start}, {end}): {eps}"
    # origination is detected early enough to matter and the collapse is seen
    s0, e0 = inside[0]
    assert s0 <= start + 15
    assert e0 is not None and start + 20 <= e0 <= end + 10
    # most of the explosive stretch exceeds the critical value
    assert np.mean(b[start + 5 : end] > cv95[start + 5 : end]) > 0.8
    # the planted episode is the longest one (per-t 95% critical values do
    # produce short false alarms in the random-walk stretch: multiple testing)
    lengths = [((e[1] if e[1] is not None else len(y) - 1) - e[0] + 1) for e in eps]
    assert eps[int(np.argmax(lengths))] == inside[0]


def _rejection_rate(T, n_series, cv_reps, cv_seed):
    w0 = psy.min_window_for(T)
    table = cvmod.simulate_cv(T, w0, reps=cv_reps, seed=cv_seed)
    cv95 = cvmod.lookup(table, [T], w0, level=0.95, kind="gsadf")[0]
    rej = 0
    for s in range(n_series):
        rng = np.random.default_rng(10_000 + s)  # independent of the cv seed
        y = np.cumsum(rng.standard_normal(T) + 1.0 / T)
        rej += psy.gsadf(y, w0) > cv95
    return rej / n_series


def test_size_random_walk_fast():
    rate = _rejection_rate(T=80, n_series=60, cv_reps=1000, cv_seed=1)
    assert rate <= 0.2


# --------------------------------------------------------------------------- #
# critical values module
# --------------------------------------------------------------------------- #
def test_cv_deterministic_for_a_seed():
    a = cvmod.simulate_cv(60, 12, reps=300, seed=5, chunk=100)
    b = cvmod.simulate_cv(60, 12, reps=300, seed=5, chunk=100)
    c = cvmod.simulate_cv(60, 12, reps=300, seed=6, chunk=100)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["cv95"], c["cv95"])


def test_cv_table_shape_and_sanity():
    T, w0 = 120, psy.min_window_for(120)
    tab = cvmod.simulate_cv(T, w0, reps=800, seed=3)
    assert list(tab.columns) == cvmod.COLUMNS
    assert len(tab) == T - w0 + 1
    assert tab["t"].iloc[0] == w0 - 1 and tab["n_obs"].iloc[-1] == T
    assert (tab["cv90"] < tab["cv95"]).all() and (tab["cv95"] < tab["cv99"]).all()
    assert (np.diff(tab["gsadf_cv95"]) >= 0).all()  # quantile of a running max
    # the first row is a single ADF regression: right-tail DF quantiles
    # (asymptotic -0.44 / -0.08 / 0.60, PWY 2011)
    first = tab.iloc[0]
    assert (
        -0.75 < first["cv90"] < -0.2 and -0.35 < first["cv95"] < 0.2 and 0.3 < first["cv99"] < 1.0
    )


def test_lookup(tmp_path):
    tab = cvmod.simulate_cv(50, 10, reps=200, seed=1)
    p = tmp_path / "cv.csv"
    with open(p, "w") as fh:
        fh.write("# test header\n")
        tab.to_csv(fh, index=False, float_format="%.6f")
    back = cvmod.load_table(p)
    assert cvmod.lookup(back, [50], 10)[0] == pytest.approx(tab["cv95"].iloc[-1], abs=1e-6)
    v = cvmod.lookup(back, [5, 10, 30], 10, level=0.99)
    assert np.isnan(v[0]) and v[1] == pytest.approx(tab["cv99"].iloc[0], abs=1e-6)
    with pytest.raises(ValueError, match="min_window=10"):
        cvmod.lookup(back, [30], 11)
    with pytest.raises(ValueError, match="n_obs <= 50"):
        cvmod.lookup(back, [51], 10)


def test_committed_table_is_consistent_with_its_command():
    tab = cvmod.load_table()
    assert list(tab.columns) == cvmod.COLUMNS
    length, w0 = int(tab["T"].iloc[0]), int(tab["min_window"].iloc[0])
    assert (length, w0, int(tab["reps"].iloc[0]), int(tab["seed"].iloc[0])) == (
        720,
        38,
        5000,
        20240601,
    )
    assert len(tab) == length - w0 + 1
    header = cvmod.TABLE_PATH.read_text().splitlines()[1]
    assert header == (
        "# command: python -m monitor.indicators.exuberance_cv --T 720 --min-window 38 "
        "--reps 5000 --seed 20240601 --out indicators/data/explosive_root_cv.csv"
    )
