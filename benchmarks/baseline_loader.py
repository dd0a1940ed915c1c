"""The loader as it was before issue 10 (kept verbatim as the benchmark's baseline).

``bench_load.py`` times this against :mod:`monitor.data.observations` on the same case
folders and checks that both give equal frames, bad rows and quarantines. Only this
docstring and :func:`load_case` (the case loader with this module's ``read_csv``) were
added; everything below is the implementation of commit 98e6931: the Python ``csv``
reader, a blank-cell check per column and again per series, object-path string checks.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from monitor.core.limits import MAX_FIELD_CHARS, MAX_MAGNITUDE

COLUMNS = ["series", "entity", "date", "value", "published", "unit", "source"]
OPTIONAL_COLUMNS = ["note"]

UNIQUE_KEY = "series, entity, date, published"

LAST_DATE = pd.Timestamp("2100-12-31")
"""No observation is published after this: a placeholder such as 9999-12-31 would move
the as-of (which follows the newest publication) millennia ahead, taking minutes and
gigabytes of daily evaluation steps. The bound is absolute, not relative to the file's
newest period: a restatement or a later vintage is honestly published years after the
period it is about."""

TIME_ZONE = r"[T ]\d\d.*(?:Z|[+-]\d\d(?::?\d\d)?)\s*$"
"""A time of day with an offset: observations are dated in calendar days, and an offset
would shift a value across midnight (and make pandas refuse the column)."""
SERIES_PATTERN = r"^[a-z][a-z0-9_]*\Z"  # \Z: "$" accepts a trailing newline
ENTITY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*\Z"


class ObservationSchema(pa.DataFrameModel):
    """The contract of the observation frame, checked wherever data enters."""

    series: Series[str] = pa.Field(str_matches=SERIES_PATTERN)
    entity: Series[str] = pa.Field(str_matches=ENTITY_PATTERN)
    date: Series[pd.Timestamp] = pa.Field(nullable=False)
    value: Series[float] = pa.Field(nullable=False)
    published: Series[pd.Timestamp] = pa.Field(nullable=False)
    unit: Series[str] = pa.Field(str_length={"min_value": 1})
    source: Series[str] = pa.Field(str_length={"min_value": 1})

    @pa.check("value", name="finite")
    @classmethod
    def _finite(cls, value: Series[float]) -> Series[bool]:
        return value.map(lambda v: math.isfinite(v) if isinstance(v, float) else True)

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


def _schema() -> pa.DataFrameSchema:
    """The model as a schema that reports only later copies of a duplicate row.

    The first copy is good data; quarantining it too would turn a typo into a gap.
    """
    schema = ObservationSchema.to_schema()
    schema.report_duplicates = "exclude_first"
    return schema


SCHEMA = _schema()


@dataclass(frozen=True)
class BadRow:
    """One rejected row: where it came from and which check it failed."""

    file: str
    line: int
    column: str
    check: str
    value: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: column {self.column!r}: {self.check} (got {self.value!r})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "check": self.check,
            "value": self.value,
        }


@dataclass
class ValidatedObservations:
    """Good rows ready for evaluation, plus every problem found on the way in."""

    frame: pd.DataFrame
    bad_rows: list[BadRow] = field(default_factory=list)
    quarantined: pd.DataFrame = field(default_factory=lambda: empty_frame())

    def extend(self, other: ValidatedObservations) -> ValidatedObservations:
        frames = [f for f in (self.frame, other.frame) if not f.empty]
        quarantined = [f for f in (self.quarantined, other.quarantined) if not f.empty]
        return ValidatedObservations(
            frame=pd.concat(frames, ignore_index=True) if frames else empty_frame(),
            bad_rows=[*self.bad_rows, *other.bad_rows],
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


def _blank(raw: pd.Series) -> pd.Series:
    return raw.isna() | (raw.astype("str").str.strip() == "")


def coerce_raw(
    raw: pd.DataFrame, origin: str, first_line: int = 2
) -> tuple[pd.DataFrame, list[BadRow]]:
    """Turn text columns into typed ones, reporting every cell that cannot be parsed.

    Parsing is done here rather than by pandera's ``coerce`` so that a bad date names
    the exact text that failed, which is what a person fixing the file needs.
    """
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        return empty_frame(), [BadRow(origin, 1, col, "missing column", "") for col in missing]
    lines = raw.index.to_series() + first_line
    problems: list[BadRow] = []
    typed = raw.copy()
    for col in ("series", "entity", "unit", "source"):
        typed[col] = raw[col].astype("str").str.strip().where(~_blank(raw[col]), None)
    for col in ("date", "published"):
        text = raw[col].astype("str").where(~_blank(raw[col]), "")
        zoned = text.str.contains(TIME_ZONE, regex=True)
        problems += [
            BadRow(origin, int(lines[i]), col, "a time-zone offset (dates are calendar days)", t)
            for i, t in text[zoned].items()
        ]
        parsed = _to_dates(raw[col].where(~zoned, None))
        bad = parsed.isna() & ~_blank(raw[col]) & ~zoned
        problems += [
            BadRow(origin, int(lines[i]), col, "not an ISO date", str(raw.at[i, col]))
            for i in raw.index[bad]
        ]
        typed[col] = parsed
    values = pd.to_numeric(raw["value"], errors="coerce")
    bad = values.isna() & ~_blank(raw["value"])
    problems += [
        BadRow(origin, int(lines[i]), "value", "not a number", str(raw.at[i, "value"]))
        for i in raw.index[bad]
    ]
    typed["value"] = values.astype("float64")
    return typed, problems


def _to_dates(text: pd.Series) -> pd.Series:
    """ISO text to dates; a column pandas refuses whole is parsed cell by cell instead."""
    try:
        return pd.to_datetime(text, format="ISO8601", errors="coerce").astype("datetime64[us]")
    except (ValueError, TypeError, OverflowError):
        cells = [_one_date(v) for v in text]
        return pd.Series(cells, index=text.index, dtype="datetime64[us]")


def _one_date(value: Any) -> pd.Timestamp | None:
    try:
        stamp = pd.to_datetime(value, format="ISO8601", errors="coerce")
    except (ValueError, TypeError, OverflowError):
        return None
    if pd.isna(stamp) or getattr(stamp, "tzinfo", None) is not None:
        return None
    return pd.Timestamp(stamp)


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
    good = typed.drop(index=bad_index)
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
        raw, misshapen, header_problems = _read_rows(path)
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


def _read_rows(path: Path) -> tuple[pd.DataFrame, list[tuple[BadRow, str]], list[BadRow]]:
    """Rows indexed by line number minus two, the lines that do not fit, header problems.

    A field over MAX_FIELD_CHARS (the csv module's own limit) is reported on its line
    and the reading goes on; a duplicated header column is a header problem (its
    copies are renamed ``NAME.2``... so the rows can still be kept in quarantine).
    """
    with path.open(newline="", encoding="utf-8-sig") as handle:  # -sig: Excel's "CSV UTF-8"
        reader = csv.reader(handle)
        header, header_problems = _header(reader, str(path))
        rows: dict[int, list[str]] = {}
        misshapen: list[tuple[BadRow, str]] = []
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                check = f"a field longer than {MAX_FIELD_CHARS // 1024} KB ({exc})"
                bad = BadRow(str(path), reader.line_num, "(row)", check, "")
                misshapen.append((bad, f"<line {reader.line_num}: field too large>"))
                continue
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue
            if len(fields) != len(header):
                check = f"expected {len(header)} fields, found {len(fields)} (unquoted comma?)"
                bad = BadRow(str(path), line, "(row)", check, ",".join(fields)[:80])
                misshapen.append((bad, ",".join(fields)))
                continue
            rows[line - 2] = fields
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=header, dtype="str")
    if frame.empty:
        frame = pd.DataFrame(columns=header, dtype="str")
    return frame.replace("", None), misshapen, header_problems


def _header(reader: Any, origin: str) -> tuple[list[str], list[BadRow]]:
    try:
        header: list[str] = next(reader, [])
    except csv.Error as exc:
        return [], [BadRow(origin, 1, "(header)", f"unreadable header ({exc})", "")]
    seen: dict[str, int] = {}
    names: list[str] = []
    problems: list[BadRow] = []
    for position, name in enumerate(header, start=1):
        count = seen.get(name, 0) + 1
        seen[name] = count
        if count > 1:
            check = f"duplicated header column (column {position}); the file's rows are quarantined"
            problems.append(BadRow(origin, 1, name, check, name))
            name = f"{name}.{count}"
        names.append(name)
    return names, problems


def apply_defaults(raw: pd.DataFrame, defaults: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Fill blank unit, source and published cells from the series' metadata."""
    raw = raw.copy()
    for col in ("unit", "source", "published"):
        if col not in raw.columns:
            raw[col] = None
    for series_id, meta in defaults.items():
        rows = raw["series"] == series_id
        for col in ("unit", "source"):
            if col in meta:
                blank = rows & _blank(raw[col])
                raw.loc[blank, col] = str(meta[col])
        lag = meta.get("publication_lag_days")
        if lag is not None:
            blank = rows & _blank(raw["published"])
            dates = pd.to_datetime(raw.loc[blank, "date"], format="ISO8601", errors="coerce")
            filled = (dates + pd.Timedelta(days=int(lag))).dt.strftime("%Y-%m-%d")
            raw.loc[blank, "published"] = filled.where(dates.notna(), None)
    return raw


def visible_at(frame: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Rows known at ``as_of``: the point-in-time filter every evaluation starts from."""
    return frame[frame["published"] <= as_of]


def load_case(name_or_path: str) -> Any:
    """``monitor.data.case.load_case`` with this module's ``read_csv`` for every data file."""
    from unittest import mock

    from monitor.data import case as case_module

    with mock.patch.object(case_module, "read_csv", read_csv):
        return case_module.load_case(name_or_path)
