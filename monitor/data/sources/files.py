"""Files: CSV, Parquet and Excel tables mapped onto the observation frame.

A file rarely uses our column names. A :class:`FileSpec` maps them (``columns:
{date: Month, value: PMI}``) and gives what the file leaves out as constants (one
series per file, its entity, unit and source). A blank or missing ``published`` is
``date`` + the series' publication lag (the usual lag of its frequency unless given),
never "unknown". A raw FRED download (``observation_date,ID`` or ``DATE,ID``) is
recognised and read as FRED's, with ``FRED ID`` as its source. Parquet needs pyarrow
and Excel openpyxl (``pip install "bubble-monitor[files]"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from monitor.core.errors import SourceError
from monitor.core.optional import require
from monitor.data.observations import COLUMNS, ValidatedObservations, empty_frame, validate
from monitor.data.sources.base import SeriesInfo, default_lag
from monitor.data.sources.fred_source import parse_csv

FRED_DATE_HEADERS = ("DATE", "OBSERVATION_DATE")
GENERIC_VALUE_HEADERS = ("VALUE",)  # "Date,Value": a two-column series file, not a FRED id


@dataclass(frozen=True)
class FileSpec:
    """One file and how its columns map onto observations."""

    path: Path
    columns: dict[str, str] = field(default_factory=dict)  # our column -> the file's
    series: str | None = None
    entity: str | None = None
    unit: str | None = None
    source: str | None = None
    frequency: str = "monthly"
    publication_lag_days: int | None = None
    sheet: str | int = 0  # Excel only


def read_table(path: Path, sheet: str | int = 0) -> pd.DataFrame:
    """The file as text cells, whatever its format."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return pd.read_csv(path, dtype="str", keep_default_na=False, encoding="utf-8-sig")
        if suffix == ".parquet":
            require("pyarrow", "files")
            return pd.read_parquet(path).astype("str")
        if suffix in (".xlsx", ".xlsm"):
            require("openpyxl", "files")
            return pd.read_excel(path, sheet_name=sheet, dtype="str", engine="openpyxl")
    except (OSError, ValueError) as exc:
        raise SourceError(f"{path}: cannot read ({exc})") from None
    raise SourceError(f"{path}: unknown file type {suffix!r} (.csv, .parquet, .xlsx)")


def is_fred_csv(table: pd.DataFrame) -> bool:
    head = [str(c).strip().upper() for c in table.columns]
    return len(head) == 2 and head[0] in FRED_DATE_HEADERS


class FileSource:
    """Files as a :class:`~monitor.data.sources.base.Source`."""

    def __init__(self, specs: list[FileSpec], name: str = "files") -> None:
        self.specs = specs
        self.name = name

    def fetch(self, since: pd.Timestamp | None = None) -> ValidatedObservations:
        data = ValidatedObservations(empty_frame())
        for spec in self.specs:
            data = data.extend(self.read(spec, since))
        return data

    def describe(self) -> list[SeriesInfo]:
        return [
            SeriesInfo(
                str(spec.path.name),
                spec.series or "(from the file)",
                spec.series or spec.path.stem,
                spec.unit or "(from the file)",
                spec.frequency,
                spec.source or f"file {spec.path.name}",
            )
            for spec in self.specs
        ]

    def read(self, spec: FileSpec, since: pd.Timestamp | None = None) -> ValidatedObservations:
        origin = str(spec.path)
        table = read_table(spec.path, spec.sheet)
        lag = pd.Timedelta(days=default_lag(spec.frequency, spec.publication_lag_days))
        if spec.path.suffix.lower() == ".csv" and is_fred_csv(table) and not spec.columns:
            fred_id = str(table.columns[1]).strip()
            generic = fred_id.upper() in GENERIC_VALUE_HEADERS
            if generic and spec.source is None:
                raise SourceError(f"{origin}:1: a Date,Value file needs its source named")
            text = spec.path.read_text(encoding="utf-8-sig")
            rows = parse_csv(text, fred_id, origin)
            raw = pd.DataFrame(
                {
                    "date": rows["date"].dt.strftime("%Y-%m-%d"),
                    "value": rows["value"].astype("str"),
                    "published": (rows["date"] + lag).dt.strftime("%Y-%m-%d"),
                    "source": spec.source or f"FRED {fred_id}",
                }
            )
            first_line = 2
        else:
            missing = [f for f in spec.columns.values() if f not in table.columns]
            if missing:
                raise SourceError(f"{origin}:1: mapped column(s) {missing} not in the file")
            raw = table.rename(columns={v: k for k, v in spec.columns.items()})
            if "date" not in raw.columns:
                raise SourceError(f"{origin}:1: no date column (map one: columns: {{date: ...}})")
            first_line = 2
        for column, constant in (
            ("series", spec.series),
            ("entity", spec.entity),
            ("unit", spec.unit),
            ("source", spec.source),
        ):
            if constant is not None:
                raw[column] = constant
        if "published" not in raw.columns:
            raw["published"] = None
        dates = pd.to_datetime(raw.get("date"), format="ISO8601", errors="coerce")
        blank = raw["published"].isna() | (raw["published"].astype("str").str.strip() == "")
        raw.loc[blank, "published"] = (dates[blank] + lag).dt.strftime("%Y-%m-%d")
        if since is not None:
            raw = raw[~(dates < since)]
        keep = [c for c in raw.columns if c in (*COLUMNS, "note")]
        return validate(raw[keep], origin, first_line=first_line)
