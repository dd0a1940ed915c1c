"""LPPLS numerics: the Filimonov-Sornette fit and the filter of Sornette et al. (2015).

Expected values come from the model itself (a noise-free path must be recovered), from
numpy's own least squares and from central differences, never from the code under test.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from monitor.indicators import exuberance_lppls_fit as lf
from monitor.indicators.exuberance_lppls_conf import (
    CONDITION_1,
    CONDITION_2,
    qualified,
    summarise,
)

TRUE = {"tc": 62.5, "m": 0.5, "omega": 8.0, "A": 5.0, "B": -0.15}
TRUE_C1, TRUE_C2 = 0.01 * math.cos(1.0), 0.01 * math.sin(1.0)


def synthetic(n: int = 61, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(n, dtype=float)
    u = TRUE["tc"] - t
    f = u ** TRUE["m"]
    w = TRUE["omega"] * np.log(u)
    y = TRUE["A"] + TRUE["B"] * f + f * (TRUE_C1 * np.cos(w) + TRUE_C2 * np.sin(w))
    return t, y + np.random.default_rng(seed).normal(0.0, noise, n)


def test_noise_free_path_is_recovered():
    t, y = synthetic()
    fit = lf.fit(t, y, seed=3)
    assert fit["success"]
    assert fit["tc"] == pytest.approx(TRUE["tc"], abs=1e-3)
    assert fit["m"] == pytest.approx(TRUE["m"], abs=1e-3)
    assert fit["omega"] == pytest.approx(TRUE["omega"], abs=1e-2)
    assert fit["B"] == pytest.approx(TRUE["B"], abs=1e-4)
    assert (fit["C1"], fit["C2"]) == pytest.approx((TRUE_C1, TRUE_C2), abs=1e-4)
    assert fit["sse"] < 1e-12


def test_linear_parameters_are_the_least_squares_solution():
    t, y = synthetic(noise=0.01, seed=5)
    fit = lf.fit(t, y, seed=0)
    u = np.abs(fit["tc"] - t)
    f, w = u ** fit["m"], fit["omega"] * np.log(u)
    x = np.column_stack([np.ones_like(t), f, f * np.cos(w), f * np.sin(w)])
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    linear = [fit["A"], fit["B"], fit["C1"], fit["C2"]]
    np.testing.assert_allclose(beta, linear, rtol=1e-6, atol=1e-9)
    assert fit["sse"] == pytest.approx(float(np.sum((y - x @ beta) ** 2)), rel=1e-9)


def test_time_unit_does_not_change_the_fit():
    t, y = synthetic(noise=0.004, seed=2)
    a = lf.fit(t, y, seed=5)
    b = lf.fit(1990 * 12 + t, y, seed=5)  # calendar month numbers, as the indicator uses
    assert b["tc"] == pytest.approx(1990 * 12 + a["tc"], abs=1e-6)
    assert b["m"] == pytest.approx(a["m"], abs=1e-7)
    assert b["sse"] == pytest.approx(a["sse"], rel=1e-7)


def test_variable_projection_jacobian_matches_central_differences():
    t, y = synthetic(noise=0.01, seed=4)
    tau = (t - t[-1]) / (t[-1] - t[0])
    x = np.array([[0.05, 0.6, 7.0], [0.02, 0.3, 15.0], [0.15, 1.4, 3.0]])
    problems = lf._Problems(
        np.tile(tau, (3, 1)), np.tile(y - y.mean(), (3, 1)), np.ones((3, len(t)))
    )
    _, _, _, jac = lf._vp_eval(problems, x)
    h = 1e-6

    def residual(at: np.ndarray) -> np.ndarray:
        return lf._vp_eval(problems, at, False)[1]

    numeric = np.stack(
        [(residual(x + h * e) - residual(x - h * e)) / (2 * h) for e in np.eye(3)], axis=-1
    )
    assert jac is not None
    for k in range(3):
        np.testing.assert_allclose(jac[k], numeric[k], rtol=1e-5, atol=1e-6 * np.abs(jac[k]).max())


def test_batched_windows_equal_fits_one_by_one():
    t, y = synthetic(noise=0.01, seed=7)
    together = lf.fit_windows(t, y, [24, 40, 61], seed=9)
    for length, (_, row) in zip([24, 40, 61], together.iterrows(), strict=True):
        alone = lf.fit_windows(t[-length:], y[-length:], [length], seed=9).iloc[0]
        assert alone["sse"] == pytest.approx(row["sse"], rel=1e-9, abs=1e-14)
        assert alone["tc"] == pytest.approx(row["tc"], abs=1e-6)


def test_same_seed_same_fit_exactly():
    rng = np.random.default_rng(1)
    t, y = np.arange(60.0), 4.0 + np.cumsum(rng.normal(0.0, 0.05, 60))
    a = lf.fit_windows(t, y, [24, 36, 60], seed=11)
    b = lf.fit_windows(t, y, [24, 36, 60], seed=11)
    pd.testing.assert_frame_equal(a, b)


def test_fit_input_validation():
    with pytest.raises(ValueError, match="at least 10"):
        lf.fit(np.arange(5.0), np.ones(5))
    with pytest.raises(ValueError, match="strictly increasing"):
        lf.fit(np.arange(20.0)[::-1], np.ones(20))
    with pytest.raises(ValueError, match="equal length"):
        lf.fit(np.arange(20.0), np.ones(19))
    y = np.ones(20)
    y[3] = np.nan
    with pytest.raises(ValueError, match="finite"):
        lf.fit(np.arange(20.0), y)
    assert lf.fit_windows(np.arange(20.0), np.ones(20), [24]).empty  # no window fits


def fit_row(**over: float) -> dict[str, float]:
    """A fit that passes condition 1 (window 0..100): m 0.5, omega 9, tc 105 (inside
    [95, 110]), oscillations 9/pi ln(105/5) = 8.7, damping 0.5 * 0.05 / (9 * 0.003) = 0.93."""
    row = {
        "window": 101, "t1": 0.0, "t2": 100.0, "n": 101, "tc": 105.0, "m": 0.5,
        "omega": 9.0, "A": 5.0, "B": -0.05, "C1": 0.003, "C2": 0.0, "sse": 0.1,
        "rel_error_mean": 0.01, "rel_error_max": 0.03, "rel_error_last": 0.01,
        "tc_gap": 5.0, "success": True,
    }  # fmt: skip
    row.update(over)
    return row


def passes(cond=CONDITION_1, **over: float) -> bool:
    return bool(qualified(pd.DataFrame([fit_row(**over)]), cond).iloc[0])


def test_condition_1_of_sornette_2015_table_1_boundary_by_boundary():
    assert passes()
    assert not passes(success=False)
    assert not passes(m=1.25) and not passes(m=0.005)  # m in [0.01, 1.2]
    assert not passes(omega=1.9) and not passes(omega=26.0, C1=0.0001)  # omega in [2, 25]
    # tc in [t2 - 0.05 dt, t2 + 0.1 dt] = [95, 110]
    assert passes(tc=96.0) and passes(tc=109.9)
    assert not passes(tc=94.0) and not passes(tc=111.0)
    # oscillations (omega/pi) ln|(tc - t1)/(tc - t2)| >= 2.5: 2.2/pi ln 11 = 1.68
    assert not passes(omega=2.2, tc=110.0, C1=0.001)
    assert not passes(C1=0.01)  # damping 0.5 * 0.05 / (9 * 0.01) = 0.28 < 0.8
    assert not passes(rel_error_mean=0.06)  # mean relative error > 5%
    assert passes(rel_error_max=0.3)  # the mean is what counts
    assert not passes(dataclasses.replace(CONDITION_1, rel_error="max"), rel_error_max=0.06)
    assert not passes(tc=100.0001, tc_gap=0.0001)  # the cusp safeguard
    assert passes(dataclasses.replace(CONDITION_1, min_tc_gap=None), tc_gap=0.0001)
    assert not passes(tc=float("nan"))


def test_condition_2_is_stricter_on_m_and_damping():
    assert not passes(CONDITION_2, m=1.1, B=-0.05 / 2.2)
    assert not passes(CONDITION_2, C1=0.0033)  # damping 0.84 < 1
    assert passes(CONDITION_2, C1=0.0025, rel_error_mean=0.15)  # damping 1.11, error <= 0.2


def test_confidence_counts_every_fitted_window_and_needs_agreement_for_tc():
    rows = [fit_row(tc=v) for v in (100.5, 101.0, 101.5)] + [fit_row(B=0.05), fit_row(m=3.0)]
    c = summarise(pd.DataFrame(rows))
    # 3 positive, 1 negative, 1 failed: shares of all 5 windows (not of the same sign)
    assert (c.positive, c.negative) == (0.6, 0.2)
    assert c.critical_time == pytest.approx(101.0)  # all three within 2.5 of the median
    spread = summarise(pd.DataFrame([fit_row(tc=v) for v in (96.0, 101.0, 109.0)]))
    assert math.isnan(spread.critical_time)  # 1 of 3 within 0.025 * 100 of 101
    assert all(math.isnan(v) for v in summarise(pd.DataFrame(columns=list(fit_row()))))
