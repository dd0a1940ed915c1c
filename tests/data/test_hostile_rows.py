"""Hostile data rows: each is quarantined with file and line while the run goes on.

Issue 14, item 3: one accepted row (1e308, a published of 9999-12-31, a time-zone
offset, a duplicated header column, a field over 128 KB) used to fail the whole run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.cli import main
from monitor.data.case import bundled_root
from monitor.data.observations import ValidatedObservations, read_csv

HEADER = "series,entity,date,value,published,unit,source"
GOOD = "pmi_x,US,2000-01-01,55.1,2000-02-02,index,ISM"


def _read(tmp_path: Path, text: str) -> tuple[Path, ValidatedObservations]:
    path = tmp_path / "d.csv"
    path.write_text(text, encoding="utf-8")
    return path, read_csv(path)


@pytest.mark.parametrize(
    ("row", "column", "check"),
    [
        ("pmi_x,US,2000-02-01,1e308,2000-03-02,index,ISM", "value", "sanity bound 1e+15"),
        ("pmi_x,US,2000-02-01,-2e15,2000-03-02,index,ISM", "value", "sanity bound 1e+15"),
        ("pmi_x,US,2000-02-01,1,9999-12-31,index,ISM", "published", "after 2100-12-31"),
        ("pmi_x,US,2000-02-01,1,2101-01-01,index,ISM", "published", "after 2100-12-31"),
        ("pmi_x,US,2000-02-01,1,2000-03-02T10:00:00+05:00,index,ISM", "published", "time-zone"),
        ("pmi_x,US,2000-02-01T00:00Z,1,2000-03-02,index,ISM", "date", "time-zone"),
    ],
)
def test_absurd_row_is_quarantined_with_its_line(
    tmp_path: Path, row: str, column: str, check: str
) -> None:
    path, result = _read(tmp_path, f"{HEADER}\n{GOOD}\n{row}\n")
    assert len(result.frame) == 1 and result.frame["value"].iloc[0] == 55.1
    assert [(b.line, b.column) for b in result.bad_rows] == [(3, column)]
    assert check in result.bad_rows[0].check
    assert len(result.quarantined) == 1


def test_a_restatement_years_later_is_still_accepted(tmp_path: Path) -> None:
    # a vintage published 24 years after its period is honest data, not a typo
    row = "pmi_x,US,2000-02-01,1,2024-02-01,index,ISM"
    _, result = _read(tmp_path, f"{HEADER}\n{GOOD}\n{row}\n")
    assert len(result.frame) == 2 and not result.bad_rows


def test_oversized_field_is_reported_and_reading_goes_on(tmp_path: Path) -> None:
    big = "pmi_x,US,2000-02-01,1,2000-03-02,index," + "x" * (129 * 1024)
    after = "pmi_x,US,2000-03-01,2,2000-04-02,index,ISM"
    _, result = _read(tmp_path, f"{HEADER}\n{GOOD}\n{big}\n{after}\n")
    assert sorted(result.frame["value"]) == [2.0, 55.1]
    assert [(b.line, b.column) for b in result.bad_rows] == [(3, "(row)")]
    assert "128 KB" in result.bad_rows[0].check


def test_duplicated_header_column_quarantines_the_file(tmp_path: Path) -> None:
    text = "series,entity,date,value,value,published,unit,source\n"
    text += "pmi_x,US,2000-01-01,1,2,2000-02-02,index,ISM\n"
    _, result = _read(tmp_path, text)
    assert result.frame.empty
    assert [(b.line, b.column) for b in result.bad_rows] == [(1, "value")]
    assert "duplicated header column (column 5)" in result.bad_rows[0].check
    assert len(result.quarantined) == 1  # the row is kept, not lost


def test_the_run_goes_on_past_every_hostile_row(tmp_path: Path) -> None:
    case = tmp_path / "case"
    shutil.copytree(bundled_root() / "telecom-2000", case)
    hostile = [
        "ism_pmi,US,2000-06-15,1e308,2000-07-03,index,ISM,",
        "ism_pmi,US,2000-07-15,50,9999-12-31,index,ISM,",
        "ism_pmi,US,2000-08-15,50,2000-09-01T00:00:00+05:00,index,ISM,",
        "ism_pmi,US,2000-09-15,50,2000-10-02,index,ISM," + "x" * 140_000,
    ]
    with (case / "macro.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n".join(hostile) + "\n")
    lines = len((case / "macro.csv").read_text(encoding="utf-8").splitlines())
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["run", "--case", str(case), "--as-of", "2000-12-31", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert (out / "telecom-2000-2000-12-31.html").is_file()
    for line in range(lines - 3, lines + 1):
        assert f"macro.csv:{line}:" in result.output


@settings(max_examples=60, deadline=5000)
@given(
    value=st.floats(allow_nan=True, allow_infinity=True),
    published=st.dates().map(str),
)
def test_any_value_and_published_is_accepted_sane_or_quarantined(
    tmp_path_factory: pytest.TempPathFactory, value: float, published: str
) -> None:
    folder = tmp_path_factory.mktemp("rows")
    row = f"pmi_x,US,2000-02-01,{value!r},{published},index,ISM"
    _, result = _read(folder, f"{HEADER}\n{GOOD}\n{row}\n")
    frame = result.frame
    assert len(frame) + len(result.bad_rows) >= 2
    assert frame["value"].abs().max() <= 1e15
    assert frame["published"].max() <= pd.Timestamp("2100-12-31")


CORPUS = Path(__file__).parent.parent / "hostile" / "data"


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.csv")), ids=lambda p: p.name)
def test_every_hostile_data_file_is_read_or_reported_never_raised(path: Path) -> None:
    result = read_csv(path)
    assert result.frame["value"].abs().max() <= 1e15 if not result.frame.empty else True
    assert (result.frame["published"] <= pd.Timestamp("2100-12-31")).all()
    for bad in result.bad_rows:
        assert bad.file == str(path) and bad.line >= 1 and bad.check
    good_rows = len(result.frame)
    if path.name not in ("empty.csv", "header-only.csv", "not-utf8.csv", "duplicated-header.csv"):
        assert good_rows >= 1 and result.bad_rows  # the good row kept, the bad one named
