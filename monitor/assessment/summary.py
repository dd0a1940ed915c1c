"""The plain-text summary ``monitor run`` prints: what a reader needs first.

Every line goes through :func:`monitor.core.terminal.safe` (titles come from files
anyone may write), and the quarantine list is capped: counts plus the first
:data:`SHOWN_BAD_ROWS`; the full list is in ``<report>.quarantine.csv`` beside the
report, and in its JSON.
"""

from __future__ import annotations

from typing import Any

import click

from monitor.assessment.model import Assessment
from monitor.core.limits import SHOWN_BAD_ROWS
from monitor.core.terminal import safe


def echo(text: str, err: bool = False) -> None:
    click.echo(safe(text), err=err)


def print_quarantine(
    quarantined: list[dict[str, Any]], full_list: str | None = None, limit: int = SHOWN_BAD_ROWS
) -> None:
    """The quarantine on standard error: counts, then at most ``limit`` problems."""
    if not quarantined:
        return
    rows = {(q["file"], q["line"]) for q in quarantined}
    echo(f"{len(rows)} bad data row(s) quarantined ({len(quarantined)} problem(s)):", err=True)
    for row in quarantined[:limit]:
        echo(f"  {row['file']}:{row['line']}: {row['column']}: {row['check']}", err=True)
    if len(quarantined) > limit:
        where = full_list or "'quarantined' in the JSON"
        echo(f"  ... and {len(quarantined) - limit} more (all of them: {where})", err=True)


def print_summary(a: Assessment) -> None:
    echo(f"{a.case_title}  as of {a.as_of}: {a.data_line}")
    if a.degraded is not None:
        echo(a.degraded["message"])
    echo(f"Overall stage {a.stage} of 3, score {a.score:.1f} / 100")
    for stage in a.stages:
        mark = "ACTIVE" if stage.active else "inactive"
        since = f" since {stage.since}" if stage.since else ""
        echo(f"  stage {stage.stage} {mark}{since}: {stage.title}")
    firing = [r for r in a.rules if r.state in ("firing", "pending")]
    if firing:
        echo("Rules firing or pending:")
    for r in firing:
        value = "n/a" if r.value is None else f"{r.value:.4g}"
        entity = f" [{r.entity}]" if r.entity else ""
        sign = " (counter-signal)" if r.counter else ""
        echo(f"  {r.state:<8} {r.id}{entity}: {value} {r.unit}{sign}")
    _print_changes(a)
    stale = [d for d in a.data if d["stale"]]
    if stale:
        echo("Stale series:")
    for d in stale:
        if d.get("checked"):
            seen = f"value since {d['last_date']}, source checked {d['checked']}"
        else:
            seen = f"last period {d['last_date']}, published {d['last_published']}"
        echo(f"  {d['series']}/{d['entity']}: {seen}, {d['age_days']} days ago")
    for problem in a.problems:
        echo(f"problem: {problem}", err=True)
    full = a.report.removesuffix(".html") + ".quarantine.csv" if a.report else None
    print_quarantine(a.quarantined, full)
    if a.report:
        echo(f"Report: {a.report}")


def _print_changes(a: Assessment) -> None:
    """One line per change since the previous archived report of the same case."""
    changes = a.changes
    if not changes or not changes.get("previous"):
        return
    before = changes["previous"]
    echo(
        f"Since {before['as_of']}: stage {changes['stage_from']} -> {changes['stage_to']}, "
        f"score {changes['score_delta']:+.1f}"
    )
    for item in changes["started"]:
        echo(f"  started  {item['rule']} [{item['entity']}]")
    for item in changes["stopped"]:
        echo(f"  stopped  {item['rule']} [{item['entity']}]")
