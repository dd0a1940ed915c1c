"""Rule unit-test files: their format, the compact series notation, and the parser.

A test file (``rules/tests/*.test.yaml``) names the rule files it tests and lists
tests, each with input series, evaluation dates and the expected alert states and
stages, in the spirit of ``promtool test rules``. Parsing is strict, like rule files:
every mistake is reported at once as ``file:line:col: message`` so a typo in a test
cannot silently turn it into a test of nothing.

Compact values (``values: "4.75x5 5 5.25 _ 6+0.5x3"``), one token per period:

- ``a``: the value ``a``;
- ``axn``: ``a`` repeated ``n`` times (``n`` values, not ``n + 1`` as in promtool);
- ``a+bxn`` / ``a-bxn``: ``n`` values starting at ``a``, stepping by ``b``;
- ``_`` / ``_xn``: one / ``n`` periods without an observation (a gap stays a gap).

Values are dated ``start``, ``start + interval``, ...; a start on a month's last day
steps from month end to month end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from monitor.core.durations import Duration, parse_duration
from monitor.core.errors import RuleTestError, YamlSyntaxError
from monitor.core.yamlio import (
    Position,
    key_position,
    load_file,
    node_position,
    value_position,
)
from monitor.rulebook.model import short

STATES = ("inactive", "pending", "firing", "resolved")
ALERTING = ("pending", "firing")

TEST_FILE_KEYS = {
    "rule_files": "Rule files or folders under test, relative to the test file (required).",
    "description": "Free text.",
    "tests": "The list of tests (required).",
}
TEST_KEYS = {
    "name": "What the test shows (required); `--run PATTERN` matches it.",
    "case": "Start from a case's observations (`telecom-2000`, `ai-cycle` or a folder "
    "relative to the test file).",
    "interval": "Spacing of compact `values` (default 1mo); a series may override it.",
    "input_series": "Observation series fed to the indicators (list, see below).",
    "alert_eval": "Expected alert states at evaluation dates (list, see below).",
    "stage_eval": "Expected overall stage or active stages at dates (list, see below).",
}
SERIES_KEYS = {
    "series": "Observation series id, e.g. `fed_funds_target` (required).",
    "entity": "Entity id, e.g. `US` or `LU` (required).",
    "start": "Date of the first compact value.",
    "interval": "Spacing of the compact values (default: the test's `interval`).",
    "values": 'Compact values: `"4.75x5 5 5.25 _ 6+0.5x3"` or a list of numbers/null.',
    "points": "Explicit observations: a list of `{date, value, published}`.",
    "lag": "Publication lag of every value (default 0d: known on its date).",
    "unit": "Unit recorded on the rows (informational).",
}
ALERT_EVAL_KEYS = {
    "at": "Evaluation date (required).",
    "rule": "Only compare this rule (default: every rule under test).",
    "entity": "Only compare this entity (default: every entity).",
    "alerts": "Expected pending/firing alerts (required); `[]` means nothing may fire.",
}
ALERT_KEYS = {
    "rule": "Rule id (default: the item's `rule`).",
    "entity": "Entity id (default: the item's `entity`).",
    "state": "Expected state: firing (default), pending, resolved or inactive.",
}
STAGE_EVAL_KEYS = {
    "at": "Evaluation date (required).",
    "stage": "Expected overall stage, 0-3.",
    "active": "Expected list of active stages, e.g. `[1, 2]`.",
}

TOKEN = re.compile(
    r"^(?P<a>[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"
    r"(?:(?P<op>[+-])(?P<b>\d+(?:\.\d+)?))?(?:x(?P<n>\d+))?$"
)
GAP = re.compile(r"^_(?:x(?P<n>\d+))?$")
MAX_POINTS = 100_000


@dataclass
class ExpectedAlert:
    rule: str
    entity: str
    state: str
    line: int


@dataclass
class AlertEval:
    at: pd.Timestamp
    rule: str | None
    entity: str | None
    alerts: list[ExpectedAlert]
    line: int


@dataclass
class StageEval:
    at: pd.Timestamp
    stage: int | None
    active: list[int] | None
    line: int


@dataclass
class RuleTest:
    name: str
    line: int
    case: str | None
    rows: list[dict[str, Any]]
    alert_eval: list[AlertEval]
    stage_eval: list[StageEval]

    def named_rules(self) -> set[str]:
        """Rules this test makes a claim about by name (what coverage counts)."""
        named = {a.rule for item in self.alert_eval for a in item.alerts}
        return named | {item.rule for item in self.alert_eval if item.rule}


@dataclass
class RuleTestFile:
    path: Path
    rule_paths: list[Path]
    tests: list[RuleTest] = field(default_factory=list)


def expand_values(text: str) -> list[float | None]:
    """Expand compact notation; raise ValueError naming the bad token and its offset."""
    out: list[float | None] = []
    for match in re.finditer(r"\S+", text):
        token = match.group()
        gap, step = GAP.match(token), TOKEN.match(token)
        if gap:
            out += [None] * int(gap.group("n") or 1)
        elif step:
            a, n = float(step.group("a")), int(step.group("n") or 1)
            b = float(step.group("b") or 0) * (-1 if step.group("op") == "-" else 1)
            out += [a + i * b for i in range(n)]
        else:
            raise ValueError(f"{match.start()}:bad value {token!r}: use a, axn, a+bxn or _")
        if len(out) > MAX_POINTS:
            raise ValueError(f"{match.start()}:more than {MAX_POINTS} values")
    return out


def nth(start: pd.Timestamp, step: Duration, i: int) -> pd.Timestamp:
    """The ``i``-th date after ``start``: calendar months stay calendar months.

    A start on the last day of a month steps from month end to month end (31 Jan,
    29 Feb, 31 Mar), which is what a monthly or quarterly series means.
    """
    months = step.months
    if months is not None and float(months * i).is_integer():
        if start.is_month_end and i:
            return start + pd.offsets.MonthEnd(int(months * i))
        return start + pd.DateOffset(months=int(months * i))
    return start + pd.Timedelta(days=step.days * i)


class _Parser:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = str(path)
        self.problems: list[str] = []

    def problem(self, position: Position, message: str) -> None:
        self.problems.append(f"{position}: {message}")

    def at(self, node: Any, key: Any) -> Position:
        return value_position(node, key, self.file)

    def mapping(self, node: Any, keys: dict[str, str], what: str, where: Position) -> bool:
        if not isinstance(node, CommentedMap):
            self.problem(where, f"{what} must be a mapping")
            return False
        for key in node:
            if str(key) not in keys:
                allowed = ", ".join(sorted(keys))
                where = key_position(node, key, self.file)
                self.problem(where, f"unknown key {short(key)} (allowed: {allowed})")
        return True

    def required(self, node: CommentedMap, key: str, what: str) -> bool:
        if key not in node:
            self.problem(node_position(node, self.file), f"{what}: missing key {key!r}")
            return False
        return True

    def items(self, node: CommentedMap, key: str) -> list[Any]:
        value = node.get(key)
        if value is None:
            return []
        if not isinstance(value, CommentedSeq):
            self.problem(self.at(node, key), f"{key} must be a list")
            return []
        return list(value)

    def date(self, node: Any, key: str) -> pd.Timestamp | None:
        try:
            value = pd.Timestamp(str(node[key]))
            if pd.isna(value):
                raise ValueError(key)
            return value.normalize()
        except (ValueError, TypeError, OverflowError):
            self.problem(self.at(node, key), f"{key} must be a date such as 2000-03-31")
            return None

    def duration(self, node: Any, key: str, default: Duration) -> Duration:
        if key not in node:
            return default
        try:
            duration = parse_duration(node[key] if isinstance(node[key], int | str) else "?")
        except ValueError:
            self.problem(self.at(node, key), f"{key} must be a duration such as 1mo or 7d")
            return default
        if key == "interval" and duration.is_zero():
            self.problem(self.at(node, key), "interval must be longer than zero")
            return default
        return duration

    def text(self, node: CommentedMap, key: str) -> str | None:
        value = node.get(key)
        if value is None or isinstance(value, bool | CommentedMap | CommentedSeq):
            if key in node:
                self.problem(self.at(node, key), f"{key} must be text")
            return None
        return str(value)

    def parse(self) -> RuleTestFile:
        try:
            document = load_file(self.path)
        except YamlSyntaxError as exc:
            raise RuleTestError([f"{exc.position}: YAML syntax: {exc.message}"]) from None
        except OSError as exc:
            raise RuleTestError([f"{self.file}:1:1: cannot read: {exc.strerror}"]) from None
        start = Position(self.file, 1, 1)
        if not self.mapping(document, TEST_FILE_KEYS, "a test file", start):
            raise RuleTestError(self.problems)
        rule_paths: list[Path] = []
        if self.required(document, "rule_files", "test file"):
            for item in self.items(document, "rule_files"):
                rule_paths.append((self.path.parent / str(item)).resolve())
        result = RuleTestFile(self.path, rule_paths)
        if self.required(document, "tests", "test file"):
            tests = self.items(document, "tests")
            for index, node in enumerate(tests):
                test = self.test(node, value_position(document["tests"], index, self.file))
                if test is not None:
                    result.tests.append(test)
        if self.problems:
            raise RuleTestError(self.problems)
        return result

    def test(self, node: Any, where: Position) -> RuleTest | None:
        if not self.mapping(node, TEST_KEYS, "a test", where):
            return None
        name = self.text(node, "name") if self.required(node, "name", "test") else None
        interval = self.duration(node, "interval", Duration(1, "mo"))
        rows: list[dict[str, Any]] = []
        for index, series in enumerate(self.items(node, "input_series")):
            rows += self.series(
                series, value_position(node["input_series"], index, self.file), interval
            )
        alerts = [
            a
            for i, item in enumerate(self.items(node, "alert_eval"))
            if (a := self.alert_eval(item, value_position(node["alert_eval"], i, self.file)))
        ]
        stages = [
            s
            for i, item in enumerate(self.items(node, "stage_eval"))
            if (s := self.stage_eval(item, value_position(node["stage_eval"], i, self.file)))
        ]
        if "alert_eval" not in node and "stage_eval" not in node:
            self.problem(where, "a test needs alert_eval or stage_eval: it would check nothing")
        line = where.line
        return RuleTest(name or "?", line, self.case(node), rows, alerts, stages)

    def case(self, node: CommentedMap) -> str | None:
        """A bundled case name as written; a folder relative to this test file, like
        ``rule_files`` (never to the folder the command happens to run in)."""
        value = self.text(node, "case")
        if value is None:
            return None
        folder = self.path.parent / value
        if "/" in value or value in (".", "..") or (folder / "case.yaml").is_file():
            return str(folder.resolve())
        return value

    def series(self, node: Any, where: Position, interval: Duration) -> list[dict[str, Any]]:
        if not self.mapping(node, SERIES_KEYS, "an input series", where):
            return []
        ok = self.required(node, "series", "input series") & self.required(
            node, "entity", "input series"
        )
        series, entity = self.text(node, "series"), self.text(node, "entity")
        lag = self.duration(node, "lag", Duration(0, "d")).offset()
        unit = self.text(node, "unit") or ""
        if not ok or series is None or entity is None:
            return []
        base = {"series": series, "entity": entity, "unit": unit, "source": "rule test"}
        rows: list[dict[str, Any]] = []
        if "values" in node:
            step = self.duration(node, "interval", interval)
            begin = self.date(node, "start") if self.required(node, "start", "values") else None
            for i, value in enumerate(self.values(node)):
                if begin is None or value is None:
                    continue
                date = nth(begin, step, i)
                rows.append({**base, "date": date, "value": value, "published": date + lag})
        for index, point in enumerate(self.items(node, "points")):
            spot = value_position(node["points"], index, self.file)
            keys = {"date": "", "value": "", "published": ""}
            if not self.mapping(point, keys, "a point", spot):
                continue
            if not (
                self.required(point, "date", "point") and self.required(point, "value", "point")
            ):
                continue
            date = self.date(point, "date")
            published = self.date(point, "published") if "published" in point else None
            value = point["value"]
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.problem(self.at(point, "value"), "value must be a number")
                continue
            if date is not None:
                known = published if published is not None else date + lag
                rows.append({**base, "date": date, "value": float(value), "published": known})
        if "values" not in node and "points" not in node:
            self.problem(where, "an input series needs values (with start) or points")
        return rows

    def values(self, node: CommentedMap) -> list[float | None]:
        raw = node["values"]
        if isinstance(raw, CommentedSeq):
            good = all(
                v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in raw
            )
            if good and len(raw) <= MAX_POINTS:
                return [None if v is None else float(v) for v in raw]
            self.problem(self.at(node, "values"), "values must be numbers or null")
            return []
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return [float(raw)]
        if not isinstance(raw, str):
            self.problem(self.at(node, "values"), "values must be compact text or a list")
            return []
        try:
            return expand_values(raw)
        except ValueError as exc:
            offset, message = str(exc).split(":", 1)
            where = self.at(node, "values")
            quoted = isinstance(raw, DoubleQuotedScalarString | SingleQuotedScalarString)
            col = where.col + int(offset) + (1 if quoted else 0)
            self.problem(Position(self.file, where.line, col), message)
            return []

    def alert_eval(self, node: Any, where: Position) -> AlertEval | None:
        if not self.mapping(node, ALERT_EVAL_KEYS, "an alert_eval item", where):
            return None
        if not (
            self.required(node, "at", "alert_eval") & self.required(node, "alerts", "alert_eval")
        ):
            return None
        at = self.date(node, "at")
        rule, entity = self.text(node, "rule"), self.text(node, "entity")
        expected: list[ExpectedAlert] = []
        for index, alert in enumerate(self.items(node, "alerts")):
            spot = value_position(node["alerts"], index, self.file)
            if not self.mapping(alert, ALERT_KEYS, "an expected alert", spot):
                continue
            alert_rule = self.text(alert, "rule") or rule
            alert_entity = self.text(alert, "entity") or entity
            state = self.text(alert, "state") or "firing"
            if state not in STATES:
                self.problem(self.at(alert, "state"), f"state must be one of {', '.join(STATES)}")
            if alert_rule is None or alert_entity is None:
                self.problem(spot, "an expected alert needs a rule and an entity")
                continue
            expected.append(ExpectedAlert(alert_rule, alert_entity, state, spot.line))
        if at is None:
            return None
        return AlertEval(at, rule, entity, expected, where.line)

    def stage_eval(self, node: Any, where: Position) -> StageEval | None:
        if not self.mapping(node, STAGE_EVAL_KEYS, "a stage_eval item", where):
            return None
        if not self.required(node, "at", "stage_eval"):
            return None
        at = self.date(node, "at")
        stage = node.get("stage")
        if "stage" in node and (isinstance(stage, bool) or stage not in (0, 1, 2, 3)):
            self.problem(self.at(node, "stage"), "stage must be 0, 1, 2 or 3")
            stage = None
        active = node.get("active")
        if active is not None and not (
            isinstance(active, list)
            and all(a in (1, 2, 3) and not isinstance(a, bool) for a in active)
        ):
            self.problem(self.at(node, "active"), "active must be a list of stages 1-3")
            active = None
        if stage is None and active is None:
            self.problem(where, "a stage_eval item needs stage or active")
            return None
        if at is None:
            return None
        return StageEval(at, stage, sorted(active) if active is not None else None, where.line)


def parse_test_file(path: Path) -> RuleTestFile:
    """Parse one test file or raise :class:`RuleTestError` with every problem."""
    return _Parser(Path(path)).parse()


def find_test_files(paths: list[Path]) -> list[Path]:
    """Test files in the given paths: a folder means ``tests/*.yaml`` in it and ``*.test.yaml``."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            candidates = sorted(path.glob("*.test.y*ml")) + sorted((path / "tests").glob("*.y*ml"))
            found += [p for p in candidates if p.suffix in (".yaml", ".yml")]
        else:
            found.append(path)
    return list(dict.fromkeys(found))
