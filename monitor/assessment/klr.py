"""Kaminsky-Lizondo-Reinhart (1998) signal scoring, with its edge cases defined.

At every evaluation step outside a crisis episode a signal (a rule firing for any
entity, or a stage active) is scored against what followed:

======================  =============================  =========================
                        an onset within the horizon    no onset within it
======================  =============================  =========================
signal                  A (a hit)                      B (a false alarm)
no signal               C (a miss)                     D (quiet, and right)
======================  =============================  =========================

"Within the horizon" means an episode's onset lies after the step and no more than
``horizon_months`` calendar months after it. Steps from an onset to its episode's end
are left out, as KLR leave out the crisis itself (a signal during the crash is neither
a warning nor a false alarm). Steps after the last declared episode count as "no
onset follows": the case's list of episodes is taken as complete.

hit rate = A / (A + C); false-alarm rate = B / (B + D);
noise-to-signal ratio (NSR) = false-alarm rate / hit rate.

Edge cases, so that no figure is invented:

- no step with an onset ahead (A + C = 0): hit rate ``None``;
- no step without one (B + D = 0): false-alarm rate ``None``;
- no hits (A = 0) or either rate ``None``: NSR ``None``, and the rule is flagged as no
  better than noise (it never warned when it mattered);
- no false alarms (B = 0) with hits: NSR 0, the best possible;
- NSR >= 1: flagged as no better than noise (it signals calm times as often as
  pre-crisis times).

The composite weights each signal by 1/NSR (KLR's and Kaminsky's 1999 composite):
only rules with a defined NSR below 1 take part, and an NSR of 0 is counted as
``NSR_FLOOR`` so that one clean rule cannot carry an infinite weight.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

NSR_FLOOR = 0.05  # an NSR of 0 weighs as 0.05, i.e. at most 20 times a ratio of 1


@dataclass(frozen=True)
class Window:
    """An episode as KLR scoring sees it: its onset and its end (inclusive)."""

    onset: pd.Timestamp
    end: pd.Timestamp


@dataclass(frozen=True)
class Counts:
    a: int
    b: int
    c: int
    d: int

    @property
    def hit_rate(self) -> float | None:
        return _ratio(self.a, self.a + self.c)

    @property
    def false_alarm_rate(self) -> float | None:
        return _ratio(self.b, self.b + self.d)

    @property
    def nsr(self) -> float | None:
        hit, false = self.hit_rate, self.false_alarm_rate
        if hit is None or false is None or hit == 0:
            return None
        return false / hit

    @property
    def noisy(self) -> bool:
        """No better than noise: no hits (NSR undefined) or an NSR of 1 or more."""
        nsr = self.nsr
        return nsr is None or nsr >= 1


def _ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def classify(
    times: pd.DatetimeIndex, windows: Sequence[Window], horizon_months: int
) -> tuple[pd.Series, pd.Series]:
    """Per step: whether an onset follows within the horizon, and whether it is scored.

    Returns two boolean series on ``times``: ``ahead`` (an onset in ``(t, t + horizon]``)
    and ``scored`` (the step lies outside every episode).
    """
    ahead = pd.Series(False, index=times)
    scored = pd.Series(True, index=times)
    horizon = pd.DateOffset(months=horizon_months)
    for w in windows:
        ahead |= (times < w.onset) & (w.onset <= times + horizon)
        scored &= ~((times >= w.onset) & (times <= w.end))
    return ahead, scored


def score(signal: pd.Series, windows: Sequence[Window], horizon_months: int) -> Counts:
    """The A/B/C/D counts of one boolean signal series (indexed by the step times)."""
    times = pd.DatetimeIndex(signal.index)
    ahead, scored = classify(times, windows, horizon_months)
    on = signal.fillna(False).astype(bool).to_numpy()
    ahead_v, scored_v = ahead.to_numpy(), scored.to_numpy()
    return Counts(
        a=int((on & ahead_v & scored_v).sum()),
        b=int((on & ~ahead_v & scored_v).sum()),
        c=int((~on & ahead_v & scored_v).sum()),
        d=int((~on & ~ahead_v & scored_v).sum()),
    )


def weight(counts: Counts) -> float:
    """A rule's weight in the composite: 1/NSR, 0 for a rule no better than noise."""
    nsr = counts.nsr
    if nsr is None or nsr >= 1:
        return 0.0
    return 1.0 / max(nsr, NSR_FLOOR)


def composite(signals: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    """The 1/NSR-weighted share of signalling rules at each step, in points of 100.

    ``None`` everywhere (an all-NaN series) when no rule carries weight: a composite
    of nothing is not zero.
    """
    total = sum(w for rule, w in weights.items() if rule in signals.columns and w > 0)
    if total <= 0:
        return pd.Series(float("nan"), index=signals.index)
    points = pd.Series(0.0, index=signals.index)
    for rule, w in weights.items():
        if rule in signals.columns and w > 0:
            points += signals[rule].fillna(False).astype(float) * w
    return points / total * 100.0
