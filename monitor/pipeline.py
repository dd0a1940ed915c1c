"""One run, end to end: case -> indicators -> rules -> assessment -> files.

The CLI and (later) the scheduler both call :func:`run`; it returns the assessment
and writes the JSON and HTML only after everything has rendered, so a failed run
leaves the previous report untouched.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from monitor.assessment import Assessment, assess
from monitor.atomic import write_text
from monitor.case import Case, load_case
from monitor.evaluate import Timeline, evaluate
from monitor.plugins import Registry, load_registry
from monitor.rulefile import RuleSet, bundled_rules_dir, indicator_infos, load_rules


@dataclass
class RunResult:
    case: Case
    timeline: Timeline
    assessment: Assessment
    json_path: Path | None = None
    html_path: Path | None = None


def load_ruleset(registry: Registry, rule_dirs: Sequence[Path] = ()) -> RuleSet:
    paths = list(rule_dirs) or [bundled_rules_dir()]
    return load_rules(paths, indicator_infos(registry))


def assess_case(
    case: Case,
    as_of: pd.Timestamp | None = None,
    rule_dirs: Sequence[Path] = (),
    registry: Registry | None = None,
    ruleset: RuleSet | None = None,
) -> RunResult:
    """Assess a loaded case; ``ruleset`` (if given) is used instead of loading rule files."""
    registry = registry or load_registry()
    ruleset = ruleset or load_ruleset(registry, rule_dirs)
    as_of = pd.Timestamp(as_of) if as_of is not None else case.latest_date()
    timeline = evaluate(case.observations, ruleset, registry, end=as_of)
    assessment = assess(timeline, case, as_of)
    assessment.problems = [str(f) for f in registry.failures] + assessment.problems
    return RunResult(case, timeline, assessment)


def run(
    case_name: str = "ai-cycle",
    as_of: str | pd.Timestamp | None = None,
    rule_dirs: Sequence[Path] = (),
    out_dir: Path = Path("out"),
    plugin_dirs: Sequence[Path] = (),
    ruleset: RuleSet | None = None,
    registry: Registry | None = None,
) -> RunResult:
    """Evaluate a case and write ``<case>-<as_of>.json`` and ``.html`` into ``out_dir``.

    A caller that manages its own rules (the scheduler keeps the last good set when a
    reload fails) passes ``ruleset`` and ``registry``; otherwise both are loaded here.
    """
    from reports.render import render_report

    case = load_case(case_name)
    registry = registry or load_registry(plugin_dirs)
    at = pd.Timestamp(as_of) if as_of is not None else None
    result = assess_case(case, at, rule_dirs, registry, ruleset)
    stem = f"{case.name}-{result.assessment.as_of}"
    html_path = Path(out_dir) / f"{stem}.html"
    json_path = Path(out_dir) / f"{stem}.json"
    result.assessment.report = str(html_path)
    html = render_report(result.assessment)
    payload = json.dumps(result.assessment.to_json(), indent=2, ensure_ascii=False)
    write_text(html_path, html)
    write_text(json_path, payload + "\n")
    result.html_path, result.json_path = html_path, json_path
    return result
