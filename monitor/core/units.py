"""Units of indicators and of numbers written in rule conditions.

A unit is a dimension plus a scale, so ``150bp`` compares with a percentage and
``2bn`` with a series kept in $ m. Comparing a percentage with dollars is a rule
error caught at load time, not a silent ``False`` at run time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    dimension: str | None
    scale: float = 1.0

    def compatible(self, other: Unit) -> bool:
        return (
            self.dimension is None or other.dimension is None or (self.dimension == other.dimension)
        )


DIMENSIONLESS = Unit(None)

# units an indicator may declare
INDICATOR_UNITS: dict[str, Unit] = {
    "%": Unit("percent"),
    "index": Unit("index"),
    "$bn": Unit("usd", 1e9),
    "$m": Unit("usd", 1e6),
    "$tn": Unit("usd", 1e12),
    "k persons": Unit("persons", 1e3),
    "persons": Unit("persons"),
    "GW": Unit("power"),
    "count": Unit("count"),
    "x": Unit("ratio"),
    "months": Unit("months"),
    "t-stat": Unit("t-statistic"),
}

# suffixes a number may carry in a condition
LITERAL_UNITS: dict[str, tuple[Unit, str]] = {
    "%": (Unit("percent"), "percent"),
    "pp": (Unit("percent"), "percentage points"),
    "bp": (Unit("percent", 0.01), "basis points (0.01 percentage points)"),
    "bn": (Unit("usd", 1e9), "US dollars, billions"),
    "tn": (Unit("usd", 1e12), "US dollars, trillions"),
    "m": (Unit("usd", 1e6), "US dollars, millions"),
    "k": (Unit("persons", 1e3), "persons, thousands"),
    "x": (Unit("ratio"), "a multiple"),
}


def indicator_unit(unit: str) -> Unit:
    """The dimension of an indicator's declared unit; unknown units stay unchecked."""
    return INDICATOR_UNITS.get(unit, DIMENSIONLESS)


def describe(unit: Unit) -> str:
    return unit.dimension or "a plain number"
