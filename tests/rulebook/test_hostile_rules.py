"""Hostile rule files: every one is refused with file:line:col, quickly and in bounded memory.

The corpus in tests/hostile/rules/ holds the files that hung, crashed or passed when
they should not have (issue 14, items 1, 2, 4, 11). Each is checked by the real
``monitor rules check`` in a subprocess under a 500 MB address-space limit: an alias
bomb that expands in memory dies there instead of taking the machine.
"""

from __future__ import annotations

import math
import re
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.core.errors import RuleFileError, YamlSyntaxError
from monitor.core.yamlio import MAX_DEPTH, load_text, plain, short
from monitor.indicator.registry import load_registry
from monitor.rulebook.loader import check_rules, indicator_infos, load_rules

CORPUS = Path(__file__).parent.parent / "hostile" / "rules"
MEMORY_LIMIT = 500 * 2**20
POSITIONED = re.compile(r"^\S+\.yaml:\d+:\d+: ", re.M)
INFOS = indicator_infos(load_registry())
WORKDIR = Path(tempfile.mkdtemp(prefix="hostile-rules-"))  # hypothesis reuses one file

RULE = """\
rules:
  - id: r1
    title: t
    stage: 1
    indicator: customer_concentration
    when: value >= 35
    severity: warning
"""


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.yaml")), ids=lambda p: p.name)
def test_rules_check_refuses_every_corpus_file_in_bounded_memory(path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "rules", "check", "--no-context", str(path)],
        preexec_fn=_limit_memory,
        capture_output=True,
        text=True,
        timeout=180,  # generous: each file is refused in well under a second
        cwd=path.parent,
    )
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert POSITIONED.search(result.stdout), result.stdout[-2000:]
    assert len(result.stdout) < 20_000  # never the expanded value


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    return [str(p) for p in check_rules([path], INFOS).problems if not p.warning]


def _bomb(levels: int = 9) -> str:
    lines = ["x0: &x0 [lol,lol,lol,lol,lol,lol,lol,lol,lol,lol]"]
    lines += [f"x{i}: &x{i} [" + ",".join([f"*x{i - 1}"] * 10) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_at_load_with_its_position() -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        load_text(_bomb() + "title: *x8\n", "bomb.yaml")
    # the ninth anchor (line 7, 1-based) is where 10**7 expanded items pass the bound
    assert str(caught.value.position).startswith("bomb.yaml:")
    assert "alias" in caught.value.message


def test_plain_anchors_for_reuse_stay_allowed() -> None:
    doc = load_text("base: &b {unit: pct, source: FRED}\na: *b\nb: *b\nc: *b\n", "ok.yaml")
    assert plain(doc)["c"] == {"unit": "pct", "source": "FRED"}


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(YamlSyntaxError, match="refers to itself"):
        load_text("a: &a [1, *a]\n", "rec.yaml")


def test_nesting_past_the_bound_is_a_clean_error_not_recursion() -> None:
    with pytest.raises(YamlSyntaxError, match="nested deeper") as caught:
        load_text("a: " + "[" * 400 + "]" * 400, "deep.yaml")
    assert caught.value.position.line == 1
    load_text("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1), "ok.yaml")


def test_short_bounds_ruamel_containers() -> None:
    doc = load_text("a: [" + ",".join(["word"] * 5000) + "]\n", "big.yaml")
    assert len(short(doc["a"])) < 200
    assert short(10**400).endswith("-bit integer>")


@pytest.mark.parametrize(
    ("extra", "line", "col"),
    [
        ("    weight: .nan\n", 8, 13),
        ("    weight: .inf\n", 8, 13),
        ("    weight: 1e999\n", 8, 13),
        ("    weight: " + "9" * 400 + "\n", 8, 13),
        ("    precedent: {date: 1999-09-30, value: .nan}\n", 8, 42),
    ],
)
def test_non_finite_numbers_are_refused_where_written(
    tmp_path: Path, extra: str, line: int, col: int
) -> None:
    problems = _problems(tmp_path, RULE + extra)
    assert problems and problems[0].startswith(f"{tmp_path / 'r.yaml'}:{line}:{col}: ")
    assert "finite" in problems[0]


def test_literal_past_float_range_does_not_compile(tmp_path: Path) -> None:
    problems = _problems(tmp_path, RULE.replace("value >= 35", "value > 1e309"))
    assert len(problems) == 1 and ":6:19: " in problems[0] and "out of range" in problems[0]


def test_id_with_trailing_newline_is_refused(tmp_path: Path) -> None:
    text = RULE.replace("id: r1", 'id: "r1\\n"') + RULE[len("rules:\n") :]
    problems = _problems(tmp_path, text)
    assert len(problems) == 1 and ":2:9: " in problems[0] and "id must be" in problems[0]
    assert "\n" not in problems[0]  # the label is shown escaped


def test_a_sane_weight_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(RULE + "    weight: 2.5\n", encoding="utf-8")
    assert load_rules([path], INFOS).rules[0].weight == 2.5


@settings(max_examples=60, deadline=5000)
@given(
    st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=-(10**500), max_value=10**500),
    )
)
def test_any_weight_loads_finite_or_is_refused(weight: float | int) -> None:
    text = RULE + f"    weight: {_yaml_number(weight)}\n"
    path = WORKDIR / "generated-weight.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        rules = load_rules([path], INFOS)
    except RuleFileError as exc:
        assert all(POSITIONED.match(p) for p in exc.problems)
        return
    assert math.isfinite(rules.rules[0].weight) and 0 < rules.rules[0].weight <= 1e15


def _yaml_number(value: float | int) -> str:
    if isinstance(value, float) and math.isnan(value):
        return ".nan"
    if isinstance(value, float) and math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    return repr(value)


@settings(max_examples=40, deadline=10_000)
@given(st.integers(min_value=1, max_value=12), st.integers(min_value=2, max_value=12))
def test_any_alias_fan_out_loads_bounded_or_is_refused(levels: int, fan: int) -> None:
    lines = ["x0: &x0 [" + ",".join(["lol"] * fan) + "]"]
    lines += [f"x{i}: &x{i} [" + ",".join([f"*x{i - 1}"] * fan) + "]" for i in range(1, levels)]
    try:
        doc = load_text("\n".join(lines) + "\n", "fan.yaml")
    except YamlSyntaxError as exc:
        assert "alias" in exc.message
        return
    assert len(str(plain(doc))) < 20_000_000
