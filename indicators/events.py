"""Event indicators: dated announcements that mark stages 2 and 3 of the bust.

Events are observations on the day they were announced; rules read them through
window functions (``count(12mo)``, ``months_since()``), never as a standing level.
"""

from __future__ import annotations

import pandas as pd

from monitor.indicator import Indicator, hookimpl


class _Event(Indicator):
    """An announcement counts as one event; its reported size is kept beside it.

    Sources give sizes in different units (a miss in percent, assets in $ bn) or none
    at all, so ``value`` is the count (1) and ``size``/``size_unit`` carry what the
    source said, for reports; rules count events and never add unlike sizes.
    """

    kind = "event"
    frequency = "event"
    unit = "count"
    series: str

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        rows = observations.loc[observations["series"] == self.series]
        rows = rows.sort_values(["entity", "date", "published"]).reset_index(drop=True)
        return pd.DataFrame(
            {
                "entity": rows["entity"],
                "date": rows["date"],
                "value": 1.0,
                "published": rows["published"],
                "size": rows["value"],
                "size_unit": rows["unit"],
            }
        )


class ProfitWarnings(_Event):
    """Profit warnings and earnings misses of the equipment vendors (stage 2).

    The brief's canary: Lucent on 6 January 2000 (EPS about 30% below expectations,
    -28% in a day), its second warning on 20 July 2000 conceding a structural demand
    decline, Cisco's first miss in February 2001. The size of the miss (percent) is
    kept where the brief gives it.
    """

    name = "profit_warnings"
    title = "Profit warnings"
    series = "profit_warning"
    inputs = ("profit_warning",)


class InventoryWritedowns(_Event):
    """Inventory write-downs (stage 3), size in $ bn.

    The brief: Cisco wrote down $2.25 bn of inventory in spring 2001; its forecasting
    had no downside scenario, and the bullwhip of double orders had filled warehouses.
    """

    name = "inventory_writedowns"
    title = "Inventory write-downs"
    series = "inventory_writedown"
    inputs = ("inventory_writedown",)


class Restatements(_Event):
    """Accounting restatements (stage 3), size: profit cut in $ bn where known.

    The brief: Enron's October 2001 restatement cut 1997-2000 profit by $586 m;
    WorldCom's capex fraud surfaced in June 2002; more than 30 large telecom and
    equipment companies restated in 2000-2002.
    """

    name = "restatements"
    title = "Restatements"
    series = "restatement"
    inputs = ("restatement",)


class Bankruptcies(_Event):
    """Bankruptcies of operators and customers (stage 3), size: assets in $ bn if given.

    The brief: Enron on 2 December 2001, WorldCom on 21 July 2002 ($107 bn of
    assets); at least 47 CLECs filed 2000-2003. Vendor loans to these customers
    turned into the bad-debt reserves of the equipment makers.
    """

    name = "bankruptcies"
    title = "Bankruptcies"
    series = "bankruptcy"
    inputs = ("bankruptcy",)


@hookimpl
def monitor_indicators() -> list[type[Indicator]]:
    return [ProfitWarnings, InventoryWritedowns, Restatements, Bankruptcies]
