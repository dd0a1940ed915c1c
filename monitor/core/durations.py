"""Durations such as ``12mo``, ``6mo``, ``2y``, ``90d`` for windows, ``for`` and
``keep_firing_for``. Calendar units (months, quarters, years) stay calendar units,
so ``12mo`` before 31 March is 31 March of the year before, not 360 days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

DURATION = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)(mo|y|q|w|d)\s*$")
DAYS_PER_MONTH = 30.4375
UNIT_NAMES = {"mo": "months", "y": "years", "q": "quarters", "w": "weeks", "d": "days"}


@dataclass(frozen=True)
class Duration:
    amount: float
    unit: str  # one of mo, y, q, w, d

    @property
    def months(self) -> float | None:
        factor = {"mo": 1, "q": 3, "y": 12}.get(self.unit)
        return None if factor is None else self.amount * factor

    @property
    def days(self) -> float:
        months = self.months
        if months is not None:
            return months * DAYS_PER_MONTH
        return self.amount * (7 if self.unit == "w" else 1)

    def offset(self) -> pd.DateOffset | pd.Timedelta:
        """An offset to add to dates: calendar months where the amount is whole."""
        months = self.months
        if months is not None and float(months).is_integer():
            return pd.DateOffset(months=int(months))
        return pd.Timedelta(days=self.days)

    def is_zero(self) -> bool:
        return self.amount == 0

    def __str__(self) -> str:
        amount = int(self.amount) if float(self.amount).is_integer() else self.amount
        return f"{amount}{self.unit}"


def parse_duration(text: object) -> Duration:
    """Parse ``12mo``-style text; raise ValueError with the accepted forms."""
    if isinstance(text, int) and text == 0:
        return Duration(0, "d")
    match = DURATION.match(str(text))
    if not match:
        raise ValueError(
            f"invalid duration {text!r}: use a number and one of mo, y, q, w, d (e.g. 6mo, 90d)"
        )
    return Duration(float(match.group(1)), match.group(2))
