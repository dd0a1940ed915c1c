"""Rendered charts kept in the file cache: the same data never goes through matplotlib twice.

Drawing the report's twenty-odd SVG charts is the largest phase of ``monitor run``
(benchmarks/bench_run.py), and a scheduled run draws mostly the same charts as the run
before it: a rule's history only changes when its data does. With ``MONITOR_CACHE_DIR``
set, each chart's SVG and text alternative are stored as plain JSON under ``charts/``,
keyed by a fingerprint of the chart function, every argument, the chart module's source
and matplotlib's version. The SVG is deterministic (fixed hash salt, no date), so a
cached chart is byte for byte the chart a fresh drawing gives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import matplotlib

from monitor.core import filecache
from monitor.core.fingerprint import Fingerprint
from monitor.reports import charts
from monitor.reports.charts import Chart

KIND = "charts"
CHART_SOURCE = Path(charts.__file__)


def cached_chart(draw: Callable[..., Chart | None]) -> Callable[..., Chart | None]:
    """``draw`` with its result kept in the file cache (when the cache is on)."""

    def cached(*args: Any, **kwargs: Any) -> Chart | None:
        if filecache.folder(KIND) is None:
            return draw(*args, **kwargs)
        digest = Fingerprint().add_value("chart", f"{draw.__module__}.{draw.__qualname__}")
        digest.add_value("arguments", [list(args), kwargs])
        digest.add_file(CHART_SOURCE, name="charts.py")
        digest.add_value("matplotlib", matplotlib.__version__)

        def plain() -> dict[str, Any] | None:
            chart = draw(*args, **kwargs)
            return None if chart is None else asdict(chart)

        stored = filecache.cached(KIND, digest.hexdigest(), plain)
        return None if stored is None else Chart(**stored)

    cached.__doc__ = draw.__doc__
    return cached
