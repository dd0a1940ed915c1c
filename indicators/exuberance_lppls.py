"""Market exuberance, second test: the LPPLS confidence indicator (Sornette et al. 2015).

Where the BSADF (indicators/exuberance.py) asks "is the price explosive?", the LPPLS
confidence asks "does the price follow a faster-than-exponential path towards a finite-time
singularity, with log-periodic oscillations, as the Johansen-Ledoit-Sornette model of a
bubble says?". At each month-end it fits the model on 19 nested windows of 24 to 60 months
ending there (indicators/exuberance_lppls_fit.py) and reports the share of windows whose fit
passes filter condition 1 of Sornette et al. (2015, Table 1), split by sign
(indicators/exuberance_lppls_conf.py): B < 0 a positive bubble (an accelerating rise),
B > 0 a negative bubble (an accelerating fall). See docs/market-exuberance.md.

Point in time: the value at a month reads the closes up to that month only (the fits see
``t[: e + 1]``), and fits are seeded per window length, so a past value never moves when
data arrive. That is what makes the per-date cache sound: each month is stored under a
fingerprint of the data up to it (``monitor.indicator.cache.cached_points``), and a run
computes only months it has not seen. Cost: about 0.1-0.2 s per month, so only the months
a rule can read are computed: from six months before the first publication of any
non-history series in the observations (the case's evaluated period; rules such as
``for: 3mo`` look back), or every month when the price is all there is (a rule test).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from monitor.indicator import Indicator, empty_output, hookimpl
from monitor.indicator.cache import cached_points, prefix_keys
from monitor.indicators.exuberance import SERIES, log_closes
from monitor.indicators.exuberance_lppls_conf import (
    CONDITION_1,
    MONTHLY_WINDOWS,
    confidence,
)
from monitor.indicators.exuberance_lppls_fit import SearchEffort

SEED = 20150601
#: The effort per window: 512 screened candidates, 16 local searches. Against the
#: reference effort 1024/32 on the 120 telecom-2000 month-ends the confidence differs by
#: at most two windows in a few months (docs/market-exuberance.md), at a third of the cost.
EFFORT = SearchEffort(n_candidates=512, n_starts=16, max_iter=100)
LEAD_MONTHS = 6
FIRST_WINDOW = min(MONTHLY_WINDOWS)
OUTPUT = ["entity", "date", "value", "published"]
# Everything a cached point depends on besides the data; bump "version" when the fit or
# the filter changes meaning, so old entries are never read for new numbers.
PARAMS = {
    "stat": "lppls-confidence",
    "version": 1,
    "windows": list(MONTHLY_WINDOWS),
    "seed": SEED,
    "effort": [EFFORT.n_candidates, EFFORT.n_starts, EFFORT.max_iter],
    "conditions": repr(CONDITION_1),
    "time": "calendar months",
}


def months(dates: pd.Series) -> np.ndarray:
    """Calendar month numbers (year * 12 + month): the fits' time axis, tc in months."""
    stamps = pd.DatetimeIndex(dates)
    out = (stamps.year * 12 + stamps.month).to_numpy(dtype=np.float64)
    if np.any(np.diff(out) <= 0):
        raise ValueError(f"{SERIES}: the LPPLS fits need one close per calendar month")
    return out


def first_needed(observations: pd.DataFrame) -> pd.Timestamp | None:
    """The earliest month a rule can read: six months before the first publication of
    anything but the long price history (None: no other series, compute every month)."""
    others = observations.loc[observations["series"] != SERIES, "published"]
    if others.empty:
        return None
    return pd.Timestamp(others.min()) - pd.DateOffset(months=LEAD_MONTHS)


def lppls_path(observations: pd.DataFrame) -> pd.DataFrame:
    """Positive and negative confidence and the agreed critical time per entity and month.

    Columns ``entity, date, published, positive, negative, critical`` (``critical`` in
    months after ``date``, NaN when the qualified fits disagree or none qualifies).
    """
    start = first_needed(observations)
    frames = []
    for entity, rows in log_closes(observations).groupby("entity", sort=False):
        rows = rows.sort_values("date")
        y = np.log(rows["value"].to_numpy(dtype=float))
        t = months(rows["date"])
        eligible = np.arange(len(y)) >= FIRST_WINDOW - 1
        if start is not None:
            eligible &= (rows["date"] >= start).to_numpy()
        ends = np.flatnonzero(eligible)
        if ends.size == 0:
            continue
        keys = prefix_keys(rows["date"].to_numpy(), y, **PARAMS)

        def compute(missing: list[int], t=t, y=y, ends=ends) -> list[tuple[float, ...]]:
            out: list[tuple[float, ...]] = []
            for e in ends[missing]:
                c = confidence(t[: e + 1], y[: e + 1], MONTHLY_WINDOWS, SEED, CONDITION_1, EFFORT)
                out.append((c.positive, c.negative, float(c.critical_time - t[e])))
            return out

        values = np.array(cached_points([keys[e] for e in ends], 3, compute), dtype=float)
        picked = rows.iloc[ends]
        frames.append(
            pd.DataFrame(
                {
                    "entity": entity,
                    "date": picked["date"].to_numpy(),
                    "published": picked["published"].to_numpy(),
                    "positive": values[:, 0],
                    "negative": values[:, 1],
                    "critical": values[:, 2],
                }
            )
        )
    if not frames:
        columns = ["positive", "negative", "critical"]
        return empty_output().assign(**{c: pd.Series([], dtype=float) for c in columns})
    return pd.concat(frames, ignore_index=True)


class _Lppls(Indicator):
    """What the LPPLS indicators share: monthly values from the long price history."""

    frequency = "monthly"
    inputs = (SERIES,)
    max_age = "6mo"
    column = "positive"

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        path = lppls_path(observations)
        out = path.assign(value=path[self.column])[OUTPUT]
        return out[out["value"].notna()].reset_index(drop=True)


class LpplsConfidence(_Lppls):
    """LPPLS positive-bubble confidence (Sornette et al. 2015): share of qualified fits.

    At each month-end: the share of 19 nested windows (24 to 60 months ending that month)
    whose LPPLS fit has B < 0 (a faster-than-exponential rise towards a critical time)
    and passes filter condition 1 of Sornette et al. (2015, Table 1): m in [0.01, 1.2],
    omega in [2, 25], tc within [-5%, +10%] of the window after its end, at least 2.5
    oscillations, damping at least 0.8, mean relative price error at most 5%. 0 means no
    window sees a bubble, 1 that every window does. Log Nasdaq month-end closes
    (``nasdaq_close_long``), point in time, seeded.
    """

    name = "lppls_confidence"
    title = "LPPLS positive-bubble confidence of the Nasdaq"
    unit = "share"
    companions = ("lppls_confidence_negative", "lppls_critical_time")


class LpplsConfidenceNegative(_Lppls):
    """LPPLS negative-bubble confidence: the same share for fits with B > 0.

    A negative bubble is an accelerating, log-periodic *fall* towards a critical time (a
    rebound point), the mirror image of a positive bubble (Sornette et al. 2015).
    """

    name = "lppls_confidence_negative"
    title = "LPPLS negative-bubble confidence of the Nasdaq"
    unit = "share"
    column = "negative"


class LpplsCriticalTime(_Lppls):
    """Months from the month-end to the fitted critical time, where qualified fits agree.

    The median tc of the qualified fits of the dominant sign, shown only when at least
    half of them lie within 1.5 months (2.5% of the longest window) of that median; no
    value otherwise. With windows of 24 to 60 months the tc filter keeps it between about
    -3 and +6 months: a near-term date, not a forecast of the crash's size.
    """

    name = "lppls_critical_time"
    title = "LPPLS critical time where fits agree (months ahead)"
    unit = "months"
    column = "critical"


@hookimpl
def monitor_indicators() -> list[type[Indicator]]:
    return [LpplsConfidence, LpplsConfidenceNegative, LpplsCriticalTime]
