"""`monitor rules list|explain|new`, and `monitor --help` staying light."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from monitor.cli import main


def invoke(*args: str):
    return CliRunner().invoke(main, ["rules", *args])


def test_list_shows_every_bundled_rule_with_stage_severity_indicator_and_file():
    result = invoke("list", "--json")
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in json.loads(result.output)}
    # 22 + explosive-root + lppls-bubble-confidence (rules/market-exuberance.yaml)
    assert len(rows) == 24
    hiking = rows["policy-rate-hiking-cycle"]
    assert (hiking["stage"], hiking["severity"], hiking["indicator"]) == (
        1,
        "warning",
        "policy_rate",
    )
    assert hiking["file"].split(":")[0].endswith("stage1-macro.yaml")
    table = invoke("list").output.splitlines()
    assert table[0].split() == ["id", "stage", "severity", "indicator", "file"]


def test_explain_shows_text_parsed_form_values_distance_and_precedent():
    result = invoke(
        "explain", "credit-spread-widening", "--case", "telecom-2000", "--as-of", "2000-12-31"
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "when:      value >= 6 and change(6mo) >= 100bp" in out
    assert "parsed:    ((credit_spread >= 6) and (change(credit_spread, 6mo) >= 100bp))" in out
    assert "As of 2000-12-31:" in out
    assert "  US: firing since" in out
    assert "value >= 6: true" in out and "threshold 6 %: met by" in out
    assert "change(6mo) >= 100bp: true" in out
    assert "values seen" in out and "credit_spread" in out
    assert "Precedent: 2000-05-31: 6.16" in out


def test_explain_says_how_far_an_inactive_rule_is_from_firing():
    result = invoke(
        "explain",
        "policy-rate-hiking-cycle",
        "--case",
        "telecom-2000",
        "--as-of",
        "1999-06-30",
        "--entity",
        "US",
    )
    assert result.exit_code == 0, result.output
    # the 1994-95 cycle: keep_firing_for (6mo) counts from the first day the condition
    # failed, as Prometheus does, so it resolves on 15 May 1996 (the rule-semantics fix
    # moved this from the 14th, which counted from the last day it held)
    assert "  US: resolved since 1996-05-15" in result.output
    assert "change(12mo) >= 100bp: false" in result.output and "short" in result.output


def test_explain_unknown_rule_exits_1():
    result = invoke("explain", "no-such-rule")
    assert result.exit_code == 1
    assert "unknown rule 'no-such-rule'" in result.output


def test_new_scaffold_passes_check_and_test_and_refuses_to_overwrite(tmp_path):
    folder = tmp_path / "mine"
    created = invoke("new", "my-watch", "--dir", str(folder))
    assert created.exit_code == 0, created.output
    rule_file = folder / "my-watch.yaml"
    text = rule_file.read_text()
    for key in (
        "activate",
        "counter",
        "weight",
        "entities",
        "indicators",
        "keep_firing_for",
        "precedent",
        "references",
        "description",
        "stage",
    ):
        assert key in text, key
    check = invoke("check", "--strict", str(folder))
    assert check.exit_code == 0, check.output
    tested = invoke("test", str(folder), "--require-coverage")
    assert tested.exit_code == 0, tested.output
    again = invoke("new", "my-watch", "--dir", str(folder))
    assert again.exit_code == 1 and "already exists" in again.output
    assert invoke("new", "Bad Name", "--dir", str(folder)).exit_code == 1


def test_help_does_not_import_pandas():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from monitor.cli import main\n"
        "for args in (['--help'], ['rules', '--help'], ['rules', 'check', '--help']):\n"
        "    assert CliRunner().invoke(main, args).exit_code == 0\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
