"""A hand-written NumPy evaluation of the synthetic rules: the engine's speed baseline.

It imports nothing of the product. It reads the same case folder (CSV in) and the
rule shapes of ``synthetic_panel``, and computes the firing cells (rule, entity, time)
with the documented semantics, written directly for these shapes:

- the known value at ``t`` is the latest period published by ``t``; a value whose
  period is older than the indicator's ``max_age`` counts as missing;
- ``change(w)`` of a monthly series compares the latest period with the period ``w``
  months earlier (both published by ``t``); of the policy rate, the rate in force at
  ``t`` with the rate in force at ``t - w``; ``count(w)`` counts events published in
  ``(t - w, t]``; comparisons tolerate one part in 1e9 of the larger magnitude;
- states follow Prometheus's Eval at each step time (every day, or month ends and the
  last day): pending from the first true step, firing once ``t - active_at >= for``,
  kept firing while ``t - first_false < keep_firing_for``.

Only what the synthetic panel needs is implemented (one row per period, no vintages).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

TOLERANCE = 1e-9
MAX_AGE_MONTHS = {"credit_spread": 6, "pmi": 6, "receivables_reserve_ratio": 24}
SOURCE_SERIES = {"credit_spread": "hy_spread", "pmi": "ism_pmi", "policy_rate": "fed_funds_target"}


@dataclass
class Panel:
    frame: pd.DataFrame  # series, entity, date, value, published (datetime64[D])
    entities: np.ndarray
    times: np.ndarray  # evaluation times (datetime64[D])


def load(case: Path, step: str) -> Panel:
    frames = [pd.read_csv(p) for p in sorted(case.glob("*.csv"))]
    frame = pd.concat(frames, ignore_index=True)
    for column in ("date", "published"):
        frame[column] = pd.to_datetime(frame[column])
    published = _days(frame["published"])
    days = np.arange(published.min(), published.max() + np.timedelta64(1, "D"))
    if step == "month-end":
        index = pd.DatetimeIndex(days)
        days = np.union1d(days[index.is_month_end], days[-1:])
    return Panel(frame, np.sort(frame["entity"].unique()), days)


def _days(column: pd.Series) -> np.ndarray:
    return column.to_numpy().astype("datetime64[D]")


def _months_back(times: np.ndarray, months: int) -> np.ndarray:
    return (
        (pd.DatetimeIndex(times) - pd.DateOffset(months=months)).to_numpy().astype("datetime64[D]")
    )


def _greater_equal(a: np.ndarray, b: float | np.ndarray) -> np.ndarray:
    slack = TOLERANCE * np.maximum(np.abs(a), np.abs(b))
    with np.errstate(invalid="ignore"):
        return a >= b - slack


def _less(a: np.ndarray, b: float) -> np.ndarray:
    slack = TOLERANCE * np.maximum(np.abs(a), abs(b))
    with np.errstate(invalid="ignore"):
        return a < b - slack


def _less_equal(a: np.ndarray, b: float) -> np.ndarray:
    slack = TOLERANCE * np.maximum(np.abs(a), abs(b))
    with np.errstate(invalid="ignore"):
        return a <= b + slack


class Series:
    """One indicator as dense per-entity arrays of periods, values and publications."""

    def __init__(self, rows: pd.DataFrame, entities: np.ndarray) -> None:
        self.by_entity: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for entity, group in rows.groupby("entity", sort=False):
            group = group.sort_values("date")
            self.by_entity[str(entity)] = (
                _days(group["date"]),
                group["value"].to_numpy(dtype="float64"),
                _days(group["published"]),
            )
        self.entities = entities

    def latest_position(self, entity: str, times: np.ndarray) -> np.ndarray:
        """Index of the latest period published by each time (-1 before any)."""
        dates, _, published = self.by_entity[entity]
        order = np.argsort(published, kind="stable")
        best = np.maximum.accumulate(order)  # periods are sorted by date: index = rank
        found = np.searchsorted(published[order], times, side="right") - 1
        return np.where(found >= 0, best[np.clip(found, 0, None)], -1)

    def known(self, times: np.ndarray, max_age_months: int | None) -> np.ndarray:
        out = np.full((len(times), len(self.entities)), np.nan)
        oldest = _months_back(times, max_age_months) if max_age_months else None
        for j, entity in enumerate(self.entities):
            if entity not in self.by_entity:
                continue
            dates, values, _ = self.by_entity[entity]
            pos = self.latest_position(entity, times)
            ok = pos >= 0
            if oldest is not None:
                ok &= dates[np.clip(pos, 0, None)] >= oldest
            out[:, j] = np.where(ok, values[np.clip(pos, 0, None)], np.nan)
        return out

    def period_change(self, times: np.ndarray, months: int, max_age: int | None) -> np.ndarray:
        now = self.known(times, max_age)
        out = np.full_like(now, np.nan)
        for j, entity in enumerate(self.entities):
            if entity not in self.by_entity:
                continue
            dates, values, published = self.by_entity[entity]
            pos = self.latest_position(entity, times)
            month = dates.astype("datetime64[M]").astype(np.int64)
            wanted = month[np.clip(pos, 0, None)] - months
            k = np.searchsorted(month, wanted)
            k_ok = (k < len(month)) & (pos >= 0)
            k = np.clip(k, 0, len(month) - 1)
            k_ok &= (month[k] == wanted) & (published[k] <= times)
            out[:, j] = np.where(k_ok, now[:, j] - values[k], np.nan)
        return out

    def calendar_change(self, times: np.ndarray, months: int) -> np.ndarray:
        return self.known(times, None) - self.known(_months_back(times, months), None)

    def count(self, times: np.ndarray, months: int) -> np.ndarray:
        out = np.zeros((len(times), len(self.entities)))
        start = _months_back(times, months)
        for j, entity in enumerate(self.entities):
            if entity not in self.by_entity:
                continue
            published = np.sort(self.by_entity[entity][2])
            hi = np.searchsorted(published, times, side="right")
            lo = np.searchsorted(published, start, side="right")
            out[:, j] = hi - lo
        return out


def reserve_ratio(frame: pd.DataFrame) -> pd.DataFrame:
    reserve = frame[frame["series"] == "receivables_reserve"]
    base = frame[frame["series"] == "receivables_net"]
    both = reserve.merge(base, on=["entity", "date"], suffixes=("_r", "_n"))
    both = both[both["value_n"] != 0]
    return pd.DataFrame(
        {
            "entity": both["entity"],
            "date": both["date"],
            "value": both["value_r"] / both["value_n"] * 100.0,
            "published": np.maximum(both["published_r"], both["published_n"]),
        }
    )


def condition(panel: Panel, indicator: str, when: str) -> np.ndarray:
    """The condition of one synthetic rule, times x entities."""
    frame, times = panel.frame, panel.times
    if indicator == "receivables_reserve_ratio":
        series = Series(reserve_ratio(frame), panel.entities)
    elif indicator == "profit_warnings":
        series = Series(frame[frame["series"] == "profit_warning"], panel.entities)
    else:
        series = Series(frame[frame["series"] == SOURCE_SERIES[indicator]], panel.entities)
    number = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", when)]
    age = MAX_AGE_MONTHS.get(indicator)
    if when.startswith("value >="):
        return _greater_equal(series.known(times, age), number[0])
    if when.startswith("change(6mo) >="):
        return _greater_equal(series.period_change(times, 6, age), number[1] / 100.0)
    if when.startswith("value < 50 and change(12mo) <="):
        level = _less(series.known(times, age), 50.0)
        return level & _less_equal(series.period_change(times, 12, age), number[2])
    if when.startswith("change(12mo) >="):  # the policy rate: calendar time
        return _greater_equal(series.calendar_change(times, 12), number[1] / 100.0)
    if when.startswith("count(12mo) >="):
        return _greater_equal(series.count(times, 12), number[1])
    raise ValueError(f"no kernel for {when!r}")


def _offset(times: np.ndarray, text: str) -> np.ndarray:
    amount, unit = int(text[:-2] if text.endswith("mo") else text[:-1]), text[-2:]
    if unit == "mo":
        shifted = pd.DatetimeIndex(times) + pd.DateOffset(months=amount)
    else:
        shifted = pd.DatetimeIndex(times) + pd.Timedelta(days=amount)
    return shifted.to_numpy().astype("datetime64[D]")


def firing(cond: np.ndarray, times: np.ndarray, for_: str, keep: str) -> np.ndarray:
    """Prometheus's Eval, one step at a time, vectorised across entities."""
    n = cond.shape[1]
    fire_at, keep_until = _offset(times, for_), _offset(times, keep)
    keep_zero = keep in ("0d", "0mo")
    active_at = np.full(n, -1)
    keep_since = np.full(n, -1)
    is_firing = np.zeros(n, dtype=bool)
    out = np.zeros(cond.shape, dtype=bool)
    for i in range(len(times)):
        holds = cond[i]
        active_at[holds & (active_at < 0)] = i
        false = ~holds
        kept = np.zeros(n, dtype=bool)
        if not keep_zero:
            start = false & is_firing & (keep_since < 0)
            keep_since[start] = i
            kept = false & is_firing & (times[i] < keep_until[np.clip(keep_since, 0, None)])
        drop = false & ~kept
        active_at[drop] = -1
        is_firing[drop] = False
        keep_since[drop | holds] = -1
        waiting = (active_at >= 0) & ~is_firing
        is_firing |= waiting & (times[i] >= fire_at[np.clip(active_at, 0, None)])
        out[i] = is_firing
    return out


def firing_cells(case: Path, specs: list[dict[str, str]], step: str) -> set[tuple[str, str, int]]:
    """Every (rule id, entity, time as days since 1970) at which a rule fires."""
    panel = load(case, step)
    cells: set[tuple[str, str, int]] = set()
    stamps = panel.times.astype(np.int64)
    for spec in specs:
        cond = condition(panel, spec["indicator"], spec["when"])
        fired = firing(cond, panel.times, spec["for"], spec["keep_firing_for"])
        rows, cols = np.nonzero(fired)
        cells.update(
            (spec["id"], str(panel.entities[c]), int(stamps[r]))
            for r, c in zip(rows, cols, strict=True)
        )
    return cells
