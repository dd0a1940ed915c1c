"""Rendering an assessment to a self-contained HTML file with Jinja2.

Autoescaping is forced on for every template name (``select_autoescape()`` alone
leaves ``*.j2`` files unescaped) and undefined names are errors, so a rule title or a
data value can never inject markup and a template typo never renders silently.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from monitor.assessment import Assessment

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def environment(override_dir: Path | None = None) -> Environment:
    """The template environment; a user folder, if given, overrides built-ins by name."""
    builtin = FileSystemLoader(str(resources.files("reports") / "templates"))
    loaders = [FileSystemLoader(str(override_dir)), builtin] if override_dir else [builtin]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = format_number
    return env


def format_number(value: Any, digits: int = 2) -> str:
    """Numbers as an analyst writes them: no trailing zeros, thousands separated."""
    if value is None:
        return "n/a"
    number = float(value)
    if abs(number) >= 1000:
        return f"{number:,.0f}"
    text = f"{number:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def render_report(assessment: Assessment, override_dir: Path | None = None) -> str:
    template = environment(override_dir).get_template("report.html.j2")
    by_stage: dict[int, list[Any]] = {}
    for rule in assessment.rules:
        if not rule.counter:
            by_stage.setdefault(rule.stage, []).append(rule)
    return template.render(
        a=assessment,
        csp=CSP,
        by_stage=sorted(by_stage.items(), key=lambda kv: -kv[0]),
        counters=[r for r in assessment.rules if r.counter],
        stale=[d for d in assessment.data if d["stale"]],
    )
