"""A backtest run: inputs loaded once, one timeline, the model, its report.

Never a loop over ``monitor run``: the timeline evaluates every rule at every step
in one pass (point in time at each step), and the model reads it at every step.
The report is rendered in memory and written atomically, so a failed backtest leaves
an earlier report of the same range untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from monitor.assessment.backtest import DEFAULT_HORIZON_MONTHS, Backtest, build
from monitor.assessment.calibration import calibrate
from monitor.core.atomic import write_text
from monitor.engine.steps import MONTH_END
from monitor.pipeline.assess import timeline_for
from monitor.pipeline.inputs import load_inputs
from monitor.reports.backtest import render_backtest
from monitor.rulebook.loader import indicator_infos


@dataclass
class BacktestResult:
    model: Backtest
    html_path: Path


def report_name(case: str, start: str, end: str) -> str:
    """``backtest-<case>-<from>-to-<to>.html``: apart from the run archive's dated files."""
    return f"backtest-{case}-{start}-to-{end}.html"


def backtest(
    case: str | Path = "telecom-2000",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    step: str = MONTH_END,
    horizon_months: int = DEFAULT_HORIZON_MONTHS,
    rule_dirs: Sequence[Path] = (),
    plugin_dirs: Sequence[Path] = (),
    out_dir: Path = Path("out"),
    calibrate_rule: str | None = None,
    literal: int = 1,
    template_dir: Path | None = None,
) -> BacktestResult:
    """Backtest a case from ``start`` to ``end`` (defaults: its first and last data)."""
    inputs = load_inputs(case, rule_dirs, plugin_dirs)
    last = pd.Timestamp(end) if end is not None else inputs.case.latest_date()
    timeline = timeline_for(inputs, last, step, keep_all=True)  # the model reads every step
    first = pd.Timestamp(start) if start is not None else timeline.grid[0]
    model = build(timeline, inputs.case, first, last, horizon_months)
    model.problems = [str(f) for f in inputs.registry.failures] + model.problems
    if calibrate_rule is not None:
        model.calibration = calibrate(
            timeline,
            inputs.case,
            calibrate_rule,
            literal,
            first,
            last,
            horizon_months,
            indicator_infos(inputs.registry),
        )
    path = Path(out_dir) / report_name(model.case, model.start, model.end)
    model.report = str(path)
    html = render_backtest(model, template_dir)
    write_text(path, html)
    return BacktestResult(model, path)
