"""The observation frame: one tidy, validated table that every source feeds.

Every source (a bundled case, a CSV, a FRED download) produces long rows
``series, entity, date, value, published, unit, source``. ``published`` is when the
value became known, which is what makes point-in-time evaluation honest. Rows that
fail validation are never silently dropped: they are collected, all at once, as
:class:`BadRow` records (file, line, column, check) and kept out of evaluation.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from monitor.core.limits import MAX_MAGNITUDE
from monitor.data import cells
from monitor.data.badrow import BadRow
from monitor.data.cells import TIME_ZONE
from monitor.data.csvrows import read_rows

__all__ = [
    "COLUMNS",
    "SCHEMA",
    "TIME_ZONE",
    "BadRow",
    "ObservationSchema",
    "ValidatedObservations",
    "apply_defaults",
    "coerce_raw",
    "combine",
    "empty_frame",
    "read_csv",
    "validate",
    "visible_at",
]

COLUMNS = ["series", "entity", "date", "value", "published", "unit", "source"]
OPTIONAL_COLUMNS = ["note"]

UNIQUE_KEY = "series, entity, date, published"

LAST_DATE = pd.Timestamp("2100-12-31")
"""No observation is published after this: a placeholder such as 9999-12-31 would move
the as-of (which follows the newest publication) millennia ahead, taking minutes and
gigabytes of daily evaluation steps. The bound is absolute, not relative to the file's
newest period: a restatement or a later vintage is honestly published years after the
period it is about."""

SERIES_PATTERN = r"^[a-z][a-z0-9_]*\Z"  # \Z: "$" accepts a trailing newline
ENTITY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*\Z"


class ObservationSchema(pa.DataFrameModel):
    """The contract of the observation frame, checked wherever data enters."""

    series: Series[str] = pa.Field()
    entity: Series[str] = pa.Field()
    date: Series[pd.Timestamp] = pa.Field(nullable=False)
    value: Series[float] = pa.Field(nullable=False)
    published: Series[pd.Timestamp] = pa.Field(nullable=False)
    unit: Series[str] = pa.Field(str_length={"min_value": 1})
    source: Series[str] = pa.Field(str_length={"min_value": 1})

    # str_matches, tested once per distinct text (a panel repeats a few names a million
    # times); named as pandera names its own check, which the messages quote
    @pa.check("series", name=f"str_matches('{SERIES_PATTERN}')")
    @classmethod
    def _series_name(cls, series: Series[str]) -> Series[bool]:
        return _matches(series, SERIES_PATTERN)

    @pa.check("entity", name=f"str_matches('{ENTITY_PATTERN}')")
    @classmethod
    def _entity_name(cls, entity: Series[str]) -> Series[bool]:
        return _matches(entity, ENTITY_PATTERN)

    @pa.check("value", name="finite")
    @classmethod
    def _finite(cls, value: Series[float]) -> Series[bool]:
        return pd.Series(np.isfinite(value.to_numpy(dtype="float64")), index=value.index)

    @pa.check("value", name="magnitude")
    @classmethod
    def _sane(cls, value: Series[float]) -> Series[bool]:
        """Values beyond MAX_MAGNITUDE (1e15) are typos or overflows, never data."""
        return value.isna() | ~(value.abs() > MAX_MAGNITUDE)

    @pa.check("published", name="published_by_last_date")
    @classmethod
    def _published_bound(cls, published: Series[pd.Timestamp]) -> Series[bool]:
        """``published`` no later than LAST_DATE (2100-12-31)."""
        return published.isna() | (published <= LAST_DATE)

    @pa.dataframe_check(name="published_not_before_date")
    @classmethod
    def _no_look_ahead(cls, frame: pd.DataFrame) -> Series[bool]:
        """A value cannot be known before the period it is about has begun.

        A typo in ``published`` would otherwise turn a backtest into a look-ahead one;
        an expectation for a later period is dated on the day it was stated.
        """
        return (
            (frame["published"] >= frame["date"]) | frame["published"].isna() | frame["date"].isna()
        )

    class Config:
        strict = False
        unique = ["series", "entity", "date", "published"]


def _matches(column: pd.Series, pattern: str) -> pd.Series:
    """``column.str.match(pattern)``, matched once per distinct text (missing cells pass)."""
    codes, uniques = pd.factorize(column)
    compiled = re.compile(pattern)
    ok = np.array([*(compiled.match(str(u)) is not None for u in uniques), True])
    return pd.Series(ok[codes], index=column.index)


def _schema() -> pa.DataFrameSchema:
    """The model as a schema that reports only later copies of a duplicate row.

    The first copy is good data; quarantining it too would turn a typo into a gap.
    """
    schema = ObservationSchema.to_schema()
    schema.report_duplicates = "exclude_first"
    return schema


SCHEMA = _schema()


@dataclass
class ValidatedObservations:
    """Good rows ready for evaluation, plus every problem found on the way in."""

    frame: pd.DataFrame
    bad_rows: list[BadRow] = field(default_factory=list)
    quarantined: pd.DataFrame = field(default_factory=lambda: empty_frame())

    def extend(self, other: ValidatedObservations) -> ValidatedObservations:
        return combine([self, other])


def combine(parts: list[ValidatedObservations]) -> ValidatedObservations:
    """Several files' observations as one, concatenated once (not pairwise, file by file)."""
    frames = [p.frame for p in parts if not p.frame.empty]
    quarantined = [p.quarantined for p in parts if not p.quarantined.empty]
    return ValidatedObservations(
        frame=pd.concat(frames, ignore_index=True) if frames else empty_frame(),
        bad_rows=[b for p in parts for b in p.bad_rows],
        quarantined=pd.concat(quarantined, ignore_index=True) if quarantined else empty_frame(),
    )


def empty_frame() -> pd.DataFrame:
    """An observation frame with no rows but the right columns and dtypes."""
    return pd.DataFrame(
        {
            "series": pd.Series([], dtype="str"),
            "entity": pd.Series([], dtype="str"),
            "date": pd.Series([], dtype="datetime64[us]"),
            "value": pd.Series([], dtype="float64"),
            "published": pd.Series([], dtype="datetime64[us]"),
            "unit": pd.Series([], dtype="str"),
            "source": pd.Series([], dtype="str"),
        }
    )


def coerce_raw(
    raw: pd.DataFrame, origin: str, first_line: int = 2
) -> tuple[pd.DataFrame, list[BadRow]]:
    """Turn text columns into typed ones, reporting every cell that cannot be parsed.

    Parsing is done here rather than by pandera's ``coerce`` so that a bad date names
    the exact text that failed, which is what a person fixing the file needs. Each
    column is tested for blanks once; dates are parsed once per distinct text.
    """
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        return empty_frame(), [BadRow(origin, 1, col, "missing column", "") for col in missing]
    lines = raw.index.to_series() + first_line
    problems: list[BadRow] = []
    typed = raw.copy()
    blank = {col: cells.blank(raw[col]) for col in ("date", "published", "value")}
    for col in ("series", "entity", "unit", "source"):
        stripped = raw[col].astype("str").str.strip()
        blank[col] = raw[col].isna() | (stripped == "")
        typed[col] = stripped.where(~blank[col], None)
    for col in ("date", "published"):
        text = raw[col].astype("str").where(~blank[col], "")
        zoned = cells.zoned(text)
        problems += [
            BadRow(origin, int(lines[i]), col, "a time-zone offset (dates are calendar days)", t)
            for i, t in text[zoned].items()
        ]
        parsed = cells.to_dates(raw[col].where(~zoned, None))
        bad = parsed.isna() & ~blank[col] & ~zoned
        problems += [
            BadRow(origin, int(lines[i]), col, "not an ISO date", str(raw.at[i, col]))
            for i in raw.index[bad]
        ]
        typed[col] = parsed
    values = cells.numbers(raw["value"])
    bad = values.isna() & ~blank["value"]
    problems += [
        BadRow(origin, int(lines[i]), "value", "not a number", str(raw.at[i, "value"]))
        for i in raw.index[bad]
    ]
    typed["value"] = values.astype("float64")
    return typed, problems


def validate(raw: pd.DataFrame, origin: str, first_line: int = 2) -> ValidatedObservations:
    """Validate a frame of raw rows; good rows pass, bad rows are quarantined and reported.

    ``origin`` names the file (or source) and ``first_line`` the line of the row with
    index 0; a frame whose integer index has gaps (rows skipped on purpose) keeps them,
    so that every problem points at a place a person can open.
    """
    if not (pd.api.types.is_integer_dtype(raw.index) and raw.index.is_unique):
        raw = raw.reset_index(drop=True)
    typed, problems = coerce_raw(raw, origin, first_line)
    if typed.empty and problems:  # a missing column: every row kept in quarantine
        return ValidatedObservations(empty_frame(), problems, raw.assign(origin=origin))
    unparsable = {p.line - first_line for p in problems}
    try:
        SCHEMA.validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        problems += _schema_problems(exc.failure_cases, typed, origin, first_line, unparsable)
    bad_index = sorted({p.line - first_line for p in problems})
    good = typed.drop(index=bad_index) if bad_index else typed
    keep = COLUMNS + [c for c in OPTIONAL_COLUMNS if c in good.columns]
    good = good[keep].reset_index(drop=True)
    good = good.astype({"series": "str", "entity": "str", "unit": "str", "source": "str"})
    quarantined = raw.loc[bad_index].assign(origin=origin)
    problems.sort(key=lambda p: (p.line, p.column))
    return ValidatedObservations(good, problems, quarantined.reset_index(drop=True))


def _schema_problems(
    failures: pd.DataFrame,
    typed: pd.DataFrame,
    origin: str,
    first_line: int,
    already: set[int],
) -> list[BadRow]:
    out: list[BadRow] = []
    for row in failures.itertuples(index=False):
        index = row.index
        if index is None or (isinstance(index, float) and math.isnan(index)):
            continue
        index = int(index)
        if index in already and str(row.check) == "not_nullable":
            continue  # already reported as unparsable text
        check = str(row.check)
        if check == "published_not_before_date":
            published = typed.at[index, "published"]
            out.append(
                BadRow(
                    origin,
                    index + first_line,
                    "published",
                    "published before the date it is about (look-ahead)",
                    str(published.date()) if not pd.isna(published) else "",
                )
            )
            continue
        if check == "published_by_last_date":
            check = f"published after {LAST_DATE.date()} (a placeholder date?)"
        elif check == "magnitude":
            check = f"magnitude beyond the sanity bound {MAX_MAGNITUDE:g}"
        elif check == "multiple_fields_uniqueness":
            check = "duplicate of an earlier row (same series, entity, date, published)"
            out.append(BadRow(origin, index + first_line, UNIQUE_KEY, check, ""))
            continue
        elif check == "not_nullable":
            check = "missing value"
        elif check.startswith("str_length"):
            check = "must not be empty"
        elif check.startswith("str_matches"):
            check = f"does not match {check[len('str_matches(') : -1]}"
        column = str(row.column) if row.column is not None else ""
        cell = typed.at[index, column] if column in typed.columns else row.failure_case
        value = "" if cell is None or pd.isna(cell) else str(cell)
        out.append(BadRow(origin, index + first_line, column, check, value))
    unique = {(p.line, p.column, p.check): p for p in out}
    return list(unique.values())


def read_csv(
    path: Path, defaults: dict[str, dict[str, Any]] | None = None
) -> ValidatedObservations:
    """Read a tidy observation CSV, filling blanks from per-series defaults.

    ``defaults`` maps a series id to ``unit``, ``source`` and ``publication_lag_days``:
    a blank ``published`` means "date plus the source's usual lag", never "unknown".
    A line with the wrong number of fields (an unquoted comma) is reported and
    quarantined like any other bad row instead of stopping the load.
    """
    try:
        raw, misshapen, header_problems = read_rows(path)
    except UnicodeDecodeError as exc:
        bad = BadRow(
            str(path), 1, "(file)", f"not UTF-8 text ({exc.reason} at byte {exc.start})", ""
        )
        return ValidatedObservations(empty_frame(), [bad], empty_frame())
    if header_problems:  # which column holds what is unknown: no row can be trusted
        result = ValidatedObservations(empty_frame(), header_problems, raw.assign(origin=str(path)))
    else:
        if defaults and "series" in raw.columns:
            raw = apply_defaults(raw, defaults)
        result = validate(raw, str(path))
    if misshapen:
        bad_rows = sorted([*result.bad_rows, *(b for b, _ in misshapen)], key=lambda b: b.line)
        lines = pd.DataFrame({"line_text": [text for _, text in misshapen], "origin": str(path)})
        quarantined = pd.concat([result.quarantined, lines], ignore_index=True)
        result = ValidatedObservations(result.frame, bad_rows, quarantined)
    return result


def apply_defaults(raw: pd.DataFrame, defaults: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Fill blank unit, source and published cells from the series' metadata.

    One pass over the rows for every series at once (a map from series to its
    default); input that pass cannot take (a series id that is not text, dates pandas
    refuses as a whole) gets the fill one series at a time, which it must equal.
    """
    raw = raw.copy()
    for col in ("unit", "source", "published"):
        if col not in raw.columns:
            raw[col] = None
    if all(isinstance(k, str) for k in defaults):
        try:
            return _fill_at_once(raw, defaults)
        except (ValueError, TypeError, OverflowError, KeyError):
            pass  # filling is idempotent: the per-series pass below completes it
    return _fill_per_series(raw, defaults)


def _fill_at_once(raw: pd.DataFrame, defaults: dict[str, dict[str, Any]]) -> pd.DataFrame:
    series = pd.factorize(raw["series"])
    for col in ("unit", "source"):
        fills = {k: str(meta[col]) for k, meta in defaults.items() if col in meta}
        if fills:
            fill = _by_series(series, raw.index, fills)
            blank = fill.notna() & cells.blank(raw[col])
            raw.loc[blank, col] = fill[blank]
    lags = {
        k: int(meta["publication_lag_days"])
        for k, meta in defaults.items()
        if meta.get("publication_lag_days") is not None
    }
    if not lags:
        return raw
    lag = _by_series(series, raw.index, lags)
    blank = lag.notna() & cells.blank(raw["published"])
    if blank.any():
        dates = pd.to_datetime(raw.loc[blank, "date"], format="ISO8601", errors="coerce")
        days = pd.to_timedelta(lag[blank].astype("int64"), unit="D")
        filled = (dates + days).dt.strftime("%Y-%m-%d")
        raw.loc[blank, "published"] = filled.where(dates.notna(), None)
    return raw


def _by_series(
    factorized: tuple[np.ndarray, Any], index: pd.Index, mapping: dict[str, Any]
) -> pd.Series:
    """``series.map(mapping)`` from ``pd.factorize(series)``: one look-up per series id."""
    codes, uniques = factorized
    looked = np.array([*(mapping.get(u) for u in uniques), None], dtype=object)
    return pd.Series(looked[codes], index=index)


def _fill_per_series(raw: pd.DataFrame, defaults: dict[str, dict[str, Any]]) -> pd.DataFrame:
    for series_id, meta in defaults.items():
        rows = raw["series"] == series_id
        for col in ("unit", "source"):
            if col in meta:
                blank = rows & cells.blank(raw[col])
                raw.loc[blank, col] = str(meta[col])
        lag = meta.get("publication_lag_days")
        if lag is not None:
            blank = rows & cells.blank(raw["published"])
            dates = pd.to_datetime(raw.loc[blank, "date"], format="ISO8601", errors="coerce")
            filled = (dates + pd.Timedelta(days=int(lag))).dt.strftime("%Y-%m-%d")
            raw.loc[blank, "published"] = filled.where(dates.notna(), None)
    return raw


def visible_at(frame: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Rows known at ``as_of``: the point-in-time filter every evaluation starts from."""
    return frame[frame["published"] <= as_of]
