"""The indicator room: the contract plugins implement, their toolkit, hooks and registry.

Plugin authors import from here (``from monitor.indicator import Indicator, select``)
or, for the two names every plugin needs, from the package itself
(``from monitor import Indicator, hookimpl``).
"""

from monitor.indicator.base import OUTPUT_COLUMNS, Indicator
from monitor.indicator.hookspecs import hookimpl, hookspec
from monitor.indicator.toolkit import (
    MONTH_GAP_DAYS,
    YEAR_GAP_DAYS,
    combine,
    empty_output,
    period_change,
    prefer,
    ratio_or_reported,
    ratio_to_latest,
    select,
    total,
)
from monitor.indicator.validation import validate_output

__all__ = [
    "MONTH_GAP_DAYS",
    "OUTPUT_COLUMNS",
    "YEAR_GAP_DAYS",
    "Indicator",
    "combine",
    "empty_output",
    "hookimpl",
    "hookspec",
    "period_change",
    "prefer",
    "ratio_or_reported",
    "ratio_to_latest",
    "select",
    "total",
    "validate_output",
]
