"""FRED as a source: raw CSV downloads and the FRED web API, turned into observations.

FRED files are not tidy: one column per series, CRLF line ends, and blank or ``.``
cells on days without an observation (holidays). A blank is "no observation", not a
bad row, so it is skipped; anything else that is not a number is reported and
quarantined like any bad row. ``published`` is the period date plus the series'
usual publication lag: FRED's current-vintage answers carry today's date as their
real-time start, which says nothing about when a past value became known.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pandas as pd

from monitor.core.errors import FredError
from monitor.data.observations import BadRow, ValidatedObservations, validate

DEFAULT_API = "https://api.stlouisfed.org/fred"
API_KEY_ENV = "FRED_API_KEY"
API_URL_ENV = "FRED_API_URL"
MISSING = {"", "."}


@dataclass(frozen=True)
class FredSeries:
    """How one FRED series maps onto the observation frame."""

    fred_id: str
    series: str
    unit: str
    entity: str = "US"
    publication_lag_days: int = 0

    @property
    def source(self) -> str:
        return f"FRED {self.fred_id}"


def _tidy(
    dates: pd.Series, values: pd.Series, spec: FredSeries, origin: str
) -> ValidatedObservations:
    text = values.astype("str").str.strip()
    keep = ~text.isin(MISSING) & values.notna()
    dates, text = dates[keep], text[keep]
    parsed = pd.to_datetime(dates, format="ISO8601", errors="coerce")
    published = (parsed + pd.Timedelta(days=spec.publication_lag_days)).dt.strftime("%Y-%m-%d")
    raw = pd.DataFrame(
        {
            "series": spec.series,
            "entity": spec.entity,
            "date": dates.astype("str"),
            "value": text,
            "published": published.where(parsed.notna(), None),
            "unit": spec.unit,
            "source": spec.source,
        }
    )
    raw.index = dates.index  # keep file positions for error lines
    return validate(raw, origin, first_line=2)


def read_csv(path: Path, spec: FredSeries) -> ValidatedObservations:
    """Read a raw FRED download (``observation_date,ID`` or ``DATE,ID`` header).

    An empty file or one without a value column is an error naming the file; a line
    with the wrong number of fields (an unquoted comma) is a bad row on its line.
    """
    try:
        header, rows, misshapen = _read_lines(path)
    except UnicodeDecodeError as exc:
        raise FredError(f"{path}:1: not UTF-8 text ({exc.reason})") from None
    except csv.Error as exc:
        raise FredError(f"{path}: unreadable CSV ({exc})") from None
    if not header:
        raise FredError(f"{path}:1: empty file: expected a header such as DATE,{spec.fred_id}")
    if len(header) < 2:
        raise FredError(f"{path}:1: expected a date column and a value column")
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=header, dtype="str")
    upper = spec.fred_id.upper()
    value_at = next((i for i, c in enumerate(header) if i > 0 and c.upper() == upper), 1)
    result = _tidy(frame.iloc[:, 0], frame.iloc[:, value_at], spec, str(path))
    if misshapen:
        bad_rows = sorted([*result.bad_rows, *misshapen], key=lambda b: b.line)
        result = ValidatedObservations(result.frame, bad_rows, result.quarantined)
    return result


def _read_lines(path: Path) -> tuple[list[str], dict[int, list[str]], list[BadRow]]:
    """The header, rows keyed by line number minus two, and lines that do not fit."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        rows: dict[int, list[str]] = {}
        misshapen: list[BadRow] = []
        for fields in reader:
            if not any(f.strip() for f in fields):
                continue
            if len(fields) != len(header):
                check = f"expected {len(header)} fields, found {len(fields)} (unquoted comma?)"
                text = ",".join(fields)[:80]
                misshapen.append(BadRow(str(path), reader.line_num, "(row)", check, text))
                continue
            rows[reader.line_num - 2] = fields
    return header, rows, misshapen


def _redact(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text


def fetch(
    spec: FredSeries,
    start: str | None = None,
    end: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    timeout: float = 30.0,
) -> ValidatedObservations:
    """Download a series from the FRED API (JSON) as observations.

    The key comes from ``FRED_API_KEY`` unless given; it never appears in errors.
    ``FRED_API_URL`` points at a mirror or proxy (and at a local server in tests).
    """

    base_url = base_url or os.environ.get(API_URL_ENV, DEFAULT_API)
    key = api_key or os.environ.get(API_KEY_ENV)
    if not key:
        raise FredError(f"no FRED API key: set the {API_KEY_ENV} environment variable")
    params: dict[str, Any] = {"series_id": spec.fred_id, "api_key": key, "file_type": "json"}
    if start:
        params["observation_start"] = start
    if end:
        params["observation_end"] = end
    url = f"{base_url.rstrip('/')}/series/observations"
    try:
        response = httpx.get(url, params=params, timeout=timeout)
    except httpx.HTTPError as exc:
        raise FredError(_redact(f"FRED request failed: {exc}", key)) from None
    if response.status_code != 200:
        detail = _error_message(response)
        raise FredError(_redact(f"FRED answered {response.status_code}: {detail}", key))
    try:
        rows = response.json()["observations"]
    except (ValueError, KeyError, TypeError):
        raise FredError("FRED answer is not the expected JSON (no 'observations')") from None
    frame = pd.DataFrame(rows, columns=["date", "value"])
    return _tidy(frame["date"], frame["value"], spec, f"FRED API {spec.fred_id}")


def _error_message(response: Any) -> str:
    try:
        return str(response.json().get("error_message", response.text[:200]))
    except ValueError:
        return str(response.text[:200])


def to_csv(data: ValidatedObservations) -> str:
    """The tidy CSV a case folder holds."""
    frame = data.frame.copy()
    for column in ("date", "published"):
        frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    return str(frame.to_csv(index=False))
