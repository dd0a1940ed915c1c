"""The CLI under hostile input: bounded output, escaped control characters, no traceback.

Issue 14, items 12, 14 and 15.
"""

from __future__ import annotations

import csv
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.data.case import bundled_root
from monitor.rulebook.loader import bundled_rules_dir


def _case_with_bad_rows(tmp_path: Path, bad: int, title: str = "Telecom") -> Path:
    case = tmp_path / "case"
    shutil.copytree(bundled_root() / "telecom-2000", case)
    meta = (case / "case.yaml").read_text(encoding="utf-8")
    (case / "case.yaml").write_text(
        meta.replace('title: "The 2000 telecom bust (1994-2003)"', f'title: "{title}"'),
        encoding="utf-8",
    )
    with (case / "macro.csv").open("a", encoding="utf-8") as handle:
        for i in range(bad):  # distinct dates: each row has exactly one problem
            day = date(1995, 1, 1) + timedelta(days=i)
            handle.write(f"ism_pmi,US,{day},oops{i},2000-12-01,index,ISM,\n")
    return case


def _run(case: Path, out: Path, *extra: str):  # type: ignore[no-untyped-def]
    args = ["run", "--case", str(case), "--as-of", "2000-12-31", "--out", str(out), *extra]
    return CliRunner().invoke(main, args)


def test_quarantine_is_summarised_on_stderr_with_json(tmp_path: Path) -> None:
    result = _run(_case_with_bad_rows(tmp_path, 3), tmp_path / "out", "--json")
    assert result.exit_code == 0, result.output
    assert "3 bad data row(s) quarantined (3 problem(s)):" in result.stderr
    assert "macro.csv:" in result.stderr and "not a number" in result.stderr
    assert result.stdout.lstrip().startswith("{")  # stdout stays pure JSON


def test_many_bad_rows_print_counts_and_the_first_twenty(tmp_path: Path) -> None:
    result = _run(_case_with_bad_rows(tmp_path, 500), tmp_path / "out")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if ": value: not a number" in line]
    assert len(lines) == 20
    assert "500 bad data row(s) quarantined" in result.stderr
    full = tmp_path / "out" / "telecom-2000-2000-12-31.quarantine.csv"
    assert f"... and 480 more (all of them: {full})" in result.stderr
    with full.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 500 and rows[0]["check"] == "not a number"
    assert rows[0]["value"] == "oops0" and rows[-1]["value"] == "oops499"


def test_quarantine_file_is_never_stale_and_defuses_formulas(tmp_path: Path) -> None:
    case = _case_with_bad_rows(tmp_path, 0)
    with (case / "macro.csv").open("a", encoding="utf-8") as handle:
        handle.write('ism_pmi,US,1995-01-01,"=HYPERLINK(""http://x"")",2000-12-01,index,ISM,\n')
    out = tmp_path / "out"
    assert _run(case, out).exit_code == 0
    full = out / "telecom-2000-2000-12-31.quarantine.csv"
    [row] = list(csv.DictReader(full.open(encoding="utf-8", newline="")))
    assert row["value"] == '\'=HYPERLINK("http://x")'  # text, not a formula
    lines = (case / "macro.csv").read_text(encoding="utf-8").splitlines()
    (case / "macro.csv").write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    assert _run(case, out).exit_code == 0  # the same date, clean now
    assert full.read_text(encoding="utf-8") == "file,line,column,check,value\n"


def test_terminal_escapes_in_titles_are_shown_escaped(tmp_path: Path) -> None:
    case = _case_with_bad_rows(tmp_path, 0, title="Evil \\e[2J\\e]8;;http://x\\a title")
    result = _run(case, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "Evil \\x1b[2J\\x1b]8;;http://x\\x07 title" in result.stdout


def test_fred_from_file_empty_and_unquoted_comma(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    args = ["fred", "FEDFUNDS", "--series", "fed_funds", "--unit", "%", "--from-file"]
    result = CliRunner().invoke(main, [*args, str(empty)])
    assert result.exit_code == 1 and "empty.csv:1: empty file" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    comma = tmp_path / "comma.csv"
    comma.write_text("DATE,FEDFUNDS\n2000-01-01,5.45\n2000-02-01,5,73\n", encoding="utf-8")
    result = CliRunner().invoke(main, [*args, str(comma)])
    assert result.exit_code == 0, result.output
    assert "comma.csv:3: column '(row)': expected 2 fields, found 3" in result.stderr
    assert result.stdout.splitlines()[1].startswith("fed_funds,US,2000-01-01,5.45,")
    assert len(result.stdout.splitlines()) == 2  # the header and the one good row


def test_case_in_a_test_file_resolves_against_the_test_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite = tmp_path / "suite"
    (suite / "tests").mkdir(parents=True)
    shutil.copy(bundled_rules_dir() / "stage1-macro.yaml", suite / "stage1-macro.yaml")
    shutil.copytree(bundled_root() / "telecom-2000", suite / "tests" / "mycase")
    (suite / "tests" / "t.test.yaml").write_text(
        "rule_files: [../stage1-macro.yaml]\n"
        "tests:\n"
        "  - name: the case beside the test file\n"
        "    case: mycase\n"
        "    stage_eval:\n"
        "      - {at: 1999-09-30, stage: 0, active: []}\n",
        encoding="utf-8",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # not the test file's folder
    result = CliRunner().invoke(main, ["rules", "test", str(suite / "tests" / "t.test.yaml")])
    assert result.exit_code == 0, result.output
    assert "1 test(s), 0 failed" in result.output
