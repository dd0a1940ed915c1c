"""FRED and ALFRED as a :class:`~monitor.data.sources.base.Source`.

Three ways in, one per ``mode`` of a series:

- ``csv``: the keyless download (``fredgraph.csv?id=ID``), in either header spelling
  (``observation_date,ID`` or the older ``DATE,ID``), ``.`` or blank for no value;
  ``published`` = date + the series' lag.
- ``api``: the JSON API (``series/observations``; the key from ``FRED_API_KEY``); the
  current vintage only, so ``published`` = date + lag as well.
- ``alfred``: every vintage. The vintage dates come from ``series/vintagedates``; the
  observations are asked for in real-time windows of at most ``vintage_limit`` vintage
  dates (the API refuses more than 2000 in one request), and each value's
  ``realtime_start`` becomes its ``published``, so a revision is a new row with a later
  ``published``: a backtest sees each value as it was known.

A daily series declared at a lower ``frequency`` is reduced to it (``eop`` or ``avg``).
All requests go through :func:`monitor.data.sources.http.get` (retries, ``Retry-After``).
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import pandas as pd

from monitor.core.errors import SourceError
from monitor.data.observations import ValidatedObservations, empty_frame, validate
from monitor.data.sources import http
from monitor.data.sources.base import SeriesInfo, default_lag, reduce_to

DEFAULT_API = "https://api.stlouisfed.org/fred"
DEFAULT_GRAPH = "https://fred.stlouisfed.org/graph"
API_KEY_ENV = "FRED_API_KEY"
VINTAGE_LIMIT = 2000  # vintage dates the API accepts in one request
PAGE_LIMIT = 100000  # observations per answer (the API's maximum)
MISSING = {"", "."}
MODES = ("csv", "api", "alfred")


@dataclass(frozen=True)
class FredSpec:
    """One FRED series and how it maps onto the observation frame."""

    fred_id: str
    series: str
    unit: str
    frequency: str = "monthly"  # the frequency the case wants (a daily series is reduced)
    native: str = ""  # the series' own frequency on FRED when it differs ("daily")
    aggregation: str = "eop"
    entity: str = "US"
    publication_lag_days: int | None = None
    mode: str = "csv"

    @property
    def lag(self) -> int:
        return default_lag(self.frequency, self.publication_lag_days)

    @property
    def source(self) -> str:
        return f"{'ALFRED' if self.mode == 'alfred' else 'FRED'} {self.fred_id}"


def _error_message(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error_message", response.text[:200]))
    except ValueError:
        return response.text[:200]


def parse_csv(text: str, fred_id: str, origin: str) -> pd.DataFrame:
    """``date, value`` from a fredgraph CSV in either header spelling; no-value days dropped."""
    frame = pd.read_csv(io.StringIO(text), dtype="str", keep_default_na=False)
    if frame.shape[1] < 2 or frame.columns[0].strip().upper() not in ("DATE", "OBSERVATION_DATE"):
        raise SourceError(f"{origin}: not a FRED CSV (header {list(frame.columns)[:2]})")
    column = next((c for c in frame.columns[1:] if c.strip().upper() == fred_id.upper()), None)
    return _rows(frame.iloc[:, 0], frame[column or frame.columns[1]], origin)


def _rows(dates: pd.Series, values: pd.Series, origin: str) -> pd.DataFrame:
    text = values.astype("str").str.strip()
    keep = ~text.isin(MISSING)
    parsed = pd.to_numeric(text[keep], errors="coerce")
    if parsed.isna().any():
        bad = text[keep][parsed.isna()]
        where = f"{origin}:{int(bad.index[0]) + 2}" if isinstance(bad.index[0], int) else origin
        raise SourceError(f"{where}: value {bad.iloc[0]!r} is not a number")
    day = pd.to_datetime(dates[keep].str.strip(), format="ISO8601").astype("datetime64[us]")
    return pd.DataFrame({"date": day.to_numpy(), "value": parsed.to_numpy(dtype="float64")})


class FredSource:
    """FRED series by download, API or ALFRED vintages; see the module docstring."""

    def __init__(
        self,
        specs: Sequence[FredSpec],
        *,
        name: str = "fred",
        api_url: str = DEFAULT_API,
        graph_url: str = DEFAULT_GRAPH,
        api_key: str | None = None,
        vintage_limit: int = VINTAGE_LIMIT,
        timeout: float = 30.0,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        for spec in specs:
            if spec.mode not in MODES:
                raise SourceError(f"{name}: {spec.fred_id}: unknown mode {spec.mode!r}")
        self.name = name
        self.specs = list(specs)
        self.api_url = api_url.rstrip("/")
        self.graph_url = graph_url.rstrip("/")
        self._key = api_key
        self.vintage_limit = max(1, vintage_limit)
        self.timeout = timeout
        self._sleep = sleep or time.sleep

    # --- the Source interface ----------------------------------------------------------

    def fetch(self, since: pd.Timestamp | None = None) -> ValidatedObservations:
        data = ValidatedObservations(empty_frame())
        for spec in self.specs:
            data = data.extend(self.fetch_series(spec, since))
        return data

    def describe(self) -> list[SeriesInfo]:
        out = []
        for spec in self.specs:
            info = {"title": spec.fred_id, "last_updated": None, "notes": ""}
            if spec.mode != "csv":
                answer = self._api("series", {"series_id": spec.fred_id})
                first = (answer.get("seriess") or [{}])[0]
                info = {
                    "title": str(first.get("title", spec.fred_id)),
                    "last_updated": first.get("last_updated"),
                    "notes": str(first.get("notes", "")),
                }
            out.append(
                SeriesInfo(
                    spec.fred_id,
                    spec.series,
                    str(info["title"]),
                    spec.unit,
                    spec.frequency,
                    spec.source,
                    info["last_updated"],
                    str(info["notes"]),
                )
            )
        return out

    # --- one series ---------------------------------------------------------------------

    def fetch_series(self, spec: FredSpec, since: pd.Timestamp | None) -> ValidatedObservations:
        if spec.mode == "alfred":
            rows = self._vintages(spec, since)
        else:
            rows = self._csv(spec, since) if spec.mode == "csv" else self._current(spec, since)
            if spec.native == "daily" and spec.frequency != "daily":
                rows = reduce_to(rows, spec.frequency, spec.aggregation)
            rows = rows.assign(published=rows["date"] + pd.Timedelta(days=spec.lag))
        return self._tidy(spec, rows)

    def _csv(self, spec: FredSpec, since: pd.Timestamp | None) -> pd.DataFrame:
        params = {"id": spec.fred_id}
        if since is not None:
            params["cosd"] = since.date().isoformat()
        response = self._get(f"{self.graph_url}/fredgraph.csv", params)
        return parse_csv(response.text, spec.fred_id, f"{self.name}: {spec.fred_id}")

    def _current(self, spec: FredSpec, since: pd.Timestamp | None) -> pd.DataFrame:
        params: dict[str, Any] = {"series_id": spec.fred_id}
        if since is not None:
            params["observation_start"] = since.date().isoformat()
        rows = self._observations(params)
        frame = pd.DataFrame(rows, columns=["date", "value"])
        return _rows(frame["date"], frame["value"], f"{self.name}: {spec.fred_id}")

    def _vintages(self, spec: FredSpec, since: pd.Timestamp | None) -> pd.DataFrame:
        dates = self.vintage_dates(spec.fred_id)
        frames = []
        for start in range(0, len(dates), self.vintage_limit):
            window = dates[start : start + self.vintage_limit]
            params: dict[str, Any] = {
                "series_id": spec.fred_id,
                "realtime_start": window[0],
                "realtime_end": window[-1],
            }
            if since is not None:
                params["observation_start"] = since.date().isoformat()
            frame = pd.DataFrame(
                self._observations(params), columns=["date", "value", "realtime_start"]
            )
            frames.append(frame)
        if not frames:
            return pd.DataFrame({"date": [], "value": [], "published": []})
        raw = pd.concat(frames, ignore_index=True)
        raw = raw[~raw["value"].astype("str").str.strip().isin(MISSING)]
        rows = _rows(raw["date"], raw["value"], f"{self.name}: {spec.fred_id}")
        rows["published"] = pd.to_datetime(raw["realtime_start"].to_numpy()).astype(
            "datetime64[us]"
        )
        # a window clips a value's real-time start to the window's first vintage: keep
        # only the first time each value appears, so a vintage is a row where it changed
        rows = rows.sort_values(["date", "published"]).reset_index(drop=True)
        changed = rows.groupby("date")["value"].diff().fillna(1.0) != 0
        return rows[changed].reset_index(drop=True)

    def vintage_dates(self, fred_id: str) -> list[str]:
        """Every vintage date of a series, page by page."""
        dates: list[str] = []
        while True:
            answer = self._api(
                "series/vintagedates",
                {"series_id": fred_id, "offset": len(dates), "limit": 10000},
            )
            page = [str(d) for d in answer.get("vintage_dates", [])]
            dates += page
            if not page or len(dates) >= int(answer.get("count", len(dates))):
                return dates

    # --- requests -------------------------------------------------------------------------

    def _observations(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        while True:
            answer = self._api(
                "series/observations", {**params, "offset": len(rows), "limit": PAGE_LIMIT}
            )
            try:
                page = list(answer["observations"])
            except (KeyError, TypeError):
                raise SourceError(f"{self.name}: answer has no 'observations'") from None
            rows += page
            if not page or len(rows) >= int(answer.get("count", len(rows))):
                return rows

    def _api(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        key = self._key or os.environ.get(API_KEY_ENV)
        if not key:
            raise SourceError(f"{self.name}: no FRED API key: set {API_KEY_ENV}")
        response = self._get(
            f"{self.api_url}/{path}", {**params, "api_key": key, "file_type": "json"}, key
        )
        try:
            answer = response.json()
        except ValueError:
            raise SourceError(f"{self.name}: {path} answer is not JSON") from None
        if not isinstance(answer, dict):
            raise SourceError(f"{self.name}: {path} answer is not a JSON object")
        return answer

    def _get(self, url: str, params: dict[str, Any], key: str = "") -> httpx.Response:
        return http.get(
            self.name,
            url,
            params,
            timeout=self.timeout,
            secrets=(key,),
            sleep=self._sleep,
            describe_error=_error_message,
        )

    def _tidy(self, spec: FredSpec, rows: pd.DataFrame) -> ValidatedObservations:
        if rows.empty:
            return ValidatedObservations(empty_frame())
        raw = pd.DataFrame(
            {
                "series": spec.series,
                "entity": spec.entity,
                "date": rows["date"].dt.strftime("%Y-%m-%d"),
                "value": rows["value"].astype("str"),
                "published": rows["published"].dt.strftime("%Y-%m-%d"),
                "unit": spec.unit,
                "source": spec.source,
            }
        )
        return validate(raw.reset_index(drop=True), f"{self.name}: {spec.fred_id}")
