"""``[[source]]`` tables of monitor.toml: the live sources a store is refreshed from.

```toml
[[source]]
name = "fred"
kind = "fred"                       # fred | file | facts | edgar
series = [
  {id = "FEDFUNDS", series = "fed_funds_effective", unit = "%", lag = 32},
  {id = "NASDAQCOM", series = "nasdaq_close", unit = "index", native = "daily", lag = 1},
  {id = "PAYEMS", series = "payrolls", unit = "k persons", mode = "alfred"},
]

[[source]]
name = "ism"
kind = "file"
path = "data/ism.xlsx"
series = "ism_pmi"
unit = "index"
source = "ISM Report on Business"
columns = {date = "Month", value = "PMI", published = "Released"}

[[source]]
name = "facts"
kind = "facts"
path = "data/facts.yaml"
```

An SEC EDGAR table (``kind = "edgar"``) is described in :mod:`monitor.ops.edgarconfig`.
A FRED key comes from ``FRED_API_KEY`` (never the file). Every problem is reported with
its line, as for the rest of the config.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.data.sources.base import DEFAULT_LAG_DAYS, Source
from monitor.data.sources.facts import FactsSource
from monitor.data.sources.files import FileSource, FileSpec
from monitor.data.sources.fred_source import (
    DEFAULT_API,
    DEFAULT_GRAPH,
    MODES,
    FredSource,
    FredSpec,
)
from monitor.ops.edgarconfig import EDGAR_KEYS, build_edgar, check_edgar, summary

KINDS = ("fred", "file", "facts", "edgar")
SOURCE_KEYS = {
    "name", "kind", "series", "path", "entity", "unit", "source", "columns",
    "frequency", "lag", "sheet", "api_url", "graph_url", *EDGAR_KEYS,
}  # fmt: skip
FRED_SERIES_KEYS = {
    "id", "series", "unit", "entity", "frequency", "native", "aggregation", "lag", "mode",
}  # fmt: skip
FREQUENCIES = tuple(DEFAULT_LAG_DAYS)


@dataclass
class SourceConfig:
    name: str
    kind: str
    options: dict[str, Any] = field(default_factory=dict)
    base: Path = Path(".")

    def series_ids(self) -> list[str]:
        if self.kind == "edgar":
            return summary(self.options)
        series = self.options.get("series")
        if isinstance(series, list):
            return [str(s.get("series", "")) for s in series]
        return [str(series)] if series else []

    def build(self) -> Source:
        """The configured :class:`~monitor.data.sources.base.Source`."""
        o = self.options
        if self.kind == "edgar":
            return build_edgar(self.name, o, self.base)
        if self.kind == "fred":
            specs = [
                FredSpec(
                    str(s["id"]),
                    str(s["series"]),
                    str(s["unit"]),
                    frequency=str(s.get("frequency", "monthly")),
                    native=str(s.get("native", "")),
                    aggregation=str(s.get("aggregation", "eop")),
                    entity=str(s.get("entity", "US")),
                    publication_lag_days=s.get("lag"),
                    mode=str(s.get("mode", "csv")),
                )
                for s in o["series"]
            ]
            return FredSource(  # api_url/graph_url: a mirror or proxy
                specs,
                name=self.name,
                api_url=str(o.get("api_url", DEFAULT_API)),
                graph_url=str(o.get("graph_url", DEFAULT_GRAPH)),
            )
        path = (self.base / str(o["path"])).resolve()
        if self.kind == "facts":
            return FactsSource(path, name=self.name)
        spec = FileSpec(
            path,
            columns={str(k): str(v) for k, v in (o.get("columns") or {}).items()},
            series=o.get("series"),
            entity=o.get("entity"),
            unit=o.get("unit"),
            source=o.get("source"),
            frequency=str(o.get("frequency", "monthly")),
            publication_lag_days=o.get("lag"),
            sheet=o.get("sheet", 0),
        )
        return FileSource([spec], name=self.name)


def parse_sources(check: Any, tables: Any, base: Path) -> list[SourceConfig]:
    """The ``[[source]]`` tables, every problem reported through ``check`` (config's)."""
    out: list[SourceConfig] = []
    if not isinstance(tables, list):
        check.error(None, "source", "use [[source]] tables")
        return out
    for i, table in enumerate(tables):
        if not isinstance(table, dict):
            check.error(None, "source", "use [[source]] tables")
            continue
        check.unknown(table, SOURCE_KEYS, "source", i)
        name = check.get(table, "name", str, "source", None, i)
        kind = check.get(table, "kind", str, "source", None, i)
        if not name:
            check.error("source", "name", "every source needs a name", i)
        if kind not in KINDS:
            check.error("source", "kind", f"must be one of {', '.join(KINDS)}", i)
            continue
        lag = table.get("lag")
        if lag is not None and (isinstance(lag, bool) or not isinstance(lag, int) or lag < 0):
            check.error("source", "lag", "must be a whole number of days >= 0", i)
        if kind == "fred":
            series = table.get("series")
            if not isinstance(series, list) or not series:
                check.error("source", "series", "list the FRED series: [{id, series, unit}]", i)
                continue
            for entry in series:
                if not isinstance(entry, dict):
                    check.error("source", "series", "each series is {id, series, unit}", i)
                    continue
                check.unknown(entry, FRED_SERIES_KEYS, "source", i)
                for key in ("id", "series", "unit"):
                    if not isinstance(entry.get(key), str):
                        check.error("source", "series", f"each series needs {key!r}", i)
                if entry.get("mode", "csv") not in MODES:
                    check.error("source", "series", f"mode must be one of {', '.join(MODES)}", i)
                if entry.get("frequency", "monthly") not in FREQUENCIES:
                    check.error("source", "series", f"frequency: one of {FREQUENCIES}", i)
        elif kind == "edgar":
            check_edgar(check, table, i)
        elif not isinstance(table.get("path"), str):
            check.error("source", "path", f"a {kind} source needs a path", i)
        if name and kind:
            out.append(SourceConfig(str(name), str(kind), dict(table), base))
    names = [s.name for s in out]
    for i, name in enumerate(names):
        if name in names[:i]:
            check.error("source", "name", f"duplicate source name {name!r}", i)
    return out
