"""Example indicator plugin: book-to-bill, orders booked over revenue billed.

A vendor whose orders fall below its revenue is eating its backlog: Cisco's backlog
hit a record in early 2001 and had turned into excess inventory by March (the brief,
stage 2). The ratio is known only once both figures are published.
"""

from __future__ import annotations

import pandas as pd

from monitor.indicator import Indicator, combine, select
from monitor.plugins import hookimpl


class BookToBill(Indicator):
    """Orders booked over revenue billed in the same period, as a multiple.

    Below 1x the backlog shrinks: demand has turned before revenue shows it.
    """

    name = "book_to_bill"
    title = "Book-to-bill ratio"
    unit = "x"
    frequency = "quarterly"
    inputs = ("orders", "revenue")

    def compute(self, observations: pd.DataFrame) -> pd.DataFrame:
        orders = select(observations, "orders")
        revenue = select(observations, "revenue")
        return combine(orders, revenue, "ratio")


@hookimpl
def monitor_indicators() -> list[type[Indicator]]:
    return [BookToBill]
