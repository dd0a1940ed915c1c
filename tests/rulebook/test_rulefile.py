"""Loading YAML rule files: every bundled file loads, every problem is reported at once."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from monitor.core.durations import Duration
from monitor.core.errors import RuleFileError
from monitor.indicator.registry import load_registry
from monitor.language.compiler import IndicatorInfo
from monitor.rulebook.loader import bundled_rules_dir, indicator_infos, load_rules
from monitor.rulebook.model import SEVERITIES


@pytest.fixture(scope="module")
def infos() -> dict[str, IndicatorInfo]:
    return indicator_infos(load_registry())


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def locate(path: Path, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based (line, column) of the n-th occurrence of ``needle`` in the file."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        start = 0
        while (col := line.find(needle, start)) >= 0:
            seen += 1
            if seen == occurrence:
                return number, col + 1
            start = col + 1
    raise AssertionError(f"{needle!r} not in {path}")


def problems_of(paths: list[Path], infos: dict[str, IndicatorInfo]) -> list[str]:
    with pytest.raises(RuleFileError) as info:
        load_rules(paths, infos)
    assert str(info.value) == "\n".join(info.value.problems)
    return info.value.problems


# --------------------------------------------------------------------------
# the bundled rules
# --------------------------------------------------------------------------


def test_every_bundled_rule_file_loads(infos: dict[str, IndicatorInfo]) -> None:
    folder = bundled_rules_dir()
    files = sorted(folder.glob("*.yaml"))
    assert files, "no bundled rule files"
    ruleset = load_rules([folder], infos)
    assert sorted(ruleset.files) == [str(f) for f in files]
    assert {Path(r.file) for r in ruleset.rules} == set(files)
    ids = [r.id for r in ruleset.rules]
    assert len(ids) == len(set(ids))
    for rule in ruleset.rules:
        assert rule.severity in SEVERITIES, rule.id
        assert rule.stage in (0, 1, 2, 3), rule.id
        assert rule.condition.indicators, rule.id
        assert rule.condition.indicators <= set(infos), rule.id
        if rule.indicator is not None:
            assert rule.indicator in infos
    assert set(ruleset.activations) == {1, 2, 3}
    for stage in (1, 2, 3):
        assert any(r.stage == stage and not r.counter for r in ruleset.rules), stage


@pytest.mark.parametrize("name", sorted(p.name for p in bundled_rules_dir().glob("*.yaml")))
def test_each_bundled_rule_file_loads_on_its_own(
    name: str, infos: dict[str, IndicatorInfo]
) -> None:
    ruleset = load_rules([bundled_rules_dir() / name], infos)
    assert ruleset.rules


def test_bundled_stage_one_is_as_documented(infos: dict[str, IndicatorInfo]) -> None:
    ruleset = load_rules([bundled_rules_dir()], infos)
    assert ruleset.activations[1].min_firing == 3  # "activate: {min_firing: 3}" in the README
    hiking = ruleset.by_id()["policy-rate-hiking-cycle"]
    assert hiking.stage == 1
    assert hiking.indicator == "policy_rate"
    assert hiking.when == "change(12mo) >= 100bp"
    assert hiking.condition.threshold == pytest.approx(1.0)
    assert hiking.keep_firing_for == Duration(6, "mo")
    assert hiking.for_.is_zero()
    assert hiking.precedent is not None
    assert hiking.precedent.date == pd.Timestamp("2000-05-16")
    assert hiking.precedent.value == pytest.approx(1.75)


# --------------------------------------------------------------------------
# a broken rule set: every problem at once, with positions
# --------------------------------------------------------------------------

STAGE_ONE = """
stage: 1
title: Stage one
activate: {when: "rule-a and ghost-rule"}
rules:
  - id: rule-a
    title: A good rule
    indicator: pmi
    when: value < 50
    severity: watch
  - id: rule-b
    title: Unknown key
    indicator: pmi
    when: value < 45
    severity: info
    colour: red
  - id: rule-c
    title: Bad severity
    indicator: pmi
    when: value < 40
    severity: urgent
  - id: rule-d
    title: Bad duration
    indicator: pmi
    when: value < 40
    for: 3 months
    severity: info
  - id: rule-e
    title: Expression error in a quoted string
    indicator: pmi
    when: "value < 40 and pmi > 5bn"
    severity: info
  - id: rule-f
    title: Expression error in a plain string
    indicator: pmi
    when: value < 40 and foo > 1
    severity: info
  - id: rule-g
    title: Unknown indicator
    indicator: nonsense
    when: value > 1
    severity: info
  - id: rule-h
    title: Expression error in a single-quoted string
    indicator: pmi
    when: 'value < 40 or bar(pmi) > 1'
    severity: info
"""

STAGE_TWO = """
stage: 2
title: Stage two
rules:
  - id: rule-z
    title: Fine
    indicator: pmi
    when: value < 48
    severity: info
  - id: rule-a
    title: Same id as in the stage one file
    indicator: pmi
    when: value < 47
    severity: info
"""

BROKEN_YAML = """
stage: 3
title: broken: yaml
rules: []
"""


@pytest.fixture
def broken(tmp_path: Path) -> dict[str, Path]:
    return {
        "a": write(tmp_path, "a-stage1.yaml", STAGE_ONE),
        "b": write(tmp_path, "b-stage2.yaml", STAGE_TWO),
        "c": write(tmp_path, "c-broken.yaml", BROKEN_YAML),
    }


def test_every_problem_is_reported_at_once(
    broken: dict[str, Path], infos: dict[str, IndicatorInfo], tmp_path: Path
) -> None:
    problems = problems_of([tmp_path], infos)
    a, b, c = (str(broken[k]) for k in "abc")
    expected = [
        # (file, line, col, rule, start of message)
        (a, 3, 30, None, "unknown rule id 'ghost-rule'"),
        (a, 15, 5, "rule-b", "unknown key 'colour'"),
        (a, 20, 15, "rule-c", "severity must be one of info, watch, warning, critical"),
        (a, 25, 10, "rule-d", "invalid duration '3 months'"),
        (a, 30, 27, "rule-e", "unit mismatch"),
        (a, 35, 26, "rule-f", "unknown indicator 'foo'"),
        (a, 39, 16, "rule-g", "unknown indicator 'nonsense'"),
        (a, 45, 26, "rule-h", "unknown function 'bar'"),
        (b, 9, None, "rule-a", "duplicate id (first defined at "),
        (c, 2, 14, None, "YAML syntax: mapping values are not allowed here"),
    ]
    assert len(problems) == len(expected), "\n".join(problems)
    for problem, (file, line, col, rule, message) in zip(problems, expected, strict=True):
        where = f"{re.escape(file)}:{line}:{col if col is not None else r'[0-9]+'}:"
        who = f' rule "{rule}":' if rule else ""
        assert re.match(f"^{where}{who} {re.escape(message)}", problem), problem
    assert problems[8].endswith(f"duplicate id (first defined at {a}:5)")


def test_positions_point_at_the_offending_text(
    broken: dict[str, Path], infos: dict[str, IndicatorInfo], tmp_path: Path
) -> None:
    """The same positions as above, found independently in the file text."""
    problems = problems_of([tmp_path], infos)
    a = broken["a"]
    line, col = locate(a, "ghost-rule")
    assert any(p.startswith(f"{a}:{line}:{col}: unknown rule id") for p in problems)
    line, col = locate(a, "colour")
    assert any(p.startswith(f'{a}:{line}:{col}: rule "rule-b": unknown key') for p in problems)
    line, col = locate(a, "urgent")
    assert any(p.startswith(f'{a}:{line}:{col}: rule "rule-c": severity') for p in problems)
    line, col = locate(a, "3 months")
    assert any(p.startswith(f'{a}:{line}:{col}: rule "rule-d": invalid dur') for p in problems)
    # inside a double-quoted when: the column of the comparison "pmi > 5bn"
    line, col = locate(a, "pmi > 5bn")
    assert any(p.startswith(f'{a}:{line}:{col}: rule "rule-e": unit mismatch') for p in problems)
    # inside a plain when: the column of the unknown name
    line, col = locate(a, "foo > 1")
    assert any(p.startswith(f'{a}:{line}:{col}: rule "rule-f": unknown indic') for p in problems)
    line, col = locate(a, "bar(pmi)")
    assert any(p.startswith(f'{a}:{line}:{col}: rule "rule-h": unknown func') for p in problems)
    line, col = locate(broken["c"], ": yaml")
    assert any(p.startswith(f"{broken['c']}:{line}:{col}: YAML syntax") for p in problems)


def test_a_bad_file_never_half_loads(
    broken: dict[str, Path], infos: dict[str, IndicatorInfo]
) -> None:
    good = write(broken["a"].parent, "good.yml", STAGE_TWO)
    assert len(load_rules([good], infos).rules) == 2
    with pytest.raises(RuleFileError) as info:
        load_rules([good, broken["c"]], infos)
    assert len(info.value.problems) == 1
    with pytest.raises(RuleFileError):
        load_rules([good, broken["a"]], infos)


def test_empty_folder_is_an_error(tmp_path: Path, infos: dict[str, IndicatorInfo]) -> None:
    with pytest.raises(RuleFileError, match="no rule files found"):
        load_rules([tmp_path], infos)


def test_duplicate_id_column(broken: dict[str, Path], infos: dict[str, IndicatorInfo]) -> None:
    problems = problems_of([broken["a"], broken["b"]], infos)
    duplicate = next(p for p in problems if "duplicate id" in p)
    key_line, key_col = locate(broken["b"], "id: rule-a")
    value_col = key_col + len("id: ")
    assert duplicate.startswith(f"{broken['b']}:{key_line}:")
    assert int(duplicate.split(":")[2]) in (key_col, value_col)


def test_duplicate_id_reported_even_if_first_definition_is_bad(
    tmp_path: Path, infos: dict[str, IndicatorInfo]
) -> None:
    write(
        tmp_path,
        "one.yaml",
        """
        stage: 1
        rules:
          - id: same
            title: bad severity
            indicator: pmi
            when: value < 50
            severity: urgent
        """,
    )
    write(
        tmp_path,
        "two.yaml",
        """
        stage: 2
        rules:
          - id: same
            title: fine
            indicator: pmi
            when: value < 50
            severity: info
        """,
    )
    problems = problems_of([tmp_path], infos)
    assert any("severity must be" in p for p in problems)
    assert any("duplicate id" in p for p in problems)


@pytest.mark.parametrize("style", ["|", ">"])
def test_expression_error_position_in_block_scalar(
    style: str, tmp_path: Path, infos: dict[str, IndicatorInfo]
) -> None:
    path = write(
        tmp_path,
        "block.yaml",
        f"""
        stage: 1
        rules:
          - id: block
            title: block scalar
            indicator: pmi
            when: {style}
              value < 40 and
              foo > 1
            severity: info
        """,
    )
    (problem,) = problems_of([path], infos)
    line, col = locate(path, "foo > 1")
    assert problem.startswith(f'{path}:{line}:{col}: rule "block": unknown indicator')


# --------------------------------------------------------------------------
# stages and activation
# --------------------------------------------------------------------------


def test_rule_without_stage_in_file_without_stage(
    tmp_path: Path, infos: dict[str, IndicatorInfo]
) -> None:
    path = write(
        tmp_path,
        "nostage.yaml",
        """
        title: No stage anywhere
        rules:
          - id: staged
            title: has its own stage
            stage: 0
            indicator: pmi
            when: value < 50
            severity: info
          - id: unstaged
            title: has none
            indicator: pmi
            when: value < 50
            severity: info
        """,
    )
    (problem,) = problems_of([path], infos)
    line, col = locate(path, "id: unstaged")
    assert problem == (
        f"{path}:{line}:{col}: rule \"unstaged\": missing key 'stage' (and the file sets no stage)"
    )


def test_rule_inherits_file_stage_and_counter(
    tmp_path: Path, infos: dict[str, IndicatorInfo]
) -> None:
    path = write(
        tmp_path,
        "staged.yaml",
        """
        stage: 2
        counter: true
        rules:
          - id: inherits
            title: inherits stage and counter
            indicator: pmi
            when: value > 55
            severity: watch
            for: 2mo
            keep_firing_for: 90d
            weight: 2
          - id: overrides
            title: own stage
            stage: 0
            counter: false
            indicator: pmi
            when: value > 60
            severity: critical
        """,
    )
    rules = load_rules([path], infos).by_id()
    assert (rules["inherits"].stage, rules["inherits"].counter) == (2, True)
    assert (rules["overrides"].stage, rules["overrides"].counter) == (0, False)
    assert rules["inherits"].for_ == Duration(2, "mo")
    assert rules["inherits"].keep_firing_for == Duration(90, "d")
    assert rules["inherits"].weight == 2.0
    assert rules["overrides"].for_.is_zero()
    assert rules["inherits"].line == locate(path, "id: inherits")[0]


def test_activate_min_firing(tmp_path: Path, infos: dict[str, IndicatorInfo]) -> None:
    path = write(
        tmp_path,
        "three.yaml",
        """
        stage: 3
        title: Crash
        activate: {min_firing: 2}
        rules:
          - id: one
            title: one
            indicator: pmi
            when: value < 40
            severity: critical
        """,
    )
    ruleset = load_rules([path], infos)
    activation = ruleset.activations[3]
    assert activation.min_firing == 2
    assert activation.when is None
    assert activation.describe() == "at least 2 firing rule(s)"
    assert ruleset.titles == {3: "Crash"}
    # stages without a declaration default to one firing rule
    assert ruleset.activations[1].min_firing == 1
    assert ruleset.activations[2].min_firing == 1


def test_activate_when(tmp_path: Path, infos: dict[str, IndicatorInfo]) -> None:
    path = write(
        tmp_path,
        "one.yaml",
        """
        stage: 1
        activate:
          when: rate-hikes and (pmi-low or not spreads_wide)
        rules:
          - id: rate-hikes
            title: hikes
            indicator: policy_rate
            when: change(12mo) >= 100bp
            severity: warning
          - id: pmi-low
            title: pmi
            indicator: pmi
            when: value < 50
            severity: warning
          - id: spreads_wide
            title: spreads
            indicator: credit_spread
            when: change(12mo) >= 1pp
            severity: warning
        """,
    )
    activation = load_rules([path], infos).activations[1]
    assert activation.when == "rate-hikes and (pmi-low or not spreads_wide)"
    assert activation.evaluate is not None
    table = pd.DataFrame(
        {
            "rate-hikes": [True, True, True, False],
            "pmi-low": [True, False, False, True],
            "spreads_wide": [True, True, False, False],
        }
    )
    assert activation.evaluate(table).tolist() == [True, False, True, False]


@pytest.mark.parametrize(
    ("activate", "needle", "message"),
    [
        ("{min_firing: 0}", "0}", "min_firing must be a whole number >= 1 (got 0)"),
        ("{min_firing: two}", "two", "min_firing must be a whole number >= 1 (got 'two')"),
        ("{when: one and nobody}", "nobody", "unknown rule id 'nobody'"),
        ('{when: "one and"}', '"one and"', "unexpected end of expression"),
        ("{min_firing: 1, when: one}", "{min_firing", "activate must be {min_firing: N}"),
        ("{quorum: 1}", "quorum", "unknown key 'quorum'"),
    ],
)
def test_bad_activation(
    activate: str, needle: str, message: str, tmp_path: Path, infos: dict[str, IndicatorInfo]
) -> None:
    path = write(
        tmp_path,
        "act.yaml",
        f"""
        stage: 2
        activate: {activate}
        rules:
          - id: one
            title: one
            indicator: pmi
            when: value < 40
            severity: info
        """,
    )
    problems = problems_of([path], infos)
    assert len(problems) == 1, problems
    line, col = locate(path, needle)
    assert line == 2
    if "end of expression" in message:
        col += len('"one and') - 1 + 1  # just after "and", inside the quotes
    assert problems[0].startswith(f"{path}:{line}:{col}: {message}"), problems[0]


def test_activation_needs_a_file_stage(tmp_path: Path, infos: dict[str, IndicatorInfo]) -> None:
    path = write(
        tmp_path,
        "zero.yaml",
        """
        stage: 0
        activate: {min_firing: 1}
        rules:
          - id: one
            title: one
            indicator: pmi
            when: value < 40
            severity: info
        """,
    )
    (problem,) = problems_of([path], infos)
    assert problem == f"{path}:2:11: 'activate' needs a file-level stage of 1, 2 or 3"


def test_two_files_activating_the_same_stage(
    tmp_path: Path, infos: dict[str, IndicatorInfo]
) -> None:
    for name, rule_id in (("x.yaml", "x"), ("y.yaml", "y")):
        write(
            tmp_path,
            name,
            f"""
            stage: 2
            activate: {{min_firing: 1}}
            rules:
              - id: {rule_id}
                title: t
                indicator: pmi
                when: value < 40
                severity: info
            """,
        )
    (problem,) = problems_of([tmp_path], infos)
    assert problem.startswith(f"{tmp_path / 'y.yaml'}:1:1: stage 2 activation is already")


# --------------------------------------------------------------------------
# other rule-level checks
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "needle", "message"),
    [
        ("id: Bad_ID", "Bad_ID", "id must be lower-case letters, digits, '-' or '_'"),
        ("stage: 7", "7", "stage must be one of 0, 1, 2, 3 (got 7)"),
        ("weight: -1", "-1", "weight must be a number > 0"),
        ("counter: yes please", "yes please", "counter must be true or false"),
        ("keep_firing_for: soon", "soon", "invalid duration 'soon'"),
        ("entities: LU", "LU", "entities must be a list of entity ids"),
        ("references: 3", "3", "references must be a list of text"),
        ("precedent: 2000", "2000", "precedent must be a mapping"),
    ],
)
def test_rule_field_checks(
    line: str, needle: str, message: str, tmp_path: Path, infos: dict[str, IndicatorInfo]
) -> None:
    key = line.split(":")[0]
    body = {
        "id": "ok-rule",
        "title": "t",
        "indicator": "pmi",
        "when": "value < 40",
        "severity": "info",
    }
    lines = [f"    {k}: {v}" for k, v in body.items() if k != key]
    text = "stage: 1\nrules:\n  - " + "\n".join(lines).lstrip() + f"\n    {line}\n"
    path = tmp_path / "fields.yaml"
    path.write_text(text, encoding="utf-8")
    problems = problems_of([path], infos)
    assert len(problems) == 1, problems
    where = locate(path, f"{key}: {needle}")
    col = where[1] + len(f"{key}: ")
    assert problems[0].startswith(f"{path}:{where[0]}:{col}:"), problems[0]
    assert message in problems[0]


def test_several_mistakes_in_one_rule_are_all_reported(
    tmp_path: Path, infos: dict[str, IndicatorInfo]
) -> None:
    path = write(
        tmp_path,
        "many.yaml",
        """
        stage: 1
        rules:
          - id: many
            title: many mistakes
            indicator: pmi
            when: value < 40 and
            severity: urgent
            for: 3 months
            counter: maybe
            weight: 0
        """,
    )
    problems = problems_of([path], infos)
    expected = [
        (locate(path, "value < 40"), "unexpected end of expression"),
        (locate(path, "urgent"), "severity must be one of"),
        (locate(path, "3 months"), "invalid duration '3 months'"),
        (locate(path, "maybe"), "counter must be true or false"),
        (locate(path, "0", occurrence=2), "weight must be a number > 0"),
    ]
    # the end of "value < 40 and" is one column past its last character
    (line, col), message = expected[0]
    expected[0] = ((line, col + len("value < 40 and")), message)
    assert len(problems) == len(expected), problems
    for problem, ((line, col), message) in zip(problems, expected, strict=True):
        assert problem.startswith(f'{path}:{line}:{col}: rule "many": {message}'), problem


def test_missing_required_keys(tmp_path: Path, infos: dict[str, IndicatorInfo]) -> None:
    path = write(
        tmp_path,
        "missing.yaml",
        """
        stage: 1
        rules:
          - id: bare
            indicator: pmi
        """,
    )
    problems = problems_of([path], infos)
    line, col = locate(path, "id: bare")
    assert problems == [
        f"{path}:{line}:{col}: rule \"bare\": missing key '{key}'"
        for key in ("title", "severity", "when")
    ]


@pytest.mark.parametrize(
    "text",
    ["- just\n- a list\n", "stage: 1\n", "stage: 1\nrules: {a: 1}\n", "stage: 1\nrules: [3]\n"],
)
def test_file_shape_errors(text: str, tmp_path: Path, infos: dict[str, IndicatorInfo]) -> None:
    path = tmp_path / "shape.yaml"
    path.write_text(text, encoding="utf-8")
    problems = problems_of([path], infos)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:")
