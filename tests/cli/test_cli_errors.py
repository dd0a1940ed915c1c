"""Bad input gets a precise error and loses nothing.

A broken rule folder must stop ``monitor run`` with every problem listed as
``file:line:col`` and exit 1, and must not touch the reports already written.
"""

from __future__ import annotations

import re

from click.testing import CliRunner

from monitor.cli import main

BROKEN = """\
stage: 1
title: Broken on purpose
activate: {min_firing: 1}
rules:
  - id: first
    title: unknown key below
    indicator: pmi
    when: value < 50
    severity: warning
    colour: red
  - id: second
    title: bad expression
    indicator: pmi
    when: value <> 50
    severity: warning
  - id: third
    title: bad severity and duration
    indicator: pmi
    when: value < 50
    severity: severe
    for: 3 months
"""


def test_broken_rules_exit_1_with_every_position_and_keep_old_report(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "broken.yaml").write_text(BROKEN)
    out = tmp_path / "out"
    out.mkdir()
    old = out / "previous.html"
    old.write_text("<p>last week's report</p>")

    result = CliRunner().invoke(main, ["run", "--rules", str(rules), "--out", str(out)])

    assert result.exit_code == 1
    messages = result.stderr
    path = re.escape(str(rules / "broken.yaml"))
    assert re.search(path + r':10:5: rule "first": unknown key \'colour\'', messages)
    assert re.search(path + r':14:18: rule "second": unexpected >', messages)
    assert re.search(path + r':20:15: rule "third": severity must be one of', messages)
    assert re.search(path + r':21:10: rule "third": invalid duration', messages)
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["previous.html"]
    assert old.read_text() == "<p>last week's report</p>"


def test_unknown_case_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["run", "--case", "no-such-case", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "unknown case 'no-such-case'" in result.stderr
    assert "telecom-2000" in result.stderr
