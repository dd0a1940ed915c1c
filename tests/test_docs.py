"""The docs stay true: generated reference sections, the CLI reference, the tutorial."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.authoring import docs as ruledocs
from monitor.cli import main, reference
from monitor.core.units import LITERAL_UNITS
from monitor.language.functions import FUNCTIONS
from monitor.rulebook.model import RULE_KEYS

DOCS = Path(__file__).resolve().parents[1] / "docs"
REGENERATE = "run `python -m monitor.cli.reference` to regenerate"


def test_rule_language_generated_sections_match_the_code():
    text = (DOCS / "rule-language.md").read_text(encoding="utf-8")
    blocks = set(re.findall(r"<!-- generated:([a-z-]+) -->", text))
    assert blocks == set(ruledocs.sections()), "every generator has a block and vice versa"
    assert ruledocs.fill(text, ruledocs.sections()) == text, REGENERATE


def test_reference_names_every_function_key_and_unit():
    text = (DOCS / "rule-language.md").read_text(encoding="utf-8")
    for spec in FUNCTIONS.values():
        assert f"`{spec.signature}`" in text
    for key in RULE_KEYS:
        assert f"| `{key}` |" in text
    for unit in LITERAL_UNITS:
        assert f"| `{unit}` |" in text
    assert "expression.lark" in text and "?start: expr" in text  # the grammar itself


def test_fill_detects_drift():
    stale = "<!-- generated:functions -->\nold\n<!-- /generated:functions -->"
    assert "old" not in ruledocs.fill(stale, ruledocs.sections())
    with pytest.raises(KeyError):
        ruledocs.fill("<!-- generated:nope -->\n<!-- /generated:nope -->", {})


def test_cli_reference_matches_the_click_tree():
    assert (DOCS / "cli.md").read_text(encoding="utf-8") == reference.cli_reference(), REGENERATE
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for command in (
        "monitor rules check",
        "monitor rules test",
        "monitor rules explain",
        "monitor rules list",
        "monitor rules new",
        "monitor run",
    ):
        assert f"`{command}`" in text


# -- the tutorial ---------------------------------------------------------------------

TUTORIAL = (DOCS / "first-rule-file.md").read_text(encoding="utf-8")


def files() -> dict[str, str]:
    found = {}
    for block in re.findall(r"```yaml\n(.*?)```", TUTORIAL, re.S):
        match = re.match(r"# file: (\S+)\n", block)
        if match:
            found[match.group(1)] = block
    return found


def shown(after: str) -> list[str]:
    """Lines of the first ```text block after the phrase ``after``."""
    rest = TUTORIAL[TUTORIAL.index(after) :]
    return re.search(r"```text\n(.*?)```", rest, re.S).group(1).splitlines()


def matches(expected: list[str], output: str) -> None:
    """Each shown line is in the output (a line ending in '...' matches as a prefix)."""
    lines = output.splitlines()
    for line in expected:
        if line.endswith("..."):
            assert any(o.startswith(line[:-3]) for o in lines), (line, output)
        else:
            assert line in lines, (line, output)


def test_tutorial_files_pass_check_and_test_with_the_output_it_shows(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = files()
    assert set(blocks) == {"my-rules/capex-boom.yaml", "my-rules/tests/capex-boom.test.yaml"}
    rule = Path("my-rules/capex-boom.yaml")
    rule.parent.mkdir(parents=True)
    rule.write_text(blocks[str(rule)])
    runner = CliRunner()

    checked = runner.invoke(main, ["rules", "check", "my-rules"])
    assert checked.exit_code == 0, checked.output
    matches(shown("nothing tests it yet"), checked.output)

    rule.write_text(blocks[str(rule)].replace("when: value >= 40", "when: vlaue >= 40"))
    broken = runner.invoke(main, ["rules", "check", "my-rules"])
    assert broken.exit_code == 1
    matches(shown("the check answers"), broken.output)
    rule.write_text(blocks[str(rule)])

    test = Path("my-rules/tests/capex-boom.test.yaml")
    test.parent.mkdir()
    test.write_text(blocks[str(test)])
    tested = runner.invoke(main, ["rules", "test", "my-rules", "--require-coverage"])
    assert tested.exit_code == 0, tested.output
    matches(shown("monitor rules test my-rules\n```"), tested.output)
    assert runner.invoke(main, ["rules", "check", "--strict", "my-rules"]).exit_code == 0

    test.write_text(blocks[str(test)].replace("state: firing}", "state: inactive}"))
    failed = runner.invoke(main, ["rules", "test", "my-rules"])
    assert failed.exit_code == 1
    matches(
        [line.strip() for line in shown("for example:")], failed.output.replace("          ", "")
    )
