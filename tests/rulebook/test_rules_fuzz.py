"""Fuzzing the rule-file loader: any input loads or raises RuleFileError with positions.

Never another exception, never code execution, never a hang: a scheduled daemon reloads
rule files that people edit by hand, so the loader is an input boundary.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from monitor.core.errors import RuleFileError
from monitor.indicator.registry import load_registry
from monitor.rulebook.loader import bundled_rules_dir, load_rules
from monitor.rulebook.loader import indicator_infos as infos_of
from monitor.rulebook.model import FILE_KEYS, RULE_KEYS, RuleSet

INFOS = infos_of(load_registry())
POSITIONED = re.compile(r"^.+:\d+:\d+: ")
BUNDLED = {
    p.name: p.read_text(encoding="utf-8") for p in sorted(bundled_rules_dir().glob("*.yaml"))
}
WORKDIR = Path(tempfile.mkdtemp(prefix="rules-fuzz-"))
FUZZ = settings(
    max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", "60")),
    deadline=5000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def load_text(text: str) -> RuleSet | None:
    path = WORKDIR / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        return load_rules([path], INFOS)
    except RuleFileError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert POSITIONED.match(problem), problem
        return None


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            "value >= 1",
            "change(12mo) >= 100bp",
            "count(12mo) >= 1",
            "12mo",
            "0d",
            "warning",
            "policy_rate",
            "pmi",
            "profit_warnings",
            "x",
            "",
            "2000-05-16",
            "((",
            "value >= 2bn",
            "a and (b or not c)",
            "max(80y) > 1",
            "abs()",
            "info",
            "-1",
            "1e999",
        ]
    ),
    st.text(max_size=12),
)
keys = st.sampled_from(sorted(RULE_KEYS | FILE_KEYS | {"min_firing", "when", "date", "bogus"}))
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=6)),
    max_leaves=25,
)
rule = st.dictionaries(keys, documents, max_size=8)
rule_files = st.fixed_dictionaries(
    {"rules": st.lists(rule, max_size=4)},
    optional={"stage": scalars, "activate": documents, "title": scalars, "counter": scalars},
)


def dump(document: object) -> str:
    import io

    stream = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.dump(document, stream)
    return stream.getvalue()


@FUZZ
@given(rule_files)
def test_structured_documents_load_or_fail_with_positions(document):
    load_text(dump(document))


@FUZZ
@given(documents)
def test_any_yaml_value_loads_or_fails_with_positions(document):
    load_text(dump(document))


TOKENS = [
    "\n",
    " ",
    "  ",
    "- ",
    ": ",
    "{",
    "}",
    "[",
    "]",
    "'",
    '"',
    "#",
    "&a ",
    "*a",
    "!!",
    "|",
    ">",
    "---",
    "...",
    "rules",
    "id",
    "when",
    "stage",
    "%",
    "@",
    "`",
    "\t",
    "\\",
    ",",
    "?",
    "!!python/object/apply:os.system",
    "value >= ",
    "1",
    "x",
    "é",
    "\x00",
]


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
def test_yaml_ish_text_loads_or_fails_with_positions(text):
    load_text(text)


@FUZZ
@given(
    st.sampled_from(sorted(BUNDLED)),
    st.lists(
        st.tuples(
            st.sampled_from(["delete", "insert", "duplicate", "swap"]),
            st.floats(0, 1),
            st.floats(0, 1),
            st.lists(st.sampled_from(TOKENS[:-1]), max_size=3).map("".join),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_mutated_bundled_rule_files_load_or_fail_with_positions(name, mutations):
    text = BUNDLED[name]
    for kind, a, b, insert in mutations:
        i, j = sorted((int(a * len(text)), int(b * len(text))))
        if kind == "delete":
            text = text[:i] + text[min(j, i + 40) :]
        elif kind == "insert":
            text = text[:i] + insert + text[i:]
        else:
            lines = text.splitlines(keepends=True)
            x, y = int(a * (len(lines) - 1)), int(b * (len(lines) - 1))
            if kind == "duplicate":
                lines.insert(x, lines[x])
            else:
                lines[x], lines[y] = lines[y], lines[x]
            text = "".join(lines)
    load_text(text)


@pytest.mark.parametrize(
    "payload",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/apply:subprocess.check_call [['touch', '{marker}']]",
        "!!python/name:os.system",
    ],
)
def test_yaml_tags_never_run_code(payload, tmp_path):
    marker = tmp_path / "pwned"
    text = (
        "stage: 1\nrules:\n  - id: evil\n    title: t\n    severity: info\n"
        f"    indicator: pmi\n    when: {payload.format(marker=marker)}\n"
    )
    assert load_text(text) is None
    assert not marker.exists()


def test_expression_never_reaches_eval(tmp_path):
    marker = tmp_path / "pwned"
    for when in (
        f"__import__('os').system('touch {marker}') > 0",
        "value.__class__ > 1",
        "pmi[0] > 1",
        "open('x') > 1",
        "lambda: 1",
    ):
        text = (
            "stage: 1\nrules:\n  - id: evil\n    title: t\n    severity: info\n"
            f'    indicator: pmi\n    when: "{when}"\n'
        )
        assert load_text(text) is None
    assert not marker.exists()


def test_pathological_nesting_and_length_fail_fast():
    for when in ["(" * 5000 + "value" + ")" * 5000 + " > 1", "value > 1 and " * 400 + "value > 1"]:
        text = (
            "stage: 1\nrules:\n  - id: deep\n    title: t\n    severity: info\n"
            f'    indicator: pmi\n    when: "{when}"\n'
        )
        assert load_text(text) is None
    aliases = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    assert load_text(aliases + "rules: [*i]\n") is None  # billion laughs: no blow-up
