"""The plain-text summary ``monitor run`` prints: what a reader needs first."""

from __future__ import annotations

import click

from monitor.assessment.model import Assessment


def print_summary(a: Assessment) -> None:
    click.echo(f"{a.case_title}  as of {a.as_of}: {a.data_line}")
    click.echo(f"Overall stage {a.stage} of 3, score {a.score:.1f} / 100")
    for stage in a.stages:
        mark = "ACTIVE" if stage.active else "inactive"
        since = f" since {stage.since}" if stage.since else ""
        click.echo(f"  stage {stage.stage} {mark}{since}: {stage.title}")
    firing = [r for r in a.rules if r.state in ("firing", "pending")]
    if firing:
        click.echo("Rules firing or pending:")
    for r in firing:
        value = "n/a" if r.value is None else f"{r.value:.4g}"
        entity = f" [{r.entity}]" if r.entity else ""
        sign = " (counter-signal)" if r.counter else ""
        click.echo(f"  {r.state:<8} {r.id}{entity}: {value} {r.unit}{sign}")
    _print_changes(a)
    stale = [d for d in a.data if d["stale"]]
    if stale:
        click.echo("Stale series:")
    for d in stale:
        if d.get("checked"):
            seen = f"value since {d['last_date']}, source checked {d['checked']}"
        else:
            seen = f"last period {d['last_date']}, published {d['last_published']}"
        click.echo(f"  {d['series']}/{d['entity']}: {seen}, {d['age_days']} days ago")
    for problem in a.problems:
        click.echo(f"problem: {problem}", err=True)
    if a.quarantined:
        rows = {(q["file"], q["line"]) for q in a.quarantined}
        click.echo(
            f"{len(rows)} bad data row(s) quarantined ({len(a.quarantined)} problem(s)):",
            err=True,
        )
        for row in a.quarantined:
            click.echo(f"  {row['file']}:{row['line']}: {row['column']}: {row['check']}", err=True)
    if a.report:
        click.echo(f"Report: {a.report}")


def _print_changes(a: Assessment) -> None:
    """One line per change since the previous archived report of the same case."""
    changes = a.changes
    if not changes or not changes.get("previous"):
        return
    before = changes["previous"]
    click.echo(
        f"Since {before['as_of']}: stage {changes['stage_from']} -> {changes['stage_to']}, "
        f"score {changes['score_delta']:+.1f}"
    )
    for item in changes["started"]:
        click.echo(f"  started  {item['rule']} [{item['entity']}]")
    for item in changes["stopped"]:
        click.echo(f"  stopped  {item['rule']} [{item['entity']}]")
