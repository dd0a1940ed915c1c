"""``monitor indicators show explosive_root`` prints the BSADF path with its critical
values and the whole-sample GSADF (docs/market-exuberance.md)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from monitor.cli import main

ARGS = ["indicators", "show", "explosive_root", "--case", "telecom-2000", "--entity", "US"]


def test_show_prints_the_path_with_its_critical_values_and_gsadf():
    result = CliRunner().invoke(main, ARGS)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = lines[1].split()
    assert header[:2] == ["date", "value"]
    assert header[2:] == [
        "explosive_root_cv95",
        "explosive_root_gsadf",
        "explosive_root_gsadf_cv95",
    ]
    feb_2000 = next(line for line in lines if "2000-02-29" in line)
    # BSADF 2.435 > its 95% value 0.6365 (table row n_obs = 326: 1973-01 .. 2000-02),
    # the largest so far, against a GSADF 95% value of 2.1466 for 326 months
    assert feb_2000.split()[2:7] == ["2.435", "t-stat", "0.6365", "2.435", "2.147"]
    # first value once 38 months (the minimum window) are known: 1973-01 + 37 months
    assert lines[2].split()[1] == "1976-02-27"
    assert lines[-1].startswith("  latest: explosive_root_cv95 = ")
    assert "explosive_root_gsadf = 2.435, explosive_root_gsadf_cv95 = 2.194" in lines[-1]


def test_show_json_carries_the_companions():
    result = CliRunner().invoke(main, [*ARGS, "--json", "--as-of", "1995-12-31"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    last = rows[-1]
    assert last["date"] == "1995-11-30"  # December's close is published on 1996-01-02
    assert set(last) >= {"explosive_root_cv95", "explosive_root_gsadf"}
    assert last["value"] > last["explosive_root_cv95"]  # inside the 1995-07..11 run
