"""Market exuberance: the PSY (2015) backward sup ADF test on a long price history.

Phillips, Shi and Yu (2015, "Testing for multiple bubbles") date bubbles by asking,
at each month t, whether *some* window ending at t shows explosive (faster than a
random walk) growth of the log price: the backward sup ADF statistic (BSADF). It is
compared with its 95% critical value under a random-walk null. Phillips, Wu and Yu
(2011) dated the origination of the 1990s Nasdaq exuberance to mid-1995 this way.

Point in time: the minimum window is held fixed (``MIN_WINDOW_MONTHS``) and the
statistic at t reads the closes up to t only, so a value never moves when later data
arrive (tests/indicators/test_exuberance.py checks it by truncation). See
docs/market-exuberance.md.
"""

from __future__ import annotations

from functools import cache, partial

import numpy as np
import pandas as pd

from monitor.indicator import Indicator, empty_output, hookimpl, select
from monitor.indicator.cache import cached, fingerprint
from monitor.indicators.exuberance_cv import load_table, lookup
from monitor.indicators.exuberance_stats import bsadf, min_window_for

SERIES = "nasdaq_close_long"
# PSY's r0 = 0.01 + 1.8/sqrt(T) evaluated once, for the telecom-2000 span of the long
# Nasdaq series (1973-01 .. 2003-12, T = 372 months): floor(372 r0) = 38 months. It is
# then held for every date and every case, because a window that grew with the sample
# would move past values whenever a month is added. The critical-value table is
# simulated for exactly this window (indicators/exuberance_cv.py).
SPAN_MONTHS = 372
MIN_WINDOW_MONTHS = min_window_for(SPAN_MONTHS)
LAGS = 0
OUTPUT = ["entity", "date", "value", "published"]


class _MonthlyStatistic(Indicator):
    """What every statistic of the family shares: a monthly t-statistic of SERIES."""

    unit = "t-stat"
    frequency = "monthly"
    inputs = (SERIES,)
    max_age = "6mo"


def log_closes(observations: pd.DataFrame) -> pd.DataFrame:
    """Closes of the exuberance series, one row per period (latest vintage), with the
    date each value became knowable (the last publication of any close up to it)."""
    closes = select(observations, SERIES)
    closes = closes.drop_duplicates(["entity", "date"], keep="last")
    if (closes["value"] <= 0).any():
        bad = closes.loc[closes["value"] <= 0].iloc[0]
        raise ValueError(
            f"{SERIES}: close {bad['value']} on {bad['date'].date()} is not positive "
            "(the test runs on log prices)"
        )
    known = closes.groupby("entity", sort=False)["published"].cummax()
    return closes.assign(published=known)


def bsadf_path(observations: pd.DataFrame) -> pd.DataFrame:
    """BSADF of log closes per entity, cached by the data's fingerprint.

    Windows count observations (months in the bundled cases); rows before the first
    full minimum window are left out.
    """
    frames = []
    for entity, rows in log_closes(observations).groupby("entity", sort=False):
        if len(rows) < MIN_WINDOW_MONTHS:
            continue
        y = np.log(rows["value"].to_numpy(dtype=float))
        dates = rows["date"].to_numpy()
        key = fingerprint(dates, y, stat="bsadf", min_window=MIN_WINDOW_MONTHS, lags=LAGS)
        path = cached(key, len(y), partial(bsadf, y, MIN_WINDOW_MONTHS, LAGS))
        out = rows.assign(value=path, n_obs=np.arange(1, len(rows) + 1), entity=entity)
        frames.append(out.iloc[MIN_WINDOW_MONTHS - 1 :])
    if not frames:
        return empty_output().assign(n_obs=pd.Series([], dtype="int64"))
    return pd.concat(frames, ignore_index=True)


@cache
def _table() -> pd.DataFrame:
    """The committed critical-value table, read once per process (read-only)."""
    return load_table()


def _critical(path: pd.DataFrame, kind: str) -> pd.DataFrame:
    values = lookup(_table(), path["n_obs"].to_numpy(), MIN_WINDOW_MONTHS, LAGS, 0.95, kind)
    return path.assign(value=values)


class ExplosiveRoot(_MonthlyStatistic):
    """Backward sup ADF statistic (PSY 2015) of the log Nasdaq close: explosive growth.

    At each month t: the largest right-tailed ADF t-statistic over every window that
    ends at t and is at least 38 months long (``dlog p = a + b log p_{-1} + e``, no
    lagged differences). A random walk gives values mostly below its 95% critical
    value (``explosive_root_cv95``); a price rising faster than exponentially with
    noise pushes it above. Nominal closes, as bundled (``nasdaq_close_long``).
    """

    name = "explosive_root"
    title = "Explosive root: backward sup ADF (PSY) of the log Nasdaq"
    companions = ("explosive_root_cv95", "explosive_root_gsadf", "explosive_root_gsadf_cv95")

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        return bsadf_path(observations)[OUTPUT]


class ExplosiveRootCv95(_MonthlyStatistic):
    """95% critical value of the BSADF statistic at each month (seeded Monte Carlo).

    The quantile of BSADF(t) over 5,000 simulated random walks with the same number
    of observations up to t and the same 38-month minimum window (PSY's date-stamping
    sequence); the table and the command that made it are in
    indicators/data/explosive_root_cv.csv.
    """

    name = "explosive_root_cv95"
    title = "Explosive root: 95% critical value of BSADF"

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        return _critical(bsadf_path(observations), "bsadf")[OUTPUT]


class ExplosiveRootGsadf(_MonthlyStatistic):
    """GSADF statistic (PSY 2015) of the sample up to each month: the largest BSADF.

    Its last value is the whole-sample test of "no bubble anywhere"; compare it with
    ``explosive_root_gsadf_cv95``.
    """

    name = "explosive_root_gsadf"
    title = "Explosive root: GSADF of the sample to date"

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        path = bsadf_path(observations)
        running = path.groupby("entity", sort=False)["value"].cummax()
        return path.assign(value=running)[OUTPUT]


class ExplosiveRootGsadfCv95(_MonthlyStatistic):
    """95% critical value of the GSADF statistic for a sample of the months to date."""

    name = "explosive_root_gsadf_cv95"
    title = "Explosive root: 95% critical value of GSADF"

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        return _critical(bsadf_path(observations), "gsadf")[OUTPUT]


@hookimpl
def monitor_indicators() -> list[type[Indicator]]:
    return [ExplosiveRoot, ExplosiveRootCv95, ExplosiveRootGsadf, ExplosiveRootGsadfCv95]
