"""``monitor rules ...``: authoring tools for rule files (check, test, list, explain, new).

Only click is imported at module level: ``monitor --help`` must stay instant, so
pandas and the evaluator load inside each command.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from monitor.cli.options import PLUGINS, fail

PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
RULES = click.option(
    "--rules",
    "rule_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Rule file or folder (repeatable; default: the bundled rules).",
)


def _paths(paths: tuple[Path, ...]) -> list[Path]:
    from monitor.rulebook.loader import bundled_rules_dir

    if paths:
        return list(paths)
    default = bundled_rules_dir()
    if default.is_relative_to(Path.cwd()):  # shorter messages from the repo: rules/x.yaml:3:5
        default = default.relative_to(Path.cwd())
    return [default]


@click.group()
def rules() -> None:
    """Check, test, list and explain rule files."""


@rules.command("check")
@PATHS
@click.option("--strict", is_flag=True, help="Exit 3 when there are warnings but no errors.")
@click.option("--no-context", is_flag=True, help="Do not print the source line and caret.")
@PLUGINS
def check_command(
    paths: tuple[Path, ...], strict: bool, no_context: bool, plugin_dirs: tuple[Path, ...]
) -> None:
    """Validate rule files and folders (default: the bundled rules).

    Prints every problem at once as FILE:LINE:COL: rule "ID": MESSAGE, then
    warnings for rules without description, precedent or test. Exit codes:
    0 clean, 1 errors, 3 warnings only with --strict.
    """
    from monitor.authoring.check import check, render

    report = check(_paths(paths), plugin_dirs)
    for line in render(report, show_context=not no_context):
        click.echo(line)
    sys.exit(report.exit_code(strict))


@rules.command("test")
@PATHS
@click.option(
    "--run",
    "pattern",
    default=None,
    metavar="PATTERN",
    help="Only tests whose name matches this regular expression.",
)
@click.option(
    "--junit",
    "junit",
    default=None,
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Also write JUnit XML here.",
)
@click.option(
    "--require-coverage", is_flag=True, help="Fail when a rule under test is named by no test."
)
@PLUGINS
def test_command(
    paths: tuple[Path, ...],
    pattern: str | None,
    junit: Path | None,
    require_coverage: bool,
    plugin_dirs: tuple[Path, ...],
) -> None:
    """Run rule unit tests (YAML; default: the bundled rules/tests/).

    A PATH is a test file or a folder (its tests/*.yaml and *.test.yaml).
    Exit 0 when every test passes, 1 on any failure or error.
    """
    import re

    from monitor.authoring.testfile import find_test_files
    from monitor.authoring.testing import junit_xml, run_tests
    from monitor.indicator.registry import load_registry

    try:
        re.compile(pattern or "")
    except re.error as exc:
        fail(f"--run: invalid regular expression: {exc}")
    files = find_test_files(_paths(paths))
    if not files:
        fail(f"no rule test files in {', '.join(str(p) for p in _paths(paths))}")
    summary = run_tests(files, load_registry(plugin_dirs), pattern)
    current = None
    for result in summary.results:
        if result.file != current:
            current = result.file
            click.echo(current)
        if result.ok:
            click.echo(f"  ok    {result.name}")
            continue
        click.echo(f"  {'ERROR' if result.error else 'FAIL '} {result.name}  (line {result.line})")
        for line in (result.error or "").splitlines() + result.failures:
            click.echo(f"          {line}")
    uncovered = summary.uncovered
    covered = len(summary.rules) - len(uncovered)
    note = f"; not covered: {', '.join(uncovered)}" if uncovered else ""
    click.echo(f"coverage: {covered} of {len(summary.rules)} rules named by a test{note}")
    failed = len(summary.failed)
    click.echo(f"{len(summary.results)} test(s), {failed} failed")
    if junit is not None:
        junit.parent.mkdir(parents=True, exist_ok=True)
        junit.write_text(junit_xml(summary), encoding="utf-8")
    sys.exit(1 if failed or (require_coverage and uncovered) or not summary.results else 0)


def _load(rule_paths: tuple[Path, ...], plugin_dirs: tuple[Path, ...]):  # type: ignore[no-untyped-def]
    from monitor.core.errors import RuleFileError
    from monitor.indicator.registry import load_registry
    from monitor.rulebook.loader import indicator_infos, load_rules

    registry = load_registry(plugin_dirs)
    infos = indicator_infos(registry)
    try:
        return registry, infos, load_rules(_paths(rule_paths), infos)
    except RuleFileError as exc:
        fail("rule files do not load (run `monitor rules check`):\n" + str(exc))
        raise


@rules.command("list")
@PATHS
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@PLUGINS
def list_command(paths: tuple[Path, ...], as_json: bool, plugin_dirs: tuple[Path, ...]) -> None:
    """List rules: id, stage, severity, indicator and file."""
    from monitor.authoring.explain import list_rows

    _, _, ruleset = _load(paths, plugin_dirs)
    rows = list_rows(ruleset)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    width = max((len(r["id"]) for r in rows), default=2)
    click.echo(f"{'id':<{width}}  stage  {'severity':<8}  {'indicator':<24}  file")
    for r in rows:
        stage = f"{r['stage']}{'c' if r['counter'] else ''}"
        click.echo(
            f"{r['id']:<{width}}  {stage:<5}  {r['severity']:<8}  {r['indicator']:<24}  {r['file']}"
        )


@rules.command("explain")
@click.argument("rule_id", metavar="ID")
@click.option(
    "--case",
    "case_name",
    default="ai-cycle",
    show_default=True,
    help="Bundled case name or case folder.",
)
@click.option(
    "--as-of",
    "as_of",
    default=None,
    metavar="DATE",
    help="Explain as of this date (default: the case's latest data).",
)
@click.option("--entity", default=None, help="Only this entity.")
@RULES
@PLUGINS
def explain_command(
    rule_id: str,
    case_name: str,
    as_of: str | None,
    entity: str | None,
    rule_paths: tuple[Path, ...],
    plugin_dirs: tuple[Path, ...],
) -> None:
    """Explain one rule on a case: its text, parsed form, values, state and precedent."""
    import pandas as pd

    from monitor.authoring.explain import explain
    from monitor.core.errors import MonitorError
    from monitor.data.case import load_case
    from monitor.engine.timeline import evaluate

    registry, infos, ruleset = _load(rule_paths, plugin_dirs)
    if rule_id not in ruleset.by_id():
        fail(f"unknown rule {rule_id!r}; `monitor rules list` shows the rule ids")
    try:
        case = load_case(case_name)
        at = pd.Timestamp(as_of) if as_of else case.latest_date()
        timeline = evaluate(case.observations, ruleset, registry, at, case.evaluation_start())
        lines = explain(timeline, rule_id, infos, at, entity)
    except (MonitorError, ValueError) as exc:
        fail(str(exc))
        return
    click.echo(f"Case {case.name}")
    for line in lines:
        click.echo(line)


@rules.command("new")
@click.argument("name")
@click.option(
    "--dir",
    "folder",
    default=".",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Folder for the rule file (its test goes to FOLDER/tests/).",
)
def new_command(name: str, folder: Path) -> None:
    """Scaffold NAME.yaml and tests/NAME.test.yaml with every option shown."""
    from monitor.authoring.scaffold import scaffold

    try:
        written = scaffold(name, folder)
    except (ValueError, FileExistsError) as exc:
        fail(str(exc))
        return
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"next: monitor rules check {folder} && monitor rules test {folder}")
