"""`monitor rules test`: YAML rule tests through the real evaluator, with readable diffs."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.authoring.testfile import RuleTestError, expand_values, parse_test_file
from monitor.cli import main
from monitor.rulebook.loader import bundled_rules_dir

STAGE1 = bundled_rules_dir() / "stage1-macro.yaml"
STAGE1_TESTS = bundled_rules_dir() / "tests" / "stage1-macro.test.yaml"


def run(*args: str):
    return CliRunner().invoke(main, ["rules", "test", *args])


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The stage-1 rule file and its tests, copied so a test can break them."""
    (tmp_path / "tests").mkdir()
    shutil.copy(STAGE1, tmp_path / "stage1-macro.yaml")
    shutil.copy(STAGE1_TESTS, tmp_path / "tests" / "stage1-macro.test.yaml")
    return tmp_path


def test_bundled_rule_tests_pass_and_cover_every_rule(tmp_path):
    junit = tmp_path / "junit.xml"
    result = run("--require-coverage", "--junit", str(junit))
    assert result.exit_code == 0, result.output
    # 24 rules since rules/market-exuberance.yaml added explosive-root and
    # lppls-bubble-confidence
    assert "coverage: 24 of 24 rules named by a test" in result.output
    assert " 0 failed" in result.output
    suites = ET.parse(junit).getroot()
    assert int(suites.get("tests")) >= 20 and suites.get("failures") == "0"
    names = {Path(s.get("name")).name for s in suites}
    bundled = {p.stem for p in bundled_rules_dir().glob("*.yaml")}
    assert {f"{stem}.test.yaml" for stem in bundled} <= names  # every rule file ships tests
    assert "chronology-2000.test.yaml" in names


def test_wrong_expectation_fails_with_a_diff_naming_rule_entity_date_and_states(copy):
    path = copy / "tests" / "stage1-macro.test.yaml"
    text = path.read_text().replace(
        "{rule: policy-rate-hiking-cycle, entity: US, state: firing}",
        "{rule: policy-rate-hiking-cycle, entity: US, state: pending}",
    )
    path.write_text(text)
    junit = copy / "out" / "junit.xml"
    result = run(str(copy), "--junit", str(junit))
    assert result.exit_code == 1
    assert (
        'at 2000-03-31: rule "policy-rate-hiking-cycle" entity "US": '
        "expected pending, actual firing (value 1.25 pp; when: change(12mo) >= 100bp)"
    ) in result.output
    assert "FAIL  hiking cycle fires once the rate is 100bp above a year earlier" in result.output
    assert "1 failed" in result.output
    failure = ET.parse(junit).getroot().find(".//failure")
    assert failure is not None and "expected pending, actual firing" in failure.get("message")


def test_unexpected_alert_and_wrong_stage_are_reported(copy):
    path = copy / "tests" / "stage1-macro.test.yaml"
    text = path.read_text().replace("- at: 1999-12-31            # +75bp", "- at: 2000-04-30  #")
    text = text.replace("{at: 2000-06-30, stage: 0}", "{at: 2000-06-30, stage: 1}")
    path.write_text(text)
    result = run(str(copy), "--run", "^hiking cycle fires")
    assert result.exit_code == 1
    assert (
        'at 2000-04-30: rule "policy-rate-hiking-cycle" entity "US": expected inactive, '
        "actual firing"
    ) in result.output
    assert "at 2000-06-30: stage: expected 1, actual 0" in result.output
    assert "1 test(s), 1 failed" in result.output  # --run picked one test


def test_require_coverage_fails_on_an_untested_rule(copy):
    path = copy / "tests" / "stage1-macro.test.yaml"
    text = path.read_text()
    start = text.index("  - name: payroll growth below 50k a month")
    end = text.index("  - name: three stage-1 rules")
    path.write_text(text[:start] + text[end:])
    assert run(str(copy)).exit_code == 0
    strict = run(str(copy), "--require-coverage")
    assert strict.exit_code == 1
    assert "not covered: payroll-growth-stalling" in strict.output


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("1 2 3", [1.0, 2.0, 3.0]),
        ("4.75x3", [4.75, 4.75, 4.75]),
        ("1+0.5x4", [1.0, 1.5, 2.0, 2.5]),
        ("5-1x3 _ 7", [5.0, 4.0, 3.0, None, 7.0]),
        ("-1.5x2 _x2", [-1.5, -1.5, None, None]),
        ("", []),
    ],
)
def test_compact_notation(text, values):
    assert expand_values(text) == pytest.approx(values)


def test_test_file_mistakes_are_all_reported_with_positions(tmp_path):
    path = tmp_path / "bad.test.yaml"
    path.write_text(
        "rule_files: [x.yaml]\n"
        "tests:\n"
        "  - name: t\n"
        "    input_series:\n"
        '      - {series: ism_pmi, entity: US, start: 2000-01-31, values: "50 4x9x 48"}\n'
        "    alert_eval:\n"
        "      - at: not-a-date\n"
        "        alerts: [{rule: r, entity: US, state: burning}]\n"
        "    colour: red\n"
    )
    with pytest.raises(RuleTestError) as caught:
        parse_test_file(path)
    problems = caught.value.problems
    assert any(p.startswith(f"{path}:5:70: bad value '4x9x'") for p in problems), problems
    assert any(p.startswith(f"{path}:7:13: at must be a date") for p in problems), problems
    assert any(":8:" in p and "state must be one of" in p for p in problems), problems
    assert any(p.startswith(f"{path}:9:5: unknown key 'colour'") for p in problems), problems
    result = run(str(path))
    assert result.exit_code == 1 and "ERROR" in result.output


def test_month_end_start_steps_from_month_end_to_month_end(tmp_path):
    path = tmp_path / "t.test.yaml"
    path.write_text(
        "rule_files: [x.yaml]\ntests:\n  - name: t\n    input_series:\n"
        "      - {series: s, entity: E, start: 2000-01-31, values: 1x3}\n"
        "    stage_eval: [{at: 2000-03-31, stage: 0}]\n"
    )
    rows = parse_test_file(path).tests[0].rows
    assert [r["date"].date().isoformat() for r in rows] == [
        "2000-01-31",
        "2000-02-29",
        "2000-03-31",
    ]
    assert all(r["published"] == r["date"] for r in rows)
