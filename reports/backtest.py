"""Rendering a backtest to one self-contained HTML file, in the run report's design.

The same environment as the run report (autoescape forced on, ``StrictUndefined``,
sandboxed, template overrides by name) and the same chart module: nothing from a rule
file or a data file is marked safe. The view only looks things up; every figure was
computed in :mod:`monitor.assessment.backtest`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from monitor.assessment.alarms import ANALYST_MONTHS
from monitor.assessment.backtest import Backtest
from monitor.assessment.klr import NSR_FLOOR
from monitor.reports.charts import (
    COUNTER_COLOUR,
    STAGE_COLOURS,
    backtest_stage_chart,
    fed_pmi_chart,
    heat_map_chart,
    lucent_chart,
)
from monitor.reports.render import CSP_ATTRIBUTE, STAGE_NAMES, _render


def backtest_context(model: Backtest) -> dict[str, Any]:
    figures = model.figures
    fed_pmi = figures.get("fed_pmi")
    lucent = figures.get("lucent")
    return {
        "b": model,
        "csp": CSP_ATTRIBUTE,
        "colours": STAGE_COLOURS,
        "counter_colour": COUNTER_COLOUR,
        "stage_names": STAGE_NAMES,
        "analyst_months": ANALYST_MONTHS,
        "nsr_floor": NSR_FLOOR,
        "stage_chart": backtest_stage_chart(
            model.timeline, episodes=model.episodes, events=model.events
        ),
        "heat_chart": heat_map_chart(model.heat),
        "fed_pmi": fed_pmi,
        "fed_pmi_chart": fed_pmi_chart(fed_pmi["fed"], fed_pmi["pmi"]) if fed_pmi else None,
        "lucent": lucent,
        "lucent_chart": lucent_chart(lucent) if lucent else None,
        "risk_metrics": [m for m in model.metrics if not m.rule.startswith("stage ")],
        "stage_metrics": [m for m in model.metrics if m.rule.startswith("stage ")],
        "fired": [r for r in model.rules if r.firing_periods],
        "warned": {
            e["id"]: sorted(
                (
                    r
                    for r in model.rules
                    if not r.counter and r.lead_months.get(e["id"]) is not None
                ),
                key=lambda r: -(r.lead_months[e["id"]] or 0),
            )
            for e in model.episodes
        },
    }


def render_backtest(model: Backtest, override_dir: Path | None = None) -> str:
    """The backtest report as one HTML document (no script, no external request)."""
    return _render(override_dir, "backtest.html.j2", backtest_context(model))
