"""Bundled cases load cleanly, and a user's broken copy still loads and runs.

The README promises: every bundled row names its source; bad rows are reported with
file, line and column, quarantined and shown in the report, and never stop a run.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from html import escape as html_escape
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.data.case import bundled_names, bundled_root, load_case
from monitor.data.observations import visible_at

CASES = ["telecom-2000", "ai-cycle"]
# in each case, the file and series whose first data row the tests break
TARGET = {"telecom-2000": ("macro.csv", "ism_pmi"), "ai-cycle": ("macro.csv", "ism_pmi")}


@pytest.fixture(scope="module")
def loaded():
    return {name: load_case(name) for name in CASES}


def raw_rows(folder: Path) -> list[tuple[str, dict[str, str]]]:
    """Every data row of every CSV of a case folder, read independently of the loader."""
    rows = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            rows += [(path.name, row) for row in csv.DictReader(fh)]
    return rows


def test_both_cases_are_bundled():
    assert set(CASES) <= set(bundled_names())


@pytest.mark.parametrize("name", CASES)
def test_bundled_case_loads_without_bad_rows(loaded, name):
    case = loaded[name]
    assert case.data.bad_rows == [], [str(b) for b in case.data.bad_rows]
    assert case.data.quarantined.empty
    # every data row of every file made it into the frame
    assert len(case.observations) == len(raw_rows(bundled_root() / name))
    assert case.name == name


@pytest.mark.parametrize("name", CASES)
def test_every_row_names_its_source(loaded, name):
    blank = [
        (file, row["series"], row["date"])
        for file, row in raw_rows(bundled_root() / name)
        if not (row.get("source") or "").strip()
    ]
    assert not blank
    assert loaded[name].observations["source"].str.strip().str.len().gt(0).all()


@pytest.mark.parametrize("name", CASES)
def test_every_series_and_entity_is_declared(loaded, name):
    case = loaded[name]
    rows = raw_rows(bundled_root() / name)
    undeclared = sorted({row["series"] for _, row in rows} - set(case.series))
    assert not undeclared, f"series not declared in {name}/case.yaml: {undeclared}"
    unknown = sorted({row["entity"] for _, row in rows} - set(case.entities))
    assert not unknown, f"entities not declared in {name}/case.yaml: {unknown}"


def test_lucent_fy2000_reserves_invisible_before_the_10k(loaded):
    """README: Lucent's FY2000 reserves are invisible before its 10-K in December 2000."""
    obs = loaded["telecom-2000"].observations
    fy2000 = (obs["entity"] == "LU") & (obs["date"] == pd.Timestamp("2000-09-30"))
    reserves = obs["series"].isin(["bad_debt_reserve", "inventory_reserve", "receivables_reserve"])
    assert (fy2000 & reserves).sum() == 3
    before = visible_at(obs[fy2000 & reserves], pd.Timestamp("2000-11-30"))
    after = visible_at(obs[fy2000 & reserves], pd.Timestamp("2000-12-31"))
    assert before.empty
    assert len(after) == 3


# --- a user's copy with a malformed row -------------------------------------------


def break_first_row(folder: Path, file: str, series: str, value: str) -> tuple[int, int]:
    """Set the value of the first ``series`` row of ``file`` to ``value``.

    Returns the 1-based line number of that row (header = line 1) and the number of
    data rows in the file.
    """
    path = folder / file
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(f"{series},"))
    fields = next(csv.reader([lines[index]]))
    fields[3] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    lines[index] = out.getvalue()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return index + 1, len(lines) - 1


@pytest.fixture(params=CASES)
def broken_copy(request, tmp_path):
    name = request.param
    folder = tmp_path / f"{name}-copy"
    shutil.copytree(bundled_root() / name, folder)
    file, series = TARGET[name]
    line, _ = break_first_row(folder, file, series, "n/a")
    return name, folder, file, series, line


def test_malformed_row_is_reported_and_quarantined(loaded, broken_copy):
    name, folder, file, series, line = broken_copy
    original = loaded[name]
    case = load_case(str(folder))

    assert [(Path(b.file).name, b.line, b.column) for b in case.data.bad_rows] == [
        (file, line, "value")
    ]
    assert Path(case.data.bad_rows[0].file).parent == folder
    assert case.data.bad_rows[0].value == "n/a"

    q = case.data.quarantined
    assert len(q) == 1
    assert q.iloc[0]["series"] == series and q.iloc[0]["value"] == "n/a"

    # everything else is intact: one row fewer in that series, all other counts equal
    counts = case.observations.groupby("series").size()
    expected = original.observations.groupby("series").size()
    expected[series] -= 1
    pd.testing.assert_series_equal(counts.sort_index(), expected.sort_index())
    key = ["series", "entity", "date", "published"]
    merged = original.observations.merge(
        case.observations, on=key, how="left", suffixes=("", "_copy"), indicator=True
    )
    lost = merged[merged["_merge"] == "left_only"]
    assert len(lost) == 1 and lost.iloc[0]["series"] == series
    kept = merged[merged["_merge"] == "both"]
    assert (kept["value"] == kept["value_copy"]).all()


def test_run_on_broken_copy_succeeds_and_lists_the_quarantined_row(broken_copy, tmp_path):
    name, folder, file, series, line = broken_copy
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["run", "--case", str(folder), "--json", "--out", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["case"] == name
    rows = payload["quarantined"]
    assert [(Path(r["file"]).name, r["line"], r["column"]) for r in rows] == [(file, line, "value")]
    # the HTML report shows it too
    html = Path(payload["report"]).read_text(encoding="utf-8")
    assert html_escape(rows[0]["file"], quote=False) in html  # the copy's path, nowhere else
    # "macro.csv:156" in a list, or 156 in a table cell: either way the line is shown
    assert f"{file}:{line}" in html or re.search(rf">\s*{line}\s*<", html)


def test_row_with_unquoted_comma_is_quarantined(tmp_path):
    folder = tmp_path / "telecom-copy"
    shutil.copytree(bundled_root() / "telecom-2000", folder)
    path = folder / "macro.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("ism_pmi,") and '"' in line)
    lines[index] = lines[index].replace('"', "")  # the source text holds a comma
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    case = load_case(str(folder))
    assert [(Path(b.file).name, b.line) for b in case.data.bad_rows] == [("macro.csv", index + 1)]
    assert len(case.data.quarantined) == 1
