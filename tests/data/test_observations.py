"""The observation frame: validation, quarantine, publication lags, point in time.

What a user relies on: a data file with mistakes is never silently trimmed. Every
problem is reported at once, each with the file, the line a text editor shows (the
header is line 1) and the column, and the bad rows are kept aside (quarantined) so
a report can show them; good rows come through with their values untouched.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

from monitor.data.observations import COLUMNS, BadRow, read_csv, validate, visible_at

HEADER = "series,entity,date,value,published,unit,source"

# One file with one problem per line (line numbers as an editor shows them).
MIXED = {
    2: "pmi_x,US,2000-01-01,55.1,2000-02-02,index,ISM",  # good
    3: "pmi_x,US,2000-13-45,55.2,2000-03-02,index,ISM",  # bad date text
    4: "pmi_x,US,2000-03-01,abc,2000-04-02,index,ISM",  # non-numeric value
    5: "pmi_x,US,2000-04-01,54.0,2000-05-02,index,",  # blank source
    6: "PMI_X,US,2000-05-01,53.0,2000-06-02,index,ISM",  # capitals in the series name
    7: "pmi_x,US,2000-06-01,52.0,2000-07-02,index,ISM",  # first of a duplicate pair
    8: "pmi_x,US,2000-06-01,52.0,2000-07-02,index,ISM",  # exact duplicate of line 7
    9: "pmi_x,US,2000-07-01,51.5",  # row lacking its last three columns
    10: "pmi_x,US,2000-08-01,51.0,2000-09-02,index,ISM",  # good
    11: "ffr,US,2000-08-01,6.5,2000-09-02,%,FRED FEDFUNDS",  # good, another series
}

# (line, column) pairs that must be reported, one per planted problem.
EXPECTED_PROBLEMS = {
    (3, "date"),
    (4, "value"),
    (5, "source"),
    (6, "series"),
    (9, "(row)"),  # wrong field count: one problem for the whole line
}
GOOD_LINES = [2, 10, 11]


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def mixed_csv(tmp_path: Path) -> Path:
    return write(tmp_path, "mixed.csv", [HEADER, *MIXED.values()])


@pytest.fixture()
def mixed(mixed_csv: Path):
    return read_csv(mixed_csv)


def test_every_problem_is_reported_at_once_with_file_line_and_column(mixed, mixed_csv):
    reported = {(p.line, p.column) for p in mixed.bad_rows}
    missing = EXPECTED_PROBLEMS - reported
    assert not missing, f"problems not reported: {sorted(missing)}; got {mixed.bad_rows}"
    assert all(isinstance(p, BadRow) for p in mixed.bad_rows)
    assert {p.file for p in mixed.bad_rows} == {str(mixed_csv)}
    # nothing is reported against a good line
    assert not reported & {(line, c) for line in GOOD_LINES for c in COLUMNS}


def test_problem_checks_and_offending_text_are_named(mixed):
    by_place = {(p.line, p.column): p for p in mixed.bad_rows}
    assert by_place[(3, "date")].value == "2000-13-45"
    assert "date" in by_place[(3, "date")].check.lower()
    assert by_place[(4, "value")].value == "abc"
    assert "number" in by_place[(4, "value")].check.lower()
    assert "PMI_X" in by_place[(6, "series")].value
    # the message a person reads names the file, the line and the column
    text = str(by_place[(4, "value")])
    assert text.startswith(f"{by_place[(4, 'value')].file}:4:")
    assert "'value'" in text


def test_duplicate_row_is_reported_against_the_later_line(mixed):
    dup = [p for p in mixed.bad_rows if p.line == 8]
    assert dup, "the repeated row (line 8) is not reported"
    assert all("duplicate" in p.check for p in dup)
    assert {p.column for p in dup} == {"series, entity, date, published"}


def test_good_rows_pass_untouched(mixed):
    frame = mixed.frame
    assert list(frame.columns[: len(COLUMNS)]) == COLUMNS
    got = {
        (r.series, r.entity, r.date, r.value, r.published, r.unit, r.source)
        for r in frame.itertuples(index=False)
    }
    expected = {
        (
            "pmi_x",
            "US",
            pd.Timestamp("2000-01-01"),
            55.1,
            pd.Timestamp("2000-02-02"),
            "index",
            "ISM",
        ),
        (
            "pmi_x",
            "US",
            pd.Timestamp("2000-08-01"),
            51.0,
            pd.Timestamp("2000-09-02"),
            "index",
            "ISM",
        ),
        (
            "ffr",
            "US",
            pd.Timestamp("2000-08-01"),
            6.5,
            pd.Timestamp("2000-09-02"),
            "%",
            "FRED FEDFUNDS",
        ),
    }
    assert expected <= got
    # no bad row leaks into the evaluated frame
    assert "PMI_X" not in set(frame["series"])
    assert pd.Timestamp("2000-03-01") not in set(frame["date"])  # the 'abc' row
    assert pd.Timestamp("2000-07-01") not in set(frame["date"])  # the short row
    assert frame["value"].dtype == "float64"
    assert str(frame["date"].dtype).startswith("datetime64")
    assert str(frame["published"].dtype).startswith("datetime64")


def test_bad_rows_are_quarantined_not_dropped(mixed, mixed_csv):
    q = mixed.quarantined
    bad_lines = {line for line, _ in EXPECTED_PROBLEMS} | {8}
    # every bad row is kept aside, once, with its original text
    assert len(q) >= len(bad_lines)
    assert set(q["origin"]) == {str(mixed_csv)}
    assert "2000-13-45" in set(q["date"])
    assert "abc" in set(q["value"])
    assert "PMI_X" in set(q["series"])
    # rows are conserved: good + quarantined == all data rows
    assert len(mixed.frame) + len(q) == len(MIXED)


def test_first_copy_of_an_exact_duplicate_is_kept(mixed):
    assert not [p for p in mixed.bad_rows if p.line == 7]
    kept = mixed.frame[mixed.frame["date"] == pd.Timestamp("2000-06-01")]
    assert kept["value"].tolist() == [52.0]


def test_blank_cell_is_reported_as_blank_not_nan(mixed):
    blank = next(p for p in mixed.bad_rows if (p.line, p.column) == (5, "source"))
    assert blank.value == ""


def test_missing_column_is_reported_against_the_header(tmp_path):
    path = write(
        tmp_path,
        "nocol.csv",
        ["series,entity,date,value,published,unit", "pmi_x,US,2000-01-01,55.1,2000-02-02,index"],
    )
    result = read_csv(path)
    assert [(p.file, p.line, p.column) for p in result.bad_rows] == [(str(path), 1, "source")]
    assert "missing column" in result.bad_rows[0].check
    assert result.frame.empty


def test_row_with_extra_field_is_reported_not_fatal(tmp_path):
    path = write(
        tmp_path,
        "extra.csv",
        [
            HEADER,
            "pmi_x,US,2000-01-01,55.1,2000-02-02,index,ISM",
            "pmi_x,US,2000-02-01,55.2,2000-03-02,index,GMF report, sec. 2",
            "pmi_x,US,2000-03-01,55.3,2000-04-02,index,ISM",
        ],
    )
    result = read_csv(path)
    assert [p.line for p in result.bad_rows] == [3]
    assert len(result.frame) == 2


def test_validate_counts_lines_from_first_line(tmp_path):
    raw = pd.DataFrame(
        {
            "series": ["a", "a"],
            "entity": ["US", "US"],
            "date": ["2000-01-01", "oops"],
            "value": ["1", "2"],
            "published": ["2000-01-02", "2000-02-02"],
            "unit": ["x", "x"],
            "source": ["s", "s"],
        }
    )
    result = validate(raw, "feed", first_line=10)
    assert [(p.file, p.line, p.column) for p in result.bad_rows] == [("feed", 11, "date")]
    assert len(result.frame) == 1


# --- publication lag defaults ---------------------------------------------------

LAG_CSV = textwrap.dedent(
    """\
    series,entity,date,value,published,unit,source
    pmi_x,US,2000-01-31,55.1,,,
    pmi_x,US,2000-02-29,55.2,2000-03-15,index,ISM override
    other,US,2000-02-01,1,,x,y
    """
)


def test_blank_published_filled_from_publication_lag(tmp_path):
    path = tmp_path / "lag.csv"
    path.write_text(LAG_CSV, encoding="utf-8")
    defaults = {"pmi_x": {"unit": "index", "source": "ISM", "publication_lag_days": 32}}
    result = read_csv(path, defaults=defaults)
    frame = result.frame.set_index("date")
    filled = frame.loc[pd.Timestamp("2000-01-31")]
    # 31 Jan 2000 + 32 days = 3 Mar 2000 (2000 is a leap year)
    assert filled["published"] == pd.Timestamp("2000-01-31") + pd.Timedelta(days=32)
    assert filled["published"] == pd.Timestamp("2000-03-03")
    assert (filled["unit"], filled["source"]) == ("index", "ISM")
    # an explicit published date, unit and source win over the defaults
    explicit = frame.loc[pd.Timestamp("2000-02-29")]
    assert explicit["published"] == pd.Timestamp("2000-03-15")
    assert explicit["source"] == "ISM override"
    # a series without a lag default keeps its blank, which is reported, not guessed
    assert [(p.line, p.column) for p in result.bad_rows] == [(4, "published")]
    assert "other" not in set(result.frame["series"])


def test_without_defaults_blank_published_is_a_problem(tmp_path):
    path = tmp_path / "lag.csv"
    path.write_text(LAG_CSV, encoding="utf-8")
    result = read_csv(path)
    assert (2, "published") in {(p.line, p.column) for p in result.bad_rows}


# --- point in time ----------------------------------------------------------------


def test_visible_at_filters_by_published_not_by_date():
    frame = pd.DataFrame(
        {
            "series": ["r", "r", "r"],
            "entity": ["LU", "LU", "LU"],
            "date": pd.to_datetime(["1999-09-30", "2000-09-30", "2000-09-30"]),
            "value": [1.0, 2.0, 3.0],
            "published": pd.to_datetime(["1999-12-01", "2000-12-01", "2000-12-02"]),
            "unit": ["$bn"] * 3,
            "source": ["10-K"] * 3,
        }
    )
    # a fiscal year that has ended but whose filing is not out yet is invisible
    assert visible_at(frame, pd.Timestamp("2000-11-30"))["value"].tolist() == [1.0]
    # published on the day counts as known that day
    assert visible_at(frame, pd.Timestamp("2000-12-01"))["value"].tolist() == [1.0, 2.0]
    assert visible_at(frame, pd.Timestamp("2000-12-02"))["value"].tolist() == [1.0, 2.0, 3.0]
    assert visible_at(frame, pd.Timestamp("1999-11-30")).empty
