"""The plugin hook every indicator module implements, as datasette's hookspecs do."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from monitor.indicator.base import Indicator

PROJECT = "monitor"
ENTRY_POINT_GROUP = "monitor.indicators"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class IndicatorSpec:
    @hookspec
    def monitor_indicators(self) -> Iterable[type[Indicator]]:  # type: ignore[empty-body]
        """Return the indicator classes this plugin provides."""
