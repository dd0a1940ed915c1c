"""Reading an observation CSV into text cells, each row tagged with the line it came from.

Why two readers: Python's ``csv`` module is exact about every odd file (quoted line
breaks, ``\\r`` line ends, oversized fields, bad UTF-8) but costs seconds per million
rows in the Python loop around it. Most files are plain, so a plain file is parsed by
pyarrow's C++ reader after one vectorised scan of its bytes has classified every line
(blank, wrong field count, quoted, clean); lines holding a quote are parsed one by one
with the ``csv`` module, so both readers give the same cells. Anything the scan cannot
vouch for (a quoted field running over a line break, a ``\\r`` or NUL byte, a line
longer than the csv field limit, text that is not UTF-8) goes to the ``csv`` reader
for the whole file: the fast path may only ever be a shortcut to the same answer.

Both return the rows indexed by line number minus two (the line a text editor shows,
header = line 1), the lines that do not fit the header (reported and quarantined, never
dropped), and header problems; cells are ``str`` (pyarrow-backed), blanks missing.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from monitor.core.limits import MAX_FIELD_CHARS
from monitor.data.badrow import BadRow

Misshapen = list[tuple[BadRow, str]]
BOM = b"\xef\xbb\xbf"
NEWLINE, QUOTE, COMMA = 10, 34, 44
CONTENT = np.zeros(256, dtype=bool)
CONTENT[33:127] = True  # printable ASCII, never whitespace to str.strip()
CONTENT[[COMMA, QUOTE]] = False  # a line of only , and " can still be blank


def read_rows(path: Path) -> tuple[pd.DataFrame, Misshapen, list[BadRow]]:
    """Rows indexed by line number minus two, the lines that do not fit, header problems."""
    data = path.read_bytes()
    fast = _fast_rows(data, str(path))
    return fast if fast is not None else _csv_rows(path)


def _csv_rows(path: Path) -> tuple[pd.DataFrame, Misshapen, list[BadRow]]:
    """The general reader: Python's csv module, line by line.

    A field over MAX_FIELD_CHARS (the csv module's own limit) is reported on its line
    and the reading goes on; a duplicated header column is a header problem (its
    copies are renamed ``NAME.2``... so the rows can still be kept in quarantine).
    """
    with path.open(newline="", encoding="utf-8-sig") as handle:  # -sig: Excel's "CSV UTF-8"
        reader = csv.reader(handle)
        header, header_problems = _header(reader, str(path))
        rows: dict[int, list[str]] = {}
        misshapen: Misshapen = []
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
                misshapen.append(_misshapen(str(path), line, len(header), fields))
                continue
            rows[line - 2] = fields
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=header, dtype="str")
    if frame.empty:
        frame = pd.DataFrame(columns=header, dtype="str")
    return frame.replace("", None), misshapen, header_problems


def _misshapen(origin: str, line: int, expected: int, fields: list[str]) -> tuple[BadRow, str]:
    check = f"expected {expected} fields, found {len(fields)} (unquoted comma?)"
    text = ",".join(fields)
    return BadRow(origin, line, "(row)", check, text[:80]), text


def _header(reader: Any, origin: str) -> tuple[list[str], list[BadRow]]:
    try:
        header: list[str] = next(reader, [])
    except csv.Error as exc:
        return [], [BadRow(origin, 1, "(header)", f"unreadable header ({exc})", "")]
    return _header_names(header, origin)


def _header_names(header: list[str], origin: str) -> tuple[list[str], list[BadRow]]:
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


def _one_line(text: str) -> list[str] | None:
    """The csv module's fields of one line; None if a quoted field runs past its end."""
    try:
        fields = next(csv.reader([text + "\n"]), [])
    except csv.Error:
        return None
    return None if any("\n" in f for f in fields) else fields


def _fast_rows(data: bytes, origin: str) -> tuple[pd.DataFrame, Misshapen, list[BadRow]] | None:
    """The same rows as :func:`_csv_rows` for a plain file, or None to use that reader."""
    if data.startswith(BOM):
        data = data[len(BOM) :]
    if not data or b"\r" in data or b"\0" in data:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    arr = np.frombuffer(data, dtype=np.uint8)
    breaks = np.flatnonzero(arr == NEWLINE)
    starts = np.concatenate(([0], breaks + 1))
    stops = np.concatenate((breaks, [len(arr)]))
    if starts[-1] == len(arr):  # nothing after the last line break
        starts, stops = starts[:-1], stops[:-1]
    if int((stops - starts).max()) > min(MAX_FIELD_CHARS, csv.field_size_limit()):
        return None
    # a line with a printable character other than , and " has a non-blank field
    # a line opening with a printable character other than , and " is not blank; the
    # rest (empty, or opening with a space, a comma or a quote) are looked at one by one
    content = CONTENT[arr[np.minimum(starts, len(arr) - 1)]] & (stops > starts)
    commas = np.flatnonzero(arr == COMMA)
    fields = np.searchsorted(commas, stops) - np.searchsorted(commas, starts) + 1
    del commas
    quoted = np.zeros(len(starts), dtype=bool)
    quoted[np.searchsorted(starts, np.flatnonzero(arr == QUOTE), side="right") - 1] = True

    def text(i: int) -> str:
        return data[starts[i] : stops[i]].decode("utf-8")

    header_text = text(0)
    if not header_text:  # the csv module reads an empty first line as no columns at all
        return None
    header = _one_line(header_text) if quoted[0] else header_text.split(",")
    if not header:
        return None
    names, header_problems = _header_names(header, origin)
    width = len(names)
    clean = content & ~quoted & (fields == width)
    clean[0] = False
    special: dict[int, list[str]] = {}  # quoted good lines, parsed by the csv module
    misshapen: Misshapen = []
    for i in np.flatnonzero(~clean[1:]) + 1:
        cells = _one_line(text(int(i))) if quoted[i] else text(int(i)).split(",")
        if cells is None:
            return None
        if not content[i] and not any(f.strip() for f in cells):
            continue
        if len(cells) != width:
            misshapen.append(_misshapen(origin, int(i) + 1, width, cells))
        else:
            special[int(i)] = cells
    lines = np.flatnonzero(clean)
    table = _parse_clean(arr, starts, stops, lines, width)
    if table is None or table.num_rows != len(lines):
        return None
    frame = _frame(table, lines, special, names)
    return frame, misshapen, header_problems


def _parse_clean(
    arr: np.ndarray, starts: np.ndarray, stops: np.ndarray, lines: np.ndarray, width: int
) -> pa.Table | None:
    """pyarrow's parse of the clean lines (no quote, the header's field count, not blank)."""
    if len(lines) == 0:
        return pa.table({f"f{j}": pa.array([], pa.large_string()) for j in range(width)})
    if len(lines) == len(starts) - 1:  # every line after the header is clean
        body = pa.py_buffer(arr).slice(int(starts[1]))
    else:
        keep = np.zeros(len(starts), dtype=bool)
        keep[lines] = True
        spans = np.diff(np.append(starts, len(arr)))
        body = pa.py_buffer(arr[np.repeat(keep, spans)])
    names = [f"f{j}" for j in range(width)]
    try:
        return pacsv.read_csv(
            pa.BufferReader(body),
            # one thread: the parse is a small part of a load, and threads cost more CPU
            # than they save on the shared machines a scheduled run lives on
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False),
            parse_options=pacsv.ParseOptions(
                quote_char=False, newlines_in_values=False, ignore_empty_lines=True
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=True,  # an empty cell is missing, as the csv reader's
                null_values=[""],  # rows become after replace("", None)
                check_utf8=False,  # the whole file was decoded as UTF-8 above
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def _frame(
    table: pa.Table, lines: np.ndarray, special: dict[int, list[str]], names: list[str]
) -> pd.DataFrame:
    """The cells as ``str`` columns indexed by line minus two, blanks missing."""
    if table.num_rows + len(special) == 0:
        return pd.DataFrame(columns=names, dtype="str").replace("", None)
    columns = []
    for j in range(len(names)):
        column = table.column(j)
        if special:
            cells = [row[j] or None for row in special.values()]  # "" is missing
            extra = pa.array(cells, pa.large_string())
            column = pa.chunked_array([*column.chunks, extra], pa.large_string())
        columns.append(column)
    index = np.concatenate((lines, np.fromiter(special, dtype=np.int64, count=len(special))))
    frame = pd.DataFrame(
        {j: pd.Series(c, dtype="str") for j, c in enumerate(columns)},
    )
    frame.columns = pd.Index(names)
    frame.index = pd.Index(index - 1, dtype="int64")
    if special:
        frame = frame.sort_index(kind="stable")
    return frame
