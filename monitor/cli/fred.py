"""``monitor fred``: a FRED series (API or raw download) as tidy observation rows."""

from __future__ import annotations

from pathlib import Path

import click

from monitor.cli.options import fail
from monitor.core.limits import SHOWN_BAD_ROWS


@click.command()
@click.argument("fred_id")
@click.option("--series", "series", required=True, help="Series id in the observation frame.")
@click.option("--unit", required=True, help="Unit of the values, e.g. % or index.")
@click.option("--entity", default="US", show_default=True)
@click.option(
    "--lag",
    "lag_days",
    default=0,
    show_default=True,
    type=int,
    help="Usual publication lag in days (published = date + lag).",
)
@click.option(
    "--from-file",
    "from_file",
    type=click.Path(exists=True, path_type=Path),
    help="Read a raw FRED CSV download instead of calling the API.",
)
@click.option("--start", default=None, metavar="DATE", help="First observation date (API).")
@click.option("--end", default=None, metavar="DATE", help="Last observation date (API).")
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path),
    help="Write the tidy CSV here (default: standard output).",
)
def fred(
    fred_id: str,
    series: str,
    unit: str,
    entity: str,
    lag_days: int,
    from_file: Path | None,
    start: str | None,
    end: str | None,
    out_file: Path | None,
) -> None:
    """Turn a FRED series (API or raw CSV download) into tidy observation rows.

    The API key is read from FRED_API_KEY and never printed. Bad rows are reported
    on standard error and left out of the output; blank holiday cells are skipped.
    """
    from monitor.core.atomic import write_text
    from monitor.core.terminal import safe
    from monitor.data.sources import fred as fred_source

    spec = fred_source.FredSeries(fred_id, series, unit, entity, lag_days)
    try:
        if from_file is not None:
            data = fred_source.read_csv(from_file, spec)
        else:
            data = fred_source.fetch(spec, start, end)
    except fred_source.FredError as exc:
        fail(safe(exc))
        return
    for bad in data.bad_rows[:SHOWN_BAD_ROWS]:
        click.echo(safe(f"bad row: {bad}"), err=True)
    if len(data.bad_rows) > SHOWN_BAD_ROWS:
        click.echo(f"... and {len(data.bad_rows) - SHOWN_BAD_ROWS} more bad row(s)", err=True)
    text = fred_source.to_csv(data)
    if out_file is None:
        click.echo(text, nl=False)
    else:
        write_text(out_file, text)
        click.echo(f"{len(data.frame)} rows written to {out_file}", err=True)
