"""The indicator contract: what a plugin declares and the one method it implements.

An indicator turns observations into one series per entity:
``entity, date, value, published``. ``date`` is the period the value is about and
``published`` is when the *last* of its inputs became known, so a ratio of two
10-K figures is only knowable once both are. Indicators know nothing about rules.
This module imports nothing heavy, so ``from monitor import Indicator`` stays cheap.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, ClassVar, Literal

if TYPE_CHECKING:
    import pandas as pd

OUTPUT_COLUMNS = ["entity", "date", "value", "published"]

WindowAxis = Literal["period", "calendar"]
# Frequencies of series that come in regular periods; their windows run on the period axis.
PERIODIC_FREQUENCIES = {
    "daily",
    "weekly",
    "monthly",
    "quarterly",
    "annual",
    "fiscal-annual",
    "fiscal",
}
SHORT_PERIODS = {"daily", "weekly"}


class Indicator:
    """Base class for indicator plugins.

    Subclasses set the class attributes and implement :meth:`compute`. The class
    docstring is the indicator's documentation: what it measures and why, citing the
    brief; ``monitor indicators list`` shows its first line.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    unit: ClassVar[str]
    frequency: ClassVar[str] = "mixed"
    kind: ClassVar[Literal["level", "event"]] = "level"
    inputs: ClassVar[tuple[str, ...]] = ()
    # How old (from the end of its period) a value may be and still count as a
    # current reading, e.g. "6mo" for a monthly series, "24mo" for an annual ratio.
    # None: a value stands until replaced (a policy rate, a standing estimate).
    max_age: ClassVar[str | None] = None
    # How change() and pct_change() look back. "period": the latest period against the
    # period one window earlier, both as known now (a monthly PMI: this May against
    # last May, however the publication days fall). "calendar": the value in force now
    # against the value in force one window ago (a policy rate that stands until it is
    # changed). None: "period" for the PERIODIC_FREQUENCIES, else "calendar".
    window_axis: ClassVar[WindowAxis | None] = None
    # Indicators read together with this one (a test statistic and its critical
    # value): ``monitor indicators show`` prints them as extra columns.
    companions: ClassVar[tuple[str, ...]] = ()

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        raise NotImplementedError

    @classmethod
    def axis(cls) -> WindowAxis:
        if cls.window_axis is not None:
            return cls.window_axis
        return "period" if cls.frequency in PERIODIC_FREQUENCIES else "calendar"

    @classmethod
    def summary(cls) -> str:
        doc = (cls.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else cls.title

    @classmethod
    def description(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")
