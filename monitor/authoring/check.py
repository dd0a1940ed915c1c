"""``monitor rules check``: every problem in every rule file, at once, with a caret.

Errors come from the loader itself (:func:`monitor.rulebook.loader.check_rules`), so ``check``
can never disagree with what ``monitor run`` would accept. On top, lint warnings flag
rules a reviewer would send back: no description, no 2000 precedent, no unit test.
Exit codes follow promtool: 0 clean, 1 errors, 3 warnings only under ``--strict``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from monitor.authoring.testfile import RuleTestError, find_test_files, parse_test_file
from monitor.core.problems import Problem
from monitor.core.yamlio import Position, key_position
from monitor.indicator.registry import load_registry
from monitor.rulebook.loader import CheckResult, check_rules, indicator_infos

EXIT_OK, EXIT_ERRORS, EXIT_WARNINGS = 0, 1, 3


@dataclass
class Report:
    errors: list[Problem]
    warnings: list[Problem]
    files: list[Path]

    def exit_code(self, strict: bool) -> int:
        if self.errors:
            return EXIT_ERRORS
        if strict and self.warnings:
            return EXIT_WARNINGS
        return EXIT_OK


def tested_rule_ids(rule_paths: Iterable[Path]) -> tuple[set[str], list[Problem]]:
    """Rule ids named by the tests that sit beside the rule files (``tests/``)."""
    folders = {p if p.is_dir() else p.parent for p in map(Path, rule_paths)}
    named: set[str] = set()
    problems: list[Problem] = []
    for path in find_test_files(sorted(folders)):
        try:
            parsed = parse_test_file(path)
        except RuleTestError as exc:
            where = Position(str(path), 1, 1)
            problems.append(
                Problem(
                    where,
                    f"test file has {len(exc.problems)} problem(s); "
                    "run `monitor rules test` for details",
                    warning=True,
                )
            )
            continue
        for test in parsed.tests:
            named |= test.named_rules()
    return named, problems


def lint(result: CheckResult, rule_paths: list[Path]) -> list[Problem]:
    """Warnings for rules that load but lack what a reviewer needs."""
    tested, warnings = tested_rule_ids(rule_paths)
    broken = {p.rule for p in result.problems}
    for rule_id, (file, node) in sorted(result.nodes.items()):
        if rule_id in broken:
            continue  # fix the errors first; lint would only add noise
        where = key_position(node, "id", file)
        if not str(node.get("description") or "").strip():
            warnings.append(Problem(where, "no description (why does this matter?)", rule_id, True))
        if "precedent" not in node:
            warnings.append(Problem(where, "no precedent (the 2000 reading)", rule_id, True))
        if rule_id not in tested:
            warnings.append(
                Problem(where, "no test names this rule (see rules/tests/)", rule_id, True)
            )
    warnings.sort(key=lambda p: (p.position.file, p.position.line, p.position.col))
    return warnings


def check(paths: list[Path], plugin_dirs: Iterable[Path] = ()) -> Report:
    """Check rule files and folders against the installed indicator plugins."""

    registry = load_registry(plugin_dirs)
    result = check_rules(paths, indicator_infos(registry))
    return Report(result.problems, lint(result, paths), result.files)


def context(position: Position) -> list[str]:
    """The offending source line and a caret under the column (empty if unreadable)."""
    try:
        lines = Path(position.file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    if not 1 <= position.line <= len(lines):
        return []
    text = lines[position.line - 1].rstrip()
    if len(text) > 160:
        return []
    return [f"    {text}", "    " + " " * (max(position.col, 1) - 1) + "^"]


def render(report: Report, show_context: bool = True) -> list[str]:
    lines: list[str] = []
    for problem in [*report.errors, *report.warnings]:
        lines.append(str(problem))
        if show_context and not problem.warning:
            lines += context(problem.position)
    files = len(report.files)
    lines.append(
        f"{len(report.errors)} error(s), {len(report.warnings)} warning(s) in {files} file(s)"
    )
    return lines
