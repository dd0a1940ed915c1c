"""The rule-condition language: grammar, compiler, units, functions and evaluation.

Durations are tested with the core (tests/core/test_durations.py), stage activation
expressions with the rulebook (tests/rulebook/test_activation.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import monitor
import monitor.language.functions  # noqa: F401 - imported now, so no import runs under the traps below
from monitor.core.errors import ExpressionError
from monitor.engine.context import EvaluationContext
from monitor.language.compiler import (
    CompiledCondition,
    IndicatorInfo,
    compile_condition,
)
from monitor.language.functions import FUNCTIONS
from monitor.language.windows import evaluation_grid
from monitor.rulebook.activation import compile_activation

INDICATORS = {
    "pmi": IndicatorInfo("index"),
    "policy_rate": IndicatorInfo("%"),
    "capex": IndicatorInfo("$bn"),
    "payroll": IndicatorInfo("k persons"),
    "multiple": IndicatorInfo("x"),
    "warnings": IndicatorInfo("count", "event"),
    "writedowns": IndicatorInfo("$bn", "event"),
}


def compile_ok(text: str, primary: str | None = "pmi") -> CompiledCondition:
    result = compile_condition(text, primary, INDICATORS)
    assert isinstance(result, CompiledCondition)
    return result


def compile_error(text: str, primary: str | None = "pmi") -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        compile_condition(text, primary, INDICATORS)
    return info.value


# --------------------------------------------------------------------------
# valid expressions
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "used"),
    [
        ("pmi < 50", {"pmi"}),
        ("value < 50", {"pmi"}),
        ("pmi >= 50", {"pmi"}),
        ("pmi <= 50", {"pmi"}),
        ("pmi == 50", {"pmi"}),
        ("pmi != 50", {"pmi"}),
        ("pmi > 50", {"pmi"}),
        ("50 > pmi", {"pmi"}),
        ("pmi < 50 and policy_rate > 5", {"pmi", "policy_rate"}),
        ("pmi < 50 or policy_rate > 5", {"pmi", "policy_rate"}),
        ("not pmi < 50", {"pmi"}),
        ("not (pmi < 50 or policy_rate > 5%) and capex >= 2bn", {"pmi", "policy_rate", "capex"}),
        ("pmi * 2 - 10 > 90 / 3 + 1", {"pmi"}),
        ("-pmi < -50", {"pmi"}),
        ("(pmi + pmi) / 2 > 50", {"pmi"}),
        ("policy_rate > 5%", {"policy_rate"}),
        ("policy_rate > 5pp", {"policy_rate"}),
        ("change(policy_rate, 12mo) >= 100bp", {"policy_rate"}),
        ("capex > 5bn", {"capex"}),
        ("capex > 500m", {"capex"}),
        ("capex < 1tn", {"capex"}),
        ("payroll < 100k", {"payroll"}),
        ("multiple >= 1.5x", {"multiple"}),
        ("pmi > 1e1", {"pmi"}),
        ("pmi\n  < 50\nand policy_rate > 1", {"pmi", "policy_rate"}),
    ],
)
def test_valid_expressions_compile(text: str, used: set[str]) -> None:
    condition = compile_ok(text)
    assert condition.indicators == used
    assert condition.text == text


@pytest.mark.parametrize("window", ["12mo", "1y", "4q", "90d", "2w", "1.5mo"])
def test_durations_are_accepted_as_windows(window: str) -> None:
    compile_ok(f"change(pmi, {window}) > 1")
    compile_ok(f"count(warnings, {window}) >= 1")


def test_every_whitelisted_function_compiles() -> None:
    examples = {
        "change": "change(pmi, 12mo) < -5",
        "pct_change": "pct_change(capex, 1y) < -10%",
        "drawdown": "drawdown(pmi) < -20%",
        "rolling_mean": "rolling_mean(policy_rate, 6mo) > 5%",
        "zscore": "zscore(pmi, 2y) < -2",
        "max": "max(pmi, 12mo) > 60",
        "min": "min(pmi, 4q) < 45",
        "abs": "abs(change(pmi, 3mo)) > 5",
        "count": "count(warnings, 12mo) >= 2",
        "sum": "sum(writedowns, 12mo) > 1bn",
        "months_since": "months_since(warnings) < 6",
    }
    assert set(examples) == set(FUNCTIONS), "a function was added without a test example"
    for name, text in examples.items():
        condition = compile_ok(text, primary=None)
        assert condition.indicators, name


@pytest.mark.parametrize(
    ("implicit", "explicit", "primary"),
    [
        ("change(12mo) > 1", "change(pmi, 12mo) > 1", "pmi"),
        ("pct_change(1y) > 1", "pct_change(pmi, 1y) > 1", "pmi"),
        ("drawdown() < -20", "drawdown(pmi) < -20", "pmi"),
        ("drawdown(90d) < -20", "drawdown(pmi, 90d) < -20", "pmi"),
        ("rolling_mean(6mo) > 1", "rolling_mean(pmi, 6mo) > 1", "pmi"),
        ("zscore(2y) > 2", "zscore(pmi, 2y) > 2", "pmi"),
        ("max(12mo) > 1", "max(pmi, 12mo) > 1", "pmi"),
        ("min(12mo) > 1", "min(pmi, 12mo) > 1", "pmi"),
        ("count(12mo) >= 2", "count(warnings, 12mo) >= 2", "warnings"),
        ("sum(12mo) >= 1bn", "sum(writedowns, 12mo) >= 1bn", "writedowns"),
        ("months_since() < 6", "months_since(warnings) < 6", "warnings"),
        ("count(value, 12mo) >= 2", "count(warnings, 12mo) >= 2", "warnings"),
    ],
)
def test_first_argument_defaults_to_the_rule_indicator(
    implicit: str, explicit: str, primary: str
) -> None:
    assert compile_ok(implicit, primary).indicators == {primary}
    assert compile_ok(explicit, None).indicators == {primary}


def test_implicit_argument_without_rule_indicator_is_an_error() -> None:
    error = compile_error("pmi > 1 and change(12mo) > 1", primary=None)
    assert (error.line, error.col) == (1, 13)
    assert "needs an indicator" in error.message
    error = compile_error("value > 1", primary=None)
    assert (error.line, error.col) == (1, 1)


def test_threshold_and_measure_for_reports() -> None:
    condition = compile_ok("change(policy_rate, 12mo) >= 100bp")
    assert condition.comparator == ">="
    assert condition.threshold == pytest.approx(1.0)  # 100 bp = 1 percentage point
    assert condition.measure is not None


@pytest.mark.parametrize(
    ("text", "threshold"),
    [
        ("capex > 500m", 0.5),  # series in $bn, literal in $m
        ("capex > 2bn", 2.0),
        ("capex > 1tn", 1000.0),
        ("policy_rate > 25bp", 0.25),
        ("policy_rate > 5bp + 1pp", 1.05),
        ("payroll > 100k", 100.0),
        ("-pmi < -50", -50.0),
    ],
)
def test_literal_is_rescaled_to_the_series_unit(text: str, threshold: float) -> None:
    assert compile_ok(text).threshold == pytest.approx(threshold)


# --------------------------------------------------------------------------
# errors with positions
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "col", "fragment"),
    [
        ("foo > 1", 1, 1, "unknown indicator 'foo'"),
        ("pmi > 50 and foo > 1", 1, 14, "unknown indicator 'foo'"),
        ("pmi > 50 and\n  foo > 1", 2, 3, "unknown indicator 'foo'"),
        ("bar(pmi) > 1", 1, 1, "unknown function 'bar'"),
        ("pmi < 50 or bar(pmi) > 1", 1, 13, "unknown function 'bar'"),
        ("print(pmi) > 1", 1, 1, "unknown function 'print'"),
        ("value.__class__ > 1", 1, 6, "unexpected character '.'"),
        ('__import__("os")', 1, 12, "unexpected character '\"'"),
        ("pmi.real > 1", 1, 4, "unexpected character '.'"),
        ("pmi[0] > 1", 1, 4, "unexpected character '['"),
        ("pmi @ 1 > 2", 1, 5, "unexpected character '@'"),
        ("Pmi > 1", 1, 1, "unexpected character 'P'"),
        ("pmi > 5bn", 1, 1, "unit mismatch"),
        ("pmi > 1 and\npolicy_rate > 5bn", 2, 1, "unit mismatch"),
        ("policy_rate + capex > 1", 1, 1, "unit mismatch"),
        ("count(warnings, 12mo) > 5bn", 1, 1, "unit mismatch"),
        ("warnings > 1", 1, 1, "event indicator"),
        ("pmi > 1 and warnings > 1", 1, 13, "event indicator"),
        ("change(warnings, 12mo) > 1", 1, 1, "event indicator"),
        ("count(pmi, 12mo) > 1", 1, 1, "level indicator"),
        ("pmi > 1 or count(pmi, 12mo) > 1", 1, 12, "level indicator"),
        ("months_since(pmi) > 1", 1, 1, "level indicator"),
        ("change(pmi) > 1", 1, 1, "needs a window"),
        ("pmi < 50 and max(pmi) > 1", 1, 14, "needs a window"),
        ("count(warnings) > 1", 1, 1, "needs a window"),
        ("months_since(warnings, 12mo) > 1", 1, 1, "takes no window"),
        ("change(pmi, 0mo) > 1", 1, 1, "longer than zero"),
        ("change(pmi, 12mo, 3) > 1", 1, 19, "too many arguments"),
        ("change(1, 12mo) > 1", 1, 8, "must be an indicator name"),
        ("abs(pmi, 12mo) > 1", 1, 1, "abs() takes one"),
        ("pmi > 50 )", 1, 10, "unexpected )"),
        ("pmi > 50 50", 1, 10, "unexpected 50"),
        ("pmi > 1 > 2", 1, 9, "unexpected >"),
        ("pmi > 50 and", 1, 13, "unexpected end of expression"),
        ("(pmi > 50", 1, 10, "unexpected end of expression"),
        ("pmi", 1, 1, "must be a comparison"),
        ("value", 1, 1, "must be a comparison"),
        ("change(pmi, 12mo)", 1, 1, "must be a comparison"),
        ("pmi > 50 and 3", 1, 14, "is not a condition"),
        ("not pmi", 1, 5, "is not a condition"),
        ("1 > 2", 1, 1, "two constants"),
        ("pmi > 1 and 2bn < 3bn", 1, 13, "two constants"),
        ("12mo > 1", 1, 1, "is a duration"),
        ("pmi > 12mo", 1, 7, "is a duration"),
        ("pmi > 1 / 0", 1, 7, "division by zero"),
        ("change > 1", 1, 1, "is a function"),
    ],
)
def test_errors_carry_line_and_column(text: str, line: int, col: int, fragment: str) -> None:
    error = compile_error(text)
    assert fragment in error.message
    assert (error.line, error.col) == (line, col)
    assert str(error) == error.message


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n"])
def test_empty_text_is_an_error(text: str) -> None:
    error = compile_error(text)
    assert "empty" in error.message
    assert (error.line, error.col) == (1, 1)


def test_non_text_is_an_error() -> None:
    with pytest.raises(ExpressionError, match="expected text"):
        compile_condition(42, "pmi", INDICATORS)  # type: ignore[arg-type]


def test_overlong_and_overnested_text_is_an_error() -> None:
    with pytest.raises(ExpressionError, match="longer than"):
        compile_condition("pmi > " + "1 + " * 600 + "1", "pmi", INDICATORS)
    with pytest.raises(ExpressionError, match="nested"):
        compile_condition("(" * 70 + "pmi > 1" + ")" * 70, "pmi", INDICATORS)
    with pytest.raises(ExpressionError, match="nested"):
        compile_condition("pmi > " + "-" * 1900 + "1", "pmi", INDICATORS)


def test_event_indicator_inside_abs_is_an_error() -> None:
    error = compile_error("abs(warnings) > 1", primary=None)
    assert "event indicator" in error.message


# --------------------------------------------------------------------------
# property test: any text either compiles or raises ExpressionError
# --------------------------------------------------------------------------

TOKENS = [
    *INDICATORS,
    *FUNCTIONS,
    "value",
    "foo",
    "__import__",
    "eval",
    "os",
    "0",
    "1",
    "2.5",
    "100",
    "1e3",
    "1e400",
    "12mo",
    "1y",
    "4q",
    "90d",
    "0d",
    "1.5mo",
    "%",
    "pp",
    "bp",
    "bn",
    "tn",
    "m",
    "k",
    "x",
    ">=",
    "<=",
    "==",
    "!=",
    ">",
    "<",
    "+",
    "-",
    "*",
    "/",
    "(",
    ")",
    ",",
    "and",
    "or",
    "not",
    ".",
    "[",
    "]",
    "'",
    '"',
    "\n",
    "\t",
    "@",
    "_",
]
token_lists = st.lists(st.sampled_from(TOKENS), max_size=20)
grammarish = token_lists.map(" ".join) | token_lists.map("".join)


def _compiles_or_expression_error(text: str, primary: str | None) -> None:
    try:
        result = compile_condition(text, primary, INDICATORS)
    except ExpressionError as error:
        assert isinstance(error.line, int) and isinstance(error.col, int)
        assert error.line >= 1 and error.col >= 1
    else:
        assert isinstance(result, CompiledCondition)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=60), primary=st.sampled_from([None, "pmi", "warnings"]))
def test_arbitrary_text_never_raises_anything_else(text: str, primary: str | None) -> None:
    _compiles_or_expression_error(text, primary)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=grammarish, primary=st.sampled_from([None, "pmi", "warnings", "capex"]))
def test_token_soup_never_raises_anything_else(text: str, primary: str | None) -> None:
    _compiles_or_expression_error(text, primary)


# --------------------------------------------------------------------------
# security
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "open > 1",
        "exec > 1",
        "__builtins__ > 1",
        "__import__ > 1",
        "eval(pmi) > 1",
        "exec(pmi) > 1",
        "getattr(pmi, pmi) > 1",
        "__import__(os) > 1",
        "globals() > 1",
        "compile(pmi) > 1",
        "pmi.__class__.__bases__ > 1",
        "pmi > 1; import os",
        "pmi > 1 if 1 else 2",
        "lambda: 1",
        "[x for x in pmi]",
        "'a' > 'b'",
    ],
)
def test_python_constructs_are_rejected(text: str) -> None:
    compile_error(text)


def test_compiling_and_running_never_executes_python(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    calls: list[str] = []

    def trap(name: str):  # type: ignore[no-untyped-def]
        def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
            calls.append(name)
            raise AssertionError(f"{name} called")

        return spy

    # warm up: build the parsers and import lazily imported modules before the traps
    compile_ok("change(pmi, 12mo) > 1")
    compile_activation("a", {"a"})
    monkeypatch.setattr(builtins, "eval", trap("eval"))
    monkeypatch.setattr(builtins, "exec", trap("exec"))
    monkeypatch.setattr(pd, "eval", trap("pandas.eval"))
    for text in ["__import__(os) > 1", "eval(pmi) > 1", "exec > 1", "open(pmi) > 1"]:
        compile_error(text)
    import sys

    had_this = "this" in sys.modules  # importing ``this`` would print the Zen of Python
    for text in ["this > 1", "this(pmi) > 1", "__import__(this) > 1"]:
        compile_error(text)
    assert ("this" in sys.modules) == had_this
    condition = compile_ok("pmi > 50 and change(12mo) > 1")
    ctx = EvaluationContext(
        evaluation_grid(pd.Timestamp("2020-01-01"), pd.Timestamp("2020-03-01")),
        {"pmi": level_frame("US", [("2020-01-01", 51, "2020-01-02")])},
    )
    condition.evaluate(ctx)
    assert calls == []


def test_no_eval_or_exec_in_monitor_source() -> None:
    pattern = re.compile(r"(?<![\w.])(eval|exec)\s*\(|\bpd\.eval\b|\bpandas\.eval\b|\.eval\s*\(")
    offenders = []
    root = Path(__file__).resolve().parents[2]
    sources = [
        p for folder in ("monitor", "indicators", "reports") for p in (root / folder).rglob("*.py")
    ]
    assert len(sources) > 60  # every room, not just the package's top level
    for path in sorted(sources):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if pattern.search(code) or re.search(r"\.query\s*\(", code):
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert offenders == []


def test_source_scan_would_catch_eval() -> None:
    pattern = re.compile(r"(?<![\w.])(eval|exec)\s*\(|\bpd\.eval\b|\bpandas\.eval\b|\.eval\s*\(")
    assert pattern.search("x = eval(text)")
    assert pattern.search("frame.eval('a > b')")
    assert pattern.search("pd.eval(expr)")
    assert not pattern.search("spec.loader.exec_module(module)")
    assert not pattern.search("from monitor.engine.timeline import evaluate")


# --------------------------------------------------------------------------
# evaluation on a hand-built context
# --------------------------------------------------------------------------


def level_frame(entity: str, rows: list[tuple[str, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "entity": [entity] * len(rows),
            "date": pd.to_datetime([r[0] for r in rows]).astype("datetime64[us]"),
            "value": [float(r[1]) for r in rows],
            "published": pd.to_datetime([r[2] for r in rows]).astype("datetime64[us]"),
        }
    )


T = pd.Timestamp
GRID = evaluation_grid(T("2020-01-01"), T("2021-12-31"))

# policy rate (macro, one column "US"): the June figure is only published mid-July
RATE = level_frame(
    "US",
    [
        ("2020-01-01", 1.0, "2020-01-01"),
        ("2020-06-30", 2.0, "2020-07-15"),
        ("2020-12-31", 3.5, "2021-01-20"),
        ("2021-03-31", 2.5, "2021-04-10"),
    ],
)
# a per-company level series
MARGIN = pd.concat(
    [
        level_frame("LU", [("2019-12-31", 5.0, "2020-01-01"), ("2020-12-31", 1.0, "2021-02-01")]),
        level_frame("NT", [("2019-12-31", 2.0, "2020-01-01"), ("2020-12-31", 4.0, "2021-02-01")]),
    ],
    ignore_index=True,
)
# events: dated before they are announced
WARNINGS = pd.concat(
    [
        level_frame(
            "LU",
            [
                ("2020-02-20", 1, "2020-03-01"),
                ("2020-08-25", 1, "2020-09-01"),
                ("2021-02-10", 1, "2021-02-15"),
            ],
        ),
        level_frame("NT", [("2020-04-20", 1, "2020-05-01")]),
    ],
    ignore_index=True,
)
WRITEDOWNS = level_frame(
    "LU", [("2020-03-31", 2.5, "2020-04-15"), ("2020-12-31", 4.0, "2021-01-25")]
)

EVAL_INDICATORS = {
    "rate": IndicatorInfo("%"),
    "margin": IndicatorInfo("%"),
    "warnings": IndicatorInfo("count", "event"),
    "writedowns": IndicatorInfo("$bn", "event"),
}


@pytest.fixture
def ctx() -> EvaluationContext:
    frames = {
        "rate": RATE,
        "margin": MARGIN,
        "warnings": WARNINGS,
        "writedowns": WRITEDOWNS,
    }
    return EvaluationContext(GRID, frames)


def measure(ctx: EvaluationContext, text: str, primary: str | None = None) -> pd.DataFrame:
    condition = compile_condition(text, primary, EVAL_INDICATORS)
    return condition.measured(ctx)


def at(frame: pd.DataFrame, day: str, column: str) -> float:
    return float(frame.loc[T(day), column])


def test_known_value_respects_publication_date(ctx: EvaluationContext) -> None:
    known = measure(ctx, "rate > -100")
    assert list(known.columns) == ["US"]
    assert at(known, "2020-01-01", "US") == 1.0
    # the June value (date 2020-06-30) is invisible until published on 15 July
    assert at(known, "2020-07-01", "US") == 1.0
    assert at(known, "2020-07-14", "US") == 1.0
    assert at(known, "2020-07-15", "US") == 2.0
    assert at(known, "2021-01-19", "US") == 2.0
    assert at(known, "2021-01-20", "US") == 3.5
    assert at(known, "2021-12-31", "US") == 2.5


def test_nothing_is_known_before_the_first_publication(ctx: EvaluationContext) -> None:
    margin = measure(ctx, "margin > 0")
    assert margin.loc[T("2020-01-01"), "LU"] == 5.0
    late = level_frame("US", [("2019-06-30", 7.0, "2020-02-01")])
    ctx2 = EvaluationContext(GRID, {"rate": late})
    known = measure(ctx2, "rate > 0")
    assert np.isnan(at(known, "2020-01-31", "US"))
    assert at(known, "2020-02-01", "US") == 7.0
    # a comparison on a missing value is false, not an error
    flags = compile_condition("rate > 0", None, EVAL_INDICATORS).evaluate(ctx2)
    assert not flags.loc[T("2020-01-31"), "US"]
    assert flags.loc[T("2020-02-01"), "US"]


def test_revised_period_uses_the_latest_vintage_published_by_then() -> None:
    frame = level_frame(
        "US", [("2020-03-31", 1.0, "2020-04-10"), ("2020-03-31", 1.4, "2020-06-01")]
    )
    ctx = EvaluationContext(GRID, {"rate": frame})
    known = measure(ctx, "rate > 0")
    assert at(known, "2020-05-31", "US") == 1.0
    assert at(known, "2020-06-01", "US") == 1.4


def test_change_over_calendar_months(ctx: EvaluationContext) -> None:
    change = measure(ctx, "change(rate, 12mo) > -100")
    # 2021-01-20: 3.5 known now, 1.0 known on 2020-01-20
    assert at(change, "2021-01-20", "US") == pytest.approx(3.5 - 1.0)
    # 2021-07-14: one year earlier the June 2020 value was not yet published
    assert at(change, "2021-07-14", "US") == pytest.approx(2.5 - 1.0)
    assert at(change, "2021-07-15", "US") == pytest.approx(2.5 - 2.0)
    # nothing known a year before the start of the data
    assert np.isnan(at(change, "2020-12-31", "US"))
    assert at(change, "2021-01-01", "US") == pytest.approx(2.0 - 1.0)


def test_implicit_argument_evaluates_like_the_explicit_one(ctx: EvaluationContext) -> None:
    implicit = measure(ctx, "change(6mo) > -100", primary="rate")
    explicit = measure(ctx, "change(rate, 6mo) > -100")
    pd.testing.assert_frame_equal(implicit, explicit)
    # 2021-01-20 minus six calendar months is 2020-07-20, when 2.0 was known
    assert at(implicit, "2021-01-20", "US") == pytest.approx(1.5)


def test_change_compares_in_basis_points(ctx: EvaluationContext) -> None:
    flags = compile_condition("change(rate, 12mo) >= 150bp", "rate", EVAL_INDICATORS).evaluate(ctx)
    assert flags.loc[T("2021-07-14"), "US"]  # +1.5 pp
    assert not flags.loc[T("2021-07-15"), "US"]  # +0.5 pp
    assert not flags.loc[T("2020-06-01"), "US"]  # no value a year earlier


def test_pct_change(ctx: EvaluationContext) -> None:
    pct = measure(ctx, "pct_change(rate, 12mo) > -100")
    assert at(pct, "2021-01-20", "US") == pytest.approx((3.5 / 1.0 - 1) * 100)
    assert at(pct, "2021-07-15", "US") == pytest.approx((2.5 / 2.0 - 1) * 100)


def test_drawdown_from_peak(ctx: EvaluationContext) -> None:
    ever = measure(ctx, "drawdown(rate) < 1")
    assert at(ever, "2021-04-09", "US") == pytest.approx(0.0)
    assert at(ever, "2021-04-10", "US") == pytest.approx((2.5 / 3.5 - 1) * 100)
    assert at(ever, "2021-12-31", "US") == pytest.approx((2.5 / 3.5 - 1) * 100)
    windowed = measure(ctx, "drawdown(rate, 30d) < 1")
    # 30 days after the 3.5 was last known (9 April) the peak leaves the window
    last_peak_day = T("2021-04-09")
    inside = last_peak_day + pd.Timedelta(days=29)
    outside = last_peak_day + pd.Timedelta(days=30)
    assert at(windowed, str(inside.date()), "US") == pytest.approx((2.5 / 3.5 - 1) * 100)
    assert at(windowed, str(outside.date()), "US") == pytest.approx(0.0)


def test_rolling_max_and_min(ctx: EvaluationContext) -> None:
    highest = measure(ctx, "max(rate, 6mo) > -100")
    days = round(6 * 30.4375)  # months as 30.44 days in rolling windows
    last_peak_day = T("2021-04-09")
    assert at(highest, "2021-03-01", "US") == 3.5
    in_window = last_peak_day + pd.Timedelta(days=days - 1)
    out_window = last_peak_day + pd.Timedelta(days=days)
    assert at(highest, str(in_window.date()), "US") == 3.5
    assert at(highest, str(out_window.date()), "US") == 2.5
    lowest = measure(ctx, "min(rate, 1y) > -100")
    assert at(lowest, "2021-06-01", "US") == 1.0  # 1.0 was known until 14 July 2020
    assert at(lowest, "2021-07-20", "US") == 2.0  # the window starts after that


def test_rolling_mean_is_time_weighted(ctx: EvaluationContext) -> None:
    mean = measure(ctx, "rolling_mean(rate, 30d) > -100")
    # on 2020-07-24 the 30-day window holds 20 days of 1.0 (25 Jun-14 Jul) and 10 of 2.0
    assert at(mean, "2020-07-24", "US") == pytest.approx((20 * 1.0 + 10 * 2.0) / 30)


def test_count_and_sum_of_events_by_publication(ctx: EvaluationContext) -> None:
    count = measure(ctx, "count(warnings, 12mo) >= 0")
    assert sorted(count.columns) == ["LU", "NT"]
    # dated 20 Feb, announced 1 Mar: not counted before the announcement
    assert at(count, "2020-02-29", "LU") == 0
    assert at(count, "2020-03-01", "LU") == 1
    assert at(count, "2021-02-15", "LU") == 3
    assert at(count, "2021-02-28", "LU") == 3
    # the window is (t - 12 months, t]: the 1 March 2020 warning drops out on 1 March 2021
    assert at(count, "2021-03-01", "LU") == 2
    assert at(count, "2020-04-30", "NT") == 0
    assert at(count, "2020-05-01", "NT") == 1
    assert at(count, "2021-05-01", "NT") == 0
    total = measure(ctx, "sum(writedowns, 12mo) >= 0bn")
    assert at(total, "2020-04-14", "LU") == 0
    assert at(total, "2021-01-25", "LU") == pytest.approx(6.5)
    assert at(total, "2021-04-15", "LU") == pytest.approx(4.0)


def test_months_since_last_event(ctx: EvaluationContext) -> None:
    since = measure(ctx, "months_since(warnings) >= 0")
    assert np.isnan(at(since, "2020-02-29", "LU"))
    assert at(since, "2020-03-01", "LU") == 0
    days = (T("2020-12-01") - T("2020-09-01")).days
    assert at(since, "2020-12-01", "LU") == pytest.approx(days / 30.4375)
    days = (T("2020-12-01") - T("2020-05-01")).days
    assert at(since, "2020-12-01", "NT") == pytest.approx(days / 30.4375)


def test_macro_column_broadcasts_across_entities(ctx: EvaluationContext) -> None:
    flags = compile_condition(
        "count(warnings, 12mo) >= 1 and rate >= 2", None, EVAL_INDICATORS
    ).evaluate(ctx)
    assert sorted(flags.columns) == ["LU", "NT"]
    # 2020-09-01: rate 2.0 known; LU and NT both warned within the year
    assert flags.loc[T("2020-09-01"), "LU"] and flags.loc[T("2020-09-01"), "NT"]
    # 2020-06-01: warnings yes, but the rate known then is still 1.0
    assert not flags.loc[T("2020-06-01")].any()
    # 2021-06-01: rate 2.5, LU warned in Sep 2020 and Feb 2021; NT's warning is too old
    assert flags.loc[T("2021-06-01"), "LU"]
    assert not flags.loc[T("2021-06-01"), "NT"]


def test_macro_series_broadcasts_in_arithmetic(ctx: EvaluationContext) -> None:
    spread = measure(ctx, "margin - rate > -100")
    assert sorted(spread.columns) == ["LU", "NT"]
    assert at(spread, "2020-08-01", "LU") == pytest.approx(5.0 - 2.0)
    assert at(spread, "2020-08-01", "NT") == pytest.approx(2.0 - 2.0)
    assert at(spread, "2021-03-01", "LU") == pytest.approx(1.0 - 3.5)
    assert at(spread, "2021-03-01", "NT") == pytest.approx(4.0 - 3.5)
    flags = compile_condition("margin > rate", None, EVAL_INDICATORS).evaluate(ctx)
    assert flags.loc[T("2021-03-01"), "NT"] and not flags.loc[T("2021-03-01"), "LU"]


def test_not_and_or_evaluate(ctx: EvaluationContext) -> None:
    both = compile_condition("not rate >= 2 or margin < 2", None, EVAL_INDICATORS).evaluate(ctx)
    # 2020-06-01: rate 1.0 -> "not rate >= 2" holds for everyone
    assert both.loc[T("2020-06-01")].all()
    # 2021-03-01: rate 3.5; only LU's margin (1.0) is below 2
    assert both.loc[T("2021-03-01"), "LU"] and not both.loc[T("2021-03-01"), "NT"]
