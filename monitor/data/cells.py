"""Text cells to typed values, one vectorised pass per column.

The observation validator (:mod:`monitor.data.observations`) names every cell that
cannot be parsed; what it needs from a column is here: which cells are blank, which
carry a time-zone offset, the dates (each distinct text parsed once: a panel repeats
its dates) and the numbers (in pyarrow when every cell is a plain decimal). Each must
give exactly what the per-cell pandas calls it replaces give.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

TIME_ZONE = r"[T ]\d\d.*(?:Z|[+-]\d\d(?::?\d\d)?)\s*$"
"""A time of day with an offset: observations are dated in calendar days, and an offset
would shift a value across midnight (and make pandas refuse the column)."""


def blank(raw: pd.Series) -> pd.Series:
    return raw.isna() | (raw.astype("str").str.strip() == "")


def zoned(text: pd.Series) -> pd.Series:
    """Cells with a time of day and an offset (TIME_ZONE); blanks are "" here.

    The pattern needs a "T" or a space, so only cells holding one are searched: the
    regex falls back to Python per cell, the literal test runs in pyarrow.
    """
    zoned = pd.Series(False, index=text.index)
    maybe = text.str.contains("T", regex=False) | text.str.contains(" ", regex=False)
    if maybe.any():
        zoned[maybe] = text[maybe].str.contains(TIME_ZONE, regex=True)
    return zoned


PLAIN_NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"
"""A decimal pyarrow and pandas both parse to the nearest double (at most 15 digits)."""


def numbers(text: pd.Series) -> pd.Series:
    """Text to floats: plain decimals in pyarrow, every other cell as pandas parses it.

    Both parsers round a decimal of at most 15 significant digits to the nearest
    double, so the plain cells get the very floats ``pd.to_numeric`` gives them. The
    other cells (exponents, typos, huge integers) go to ``pd.to_numeric`` together with
    a decimal, so it reads them on its float path, as it does for a whole column that
    holds a decimal or a blank; a column of integers only goes to it whole (its integer
    path rounds huge integers its own way).
    """
    if not (isinstance(text.dtype, pd.StringDtype) and text.dtype.storage == "pyarrow"):
        return pd.to_numeric(text, errors="coerce")
    if not len(text):
        return pd.to_numeric(text, errors="coerce")
    cells = text.array.__arrow_array__()
    plain = _plain(cells)
    has_null = cells.null_count > 0
    has_decimal = bool(pc.any(pc.and_(plain, pc.match_substring(cells, "."))).as_py())
    if not (has_null or has_decimal):  # pandas may read this column on its integer path
        return pd.to_numeric(text, errors="coerce")
    if bool(pc.all(plain).as_py()):
        floats = pc.cast(cells, pa.float64()).to_numpy()
        return pd.Series(floats, index=text.index, dtype="float64")
    mask = plain.to_numpy(zero_copy_only=False)
    floats = np.empty(len(text), dtype="float64")
    floats[mask] = pc.cast(pc.filter(cells, plain), pa.float64()).to_numpy()
    others = pd.concat([text[~mask], pd.Series(["0.5"], dtype="str")], ignore_index=True)
    floats[~mask] = pd.to_numeric(others, errors="coerce").to_numpy(dtype="float64")[:-1]
    return pd.Series(floats, index=text.index, dtype="float64")


def _plain(cells: pa.ChunkedArray) -> pa.ChunkedArray:
    """Per cell: a plain decimal of at most 15 digits (missing cells are not plain)."""
    digits = pc.subtract(
        pc.utf8_length(cells),
        pc.add(pc.count_substring(cells, "-"), pc.count_substring(cells, ".")),
    )
    plain = pc.and_(pc.match_substring_regex(cells, PLAIN_NUMBER), pc.less_equal(digits, 15))
    return plain.fill_null(False)


def to_dates(text: pd.Series) -> pd.Series:
    """ISO text to dates, each distinct text parsed once (a panel repeats its dates)."""
    try:
        codes, uniques = pd.factorize(text)
    except TypeError:  # unhashable cells: parse them as they are
        return _parse_dates(text)
    parsed = _parse_dates(pd.Series(uniques)).to_numpy(dtype="datetime64[us]")
    stamps = np.full(len(codes), np.datetime64("NaT", "us"))
    stamps[codes >= 0] = parsed[codes[codes >= 0]]
    return pd.Series(stamps, index=text.index, dtype="datetime64[us]")


def _parse_dates(text: pd.Series) -> pd.Series:
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
