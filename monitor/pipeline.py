"""One run, end to end: case -> indicators -> rules -> assessment -> files.

The CLI and the scheduler both call :func:`run`; it returns the assessment and writes
the report into the archive folder (dated HTML and JSON, ``index.html``,
``latest.html``/``latest.json``) only after everything has rendered, so a failed run
leaves the previous report untouched.
"""

from __future__ import annotations

import platform
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from monitor.assessment.changes import compare
from monitor.assessment.model import Assessment, assess
from monitor.core.version import __version__
from monitor.data.case import Case, load_case
from monitor.engine.timeline import Timeline, evaluate
from monitor.indicator.registry import Registry, load_registry
from monitor.rulebook.loader import bundled_rules_dir, indicator_infos, load_rules
from monitor.rulebook.model import RuleSet


@dataclass
class RunResult:
    case: Case
    timeline: Timeline
    assessment: Assessment
    json_path: Path | None = None
    html_path: Path | None = None
    index_path: Path | None = None
    latest_path: Path | None = None


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
    titles = {name: registry.get(name).title for name in registry.names()}
    assessment = assess(timeline, case, as_of, indicator_titles=titles)
    assessment.problems = [str(f) for f in registry.failures] + assessment.problems
    return RunResult(case, timeline, assessment)


def run_metadata(result: RunResult, registry: Registry) -> dict[str, Any]:
    """What an auditor needs to reproduce a report: versions, inputs, evaluated range."""
    timeline, case = result.timeline, result.case
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "bubble_monitor": __version__,
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "case_path": str(case.path),
        "rule_files": list(timeline.ruleset.files),
        "rules": len(timeline.ruleset.rules),
        "indicator_plugins": len(registry.names()),
        "evaluated_from": timeline.grid[0].date().isoformat(),
        "evaluated_to": result.assessment.as_of,
        "observations": len(case.observations),
        "quarantined_rows": len(case.data.bad_rows),
    }


def add_report_context(result: RunResult, registry: Registry, out_dir: Path) -> None:
    """Fill what a report shows beyond the evaluation: changes, analogies, metadata.

    The analogies read a second case; if that fails the report still renders and
    says so under "Problems" (a scheduled run must not die on a side panel).
    """
    from monitor.assessment import analogies
    from monitor.reports.archive import previous_report

    a = result.assessment
    found = previous_report(out_dir, a.case, a.as_of)
    current = {
        "stage": a.stage,
        "score": a.score,
        "stages": [asdict(s) for s in a.stages],
        "alerts": a.alerts,
    }
    titles = {r.id: r.title for r in a.rules}
    if found is None:
        a.changes = compare(current, None, titles)
    else:
        a.changes = compare(current, found[0], titles, found[1])
    precedents = {r.id: r.precedent for r in a.rules if r.precedent is not None}
    try:
        a.analogies = analogies.build(result.case, pd.Timestamp(a.as_of), registry, precedents)
    except Exception as exc:  # noqa: BLE001 - a side panel must not stop a scheduled run
        a.problems.append(f"today-against-2000 analogies unavailable: {type(exc).__name__}: {exc}")
    a.meta = run_metadata(result, registry)


def run(
    case_name: str = "ai-cycle",
    as_of: str | pd.Timestamp | None = None,
    rule_dirs: Sequence[Path] = (),
    out_dir: Path = Path("out"),
    plugin_dirs: Sequence[Path] = (),
    ruleset: RuleSet | None = None,
    registry: Registry | None = None,
    template_dir: Path | None = None,
) -> RunResult:
    """Evaluate a case and publish its report into the archive folder ``out_dir``.

    Writes ``<case>-<as_of>.html`` and ``.json``, refreshes ``index.html`` and (when
    this is the newest report) ``latest.html``/``latest.json``. A caller that manages
    its own rules (the scheduler keeps the last good set when a reload fails) passes
    ``ruleset`` and ``registry``; otherwise both are loaded here. ``template_dir``
    overrides built-in templates by name.
    """
    from monitor.reports.archive import publish, stem
    from monitor.reports.render import render_report

    case = load_case(case_name)
    registry = registry or load_registry(plugin_dirs)
    at = pd.Timestamp(as_of) if as_of is not None else None
    result = assess_case(case, at, rule_dirs, registry, ruleset)
    out = Path(out_dir)
    add_report_context(result, registry, out)
    html_path = out / f"{stem(case.name, result.assessment.as_of)}.html"
    result.assessment.report = str(html_path)
    html = render_report(result.assessment, template_dir)
    published = publish(out, result.assessment.to_json(), html, template_dir)
    result.html_path, result.json_path = published.html, published.json
    result.index_path, result.latest_path = published.index, published.latest_html
    return result
