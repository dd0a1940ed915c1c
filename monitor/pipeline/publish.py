"""Publishing one run: the report's context, rendering, and the archive.

The CLI and the scheduler both call :func:`run`; it returns the assessment and writes
the report into the archive folder (dated HTML and JSON, ``index.html``,
``latest.html``/``latest.json``) only after everything has rendered, so a failed run
leaves the previous report untouched. The files of a run are published as one unit
(:func:`monitor.core.atomic.write_files`); before reading the archive, a unit that a
kill interrupted is completed and orphan temporary files are removed
(:func:`monitor.core.atomic.recover`).
"""

from __future__ import annotations

import platform
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from monitor.assessment import analogies
from monitor.assessment.briefing import summarise
from monitor.assessment.changes import compare
from monitor.assessment.degraded import degraded_block
from monitor.assessment.export import alerts_csv, quarantine_csv
from monitor.assessment.model import Assessment
from monitor.core.atomic import recover
from monitor.core.version import __version__
from monitor.data.case import Case
from monitor.engine.steps import DAILY
from monitor.indicator.registry import Registry
from monitor.pipeline.assess import RunResult, assess_inputs
from monitor.pipeline.calibration import calibrate, peak_2000
from monitor.pipeline.inputs import load_inputs
from monitor.pipeline.provenance import run_fingerprint
from monitor.reports.archive import previous_report, publish, stem
from monitor.reports.pdf import print_pdf
from monitor.reports.render import render_report
from monitor.rulebook.model import RuleSet


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
        "step": timeline.step,
        "observations": len(case.observations),
        "quarantined_rows": len(case.data.bad_rows),
    }


def add_report_context(result: RunResult, registry: Registry, out_dir: Path) -> None:
    """Fill what a report shows beyond the evaluation: changes, analogies, metadata.

    The analogies read a second case; if that fails the report still renders and
    says so under "Problems" (a scheduled run must not die on a side panel).
    """
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
    calibration = None
    try:
        calibration = calibrate(a.score, peak_2000(result.timeline.ruleset, registry))
    except Exception as exc:  # noqa: BLE001 - a side panel must not stop a scheduled run
        a.problems.append(f"calibration against 2000 unavailable: {type(exc).__name__}: {exc}")
    a.summary = summarise(a, calibration)


QUARANTINE_SUFFIX = ".quarantine.csv"
"""Beside each dated report with bad rows: every quarantined row, where the terminal
shows only the first few."""


def run(
    case_name: str | Case = "ai-cycle",
    as_of: str | pd.Timestamp | None = None,
    rule_dirs: Sequence[Path] = (),
    out_dir: Path = Path("out"),
    plugin_dirs: Sequence[Path] = (),
    ruleset: RuleSet | None = None,
    registry: Registry | None = None,
    template_dir: Path | None = None,
    step: str = DAILY,
    pdf: bool = False,
    failed_sources: list[dict[str, Any]] | None = None,
    annotate: Callable[[Assessment], None] | None = None,
) -> RunResult:
    """Evaluate a case and publish its report into the archive folder ``out_dir``.

    Writes ``<case>-<as_of>.html`` and ``.json`` (and ``.quarantine.csv`` when rows were
    quarantined), refreshes ``index.html`` and (when this is the newest report)
    ``latest.html``/``latest.json``, all as one unit. A caller that manages
    its own rules (the scheduler keeps the last good set when a reload fails) passes
    ``ruleset`` and ``registry``; otherwise both are loaded here. ``template_dir``
    overrides built-in templates by name. ``pdf`` also prints the report to
    ``<case>-<as_of>.pdf`` beside it (the ``[pdf]`` extra and Debian's chromium).
    ``case_name`` may be a loaded case (a store-backed one); ``failed_sources`` are the
    sources that failed to refresh before the run, which marks it degraded.
    ``annotate`` sees the assessment before it renders: the scheduler marks silenced
    and held-back alerts there (``monitor.ops.alerting``).
    """
    inputs = load_inputs(case_name, rule_dirs, plugin_dirs, registry, ruleset)
    at = pd.Timestamp(as_of) if as_of is not None else None
    result = assess_inputs(inputs, at, step)
    result.assessment.fingerprint = run_fingerprint(inputs, step)
    result.assessment.degraded = degraded_block(failed_sources, result.assessment.data)
    out = Path(out_dir)
    recover(out)
    add_report_context(result, inputs.registry, out)
    if annotate is not None:
        annotate(result.assessment)
    name = stem(inputs.case.name, result.assessment.as_of)
    html_path = out / f"{name}.html"
    result.assessment.report = str(html_path)
    html = render_report(result.assessment, template_dir)
    extra = {f"{name}.csv": alerts_csv(result.assessment)}
    quarantine = f"{name}{QUARANTINE_SUFFIX}"
    if result.assessment.quarantined or (out / quarantine).exists():  # never a stale one
        extra[quarantine] = quarantine_csv(result.assessment.quarantined)
    published = publish(out, result.assessment.to_json(), html, template_dir, extra)
    result.html_path, result.json_path = published.html, published.json
    result.index_path, result.latest_path = published.index, published.latest_html
    if pdf:
        result.pdf_path = published.html.with_suffix(".pdf")
        print_pdf(published.html, result.pdf_path)
    return result
