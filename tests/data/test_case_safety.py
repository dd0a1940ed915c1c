"""A case folder from someone else cannot read other files, write elsewhere, or crash.

Cases are data a desk may share; loading one must never pull in files outside its
folder, let its name steer where reports are written, or stop a run with a traceback.
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.core.errors import CaseError
from monitor.data.case import load_case

HEADER = "series,entity,date,value,published,unit,source"
ROW = "pmi_x,US,2000-01-01,55.1,2000-02-02,index,ISM"


def make_case(folder, yaml_text: str, files: dict[str, bytes] | None = None):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "case.yaml").write_text(yaml_text)
    for name, content in (files or {}).items():
        (folder / name).write_bytes(content)
    return folder


def test_data_file_outside_the_case_folder_is_refused(tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("AKIA,not,data\n")
    case = make_case(tmp_path / "evil", "name: evil\nfiles: [../secret.csv]\n")
    with pytest.raises(
        CaseError,
        match=r"case\.yaml:2:\d+: data file '\.\./secret\.csv' must be "
        r"inside the case folder",
    ):
        load_case(str(case))


def test_case_name_cannot_steer_report_paths(tmp_path):
    case = make_case(
        tmp_path / "trav", 'name: "../../escaped"\n', {"d.csv": f"{HEADER}\n{ROW}\n".encode()}
    )
    with pytest.raises(CaseError, match=r"case\.yaml:1:7: name must be"):
        load_case(str(case))
    result = CliRunner().invoke(main, ["run", "--case", str(case), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert not list(tmp_path.glob("escaped*"))


def test_every_metadata_problem_is_reported_with_its_line(tmp_path):
    case = make_case(
        tmp_path / "meta",
        "name: meta\n"
        "as_of: notadate\n"
        "colour: red\n"
        "series:\n"
        "  pmi_x: {unit: index, publication_lag_days: ten}\n"
        "crisis_events:\n"
        "  - {title: no date}\n",
    )
    with pytest.raises(CaseError) as info:
        load_case(str(case))
    lines = str(info.value).splitlines()
    assert len(lines) == 4
    assert any(re.search(r":2:\d+: as_of must be an ISO date", x) for x in lines)
    assert any(re.search(r":3:1: unknown key 'colour'", x) for x in lines)
    assert any(re.search(r":5:\d+: series 'pmi_x': publication_lag_days must be", x) for x in lines)
    assert any(re.search(r":7:\d+: a crisis event needs an ISO date", x) for x in lines)


def test_excel_bom_csv_loads(tmp_path):
    case = make_case(
        tmp_path / "bom", "name: bom\n", {"d.csv": b"\xef\xbb\xbf" + f"{HEADER}\n{ROW}\n".encode()}
    )
    loaded = load_case(str(case))
    assert loaded.data.bad_rows == []
    assert list(loaded.observations["value"]) == [55.1]


def test_empty_and_non_utf8_files_are_reported_not_fatal(tmp_path):
    case = make_case(
        tmp_path / "odd",
        "name: odd\nfiles: [empty.csv, latin.csv, good.csv]\n",
        {
            "empty.csv": b"",
            "latin.csv": f"{HEADER}\n".encode()
            + "pmi_x,US,2000-03-01,1,2000-04-01,index,Caf\xe9".encode("latin-1"),
            "good.csv": f"{HEADER}\n{ROW}\n".encode(),
        },
    )
    loaded = load_case(str(case))
    problems = {(b.file.rsplit("/", 1)[-1], b.column) for b in loaded.data.bad_rows}
    assert ("latin.csv", "(file)") in problems
    assert any(name == "empty.csv" for name, _ in problems)
    assert list(loaded.observations["value"]) == [55.1]
    result = CliRunner().invoke(
        main, ["run", "--case", str(case), "--out", str(tmp_path / "o"), "--json"]
    )
    assert result.exit_code == 0, result.output


def test_value_published_before_its_date_is_quarantined(tmp_path):
    case = make_case(
        tmp_path / "ahead",
        "name: ahead\n",
        {"d.csv": f"{HEADER}\n{ROW}\npmi_x,US,2001-09-30,-40,2000-11-01,index,typo\n".encode()},
    )
    loaded = load_case(str(case))
    assert [(b.line, b.column) for b in loaded.data.bad_rows] == [(3, "published")]
    assert "look-ahead" in loaded.data.bad_rows[0].check
    assert len(loaded.observations) == 1


def test_globbed_symlink_out_of_the_case_folder_is_refused(tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text(f"{HEADER}\npmi_x,US,2000-01-01,1,2000-02-02,index,SECRET-CONTENT\n")
    folder = make_case(tmp_path / "case", "name: c\n", {"good.csv": f"{HEADER}\n{ROW}\n".encode()})
    (folder / "leak.csv").symlink_to(secret)
    with pytest.raises(CaseError, match="leak.csv.*outside the case folder") as caught:
        load_case(str(folder))
    assert "SECRET-CONTENT" not in str(caught.value)


def test_symlink_inside_the_case_folder_still_loads(tmp_path):
    folder = make_case(tmp_path / "case", "name: c\n", {"data.txt": f"{HEADER}\n{ROW}\n".encode()})
    (folder / "data.csv").symlink_to(folder / "data.txt")
    assert len(load_case(str(folder)).observations) == 1


def test_case_name_with_a_trailing_newline_is_refused(tmp_path):
    files = {"d.csv": f"{HEADER}\n{ROW}\n".encode()}
    folder = make_case(tmp_path / "case", 'name: "evil\\n"\n', files)
    with pytest.raises(CaseError, match=r"case\.yaml:1:7: name must be"):
        load_case(str(folder))


def test_alias_bomb_in_case_yaml_is_refused(tmp_path):
    bomb = "x0: &x0 [lol,lol,lol,lol,lol,lol,lol,lol,lol,lol]\n" + "".join(
        f"x{i}: &x{i} [" + ",".join([f"*x{i - 1}"] * 10) + "]\n" for i in range(1, 9)
    )
    folder = make_case(tmp_path / "case", bomb + "title: *x8\n")
    with pytest.raises(CaseError, match=r"case\.yaml:\d+:\d+: .*alias"):
        load_case(str(folder))
