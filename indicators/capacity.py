"""Capacity use: is the capacity being built actually used?"""

from __future__ import annotations

import pandas as pd

from monitor.indicator import Indicator, hookimpl, select


class GpuUtilization(Indicator):
    """Estimated data-centre GPU utilisation, in percent, kept as a range.

    The brief's fourth reason for optimism: no "dark GPUs"; utilisation is estimated
    at 50-70%, against 5-10% of fiber lit in 2002. The estimate is a range, not a
    measurement: ``value`` is its low end (the cautious reading, which a
    counter-signal must clear) and the ``low``/``high`` columns keep both ends.
    """

    name = "gpu_utilization"
    title = "Data-centre GPU utilisation (estimate, low end)"
    unit = "%"
    frequency = "irregular"
    inputs = ("gpu_utilization_low", "gpu_utilization_high")

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        low = select(observations, "gpu_utilization_low")
        high = select(observations, "gpu_utilization_high")
        both = low.merge(high, on=["entity", "date"], suffixes=("", "_high"))
        # the range is known once both ends are published
        published = both[["published", "published_high"]].max(axis=1)
        return pd.DataFrame(
            {
                "entity": both["entity"],
                "date": both["date"],
                "value": both["value"],
                "published": published,
                "low": both["value"],
                "high": both["value_high"],
            }
        )


@hookimpl
def monitor_indicators() -> list[type[Indicator]]:
    return [GpuUtilization]
