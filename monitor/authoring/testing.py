"""Running rule unit tests against the real evaluator.

Each test builds an observation frame from its input series (and optionally a bundled
case), loads the rule files under test with the real indicator registry, and runs
:func:`monitor.engine.timeline.evaluate` once over the whole date range. Expectations are then
read off the timeline, so a rule test exercises exactly what ``monitor run`` does.
A failure is reported as a diff per (rule, entity, date), never as a dump of frames.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from monitor.authoring.testfile import (
    ALERTING,
    AlertEval,
    RuleTest,
    RuleTestError,
    StageEval,
    parse_test_file,
)
from monitor.core.errors import MonitorError, RuleFileError
from monitor.core.plaindata import display_number
from monitor.data.case import load_case
from monitor.data.observations import COLUMNS, empty_frame
from monitor.engine.states import AlertState
from monitor.engine.timeline import Timeline, evaluate
from monitor.indicator.registry import Registry
from monitor.rulebook.loader import indicator_infos, load_rules
from monitor.rulebook.model import RuleSet


@dataclass
class TestResult:
    """One test's outcome: ``failures`` are diff lines, ``error`` a setup problem."""

    __test__ = False  # not a pytest class

    file: str
    name: str
    line: int
    failures: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures and self.error is None


@dataclass
class RunSummary:
    results: list[TestResult] = field(default_factory=list)
    rules: dict[str, str] = field(default_factory=dict)  # rule id -> file, under test
    covered: set[str] = field(default_factory=set)

    @property
    def uncovered(self) -> list[str]:
        return sorted(set(self.rules) - self.covered)

    @property
    def failed(self) -> list[TestResult]:
        return [r for r in self.results if not r.ok]


class _Cases:
    """Bundled cases are loaded once per run, however many tests use them."""

    def __init__(self) -> None:
        self.frames: dict[str, pd.DataFrame] = {}

    def get(self, name: str) -> pd.DataFrame:
        if name not in self.frames:
            self.frames[name] = load_case(name).observations[COLUMNS]
        return self.frames[name]


def observations(test: RuleTest, cases: _Cases) -> pd.DataFrame:
    """The test's observation frame: its case (if any) plus its input series."""
    parts = [cases.get(test.case)] if test.case else []
    if test.rows:
        rows = pd.DataFrame(test.rows, columns=COLUMNS)
        for column in ("date", "published"):
            rows[column] = pd.to_datetime(rows[column]).astype("datetime64[us]")
        rows["value"] = rows["value"].astype("float64")
        parts.append(rows)
    if not parts:
        return empty_frame()[COLUMNS]
    frame = pd.concat(parts, ignore_index=True)
    for column in ("series", "entity", "unit", "source"):
        frame[column] = frame[column].astype("str")
    return frame


def _state(timeline: Timeline, rule: str, entity: str, pos: int) -> tuple[str, float | None]:
    result = timeline.results[rule]
    states = result.table.states
    if entity not in states.columns or pos < 0:
        state = "inactive"
    else:
        state = AlertState(int(states[entity].iloc[pos])).label
    value = None
    if pos >= 0 and entity in result.measure.columns:
        raw = result.measure[entity].iloc[pos]
        value = None if pd.isna(raw) else float(raw)
    return state, value


def _describe(timeline: Timeline, rule: str, value: float | None) -> str:
    condition = timeline.results[rule].rule.condition
    unit = condition.measure.label if condition.measure is not None else ""
    shown = "no value" if value is None else f"value {display_number(value)}"
    shown += f" {unit}" if value is not None and unit else ""
    error = timeline.results[rule].error
    return f"{shown}; when: {condition.text}" + (f"; {error}" if error else "")


def check_alerts(timeline: Timeline, item: AlertEval, scope: list[str]) -> list[str]:
    """Diff lines for one alert_eval item: expected against actual state per rule/entity."""
    pos = timeline.position(item.at) if item.at >= timeline.grid[0] else -1
    rules = [item.rule] if item.rule else scope
    expected = {(a.rule, a.entity): a.state for a in item.alerts}
    actual: dict[tuple[str, str], str] = {}
    for rule in rules:
        if rule not in timeline.results or pos < 0:
            continue
        for entity in timeline.results[rule].table.states.columns:
            state, _ = _state(timeline, rule, str(entity), pos)
            if state in ALERTING and item.entity in (None, str(entity)):
                actual[(rule, str(entity))] = state
    lines = []
    day = item.at.date().isoformat()
    for rule, entity in sorted(set(expected) | set(actual)):
        if rule not in timeline.results:
            lines.append(f'at {day}: rule "{rule}" is not in the rule files under test')
            continue
        want = expected.get((rule, entity), "inactive")
        got, value = _state(timeline, rule, entity, pos)
        if (rule, entity) not in expected and got not in ALERTING:
            continue
        if want != got:
            lines.append(
                f'at {day}: rule "{rule}" entity "{entity}": expected {want}, actual {got}'
                f" ({_describe(timeline, rule, value)})"
            )
    return lines


def check_stage(timeline: Timeline, item: StageEval) -> list[str]:
    day = item.at.date().isoformat()
    if item.at < timeline.grid[0]:
        stage, active, firing = 0, [], []
    else:
        pos = timeline.position(item.at)
        stage = int(timeline.stage.iloc[pos])
        row = timeline.stage_active.iloc[pos]
        active = [int(s) for s in row.index if bool(row[s])]
        firing = [str(r) for r in timeline.firing.columns if bool(timeline.firing[r].iloc[pos])]
    context = f"active stages: {active or 'none'}; firing: {', '.join(firing) or 'none'}"
    lines = []
    if item.stage is not None and item.stage != stage:
        lines.append(f"at {day}: stage: expected {item.stage}, actual {stage} ({context})")
    if item.active is not None and item.active != active:
        lines.append(
            f"at {day}: active stages: expected {item.active}, actual {active} ({context})"
        )
    return lines


def run_test(
    test: RuleTest, ruleset: RuleSet, registry: Registry, cases: _Cases, file: str
) -> TestResult:
    started = time.perf_counter()
    result = TestResult(file, test.name, test.line)
    try:
        frame = observations(test, cases)
        dates = [i.at for i in test.alert_eval] + [i.at for i in test.stage_eval]
        end = max(dates)
        first = frame["published"].min() if not frame.empty else end
        start = min(min(dates), first)
        timeline = evaluate(frame, ruleset, registry, end=end, start=start)
    except Exception as exc:  # noqa: BLE001 - one broken test must not stop the others
        kind = "" if isinstance(exc, MonitorError | ValueError) else f"{type(exc).__name__}: "
        result.error = f"cannot evaluate: {kind}{exc}"
        return result
    scope = [r.id for r in ruleset.rules]
    for item in test.alert_eval:
        result.failures += check_alerts(timeline, item, scope)
    for stage_item in test.stage_eval:
        result.failures += check_stage(timeline, stage_item)
    for name, message in sorted(timeline.indicator_errors.items()):
        result.failures.append(f"indicator {name!r} failed: {message}")
    result.seconds = time.perf_counter() - started
    return result


def run_tests(paths: list[Path], registry: Registry, pattern: str | None = None) -> RunSummary:
    """Run every test in the given test files; problems become errored results."""
    summary = RunSummary()
    cases = _Cases()
    infos = indicator_infos(registry)
    matcher = re.compile(pattern) if pattern else None
    for path in paths:
        try:
            parsed = parse_test_file(path)
            ruleset = load_rules(parsed.rule_paths, infos)
        except (RuleTestError, RuleFileError) as exc:
            summary.results.append(
                TestResult(str(path), "(file)", 1, error="\n".join(exc.problems))
            )
            continue
        known = {r.id for r in ruleset.rules}
        summary.rules.update({r.id: r.file for r in ruleset.rules})
        for test in parsed.tests:
            if matcher and not matcher.search(test.name):
                continue
            unknown = sorted(test.named_rules() - known)
            if unknown:
                message = f"{path}:{test.line}: unknown rule(s) {', '.join(unknown)}"
                summary.results.append(TestResult(str(path), test.name, test.line, error=message))
                continue
            summary.covered |= test.named_rules()
            summary.results.append(run_test(test, ruleset, registry, cases, str(path)))
    return summary


def junit_xml(summary: RunSummary) -> str:
    """JUnit XML (one suite per test file) for CI systems that render test results."""
    root = ET.Element("testsuites", name="monitor rules test")
    suites: dict[str, Any] = {}
    for result in summary.results:
        suite = suites.get(result.file)
        if suite is None:
            suite = suites[result.file] = ET.SubElement(root, "testsuite", name=result.file)
        case = ET.SubElement(
            suite,
            "testcase",
            classname=Path(result.file).name,
            name=result.name,
            time=f"{result.seconds:.3f}",
        )
        if result.error:
            ET.SubElement(case, "error", message=result.error.splitlines()[0]).text = result.error
        elif result.failures:
            failure = ET.SubElement(case, "failure", message=result.failures[0])
            failure.text = "\n".join(result.failures)
    for element in [root, *suites.values()]:
        cases = element.iter("testcase")
        items = list(cases)
        element.set("tests", str(len(items)))
        element.set("failures", str(sum(1 for c in items if c.find("failure") is not None)))
        element.set("errors", str(sum(1 for c in items if c.find("error") is not None)))
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
