"""Rendering an assessment to a self-contained HTML file with Jinja2.

Autoescaping is forced on for every template name (``select_autoescape()`` alone
leaves ``*.j2`` files unescaped) and undefined names are errors, so a rule title or a
data value can never inject markup and a template typo never renders silently. Nothing
from a rule file or a data file is ever marked safe: charts are ``data:`` URIs in quoted
``src`` attributes, so even our own SVG passes through the escaper. The only safe value
is the constant CSP policy.

The view built here only groups and looks things up (cards per stage, a chart per
rule); every figure shown was computed in :mod:`monitor.assessment.model`. A folder given as
``override_dir`` overrides any template by name (``styles.css.j2`` to rebrand,
``report.html.j2`` to restructure), the built-ins stay the fallback.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from monitor.assessment.entities import MANY_ENTITIES, entity_count
from monitor.assessment.model import Assessment, RuleAssessment, serious_first
from monitor.core.errors import TemplateProblem
from monitor.core.limits import SHOWN_BAD_ROWS
from monitor.reports import charts
from monitor.reports.chart_cache import cached_chart
from monitor.reports.charts import COUNTER_COLOUR, STAGE_COLOURS, Chart

# the report's charts, each kept in the file cache when MONITOR_CACHE_DIR is set
archive_chart = cached_chart(charts.archive_chart)
backtest_stage_chart = cached_chart(charts.backtest_stage_chart)
heat_map_chart = cached_chart(charts.heat_map_chart)
rule_chart = cached_chart(charts.rule_chart)
score_chart = cached_chart(charts.score_chart)

# bundled files, found by resource name (reports import no room but the assessment)
PACKAGE_ROOTS = (
    (Path(str(resources.files("monitor.rules"))), "monitor/rules"),
    (Path(str(resources.files("monitor.data") / "cases")), "monitor/data/cases"),
)
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)
STAGE_NAMES = {
    0: "Structural vulnerabilities",
    1: "Stage 1: macro tightening",
    2: "Stage 2: performance warnings",
    3: "Stage 3: crash",
}
STAGE_LEVELS = (
    (0, "No stage active"),
    (1, "Macro tightening"),
    (2, "Performance warnings"),
    (3, "Crash"),
)
# Our own constant, the one value marked safe: escaping would turn its single quotes
# into &#39; (equivalent for a browser, but opaque to anyone grepping for the policy).
CSP_ATTRIBUTE = Markup(CSP) if '"' not in CSP and "<" not in CSP else CSP
MEASURES = {  # how a caption names what a rule's chart plots
    "change": "{window} change of",
    "pct_change": "{window} % change of",
    "drawdown": "drawdown of",
    "rolling_mean": "{window} average of",
    "max": "{window} high of",
    "min": "{window} low of",
    "count": "events in {window}:",
    "sum": "sum over {window} of",
    "months_since": "months since",
}
WINDOW_UNITS = {"mo": "month", "d": "day", "w": "week", "y": "year"}
COMPARATORS = {">=": "\u2265", "<=": "\u2264", ">": ">", "<": "<", "==": "=", "!=": "\u2260"}


def environment(override_dir: Path | None = None) -> Environment:
    """The template environment; a user folder, if given, overrides built-ins by name.

    Sandboxed: templates only lay out data, so a desk's override folder gets no way to
    reach Python objects (``cycler.__init__.__globals__`` and the like raise).
    """
    builtin = FileSystemLoader(str(resources.files("monitor.reports") / "templates"))
    loaders = [FileSystemLoader(str(override_dir)), builtin] if override_dir else [builtin]
    env = ImmutableSandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = format_number
    env.filters["signed"] = format_signed
    env.filters["cmp"] = lambda op: COMPARATORS.get(op or "", op or "")
    env.filters["state_word"] = state_word
    env.filters["path"] = display_path
    return env


def state_word(rule: RuleAssessment) -> str:
    """The badge word: a firing counter-signal is good news, not an alarm."""
    if rule.counter and rule.state == "firing":
        return "offsetting"
    return rule.state


def _window_words(window: str) -> str:
    match = re.fullmatch(r"(\d+)(mo|d|w|y)", window.strip())
    if not match:
        return window
    count, unit = match.groups()
    return f"{count}-{WINDOW_UNITS[unit]}"


def measure_caption(rule: RuleAssessment) -> str:
    """What the chart plots, in words: "12-month change of Policy rate (pp)"."""
    name = rule.indicator_title or rule.title
    match = re.fullmatch(r"(\w+)\((?:[\w.]+\s*,\s*)?([^)]*)\)", rule.measure.strip())
    if match and match.group(1) in MEASURES:
        words = MEASURES[match.group(1)].format(window=_window_words(match.group(2)))
        name = f"{words} {name}".strip()
        name = name[0].upper() + name[1:]
    return f"{name} ({rule.unit})" if rule.unit else name


def display_path(path: str) -> str:
    """A rule file or case folder as a reader can place it, never a site-packages path.

    Bundled files show relative to the package (``monitor/rules/stage1-macro.yaml``);
    any other file as its folder and name (``my-rules/extra.yaml``).
    """
    if not path:
        return path
    target = Path(path)
    for root, label in PACKAGE_ROOTS:
        try:
            return f"{label}/{target.resolve().relative_to(root.resolve()).as_posix()}".rstrip("/")
        except ValueError:
            continue
    return f"{target.parent.name}/{target.name}" if target.parent.name else target.name


def has_data(rule: RuleAssessment) -> bool:
    """A rule with something to show: a reading, a history, or a failure to report."""
    return bool(rule.history) or rule.value is not None or rule.error is not None


def format_number(value: Any, digits: int = 2) -> str:
    """Numbers as an analyst writes them: no trailing zeros, thousands separated."""
    if value is None:
        return "n/a"
    number = float(value)
    if abs(number) >= 1000:
        return f"{number:,.0f}"
    if abs(number) >= 100:  # -126.7 k persons, not -126.67: no false precision
        digits = min(digits, 1)
    text = f"{number:.{digits}f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text == "-0" else text.replace("-", "\u2212")


def format_signed(value: Any, digits: int = 1) -> str:
    """A change with its sign always shown (+3.2, \u22121.5, 0)."""
    if value is None:
        return "n/a"
    text = format_number(value, digits)
    return text if text.startswith("\u2212") or text == "0" else f"+{text}"


def _accent(rule: RuleAssessment) -> str:
    return COUNTER_COLOUR if rule.counter else STAGE_COLOURS.get(rule.stage, STAGE_COLOURS[0])


CHART_LINES = 6  # at most this many entities per chart; the rest are in the card's table


def _charted(rule: RuleAssessment) -> list[dict[str, Any]]:
    """The entities a chart draws: all of a few, else the lead and the most serious."""
    if len(rule.history) <= CHART_LINES:
        return rule.history
    order = {e.entity: i for i, e in enumerate(serious_first(rule.entities, rule.entity))}
    ranked = sorted(rule.history, key=lambda h: order.get(h["entity"], len(order)))
    return ranked[:CHART_LINES]


def charts_for(assessment: Assessment) -> dict[str, Chart | None]:
    """One chart per rule (``None`` where the rule has no data yet)."""
    return {
        r.id: rule_chart(
            _charted(r),
            title=measure_caption(r),
            unit=r.unit,
            threshold=r.threshold if r.level is None else r.level["value"],
            comparator=r.comparator if r.level is None else r.level["comparator"],
            partial=r.level is not None,
            precedent=r.precedent,
            accent=_accent(r),
        )
        for r in assessment.rules
    }


def report_context(assessment: Assessment) -> dict[str, Any]:
    """Everything the report template reads, grouped but not computed."""
    by_stage: dict[int, list[RuleAssessment]] = {}
    for rule in assessment.rules:
        if not rule.counter and has_data(rule):
            by_stage.setdefault(rule.stage, []).append(rule)
    stage_info = {s.stage: s for s in assessment.stages}
    sections = [
        {
            "stage": number,
            "name": STAGE_NAMES.get(number, f"Stage {number}"),
            "info": stage_info.get(number),
            "rules": by_stage[number],
            "colour": STAGE_COLOURS.get(number, STAGE_COLOURS[0]),
        }
        for number in sorted(by_stage)
    ]
    stem = Path(assessment.report).stem if assessment.report else None
    known_series = {d["series"] for d in assessment.data}
    return {
        "a": assessment,
        "downloads": {"json": f"{stem}.json", "csv": f"{stem}.csv"} if stem else None,
        "card_sources": {
            r.id: [s for s in r.series if s in known_series] for r in assessment.rules
        },
        "csp": CSP_ATTRIBUTE,
        "shown_bad_rows": SHOWN_BAD_ROWS,
        "quarantine_file": (
            Path(assessment.report).name.removesuffix(".html") + ".quarantine.csv"
            if assessment.report
            else None
        ),
        "sections": sections,
        "counters": [r for r in assessment.rules if r.counter and has_data(r)],
        "no_data": [r for r in assessment.rules if not has_data(r)],
        "section_ids": [sec["stage"] for sec in sections],
        "many_entities": entity_count(assessment.entities) > MANY_ENTITIES,
        "captions": {r.id: measure_caption(r) for r in assessment.rules},
        "stale": [d for d in assessment.data if d["stale"]],
        "charts": charts_for(assessment),
        "score_chart": score_chart(assessment.score_history, label="Score over time"),
        "history_chart": backtest_stage_chart(
            [{**p, "composite": None} for p in assessment.score_history], episodes=[], events=[]
        ),
        "heat_chart": heat_map_chart(assessment.heat, label_pt=7) if assessment.heat else None,
        "levels": STAGE_LEVELS,
        "colours": STAGE_COLOURS,
        "counter_colour": COUNTER_COLOUR,
        "titles": {r.id: r.title for r in assessment.rules},
    }


def _render(override_dir: Path | None, name: str, context: dict[str, Any]) -> str:
    """Render by name; template mistakes become a clear error naming file and line."""
    try:
        return environment(override_dir).get_template(name).render(**context)
    except TemplateSyntaxError as exc:
        where = f"{exc.filename or exc.name}:{exc.lineno}"
        raise TemplateProblem(f"{where}: template syntax: {exc.message}") from None
    except TemplateError as exc:
        folder = f" (overrides from {override_dir})" if override_dir else ""
        raise TemplateProblem(f"template {name}{folder}: {exc}") from None


def render_report(assessment: Assessment, override_dir: Path | None = None) -> str:
    """The report for one assessment as one self-contained HTML document."""
    return _render(override_dir, "report.html.j2", report_context(assessment))


def render_index(
    cases: list[dict[str, Any]],
    latest: dict[str, Any] | None,
    override_dir: Path | None = None,
    timelines: dict[str, list[dict[str, Any]]] | None = None,
) -> str:
    """The archive index: per case the score over time and every report by date.

    ``cases`` holds ``{case, case_title, reports: [...]}`` with reports newest first,
    each ``{as_of, stage, score, html, json}`` (file names relative to the index);
    ``timelines`` maps a case to the month-end scores of its newest report's timeline.
    """
    view = []
    for entry in cases:
        oldest_first = list(reversed(entry["reports"]))
        chart = archive_chart(
            [{"date": r["as_of"], "score": r["score"]} for r in oldest_first],
            (timelines or {}).get(entry["case"], []),
            label=f"Score of {entry['case_title']} across archived reports",
        )
        view.append({**entry, "chart": chart})
    context = {"csp": CSP_ATTRIBUTE, "cases": view, "latest": latest, "colours": STAGE_COLOURS}
    return _render(override_dir, "index.html.j2", context)
