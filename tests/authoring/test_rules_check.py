"""`monitor rules check`: every mistake at once, at the right line and column."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.core.errors import RuleFileError
from monitor.indicator.registry import load_registry
from monitor.rulebook.loader import check_rules, indicator_infos, load_rules

BROKEN = """\
stage: 1
title: Several mistakes
activate: {when: "good-rule and missing-rule"}
rules:
  - id: good-rule
    title: fine
    indicator: policy_rate
    when: change(12mo) >= 100bp
    severity: warning
  - id: bad-expression
    title: syntax error
    indicator: policy_rate
    when: change(12mo) >= >= 1
    severity: warning
  - id: bad-function
    title: unknown function
    indicator: policy_rate
    when: "chnage(12mo) >= 1"
    severity: loud
    colour: red
  - id: bad-units
    title: unit mismatch
    indicator: policy_rate
    when: value >= 2bn
    for: 3 months
    severity: info
  - id: bad-window
    title: zero window
    indicator: pmi
    when: change(0mo) >= 1
    severity: info
  - id: bad-long-window
    title: window longer than 50 years
    indicator: pmi
    when: max(80y) > 50
    severity: info
  - id: bad-indicator
    title: unknown indicator
    indicator: no_such_indicator
    when: value > 1
    severity: info
  - id: good-rule
    title: duplicate
    indicator: pmi
    when: value < 50
    severity: info
"""

# (line, col, words the message must contain)
EXPECTED = [
    (3, 33, "unknown rule id 'missing-rule'"),
    (13, 27, "unexpected >="),
    (18, 12, "unknown function 'chnage'"),
    (19, 15, "severity must be one of"),
    (20, 5, "unknown key 'colour'"),
    (24, 11, "unit mismatch"),
    (25, 10, "invalid duration '3 months'"),
    (30, 11, "window of change() must be longer than zero"),
    (35, 11, "longer than 50 years"),
    (39, 16, "unknown indicator 'no_such_indicator'"),
    (42, 9, "duplicate id (first defined at"),
]


@pytest.fixture(scope="module")
def infos():
    return indicator_infos(load_registry())


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_every_mistake_is_reported_once_with_line_and_column(tmp_path, monkeypatch):
    write(tmp_path, "broken.yaml", BROKEN)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["rules", "check", "broken.yaml"])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("broken.yaml:")]
    errors = [line for line in errors if "warning:" not in line]
    assert len(errors) == len(EXPECTED), "\n".join(errors)
    for line, col, words in EXPECTED:
        prefix = f"broken.yaml:{line}:{col}: "
        assert any(e.startswith(prefix) and words in e for e in errors), (prefix, words, errors)
    assert 'rule "bad-function": unknown function' in result.output


def test_expression_errors_get_a_caret_under_the_column(tmp_path, monkeypatch):
    write(tmp_path, "broken.yaml", BROKEN)
    monkeypatch.chdir(tmp_path)
    lines = CliRunner().invoke(main, ["rules", "check", "broken.yaml"]).output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("broken.yaml:13:27:"))
    source, caret = lines[at + 1], lines[at + 2]
    assert source == "        when: change(12mo) >= >= 1"
    assert caret.index("^") == source.index(">= >=") + 3  # the second >=, column 27


def test_load_rules_raises_the_same_problems(tmp_path, infos):
    path = write(tmp_path, "broken.yaml", BROKEN)
    with pytest.raises(RuleFileError) as caught:
        load_rules([path], infos)
    assert [str(p) for p in check_rules([path], infos).problems] == caught.value.problems
    assert len(caught.value.problems) == len(EXPECTED)


def test_yaml_syntax_error_points_at_the_line(tmp_path):
    write(tmp_path, "bad.yaml", "rules:\n  - id: x\n    when: [unclosed\n")
    result = CliRunner().invoke(main, ["rules", "check", str(tmp_path / "bad.yaml")])
    assert result.exit_code == 1
    assert "YAML syntax" in result.output
    assert f"{tmp_path / 'bad.yaml'}:4:1:" in result.output or ":3:" in result.output


def test_duplicate_ids_across_files_and_missing_keys(tmp_path):
    rule = """\
    stage: 2
    rules:
      - id: same-id
        title: t
        indicator: pmi
        when: value < 50
        severity: info
    """
    write(tmp_path, "a.yaml", rule)
    write(tmp_path, "b.yaml", textwrap.dedent(rule).replace("    title: t\n", ""))
    result = CliRunner().invoke(main, ["rules", "check", str(tmp_path)])
    assert result.exit_code == 1
    assert f'{tmp_path / "b.yaml"}:3:9: rule "same-id": duplicate id' in result.output
    assert f"{tmp_path / 'b.yaml'}:3:5: rule \"same-id\": missing key 'title'" in result.output


def test_bundled_rules_load_and_every_one_is_tested(tmp_path):
    clean = CliRunner().invoke(main, ["rules", "check"])
    assert clean.exit_code == 0, clean.output
    assert "0 error(s)" in clean.output
    assert "no test names" not in clean.output and "no description" not in clean.output


def test_strict_mode_exits_3_on_warnings_only(tmp_path):
    write(
        tmp_path,
        "bare.yaml",
        """\
        stage: 0
        rules:
          - id: bare-rule
            title: no description, precedent or test
            indicator: pmi
            when: value < 40
            severity: info
        """,
    )
    lax = CliRunner().invoke(main, ["rules", "check", str(tmp_path)])
    strict = CliRunner().invoke(main, ["rules", "check", "--strict", str(tmp_path)])
    assert lax.exit_code == 0 and strict.exit_code == 3
    for words in ("no description", "no precedent", "no test names this rule"):
        assert f'bare.yaml:3:5: rule "bare-rule": warning: {words}' in strict.output


def test_no_rule_files_is_an_error(tmp_path):
    result = CliRunner().invoke(main, ["rules", "check", str(tmp_path)])
    assert result.exit_code == 1
    assert "no rule files found" in result.output
